"""Who is signed in to one dashboard session, and how signing in moves it along.

A session is in exactly one state at a time; the dashboard holds it in one place and every
page reads it from there. Each step is a function of the state (and the person's input) that
returns the next state; none of them raises for an outcome a person can meet (a wrong
password, a wrong code, a throttled account, an unreachable server): the state carries the
problem for the page to say.

```
SignedOut(email, problem, reason) ── attempt_sign_in ──> SignedIn | AwaitingCode | SignedOut
AwaitingCode(challenge)           ── attempt_code ─────> SignedIn | AwaitingCode | SignedOut
SignedIn(identity)                ── check ────────────> SignedIn | SessionExpired
SessionExpired(identity)          ── attempt_sign_in ──> SignedIn (same caches if same person)
                                                         | AwaitingCode | SessionExpired
any                               ── sign_out ─────────> SignedOut
```

The token never leaves the client the identity holds: states, identities and their reprs
show who and where, never a password, token or MFA code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from lib.convertr.client import ConvertrClient
from lib.convertr.errors import (
    AuthenticationError,
    AuthError,
    ConvertrError,
    InvalidMfaCodeError,
    MfaChallenge,
    MfaRequiredError,
)
from lib.convertr.models import User

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Wall-clock seconds (``time.time``); tests pass a fake."""
SignOutReason = Literal["start", "signed_out", "idle", "ended"]
"""Why nobody is signed in: a new session, the person signed out, the idle timeout, or the
browser's kept sign-in ended elsewhere (signed out in another tab, idle, revoked)."""


@dataclass(frozen=True)
class Identity:
    """One signed-in person (or the shared account) at one API, with the client that holds
    their token. Nothing here but the client knows the token."""

    user: User
    source: str
    """Where: ``Sandbox`` or the enterprise's URL."""
    cache_key: str
    """Keys this identity's entries in the data caches: where, the user id and role (and
    whether it is the shared account). Two people can never share one; it holds no secret."""
    client: ConvertrClient = field(repr=False, compare=False)
    shared: bool = False
    """The configured account everyone acts as (``CONVERTR_SHARED_LOGIN``)."""
    signin_id: str | None = None
    """The kept sign-in every tab of the browser shares (`lib.store` sessions' public id),
    None when it lives in this tab only."""

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def stable_id(self) -> str:
        """Who this is, the same across sign-ins, tabs and replicas: the source and the
        user id (never a secret). Key per-user caches and saved state on it; key data a
        sign-in loaded on `cache_key`."""
        return f"{self.source}|user:{self.user.id}"


@dataclass(frozen=True)
class SignInProblem:
    """What went wrong with the last attempt, and when (wall clock), to say when to retry."""

    error: ConvertrError
    at: float


@dataclass(frozen=True)
class SignedOut:
    email: str = ""
    """The email typed last: kept, so a failed attempt loses nothing but the password."""
    problem: SignInProblem | None = None
    reason: SignOutReason = "start"


@dataclass(frozen=True)
class AwaitingCode:
    """The password was right and the account needs a second factor."""

    challenge: MfaChallenge = field(repr=False)
    client: ConvertrClient = field(repr=False, compare=False)
    previous: Identity | None = None
    """Whose expired session this sign-in renews, if any."""
    problem: SignInProblem | None = None

    @property
    def email(self) -> str:
        return self.challenge.username


@dataclass(frozen=True)
class SignedIn:
    identity: Identity


@dataclass(frozen=True)
class SessionExpired:
    """The token ended and could not be renewed: the same person signs in again in place,
    and what they were doing is kept."""

    identity: Identity
    problem: SignInProblem | None = None


SignInState = SignedOut | AwaitingCode | SignedIn | SessionExpired


def new_cache_key(source: str, user: User, *, shared: bool) -> str:
    """The cache identity of a sign-in: where, who and with which role, never the token. The
    same person's next browser session (a new tab, a link from a ticket) signs in to the same
    key and reuses what they loaded within its TTL; another person never reaches it. The role
    is part of it, so a person whose role changed does not see what the old role loaded."""
    if shared:
        return f"{source}|user:{user.id}|shared"
    return f"{source}|user:{user.id}|role:{user.role}"


def identity_of(
    client: ConvertrClient, user: User, *, shared: bool = False, previous: Identity | None = None
) -> Identity:
    """The identity of a signed-in client. The same person signing in again at the same place
    keeps the previous cache key, so what they had loaded is still there."""
    source = client.base_url_display
    same_person = previous is not None and previous.user.id == user.id and previous.source == source
    cache_key = (
        previous.cache_key
        if previous is not None and same_person
        else new_cache_key(source, user, shared=shared)
    )
    return Identity(user=user, source=source, cache_key=cache_key, client=client, shared=shared)


def _failed(
    username: str, error: ConvertrError, previous: Identity | None, clock: Clock
) -> SignedOut | SessionExpired:
    problem = SignInProblem(error=error, at=clock())
    if previous is not None:
        return SessionExpired(identity=previous, problem=problem)
    return SignedOut(email=username, problem=problem)


def _signed_in(client: ConvertrClient, previous: Identity | None, clock: Clock) -> SignInState:
    try:
        user = client.current_user()
    except ConvertrError as error:
        return _failed(client.signed_in_as or "", error, previous, clock)
    return SignedIn(identity_of(client, user, previous=previous))


def attempt_sign_in(
    client: ConvertrClient,
    username: str,
    password: str,
    *,
    previous: Identity | None = None,
    clock: Clock = time.time,
) -> SignInState:
    """Sign ``client`` in as a person: the next state, whatever the server answered.
    ``previous`` is the identity whose expired session this renews."""
    username = username.strip()
    try:
        client.sign_in(username, password)
    except MfaRequiredError as error:
        if error.challenge is None:
            return _failed(username, error, previous, clock)
        return AwaitingCode(challenge=error.challenge, client=client, previous=previous)
    except ConvertrError as error:
        return _failed(username, error, previous, clock)
    return _signed_in(client, previous, clock)


def attempt_code(state: AwaitingCode, code: str, *, clock: Clock = time.time) -> SignInState:
    """The second step of an MFA sign-in. A wrong code keeps the step open, saying so; any
    other refusal (the challenge expired, the account got throttled) starts over."""
    try:
        state.client.sign_in_with_mfa(state.challenge, code.strip())
    except InvalidMfaCodeError as error:
        return replace(state, problem=SignInProblem(error=error, at=clock()))
    except ConvertrError as error:
        return _failed(state.email, error, state.previous, clock)
    return _signed_in(state.client, state.previous, clock)


def check(state: SignedIn) -> SignedIn | SessionExpired:
    """Renew the token if it is about to end (with the refresh token, when there is one);
    SessionExpired when only the person can go on. An unreachable server is not an expiry:
    the page says so itself when it loads."""
    try:
        state.identity.client.authenticate()
    except (AuthError, AuthenticationError):
        return SessionExpired(identity=state.identity)
    except ConvertrError:
        return state
    return state


def sign_out(state: SignInState, reason: SignOutReason = "signed_out") -> SignedOut:
    """End the session: the server is told (when it can be), the token is forgotten. A shared
    account's client is everyone's, so it is left signed in."""
    client: ConvertrClient | None = None
    if isinstance(state, SignedIn | SessionExpired) and not state.identity.shared:
        client = state.identity.client
    elif isinstance(state, AwaitingCode):
        client = state.client
    if client is not None:
        client.sign_out()
        client.close()
    return SignedOut(reason=reason)
