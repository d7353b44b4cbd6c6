"""A workspace that lasts, in headless Chromium: the MFA user signs in once and a new tab and
a reload need no second sign-in; a sign-out in one tab shows the other the sign-in page at
its next run; the cookie holds a random reference, SameSite=Strict, for the app's path. In
the sandbox, the chosen (masked) user survives a reload, a pasted link and a new tab, and
after Sign out a reload shows the sign-in page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pytest

from lib.connect import SANDBOX_PASSWORD
from lib.ui.stay_signed_in import COOKIE_NAME
from tests.browser.test_identity_browser import (
    SIGN_IN_TITLE,
    enterprise,  # noqa: F401 (the fixture)
    fill_sign_in,
    sidebar,
)
from tests.support.browser import RENDER_TIMEOUT_MS, click_tab, open_app, rerun, settle
from tests.support.signin_fakes import MFA_CODE, MFA_STANDS_IN_FOR, MFA_USER, SignInServer

pytestmark = pytest.mark.browser

LEAD: Final = "100001"


def wait_for_sign_in_page(page: Any) -> None:
    page.get_by_role("heading", name=SIGN_IN_TITLE).first.wait_for(timeout=RENDER_TIMEOUT_MS)


def wait_for_lead(page: Any) -> None:
    page.get_by_role("heading", name=f"Lead {LEAD}").first.wait_for(timeout=RENDER_TIMEOUT_MS)


def kept_cookie(page: Any) -> dict[str, Any]:
    """The sign-in cookie, once the browser has it (written after the sign-in's run)."""
    page.wait_for_function(
        f"() => document.cookie.includes('{COOKIE_NAME}=')", timeout=RENDER_TIMEOUT_MS
    )
    (cookie,) = [item for item in page.context.cookies() if item["name"] == COOKIE_NAME]
    return dict(cookie)


def test_one_mfa_sign_in_serves_every_tab_until_one_signs_out(
    new_page: Callable[[], Any],
    enterprise: tuple[str, SignInServer],  # noqa: F811
) -> None:
    url, api = enterprise
    first = new_page()
    open_app(first, f"{url}/Leads?campaign=1")
    fill_sign_in(first, MFA_USER, SANDBOX_PASSWORD)
    first.get_by_label("Code").fill(MFA_CODE)
    with rerun(first):
        first.get_by_role("button", name="Verify").click()
    first.get_by_role("heading", name="Leads").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    logins = len(api.logins)
    assert MFA_STANDS_IN_FOR in sidebar(first).inner_text()  # the fake's MFA account

    cookie = kept_cookie(first)
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"], "served over HTTP here: Secure only over HTTPS"
    assert len(cookie["value"]) >= 40, "a random reference"
    assert MFA_USER not in cookie["value"]

    second = first.context.new_page()  # a new tab of the same browser, on a lead link
    open_app(second, f"{url}/Lead?lead={LEAD}")
    wait_for_lead(second)
    assert MFA_STANDS_IN_FOR in sidebar(second).inner_text()
    second.reload()
    settle(second)
    wait_for_lead(second)
    assert MFA_STANDS_IN_FOR in sidebar(second).inner_text()
    assert len(api.logins) == logins, "no second sign-in, no second code"
    for shown in (second.url, second.locator("body").inner_text()):
        assert cookie["value"] not in shown

    with rerun(first):
        sidebar(first).get_by_role("button", name="Sign out").click()
    wait_for_sign_in_page(first)

    # The other tab's next run (here: its sidebar's Campaigns link) asks to sign in.
    with rerun(second):
        sidebar(second).get_by_text("Campaigns", exact=True).click()
    wait_for_sign_in_page(second)
    second.get_by_text("You were signed out (in another tab").first.wait_for(
        timeout=RENDER_TIMEOUT_MS
    )
    second.reload()
    settle(second)
    wait_for_sign_in_page(second)


def test_a_new_visitor_s_first_page_runs_once_and_keeps_the_sign_in(
    new_page: Callable[[], Any], app_url: str
) -> None:
    """A sandbox visitor without a cookie (a lead link from a ticket): the page is signed in,
    drawn and its cookie written in one script run; a confirmation of the cookie used to
    rerun the whole page, mid-page, on every new visitor's first load."""
    page = new_page()
    open_app(page, f"{app_url}/Lead?lead={LEAD}")
    wait_for_lead(page)
    kept_cookie(page)  # written by the page's JavaScript, which asks for no run after
    settle(page)
    runs = page.evaluate(
        "({asked: window.__leadLensProbe.runsAsked, started: window.__leadLensProbe.runsStarted})"
    )
    assert runs == {"asked": 1, "started": 1}, "the page's first run only"
    other = page.context.new_page()  # the kept sign-in serves a new tab: one run there too
    open_app(other, f"{app_url}/Leads?campaign=1")
    assert "Ana Lyst" in sidebar(other).inner_text()
    assert other.evaluate("window.__leadLensProbe.runsStarted") == 1


def test_the_chosen_demo_user_survives_reload_link_and_new_tab_until_sign_out(
    new_page: Callable[[], Any], app_url: str
) -> None:
    page = new_page()
    open_app(page, app_url)
    with rerun(page):
        sidebar(page).get_by_role("button", name="Sign out").click()
    wait_for_sign_in_page(page)
    with rerun(page):
        page.get_by_role("button", name="Max Masked", exact=False).first.click()
    kept_cookie(page)

    def is_masked(tab: Any) -> None:
        sidebar(tab).get_by_text("masked@sandbox.test", exact=False).first.wait_for(
            timeout=RENDER_TIMEOUT_MS
        )

    is_masked(page)
    page.reload()
    settle(page)
    is_masked(page)
    page.goto(f"{app_url}/Lead?lead={LEAD}")  # a pasted lead link
    settle(page)
    wait_for_lead(page)
    is_masked(page)
    click_tab(page, "Provider Logs")
    page.get_by_text("cannot see provider logs").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    other = page.context.new_page()
    open_app(other, f"{app_url}/Leads?campaign=1")
    is_masked(other)

    with rerun(page):
        sidebar(page).get_by_role("button", name="Sign out").click()
    wait_for_sign_in_page(page)
    page.reload()
    settle(page)
    wait_for_sign_in_page(page)
    assert "Ana Lyst" not in sidebar(page).inner_text(), "not the analyst after a reload"


def test_a_shared_view_round_trips_through_its_link_in_a_fresh_browser(
    new_page: Callable[[], Any], app_url: str
) -> None:
    page = new_page()
    open_app(page, f"{app_url}/Leads?campaign=1&q=example&status=Invalid")
    page.get_by_role("button", name="Save view").click()
    page.get_by_label("Name", exact=True).fill("Invalid examples")
    page.get_by_text("Share with everyone who uses this Convertr").click()
    with rerun(page):
        page.get_by_role("button", name="Save as a new view").click()
    page.get_by_text("Saved the view 'Invalid examples' (shared).").first.wait_for(
        timeout=RENDER_TIMEOUT_MS
    )
    page.get_by_role("button", name="Manage view").click()
    code = page.locator('[data-testid="stCode"]').filter(has_text="view=").first
    code.wait_for(timeout=RENDER_TIMEOUT_MS)
    link = code.inner_text().strip()
    assert link.startswith(f"{app_url}/Leads?campaign=1&view=")
    assert "example" not in link, "the link names the view, not its settings"

    fresh = new_page()  # another browser: no cookie, no session
    open_app(fresh, app_url)
    with rerun(fresh):
        sidebar(fresh).get_by_role("button", name="Sign out").click()
    wait_for_sign_in_page(fresh)
    with rerun(fresh):
        fresh.get_by_role("button", name="Ada Admin", exact=False).first.click()
    # The sign-in lasts into the next page load only once the browser holds its cookie.
    sidebar(fresh).get_by_text("admin@sandbox.test").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    kept_cookie(fresh)
    open_app(fresh, link)
    fresh.get_by_role("heading", name="Leads").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert fresh.get_by_label("Search").input_value() == "example"
    assert "status=Invalid" in fresh.url and "q=example" in fresh.url
    assert "admin@sandbox.test" in sidebar(fresh).inner_text()
