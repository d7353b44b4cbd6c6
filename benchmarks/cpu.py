"""CPU time of the processes a benchmark starts, from ``/proc`` (Linux): a Streamlit server's,
and Chromium's (every Chromium process under this one). A loaded machine stretches wall times
with the queue for its cores; CPU times barely move, so they say whether a change made the
work cheaper. With the load average (`uptime`'s three figures) each figure ran at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (0 once it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process ended between the listing and the read
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def chromium_pids() -> list[int]:
    """Every Chromium process descended from this one (the browser and its renderers)."""
    parents: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, _, rest = stat.partition("(")[2].rpartition(")")
        pid = int(entry.name)
        names[pid] = name
        parents.setdefault(int(rest.split()[1]), []).append(pid)
    found: list[int] = []
    waiting = [os.getpid()]
    while waiting:
        for child in parents.get(waiting.pop(), []):
            waiting.append(child)
            if "chrom" in names.get(child, ""):
                found.append(child)
    return found


def browser_cpu() -> float:
    """CPU seconds of the Chromium processes alive now (a closed page's renderer is gone:
    read before closing it)."""
    return sum(cpu_seconds(pid) for pid in chromium_pids())
