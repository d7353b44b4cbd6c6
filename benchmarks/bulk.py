"""Bulk edit benchmark: 500 leads saved over HTTP against the sandbox served with 100 ms latency.

Run as ``python -m benchmarks.bulk`` (``make bench`` prints it with every other figure).
Seeds a private sandbox database (the demo one is never written), serves it with ``python -m
lib.sandbox serve --latency-ms 100`` on a free port, measures one round trip (the median of
single POSTs of a lead value, sent one after another), reviews 500 leads and saves them with
bounded concurrency. Goal (issue 21): the save within 1.5x of (500 / concurrency) x one round
trip. The machine's load average is printed with the figures: a loaded machine stretches the
server's share of each round trip.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import SecretStr

from benchmarks.dossier import served_sandbox
from lib.connect import connect
from lib.convertr import ClientConfig
from lib.convertr.bulk import BULK_CONCURRENCY, load_for_review, save_bulk
from lib.views.bulk import BulkLead, BulkSpec, bulk_review

LATENCY_MS: Final = 100
LEADS: Final = 500
GOAL: Final = 1.5
"""The save's wall time at most this multiple of (LEADS / concurrency) x one round trip."""
ROUND_TRIP_SAMPLES: Final = 9
SEED_LEADS: Final = 600
SEED: Final = 42
FIELD: Final = "jobTitle"


@dataclass(frozen=True)
class BulkFigures:
    leads: int
    concurrency: int
    round_trip_ms: float
    review_ms: float
    save_ms: float
    client_cpu_ms: float
    saved: int
    load: tuple[float, float, float]

    @property
    def ideal_ms(self) -> float:
        return self.leads / self.concurrency * self.round_trip_ms

    @property
    def ratio(self) -> float:
        return self.save_ms / self.ideal_ms

    @property
    def passed(self) -> bool:
        return self.saved == self.leads and self.ratio <= GOAL


def _seed(directory: Path) -> Path:
    from lib.connect import seed_sandbox

    path = directory / "bulk-bench.sqlite"
    seed_sandbox(path, leads=SEED_LEADS, seed=SEED)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
    return path


def measure(
    latency_ms: int = LATENCY_MS, leads: int = LEADS, concurrency: int = BULK_CONCURRENCY
) -> BulkFigures:
    with tempfile.TemporaryDirectory(prefix="bulk-bench-") as directory:
        database = _seed(Path(directory))
        with sqlite3.connect(database) as connection:
            ids = [row[0] for row in connection.execute("SELECT id FROM leads ORDER BY id")]
        if len(ids) < leads + ROUND_TRIP_SAMPLES:
            raise RuntimeError(f"expected {leads + ROUND_TRIP_SAMPLES} leads, got {len(ids)}")
        chosen, probes = ids[:leads], ids[leads : leads + ROUND_TRIP_SAMPLES]
        with served_sandbox(latency_ms, database) as base_url:
            config = ClientConfig(
                base_url=base_url, username="admin@sandbox.test", password=SecretStr("sandbox")
            )
            with connect(config) as client:
                user = client.current_user()  # sign in and warm the pool outside the timings
                trips = []
                for lead_id in probes:
                    started = time.perf_counter()
                    client.save_lead_data(lead_id, "benchProbe", "x")
                    trips.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                load = load_for_review(client, chosen, FIELD)
                items = [
                    BulkLead(lead, load.fields[lead.campaign_id], load.values.get(lead.id))
                    for lead in load.leads
                ]
                review = bulk_review(user, items, BulkSpec(FIELD, value="Bulk benchmark"))
                review_ms = (time.perf_counter() - started) * 1000
                changes = [(change.lead_id, change) for change in review.changes]
                cpu = time.process_time()
                started = time.perf_counter()
                results = save_bulk(client, changes, concurrency=concurrency)
                save_ms = (time.perf_counter() - started) * 1000
                cpu_ms = (time.process_time() - cpu) * 1000
    saved = sum(result.status == "saved" for result in results.values())
    return BulkFigures(
        leads=len(changes),
        concurrency=concurrency,
        round_trip_ms=statistics.median(trips),
        review_ms=review_ms,
        save_ms=save_ms,
        client_cpu_ms=cpu_ms,
        saved=saved,
        load=os.getloadavg(),
    )


def describe(figures: BulkFigures) -> str:
    load = ", ".join(f"{value:.1f}" for value in figures.load)
    return (
        f"{figures.ratio:.2f}x ({figures.save_ms / 1000:.1f} s vs "
        f"{figures.leads}/{figures.concurrency} x {figures.round_trip_ms:.0f} ms = "
        f"{figures.ideal_ms / 1000:.1f} s; {figures.saved} saved; review "
        f"{figures.review_ms / 1000:.1f} s; client CPU {figures.client_cpu_ms / 1000:.1f} s; "
        f"load {load})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk", description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=LATENCY_MS)
    parser.add_argument("--leads", type=int, default=LEADS)
    parser.add_argument("--concurrency", type=int, default=BULK_CONCURRENCY)
    args = parser.parse_args(argv)
    figures = measure(args.latency_ms, args.leads, args.concurrency)
    verdict = "PASS" if figures.passed else "FAIL"
    print(f"bulk edit of {figures.leads} leads, goal <= {GOAL}x: {describe(figures)}  {verdict}")
    return 0 if figures.passed else 1


if __name__ == "__main__":
    sys.exit(main())
