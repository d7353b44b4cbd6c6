"""The campaign audit's figures (issue 19), each with its goal:

- analysis: every signal, the clusters and the scorecard over N leads already in a snapshot
  (synthetic leads with planted duplicates, shared devices and IPs, written by one child
  process), wall and CPU time and the peak memory of another child that only opens the
  snapshot and analyses it; goal for 1,000,000 leads: <= 3 s and <= 1 GiB
  (``--audit-million``); by default 200,000, judged on the same leads per second. The time is
  judged on CPU time (DuckDB's threads included): on a shared machine the wall clock measures
  the neighbours, and on this idle 2-core machine the wall time is at most the CPU time;
- fetch over HTTP (the sandbox served on a free port): the largest campaign of the demo
  database read by the audit's fetch with 1, 2 and 4 sub-windows, against a bare httpx loop
  reading the same pages with the same concurrency in the same run (<= 1.25x), three rounds
  each, alternating which of the two goes first (the first warms the server's caches), judged
  on the median ratio;
- a refresh with nothing new against the first fetch (<= 10%);
- the Audit page's first render from an existing snapshot of 200,000 leads (<= 2 s): in
  Chromium, from pressing Run audit to the figures and findings drawn, judged on the CPU
  seconds of the server and Chromium meanwhile (the wall clock is printed beside them).

Timings on a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import httpx
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from lib.audit.fetch import FetchResult
    from lib.audit.run import AuditScope
    from lib.audit.settings import AuditSettings
    from lib.audit.snapshot import Snapshot
    from lib.convertr import ConvertrClient

ANALYSIS_GOAL_SECONDS: Final = 3.0
ANALYSIS_GOAL_BYTES: Final = 1 << 30
MILLION: Final = 1_000_000
DEFAULT_LEADS: Final = 200_000
FETCH_GOAL: Final = 1.25
FIRST_RENDER_GOAL: Final = 2.0
FIRST_RENDER_LEADS: Final = 200_000
SANDBOX_USER: Final = "analyst@sandbox.test"
"""Who the sandbox signs in by default: the snapshot is theirs."""
LEAD_ID_OFFSET: Final = 10_000_000
"""Synthetic lead ids start above the sandbox's, so a refresh replaces none of them."""
REFRESH_GOAL: Final = 0.10
SUB_WINDOWS: Final = (1, 2, 4)
FETCH_ROUNDS: Final = 3
"""Rounds of bare loop and fetch per sub-window count; the row is judged on their median."""


def synthetic_frame(count: int, seed: int = 19) -> pd.DataFrame:
    """`count` audit rows over 30 days: most people unique, some repeating (emails, phones,
    devices), a few busy IPs, a night-posting sub-ID."""
    from lib.audit.records import COLUMNS

    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-11-01T00:00:00", "us")
    seconds = np.sort(rng.integers(0, 30 * 86400, count))
    people = np.where(
        rng.random(count) < 0.03, rng.integers(0, count // 50, count), np.arange(count) + count
    )
    frame = pd.DataFrame(
        {
            "lead_id": np.arange(1, count + 1, dtype="int64"),
            "campaign_id": rng.integers(1, 6, count),
            "publisher_id": rng.integers(1, 40, count),
            "sub_id": pd.array([f"s{n}" for n in rng.integers(0, 12, count)], dtype="string"),
            "created_ts": start + seconds.astype("timedelta64[s]"),
            "local_ts": start + (seconds + 3600).astype("timedelta64[s]"),
            "local_zone": "Europe/London",
            "status": pd.array(
                rng.choice(["Valid", "Caution", "Invalid"], count, p=[0.7, 0.2, 0.1])
            ),
            "first_name": pd.array([f"Name{chr(97 + p % 26)}x" for p in people], dtype="string"),
            "last_name": pd.array([f"Family{chr(98 + p % 24)}y" for p in people], dtype="string"),
            "company": "Analytical Engines",
            "job_title": "Head of Data",
            "email_key": pd.array([f"h{p:x}" for p in people], dtype="string"),
            "email_domain": "example.com",
            "domain_disposable": rng.random(count) < 0.01,
            "bv_disposable": rng.random(count) < 0.01,
            "nb_result": "valid",
            "phone_e164": pd.array([f"+4420{p:08d}" for p in people], dtype="string"),
            "phone_country": "GB",
            "country": "GB",
            "ip": pd.array(
                [
                    f"81.{(p >> 16) & 255}.{(p >> 8) & 255}.{p & 255}"
                    for p in rng.integers(0, count * 2, count)
                ],
                dtype="string",
            ),
            "ip_kind": "public",
            "ip_country": pd.array(rng.choice(["GB", "US"], count, p=[0.99, 0.01]), dtype="string"),
            "fingerprint": pd.array([f"fp{p:x}" for p in people], dtype="string"),
            "publisher_payout": rng.uniform(0, 40, count).round(2),
        }
    )
    return frame[list(COLUMNS)].astype(COLUMNS)


def _build_child(count: int, folder: str) -> None:
    """Run in a child: write a snapshot of `count` synthetic leads into `folder`."""
    from lib.audit.snapshot import Snapshot

    snapshot = Snapshot.open("bench", "bench", masked=False, directory=Path(folder))
    snapshot.store(synthetic_frame(count))
    snapshot.close()


def _page_snapshot_child(count: int, folder: str) -> None:
    """Run in a child: the sandbox user's snapshot of `count` leads of campaign 1 over the
    last 30 days, recorded as a complete fetch of that window (as a run would leave it)."""
    from lib.audit.snapshot import Snapshot

    today = dt.datetime.now(dt.UTC).date()
    first = dt.datetime.combine(today - dt.timedelta(days=29), dt.time())
    frame = synthetic_frame(count)
    shift = np.datetime64(first, "us") - frame["created_ts"].min().to_datetime64()
    frame["created_ts"] = frame["created_ts"] + shift
    frame["local_ts"] = frame["local_ts"] + shift
    frame["campaign_id"] = 1
    frame["lead_id"] = frame["lead_id"] + LEAD_ID_OFFSET
    snapshot = Snapshot.open("Sandbox", SANDBOX_USER, masked=False, directory=Path(folder))
    snapshot.store(frame)
    snapshot.record_fetch(
        campaigns=(1,),
        window_from=today - dt.timedelta(days=29),
        window_to=today,
        fetched_at=dt.datetime.now(dt.UTC),
        complete=True,
    )
    snapshot.close()


def measure_first_render(count: int = FIRST_RENDER_LEADS) -> dict[str, float]:
    """The Audit page in Chromium over an existing snapshot of `count` leads: from pressing
    Run audit (a refresh of the look-back, then every signal) to the figures and findings
    drawn; the page's own load before it; the server's and Chromium's CPU seconds meanwhile."""
    from playwright.sync_api import sync_playwright

    from benchmarks.cpu import browser_cpu, cpu_seconds
    from benchmarks.first_render import APP, DRAW_TIMEOUT_MS, DRAWN_SCRIPT, served_process
    from benchmarks.screenshots import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "benchmarks.audit", "page-snapshot", str(count), folder],
            check=True,
            timeout=1800,
        )
        os.environ["LEADLENS_AUDIT_DIR"] = folder
        try:
            with (
                served_process(APP) as (url, _launched, _healthy, pid),
                sync_playwright() as driver,
            ):
                browser = driver.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
                )
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                requested = time.perf_counter()
                page.goto(f"{url}/Audit?campaign=1")
                page.get_by_role("button", name="Run audit").wait_for(timeout=DRAW_TIMEOUT_MS)
                page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
                loaded = time.perf_counter() - requested
                server_before, browser_before = cpu_seconds(pid), browser_cpu()
                pressed = time.perf_counter()
                page.get_by_role("button", name="Run audit").click()
                page.get_by_text("Leads audited").wait_for(timeout=DRAW_TIMEOUT_MS)
                page.get_by_test_id("stDataFrame").first.wait_for(timeout=DRAW_TIMEOUT_MS)
                page.wait_for_function(DRAWN_SCRIPT, timeout=DRAW_TIMEOUT_MS, polling=20)
                drawn = time.perf_counter() - pressed
                server, chromium = cpu_seconds(pid) - server_before, browser_cpu() - browser_before
                audited = page.get_by_test_id("stMetricValue").first.inner_text()
                browser.close()
        finally:
            os.environ.pop("LEADLENS_AUDIT_DIR", None)
    return {
        "load": loaded,
        "drawn": drawn,
        "server_cpu": server,
        "browser_cpu": chromium,
        "leads": float(audited.replace(",", "")),
    }


def _analysis_child(folder: str) -> None:
    """Run in a child: open the snapshot already in `folder` and time the analysis alone, so
    the peak memory is the analysis's (not the making of the synthetic leads); print JSON."""
    from lib.audit.run import AuditScope, analyse, scope_view
    from lib.audit.settings import AuditSettings
    from lib.audit.signals import AuditContext
    from lib.audit.snapshot import Snapshot

    snapshot = Snapshot.open("bench", "bench", masked=False, directory=Path(folder))
    scope = AuditScope((1, 2, 3, 4, 5), dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with snapshot.cursor() as db:
        scope_view(db, scope)
        result = analyse(db, scope, AuditContext(AuditSettings()))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    snapshot.close()
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                "peak_bytes": after.ru_maxrss * 1024,
                "leads": result.leads,
                "findings": len(result.findings),
                "clusters": len(result.clusters),
            }
        )
    )


def measure_analysis(count: int) -> dict[str, float]:
    """The analysis of `count` leads already in a snapshot: built in one child, analysed in
    another (CPU time counts DuckDB's threads too)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "benchmarks.audit", "build", str(count), folder],
            check=True,
            timeout=1800,
        )
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.audit", "analysis", folder],
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _largest_campaign(base_url: str) -> int:
    from lib.connect import connect, sandbox_config

    config = sandbox_config().model_copy(update={"base_url": base_url})
    with connect(config) as client:
        statistics = client.statistics(
            [c.id for c in client.campaigns_page(items_per_page=100).items]
        )
    return max(statistics, key=lambda s: s.total).campaign_id


def _bare_fetch(
    base_url: str, token: str, windows: list[tuple[int, dt.datetime, dt.datetime]], parallel: int
) -> int:
    """The same pages with httpx alone: JSON decoded as the client decodes it (pydantic-core's
    parser, several times faster than `response.json()`), nothing else."""
    from lib.audit.fetch import _stamp
    from lib.convertr.hydra import json_or_none

    read = 0
    lock = threading.Lock()
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:

        def window(item: tuple[int, dt.datetime, dt.datetime]) -> None:
            nonlocal read
            campaign, start, end = item
            page = 1
            while True:
                response = http.get(
                    "/api/v4/leads",
                    params=[
                        ("campaign.id", campaign),
                        ("createdTs[after]", _stamp(start)),
                        ("createdTs[strictly_before]", _stamp(end)),
                        ("order[createdTs]", "asc"),
                        ("order[id]", "asc"),
                        ("page", page),
                        ("itemsPerPage", 500),
                    ],
                )
                answer = json_or_none(response)
                assert isinstance(answer, dict), "a collection is a JSON object"
                members = answer.get("hydra:member", answer.get("member")) or []
                with lock:
                    read += len(members)
                view = answer.get("hydra:view", answer.get("view", {})) or {}
                if not members or not (view.get("hydra:next") or view.get("next")):
                    return
                page += 1

        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(window, windows))
    return read


@dataclass(frozen=True)
class FetchRound:
    """One round of a fetch row: the bare loop's and our fetch's wall times and leads."""

    bare: float
    ours: float
    bare_leads: int
    our_leads: int

    @property
    def ratio(self) -> float:
        return self.ours / self.bare if self.bare else float("inf")


def bare_goes_first(round_index: int) -> bool:
    """Which of the two runs of a round goes first: the bare loop in rounds 0, 2, ... and
    ours in rounds 1, 3, ..., so neither always meets the server's caches cold."""
    return round_index % 2 == 0


def judged(rounds: list[FetchRound]) -> tuple[float, bool]:
    """The rounds' median ratio, and whether it meets the goal with every round reading
    as many leads as the bare loop."""
    ratio = statistics.median(item.ratio for item in rounds)
    same = all(item.our_leads == item.bare_leads for item in rounds)
    return ratio, ratio <= FETCH_GOAL and same


def _timed_bare(
    base_url: str, token: str, windows: list[tuple[int, dt.datetime, dt.datetime]], parallel: int
) -> tuple[float, int]:
    started = time.perf_counter()
    leads = _bare_fetch(base_url, token, windows, parallel)
    return time.perf_counter() - started, leads


def _timed_fetch(
    client: ConvertrClient,
    snapshot: Snapshot,
    scope: AuditScope,
    settings: AuditSettings,
    now: dt.datetime,
) -> tuple[float, FetchResult]:
    from lib.audit.fetch import fetch_scope

    started = time.perf_counter()
    result = fetch_scope(client, snapshot, scope, settings, now=now)
    return time.perf_counter() - started, result


def measure_fetch(database: Path | None = None) -> list[tuple[str, str, str, bool]]:
    """The fetch rows, against `database` served over HTTP (the demo sandbox when None): for
    each sub-window count, `FETCH_ROUNDS` rounds of the bare loop and our fetch (into a fresh
    snapshot, through a fresh client), alternating which goes first; judged on the median
    ratio. Then a refresh with nothing new of the last snapshot."""
    from benchmarks.dossier import served_sandbox
    from lib.audit.fetch import fetch_scope, sub_windows
    from lib.audit.run import AuditScope
    from lib.audit.settings import AuditSettings
    from lib.audit.snapshot import Snapshot
    from lib.connect import connect, sandbox_config

    rows = []
    with served_sandbox(0, database) as base_url, tempfile.TemporaryDirectory() as folder:
        campaign = _largest_campaign(base_url)
        config = sandbox_config().model_copy(update={"base_url": base_url})
        scope = AuditScope((campaign,), dt.date(2000, 1, 1), dt.date.today())
        now = dt.datetime.now(dt.UTC)
        start = dt.datetime.combine(scope.window_from, dt.time(), dt.UTC)
        end = now.replace(microsecond=0) + dt.timedelta(seconds=1)
        first_fetch = 0.0
        for parallel in SUB_WINDOWS:
            settings = AuditSettings(sub_windows=parallel)
            windows = [
                (w.campaign_id, w.start, w.end)
                for w in sub_windows([campaign], start, end, parallel)
            ]
            rounds: list[FetchRound] = []
            for index in range(FETCH_ROUNDS):
                with connect(config) as client:
                    client.authenticate()
                    token = client.auth.bearer_token()  # the bare loop sends the same token
                    snapshot = Snapshot.open(
                        "bench", f"u{parallel}-{index}", masked=False, directory=Path(folder)
                    )
                    if bare_goes_first(index):
                        bare, bare_leads = _timed_bare(base_url, token, windows, parallel)
                        ours, result = _timed_fetch(client, snapshot, scope, settings, now)
                    else:
                        ours, result = _timed_fetch(client, snapshot, scope, settings, now)
                        bare, bare_leads = _timed_bare(base_url, token, windows, parallel)
                    rounds.append(FetchRound(bare, ours, bare_leads, result.leads))
                    last = parallel == SUB_WINDOWS[-1] and index == FETCH_ROUNDS - 1
                    if last:
                        first_fetch = statistics.median(item.ours for item in rounds)
                        started = time.perf_counter()
                        refresh = fetch_scope(
                            client, snapshot, scope, settings, now=now, refresh=True
                        )
                        refreshed = time.perf_counter() - started
                    snapshot.close()
            ratio, passed = judged(rounds)
            ours_median = statistics.median(item.ours for item in rounds)
            bare_median = statistics.median(item.bare for item in rounds)
            each = "/".join(f"{item.ratio:.2f}" for item in rounds)
            rows.append(
                (
                    f"audit fetch over HTTP, campaign {campaign}, {parallel} sub-window(s)",
                    f"<= {FETCH_GOAL}x bare httpx (median of {FETCH_ROUNDS} rounds)",
                    f"{ratio:.2f}x (rounds {each}, alternating which runs first; "
                    f"{rounds[0].our_leads / ours_median:,.0f} leads/s; bare "
                    f"{rounds[0].bare_leads / bare_median:,.0f} leads/s)",
                    passed,
                )
            )
        share = refreshed / first_fetch if first_fetch else float("inf")
        rows.append(
            (
                "audit refresh with nothing new vs first fetch",
                f"<= {REFRESH_GOAL:.0%}",
                f"{share:.0%} ({refresh.leads:,} leads re-read in the 7-day look-back, "
                f"{refreshed:.2f} s vs {first_fetch:.2f} s)",
                share <= REFRESH_GOAL,
            )
        )
    return rows


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        _build_child(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "page-snapshot":
        _page_snapshot_child(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "analysis":
        _analysis_child(sys.argv[2])
