"""The dashboard in headless Chromium: deep links, tabs, hostile values, CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lib.ui.lead_page import MAP_ALT
from lib.views.lead import LEAD_TABS
from tests.support.browser import (
    click_grid,
    click_tab,
    open_app,
    rerun,
    settle,
    visible_panel,
    wait_for_open_tab,
)

TAB_CONTENT = {
    "Profile": "Publisher Data",
    "Associated Campaigns": "Leads per week on these campaigns",
    "Job Details": "Not run",
    "Processr Logs": "Download CSV",
    "Provider Logs": "provider answers",
    "Notes": "Download CSV",
}


@pytest.fixture(scope="module")
def showcase(new_tab: Callable[[], Any], app_url: str) -> Any:
    """Lead 100001 opened by a deep link on the module's freshly started server."""
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001")
    return page


LINKS_OUT_OF_THE_APP = """
() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] a[href]')]
  .map((link) => link.href)
  .filter((href) => !href.startsWith(window.location.origin + '/'))
"""
"""Every link in Markdown text that leaves the app (mailto:, another site): the app writes
none, so each was made from a value. (The profile's social buttons are the app's own.)"""


@pytest.fixture(scope="module")
def hostile(new_tab: Callable[[], Any], app_url: str) -> tuple[Any, list[str]]:
    """Lead 100002 (script, img onerror, formula values) with every dialog recorded."""
    page = new_tab()
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    open_app(page, f"{app_url}/Lead?lead=100002")
    return page, dialogs


def test_deep_link_opens_the_lead_on_a_fresh_server(showcase: Any) -> None:
    assert showcase.get_by_role("heading", name="Lead 100001").is_visible()
    assert showcase.get_by_text("Lead Profile").is_visible()
    tabs = showcase.get_by_role("tab").all_inner_texts()
    assert [text.strip() for text in tabs] == list(LEAD_TABS)


def test_each_tab_shows_its_content(showcase: Any) -> None:
    for name in LEAD_TABS:
        click_tab(showcase, name)
        panel = visible_panel(showcase)
        assert panel.count() == 1
        text = panel.inner_text()
        expected = TAB_CONTENT.get(name)
        if expected:
            assert expected in text, name
        assert "Could not load" not in text, name
        assert "Something went wrong" not in text, name


def open_tab_name(page: Any) -> str:
    return str(page.locator('[role="tab"][aria-selected="true"]').inner_text()).strip()


def tab_param(page: Any) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("tab", [])


def test_the_open_tab_is_in_the_url_through_a_reload_and_a_new_tab(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001")
    assert tab_param(page) == []
    click_tab(page, "Job Details")
    assert tab_param(page) == ["Job Details"]
    page.reload()
    settle(page)
    assert open_tab_name(page) == "Job Details", "a reload keeps the open tab"
    assert TAB_CONTENT["Job Details"] in visible_panel(page).inner_text()
    shared = new_tab()
    open_app(shared, page.url)
    assert open_tab_name(shared) == "Job Details", "the link opens the tab in a new browser tab"
    assert TAB_CONTENT["Job Details"] in visible_panel(shared).inner_text()
    click_tab(shared, "Profile")
    assert tab_param(shared) == [], "the first tab needs no parameter"
    open_app(shared, f"{app_url}/Lead?lead=100001&tab=%3Cimg%20src%3Dx%3E")
    assert open_tab_name(shared) == "Profile", "a tab the page does not know opens Profile"
    assert shared.locator('img[src="x"]').count() == 0


def test_back_after_leaving_a_lead_on_a_tab_returns_to_it(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    """Leaving the Lead page with a tab open adds one history entry, the next page's (with
    Streamlit's binding of tabs to the URL it added a Lead entry with the next page's query,
    and Back showed "No lead to show")."""
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001&tab=Job+Details")
    entries = page.evaluate("history.length")
    with rerun(page):
        page.get_by_role("link", name="Campaign leads").first.click()
    page.wait_for_url("**/Leads?*")
    settle(page)
    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    page.wait_for_url("**/Lead?lead=100001*")
    settle(page)
    assert "Lead 100001" in page.locator("h1").first.inner_text()
    assert open_tab_name(page) == "Job Details"


def test_back_after_the_timeline_opened_a_tab_returns_to_the_timeline(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001&tab=Timeline")
    assert open_tab_name(page) == "Timeline"
    search = visible_panel(page).get_by_label("Search", exact=False).first
    with rerun(page):
        search.fill("Duplicate")
        search.press("Enter")
    with rerun(page):
        click_grid(visible_panel(page).locator('[data-testid="stDataFrame"]').first, 1, 15)
    with rerun(page):
        page.get_by_role("button", name="Open the Job Details tab").click()
    wait_for_open_tab(page, "Job Details")
    assert tab_param(page) == ["Job Details"]
    page.go_back()
    wait_for_open_tab(page, "Timeline")
    assert tab_param(page) == ["Timeline"]
    assert "Lead 100001" in page.locator("h1").first.inner_text()


def test_next_keeps_the_open_tab_and_back_returns_to_the_lead_before_on_it(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001&tab=Job+Details")
    with rerun(page):
        page.get_by_role("button", name="Next").click()
    page.wait_for_function("() => !document.querySelector('h1').innerText.includes('100001')")
    settle(page)
    assert open_tab_name(page) == "Job Details" and tab_param(page) == ["Job Details"]
    assert TAB_CONTENT["Job Details"] in visible_panel(page).inner_text()
    page.go_back()
    page.wait_for_function("() => document.querySelector('h1').innerText.includes('100001')")
    settle(page)
    assert open_tab_name(page) == "Job Details", "one history entry a step, on its tab"


def test_hostile_values_are_inert_text(hostile: tuple[Any, list[str]]) -> None:
    page, dialogs = hostile
    body = page.locator("body").inner_text()
    assert "<script>alert('x')</script>" in body, "the name is shown literally"
    assert page.evaluate("window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href*="evil.example"]').count() == 0, "no link made from a value"
    made: set[str] = set()
    for name in LEAD_TABS:
        click_tab(page, name)
        made |= set(page.evaluate(LINKS_OUT_OF_THE_APP))
    assert dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    # Escaped text still became links in Chromium (GFM autolinks a bare URL, `www.` or an
    # email even with every `:`, `.` and `@` escaped): the signed-in user's email did.
    assert not made, "links made from values"


def test_csv_download_neutralises_formulas(hostile: tuple[Any, list[str]], tmp_path: Path) -> None:
    page, _ = hostile
    click_tab(page, "Profile")
    with page.expect_download() as download_info:
        visible_panel(page).get_by_role("button", name="Download CSV").first.click()
    target = tmp_path / "publisher-data.csv"
    download_info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    # The value's source (issue 13) is part of the table and of its CSV.
    assert rows[0] == ["Field", "Source", "Value"]
    values = dict((field, value) for field, _source, value in rows[1:])
    assert values["Company"] == '\'=HYPERLINK("http://evil.example","click")'
    assert values["First Name"] == "<script>alert('x')</script>"


def test_selecting_a_lead_row_opens_that_lead(new_tab: Callable[[], Any], app_url: str) -> None:
    page = new_tab()
    open_app(page, f"{app_url}/Leads?campaign=1")
    # The selection checkbox of the first row: left edge of the grid, below the header.
    with rerun(page):
        click_grid(page.locator('[data-testid="stDataFrame"]').first, 1, 18)
    page.wait_for_url("**/Lead?lead=*")
    assert "campaign=1" in page.url
    assert "email" not in page.url and "%40" not in page.url and "@" not in page.url
    heading = page.get_by_role("heading", name="Lead 1", exact=False).first
    assert heading.inner_text().startswith("Lead 1")


COUNTRY_OUTLINES = f"""
() => {{
  const map = document.querySelector('img[alt="{MAP_ALT}"]');
  if (!map || !map.complete || map.naturalWidth === 0) return 0;
  const svg = atob(map.src.split(",")[1]);
  const land = svg.match(/<path d="([^"]*)"/);
  return land ? land[1].split("M").length - 1 : 0;
}}
"""
"""How many outlines (SVG path moves) the map picture's land drew, once it is drawn."""


def test_the_map_draws_country_outlines_with_the_internet_blocked(
    new_page: Callable[[], Any], app_url: str
) -> None:
    page = new_page()
    outside: list[str] = []

    def only_this_machine(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_this_machine)
    open_app(page, f"{app_url}/Lead?lead=100001")
    page.wait_for_function(f"() => ({COUNTRY_OUTLINES})() > 0")
    assert page.evaluate(COUNTRY_OUTLINES) > 20, "the countries around the lead are outlined"
    assert page.get_by_text("Where the lead was captured:").is_visible()
    assert outside == [], "the lead page asks nothing of the internet"


def test_a_tab_s_choices_are_as_left_after_another_tab_was_open(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    """The Profile's block and the Timeline's kind and search, chosen, then another tab
    opened and these reopened: as left (a widget not drawn loses its value unless Streamlit
    keeps it; a write-back of our own kept it in AppTest but not in a browser's fragment
    runs)."""
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001")
    with rerun(page):
        page.get_by_role("radio", name="Enrichment · 12").click()
    click_tab(page, "Timeline")
    with rerun(page):
        page.get_by_role("button", name="Job · 9").click()
    search = page.locator('[data-testid="stTextInput"] input').last
    with rerun(page):
        search.fill("Duplicate")
        search.press("Enter")
    assert visible_panel(page).get_by_text("1 of 21 entries").is_visible()
    click_tab(page, "Notes")
    click_tab(page, "Profile")
    assert page.get_by_role("radio", name="Enrichment · 12").get_attribute("aria-checked") == "true"
    click_tab(page, "Timeline")
    assert page.get_by_role("button", name="Job · 9").get_attribute("aria-pressed") == "true"
    assert page.locator('[data-testid="stTextInput"] input').last.input_value() == "Duplicate"
    assert visible_panel(page).get_by_text("1 of 21 entries").is_visible()
