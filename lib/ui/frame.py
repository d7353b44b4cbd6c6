"""The frame every page shares: page config, who is signed in (the one identity of this
session), the sign-in page in place of the body until someone is, the sidebar (data source,
user and role, demo-user switch, sign out), and the guard that turns any failure into one
clear message instead of a traceback.

Who the user is lives in one place, `st.session_state[keys.IDENTITY]` (a
`lib.convertr.session.SignInState`). Every page reads it through `open_session`; the only
ways to change it are the sign-in code path (`_sign_in`: the form, the demo users' buttons,
the sidebar switcher, a sandbox session's start), signing out, the idle timeout and an
expired token. No widget's state decides it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path
from typing import Final

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib import connect
from lib.connect import SANDBOX_DEFAULT_USERNAME, SANDBOX_PASSWORD
from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr import session as signin_session
from lib.convertr.config import AccessSettings
from lib.convertr.errors import AuthenticationError, AuthError, ConvertrError
from lib.convertr.models import User
from lib.convertr.session import (
    AwaitingCode,
    Identity,
    SessionExpired,
    SignedIn,
    SignedOut,
    SignInProblem,
    SignInState,
    SignOutReason,
)
from lib.presentation import escape_markdown, resolve_timezone
from lib.ui import (
    cached_api,
    go_to_lead,
    inspector,
    keys,
    layout,
    lead_marks,
    pages,
    saved_views,
    signin,
    stay_signed_in,
    widgets,
    workspace,
)
from lib.views.glossary import GLOSSARY, GLOSSARY_FILE
from lib.views.identity import DemoUserCard, demo_user_cards, shared_banner, sidebar_identity
from lib.views.leads import sees_masked
from lib.views.url_params import PARAM_CAMPAIGN, PARAM_LEAD

logger = logging.getLogger(__name__)

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
"""The project folder (the glossary is read from its docs)."""
APP_NAME: Final = "Lead Lens"
APP_ICON: Final = "🔎"
DEFAULT_DEMO_USER: Final = SANDBOX_DEFAULT_USERNAME
SECONDS_PER_MINUTE: Final = 60
KEPT_ON_SIGN_OUT: Final = frozenset({keys.IDENTITY, keys.LAST_ACTIVITY, keys.SIGNIN_COOKIE})
"""Session-state keys a sign-out keeps; everything else the person left behind (pending
edits, the last lead, filters) is forgotten with them."""
EMPTY_FORM: Final = "Enter your email and your password."


@dataclass(frozen=True)
class Session:
    """What a page body needs: the connection, the signed-in user and the viewer's zone."""

    connection: cached_api.Connection
    user: User
    zone: tzinfo
    identity: Identity | None = None

    @property
    def client(self) -> ConvertrClient:
        return self.connection.client


def configure_page(title: str) -> None:
    """Wide layout, the page's title in the browser tab. Call first on every page."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=APP_ICON, layout="wide")


def demo_users() -> tuple[str, ...]:
    """The sandbox's demo users (its catalogue), in the order the switcher lists them."""
    return connect.demo_catalogue().emails


def _demo_user_cards() -> tuple[DemoUserCard, ...]:
    catalogue = connect.demo_catalogue()
    return demo_user_cards(catalogue.users, catalogue.role_permissions, catalogue.notes)


# -- the one identity ------------------------------------------------------------------------


def _settings() -> tuple[AccessSettings, ClientConfig]:
    """Shared login or not, idle timeout, and where the API is (raises ConfigurationError)."""
    settings = cached_api.access_settings()
    return settings, cached_api.resolve_config(settings)


def _state() -> SignInState | None:
    state = st.session_state.get(keys.IDENTITY)
    return (
        state if isinstance(state, SignedOut | AwaitingCode | SignedIn | SessionExpired) else None
    )


def _store(state: SignInState) -> None:
    st.session_state[keys.IDENTITY] = state


def _forget_page_state() -> None:
    """Everything a person left in this session but who they are (signing out, idling)."""
    for key in list(st.session_state.keys()):
        if key not in KEPT_ON_SIGN_OUT:
            del st.session_state[key]


def _keep_page_state() -> None:
    """Write back the widget values a page would lose while the sign-in form stands in for
    it (a widget not drawn in a run is forgotten; a value written this run is not)."""
    for key in keys.KEPT_WHILE_SIGNING_IN:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _sign_in(email: str, password: str) -> None:
    """The one sign-in code path: the form, the demo users' buttons, the sidebar switcher
    and a sandbox session's start all come here, as a real enterprise's visitor does."""
    config = _settings()[1]
    before = _state()
    previous = before.identity if isinstance(before, SessionExpired) else None
    if isinstance(before, SignedIn | SessionExpired):
        # A new sign-in replaces the browser's kept one (the demo switcher, an expiry).
        stay_signed_in.end(before.identity, _workspace())
    if isinstance(before, SignedIn | AwaitingCode):
        # Signing in as someone else ends the current sign-in first (the demo switcher).
        signin_session.sign_out(before)
    client = cached_api.visitor_client(config)
    after = signin_session.attempt_sign_in(client, email, password, previous=previous)
    if not isinstance(after, SignedIn | AwaitingCode):
        client.close()
    _arrive(after, previous)


def _arrive(after: SignInState, previous: Identity | None) -> None:
    """Store the state a sign-in step led to; a different person renewing an expired session
    does not inherit what the previous one left."""
    if (
        isinstance(after, SignedIn)
        and previous is not None
        and after.identity.user.id != previous.user.id
    ):
        _forget_page_state()
    if isinstance(after, SignedIn):
        after = SignedIn(stay_signed_in.keep(after.identity, _workspace()))
    _store(after)
    st.session_state[keys.LAST_ACTIVITY] = time.time()


def _with_problem(state: SignInState | None, email: str, message: str) -> SignInState:
    problem = SignInProblem(error=AuthError(message, user_message=message), at=time.time())
    if isinstance(state, SessionExpired | AwaitingCode):
        return replace(state, problem=problem)
    return SignedOut(email=email, problem=problem)


def _submit_password() -> None:
    state = _state()
    if isinstance(state, SessionExpired):
        email = state.identity.email
    else:
        email = str(st.session_state.get(keys.SIGNIN_EMAIL) or "").strip()
    password = str(st.session_state.get(keys.SIGNIN_PASSWORD) or "")
    # Never kept, whatever the outcome: the field is empty when the page comes back.
    st.session_state[keys.SIGNIN_PASSWORD] = ""
    if not email or not password:
        _store(_with_problem(state, email, EMPTY_FORM))
        return
    _sign_in(email, password)


def _submit_code() -> None:
    state = _state()
    code = str(st.session_state.get(keys.SIGNIN_CODE) or "")
    st.session_state[keys.SIGNIN_CODE] = ""
    if not isinstance(state, AwaitingCode):
        return
    if not code.strip():
        _store(_with_problem(state, state.email, "Enter the code from your authenticator."))
        return
    after = signin_session.attempt_code(state, code)
    if not isinstance(after, SignedIn | AwaitingCode):
        state.client.close()
    _arrive(after, state.previous)


def _start_over() -> None:
    """Leave the MFA step (keeping the email), or an expired session (as someone else)."""
    state = _state()
    if isinstance(state, AwaitingCode):
        email = state.email
        signin_session.sign_out(state)
        _store(SignedOut(email=email))
        return
    _sign_out("signed_out")


def _sign_out(reason: SignOutReason = "signed_out") -> None:
    state = _state()
    if isinstance(state, SignedIn | SessionExpired):
        stay_signed_in.end(state.identity, _workspace())
    if isinstance(state, SignedIn):
        # The audit snapshot holds this user's leads: it leaves with them. So does a pending
        # bulk edit kept for a reload (its review holds lead values). Imported here: the
        # audit engine costs half a second of imports that most sign-ins never need.
        from lib.ui import kept

        kept.forget_snapshot(
            connect.source_name(state.identity.client.config), state.identity.email
        )
        kept.forget_person(state.identity.cache_key)
    if state is not None:
        signin_session.sign_out(state, reason)
    _forget_page_state()
    _store(SignedOut(reason=reason))


def _switch_demo_user() -> None:
    chosen = st.session_state.get(keys.DEMO_USER)
    state = _state()
    current = state.identity.email if isinstance(state, SignedIn) else None
    if isinstance(chosen, str) and chosen != current:
        _sign_in(chosen, SANDBOX_PASSWORD)


def _workspace() -> workspace.Workspace:
    return workspace.open_workspace(_settings()[1])


def _first_state(config: ClientConfig, idle_seconds: float) -> SignInState:
    """A new session (a new tab, a reload, a pasted link): the browser's kept sign-in if
    its cookie names a live one. Else a real enterprise asks; so does the sandbox when the
    cookie names one that ended (signed out, idle), so a reload after Sign out never signs
    anyone in. A sandbox visitor without a cookie is signed in at once (it has no secret to
    protect), as the demo user the switcher was given, else the default one."""
    restored = stay_signed_in.restore(config, _workspace(), idle_seconds)
    if restored is not None:
        _store(SignedIn(restored))
        return SignedIn(restored)
    if stay_signed_in.cookie_reference() is not None and _workspace().keeps_sign_ins:
        return SignedOut(reason="ended")
    if not connect.is_sandbox(config):
        return SignedOut()
    preset = st.session_state.get(keys.DEMO_USER)
    email = preset if isinstance(preset, str) and preset in demo_users() else DEFAULT_DEMO_USER
    _sign_in(email, SANDBOX_PASSWORD)
    return _state() or SignedOut()


def _try_automatic_sign_in_again() -> None:
    """Forget the failed automatic sign-in, so the next run signs the same demo user in."""
    state = _state()
    if isinstance(state, SignedOut) and state.email in demo_users():
        st.session_state[keys.DEMO_USER] = state.email
    st.session_state.pop(keys.IDENTITY, None)


def _shared_state(config: ClientConfig) -> SignedIn:
    """The configured account everyone acts as (CONVERTR_SHARED_LOGIN)."""
    client = cached_api.shared_client(config)
    connection = cached_api.Connection(
        client=client, key=cached_api.config_key(config), config=config
    )
    try:
        user = cached_api.current_user(client, connection.key)
    except ConvertrError as error:
        st.sidebar.markdown(f"**Data source**  \n{escape_markdown(client.base_url_display)}")
        show_unreachable(connection, error)
        st.stop()
    return SignedIn(signin_session.identity_of(client, user, shared=True))


def _idle_seconds() -> float:
    last = st.session_state.get(keys.LAST_ACTIVITY)
    return time.time() - last if isinstance(last, int | float) else 0.0


def _state_for_this_run(settings: AccessSettings, config: ClientConfig) -> SignInState:
    """Who this run is for: after the idle timeout and renewing a token about to end."""
    if settings.shared_login:
        return _shared_state(config)
    idle_seconds = settings.idle_timeout_minutes * SECONDS_PER_MINUTE
    state = _state()
    if state is None:
        state = _first_state(config, idle_seconds)
        _store(state)
    elif isinstance(state, SignedIn | SessionExpired) and state.identity.signin_id is not None:
        # Kept for every tab: the database says whether it still is (a sign-out elsewhere,
        # the idle timeout counted over every tab).
        liveness = stay_signed_in.still_live(state.identity, _workspace(), idle_seconds)
        if liveness == "idle":
            email = state.identity.email
            _sign_out("idle")
            state = SignedOut(email=email, reason="idle")
            _store(state)
        elif liveness == "ended":
            _forget_page_state()
            state = SignedOut(email=state.identity.email, reason="ended")
            _store(state)
    elif (
        not isinstance(state, SignedOut)
        and _idle_seconds() > settings.idle_timeout_minutes * SECONDS_PER_MINUTE
    ):
        email = state.identity.email if isinstance(state, SignedIn | SessionExpired) else ""
        _sign_out("idle")
        state = SignedOut(email=email, reason="idle")
        _store(state)
    if isinstance(state, SignedIn):
        checked = signin_session.check(state)
        if isinstance(checked, SessionExpired) and stay_signed_in.reload_tokens(
            state.identity, _workspace()
        ):
            checked = signin_session.check(state)  # another replica renewed them
        if checked is not state:
            _store(checked)
        state = checked
    st.session_state[keys.LAST_ACTIVITY] = time.time()
    return state


def fragment_rerun() -> bool:
    """Whether this run is a fragment's own (a Lead tab switch), not a whole page's."""
    context = get_script_run_ctx()
    return context is not None and bool(context.fragment_ids_this_run)


def confirm_signed_in(session: Session) -> None:
    """In a fragment's own rerun (a Lead tab switch), the checks a page's run makes first:
    the idle timeout, a sign-out in another tab, the token's end. Unless the same person is
    still signed in, the whole page runs again (and shows the sign-in page, or the new
    person). A whole page's run has just made them: nothing is done twice."""
    if not fragment_rerun():
        return
    settings, config = _settings()
    state = _state_for_this_run(settings, config)
    if not isinstance(state, SignedIn) or state.identity != session.identity:
        st.rerun(scope="app")


def session_expired() -> None:
    """The token ended while the page was loading: ask for the password in its place (what
    the user was doing stays). A shared account renews itself, so there it is an error."""
    state = _state()
    if isinstance(state, SignedIn) and not state.identity.shared:
        _store(SessionExpired(identity=state.identity))
        st.rerun()


# -- drawing ---------------------------------------------------------------------------------


def _demo_user_switcher(identity: Identity) -> None:
    """The sandbox's switcher. Its value is the identity's, set anew on every run; choosing
    a user signs in as them (on_change), so a lost widget state changes nobody."""
    options = demo_users()
    if identity.email not in options:
        options = (identity.email, *options)
    st.session_state[keys.DEMO_USER] = identity.email
    st.sidebar.selectbox(
        "Demo user",
        options,
        key=keys.DEMO_USER,
        on_change=_switch_demo_user,
        help="The sandbox's users have different roles: switch to see what each may do.",
    )


def _sidebar(identity: Identity, config: ClientConfig) -> None:
    shown = sidebar_identity(identity)
    st.sidebar.markdown(f"**Data source**  \n{escape_markdown(shown.source)}")
    st.sidebar.markdown(
        f"**Signed in as**  \n{escape_markdown(shown.name)}  \n"
        f"{escape_markdown(shown.email)} · {escape_markdown(shown.role)}"
    )
    if shown.shared:
        st.sidebar.caption("A shared account (CONVERTR_SHARED_LOGIN): everyone acts as it.")
        return
    if connect.is_sandbox(config):
        _demo_user_switcher(identity)
    st.sidebar.button("Sign out", key=keys.SIGN_OUT, on_click=_sign_out, icon=":material/logout:")


def _navigation(session: Session) -> None:
    """Page links with their titles; Leads and Lead return to the last campaign and lead;
    the campaign's saved views under Leads; pinned and recent leads."""
    kept = _workspace()
    owner = saved_views.owner_of(session.identity)
    st.page_link(pages.CAMPAIGNS, label="Campaigns", icon=":material/campaign:")
    campaign = st.session_state.get(keys.LAST_CAMPAIGN)
    if campaign is not None:
        st.page_link(
            pages.LEADS,
            label="Leads",
            icon=":material/table_rows:",
            query_params=pages.leads_link_params(int(campaign)),
        )
        with st.container(key="frame-saved-views"):
            saved_views.sidebar_links(kept, owner, int(campaign))
    st.page_link(
        pages.AUDIT,
        label="Audit",
        icon=":material/fact_check:",
        query_params={} if campaign is None else {PARAM_CAMPAIGN: str(campaign)},
    )
    lead = st.session_state.get(keys.LAST_LEAD)
    if st.session_state.pop(keys.NO_LEAD_SHOWN, False):
        # The Lead page shows no lead: a link to the last one would be highlighted as the
        # page on show.
        lead = None
    if lead is not None:
        st.page_link(
            pages.LEAD,
            label=f"Lead {lead}",
            icon=":material/person_search:",
            query_params={PARAM_LEAD: str(lead)},
        )
    lead_marks.sidebar_list(kept, owner)
    _glossary()
    st.divider()


def _glossary() -> None:
    """The sidebar's help: the words of Convertr's trade the app uses (docs/glossary.md)."""
    with st.popover("Words used here", icon=":material/help:", width="stretch"):
        try:
            text = (PROJECT_ROOT / GLOSSARY_FILE).read_text(encoding="utf-8")
        except OSError:
            text = "\n\n".join(f"**{term}**: {words}" for term, words in GLOSSARY.items())
        # The file's own title would be a second h1 on the page.
        st.markdown(text.replace("# Glossary\n", "", 1).replace("\n## ", "\n#### "))


def _sign_in_page(state: SignInState, config: ClientConfig, settings: AccessSettings) -> None:
    """The sign-in form in the page body's place; the page and its query stay in the URL,
    so the page the link asked for is drawn as soon as someone is signed in."""
    _keep_page_state()
    source = connect.source_name(config)
    st.sidebar.markdown(f"**Data source**  \n{escape_markdown(source)}  \n\nNot signed in.")
    page_state = state if not isinstance(state, SignedIn) else SignedOut()
    signin.render(
        page_state,
        signin.SignInActions(
            submit_password=_submit_password,
            submit_code=_submit_code,
            start_over=_start_over,
            sign_in_as_demo_user=lambda email: _sign_in(email, SANDBOX_PASSWORD),
            try_again=_try_automatic_sign_in_again if connect.is_sandbox(config) else None,
        ),
        signin.SignInContext(
            source=source,
            zone=resolve_timezone(st.context.timezone),
            idle_minutes=settings.idle_timeout_minutes,
            demo_users=_demo_user_cards() if connect.is_sandbox(config) else (),
        ),
    )


def open_session() -> Session:
    """Who this run is for, with the sidebar; the sign-in page (and a stop) until someone is
    signed in. A configuration that cannot work is one banner saying what is wrong."""
    try:
        settings, config = _settings()
    except ConvertrError as error:
        widgets.error_banner("Lead Lens is not configured correctly.", error, icon=None)
        st.stop()
    state = _state_for_this_run(settings, config)
    if not isinstance(state, SignedIn):
        _sign_in_page(state, config, settings)
        st.stop()
    identity = state.identity
    _sidebar(identity, config)
    notice = workspace.not_saving_line(_workspace())
    if notice is not None:
        st.sidebar.caption(escape_markdown(notice))
    if identity.shared:
        st.info(shared_banner(identity), icon=":material/group:")
    zone_name = st.context.timezone
    zone = resolve_timezone(zone_name)
    # The zone's own key, not the browser's text: only a real IANA name reaches markdown.
    st.sidebar.caption(f"Times shown in {zone}.")
    return Session(
        connection=cached_api.connection_of(identity),
        user=identity.user,
        zone=zone,
        identity=identity,
    )


def show_unreachable(connection: cached_api.Connection, error: ConvertrError) -> None:
    """The one banner for an API that cannot be used: what failed and what was tried."""
    who = connection.config.username or connection.client.signed_in_as or "an API token"
    st.error(
        f"**Cannot load data from Convertr.** {escape_markdown(error.user_message)}  \n"
        f"Tried: `{connection.client.base_url_display.replace('`', '')}`, signed in as "
        f"`{who.replace('`', '')}`."
    )
    widgets.error_details(error)
    st.button("Try again", key=keys.RETRY_CONNECTION, icon=":material/refresh:")


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Show an API error as a banner and any other failure as a short message, so no
    traceback ever reaches the page. Streamlit's own rerun/stop signals pass through."""
    try:
        yield
    except (AuthError, AuthenticationError) as error:
        session_expired()  # reruns into the sign-in form unless this is a shared account
        widgets.error_banner(f"Could not load {what}.", error, icon=None)
    except ConvertrError as error:
        widgets.error_banner(f"Could not load {what}.", error, icon=None)
    except Exception:
        logger.exception("unexpected failure while rendering %s", what)
        st.error(
            f"**Something went wrong while showing {what}.** The problem was logged; "
            "reload the page to try again."
        )


def run_page(title: str, body: Callable[[Session], None]) -> None:
    """Configure the page, open the session (or show the sign-in page), run `body` guarded,
    record the request count."""
    configure_page(title)
    layout.fit_narrow_screens()
    st.sidebar.markdown(f"### {APP_NAME}")
    st.sidebar.caption("Convertr leads, one view.")
    go_to_lead.render()
    suggestions = st.sidebar.container()
    navigation = st.sidebar.container()
    inspector.start()
    session = open_session()
    with suggestions:
        lead_marks.suggestions(_workspace(), saved_views.owner_of(session.identity))
    try:
        with guarded(title.lower()):
            body(session)
    finally:
        # Filled last, so the links reflect the campaign and lead this run opened.
        with navigation:
            _navigation(session)
        # After the page: a new visitor's page is drawn before their cookie is written.
        stay_signed_in.write_cookie()
    stay_signed_in.cookie_sent()
    st.session_state[keys.REQUEST_COUNT] = session.client.request_count
    inspector.render(
        session.client,
        title,
        identity=session.connection.key,
        masked=sees_masked(session.user.role),
    )
