"""The top costs of a py-spy profile (``--format raw``: one collapsed stack and its sample
count per line): ``python -m benchmarks.profile_costs FILE``.

Prints the functions by inclusive share of the samples (a function counted once per stack,
however deep it recurses), the project's own first, then the libraries', so "where the CPU
goes" reads at a glance: building tabs, serialising figures, signing in, the sandbox.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Final

FRAME: Final = re.compile(r"^(?P<function>.+?) \((?P<file>[^():]+)(?::\d+)?\)$")
PROJECT_PREFIXES: Final = ("lib/", "pages/", "app.py", "2_Lead.py", "1_Leads.py")
IDLE_LEAVES: Final = (
    "_worker (concurrent/futures/thread.py)",
    "Condition.wait (threading.py)",
    "EpollSelector.select (selectors.py)",
    "Thread._wait_for_tstate_lock (threading.py)",
    "InotifyFD._check_inotify_fd",
    "select (",
    "PollingPathWatcher._schedule.<locals>.task",  # time.sleep between two polls
)
"""Leaves of threads waiting, not working (py-spy samples idle threads too): dropped."""


def parse(path: Path) -> tuple[Counter[str], Counter[str], int]:
    """(inclusive samples per frame, self samples per frame, all samples)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_name(frame) for frame in stack.split(";")]
        if frames[-1].startswith(IDLE_LEAVES):
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    return inclusive, own, total


def _name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    return f"{match['function']} ({match['file']})"


def is_project(frame: str) -> bool:
    file = frame.rsplit("(", 1)[-1]
    return file.startswith(PROJECT_PREFIXES)


def report(path: Path, top: int = 25) -> str:
    inclusive, own, total = parse(path)
    lines = [f"{total} busy samples in {path}"]
    lines.append("project functions, inclusive share:")
    for frame, count in [item for item in inclusive.most_common() if is_project(item[0])][:top]:
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    lines.append("self time (where the CPU is spent), top:")
    for frame, count in own.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_costs", description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(report(args.profile, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
