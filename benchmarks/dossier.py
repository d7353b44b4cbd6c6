"""Dossier benchmark: the sandbox served with 100 ms latency, concurrent vs serial requests.

Run as ``python -m benchmarks.dossier`` (``make bench``). Starts ``python -m lib.sandbox
serve --latency-ms 100`` on a free port, loads the dossier of a few demo leads from a bare id
and with campaign and email known, replays the same requests one after another, and prints
a table. Goals (issue 14): at most 3.2x the latency from a bare id (three dependent waves
are 3.0x), 2.2x with campaign and email known (two waves), and at least 5x faster than the
serial sum. ``python -m benchmarks`` prints these rows with every other benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

from benchmarks.ports import free_port
from lib.connect import connect
from lib.convertr import ClientConfig, load_dossier
from lib.convertr.client import network_transport

LATENCY_MS = 100
LEAD_IDS = (100001, 100002, 100003, 100004, 100005)
REPEATS = 3
SERVER_START_TIMEOUT = 60.0
GOAL_BARE = 3.2
GOAL_KNOWN = 2.2
GOAL_SPEEDUP = 5.0
SERVER_THREADS = 32
"""waitress threads: a dossier can have ~20 requests in flight, more than its default 16."""


class RecordingTransport(httpx.BaseTransport):
    """Remembers the URL of every GET it sends, to replay them serially."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.urls: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            with self._lock:
                self.urls.append(str(request.url.raw_path, "ascii"))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@dataclass
class Row:
    mode: str
    requests: float
    median_ms: float
    serial_ms: float
    latency_ms: int
    cpu_ms: float = 0.0
    """The client's CPU per dossier (this process: requests, threads, validation), median;
    the sandbox serves from another process. Barely moved by a loaded machine."""

    @property
    def speedup(self) -> float:
        return self.serial_ms / self.median_ms

    @property
    def latency_multiple(self) -> float:
        return self.median_ms / self.latency_ms

    @property
    def round_trips(self) -> float:
        """Wall time in units of one measured request (latency plus this box's overhead)."""
        return self.median_ms / (self.serial_ms / self.requests)


@contextmanager
def served_sandbox(latency_ms: int, database: Path | None = None) -> Iterator[str]:
    """The sandbox served over HTTP on a free port (the demo database unless one is given)."""
    from lib.connect import sandbox_database

    database = database or sandbox_database()
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "lib.sandbox",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(database),
        "--latency-ms",
        str(latency_ms),
        "--threads",
        str(SERVER_THREADS),
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the sandbox server exited with {server.returncode}")
            try:
                httpx.get(f"{base_url}/api/v4/users/me", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the sandbox did not answer on {base_url}") from None
                time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(base_url: str, lead_ids: tuple[int, ...], repeats: int, latency_ms: int) -> list[Row]:
    recorder = RecordingTransport(network_transport())
    config = ClientConfig(
        base_url=base_url, username="analyst@sandbox.test", password=SecretStr("sandbox")
    )
    rows: list[Row] = []
    with connect(config, transport_factory=lambda _config: recorder) as client:
        client.current_user()  # sign in and warm the pool outside the timings
        known: dict[int, tuple[int, str | None]] = {}
        for lead_id in lead_ids:
            lead = client.lead(lead_id)
            known[lead_id] = (lead.campaign_id, lead.email)
        for mode in ("bare id", "campaign+email known"):
            walls: list[float] = []
            cpus: list[float] = []
            serials: list[float] = []
            counts: list[int] = []
            for lead_id in lead_ids:
                campaign_id, email = known[lead_id] if mode != "bare id" else (None, None)
                for _ in range(repeats):
                    recorder.urls.clear()
                    before = client.request_count
                    started, started_cpu = time.perf_counter(), time.process_time()
                    dossier = load_dossier(client, lead_id, campaign_id, email)
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - started_cpu) * 1000)
                    counts.append(client.request_count - before)
                    if dossier.errors:
                        raise RuntimeError(f"lead {lead_id}: parts failed: {dossier.errors}")
                urls = list(recorder.urls)
                started = time.perf_counter()
                for url in urls:
                    client.request_json("GET", url)
                serials.append((time.perf_counter() - started) * 1000)
            rows.append(
                Row(
                    mode=mode,
                    requests=statistics.mean(counts),
                    median_ms=statistics.median(walls),
                    serial_ms=statistics.median(serials),
                    latency_ms=latency_ms,
                    cpu_ms=statistics.median(cpus),
                )
            )
    return rows


def print_table(rows: list[Row]) -> bool:
    header = (
        f"{'mode':<22} {'requests':>8} {'median ms':>10} {'serial ms':>10} "
        f"{'speed-up':>9} {'x latency':>10} {'x 1 request':>12} {'client CPU ms':>14}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.mode:<22} {row.requests:>8.1f} {row.median_ms:>10.0f} {row.serial_ms:>10.0f} "
            f"{row.speedup:>8.1f}x {row.latency_multiple:>9.2f}x {row.round_trips:>11.2f}x"
            f" {row.cpu_ms:>14.1f}"
        )
    bare, known = rows
    checks = [
        (f"bare id <= {GOAL_BARE}x latency", bare.latency_multiple <= GOAL_BARE),
        (f"campaign+email <= {GOAL_KNOWN}x latency", known.latency_multiple <= GOAL_KNOWN),
        (
            f">= {GOAL_SPEEDUP}x faster than serial",
            min(bare.speedup, known.speedup) >= GOAL_SPEEDUP,
        ),
    ]
    for name, passed in checks:
        print(f"{'PASS' if passed else 'MISS'}  {name}")
    return all(passed for _, passed in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dossier", description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=LATENCY_MS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    with served_sandbox(args.latency_ms) as base_url:
        rows = measure(base_url, LEAD_IDS, args.repeats, args.latency_ms)
    one, five, fifteen = os.getloadavg()
    print(f"{len(LEAD_IDS)} leads x {args.repeats} loads each, {args.latency_ms} ms latency")
    print(f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}")
    return 0 if print_table(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
