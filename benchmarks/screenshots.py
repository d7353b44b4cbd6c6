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
