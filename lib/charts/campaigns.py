"""The Campaigns page's chart, leads per day by status, over the frame `lib.views` makes
(Vega-Lite). The Associated Campaigns tab's weekly chart is a static picture
(`lib.charts.weekly`)."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from lib.charts.base import UTC_SCALE, VegaChart, colour_scale, legend_on_top, spec
from lib.palette import GRID, STATUS_HEX_COLOURS
from lib.presentation import LEAD_STATUSES

CHART_HEIGHT: Final = 340
DAY: Final = "utcyearmonthdate"
"""Dates are days: read and shown as such, whatever the browser's zone."""


def _y_axis(title: str) -> dict[str, Any]:
    # Whole numbers only: with a few leads at the peak, ticks at halves would read
    # "0, 1, 1, 2, 2" in the whole-number format.
    return {"title": title, "format": ",d", "tickMinStep": 1, "gridColor": GRID}


def _date_field(title: str) -> dict[str, Any]:
    return {"field": "date", "type": "temporal", "timeUnit": DAY, "title": title}


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values)


def chronology_figure(frame: pd.DataFrame) -> VegaChart:
    """Leads per day, stacked by status, in the status colours."""
    columns = {status.lower(): status for status in LEAD_STATUSES}
    rows = frame.melt(
        id_vars=["date"], value_vars=list(columns), var_name="status", value_name="leads"
    )
    rows["status"] = rows["status"].map(columns)
    rows["order"] = rows["status"].map({status: index for index, status in enumerate(columns)})
    rows["date"] = _days(rows["date"])
    encoding = {
        "x": {**_date_field("Day"), "scale": UTC_SCALE, "axis": {"title": None}},
        "y": {
            "field": "leads",
            "type": "quantitative",
            "aggregate": "sum",
            "stack": "zero",
            "axis": _y_axis("Leads per day"),
        },
        "color": {
            "field": "status",
            "type": "nominal",
            "scale": colour_scale({status: STATUS_HEX_COLOURS[status] for status in LEAD_STATUSES}),
            "legend": legend_on_top(),
        },
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": [
            _date_field("Day"),
            {"field": "status", "type": "nominal", "title": "Status"},
            {"field": "leads", "type": "quantitative", "aggregate": "sum", "format": ",d",
             "title": "Leads"},
        ],
    }  # fmt: skip
    return VegaChart(rows, spec(CHART_HEIGHT, {"mark": {"type": "bar"}, "encoding": encoding}))
