"""Refresh docs/screenshots/*.png: start the dashboard on a free port and photograph each view
in headless Chromium at 1440x900 (`campaigns.png`) and 1024x768 (`campaigns-1024.png`):
`python -m benchmarks.screenshots`; `make screenshots` runs it and then the Audit page's
(`benchmarks.audit_screenshots`, which takes this module's constants).

The server and the waits are the browser tests' harness (`tests.support.browser`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Final

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PROJECT_ROOT,
    RENDER_TIMEOUT_MS,
    VIEWPORT,
    click_tab,
    new_context,
    open_app,
    ready_grid,
    rerun,
    settle,
    streamlit_server,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "OPEN_TAB_DRAWN",
    "PROJECT_ROOT",
    "RENDER_TIMEOUT_MS",
    "SCREENSHOT_DIR",
    "SHOWCASE_LEAD",
    "VIEWPORT",
    "click_tab",
    "open_app",
    "settle",
    "streamlit_server",
    "take_screenshots",
    "wait_until_idle",
]

SCREENSHOT_DIR: Final = PROJECT_ROOT / "docs" / "screenshots"
SHOWCASE_LEAD: Final = 100001
SIZES: Final[tuple[tuple[int, int, str], ...]] = ((1440, 900, ""), (1024, 768, "-1024"))
"""The two window sizes the dashboard is designed for, and the suffix of their files."""
wait_until_idle: Final = settle
"""The old name of `tests.support.browser.settle`."""

OPEN_TAB_DRAWN: Final = """() => {
    const panel = [...document.querySelectorAll('[role="tabpanel"]')]
        .find((element) => element.offsetParent !== null);
    return Boolean(panel && panel.querySelector('[data-testid="stElementContainer"]')
        && !document.querySelector('[data-testid="stSkeleton"]')
        && !document.querySelector('[data-stale="true"]')
        && document.querySelector('[data-test-script-state="notRunning"]'));
}"""
"""True once the open tab's body has arrived and is drawn (the Lead page sends only the open
tab's body, with the rerun its click starts), nothing loading, nothing stale (for the
benchmarks' timings, polled often; the tests use `tests.support.browser.click_tab`)."""


def take_screenshots(base_url: str, target: Path = SCREENSHOT_DIR) -> list[Path]:
    from playwright.sync_api import sync_playwright

    target.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        for width, height, suffix in SIZES:
            context = new_context(browser, viewport={"width": width, "height": height})
            page = context.new_page()

            def shot(name: str, page: Any = page, suffix: str = suffix) -> None:
                path = target / f"{name}{suffix}.png"
                page.screenshot(path=str(path))
                saved.append(path)

            open_app(page, f"{base_url}/?campaign=1")
            shot("campaigns")
            open_app(page, f"{base_url}/Leads?campaign=1")
            shot("leads")
            open_app(page, f"{base_url}/Lead?lead={SHOWCASE_LEAD}")
            shot("lead-profile")
            for tab, name in (
                ("Associated Campaigns", "lead-associated"),
                ("Job Details", "lead-jobs"),
                ("Provider Logs", "lead-provider-logs"),
                ("Edit Data", "lead-edit"),
                ("Notes", "lead-notes"),
                ("Timeline", "lead-timeline"),
            ):
                click_tab(page, tab)
                shot(name)
            context.close()
        # Once, after both widths: the review is kept for the person (bulk mode comes back
        # on with it), so every later picture of Leads would show its ticks.
        width, height, suffix = SIZES[0]
        context = new_context(browser, viewport={"width": width, "height": height})
        page = context.new_page()
        bulk_review(page, base_url)
        path = target / f"leads-bulk-review{suffix}.png"
        page.screenshot(path=str(path))
        saved.append(path)
        context.close()
        browser.close()
    return saved


BULK_ROWS: Final = 5
BULK_ROW_MARKER_X: Final = 18
"""Pixels from the Leads grid's left edge to its row-selection checkboxes."""


def bulk_review(page: Any, base_url: str, campaign_id: int = 1) -> None:
    """Leads in bulk mode with a review on screen: five undelivered leads ticked, Job Title
    set for all. Nothing is saved (the review sends nothing)."""
    open_app(page, f"{base_url}/Leads?campaign={campaign_id}&delivery=Undelivered")
    switch = page.get_by_role("switch", name="Bulk edit")
    # `check` clicks until the switch is on (a click landing while a run starts was lost).
    with rerun(page):
        switch.check(force=True)  # the input lies under its label, which takes the click
    page.get_by_text("No leads chosen for bulk edit.").wait_for(timeout=RENDER_TIMEOUT_MS)
    for row in range(1, BULK_ROWS + 1):
        grid = ready_grid(page.locator('[data-testid="stDataFrame"]').first)
        with rerun(page):
            page.mouse.click(*grid.cell(row, BULK_ROW_MARKER_X))
        chosen = f"{row} lead{'s' if row > 1 else ''} chosen for bulk edit."
        page.get_by_text(chosen).wait_for(timeout=RENDER_TIMEOUT_MS)
    chooser = page.get_by_role("combobox", name="Field")
    chooser.click()
    chooser.press_sequentially("jobTitle")
    with rerun(page):
        chooser.press("Enter")
    value = page.get_by_role("textbox", name="New value")
    value.fill("Head of Data")
    with rerun(page):
        value.press("Enter")
    with rerun(page):
        page.get_by_role("button", name=f"Review the change on {BULK_ROWS} leads").click()
    page.get_by_text("leads to change").wait_for(timeout=RENDER_TIMEOUT_MS)
    page.get_by_text("I have reviewed these").scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    settle(page)


def bulk_screenshot(base_url: str, target: Path = SCREENSHOT_DIR) -> Path:
    """Only the bulk edit review (``python -m benchmarks.screenshots --only bulk``)."""
    from playwright.sync_api import sync_playwright

    path = target / "leads-bulk-review.png"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        page = new_context(browser).new_page()
        bulk_review(page, base_url)
        page.screenshot(path=str(path))
        browser.close()
    return path


def main() -> None:
    started = time.perf_counter()
    with streamlit_server() as url:
        paths = (
            [bulk_screenshot(url)]
            if sys.argv[1:] == ["--only", "bulk"]
            else (take_screenshots(url))
        )
    for path in paths:
        print(path.relative_to(PROJECT_ROOT))
    print(f"{len(paths)} screenshots in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
