"""The request inspector's waterfall: one bar per request of a dossier load, from its start
to its end, coloured by wave, over `views.requests.waterfall_frame`."""

from __future__ import annotations

from typing import Final

import pandas as pd
import plotly.graph_objects as go

from lib.charts.base import CHART_MARGIN, TRANSPARENT, legend_above
from lib.palette import GRID, WAVE_COLOURS

WATERFALL_ROW_HEIGHT: Final = 22
MIN_WATERFALL_HEIGHT: Final = 200


def waterfall_figure(frame: pd.DataFrame) -> go.Figure:
    """One bar per request (ms since the first request started), one trace per wave in the
    order the waves started: the requests of a wave start together, each wave after the one
    it needs."""
    figure = go.Figure()
    for wave in dict.fromkeys(frame["wave"]):
        rows = frame[frame["wave"] == wave]
        figure.add_trace(
            go.Bar(
                x=rows["elapsed_ms"].tolist(),
                base=rows["base_ms"].tolist(),
                y=rows["label"].tolist(),
                orientation="h",
                name=str(rows["wave_name"].iloc[0]),
                marker_color=WAVE_COLOURS[min(int(wave), len(WAVE_COLOURS) - 1)],
                hovertext=rows["hover"].tolist(),
                hoverinfo="text",
            )
        )
    figure.update_layout(
        height=max(MIN_WATERFALL_HEIGHT, WATERFALL_ROW_HEIGHT * len(frame) + 90),
        margin=CHART_MARGIN,
        barmode="overlay",
        plot_bgcolor=TRANSPARENT,
        legend=legend_above(),
        xaxis={"title": "ms since the first request", "gridcolor": GRID},
        yaxis={
            "categoryorder": "array",
            "categoryarray": frame["label"].tolist(),
            "autorange": "reversed",
            "title": None,
            "tickfont": {"size": 10},
        },
    )
    return figure
