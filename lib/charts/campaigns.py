"""The Campaigns page's chart, leads per day stacked by status, drawn here as a static SVG
picture over the frame `lib.views.campaigns.chronology_frame` makes.

A picture, as the Lead page's are (`pictures`): the Campaigns page is the app's first page,
and Vega-Lite's 775 KB of JavaScript were the largest script it loaded (issue 18's cold
start). What the chart offered is kept: a bar per day, its statuses stacked in the status
colours (Valid at the bottom), a legend, whole-number ticks, a tooltip per day (a band over
the picture), and the whole said in words (the picture's text alternative). The campaign's
name, the one text from the API, reaches only the text alternative, escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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
from lib.palette import GRID, MUTED_TEXT_COLOUR, SLATE, STATUS_HEX_COLOURS
from lib.presentation import LEAD_STATUSES

WIDTH: Final = 720
"""The picture's width in SVG units (drawn as wide as its column, this aspect kept)."""
PLOT_HEIGHT: Final = 260
LEFT: Final = 56
RIGHT: Final = 16
LEGEND_HEIGHT: Final = 24
TOP_GAP: Final = 14
BOTTOM: Final = 30
FONT_SIZE: Final = 13
MAX_Y_TICKS: Final = 5
MAX_X_TICKS: Final = 6
BAR_SHARE: Final = 0.8
"""Of a day's slot, the bar's width (the rest is the gap between days)."""
WIDEST_BAR: Final = 40.0
TITLE: Final = "Leads per day, stacked by status"
Y_TITLE: Final = "Leads per day"
TITLE_ID: Final = "daily-leads-title"
DESC_ID: Final = "daily-leads-desc"
TOP: Final = LEGEND_HEIGHT + TOP_GAP
PLOT_BOTTOM: Final = TOP + PLOT_HEIGHT
HEIGHT: Final = PLOT_BOTTOM + BOTTOM


@dataclass(frozen=True)
class _Day:
    day: date
    counts: tuple[int, ...]
    """Leads of each of `LEAD_STATUSES`, in that order."""

    @property
    def total(self) -> int:
        return sum(self.counts)


def _leads(count: int) -> str:
    return f"{count:,} lead{'' if count == 1 else 's'}"


def _days(frame: pd.DataFrame) -> list[_Day]:
    """One entry per day with leads, in date order (a frame may hold a day twice: summed)."""
    columns = [status.lower() for status in LEAD_STATUSES]
    found: dict[date, list[int]] = {}
    for row in frame[["date", *columns]].itertuples(index=False):
        stamp = pd.Timestamp(row[0])
        counts = found.setdefault(date(stamp.year, stamp.month, stamp.day), [0] * len(columns))
        for index, value in enumerate(row[1:]):
            counts[index] += int(value)
    return [_Day(day, tuple(counts)) for day, counts in sorted(found.items())]


def _breakdown(counts: tuple[int, ...]) -> str:
    return ", ".join(
        f"{count:,} {status.lower()}" for status, count in zip(LEAD_STATUSES, counts, strict=True)
    )


def describe(frame: pd.DataFrame, campaign: str) -> str:
    """The chart in words: the span, the total by status, the busiest day."""
    return _describe(_days(frame), campaign)


def _describe(days: list[_Day], campaign: str) -> str:
    if not days:
        return f"No leads per day on {campaign}."
    totals = tuple(sum(day.counts[index] for day in days) for index in range(len(LEAD_STATUSES)))
    busiest = max(days, key=lambda day: day.total)
    return (
        f"Leads per day on {campaign}, stacked by status: {_leads(sum(totals))} from "
        f"{day_label(days[0].day)} to {day_label(days[-1].day)} ({_breakdown(totals)}); "
        f"the busiest day, {day_label(busiest.day)}, had {_leads(busiest.total)}."
    )


@dataclass(frozen=True)
class _Geometry:
    first: date
    slots: int
    ceiling: int
    step: int

    @property
    def slot(self) -> float:
        return (WIDTH - RIGHT - LEFT) / self.slots

    def x_of(self, day: date) -> float:
        """The left edge of `day`'s slot."""
        return LEFT + (day - self.first).days * self.slot

    def y_of(self, count: int) -> float:
        return PLOT_BOTTOM - count / self.ceiling * PLOT_HEIGHT


def _geometry(days: list[_Day]) -> _Geometry:
    peak = max((day.total for day in days), default=0)
    step = tick_step(peak, MAX_Y_TICKS)
    slots = (days[-1].day - days[0].day).days + 1 if days else 1
    first = days[0].day if days else date(1970, 1, 1)
    return _Geometry(first, slots, step * max(1, -(-peak // step)), step)


def chronology_svg(frame: pd.DataFrame) -> str:
    """An SVG picture of leads per day stacked by status; `frame` has `date` and a column per
    status (lower-case). Days without leads in the span are empty slots."""
    return _svg(_days(frame))


def _svg(days: list[_Day]) -> str:
    geometry = _geometry(days)
    right = WIDTH - RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{TITLE_ID} {DESC_ID}"'
        f' font-family="{CHART_FONT}" font-size="{FONT_SIZE}">',
        f'<title id="{TITLE_ID}">{escape(TITLE)}</title>',
        f'<desc id="{DESC_ID}">{escape(_describe(days, "this campaign"))}</desc>',
    ]
    # The legend, in one row: each status's swatch and name.
    x = float(LEFT)
    for status in LEAD_STATUSES:
        parts.append(
            f'<rect x="{number(x)}" y="6" width="12" height="12" rx="2"'
            f' fill="{STATUS_HEX_COLOURS[status]}"/>'
            f'<text x="{number(x + 18)}" y="12" dominant-baseline="central"'
            f' fill="{MUTED_TEXT_COLOUR}">{status}</text>'
        )
        x += 18 + 9 * len(status) + 22
    # The y axis: grid lines at whole-number ticks, their labels, the axis' title.
    for value in range(0, geometry.ceiling + 1, geometry.step):
        y = number(geometry.y_of(value))
        parts.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="central"'
            f' fill="{MUTED_TEXT_COLOUR}">{value:,}</text>'
        )
    parts.append(
        f'<text transform="translate(14 {number((TOP + PLOT_BOTTOM) / 2)}) rotate(-90)"'
        f' text-anchor="middle" dominant-baseline="central" fill="{MUTED_TEXT_COLOUR}">'
        f"{escape(Y_TITLE)}</text>"
    )
    # The bars: each day's statuses stacked from the axis up, Valid first.
    width = min(geometry.slot * BAR_SHARE, WIDEST_BAR)
    for day in days:
        left = geometry.x_of(day.day) + (geometry.slot - width) / 2
        base = 0
        for status, count in zip(LEAD_STATUSES, day.counts, strict=True):
            if count <= 0:
                continue
            top, bottom = geometry.y_of(base + count), geometry.y_of(base)
            parts.append(
                f'<rect x="{number(left)}" y="{number(top)}" width="{number(width)}"'
                f' height="{number(bottom - top)}" fill="{STATUS_HEX_COLOURS[status]}"/>'
            )
            base += count
    parts.append(
        f'<line x1="{LEFT}" x2="{right}" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM}" stroke="{SLATE}"/>'
    )
    # The x axis: a few days of the span under their ticks.
    span = [geometry.first + timedelta(days=offset) for offset in range(geometry.slots)]
    previous: date | None = None
    ticks = spread(span, MAX_X_TICKS) if days else []
    for tick in ticks:
        middle = number(geometry.x_of(tick) + geometry.slot / 2)
        # The last label ends at its tick: centred, it would run past the picture's edge.
        anchor = "end" if len(ticks) > 1 and tick == ticks[-1] else "middle"
        parts.append(
            f'<line x1="{middle}" x2="{middle}" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM + 5}"'
            f' stroke="{SLATE}"/>'
            f'<text x="{middle}" y="{PLOT_BOTTOM + 19}" text-anchor="{anchor}"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(tick_label(tick, previous))}</text>'
        )
        previous = tick
    parts.append("</svg>")
    return "".join(parts)


def chronology_html(frame: pd.DataFrame, campaign: str) -> str:
    """The chart for a page: the picture as an image whose text alternative names the
    campaign (`campaign`, untrusted, escaped), and over each day with leads a band whose
    tooltip gives its leads by status."""
    days = _days(frame)
    geometry = _geometry(days)
    bands = [
        band(
            f"{day_label(day.day)}\n{_leads(day.total)}: {_breakdown(day.counts)}",
            geometry.x_of(day.day),
            geometry.x_of(day.day) + geometry.slot,
            TOP,
            PLOT_HEIGHT,
            (WIDTH, HEIGHT),
        )
        for day in days
    ]
    return with_bands(image(_svg(days), WIDTH, HEIGHT, _describe(days, campaign)), bands)
