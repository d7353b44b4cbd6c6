"""The evidence pack of lead 100001 from the in-process demo sandbox: the dossier loaded, the
signals and the ZIP built (``python -m benchmarks --only evidence``). Goal: under 2 s; the
median of a few rounds, with the CPU time and the load average beside it (a figure taken
under load is not a result)."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from lib.connect import connect, sandbox_at, sandbox_config, sandbox_database
from lib.convertr import load_dossier
from lib.evidence import PackAuthor, build_evidence_pack, verify_pack
from lib.views.signals import signal_clusters

GOAL_SECONDS: Final = 2.0
LEAD: Final = 100001
ROUNDS: Final = 5


@dataclass(frozen=True)
class Figures:
    wall_seconds: float
    cpu_seconds: float
    size: int
    load: tuple[float, float, float]

    @property
    def passed(self) -> bool:
        return self.wall_seconds <= GOAL_SECONDS


def _one_pack(db: Path) -> tuple[float, float, int]:
    client = connect(sandbox_config(), transport_factory=sandbox_at(db))
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        dossier = load_dossier(client, LEAD)
        signals = signal_clusters(dossier.lead, dossier.associated_leads or [])
        pack = build_evidence_pack(
            dossier,
            author=PackAuthor.of(client.current_user()),
            source=client.base_url_display,
            generated_at=datetime.now(UTC),
            signals=signals,
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        client.close()
    if not verify_pack(pack).ok:
        raise RuntimeError("the pack does not verify")
    return wall, cpu, len(pack)


def measure(db: Path | None = None) -> Figures:
    """The median of `ROUNDS` packs, each with a client of its own (the first warms imports),
    from the demo database unless one is given."""
    db = db or sandbox_database()
    _one_pack(db)
    rounds = [_one_pack(db) for _ in range(ROUNDS)]
    return Figures(
        wall_seconds=statistics.median(wall for wall, _cpu, _size in rounds),
        cpu_seconds=statistics.median(cpu for _wall, cpu, _size in rounds),
        size=rounds[-1][2],
        load=os.getloadavg(),
    )


def describe(figures: Figures) -> str:
    load = "/".join(f"{value:.1f}" for value in figures.load)
    return (
        f"{figures.wall_seconds:.2f} s ({figures.cpu_seconds:.2f} s CPU), {figures.size:,} "
        f"bytes; load {load} on {os.cpu_count()} cores"
    )
