"""The Timeline's processing chart's frame: one row per job and provider call (lane, start,
finish, duration, outcome, label); `lib.charts.timeline.processing_html` draws it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Final

import pandas as pd

from lib.views.timeline import TimelineEntry

PROCESSING_KINDS: Final = frozenset({"job", "provider"})
PROCESSING_COLUMNS: Final = ["lane", "start", "finish", "duration_ms", "outcome", "label"]


def _wall_time(moment: datetime, zone: tzinfo) -> pd.Timestamp:
    """`moment` as the wall time of `zone`, without a zone: Plotly draws a zone-aware time in
    UTC, whatever its zone, so the chart would disagree with the rest of the page."""
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(zone).tz_localize(None)


def processing_frame(entries: Iterable[TimelineEntry], zone: tzinfo = UTC) -> pd.DataFrame:
    """The job and provider entries as chart rows: lane, start, finish (wall times of `zone`,
    the zone the page shows its times in), duration in ms (None when unknown), outcome and
    the hover label (plain text)."""
    rows = [
        {
            "lane": entry.lane,
            "start": _wall_time(entry.started_at, zone),
            "finish": _wall_time(entry.at, zone),
            "duration_ms": entry.duration_ms,
            "outcome": entry.outcome,
            "label": entry.title,
        }
        for entry in entries
        if entry.kind in PROCESSING_KINDS
    ]
    frame = pd.DataFrame(rows, columns=PROCESSING_COLUMNS)
    return frame.sort_values(["start", "finish"], kind="stable").reset_index(drop=True)
