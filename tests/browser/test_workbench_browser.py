"""The audit workbench in headless Chromium: the Timeline tab and the request inspector
render, and the evidence pack downloads and verifies."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lib.evidence import verify_pack
from tests.support.browser import click_tab, open_app, settle, visible_panel


@pytest.fixture(scope="module")
def showcase(new_page: Callable[[], Any], app_url: str) -> Any:
    page = new_page()
    open_app(page, f"{app_url}/Lead?lead=100001")
    return page


def test_the_timeline_tab_renders_its_chart_and_entries(showcase: Any) -> None:
    click_tab(showcase, "Timeline")
    panel = visible_panel(showcase)
    text = panel.inner_text()
    assert re.search(r"\d+ of \d+ entries", text), text[:500]
    assert "Processing" in text
    # The chart draws after the run's text (its code loads when a tab first shows a chart):
    # wait for the drawn chart itself, then count.
    chart = panel.locator(
        '[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas'
    )
    chart.first.wait_for()
    assert panel.locator('[data-testid="stVegaLiteChart"]').count() == 1, "the processing chart"
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


def test_the_evidence_pack_downloads_and_verifies(showcase: Any, tmp_path: Path) -> None:
    with showcase.expect_download(timeout=60_000) as download_info:
        showcase.get_by_role("button", name="Evidence pack").click()
    download = download_info.value
    assert download.suggested_filename == "lead-100001-evidence.zip"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    result = verify_pack(target)
    assert result.ok, result
