"""First-render timings in headless Chromium, each against a bare Streamlit app.

Run as ``python -m benchmarks.first_render`` (``python -m benchmarks`` prints the rows with
the others). Two figures, each the median of a few rounds, each round on fresh servers:

- cold start: from launching ``streamlit run app.py`` to its first page drawn, against the
  same for ``benchmarks/bare_app.py`` (one dataframe);
- deep link: a Lead page (``/Lead?lead=...``) loaded for the first time on a running server,
  against the bare app's page loaded the same way.

"Drawn" means the script run has finished and no skeleton (an element still loading) is left.
Chromium is launched once, outside every timing; each page gets a new browser context (empty
cache). Servers are polled for health every few milliseconds, so the polling adds little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from benchmarks.cpu import browser_cpu, cpu_seconds, load_average
from benchmarks.ports import free_port, streamlit_command
from benchmarks.screenshots import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, SHOWCASE_LEAD, VIEWPORT

BARE_APP: Final = Path(__file__).resolve().parent / "bare_app.py"
APP: Final = PROJECT_ROOT / "app.py"
ROUNDS: Final = 3
HEALTH_POLL: Final = 0.02
"""Seconds between health checks of a starting server."""
SERVER_START_TIMEOUT: Final = 60.0
DRAW_TIMEOUT_MS: Final = 60_000
DRAWN_SCRIPT: Final = """() => {
    const done = document.querySelector('[data-test-script-state="notRunning"]');
    const main = document.querySelector('[data-testid="stMain"]');
    return Boolean(done && main && main.querySelector('[data-testid="stElementContainer"]')
        && !document.querySelector('[data-testid="stSkeleton"]'));
}"""
"""True once the script run has finished, something is drawn and nothing is still loading."""


@dataclass(frozen=True)
class Timing:
    """One page load: from the server's launch, and from the first request of the page; the
    CPU seconds of the server since its launch and during the page, and Chromium's during the
    page."""

    from_launch: float
    from_request: float
    server_cpu_total: float = 0.0
    server_cpu_page: float = 0.0
    browser_cpu: float = 0.0


@dataclass(frozen=True)
class FirstRender:
    """Medians in seconds."""

    cold_app: float
    cold_bare: float
    deep_link_app: float
    page_bare: float
    cold_app_cpu: float = 0.0
    cold_bare_cpu: float = 0.0
    deep_link_cpu: float = 0.0
    page_bare_cpu: float = 0.0
    """CPU seconds, server and Chromium: from launch for the cold starts, during the page for
    the loads of a running server."""

    @property
    def cold_ratio(self) -> float:
        return self.cold_app / self.cold_bare

    @property
    def deep_link_ratio(self) -> float:
        return self.deep_link_app / self.page_bare


@contextmanager
def served(script: Path) -> Iterator[tuple[str, float, float]]:
    """``streamlit run script`` on a free port; yields its URL, launch and health times."""
    with served_process(script) as (url, launched, healthy, _pid):
        yield url, launched, healthy


@contextmanager
def served_process(script: Path) -> Iterator[tuple[str, float, float, int]]:
    """As `served`, with the server's process id (to read its CPU time)."""
    port = free_port()
    command = streamlit_command(script, port)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        launched = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            healthy = _wait_for_health(process, log, url)
            yield url, launched, healthy, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], log: Any, url: str) -> float:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"streamlit exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return time.perf_counter()
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer on {url} within {SERVER_START_TIMEOUT} s")
        time.sleep(HEALTH_POLL)


def load(browser: Any, script: Path, path: str) -> Timing:
    """Launch a server for ``script`` and time its first load of ``path`` in a new context."""
    with served_process(script) as (url, launched, _healthy, pid):
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            server_before, browser_before = cpu_seconds(pid), browser_cpu()
            requested = time.perf_counter()
            page.goto(f"{url}{path}")
            page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
            drawn = time.perf_counter()
            server_after, browser_after = cpu_seconds(pid), browser_cpu()
        finally:
            context.close()
    return Timing(
        from_launch=drawn - launched,
        from_request=drawn - requested,
        server_cpu_total=server_after,
        server_cpu_page=server_after - server_before,
        browser_cpu=browser_after - browser_before,
    )


def measure(rounds: int = ROUNDS, lead_id: int = SHOWCASE_LEAD) -> FirstRender:
    from playwright.sync_api import sync_playwright

    cold_app: list[Timing] = []
    bare: list[Timing] = []
    deep_link: list[Timing] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            load(browser, BARE_APP, "/")  # warm the disk cache for Streamlit's own files
            for _ in range(rounds):
                bare.append(load(browser, BARE_APP, "/"))
                cold_app.append(load(browser, APP, "/"))
                deep_link.append(load(browser, APP, f"/Lead?lead={lead_id}"))
        finally:
            browser.close()

    def median(timings: list[Timing], figure: Callable[[Timing], float]) -> float:
        return statistics.median(figure(timing) for timing in timings)

    return FirstRender(
        cold_app=median(cold_app, lambda t: t.from_launch),
        cold_bare=median(bare, lambda t: t.from_launch),
        deep_link_app=median(deep_link, lambda t: t.from_request),
        page_bare=median(bare, lambda t: t.from_request),
        cold_app_cpu=median(cold_app, lambda t: t.server_cpu_total + t.browser_cpu),
        cold_bare_cpu=median(bare, lambda t: t.server_cpu_total + t.browser_cpu),
        deep_link_cpu=median(deep_link, lambda t: t.server_cpu_page + t.browser_cpu),
        page_bare_cpu=median(bare, lambda t: t.server_cpu_page + t.browser_cpu),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_render", description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    before = load_average()
    result = measure(args.rounds)
    print(
        f"cold start: app {result.cold_app:.2f} s, bare {result.cold_bare:.2f} s, "
        f"{result.cold_ratio:.2f}x (goal <= 1.25x: {_verdict(result.cold_ratio <= 1.25)});"
        f" CPU {result.cold_app_cpu:.2f} s vs {result.cold_bare_cpu:.2f} s"
    )
    print(
        f"deep link: Lead page {result.deep_link_app:.2f} s, bare page {result.page_bare:.2f} s, "
        f"{result.deep_link_ratio:.2f}x (goal <= 1.2x: {_verdict(result.deep_link_ratio <= 1.2)});"
        f" CPU {result.deep_link_cpu:.2f} s vs {result.page_bare_cpu:.2f} s"
    )
    print(f"{before} before; {load_average()} after")
    return 0


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    sys.exit(main())
