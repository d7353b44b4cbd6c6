"""Where Chromium's time goes on a page of the app: ``python -m benchmarks.profile_browser``.

Starts the app on a free port, opens the page once to warm the server, then opens it again
in a new browser context (an empty cache, as a new tab from a ticket) with Chromium's own
instruments on, and prints:

- the renderer's metrics (CDP ``Performance.getMetrics``): main-thread task, script, layout
  and style time, DOM nodes; and the CPU of every Chromium process and of the server (the
  benchmarks' figures);
- the main thread's JavaScript by script file (CDP ``Profiler``, sampling): which chunk of
  Streamlit's frontend costs what (a chart library, the grid, markdown, React itself);
- the bytes of each response the page loaded;
- with ``--tab NAME`` (repeatable), the same for a click on each Lead tab in turn.

The bare page (``benchmarks/bare_app.py``) the same way with ``--bare``. Issue 18 used it to
find plotly's 4.7 MB (the capture map, the charts) on the first view of a lead.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Final

from benchmarks.cpu import browser_cpu, cpu_seconds, load_average
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
METRICS: Final = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
SAMPLING_US: Final = 200
TOP: Final = 12


def _script(frame: dict[str, Any]) -> str:
    url = str(frame.get("url") or "")
    return url.rsplit("/", 1)[-1] or str(frame.get("functionName") or "(native)")


def script_times(profile: dict[str, Any]) -> Counter[str]:
    """Milliseconds of main-thread samples per script file (self time; idle included, as
    '(idle)', native work as '(program)' and '(garbage collector)')."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    deltas = [*profile["timeDeltas"][1:], 0]
    times: Counter[str] = Counter()
    for sample, delta in zip(profile["samples"], deltas, strict=True):
        times[_script(nodes[sample]["callFrame"])] += delta / 1000
    return times


def _report(label: str, cost: tuple[float, float, float], metrics: dict[str, float]) -> None:
    wall, server, browser = cost
    print(
        f"== {label}: {wall:.2f} s wall, CPU {1000 * server:.0f} ms server"
        f" + {1000 * browser:.0f} ms Chromium"
    )
    shown = ", ".join(f"{name} {1000 * metrics.get(name, 0):.0f} ms" for name in METRICS)
    print(f"   renderer: {shown}, {metrics.get('Nodes', 0):.0f} DOM nodes")


def _print_times(times: Counter[str]) -> None:
    for script, ms in times.most_common(TOP):
        print(f"   {ms:8.0f} ms  {script}")


def profile_page(script: Path, path: str, tabs: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            with served_process(script) as (url, _launched, _healthy, pid):
                warm = browser.new_context(viewport=VIEWPORT)
                page = warm.new_page()
                page.goto(f"{url}{path}")
                page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
                warm.close()
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                sizes: Counter[str] = Counter()

                def note_size(response: Any) -> None:
                    try:
                        sizes[response.url.rsplit("/", 1)[-1][:60]] += len(response.body())
                    except Exception:  # a redirect or a closed page has no body
                        return

                page.on("response", note_size)
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLING_US})

                def measured(action: Any) -> tuple[tuple[float, float, float], Counter[str]]:
                    cdp.send("Profiler.start")
                    server, chromium = cpu_seconds(pid), browser_cpu()
                    started = time.perf_counter()
                    action()
                    wall = time.perf_counter() - started
                    cost = (wall, cpu_seconds(pid) - server, browser_cpu() - chromium)
                    return cost, script_times(cdp.send("Profiler.stop")["profile"])

                def metrics() -> dict[str, float]:
                    answer = cdp.send("Performance.getMetrics")
                    return {item["name"]: item["value"] for item in answer["metrics"]}

                def open_page() -> None:
                    page.goto(f"{url}{path}")
                    page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)

                cost, times = measured(open_page)
                _report(f"{script.name} {path}", cost, metrics())
                _print_times(times)
                print(f"   {sum(sizes.values()):,} bytes loaded, the largest:")
                for name, size in sizes.most_common(8):
                    print(f"   {size:10,d}  {name}")
                for name in tabs:
                    before = metrics()

                    def click(tab: str = name) -> None:
                        page.get_by_role("tab", name=tab, exact=True).click()
                        page.wait_for_function(OPEN_TAB_DRAWN, timeout=DRAW_TIMEOUT_MS, polling=10)

                    cost, times = measured(click)
                    after = metrics()
                    _report(
                        f"tab {name}", cost, {key: after[key] - before.get(key, 0) for key in after}
                    )
                    _print_times(times)
                context.close()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_browser", description=__doc__
    )
    parser.add_argument("--path", default=f"/Lead?lead={SHOWCASE_LEAD}")
    parser.add_argument("--tab", action="append", default=[], help="a Lead tab to click after")
    parser.add_argument("--bare", action="store_true", help="the bare page instead of the app")
    args = parser.parse_args(argv)
    print(load_average())
    profile_page(BARE_APP if args.bare else APP, "/" if args.bare else args.path, args.tab)
    print(load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
