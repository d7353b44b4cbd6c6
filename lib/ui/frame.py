"""The frame every page shares: page config, sidebar (data source, user, demo-user switch),
and the guard that turns any failure into one clear message instead of a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from typing import Final

import streamlit as st

from lib.convertr import ConvertrClient
from lib.convertr.constants import SANDBOX_DEFAULT_USERNAME
from lib.convertr.errors import ConvertrError
from lib.convertr.models import User
from lib.presentation import escape_markdown, resolve_timezone, role_label
from lib.ui import cached_api, go_to_lead, keys, layout, pages

logger = logging.getLogger(__name__)

APP_NAME: Final = "Lead Lens"
APP_ICON: Final = "🔎"
DEFAULT_DEMO_USER: Final = SANDBOX_DEFAULT_USERNAME


@dataclass(frozen=True)
class Session:
    """What a page body needs: the connection, the signed-in user and the viewer's zone."""

    connection: cached_api.Connection
    user: User
    zone: tzinfo

    @property
    def client(self) -> ConvertrClient:
        return self.connection.client


def configure_page(title: str) -> None:
    """Wide layout, the page's title in the browser tab. Call first on every page."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=APP_ICON, layout="wide")


def _remember_demo_user() -> None:
    st.session_state[keys.DEMO_USER_CHOICE] = st.session_state[keys.DEMO_USER]


def demo_users() -> tuple[str, ...]:
    """The sandbox's demo users (its catalogue), in the order the switcher lists them."""
    # Imported here, as the client does, so a real enterprise's app never loads the sandbox.
    from lib.sandbox.demo import DEMO_USERS

    return tuple(email for email, _role, _name in DEMO_USERS)


def _demo_user_switcher() -> str:
    chosen = st.session_state.get(keys.DEMO_USER_CHOICE, DEFAULT_DEMO_USER)
    if keys.DEMO_USER not in st.session_state:
        st.session_state[keys.DEMO_USER] = chosen
    selected: str = st.sidebar.selectbox(
        "Demo user",
        demo_users(),
        key=keys.DEMO_USER,
        on_change=_remember_demo_user,
        help="The sandbox's users have different roles: switch to see what each may do.",
    )
    return selected


def _navigation() -> None:
    """Page links with their titles; Leads and Lead return to the last campaign and lead."""
    st.page_link(pages.CAMPAIGNS, label="Campaigns", icon=":material/campaign:")
    campaign = st.session_state.get(keys.LAST_CAMPAIGN)
    if campaign is not None:
        st.page_link(
            pages.LEADS,
            label="Leads",
            icon=":material/table_rows:",
            query_params={keys.PARAM_CAMPAIGN: str(campaign)},
        )
    lead = st.session_state.get(keys.LAST_LEAD)
    if lead is not None:
        st.page_link(
            pages.LEAD,
            label=f"Lead {lead}",
            icon=":material/person_search:",
            query_params={keys.PARAM_LEAD: str(lead)},
        )
    st.divider()


def _is_sandbox_configured() -> bool:
    try:
        return cached_api.resolve_config(None).is_sandbox
    except ConvertrError:
        return False


def open_session() -> Session:
    """Draw the sidebar and sign in. On failure show one banner with what was tried and
    stop the page."""
    demo_user = _demo_user_switcher() if _is_sandbox_configured() else None
    try:
        connection = cached_api.connect(demo_user)
    except ConvertrError as error:
        st.error(
            f"**Lead Lens is not configured correctly.** {escape_markdown(error.user_message)}"
        )
        st.caption(f"Details: {escape_markdown(str(error))}")
        st.stop()
    source = connection.client.base_url_display
    st.sidebar.markdown(f"**Data source**  \n{escape_markdown(source)}")
    try:
        user = cached_api.current_user(connection.client, connection.key)
    except ConvertrError as error:
        show_unreachable(connection, error)
        st.stop()
    role = escape_markdown(role_label(user.role))
    st.sidebar.markdown(
        f"**Signed in as**  \n{escape_markdown(user.name)}  \n"
        f"{escape_markdown(user.email)} · {role}"
    )
    zone_name = st.context.timezone
    zone = resolve_timezone(zone_name)
    # The zone's own key, not the browser's text: only a real IANA name reaches markdown.
    st.sidebar.caption(f"Times shown in {zone}.")
    return Session(connection=connection, user=user, zone=zone)


def show_unreachable(connection: cached_api.Connection, error: ConvertrError) -> None:
    """The one banner for an API that cannot be used: what failed and what was tried."""
    who = connection.config.username or "an API token"
    st.error(
        f"**Cannot load data from Convertr.** {escape_markdown(error.user_message)}  \n"
        f"Tried: `{connection.client.base_url_display.replace('`', '')}`, signed in as "
        f"`{who.replace('`', '')}`."
    )
    st.caption(f"Details: {escape_markdown(str(error))}")
    st.button("Try again", key=keys.RETRY_CONNECTION, icon=":material/refresh:")


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Show an API error as a banner and any other failure as a short message, so no
    traceback ever reaches the page. Streamlit's own rerun/stop signals pass through."""
    try:
        yield
    except ConvertrError as error:
        st.error(f"**Could not load {what}.** {escape_markdown(error.user_message)}")
        st.caption(f"Details: {escape_markdown(str(error))}")
    except Exception:
        logger.exception("unexpected failure while rendering %s", what)
        st.error(
            f"**Something went wrong while showing {what}.** The problem was logged; "
            "reload the page to try again."
        )


def run_page(title: str, body: Callable[[Session], None]) -> None:
    """Configure the page, open the session, run `body` guarded, record the request count."""
    configure_page(title)
    layout.fit_narrow_screens()
    st.sidebar.markdown(f"### {APP_NAME}")
    st.sidebar.caption("Convertr leads, one view.")
    go_to_lead.render()
    navigation = st.sidebar.container()
    try:
        session = open_session()
        with guarded(title.lower()):
            body(session)
    finally:
        # Filled last, so the links reflect the campaign and lead this run opened.
        with navigation:
            _navigation()
    request_counter = st.sidebar.empty()
    count = session.client.request_count
    st.session_state[keys.REQUEST_COUNT] = count
    request_counter.caption(f"API requests since start: {count:,}")
