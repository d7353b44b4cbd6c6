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
loading or faded as stale (`screenshots.OPEN_TAB_DRAWN`). Medians of a few rounds, each round
on fresh servers, Chromium launched once outside every timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from benchmarks.first_render import BARE_APP, DRAW_TIMEOUT_MS, DRAWN_SCRIPT, served
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


@dataclass(frozen=True)
class LeadBrowser:
    """Medians in seconds."""

    cold: float
    warm: float
    second_context: float
    bare_page: float
    switches: dict[str, float]
    bare_switch: float


def _open(browser: Any, url: str) -> float:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
        return time.perf_counter() - started
    finally:
        context.close()


def _switch(page: Any, name: str) -> float:
    tab = page.get_by_role("tab", name=name, exact=True)
    started = time.perf_counter()
    tab.click()
    page.wait_for_function(OPEN_TAB_DRAWN, timeout=DRAW_TIMEOUT_MS, polling=10)
    return time.perf_counter() - started


def _switches(browser: Any, url: str, names: tuple[str, ...]) -> dict[str, float]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
        return {name: _switch(page, name) for name in names}
    finally:
        context.close()


def measure(rounds: int = ROUNDS) -> LeadBrowser:
    from playwright.sync_api import sync_playwright

    cold: list[float] = []
    warm: list[float] = []
    again: list[float] = []
    bare: list[float] = []
    switches: dict[str, list[float]] = {name: [] for name in LEAD_TABS}
    bare_switches: list[float] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            for _ in range(rounds):
                with served(BARE_APP) as (url, _launched, _healthy):
                    bare.append(_open(browser, f"{url}/"))
                with served(BARE_TABS) as (url, _launched, _healthy):
                    _open(browser, f"{url}/")  # the tabs' code loaded once, as on the app
                    bare_switches += _switches(browser, f"{url}/", BARE_TAB_NAMES).values()
                with served(APP) as (url, _launched, _healthy):
                    cold.append(_open(browser, f"{url}/Lead?lead={SHOWCASE_LEAD}"))
                    for name, seconds in _switches(
                        browser, f"{url}/Lead?lead={SHOWCASE_LEAD}", LEAD_TABS
                    ).items():
                        switches[name].append(seconds)
                    _open(browser, f"{url}/Lead?lead={WARM_FIRST_LEAD}")
                    warm.append(_open(browser, f"{url}/Lead?lead={WARM_LEAD}"))
                    again.append(_open(browser, f"{url}/Lead?lead={WARM_LEAD}"))
        finally:
            browser.close()
    return LeadBrowser(
        cold=statistics.median(cold),
        warm=statistics.median(warm),
        second_context=statistics.median(again),
        bare_page=statistics.median(bare),
        switches={name: statistics.median(values) for name, values in switches.items()},
        bare_switch=statistics.median(bare_switches),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lead_browser", description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    result = measure(args.rounds)
    print(f"bare page {result.bare_page:.2f} s; bare tab switch {result.bare_switch:.2f} s")
    print(
        f"Lead deep link: cold {result.cold:.2f} s, warm {result.warm:.2f} s, same user in a "
        f"new context {result.second_context:.2f} s"
    )
    for name, seconds in result.switches.items():
        print(f"  switch to {name}: {seconds:.2f} s ({seconds / result.bare_switch:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
