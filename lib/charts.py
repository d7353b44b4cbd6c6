"""Plotly figures over plain frames: lead chronologies by status and across campaigns.

The figures take pandas frames (not API models) so they are tested without a server, and
every text that came from the API passes through `chart_label` (plotly renders some HTML).
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import plotly.graph_objects as go

from lib.presentation import LEAD_STATUSES, STATUS_HEX_COLOURS, chart_label

CHART_HEIGHT: Final = 340
CHART_FONT: Final = "sans-serif"
COMPARISON_PALETTE: Final = (
    "#2F6FED",
    "#E3A008",
    "#2E9E5B",
    "#D64545",
    "#8E5CD9",
    "#0F9FB4",
    "#C2590A",
    "#5B6B8C",
)

WHOLE_TICKS_BELOW: Final = 6
"""Up to this many leads at the peak, the y axis ticks every lead: left to itself plotly puts
ticks at halves, which the whole-number format shows as "0, 1, 1, 2, 2"."""


def _layout(figure: go.Figure, *, y_title: str, peak: float = 0) -> go.Figure:
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "traceorder": "normal",
        },
        font={"family": CHART_FONT},
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title=None,
    )
    figure.update_yaxes(gridcolor="#E6E9F0", rangemode="tozero", tickformat=",d")
    if peak < WHOLE_TICKS_BELOW:
        figure.update_yaxes(tick0=0, dtick=1)
    return figure


def chronology_figure(frame: pd.DataFrame) -> go.Figure:
    """Leads per day, stacked by status, in the status colours."""
    figure = go.Figure()
    for status in LEAD_STATUSES:
        column = status.lower()
        figure.add_trace(
            go.Bar(
                x=frame["date"] if not frame.empty else [],
                y=frame[column] if not frame.empty else [],
                name=status,
                marker_color=STATUS_HEX_COLOURS[status],
                hovertemplate="%{y:,d}",
            )
        )
    figure.update_layout(barmode="stack")
    columns = [status.lower() for status in LEAD_STATUSES]
    peak = float(frame[columns].sum(axis=1).max()) if not frame.empty else 0.0
    return _layout(figure, y_title="Leads per day", peak=peak)


def comparison_figure(frame: pd.DataFrame, *, y_title: str = "Leads per week") -> go.Figure:
    """Leads per period on each campaign (one line each). `frame` has `date`, `campaign`
    (a display name, untrusted) and `total`."""
    figure = go.Figure()
    if frame.empty:
        return _layout(figure, y_title=y_title)
    for index, (campaign, rows) in enumerate(frame.groupby("campaign", sort=False)):
        ordered = rows.sort_values("date")
        figure.add_trace(
            go.Scatter(
                x=ordered["date"],
                y=ordered["total"],
                name=chart_label(str(campaign), limit=40),
                mode="lines+markers",
                line={"color": COMPARISON_PALETTE[index % len(COMPARISON_PALETTE)], "width": 2},
                marker={"size": 5},
                hovertemplate="%{y:,d}",
            )
        )
    return _layout(figure, y_title=y_title, peak=float(frame["total"].max()))
