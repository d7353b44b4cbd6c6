"""The Associated Campaigns tab's chart, leads per week on each campaign, drawn here as a
static SVG picture (as `location.py` draws the map).

A picture, not a Vega-Lite chart: Streamlit's Vega-Lite code is 775 KB of JavaScript that
Chromium parsed and ran the first time a session opened the tab, which made that tab switch
six times slower than a bare page's (issue 18). What the chart offered is kept: a line and
its points per campaign in the house series colours, a legend, axes with whole-number ticks,
a tooltip on every point (SVG `<title>`, the browser's own), and the whole said in words
(`<title>` and `<desc>`, the picture's text alternative).

Every text that comes from the API (a campaign's name) reaches the picture through
`xml.sax.saxutils.escape` and only as element text, never in an attribute or in markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Final
from xml.sax.saxutils import escape

import pandas as pd

from lib.charts.base import CHART_FONT
from lib.charts.pictures import (
    band,
    day_label,
    image,
    number,
    spread,
    tick_label,
    tick_step,
    with_bands,
)
from lib.palette import GRID, MUTED_TEXT_COLOUR, SERIES_COLOURS, SLATE, WHITE

WIDTH: Final = 720
"""The picture's width in SVG units (it is drawn as wide as its column, this aspect kept)."""
PLOT_HEIGHT: Final = 240
LEFT: Final = 56
"""Room for the y axis' tick labels and its title."""
RIGHT: Final = 16
LEGEND_ROW: Final = 20
TOP_GAP: Final = 14
"""Between the legend and the plot (the top tick label's half height fits in it)."""
BOTTOM: Final = 30
"""Room for the x axis' labels under the plot."""
INSET: Final = 12
"""Between the plot's sides and the first and last weeks (their points stay whole)."""
FONT_SIZE: Final = 12
POINT_RADIUS: Final = 4.0
LINE_WIDTH: Final = 2
MAX_Y_TICKS: Final = 5
MAX_X_TICKS: Final = 6
NAME_LIMIT: Final = 90
"""Characters of a campaign's name in the legend (the whole name is in its tooltip)."""
TITLE: Final = "Leads per week on this lead's campaign and the campaigns it is associated with"
Y_TITLE: Final = "Leads per week"
EMPTY_TEXT: Final = "No leads on these campaigns in these weeks."
TITLE_ID: Final = "weekly-leads-title"
DESC_ID: Final = "weekly-leads-desc"


@dataclass(frozen=True)
class _Series:
    name: str
    colour: str
    points: tuple[tuple[date, int], ...]


def _day(value: date | str) -> date:
    stamp = pd.Timestamp(value)  # a date, a datetime, a Timestamp or an ISO date
    return date(stamp.year, stamp.month, stamp.day)


def _series(frame: pd.DataFrame) -> list[_Series]:
    """One series per campaign, in the order of their first week (the legend's), each week's
    total summed (a frame has one row per campaign and week)."""
    totals: dict[str, dict[date, int]] = {}
    rows = sorted(
        (
            (_day(day), str(name), int(total))
            for day, name, total in frame[["date", "campaign", "total"]].itertuples(index=False)
        ),
        key=lambda row: row[0],
    )
    for day, name, total in rows:
        weeks = totals.setdefault(name, {})
        weeks[day] = weeks.get(day, 0) + total
    return [
        _Series(name, SERIES_COLOURS[index % len(SERIES_COLOURS)], tuple(sorted(weeks.items())))
        for index, (name, weeks) in enumerate(totals.items())
    ]


def _leads(count: int) -> str:
    return f"{count:,} lead{'' if count == 1 else 's'}"


def _shortened(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else f"{name[: NAME_LIMIT - 1]}…"


def _description(series: list[_Series]) -> str:
    """The chart in words: each campaign's total, weeks and busiest week."""
    if not series:
        return EMPTY_TEXT
    parts = []
    for line in series:
        total = sum(count for _, count in line.points)
        busiest_day, busiest = max(line.points, key=lambda point: point[1])
        weeks = len(line.points)
        parts.append(
            f"{line.name}: {_leads(total)} over {weeks} week{'' if weeks == 1 else 's'},"
            f" the most ({busiest:,}) in the week of {day_label(busiest_day)}."
        )
    first = min(point[0] for line in series for point in line.points)
    last = max(point[0] for line in series for point in line.points)
    return f"Weeks from {day_label(first)} to {day_label(last)}. " + " ".join(parts)


@dataclass(frozen=True)
class _Geometry:
    """Where the weeks and counts fall in the picture."""

    series: list[_Series]
    weeks: list[date]
    ceiling: int
    step: int

    @property
    def top(self) -> int:
        return LEGEND_ROW * len(self.series) + TOP_GAP

    @property
    def bottom(self) -> int:
        return self.top + PLOT_HEIGHT

    @property
    def height(self) -> int:
        return self.bottom + BOTTOM

    def x_of(self, day: date) -> float:
        right = WIDTH - RIGHT
        span = (self.weeks[-1] - self.weeks[0]).days if self.weeks else 0
        if span == 0:  # one week: in the middle
            return (LEFT + right) / 2
        return LEFT + INSET + (day - self.weeks[0]).days / span * (right - LEFT - 2 * INSET)

    def y_of(self, count: int) -> float:
        return self.bottom - count / self.ceiling * PLOT_HEIGHT


def _geometry(frame: pd.DataFrame) -> _Geometry:
    series = _series(frame)
    weeks = sorted({day for line in series for day, _ in line.points})
    peak = max((count for line in series for _, count in line.points), default=0)
    step = tick_step(peak, MAX_Y_TICKS)
    return _Geometry(series, weeks, step * math.ceil(max(peak, 1) / step), step)


def weekly_leads_svg(frame: pd.DataFrame) -> str:
    """An SVG line chart of leads per week on each campaign. `frame` has `date` (a week's
    Monday), `campaign` (a display name, untrusted) and `total` (leads that week); a week
    missing from a campaign's rows is not drawn (as the data says nothing of it)."""
    geometry = _geometry(frame)
    series, weeks, x_of, y_of = geometry.series, geometry.weeks, geometry.x_of, geometry.y_of
    top, bottom, height = geometry.top, geometry.bottom, geometry.height
    ceiling, step = geometry.ceiling, geometry.step
    right = WIDTH - RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-labelledby="{TITLE_ID} {DESC_ID}"'
        f' font-family="{CHART_FONT}" font-size="{FONT_SIZE}">',
        f'<title id="{TITLE_ID}">{escape(TITLE)}</title>',
        f'<desc id="{DESC_ID}">{escape(_description(series))}</desc>',
    ]
    if not series:
        parts.append(
            f'<text x="{WIDTH / 2:g}" y="{height / 2:g}" text-anchor="middle"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(EMPTY_TEXT)}</text></svg>'
        )
        return "".join(parts)

    # The legend: one campaign a row (their names are long), its colour's line and point.
    for index, line in enumerate(series):
        middle = LEGEND_ROW * index + LEGEND_ROW / 2
        parts.append(
            f"<g><title>{escape(line.name)}</title>"
            f'<line x1="{LEFT}" x2="{LEFT + 20}" y1="{middle:g}" y2="{middle:g}"'
            f' stroke="{line.colour}" stroke-width="{LINE_WIDTH}"/>'
            f'<circle cx="{LEFT + 10}" cy="{middle:g}" r="{POINT_RADIUS:g}" fill="{line.colour}"/>'
            f'<text x="{LEFT + 28}" y="{middle:g}" dominant-baseline="central"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(_shortened(line.name))}</text></g>'
        )
    # The y axis: grid lines at whole-number ticks, their labels, the axis' title.
    for value in range(0, ceiling + 1, step):
        y = number(y_of(value))
        parts.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="central"'
            f' fill="{MUTED_TEXT_COLOUR}">{value:,}</text>'
        )
    middle_y = number((top + bottom) / 2)
    parts.append(
        f'<text transform="translate(14 {middle_y}) rotate(-90)" text-anchor="middle"'
        f' dominant-baseline="central" fill="{MUTED_TEXT_COLOUR}">{escape(Y_TITLE)}</text>'
        f'<line x1="{LEFT}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{SLATE}"/>'
    )
    # The x axis: a few weeks' Mondays under their ticks.
    previous: date | None = None
    for day in spread(weeks, MAX_X_TICKS):
        x = number(x_of(day))
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 5}" stroke="{SLATE}"/>'
            f'<text x="{x}" y="{bottom + 18}" text-anchor="middle"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(tick_label(day, previous))}</text>'
        )
        previous = day
    # The lines, then their points (on top), each point with its tooltip.
    for line in series:
        if len(line.points) > 1:
            coordinates = " ".join(
                f"{number(x_of(day))},{number(y_of(count))}" for day, count in line.points
            )
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{line.colour}"'
                f' stroke-width="{LINE_WIDTH}" stroke-linejoin="round"/>'
            )
    for line in series:
        for day, count in line.points:
            parts.append(
                f'<circle cx="{number(x_of(day))}" cy="{number(y_of(count))}"'
                f' r="{POINT_RADIUS:g}" fill="{line.colour}" stroke="{WHITE}" stroke-width="1">'
                f"<title>{escape(line.name)}&#10;Week of {day_label(day)}: {_leads(count)}</title>"
                "</circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def weekly_leads_html(frame: pd.DataFrame) -> str:
    """The chart for a page: the SVG as an image (Streamlit's `st.html` keeps no inline SVG),
    its description as the image's text alternative, and over each week a transparent band
    whose tooltip (the browser's own, a `title`) gives that week's leads on each campaign.
    Every text from the API is escaped (the tooltips as attribute values)."""
    geometry = _geometry(frame)
    alt = f"{TITLE}. {_description(geometry.series)}"
    weeks = geometry.weeks
    xs = [geometry.x_of(day) for day in weeks]
    bands = []
    for index, day in enumerate(weeks):
        # A band from half way to the previous week to half way to the next one.
        left = (xs[index - 1] + xs[index]) / 2 if index else LEFT
        right = (xs[index] + xs[index + 1]) / 2 if index + 1 < len(weeks) else WIDTH - RIGHT
        lines = [f"Week of {day_label(day)}"] + [
            f"{line.name}: {_leads(count)}"
            for line in geometry.series
            for when, count in line.points
            if when == day
        ]
        bands.append(
            band("\n".join(lines), left, right, geometry.top, PLOT_HEIGHT, (WIDTH, geometry.height))
        )
    picture = image(weekly_leads_svg(frame), WIDTH, geometry.height, alt)
    return with_bands(picture, bands)
