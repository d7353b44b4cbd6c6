"""The Lead page in Debian's Chromium, each figure against a bare Streamlit page in the same
run: ``python -m benchmarks.lead_browser`` (``python -m benchmarks`` prints the rows).

- deep link, cold: lead 100001 opened first on a fresh server (a new browser context);
- deep link, warm: another lead opened on a server that has just served a different lead;
- the same lead again by the same user in a new browser context (a new tab, a link from a
  ticket): its data comes from the caches;
- the bare page (one dataframe) loaded the same way: the yardstick of the three;
- tab switches on lead 100001, click to settled, for each tab, against switching between
  the two tabs of ``bare_tabs.py``.

"Settled" is the end of the run the click starts: the open tab's body drawn, nothing still
loading or faded as stale (`screenshots.OPEN_TAB_DRAWN`). Each click comes once the page is
idle (`IDLE`: no long task in Chromium for a second), as a reader's click does: a page counted
as drawn still finishes its grids and layout for about 0.3 s of Chromium's CPU, which the first
click otherwise paid (the bare page's clicks wait the same way). Medians of a few rounds, each
round on fresh servers, Chromium launched once outside every timing.

Beside each wall time, the CPU it cost: the Streamlit server's (``/proc/PID/stat``, user +
system) and Chromium's (every Chromium process under this one). On a loaded machine the wall
times stretch with the queue for the cores; the CPU times barely move, so they say whether a
change made the page cheaper. The goals stay on wall time, as the issue states them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from benchmarks.cpu import CLOCK_TICKS, browser_cpu, cpu_seconds, load_average
from benchmarks.first_render import BARE_APP, DRAW_TIMEOUT_MS, DRAWN_SCRIPT, served_process
from benchmarks.screenshots import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OPEN_TAB_DRAWN,
    PROJECT_ROOT,
    SHOWCASE_LEAD,
    VIEWPORT,
)

APP: Final = PROJECT_ROOT / "app.py"
BARE_TABS: Final = Path(__file__).resolve().parent / "bare_tabs.py"
ROUNDS: Final = 3
TABS_LEAD: Final = SHOWCASE_LEAD
WARM_FIRST_LEAD: Final = SHOWCASE_LEAD + 1
WARM_LEAD: Final = SHOWCASE_LEAD + 2
LEAD_TABS: Final = (
    "Associated Campaigns",
    "Job Details",
    "Processr Logs",
    "Provider Logs",
    "Edit Data",
    "Notes",
    "Timeline",
    "Profile",
)
BARE_TAB_NAMES: Final = ("Two", "One")
BUSY_WATCH: Final = """
(() => {
  window.__leadLensBusyUntil = performance.now();
  new PerformanceObserver((found) => {
    for (const task of found.getEntries()) {
      window.__leadLensBusyUntil = Math.max(
        window.__leadLensBusyUntil, task.startTime + task.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
})();
"""
"""Keeps the end of the page's last long task (50 ms or more of main-thread work)."""
IDLE_MS: Final = 1000
IDLE: Final = f"() => performance.now() - window.__leadLensBusyUntil > {IDLE_MS}"
"""The page idle: no long task for `IDLE_MS`."""


@dataclass(frozen=True)
class Cost:
    """One measured action: seconds of wall time, and the CPU seconds it cost the server and
    the browser."""

    wall: float
    server_cpu: float
    browser_cpu: float

    @property
    def cpu(self) -> float:
        return self.server_cpu + self.browser_cpu

    def describe(self) -> str:
        return (
            f"{self.wall:.2f} s wall, CPU {1000 * self.server_cpu:.0f} ms server"
            f" + {1000 * self.browser_cpu:.0f} ms browser"
        )


def median_cost(costs: list[Cost]) -> Cost:
    """Each figure's median (of the same rounds)."""
    return Cost(
        statistics.median(cost.wall for cost in costs),
        statistics.median(cost.server_cpu for cost in costs),
        statistics.median(cost.browser_cpu for cost in costs),
    )


@dataclass(frozen=True)
class LeadBrowser:
    """Medians."""

    cold: Cost
    warm: Cost
    second_context: Cost
    bare_page: Cost
    switches: dict[str, Cost]
    bare_switch: Cost
    load_before: str
    load_after: str


def _costed(server_pid: int, action: Callable[[], None]) -> Cost:
    server, browser = cpu_seconds(server_pid), browser_cpu()
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    return Cost(wall, cpu_seconds(server_pid) - server, browser_cpu() - browser)


def _open(browser: Any, url: str, server_pid: int) -> Cost:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()

        def load() -> None:
            page.goto(url)
            page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)

        return _costed(server_pid, load)
    finally:
        context.close()


def _switch(page: Any, name: str, server_pid: int) -> Cost:
    tab = page.get_by_role("tab", name=name, exact=True)
    page.wait_for_function(IDLE, timeout=DRAW_TIMEOUT_MS, polling=100)

    def click() -> None:
        tab.click()
        page.wait_for_function(OPEN_TAB_DRAWN, timeout=DRAW_TIMEOUT_MS, polling=10)

    return _costed(server_pid, click)


def _switches(browser: Any, url: str, names: tuple[str, ...], server_pid: int) -> dict[str, Cost]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(BUSY_WATCH)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
        return {name: _switch(page, name, server_pid) for name in names}
    finally:
        context.close()


def measure(rounds: int = ROUNDS) -> LeadBrowser:
    from playwright.sync_api import sync_playwright

    load_before = load_average()
    cold: list[Cost] = []
    warm: list[Cost] = []
    again: list[Cost] = []
    bare: list[Cost] = []
    switches: dict[str, list[Cost]] = {name: [] for name in LEAD_TABS}
    bare_switches: list[Cost] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            for _ in range(rounds):
                with served_process(BARE_APP) as (url, _launched, _healthy, pid):
                    bare.append(_open(browser, f"{url}/", pid))
                with served_process(BARE_TABS) as (url, _launched, _healthy, pid):
                    _open(browser, f"{url}/", pid)  # the tabs' code loaded once, as on the app
                    bare_switches += _switches(browser, f"{url}/", BARE_TAB_NAMES, pid).values()
                with served_process(APP) as (url, _launched, _healthy, pid):
                    lead = f"{url}/Lead?lead="
                    cold.append(_open(browser, f"{lead}{SHOWCASE_LEAD}", pid))
                    opened = _switches(browser, f"{lead}{SHOWCASE_LEAD}", LEAD_TABS, pid)
                    for name, cost in opened.items():
                        switches[name].append(cost)
                    _open(browser, f"{lead}{WARM_FIRST_LEAD}", pid)
                    warm.append(_open(browser, f"{lead}{WARM_LEAD}", pid))
                    again.append(_open(browser, f"{lead}{WARM_LEAD}", pid))
        finally:
            browser.close()
    return LeadBrowser(
        cold=median_cost(cold),
        warm=median_cost(warm),
        second_context=median_cost(again),
        bare_page=median_cost(bare),
        switches={name: median_cost(costs) for name, costs in switches.items()},
        bare_switch=median_cost(bare_switches),
        load_before=load_before,
        load_after=load_average(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lead_browser", description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    result = measure(args.rounds)
    print(f"bare page: {result.bare_page.describe()}")
    print(f"bare tab switch: {result.bare_switch.describe()}")
    for name, cost in (
        ("Lead deep link, cold", result.cold),
        ("Lead deep link, warm", result.warm),
        ("same lead, same user, new context", result.second_context),
    ):
        print(
            f"{name}: {cost.describe()} ({cost.wall / result.bare_page.wall:.2f}x wall,"
            f" {cost.cpu / result.bare_page.cpu:.2f}x CPU)"
        )
    for name, cost in result.switches.items():
        print(
            f"  switch to {name}: {cost.describe()} ({cost.wall / result.bare_switch.wall:.2f}x"
            f" wall, {cost.cpu / max(result.bare_switch.cpu, 1 / CLOCK_TICKS):.2f}x CPU)"
        )
    print(f"{result.load_before} before; {result.load_after} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
