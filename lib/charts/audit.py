"""The Audit page's figures: the publishers' funnel plot (flagged share against volume, with
the baseline's 95% bands; a point carries its campaign and publisher in `customdata`), the
arrivals heatmap (weekday by hour) and a cluster's timeline."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.charts.base import CHART_FONT, CHART_MARGIN, TRANSPARENT, legend_above
from lib.palette import BLUE, GREY, GRID, RED, STEEL
from lib.presentation import chart_label


def funnel_figure(points: pd.DataFrame, bands: pd.DataFrame, baseline: float) -> go.Figure:
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=bands["leads"].tolist(),
            y=bands["high"].tolist(),
            mode="lines",
            line={"color": GREY, "dash": "dot"},
            name="95% limits",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=bands["leads"].tolist(),
            y=bands["low"].tolist(),
            mode="lines",
            line={"color": GREY, "dash": "dot"},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    figure.add_hline(y=baseline, line_color=STEEL, annotation_text="baseline")
    above = points["judgement"] == "above baseline"
    for selected, name, colour in ((above, "above baseline", RED), (~above, "others", BLUE)):
        rows = points[selected]
        figure.add_trace(
            go.Scatter(
                x=rows["leads"].tolist(),
                y=rows["flagged_share"].tolist(),
                mode="markers",
                marker={"color": colour, "size": 11},
                name=name,
                text=[chart_label(label) for label in rows["label"]],
                customdata=rows[["campaign_id", "publisher_id"]].values.tolist(),
                hovertemplate="%{text}<br>%{x} leads, %{y:.1%} flagged<extra></extra>",
            )
        )
    figure.update_layout(
        height=360,
        margin=CHART_MARGIN,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        font={"family": CHART_FONT},
        legend=legend_above(),
        xaxis={"title": "Leads", "type": "log", "gridcolor": GRID},
        yaxis={"title": "Flagged", "tickformat": ".0%", "gridcolor": GRID, "rangemode": "tozero"},
    )
    return figure


def arrivals_figure(frame: pd.DataFrame) -> go.Figure:
    grid = frame.pivot(index="weekday", columns="hour", values="leads")
    order = list(dict.fromkeys(frame["weekday"]))
    grid = grid.loc[order]
    figure = go.Figure(
        go.Heatmap(
            z=grid.values.tolist(),
            x=[int(h) for h in grid.columns],
            y=order,
            colorscale="Blues",
            hovertemplate="%{y} %{x}:00 · %{z} leads<extra></extra>",
        )
    )
    figure.update_layout(
        height=280,
        margin=CHART_MARGIN,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        font={"family": CHART_FONT},
        xaxis={"title": "Hour (lead's local time)", "dtick": 2},
    )
    return figure


def cluster_timeline_figure(members: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=members["created_ts"].tolist(),
            y=[f"campaign {c}" for c in members["campaign_id"]],
            mode="markers+text",
            text=[str(lead) for lead in members["lead_id"]],
            textposition="top center",
            marker={"size": 12, "color": BLUE},
            hovertemplate="lead %{text}<br>%{x}<extra></extra>",
        )
    )
    figure.update_layout(
        height=240,
        margin=CHART_MARGIN,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        font={"family": CHART_FONT},
        xaxis={"gridcolor": GRID},
    )
    return figure
