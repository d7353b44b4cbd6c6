"""The Campaigns page's and the Associated Campaigns tab's charts: leads per day by status,
and leads per period across campaigns, over the frames `lib.views` makes."""

from __future__ import annotations

from typing import Final

import pandas as pd
import plotly.graph_objects as go

from lib.charts.base import CHART_FONT, CHART_MARGIN, TRANSPARENT, legend_above
from lib.palette import GRID, SERIES_COLOURS, STATUS_HEX_COLOURS
from lib.presentation import LEAD_STATUSES, chart_label

CHART_HEIGHT: Final = 340

WHOLE_TICKS_BELOW: Final = 6
"""Up to this many leads at the peak, the y axis ticks every lead: left to itself plotly puts
ticks at halves, which the whole-number format shows as "0, 1, 1, 2, 2"."""


def _layout(figure: go.Figure, *, y_title: str, peak: float = 0) -> go.Figure:
    figure.update_layout(
        height=CHART_HEIGHT,
        margin=CHART_MARGIN,
        legend=legend_above(traceorder="normal"),
        font={"family": CHART_FONT},
        plot_bgcolor=TRANSPARENT,
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title=None,
    )
    figure.update_yaxes(gridcolor=GRID, rangemode="tozero", tickformat=",d")
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
                line={"color": SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 2},
                marker={"size": 5},
                hovertemplate="%{y:,d}",
            )
        )
    return _layout(figure, y_title=y_title, peak=float(frame["total"].max()))
