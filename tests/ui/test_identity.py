"""One identity per session, through AppTest on the sandbox: a new session is the analyst at
once; no widget state changes who the user is; two sessions as two people never share data
or cache entries; signing out (and idling) forgets the person; an expired token asks for the
password in place and keeps the pending edits; a refresh token renews without asking."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from lib.connect import SANDBOX_PASSWORD, demo_catalogue
from lib.convertr.session import SessionExpired, SignedIn, SignedOut
from lib.store.schema import signin_sessions
from lib.ui import keys, pages
from lib.ui.edit_tab import current_table_key
from lib.views.edit import COLUMN_VALUE
from lib.views.url_params import PARAM_LEAD
from tests.support.apptest import app_at, tab, texts
from tests.support.signin_fakes import Clock, SignInServer, serving_app_with

SHOWCASE = 100001
EXPIRES_IN = 3600
"""The sandbox's token lifetime (seconds)."""


@pytest.fixture
def server(writable_db: Path, monkeypatch: pytest.MonkeyPatch) -> SignInServer:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    return SignInServer(writable_db)


@pytest.fixture
def clock(server: SignInServer) -> Iterator[Clock]:
    """The app's clients on `server`, their token clock in the test's hands."""
    clock = Clock()
    with serving_app_with(server, clock):
        yield clock


def age_kept_sign_ins(idle_seconds: float) -> None:
    """Make every kept sign-in last used `idle_seconds` ago (as if no tab ran since)."""
    engine = sa.create_engine(os.environ["LEADLENS_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(signin_sessions.update().values(last_seen_at=time.time() - idle_seconds))
    engine.dispose()


def sidebar(at: Any) -> str:
    return texts(at.sidebar, unescaped=True)


def identity(at: Any) -> Any:
    return at.session_state[keys.IDENTITY]


def is_sign_in_page(at: Any) -> bool:
    return any(item.value == "Sign in to Lead Lens" for item in at.title)


def open_lead(user: str | None = None) -> Any:
    at = app_at(pages.LEAD, lead=str(SHOWCASE))
    if user is not None:
        at.session_state[keys.DEMO_USER] = user
    at.run()
    assert not at.exception
    return at


def edit_company(at: Any, value: str) -> None:
    frame: pd.DataFrame = tab(at, "Edit Data").dataframe[0].value
    rows = list(frame.index)
    at.session_state[current_table_key(at.session_state, SHOWCASE)] = {
        "edited_rows": {rows.index("company"): {COLUMN_VALUE: value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception


def test_a_new_sandbox_session_is_the_analyst_at_once() -> None:
    at = app_at().run()
    assert not at.exception and not is_sign_in_page(at)
    assert "Ana Lyst" in sidebar(at) and "Analyst" in sidebar(at)
    assert at.selectbox(key=keys.DEMO_USER).value == "analyst@sandbox.test"


def test_the_switcher_shows_the_identity_and_its_lost_state_changes_nobody() -> None:
    """The drift seen in Chromium: the switcher's widget value went astray between pages.
    Now only its on_change signs in; its value is drawn from the identity."""
    at = app_at().run()
    at.selectbox(key=keys.DEMO_USER).select("masked@sandbox.test").run()
    assert "Max Masked" in sidebar(at)
    for page, query in ((pages.LEADS, {"campaign": "1"}), (pages.LEAD, {"lead": "100001"})):
        # A page switch in the browser may bring a stale or missing widget value.
        at.session_state[keys.DEMO_USER] = "admin@sandbox.test"
        at.switch_page(page)
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        assert not at.exception
        assert "Max Masked" in sidebar(at) and "Ada Admin" not in sidebar(at)
        assert at.selectbox(key=keys.DEMO_USER).value == "masked@sandbox.test"
    assert "cannot see provider logs" in texts(tab(at, "Provider Logs"))


def _payloads(element: Any) -> list[str]:
    """The provider answers a tab shows (code blocks drawn by st.html)."""
    return [html.proto.body for html in element.get("html") if "lead-payload" in html.proto.body]


def test_two_sessions_as_two_people_never_share_data_or_cache_entries() -> None:
    analyst = open_lead("analyst@sandbox.test")
    masked = open_lead("masked@sandbox.test")
    assert _payloads(tab(analyst, "Provider Logs")), "the analyst reads provider logs"
    assert "cannot see provider logs" in texts(tab(masked, "Provider Logs"))
    assert not _payloads(tab(masked, "Provider Logs")), "not served the analyst's dossier"
    assert masked.session_state[keys.REQUEST_COUNT] > 0, "the masked user's own load"
    first, second = identity(analyst).identity, identity(masked).identity
    assert first.cache_key != second.cache_key
    assert f"user:{first.user.id}|" in first.cache_key
    assert f"user:{second.user.id}|" in second.cache_key


def test_the_same_persons_next_session_reuses_their_data_and_another_persons_does_not() -> None:
    """A second browser session (a new tab, a link from a ticket) of the same person at the
    same source reuses the dossier they loaded; another person's session loads its own."""
    first = open_lead("analyst@sandbox.test")
    assert _payloads(tab(first, "Provider Logs"))
    again = open_lead("analyst@sandbox.test")
    assert identity(again).identity.cache_key == identity(first).identity.cache_key
    dossier = "/api/v4/leads/" + str(SHOWCASE)
    sent_by_first = max(record.seq for record in _records(first))
    sent_again = [record.path for record in _records(again) if record.seq > sent_by_first]
    assert dossier not in sent_again, "the dossier reused"
    assert _payloads(tab(again, "Provider Logs")), "and shown whole"
    other = open_lead("viewer@sandbox.test")
    assert identity(other).identity.cache_key != identity(first).identity.cache_key
    assert dossier in _sent_paths(other), "another person loads their own"


def test_the_same_persons_next_session_shows_the_cached_dossiers_requests_and_waterfall() -> None:
    """The inspector of a session whose dossier came from the person's cache (loaded by their
    other session) still lists the dossier's requests, as answered from the cache, and draws
    their waterfall."""
    first = open_lead("analyst@sandbox.test")
    sent_by_first = max(record.seq for record in _records(first))
    again = open_lead("analyst@sandbox.test")
    again.session_state[keys.INSPECTOR_EXPANDER] = True
    again.run()
    inspector = next(item for item in again.expander if item.label == "Request inspector")
    frame = inspector.dataframe[0].value
    assert {"1", "2", "3"} <= set(frame["Wave"]), "the dossier's waves"
    assert inspector.get("plotly_chart"), "its waterfall"
    own = [record for record in _records(again) if record.seq > sent_by_first]
    assert "/api/v4/leads/" + str(SHOWCASE) not in [record.path for record in own]


def _records(at: Any) -> list[Any]:
    """The requests of this session's views (the request inspector's record of them)."""
    views = at.session_state[keys.INSPECTOR_VIEWS]
    return [record for records in views.values() for record in records]


def _sent_paths(at: Any) -> list[str]:
    return [record.path for record in _records(at)]


def test_signing_out_forgets_the_person_and_offers_every_demo_user(
    clock: Clock, server: SignInServer
) -> None:
    at = open_lead()
    edit_company(at, "Harbourline")
    assert at.session_state[keys.edit_pending(SHOWCASE)]
    at.button(key=keys.SIGN_OUT).click().run()
    assert not at.exception
    assert is_sign_in_page(at) and "You are signed out." in texts(at.main)
    assert server.logouts == 1, "the server is told"
    assert keys.edit_pending(SHOWCASE) not in at.session_state, "nothing of theirs is left"
    assert keys.LAST_LEAD not in at.session_state
    assert isinstance(identity(at), SignedOut)
    assert "Not signed in" in sidebar(at)
    for email in demo_catalogue().emails:
        assert at.button(key=keys.signin_demo_user(email))
    at.button(key=keys.signin_demo_user("viewer@sandbox.test")).click().run()
    assert not at.exception and not is_sign_in_page(at)
    assert "Vic Viewer" in sidebar(at)
    assert tab(at, "Edit Data"), "back on the lead the URL names"


def test_the_sign_in_form_signs_in_a_demo_user_as_an_enterprise_does(clock: Clock) -> None:
    at = app_at().run()
    at.button(key=keys.SIGN_OUT).click().run()
    at.text_input(key=keys.SIGNIN_EMAIL).input("admin@sandbox.test")
    at.text_input(key=keys.SIGNIN_PASSWORD).input(SANDBOX_PASSWORD)
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert not at.exception
    assert "Ada Admin" in sidebar(at)


@pytest.mark.parametrize(("setting", "idle_minutes"), [(None, 31), ("5", 6)])
def test_idling_signs_out(
    clock: Clock,
    server: SignInServer,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    idle_minutes: int,
) -> None:
    if setting is not None:
        monkeypatch.setenv("CONVERTR_IDLE_TIMEOUT_MINUTES", setting)
    at = open_lead()
    # The idle time of the browser's kept sign-in, over all its tabs: its last use.
    age_kept_sign_ins((idle_minutes - 2) * 60)
    at.run()
    assert not is_sign_in_page(at), "not idle long enough yet"
    age_kept_sign_ins(idle_minutes * 60)
    at.run()
    assert not at.exception
    assert is_sign_in_page(at)
    minutes = setting or "30"
    assert f"You were signed out after {minutes} minutes without activity." in texts(at.main)
    assert server.logouts == 1
    assert keys.LAST_LEAD not in at.session_state


def test_an_expired_token_asks_for_the_password_in_place_and_keeps_pending_edits(
    clock: Clock, server: SignInServer
) -> None:
    at = open_lead()
    edit_company(at, "Harbourline")
    pending = at.session_state[keys.edit_pending(SHOWCASE)]
    clock.now += EXPIRES_IN + 1  # no refresh grant here: the renewal is refused
    at.run()
    assert not at.exception
    assert isinstance(identity(at), SessionExpired)
    assert "Your Convertr session has expired" in texts(at.main)
    assert not at.tabs, "the form stands in for the page"
    assert at.session_state[keys.edit_pending(SHOWCASE)] == pending
    assert "analyst@sandbox.test" in texts(at.main, unescaped=True), "who must sign in again"

    at.text_input(key=keys.SIGNIN_PASSWORD).input("wrong-password-9").run()
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert isinstance(identity(at), SessionExpired), "a wrong password changes nothing"
    at.text_input(key=keys.SIGNIN_PASSWORD).input(SANDBOX_PASSWORD)
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert not at.exception
    assert isinstance(identity(at), SignedIn)
    assert at.query_params[PARAM_LEAD] == str(SHOWCASE), "the same lead"
    assert "Company: Harbourline Analytics Ltd → Harbourline" in texts(
        tab(at, "Edit Data"), unescaped=True
    ), "the pending edit is still there to review and save"


def test_an_expired_session_keeps_the_leads_filters(clock: Clock) -> None:
    at = app_at(pages.LEADS, campaign="1").run()
    at.text_input(key=keys.LEADS_SEARCH).input("example").run()
    assert not at.exception
    clock.now += EXPIRES_IN + 1
    at.run()
    assert isinstance(identity(at), SessionExpired)
    at.run()  # a second run without the page: widget values still kept
    at.text_input(key=keys.SIGNIN_PASSWORD).input(SANDBOX_PASSWORD)
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert not at.exception
    assert at.text_input(key=keys.LEADS_SEARCH).value == "example"


def test_a_refresh_token_renews_the_session_without_asking(
    clock: Clock, server: SignInServer
) -> None:
    server.refresh_works = True
    at = open_lead()
    before = identity(at).identity
    clock.now += EXPIRES_IN - 30  # inside the renewal margin
    at.run()
    assert not at.exception and not is_sign_in_page(at)
    renewal = server.logins[-1]
    assert renewal.get("grant_type") == "refresh_token" and "password" not in renewal
    assert identity(at).identity == before, "the same identity, the same cache entries"
