"""Every plotly figure of the dashboard, drawn from the frames `lib.views` makes (the views
stay free of plotly; the pages only hand a figure to `st.plotly_chart`). Every text from the
API reaches a figure through `presentation.chart_label`; every colour comes from
`lib.palette`.

    campaigns.py   leads per day by status, leads per period across campaigns
    timeline.py    the Timeline's processing chart (jobs and provider calls by outcome)
    requests.py    the request inspector's waterfall (a dossier's requests by wave)
    location.py    where a lead was captured: a static SVG map from the outlines the app ships
    base.py        font, margins, ground and legend shared by all
"""

from __future__ import annotations

from lib.charts.campaigns import chronology_figure, comparison_figure
from lib.charts.location import location_svg
from lib.charts.requests import waterfall_figure
from lib.charts.timeline import processing_figure

__all__ = [
    "chronology_figure",
    "comparison_figure",
    "location_svg",
    "processing_figure",
    "waterfall_figure",
]
