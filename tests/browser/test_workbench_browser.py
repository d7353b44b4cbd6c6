"""The audit workbench in headless Chromium: the Timeline tab and the request inspector
render, and the evidence pack downloads and verifies."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest

from lib.evidence import verify_pack
from lib.ui.workbench import SIGNALS_LABEL
from tests.support.browser import click_tab, open_app, rerun, settle, visible_panel


@pytest.fixture(scope="module")
def showcase(new_tab: Callable[[], Any], app_url: str) -> Any:
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001")
    return page


def test_the_timeline_tab_renders_its_chart_and_entries(showcase: Any) -> None:
    click_tab(showcase, "Timeline")
    panel = visible_panel(showcase)
    text = panel.inner_text()
    assert re.search(r"\d+ of \d+ entries", text), text[:500]
    assert "Processing" in text
    # The chart is a picture drawn on the server (no chart library on the Lead page): wait
    # for the image to be decoded, then check it and its text alternative.
    chart = panel.locator('img[src^="data:image/svg+xml"][alt^="When each job"]')
    chart.first.wait_for()
    assert chart.count() == 1, "the processing chart"
    showcase.wait_for_function(
        "(image) => image.complete && image.naturalWidth > 0", arg=chart.element_handle()
    )
    assert "failed" in (chart.get_attribute("alt") or ""), "said in words"
    assert panel.locator("span[title]").count() >= 1, "a tooltip per call"
    assert panel.locator('[data-testid="stVegaLiteChart"]').count() == 0
    assert panel.locator('[data-testid="stDataFrame"]').count() == 1
    assert "Could not load" not in text and "Something went wrong" not in text


def test_the_request_inspector_renders_with_the_waterfall(showcase: Any) -> None:
    summary = showcase.get_by_text(re.compile(r"^Request inspector"))
    summary.click()
    settle(showcase)
    inspector = showcase.locator('[data-testid="stExpander"]').filter(has_text="Request inspector")
    # Opening an expander draws its body without a rerun: wait for the body's first line.
    inspector.get_by_text(re.compile("sent by this run")).wait_for()
    text = inspector.inner_text()
    assert "sent by this run" in text or "answered from the cache" in text
    # The table and the waterfall draw after the expander's first line: wait for each.
    inspector.locator('[data-testid="stDataFrame"]').first.wait_for()
    inspector.locator(".js-plotly-plot").first.wait_for()
    assert inspector.locator('[data-testid="stDataFrame"]').count() == 1
    assert inspector.locator(".js-plotly-plot").count() == 1, "the dossier's waterfall"
    assert "wave 1" in inspector.inner_text()


INSPECTOR_COUNT: Final = re.compile(r"^(\d+) API requests? behind this view")


def _inspector_count(page: Any) -> int:
    found = INSPECTOR_COUNT.search(page.get_by_text(INSPECTOR_COUNT).inner_text())
    assert found, "the inspector's caption counts the view's requests"
    return int(found.group(1))


def test_requests_a_tab_sends_on_its_own_rerun_are_listed_by_the_inspector(
    new_tab: Callable[[], Any], app_url: str
) -> None:
    """The tabs rerun alone (a fragment); the searches of "The same person elsewhere",
    sent by such a rerun, are still counted by the request inspector (the whole page runs
    again after them)."""
    page = new_tab()
    open_app(page, f"{app_url}/Lead?lead=100001")
    before = _inspector_count(page)
    click_tab(page, "Associated Campaigns")
    assert _inspector_count(page) == before, "a tab switch sends no request"
    with rerun(page):
        page.get_by_text(SIGNALS_LABEL).click()
    page.wait_for_function(
        "(before) => [...document.querySelectorAll('p, span, div')].some((element) =>"
        " element.children.length === 0 && (/^(\\d+) API requests? behind this view/"
        ".exec(element.textContent) || [0, 0])[1] > before)",
        arg=before,
    )
    settle(page)
    assert _inspector_count(page) > before, "the searches are listed"
    assert "Could not load" not in visible_panel(page).inner_text()


def test_the_evidence_pack_downloads_and_verifies(showcase: Any, tmp_path: Path) -> None:
    with showcase.expect_download(timeout=60_000) as download_info:
        showcase.get_by_role("button", name="Evidence pack").click()
    download = download_info.value
    assert download.suggested_filename == "lead-100001-evidence.zip"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    result = verify_pack(target)
    assert result.ok, result
