"""Edit Data in headless Chromium: edit a value in the grid, review, save, and see the new
value in the Profile tab, the Lead Profile panel and the Notes tab."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.screenshots import click_tab, open_app, streamlit_server, wait_until_idle
from tests.conftest import copy_database

pytestmark = pytest.mark.browser

ROW_HEIGHT = 35
"""Height of a grid row (and of its header) in pixels, Streamlit's default."""
JOB_TITLE_ROW = 6
"""Position of jobTitle among the campaign's editable fields (title, firstName, …)."""
VALUE_COLUMN_STEPS = 1
"""Arrow-right presses from the Field column to the Value column (the index is hidden)."""
NEW_TITLE = "Chief Data Officer"
RERUN_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def app_url(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Overrides the package's server: this module writes, so it gets its own database."""
    from benchmarks.screenshots import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's Chromium")
    copy = tmp_path_factory.mktemp("edit-browser") / "sandbox.sqlite"
    copy_database(sandbox_db, copy)
    with streamlit_server({"LEADLENS_SANDBOX_DB": str(copy)}) as url:
        yield url


def visible_panel(page: Any) -> Any:
    return page.locator('[role="tabpanel"]:visible')


def test_edit_a_value_in_the_grid_save_and_see_it_in_profile_and_notes(
    new_page: Callable[[], Any], app_url: str
) -> None:
    page = new_page()
    open_app(page, f"{app_url}/Lead?lead=100001")
    click_tab(page, "Edit Data")
    panel = visible_panel(page)
    box = panel.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert box is not None
    # Select the first row's Name cell, walk to jobTitle's Value with the keyboard, edit it.
    page.mouse.click(box["x"] + 10, box["y"] + ROW_HEIGHT + ROW_HEIGHT // 2)
    for _ in range(VALUE_COLUMN_STEPS):
        page.keyboard.press("ArrowRight")
    for _ in range(JOB_TITLE_ROW):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    editor = page.locator("textarea:visible").first
    editor.wait_for()
    editor.fill(NEW_TITLE)
    page.keyboard.press("Enter")
    # The edit reruns the script (twice: once more to check the value); wait for the review.
    page.get_by_text("Review 1 unsaved change").wait_for(timeout=RERUN_TIMEOUT_MS)
    wait_until_idle(page)

    review = visible_panel(page).inner_text()
    assert f"Job Title: VP of IT → {NEW_TITLE}" in review
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved 1 change").wait_for(timeout=RERUN_TIMEOUT_MS)
    wait_until_idle(page)
    assert "Saved 1 change: Job Title" in visible_panel(page).inner_text()
    assert "No unsaved changes" in visible_panel(page).inner_text()

    click_tab(page, "Profile")
    profile_cells = visible_panel(page).locator("td", has_text=NEW_TITLE)
    assert profile_cells.count() >= 1, "the Profile tab shows the saved value"
    assert page.get_by_text(NEW_TITLE, exact=True).first.is_visible(), "and the profile panel"

    click_tab(page, "Notes")
    notes = visible_panel(page)
    assert notes.locator("td", has_text=NEW_TITLE).count() >= 1, "the audit note is listed"
    assert notes.locator("td", has_text="Ana Lyst").count() >= 1
