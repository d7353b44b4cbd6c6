"""Staying signed in across reloads, pasted links and new tabs of one browser.

The browser holds one cookie, ``leadlens_signin``: a random reference and nothing else
(``SameSite=Strict``, ``Secure`` over HTTPS, the app's path). The server keeps, per
reference, only its hash, who it is and the Convertr tokens sealed with the app's key
(`lib.store.sessions`). A tab without a sign-in of its own reads the cookie
(`st.context.cookies`, sent with the page's first request) and takes the sign-in over; every
run of every tab checks it is still live, so a sign-out in one tab, or the idle timeout
counted over all of them, shows the sign-in page in the others at their next run.

Setting the cookie: Streamlit reads cookies but has no call to set one after a widget
interaction, and `st.login` speaks only OIDC, which Convertr's API does not. The cookie is
written by a Custom Component v2 (`st.components.v2.component`, Streamlit's maintained API;
it renders in the app's own document, not an iframe, so `document.cookie` is the app's),
drawn last in the sign-in's run, after the page, and forgotten once that run has ended: the
reference is not sent on later runs. It writes without confirming: a confirmation is a
trigger, and a trigger reruns the whole page (it did, mid-page, on every new visitor's first
load). A run cut short draws it again in the next one. Being written by script, the cookie
cannot be HttpOnly; the page never renders lead values as HTML (STYLE.md), which is what
keeps a script from reading it.

Within one process the tabs of one sign-in share one client (one token, renewed once); on
another replica the renewed tokens come from the database (`token_version`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

import streamlit as st

from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr.models import User
from lib.convertr.session import Identity, new_cache_key
from lib.convertr.tokens import HeldTokens
from lib.store import SignInIdleError, SignInNotFoundError, StoreError
from lib.store.sessions import MAX_SIGN_IN_SECONDS
from lib.ui import cached_api, keys
from lib.ui.workspace import Workspace

logger = logging.getLogger(__name__)

COOKIE_NAME: Final = "leadlens_signin"

_COOKIE_JS: Final = """
export default function (component) {
  const { data } = component
  if (!data || !data.name || !data.value) return
  const parts = [
    `${data.name}=${data.value}`,
    `Path=${data.path}`,
    `Max-Age=${data.max_age}`,
    "SameSite=Strict",
  ]
  if (window.location.protocol === "https:") parts.push("Secure")
  document.cookie = parts.join("; ")
}
"""
_cookie_writer = st.components.v2.component(
    "leadlens_signin_cookie", html="<span hidden></span>", js=_COOKIE_JS
)


@dataclass
class _SharedClient:
    client: ConvertrClient
    token_version: int


_lock = threading.Lock()
_clients: dict[str, _SharedClient] = {}
"""Per kept sign-in (its public id), the client every tab of it uses in this process."""


def _cookie_path() -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def cookie_reference() -> str | None:
    """The reference this browser sent with the page (None: no cookie)."""
    try:
        cookies: Mapping[str, str] = st.context.cookies
        value = cookies.get(COOKIE_NAME)
    except Exception:  # no browser context (a script run outside a session)
        return None
    return value if isinstance(value, str) and value else None


def _listen(public_id: str, client: ConvertrClient, workspace: Workspace) -> None:
    """Keep the client's renewed tokens for the other tabs and replicas."""
    store = workspace.store

    def keep_renewed(tokens: HeldTokens) -> None:
        if store is None:
            return
        try:
            version = store.sessions.save_tokens(public_id, tokens.to_dict())
        except StoreError as error:
            logger.warning("renewed tokens not kept: %s", error)
            return
        with _lock:
            shared = _clients.get(public_id)
            if shared is not None:
                shared.token_version = version

    client.on_tokens_renewed = keep_renewed


def _identity(identity: Identity, public_id: str) -> Identity:
    cache_key = new_cache_key(identity.source, identity.user, shared=False)
    return replace(identity, signin_id=public_id, cache_key=cache_key)


def keep(identity: Identity, workspace: Workspace) -> Identity:
    """Keep a new sign-in for every tab of this browser: the stored row, the client shared,
    the cookie written at this run's end. Unchanged when sign-ins cannot be kept."""
    store = workspace.store
    tokens = identity.client.held_tokens()
    if store is None or not workspace.keeps_sign_ins or tokens is None or identity.shared:
        return identity
    try:
        reference, stored = store.sessions.create(
            source=identity.source,
            user_id=identity.user.id,
            email=identity.email,
            user=identity.user.model_dump(mode="json"),
            tokens=tokens.to_dict(),
        )
    except StoreError as error:
        logger.warning("sign-in not kept: %s", error)
        return identity
    with _lock:
        _clients[stored.public_id] = _SharedClient(identity.client, stored.token_version)
    _listen(stored.public_id, identity.client, workspace)
    st.session_state[keys.SIGNIN_COOKIE] = reference
    return _identity(identity, stored.public_id)


def restore(config: ClientConfig, workspace: Workspace, idle_seconds: float) -> Identity | None:
    """The sign-in this browser's cookie names, if it is live and for this source; else None
    (no cookie, forged, revoked, idle, another source: the sign-in page)."""
    reference = cookie_reference()
    store = workspace.store
    if reference is None or store is None or not workspace.keeps_sign_ins:
        return None
    try:
        stored = store.sessions.find(reference, idle_seconds=idle_seconds)
        user = User.model_validate(dict(stored.user))
        tokens = HeldTokens.from_dict(stored.tokens)
    except (StoreError, ValueError) as error:
        logger.info("kept sign-in not restored: %s", type(error).__name__)
        return None
    with _lock:
        shared = _clients.get(stored.public_id)
        if shared is None:
            client = cached_api.visitor_client(config)
            client.hold_tokens(tokens)
            shared = _SharedClient(client, stored.token_version)
            _clients[stored.public_id] = shared
            new_client = True
        else:
            new_client = False
    if new_client:
        _listen(stored.public_id, shared.client, workspace)
    if shared.client.base_url_display != stored.source:
        return None
    identity = Identity(
        user=user, source=stored.source, cache_key="", client=shared.client, shared=False
    )
    return _identity(identity, stored.public_id)


Liveness = Literal["live", "idle", "ended"]


def still_live(identity: Identity, workspace: Workspace, idle_seconds: float) -> Liveness:
    """A run of a tab: whether the kept sign-in is still live (its use noted for the idle
    timeout), "idle" when this check found it idle (the caller signs out of the API),
    "ended" when it ended before (a sign-out in another tab). Newer tokens kept by another
    replica are taken. "live" also when the database cannot be asked right now: then the
    API alone decides a token's end."""
    store = workspace.store
    if identity.signin_id is None or store is None:
        return "live"
    try:
        version = store.sessions.check(identity.signin_id, idle_seconds=idle_seconds)
    except SignInIdleError:
        forget(identity.signin_id)
        return "idle"
    except SignInNotFoundError:
        forget(identity.signin_id)
        return "ended"
    except StoreError as error:
        logger.warning("kept sign-in not checked: %s", error)
        return "live"
    with _lock:
        shared = _clients.get(identity.signin_id)
        stale = shared is not None and shared.token_version < version
    if stale:
        reload_tokens(identity, workspace)
    return "live"


def reload_tokens(identity: Identity, workspace: Workspace) -> bool:
    """Take the kept tokens if they are newer than the client's (another replica renewed
    them); False when there are none newer."""
    store = workspace.store
    if identity.signin_id is None or store is None:
        return False
    try:
        stored = store.sessions.reload(identity.signin_id)
        tokens = HeldTokens.from_dict(stored.tokens)
    except (StoreError, ValueError):
        return False
    with _lock:
        shared = _clients.get(identity.signin_id)
        if shared is None or shared.token_version >= stored.token_version:
            return False
        shared.token_version = stored.token_version
    identity.client.hold_tokens(tokens)
    return True


def forget(signin_id: str) -> None:
    """This process no longer serves the sign-in (the client stays with whoever holds it)."""
    with _lock:
        _clients.pop(signin_id, None)


def end(identity: Identity, workspace: Workspace) -> None:
    """Sign out everywhere: the kept sign-in revoked (every tab's next run asks again)."""
    if identity.signin_id is None:
        return
    forget(identity.signin_id)
    st.session_state.pop(keys.SIGNIN_COOKIE, None)
    if workspace.store is None:
        return
    try:
        workspace.store.sessions.revoke(identity.signin_id)
    except StoreError as error:
        logger.warning("kept sign-in not revoked: %s", error)


def write_cookie() -> None:
    """Write the new sign-in's cookie in this browser: drawn at the end of a run, after the
    page (`cookie_sent` then forgets the reference)."""
    reference = st.session_state.get(keys.SIGNIN_COOKIE)
    if not isinstance(reference, str):
        return
    with st.sidebar:
        _cookie_writer(
            key=keys.SIGNIN_COOKIE_WRITER,
            data={
                "name": COOKIE_NAME,
                "value": reference,
                "path": _cookie_path(),
                "max_age": MAX_SIGN_IN_SECONDS,
            },
            height=0,
        )


def cookie_sent() -> None:
    """The run that drew the cookie's writer has ended: the reference is not sent again."""
    st.session_state.pop(keys.SIGNIN_COOKIE, None)
