"""Where a lead was captured, on a map that needs no internet: plotly's geo projection with
the country outlines the app serves itself (`static/topojson/`), never a tile server."""

from __future__ import annotations

from typing import Final

import plotly.graph_objects as go

from lib.charts.base import CHART_FONT, TRANSPARENT
from lib.palette import MAP_MARKER, SLATE, WHITE

TOPOJSON_URL: Final = "./app/static/topojson/"
"""Where plotly fetches its country outlines (`<scope>_<resolution>m.json`): the app's own
static files (relative to the page, so a server under a base path finds them too), instead
of plotly's CDN, which a closed network or an offline demo laptop cannot reach."""
MAP_RESOLUTION: Final = 50
"""Natural Earth at 1:50m (`world_50m.json`): coastlines that still read at country zoom."""
MAP_ZOOM: Final = 12.0
"""The projection's scale: about a country's width across the panel."""
LAND: Final = "#EEF1F6"
WATER: Final = WHITE


def location_figure(latitude: float, longitude: float, height: int) -> go.Figure:
    """A dot on the country outlines around it (no hover text: the place is said in words
    under the map)."""
    figure = go.Figure(
        go.Scattergeo(
            lat=[latitude],
            lon=[longitude],
            mode="markers",
            marker={"size": 11, "color": MAP_MARKER, "line": {"width": 2, "color": WHITE}},
            hoverinfo="skip",
        )
    )
    figure.update_geos(
        resolution=MAP_RESOLUTION,
        projection={"type": "mercator", "scale": MAP_ZOOM},
        center={"lat": latitude, "lon": longitude},
        showland=True,
        landcolor=LAND,
        showocean=True,
        oceancolor=WATER,
        showcountries=True,
        countrycolor=SLATE,
        showcoastlines=True,
        coastlinecolor=SLATE,
        showlakes=False,
        showframe=False,
        bgcolor=TRANSPARENT,
    )
    figure.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor=TRANSPARENT,
        font={"family": CHART_FONT},
        showlegend=False,
        dragmode=False,
    )
    return figure
