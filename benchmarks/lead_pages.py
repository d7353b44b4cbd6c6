"""Lead-list page timings on a (large) sandbox database, in-process through the WSGI app.

Run as ``python -m benchmarks.lead_pages PATH`` after ``python -m lib.sandbox seed --db PATH
--leads 1000000``. Prints the median of five answers (after an untimed one) for pages of the
largest campaign: first, middle and last page, status, delivery and date filters, a search,
and a 500-item page. Every answer carries ``hydra:totalItems``, so each timing includes the
count. ``python -m benchmarks --million PATH`` compares each with the demo database.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from lib.sandbox import DEMO_PASSWORD, create_app

REPEATS = 5


@dataclass(frozen=True)
class PageTiming:
    request: str
    total: int
    median_ms: float


def measure(db: str | Path, repeats: int = REPEATS) -> tuple[str, list[PageTiming]]:
    """The largest campaign's description and the median time of each request."""
    client = httpx.Client(
        transport=httpx.WSGITransport(app=create_app(db)), base_url="http://sandbox"
    )
    login = {"username": "analyst@sandbox.test", "password": DEMO_PASSWORD}
    token = client.post("/api/login", data=login).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    rows = client.get("/api/v4/statistics?itemsPerPage=500").json()["hydra:member"]
    largest = max(rows, key=lambda row: row["total"])
    campaign = largest["campaign"].rsplit("/", 1)[1]
    last = -(-largest["total"] // 30)
    described = f"largest campaign {campaign}: {largest['total']:,} leads, {last:,} pages of 30"
    leads = f"/api/v4/leads?campaign.id={campaign}&order[createdTs]=desc"
    cases = {
        "first page": f"{leads}&page=1",
        "middle page": f"{leads}&page={last // 2}",
        "last page": f"{leads}&page={last}",
        "status=Caution, page 1": f"{leads}&processrStatus=Caution",
        "status=Valid, page 2000": f"{leads}&processrStatus=Valid&page=2000",
        "two statuses, page 1": f"{leads}&processrStatus[]=Valid&processrStatus[]=Caution",
        "delivered=false, page 1": f"{leads}&delivered=false",
        "one month, page 1": f"{leads}&createdTs[after]=2026-09-01&createdTs[before]=2026-09-30",
        "search 'bennett'": f"{leads}&search=bennett",
        "500 per page": f"{leads}&itemsPerPage=500",
    }
    timings: list[PageTiming] = []
    for name, url in cases.items():
        client.get(url)  # untimed: the first answer also warms SQLite's page cache
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        total = answer.json()["hydra:totalItems"]
        timings.append(PageTiming(name, total, statistics.median(times)))
    return described, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a seeded sandbox database")
    args = parser.parse_args()
    described, timings = measure(args.db)
    print(described)
    print(f"{'request':26s} {'total':>9s} {'median ms':>10s}")
    for timing in timings:
        print(f"{timing.request:26s} {timing.total:>9,} {timing.median_ms:>10.1f}")


if __name__ == "__main__":
    main()
