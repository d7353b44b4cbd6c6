"""Lead-list page timings on sandbox databases of different sizes, in-process through the WSGI app.

Run as ``python -m benchmarks.lead_pages SMALL.sqlite [LARGE.sqlite]`` after seeding them
(``python -m lib.sandbox seed --db SMALL.sqlite`` and ``... --leads 50000``). For each database
it prints the median of several answers for pages of its largest campaign: first, middle and
last page, status, delivery and date filters, a search, and a 500-item page. Every answer
carries ``hydra:totalItems``, so each timing includes the count. With two databases it also
prints each row's ratio, large over small, against the goal (the cost of a page must not grow
with the campaign: at most GOAL_RATIO).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from lib.connect import demo_catalogue, sandbox_transport

REPEATS = 9
"""Answers timed per row (after one untimed warm-up); the median is printed."""
PER_PAGE = 30
GOAL_RATIO = 2.0
"""Issue 14: a page of the largest campaign costs at most this much more in the large database."""


@dataclass(frozen=True)
class Row:
    """One timed request: its total and its median time."""

    total: int
    median_ms: float


def _pages(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def measure(db_path: str | Path) -> tuple[str, dict[str, Row]]:
    """The timed rows for the database at `db_path`, and a line describing its campaign."""
    client = httpx.Client(
        transport=sandbox_transport(Path(db_path), dialect="tidy"),
        base_url="http://sandbox",
    )
    login = {"username": "analyst@sandbox.test", "password": demo_catalogue().password}
    token = client.post("/api/login", data=login).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    rows = client.get("/api/v4/statistics?itemsPerPage=500").json()["hydra:member"]
    largest = max(rows, key=lambda row: row["total"])
    campaign = largest["campaign"].rsplit("/", 1)[1]
    last = _pages(largest["total"])
    valid_middle = _pages(largest["valid"]) // 2 + 1
    leads = f"/api/v4/leads?campaign.id={campaign}&order[createdTs]=desc"
    cases = {
        "first page": f"{leads}&page=1",
        "middle page": f"{leads}&page={last // 2}",
        "last page": f"{leads}&page={last}",
        "status=Caution, page 1": f"{leads}&processrStatus=Caution",
        "status=Valid, middle page": f"{leads}&processrStatus=Valid&page={valid_middle}",
        "two statuses, page 1": f"{leads}&processrStatus[]=Valid&processrStatus[]=Caution",
        "delivered=false, page 1": f"{leads}&delivered=false",
        "one month, page 1": f"{leads}&createdTs[after]=2026-09-01&createdTs[before]=2026-09-30",
        # 10 a page: the small database finds 13, so both pages are full and the same size.
        "search 'bennett', 10/page": f"{leads}&search=bennett&itemsPerPage=10",
        "500 per page": f"{leads}&itemsPerPage=500",
    }
    timed: dict[str, Row] = {}
    for name, url in cases.items():
        client.get(url).raise_for_status()  # warm the page cache and the statement cache
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        timed[name] = Row(answer.json()["hydra:totalItems"], statistics.median(times))
    heading = f"{db_path}: largest campaign {campaign}, {largest['total']:,} leads, {last:,} pages"
    return heading, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="+", help="seeded sandbox databases, smallest first")
    args = parser.parse_args()
    results = [measure(path) for path in args.db]
    for heading, _ in results:
        print(heading)
    header = f"{'request':27s}" + "".join(f" {'total':>9s} {'ms':>7s}" for _ in results)
    if len(results) > 1:
        header += f" {'ratio':>6s}  goal ≤ {GOAL_RATIO:g}x"
    print(header)
    for name in results[0][1]:
        cells = [timed[name] for _, timed in results]
        line = f"{name:27s}" + "".join(f" {c.total:>9,} {c.median_ms:>7.1f}" for c in cells)
        if len(cells) > 1:
            ratio = cells[-1].median_ms / cells[0].median_ms
            line += f" {ratio:>5.2f}x  {'PASS' if ratio <= GOAL_RATIO else 'FAIL'}"
        print(line)


if __name__ == "__main__":
    main()
