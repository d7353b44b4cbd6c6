"""Every figure of issues 14, 18, 21 and 23 with its goal and PASS/FAIL: ``python -m benchmarks``
(``make bench``).

Rows, each measured on its own (a row that fails prints FAIL with the reason, and the others
still run):

- the dossier at 100 ms per request: from a bare id (<= 3.2x one latency), with campaign and
  email known (<= 2.2x), and against the same requests one after another (>= 5x faster);
- in Debian's Chromium: the cold start of ``streamlit run app.py`` to its first page drawn,
  against a bare app showing one dataframe (<= 1.25x), and a Lead deep link loaded first on a
  running server, against the bare app's page (<= 1.2x);
- the evidence pack of lead 100001 (``benchmarks.evidence``): dossier, signals and ZIP from
  the in-process demo sandbox, under 2 s (a timed test before);
- bulk edit (issue 21): 500 leads saved over HTTP at 100 ms per request, within 1.5x of
  (500 / concurrency) x one measured round trip, with the load average it ran under;
- the Lead page in Chromium (``benchmarks.lead_browser``): deep link cold, warm, and the same
  lead by the same user in a new browser context, each against the bare page (<= 1.2x); a
  switch to each tab of lead 100001, click to settled, against a bare two-tab page (<= 2x);
- ten analysts on one server (``benchmarks.load``, browserless sessions): for 1, 4 and 10 at
  once, the server's CPU per lead open (<= 0.3 s), the time to content (p95 <= 5 s at 10) and
  no error; the memory of an idle session (<= 10 MiB) and that it is released;
- the campaign audit (issue 19, ``benchmarks.audit``): the analysis of 200,000 leads (1M with
  ``--audit-million``: <= 3 s, <= 1 GiB), the fetch over HTTP against a bare httpx loop with
  1, 2 and 4 sub-windows (<= 1.25x), a refresh with nothing new (<= 10% of the first fetch),
  the Audit page's first render from an existing 200k snapshot in Chromium (<= 2 s, on the
  server's and Chromium's CPU time); the analysis is judged on CPU time too;
- the Leads search (issue 18, ``benchmarks.lead_pages --only-search``): 'bennett' in the
  largest campaign of a 200k-lead sandbox (``--search-db``, seeded by ``make bench-search``)
  against the demo one, by CPU time (<= 2x);
- with ``--million PATH`` (an existing sandbox seeded with ``--leads 1000000``, which takes
  minutes), each lead-list request of ``benchmarks.lead_pages`` on that database against the
  demo database (<= 2x each).

Ratios on one machine, so its speed cancels out. Beside the wall times, the CPU they cost
(the dossier's client, the Lead page's server and Chromium, the search's process) and the
load average: a loaded machine stretches wall times, barely CPU times. One section alone:
``--only NAME`` (``make bench-lead``, ``bench-first-render``, ``bench-dossier``,
``bench-search``). Exit status 1 when a row fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from benchmarks import (
    audit,
    bulk,
    cpu,
    dossier,
    evidence,
    first_render,
    lead_browser,
    lead_pages,
    load,
)

COLD_START_GOAL: Final = 1.25
DEEP_LINK_GOAL: Final = 1.2
WARM_DEEP_LINK_GOAL: Final = 1.2
"""A lead opened on a warm server, and again by the same user in a new context: about the
bare page (the issue says "about the bare page"; 1.2x as the cold one)."""
TAB_SWITCH_GOAL: Final = 2.0
"""A Lead tab switch, click to settled, at most this multiple of a bare two-tab page's
("instant": the open tab drawn from the caches, no request)."""
LOAD_USERS: Final = (1, 4, 10)
LEAD_PAGES_GOAL: Final = 2.0
SEARCH_DB: Final = Path(".data/sandbox-200k.sqlite")
"""The 200k-lead sandbox of the search row (`make bench-search` seeds it once)."""
ROUNDS: Final = 3
"""Rounds of the browser rows (each starts four Streamlit servers)."""


@dataclass(frozen=True)
class Row:
    figure: str
    goal: str
    measured: str
    passed: bool | None
    """None: not run (its option not given)."""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "-"}[self.passed]


Measure = Callable[[argparse.Namespace], list[Row]]


def dossier_rows(args: argparse.Namespace) -> list[Row]:
    with dossier.served_sandbox(args.latency_ms) as base_url:
        bare, known = dossier.measure(base_url, dossier.LEAD_IDS, args.repeats, args.latency_ms)
    where = f"{args.latency_ms} ms per request"
    cpu = f"client CPU {bare.cpu_ms:.0f} / {known.cpu_ms:.0f} ms per dossier (bare / known)"
    print(f"  {cpu}; {lead_pages.load_average()}", file=sys.stderr)
    return [
        Row(
            f"dossier from a bare id, {where}",
            f"<= {dossier.GOAL_BARE}x",
            f"{bare.latency_multiple:.2f}x ({bare.median_ms:.0f} ms wall, client CPU"
            f" {bare.cpu_ms:.0f} ms; {lead_pages.load_average()})",
            bare.latency_multiple <= dossier.GOAL_BARE,
        ),
        Row(
            "dossier with campaign and email known",
            f"<= {dossier.GOAL_KNOWN}x",
            f"{known.latency_multiple:.2f}x ({known.median_ms:.0f} ms wall, client CPU"
            f" {known.cpu_ms:.0f} ms)",
            known.latency_multiple <= dossier.GOAL_KNOWN,
        ),
        Row(
            "dossier vs the same requests one after another",
            f">= {dossier.GOAL_SPEEDUP}x faster",
            f"{bare.speedup:.1f}x / {known.speedup:.1f}x (bare / known)",
            min(bare.speedup, known.speedup) >= dossier.GOAL_SPEEDUP,
        ),
    ]


def browser_rows(args: argparse.Namespace) -> list[Row]:
    before = cpu.load_average()
    result = first_render.measure(args.rounds)
    cold_cpu = result.cold_app_cpu / result.cold_bare_cpu
    page_cpu = result.deep_link_cpu / result.page_bare_cpu
    return [
        Row(
            "cold start: streamlit run app.py to the first page drawn, vs a bare app",
            f"<= {COLD_START_GOAL}x",
            f"{result.cold_ratio:.2f}x wall ({result.cold_app:.1f} s vs {result.cold_bare:.1f} s);"
            f" CPU {cold_cpu:.2f}x ({result.cold_app_cpu:.2f} s vs {result.cold_bare_cpu:.2f} s,"
            f" server and Chromium); {before}",
            result.cold_ratio <= COLD_START_GOAL,
        ),
        Row(
            "Lead deep link on a running server, first load, vs the bare page",
            f"<= {DEEP_LINK_GOAL}x",
            f"{result.deep_link_ratio:.2f}x wall ({result.deep_link_app:.1f} s vs "
            f"{result.page_bare:.1f} s); CPU {page_cpu:.2f}x ({result.deep_link_cpu:.2f} s vs"
            f" {result.page_bare_cpu:.2f} s); {before}",
            result.deep_link_ratio <= DEEP_LINK_GOAL,
        ),
    ]


def lead_browser_rows(args: argparse.Namespace) -> list[Row]:
    result = lead_browser.measure(args.rounds)
    bare, bare_switch = result.bare_page, result.bare_switch
    print(f"  {result.load_before} before; {result.load_after} after", file=sys.stderr)

    def row(figure: str, goal: float, cost: lead_browser.Cost, base: lead_browser.Cost) -> Row:
        ratio = cost.wall / base.wall
        cpu_ratio = cost.cpu / max(base.cpu, 1 / cpu.CLOCK_TICKS)
        return Row(
            figure,
            f"<= {goal}x",
            f"{ratio:.2f}x wall ({cost.wall:.2f} s vs {base.wall:.2f} s); CPU {cpu_ratio:.1f}x"
            f" (server {1000 * cost.server_cpu:.0f} + browser {1000 * cost.browser_cpu:.0f} ms"
            f" vs {1000 * base.server_cpu:.0f} + {1000 * base.browser_cpu:.0f} ms);"
            f" {result.load_before}",
            ratio <= goal,
        )

    rows = [
        row(
            "Lead deep link, cold (first on a running server), vs the bare page",
            DEEP_LINK_GOAL,
            result.cold,
            bare,
        ),
        row(
            "Lead deep link, warm (another lead opened before), vs the bare page",
            WARM_DEEP_LINK_GOAL,
            result.warm,
            bare,
        ),
        row(
            "the same lead again, same user, new browser context, vs the bare page",
            WARM_DEEP_LINK_GOAL,
            result.second_context,
            bare,
        ),
    ]
    for name, cost in result.switches.items():
        rows.append(
            row(
                f"tab switch to {name} (lead {lead_browser.TABS_LEAD}), vs a bare two-tab page",
                TAB_SWITCH_GOAL,
                cost,
                bare_switch,
            )
        )
    return rows


def load_rows(args: argparse.Namespace) -> list[Row]:
    report = load.measure(LOAD_USERS, args.load_leads)
    load.print_report(report)
    rows: list[Row] = []
    for result in report.results:
        where = f"{result.users} analyst{'s' if result.users > 1 else ''}"
        rows.append(
            Row(
                f"load, {where}: server CPU per lead open",
                f"<= {load.GOAL_CPU_PER_OPEN} s",
                f"{result.cpu_per_open:.3f} s ({len(result.opens)} opens)",
                result.cpu_per_open <= load.GOAL_CPU_PER_OPEN,
            )
        )
        p95_goal = load.GOAL_P95_AT_10 if result.users >= max(LOAD_USERS) else None
        rows.append(
            Row(
                f"load, {where}: time to content median / p95, errors",
                f"p95 <= {p95_goal} s, no error" if p95_goal else "no error",
                f"{result.median:.2f} s / {result.p95:.2f} s, {len(result.errors)} errors",
                not result.errors and (p95_goal is None or result.p95 <= p95_goal),
            )
        )
    rows.append(
        Row(
            "memory per idle session, and left after the sessions end",
            f"<= {load.GOAL_IDLE_SESSION_MIB:g} MiB, released",
            f"{report.idle_session_mib:.1f} MiB each, {report.left_after_end_mib:+.1f} MiB "
            f"after {load.IDLE_SESSIONS} ended",
            report.idle_session_mib <= load.GOAL_IDLE_SESSION_MIB
            and report.left_after_end_mib
            <= load.RELEASED_SHARE * report.idle_session_mib * load.IDLE_SESSIONS,
        )
    )
    print(f"  load average before {report.load_before}; after {report.load_after}", file=sys.stderr)
    return rows


def lead_page_rows(args: argparse.Namespace) -> list[Row]:
    large: Path | None = args.million
    if large is None:
        return [
            Row(
                "lead pages of the largest campaign, 1M-lead vs demo sandbox",
                f"<= {LEAD_PAGES_GOAL}x each",
                "not run: give --million PATH (a sandbox seeded with --leads 1000000)",
                None,
            )
        ]
    if not large.exists():
        raise FileNotFoundError(f"expected a seeded sandbox database at {large}, found none")
    from lib.connect import sandbox_database

    return _large_database_rows(args.small or sandbox_database(), large, "lead page", None)


def _large_database_rows(
    small_db: Path, large_db: Path, label: str, only: tuple[str, ...] | None
) -> list[Row]:
    """Each lead-list request on `large_db` against `small_db`, by CPU time (the machine's
    other work barely moves it; wall time beside it), with the load average it ran at."""
    before = lead_pages.load_average()
    (small_described, small), (large_described, big) = lead_pages.measure_all(
        [small_db, large_db], only
    )
    rows: list[Row] = []
    for name, small_timing in small.items():
        large_timing = big[name]
        ratio = large_timing.cpu_ms / small_timing.cpu_ms
        rows.append(
            Row(
                f"{label}: {name}",
                f"<= {LEAD_PAGES_GOAL}x CPU",
                f"{ratio:.2f}x ({large_timing.cpu_ms:.2f} vs {small_timing.cpu_ms:.2f} ms CPU;"
                f" wall {large_timing.median_ms:.1f} vs {small_timing.median_ms:.1f} ms;"
                f" {large_timing.total:,} vs {small_timing.total:,} found; {before})",
                ratio <= LEAD_PAGES_GOAL,
            )
        )
    print(f"  large: {large_described}; small: {small_described}", file=sys.stderr)
    return rows


def search_rows(args: argparse.Namespace) -> list[Row]:
    """Issue 18: the Leads search on a 200k-lead sandbox against the 5k-lead demo one."""
    from lib.connect import sandbox_database

    large: Path = args.search_db
    if not large.exists():
        return [
            Row(
                f"list page search, 200k-lead vs 5k-lead sandbox ({lead_pages.SEARCH_ROW})",
                f"<= {LEAD_PAGES_GOAL}x CPU",
                f"not run: no {large} (make bench-search seeds it once, minutes)",
                None,
            )
        ]
    return _large_database_rows(
        args.small or sandbox_database(), large, "200k vs 5k leads", lead_pages.SEARCH_ROWS
    )


def bulk_rows(args: argparse.Namespace) -> list[Row]:
    figures = bulk.measure(args.latency_ms)
    return [
        Row(
            f"bulk edit of {figures.leads} leads, {args.latency_ms} ms per request",
            f"<= {bulk.GOAL}x of ideal",
            bulk.describe(figures),
            figures.passed,
        )
    ]


def evidence_rows(_args: argparse.Namespace) -> list[Row]:
    figures = evidence.measure()
    return [
        Row(
            f"evidence pack of lead {evidence.LEAD} (dossier, signals, ZIP; in-process sandbox)",
            f"<= {evidence.GOAL_SECONDS:g} s",
            evidence.describe(figures),
            figures.passed,
        )
    ]


def audit_analysis_rows(args: argparse.Namespace) -> list[Row]:
    count = audit.MILLION if args.audit_million else audit.DEFAULT_LEADS
    before = audit.load_average()
    quiet = os.getloadavg()[0] < 1.0
    figures = audit.measure_analysis(count)
    wall, cpu, peak = figures["wall"], figures["cpu"], figures["peak_bytes"]
    # The goal is for 1M leads; a smaller run is judged on the same leads-per-second. The
    # issue names the time on this 2-core machine: on a quiet machine that is the wall time;
    # on a loaded one the wall time is mostly the queue for the cores, so the run is judged
    # on its CPU time (both cores' work added), the stricter figure.
    budget = audit.ANALYSIS_GOAL_SECONDS * count / audit.MILLION
    judged, measure = (wall, "wall (quiet: load < 1)") if quiet else (cpu, "CPU (loaded)")
    rows = [
        Row(
            f"audit analysis of {count:,} leads (every signal and the clusters)",
            f"<= {budget:.1f} s, <= 1 GiB",
            f"{wall:.1f} s wall, {cpu:.1f} s CPU, judged on {measure}; peak "
            f"{peak / 2**20:,.0f} MiB ({figures['findings']:,.0f} findings; {before})",
            judged <= budget and peak <= audit.ANALYSIS_GOAL_BYTES,
        )
    ]
    if not args.audit_million:
        rows.append(
            Row(
                "audit analysis of 1,000,000 leads",
                "<= 3 s, <= 1 GiB",
                "not run: give --audit-million",
                None,
            )
        )
    return rows


def audit_fetch_rows(args: argparse.Namespace) -> list[Row]:
    """Against the 200k-lead sandbox the issue names when it is there (``--search-db``,
    seeded by ``make bench-audit``), else against the demo one (said in each row)."""
    before = audit.load_average()
    database: Path | None = args.search_db if args.search_db.exists() else None
    seed = "200k-lead seed" if database else "demo seed (no 200k-lead one)"
    rows = [
        Row(figure.replace("over HTTP,", f"over HTTP, {seed},"), goal, f"{measured}; {before}",
            passed)
        for figure, goal, measured, passed in audit.measure_fetch(database)
    ]  # fmt: skip
    return rows


def audit_page_rows(_args: argparse.Namespace) -> list[Row]:
    before = audit.load_average()
    figures = audit.measure_first_render()
    spent = figures["server_cpu"] + figures["browser_cpu"]
    return [
        Row(
            f"Audit page first render from a snapshot of {figures['leads']:,.0f} leads "
            "(Run audit pressed to findings drawn)",
            f"<= {audit.FIRST_RENDER_GOAL:.0f} s CPU (server + Chromium)",
            f"{spent:.2f} s CPU (server {figures['server_cpu']:.2f} s, Chromium "
            f"{figures['browser_cpu']:.2f} s), {figures['drawn']:.2f} s wall; the page's own "
            f"load {figures['load']:.2f} s; {before}",
            spent <= audit.FIRST_RENDER_GOAL,
        )
    ]


SECTIONS: Final[dict[str, tuple[str, Measure]]] = {
    "audit-analysis": ("campaign audit: analysis", audit_analysis_rows),
    "audit-fetch": ("campaign audit: fetch and refresh over HTTP", audit_fetch_rows),
    "audit-page": ("campaign audit: the Audit page's first render", audit_page_rows),
    "dossier": ("dossier", dossier_rows),
    "bulk": ("bulk edit", bulk_rows),
    "evidence": ("evidence pack", evidence_rows),
    "browser": ("first render in Chromium", browser_rows),
    "lead": ("the Lead page in Chromium: deep links and tab switches", lead_browser_rows),
    "load": ("ten analysts on one server (benchmarks.load)", load_rows),
    "search": ("Leads search at 200k leads (benchmarks.lead_pages)", search_rows),
    "pages": ("lead pages at 1M leads", lead_page_rows),
}


def run_section(name: str, measure: Measure, args: argparse.Namespace) -> list[Row]:
    """The rows of one section, or one FAIL row saying why it could not be measured."""
    print(f"measuring {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        rows = measure(args)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:160]
        return [Row(name, "-", f"not measured: {reason}", False)]
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def print_table(rows: list[Row]) -> None:
    widths = [
        max(len(header), *(len(value) for value in column))
        for header, column in (
            ("figure", [row.figure for row in rows]),
            ("goal", [row.goal for row in rows]),
            ("measured", [row.measured for row in rows]),
        )
    ]
    header = f"{'figure':<{widths[0]}}  {'goal':<{widths[1]}}  {'measured':<{widths[2]}}  result"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.figure:<{widths[0]}}  {row.goal:<{widths[1]}}  {row.measured:<{widths[2]}}  "
            f"{row.verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--million",
        type=Path,
        help="an existing sandbox database seeded with --leads 1000000 (the 1M-lead rows)",
    )
    parser.add_argument(
        "--search-db",
        type=Path,
        default=SEARCH_DB,
        help=f"a sandbox seeded with --leads 200000 for the search row (default {SEARCH_DB})",
    )
    parser.add_argument(
        "--small",
        type=Path,
        help="the database the 1M one is compared with (default: the demo sandbox)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        help="measure only these sections (repeatable)",
    )
    parser.add_argument(
        "--audit-million",
        action="store_true",
        help="the audit's analysis row over 1,000,000 synthetic leads (default 200,000)",
    )
    parser.add_argument("--latency-ms", type=int, default=dossier.LATENCY_MS)
    parser.add_argument("--repeats", type=int, default=dossier.REPEATS, help="dossier loads")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="browser rounds")
    parser.add_argument("--load-leads", type=int, default=2, help="leads each analyst opens")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for key, (name, measure) in SECTIONS.items():
        if args.only and key not in args.only:
            continue
        rows.extend(run_section(name, measure, args))
    print_table(rows)
    return 1 if any(row.passed is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
