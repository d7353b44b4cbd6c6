"""The Timeline's processing chart: when each job and provider call ran and for how long.

A Gantt-like horizontal bar chart over `views.timeline_chart.processing_frame`, one lane per
job and per provider, each bar from its start to its end and coloured by outcome, so a slow or
failing provider stands out. Calls whose duration is unknown are drawn as a marker at the
moment they finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from lib.charts.base import UTC_SCALE, VegaChart, colour_scale, legend_on_top, spec
from lib.palette import AMBER, GREEN, GREY, GRID, RED
from lib.presentation import chart_label
from lib.views.timeline import OUTCOME_LABELS, Outcome

LANE_HEIGHT: Final = 28
"""Pixels per lane: the chart grows with the jobs and providers it shows."""
MIN_CHART_HEIGHT: Final = 220
OUTCOME_ORDER: Final[tuple[Outcome, ...]] = ("success", "warning", "failure", "neutral")
OUTCOME_COLOURS: Final[Mapping[Outcome, str]] = {
    "success": GREEN,
    "warning": AMBER,
    "failure": RED,
    "neutral": GREY,
}
"""The same greens, ambers and reds as the status colours (`palette.STATUS_HEX_COLOURS`)."""
UNKNOWN_DURATION: Final = "duration unknown"


def _legend_name(outcome: Outcome, timed: bool) -> str:
    name = OUTCOME_LABELS[outcome] or "Other"
    return name if timed else f"{name} ({UNKNOWN_DURATION})"


def processing_figure(frame: pd.DataFrame) -> VegaChart:
    """One horizontal bar per job and provider call (`processing_frame`), in lanes ordered by
    first start, top to bottom, coloured by outcome (the legend explains the colours); a
    call whose duration is unknown is a diamond at the moment it finished."""
    lanes = [chart_label(lane) for lane in dict.fromkeys(frame["lane"])]
    timed = frame["duration_ms"].notna()
    rows = pd.DataFrame(
        {
            "lane": [chart_label(lane) for lane in frame["lane"]],
            "start": pd.to_datetime(frame["start"]),
            "finish": pd.to_datetime(frame["finish"]),
            "timed": timed,
            "outcome": [
                _legend_name(outcome, bool(known))
                for outcome, known in zip(frame["outcome"], timed, strict=True)
            ],
            "label": [
                chart_label(label, limit=120) + ("" if known else f" ({UNKNOWN_DURATION})")
                for label, known in zip(frame["label"], timed, strict=True)
            ],
        }
    )
    colours = {
        _legend_name(outcome, known): OUTCOME_COLOURS[outcome]
        for known in (True, False)
        for outcome in OUTCOME_ORDER
        if ((frame["outcome"] == outcome) & (timed == known)).any()
    }
    y = {"field": "lane", "type": "nominal", "sort": lanes, "axis": {"title": None,
         "labelLimit": 220}}  # fmt: skip
    colour = {
        "field": "outcome",
        "type": "nominal",
        "scale": colour_scale(colours),
        "legend": legend_on_top(),
    }
    tooltip: list[dict[str, Any]] = [{"field": "label", "type": "nominal", "title": "What"}]
    bars = {
        "mark": {"type": "bar", "height": {"band": 0.7}},
        "transform": [{"filter": "datum.timed"}],
        "encoding": {
            "x": {"field": "start", "type": "temporal", "scale": UTC_SCALE,
                  "axis": {"title": None, "gridColor": GRID, "format": "%H:%M:%S"}},
            "x2": {"field": "finish"},
            "y": y,
            "color": colour,
            "tooltip": tooltip,
        },
    }  # fmt: skip
    markers = {
        "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 110},
        "transform": [{"filter": "!datum.timed"}],
        "encoding": {
            "x": {"field": "finish", "type": "temporal", "scale": UTC_SCALE},
            "y": y,
            "color": colour,
            "tooltip": tooltip,
        },
    }
    layers = [layer for layer, shown in ((bars, timed.any()), (markers, (~timed).any())) if shown]
    height = max(MIN_CHART_HEIGHT, LANE_HEIGHT * len(lanes) + 90)
    return VegaChart(rows, spec(height, {"layer": layers} if layers else {"mark": "bar"}))
