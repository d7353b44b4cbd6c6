"""The sign-in page through AppTest, as a visitor of a real enterprise meets it: a deep link
asks for sign-in and then lands on its lead; one clear line for a wrong password, an expired
password, a throttled account, an unreachable server and a wrong MFA code; the password
never kept; the configured account used only with CONVERTR_SHARED_LOGIN, and then named on
every page; no password, token or code in the page, the URL or the logs.

The enterprise is the sandbox behind `SignInServer` (MFA, expired and throttled answers as
documented), served at an enterprise URL, so the app runs in its per-visitor mode.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib.connect import SANDBOX_PASSWORD
from lib.ui import keys, pages
from lib.views.identity import WRONG_CODE, WRONG_PASSWORD
from lib.views.url_params import PARAM_CAMPAIGN, PARAM_LEAD
from tests.support.apptest import app_at, tab, texts
from tests.support.signin_fakes import (
    ENTERPRISE_URL,
    EXPIRED_USER,
    MFA_CODE,
    MFA_TOKEN,
    MFA_USER,
    THROTTLED_USER,
    SignInServer,
    serving_app_with,
)

SHOWCASE = "100001"
ANALYST = "analyst@sandbox.test"
WRONG = "not-the-Password-42"
SIGN_IN_TITLE = "Sign in to Lead Lens"


@pytest.fixture
def server(ui_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignInServer]:
    """The app pointed at an enterprise (each visitor signs in) served by the sandbox."""
    monkeypatch.setenv("CONVERTR_BASE_URL", ENTERPRISE_URL)
    server = SignInServer(ui_env)
    with serving_app_with(server):
        yield server


def page_text(at: Any) -> str:
    """Everything the page shows, the sidebar and the inputs' values included."""
    inputs = " ".join(str(item.value) for item in at.text_input)
    shown = [texts(at.main, unescaped=True), texts(at.sidebar, unescaped=True)]
    return "\n".join([*shown, *(str(item.value) for item in at.title), inputs])


def is_sign_in_page(at: Any) -> bool:
    return any(item.value == SIGN_IN_TITLE for item in at.title)


def sign_in(at: Any, email: str, password: str) -> Any:
    at.text_input(key=keys.SIGNIN_EMAIL).input(email)
    at.text_input(key=keys.SIGNIN_PASSWORD).input(password)
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert not at.exception
    return at


def enter_code(at: Any, code: str) -> Any:
    at.text_input(key=keys.SIGNIN_CODE).input(code)
    at.button(key=keys.SIGNIN_CODE_SUBMIT).click().run()
    assert not at.exception
    return at


def error_lines(at: Any) -> list[str]:
    return [str(item.value) for item in at.main.error]


def test_a_deep_link_asks_to_sign_in_then_lands_on_its_lead(server: SignInServer) -> None:
    at = app_at(pages.LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert is_sign_in_page(at)
    assert not at.tabs, "nothing of the lead before signing in"
    assert server.paths == [], "nothing is asked of the API before someone signs in"
    assert "Not signed in" in texts(at.sidebar)

    sign_in(at, ANALYST, SANDBOX_PASSWORD)
    assert not is_sign_in_page(at)
    assert tab(at, "Edit Data"), "the Lead page the link asked for"
    assert SHOWCASE in texts(at.main)
    assert at.query_params[PARAM_LEAD] == SHOWCASE
    sidebar = texts(at.sidebar, unescaped=True)
    assert "Ana Lyst" in sidebar and "Analyst" in sidebar and ENTERPRISE_URL in sidebar
    assert at.button(key=keys.SIGN_OUT), "a visitor can sign out"
    assert not [box for box in at.selectbox if box.key == keys.DEMO_USER], (
        "no demo-user switcher at an enterprise"
    )


def test_a_deep_link_to_the_leads_page_keeps_its_campaign(server: SignInServer) -> None:
    at = app_at(pages.LEADS, campaign="1").run()
    assert is_sign_in_page(at)
    sign_in(at, ANALYST, SANDBOX_PASSWORD)
    assert at.query_params[PARAM_CAMPAIGN] == "1"
    assert at.dataframe, "the campaign's leads"


def test_a_wrong_password_is_one_line_and_clears_only_the_password(
    server: SignInServer,
) -> None:
    at = app_at().run()
    sign_in(at, ANALYST, WRONG)
    assert error_lines(at) == [WRONG_PASSWORD]
    assert at.text_input(key=keys.SIGNIN_PASSWORD).value == ""
    assert at.text_input(key=keys.SIGNIN_EMAIL).value == ANALYST, "the email is kept"
    sign_in(at, ANALYST, SANDBOX_PASSWORD)
    assert not is_sign_in_page(at) and not error_lines(at)


def test_an_empty_form_says_what_is_missing(server: SignInServer) -> None:
    at = app_at().run()
    at.text_input(key=keys.SIGNIN_EMAIL).input(ANALYST)
    at.button(key=keys.SIGNIN_SUBMIT).click().run()
    assert error_lines(at) == ["Enter your email and your password."]
    assert server.logins == [], "nothing is sent"


def test_an_expired_password_says_to_change_it(server: SignInServer) -> None:
    at = app_at().run()
    sign_in(at, EXPIRED_USER, SANDBOX_PASSWORD)
    (line,) = error_lines(at)
    assert "password has expired" in line and "change it on the Convertr platform" in line
    assert is_sign_in_page(at)


def test_a_throttled_account_says_when_to_try_again(server: SignInServer) -> None:
    at = app_at().run()
    sign_in(at, THROTTLED_USER, WRONG)
    (line,) = error_lines(at)
    assert "Too many failed sign-ins" in line and "try again in 5 minutes (at " in line
    assert at.text_input(key=keys.SIGNIN_PASSWORD).value == ""


def test_an_unreachable_server_is_one_line(ui_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERTR_BASE_URL", "http://127.0.0.1:9")
    at = app_at().run()
    sign_in(at, ANALYST, WRONG)
    (line,) = error_lines(at)
    assert line.startswith("Could not reach Convertr at http://127.0.0.1:9")
    assert WRONG not in page_text(at)


def test_mfa_a_wrong_code_then_the_right_one(server: SignInServer) -> None:
    at = app_at(pages.LEAD, lead=SHOWCASE).run()
    sign_in(at, MFA_USER, SANDBOX_PASSWORD)
    assert at.text_input(key=keys.SIGNIN_CODE), "the second step asks for the code"
    assert MFA_USER in texts(at.main, unescaped=True)
    enter_code(at, "000000")
    assert error_lines(at) == [WRONG_CODE]
    assert at.text_input(key=keys.SIGNIN_CODE).value == "", "the wrong code is cleared"
    enter_code(at, MFA_CODE)
    assert not is_sign_in_page(at)
    assert tab(at, "Edit Data"), "the lead the link asked for"
    assert "Analyst" in texts(at.sidebar)
    second = server.logins[-1]
    assert second["mfa_token"] == MFA_TOKEN and second["mfa_code"] == MFA_CODE


def test_mfa_start_over_goes_back_to_the_password(server: SignInServer) -> None:
    at = app_at().run()
    sign_in(at, MFA_USER, SANDBOX_PASSWORD)
    at.button(key=keys.SIGNIN_START_OVER).click().run()
    assert at.text_input(key=keys.SIGNIN_PASSWORD)
    assert at.text_input(key=keys.SIGNIN_EMAIL).value == MFA_USER


def test_configured_credentials_are_not_everyones_without_shared_login(
    server: SignInServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVERTR_USERNAME", "admin@sandbox.test")
    monkeypatch.setenv("CONVERTR_PASSWORD", SANDBOX_PASSWORD)
    at = app_at(pages.LEAD, lead=SHOWCASE).run()
    assert is_sign_in_page(at)
    assert server.logins == [], "the configured account is never signed in for a visitor"


def test_a_shared_login_says_so_on_every_page(
    server: SignInServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVERTR_USERNAME", "admin@sandbox.test")
    monkeypatch.setenv("CONVERTR_PASSWORD", SANDBOX_PASSWORD)
    monkeypatch.setenv("CONVERTR_SHARED_LOGIN", "true")
    for page, query in (
        (None, {}),
        (pages.LEADS, {"campaign": "1"}),
        (pages.LEAD, {"lead": SHOWCASE}),
    ):
        at = app_at(page, **query).run()
        assert not at.exception
        assert not is_sign_in_page(at)
        (banner,) = [item.value for item in at.info if "Shared account" in item.value]
        assert "everyone using this dashboard acts as Ada Admin (admin@sandbox.test, Admin)" in (
            banner
        )
        assert (
            not at.button(key=keys.SIGN_OUT)
            if False
            else all(button.key != keys.SIGN_OUT for button in at.button)
        ), "nobody signs a shared account out"
    assert len(server.logins) == 1, "one sign-in for everyone"


def test_no_password_token_or_code_in_the_page_the_url_or_the_logs(
    server: SignInServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    at = app_at(pages.LEAD, lead=SHOWCASE).run()

    def look() -> None:
        shown.append(page_text(at))
        shown.append(repr(dict(at.query_params)))

    sign_in(at, MFA_USER, WRONG)
    look()
    sign_in(at, MFA_USER, SANDBOX_PASSWORD)
    look()
    enter_code(at, "654321")
    look()
    enter_code(at, MFA_CODE)
    look()
    at.button(key=keys.SIGN_OUT).click().run()
    look()
    shown.extend(server.paths)
    shown.append(caplog.text)
    # The demo password is the word "sandbox", in every demo address: the typed wrong
    # password, which goes through the same field and code path, stands in for it.
    secrets = [WRONG, MFA_CODE, "654321", MFA_TOKEN, *server.issued]
    assert len(server.issued) >= 2, "a token and a refresh token were handed out"
    leaked = sorted({secret for secret in secrets for text in shown if secret in text})
    assert leaked == []
    assert is_sign_in_page(at), "signed out at the end"
