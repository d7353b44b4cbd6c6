"""Every chart of the dashboard, drawn from the frames `lib.views` makes (the views stay free
of chart code; the pages only hand a chart to Streamlit). The Campaigns and Lead pages' charts
are static SVG pictures drawn on the server (`campaigns.py`, `location.py`, `weekly.py`,
`timeline.py`, sharing `pictures.py`: no chart library's JavaScript loads on those pages);
the inspector's waterfall and the Audit page's charts are plotly figures, imported only where
drawn (`lib.charts.requests`, `lib.charts.audit`), so a page without them never imports
plotly. Every text from the API reaches a plotly chart through `presentation.chart_label`,
and an SVG picture through XML escaping; every colour comes from `lib.palette`.

    campaigns.py   the Campaigns page's leads per day, stacked by status (static SVG)
    timeline.py    the Timeline's processing chart (jobs and provider calls by outcome; SVG)
    requests.py    the request inspector's waterfall (a dossier's requests by wave; plotly)
    audit.py       the Audit page's funnel, arrivals and cluster timeline (plotly)
    location.py    where a lead was captured: a static SVG map from the outlines the app ships
    weekly.py      the Associated Campaigns tab's leads per week per campaign (static SVG)
    pictures.py    what the SVG pictures share: ticks, labels, the image and its tooltip bands
    base.py        font, margins, ground and legend shared by all
"""

from __future__ import annotations

from lib.charts.campaigns import chronology_html, chronology_svg
from lib.charts.location import location_svg
from lib.charts.timeline import processing_html, processing_svg
from lib.charts.weekly import weekly_leads_html, weekly_leads_svg

__all__ = [
    "chronology_html",
    "chronology_svg",
    "location_svg",
    "processing_html",
    "processing_svg",
    "weekly_leads_html",
    "weekly_leads_svg",
]
