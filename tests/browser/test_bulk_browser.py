"""Bulk edit in headless Chromium: on the Leads page tick three leads, set one field, review,
confirm, save, and see each lead's Notes and Timeline show the change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    RENDER_TIMEOUT_MS,
    click_grid,
    click_tab,
    open_app,
    require_chromium,
    rerun,
    streamlit_server,
    visible_panel,
)
from tests.support.sandbox import copy_database

ROW_MARKER_X = 18
"""Pixels from the grid's left edge to the middle of its row-selection checkboxes."""
NEW_TITLE = "Head of Bulk Data"
CAMPAIGN = 3


@pytest.fixture(scope="module")
def app_url(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module writes, so it gets its own database and server."""
    require_chromium()
    copy = tmp_path_factory.mktemp("bulk-browser") / "sandbox.sqlite"
    copy_database(sandbox_db, copy)
    with streamlit_server({"LEADLENS_SANDBOX_DB": str(copy)}) as url:
        yield url


def test_tick_three_leads_change_a_field_review_save_and_see_notes_and_timeline(
    new_page: Callable[[], Any], app_url: str
) -> None:
    page = new_page()
    # Undelivered leads: the default demo user (an analyst) may edit every one of them.
    open_app(page, f"{app_url}/Leads?campaign={CAMPAIGN}&delivery=Undelivered")
    with rerun(page):
        page.get_by_text("Bulk edit", exact=True).first.click()
    page.get_by_text("No leads chosen for bulk edit.").wait_for(timeout=RENDER_TIMEOUT_MS)

    for row in range(1, 4):
        with rerun(page):
            click_grid(page.locator('[data-testid="stDataFrame"]').first, row, ROW_MARKER_X)
        page.get_by_text(f"{row} lead{'s' if row > 1 else ''} chosen for bulk edit.").wait_for(
            timeout=RENDER_TIMEOUT_MS
        )

    chooser = page.get_by_role("combobox", name="Field")
    chooser.click()
    chooser.press_sequentially("jobTitle")
    with rerun(page):
        chooser.press("Enter")
    value = page.get_by_role("textbox", name="New value")
    value.fill(NEW_TITLE)
    with rerun(page):
        value.press("Enter")
    with rerun(page):
        page.get_by_role("button", name="Review the change on 3 leads").click()
    page.get_by_text("3 leads to change").wait_for(timeout=RENDER_TIMEOUT_MS)

    save = page.get_by_role("button", name="Save 3 changes")
    assert save.is_disabled(), "nothing is sent before the count is confirmed"
    with rerun(page):
        page.get_by_text("I have reviewed these 3 changes: send them.").click()
    with rerun(page):
        save.click()
    page.get_by_text("3 saved, 0 skipped, 0 conflicts, 0 failed.").wait_for(
        timeout=RENDER_TIMEOUT_MS
    )

    summary = page.locator('[data-testid="stDataFrame"]').last
    ids = sorted(
        {int(text) for text in summary.locator("td").all_inner_texts() if text.strip().isdigit()}
    )
    assert len(ids) == 3, f"expected the 3 saved leads in the summary, got {ids}"

    for lead_id in ids:
        open_app(page, f"{app_url}/Lead?lead={lead_id}")
        click_tab(page, "Notes")
        notes = visible_panel(page)
        notes.locator("td", has_text=NEW_TITLE).first.wait_for(
            state="attached"
        )  # the note of the change
        click_tab(page, "Timeline")
        search = page.get_by_role("textbox", name="Search")
        search.fill(NEW_TITLE)
        with rerun(page):
            search.press("Enter")
        timeline = visible_panel(page)
        timeline.get_by_text("1 of ").wait_for(timeout=RENDER_TIMEOUT_MS)
        # The grid draws its new rows after the run: wait for the row, then count.
        timeline.locator("td", has_text="edited Job Title").first.wait_for(state="attached")
        # The entry names the edit; its detail holds the value (the search found it there).
        assert timeline.locator("td", has_text="edited Job Title").count() == 1, (
            f"the Timeline of lead {lead_id} shows the change"
        )
