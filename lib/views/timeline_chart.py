"""The Timeline's processing chart's frame: one row per job and provider call (lane, start,
finish, duration, outcome, label); `lib.charts.timeline.processing_figure` draws it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from lib.views.timeline import TimelineEntry

PROCESSING_KINDS: Final = frozenset({"job", "provider"})
PROCESSING_COLUMNS: Final = ["lane", "start", "finish", "duration_ms", "outcome", "label"]


def processing_frame(entries: Iterable[TimelineEntry]) -> pd.DataFrame:
    """The job and provider entries as chart rows: lane, start, finish (UTC timestamps),
    duration in ms (None when unknown), outcome and the hover label (plain text)."""
    rows = [
        {
            "lane": entry.lane,
            "start": pd.Timestamp(entry.started_at),
            "finish": pd.Timestamp(entry.at),
            "duration_ms": entry.duration_ms,
            "outcome": entry.outcome,
            "label": entry.title,
        }
        for entry in entries
        if entry.kind in PROCESSING_KINDS
    ]
    frame = pd.DataFrame(rows, columns=PROCESSING_COLUMNS)
    return frame.sort_values(["start", "finish"], kind="stable").reset_index(drop=True)
