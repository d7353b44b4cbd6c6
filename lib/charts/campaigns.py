"""Leads per day by status, and leads per period across campaigns, over the frames
`lib.views` makes (Vega-Lite). The Associated Campaigns tab draws its weekly chart as a
static picture instead (`lib.charts.weekly`)."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from lib.charts.base import UTC_SCALE, VegaChart, colour_scale, legend_on_top, spec
from lib.palette import GRID, SERIES_COLOURS, STATUS_HEX_COLOURS
from lib.presentation import LEAD_STATUSES, chart_label

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


def comparison_figure(frame: pd.DataFrame, *, y_title: str = "Leads per week") -> VegaChart:
    """Leads per period on each campaign (one line each). `frame` has `date`, `campaign`
    (a display name, untrusted) and `total`."""
    rows = frame.loc[:, ["date", "campaign", "total"]].copy()
    rows["campaign"] = [chart_label(str(name), limit=40) for name in rows["campaign"]]
    rows["date"] = _days(rows["date"])
    rows = rows.sort_values(["date"], kind="stable")
    names = list(dict.fromkeys(rows["campaign"]))
    colours = {
        name: SERIES_COLOURS[index % len(SERIES_COLOURS)] for index, name in enumerate(names)
    }
    encoding = {
        "x": {**_date_field("Week"), "scale": UTC_SCALE, "axis": {"title": None}},
        "y": {"field": "total", "type": "quantitative", "axis": _y_axis(y_title)},
        "color": {
            "field": "campaign",
            "type": "nominal",
            "scale": colour_scale(colours),
            # One campaign a line: their names are long.
            "legend": {**legend_on_top(), "direction": "vertical", "labelLimit": 480},
        },
        "tooltip": [
            _date_field("Week"),
            {"field": "campaign", "type": "nominal", "title": "Campaign"},
            {"field": "total", "type": "quantitative", "format": ",d", "title": "Leads"},
        ],
    }
    mark = {"type": "line", "point": {"size": 30}, "strokeWidth": 2}
    return VegaChart(rows, spec(CHART_HEIGHT, {"mark": mark, "encoding": encoding}))
