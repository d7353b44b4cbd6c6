"""Refresh docs/screenshots/*.png: start the dashboard on a free port and photograph each view
in headless Chromium (`python -m benchmarks.screenshots`).

The server helpers here are shared with the browser tests (tests/browser/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final

from benchmarks.ports import free_port
from lib.ui import pages

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR: Final = PROJECT_ROOT / "docs" / "screenshots"
CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
VIEWPORT: Final[Any] = {"width": 1440, "height": 1000}
SERVER_START_TIMEOUT: Final = 60.0
RENDER_TIMEOUT_MS: Final = 30_000
SHOWCASE_LEAD: Final = 100001


@contextmanager
def streamlit_server(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free port until the block ends; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        pages.CAMPAIGNS,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    # The server's output goes to a file: an unread pipe could fill up and stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(process, log, url)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], log: IO[bytes], url: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"streamlit exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer on {url} within the timeout")
        time.sleep(0.2)


def wait_until_idle(page: Any) -> None:
    """Wait until the app has finished its script run (and the spinner is gone)."""
    page.wait_for_selector(
        '[data-test-script-state="notRunning"]', state="attached", timeout=RENDER_TIMEOUT_MS
    )
    # Element code loads lazily: skeletons stand in until each component has arrived.
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=RENDER_TIMEOUT_MS
    )
    page.wait_for_timeout(400)  # let charts and the grid paint
    # A click's rerun may start only now (a keyed tab reruns on change): wait until it is
    # over and nothing is drawn faded as stale, which is what a person looks at.
    page.wait_for_selector(
        '[data-test-script-state="notRunning"]', state="attached", timeout=RENDER_TIMEOUT_MS
    )
    page.wait_for_function(
        "!document.querySelector('[data-stale=\"true\"]')", timeout=RENDER_TIMEOUT_MS
    )


def open_app(page: Any, url: str) -> None:
    page.goto(url)
    wait_until_idle(page)


OPEN_TAB_DRAWN: Final = """() => {
    const panel = [...document.querySelectorAll('[role="tabpanel"]')]
        .find((element) => element.offsetParent !== null);
    return Boolean(panel && panel.querySelector('[data-testid="stElementContainer"]')
        && !document.querySelector('[data-testid="stSkeleton"]')
        && !document.querySelector('[data-stale="true"]')
        && document.querySelector('[data-test-script-state="notRunning"]'));
}"""
"""True once the open tab's body has arrived and is drawn (the Lead page sends only the open
tab's body, with the rerun its click starts), nothing loading, nothing stale."""


def click_tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    wait_until_idle(page)
    page.wait_for_function(OPEN_TAB_DRAWN, timeout=RENDER_TIMEOUT_MS, polling=20)


def take_screenshots(base_url: str, target: Path = SCREENSHOT_DIR) -> list[Path]:
    from playwright.sync_api import sync_playwright

    target.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport=VIEWPORT)

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
        bulk_review(page, base_url)
        shot("leads-bulk-review")
        browser.close()
    return saved


BULK_ROWS: Final = 5
BULK_ROW_MARKER_X: Final = 18
"""Pixels from the Leads grid's left edge to its row-selection checkboxes."""
BULK_ROW_HEIGHT: Final = 35


def bulk_review(page: Any, base_url: str, campaign_id: int = 1) -> None:
    """Leads in bulk mode with a review on screen: five undelivered leads ticked, Job Title
    set for all. Nothing is saved (the review sends nothing)."""
    open_app(page, f"{base_url}/Leads?campaign={campaign_id}&delivery=Undelivered")
    page.get_by_text("Bulk edit", exact=True).first.click()
    page.get_by_text("No leads chosen for bulk edit.").wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    for row in range(BULK_ROWS):
        page.mouse.click(box["x"] + BULK_ROW_MARKER_X, box["y"] + BULK_ROW_HEIGHT * (row + 1.5))
        chosen = f"{row + 1} lead{'s' if row else ''} chosen for bulk edit."
        page.get_by_text(chosen).wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(page)
    chooser = page.get_by_role("combobox", name="Field")
    chooser.click()
    chooser.press_sequentially("jobTitle")
    chooser.press("Enter")
    wait_until_idle(page)
    value = page.get_by_role("textbox", name="New value")
    value.fill("Head of Data")
    value.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name=f"Review the change on {BULK_ROWS} leads").click()
    page.get_by_text("leads to change").wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    page.get_by_text("I have reviewed these").scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    wait_until_idle(page)


def bulk_screenshot(base_url: str, target: Path = SCREENSHOT_DIR) -> Path:
    """Only the bulk edit review (``python -m benchmarks.screenshots --only bulk``)."""
    from playwright.sync_api import sync_playwright

    path = target / "leads-bulk-review.png"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport=VIEWPORT)
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
