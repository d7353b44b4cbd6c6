"""Refresh docs/screenshots/*.png: start the dashboard on a free port and photograph each view
in headless Chromium (`python -m benchmarks.screenshots`).

The server and the waits are the browser tests' harness (`tests.support.browser`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PROJECT_ROOT,
    RENDER_TIMEOUT_MS,
    VIEWPORT,
    click_tab,
    new_context,
    open_app,
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
        page = new_context(browser).new_page()

        def shot(name: str) -> None:
            path = target / f"{name}.png"
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
        browser.close()
    return saved


def main() -> None:
    started = time.perf_counter()
    with streamlit_server() as url:
        paths = take_screenshots(url)
    for path in paths:
        print(path.relative_to(PROJECT_ROOT))
    print(f"{len(paths)} screenshots in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
