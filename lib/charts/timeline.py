"""The Timeline's processing chart: when each job and provider call ran and for how long.

A Gantt-like horizontal bar chart over `views.timeline_chart.processing_frame`, one lane per
job and per provider, each bar from its start to its end and coloured by outcome, so a slow or
failing provider stands out. Calls whose duration is unknown are drawn as a marker at the
moment they finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from lib.charts.base import CHART_FONT, CHART_MARGIN, TRANSPARENT, legend_above
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


def processing_figure(frame: pd.DataFrame) -> go.Figure:
    """One horizontal bar per job and provider call (`processing_frame`), in lanes ordered by
    first start, top to bottom, one trace per outcome so the legend explains the colours."""
    figure = go.Figure()
    lanes = list(dict.fromkeys(frame["lane"])) if not frame.empty else []
    shown_lanes = [chart_label(lane) for lane in lanes]
    for outcome in OUTCOME_ORDER:
        rows = frame[frame["outcome"] == outcome] if not frame.empty else frame
        timed = rows[rows["duration_ms"].notna()] if not rows.empty else rows
        untimed = rows[rows["duration_ms"].isna()] if not rows.empty else rows
        colour = OUTCOME_COLOURS[outcome]
        name = OUTCOME_LABELS[outcome] or "Other"
        if not timed.empty:
            figure.add_trace(
                go.Bar(
                    # Plotly takes a date axis' bar lengths in milliseconds (as px.timeline does).
                    x=timed["duration_ms"].astype(float).tolist(),
                    base=timed["start"].tolist(),
                    y=[chart_label(lane) for lane in timed["lane"]],
                    orientation="h",
                    name=name,
                    legendgroup=outcome,
                    marker_color=colour,
                    hovertext=[chart_label(label, limit=120) for label in timed["label"]],
                    hoverinfo="text",
                )
            )
        if not untimed.empty:
            figure.add_trace(
                go.Scatter(
                    x=untimed["finish"].tolist(),
                    y=[chart_label(lane) for lane in untimed["lane"]],
                    mode="markers",
                    marker={"color": colour, "symbol": "diamond", "size": 10},
                    name=f"{name} ({UNKNOWN_DURATION})",
                    legendgroup=outcome,
                    hovertext=[
                        chart_label(label, limit=120) + f" ({UNKNOWN_DURATION})"
                        for label in untimed["label"]
                    ],
                    hoverinfo="text",
                )
            )
    figure.update_layout(
        height=max(MIN_CHART_HEIGHT, LANE_HEIGHT * len(lanes) + 90),
        margin=CHART_MARGIN,
        font={"family": CHART_FONT},
        plot_bgcolor=TRANSPARENT,
        barmode="overlay",
        legend=legend_above(),
        xaxis={"type": "date", "title": None, "gridcolor": GRID},
        yaxis={
            "categoryorder": "array",
            "categoryarray": shown_lanes,
            "autorange": "reversed",
            "title": None,
        },
    )
    return figure
