"""The Audit page's screenshots at 1440 and 1024 px (``python -m benchmarks.audit_screenshots``):
campaign 1 of the demo sandbox audited over the default window, findings and publishers."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from benchmarks.screenshots import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOT_DIR,
    open_app,
    streamlit_server,
    wait_until_idle,
)
from tests.support.browser import new_context

WIDTHS: Final = (1440, 1024)


def take(target: Path = SCREENSHOT_DIR) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with (
        tempfile.TemporaryDirectory() as folder,
        streamlit_server({"LEADLENS_AUDIT_DIR": folder}) as url,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        for width in WIDTHS:
            # A context of the harness: its pages carry the probe that `settle` waits on.
            context = new_context(browser, viewport={"width": width, "height": 1100})
            page = context.new_page()
            open_app(page, f"{url}/Audit?campaign=1")
            page.get_by_role("button", name="Run audit").click()
            page.get_by_text("Leads audited").wait_for()
            wait_until_idle(page)
            path = target / f"audit-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    for written_path in take():
        print(written_path)
