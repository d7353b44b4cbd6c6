"""The Timeline's processing chart: when each job and provider call ran and for how long,
drawn here as a static SVG picture (as `weekly.py` draws the Associated Campaigns chart).

A Gantt-like chart over `views.timeline_chart.processing_frame`: one lane per job and per
provider, in the order of their first start, top to bottom; each call a bar from its start to
its end, coloured by outcome (the status colours, a legend above), so a slow or failing
provider stands out. A call whose duration is unknown is a diamond at the moment it finished.

A picture, not a Vega-Lite chart: this chart was the last one on the Lead page that loaded
Streamlit's 775 KB of Vega-Lite JavaScript, which made the Timeline tab switch three times
slower than a bare page's (issue 18). The times are the frame's wall times, in the page's
zone, and the axis says which zone. The tooltip of each bar is a transparent band over it
(the browser's own tooltip, a `title`: an image's SVG has none of its own), and the whole is
said in words (`<title>`, `<desc>` and the image's text alternative).

Every text that comes from the API (a job's or a provider's name, a call's line) reaches the
picture through `xml.sax.saxutils.escape` as element text, and the page's HTML through
`quoteattr` as an attribute value; never as markup.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from xml.sax.saxutils import escape

import pandas as pd

from lib.charts.base import CHART_FONT
from lib.charts.pictures import band, image, number, with_bands
from lib.palette import AMBER, GREEN, GREY, GRID, MUTED_TEXT_COLOUR, RED, SLATE, WHITE
from lib.views.timeline import OUTCOME_LABELS, Outcome

WIDTH: Final = 560
"""The picture's width in SVG units (drawn as wide as its column, this aspect kept: 468 px
beside the profile panel at 1024 px, so a 13-unit font reads at about 11 px there)."""
LEFT: Final = 200
"""Room for the lanes' names."""
RIGHT: Final = 16
LANE_HEIGHT: Final = 28
BAR_HEIGHT: Final = 18
LEGEND_ROW: Final = 22
TOP_GAP: Final = 8
BOTTOM: Final = 46
"""Room for the time axis' labels and its title (the zone) under the plot."""
INSET: Final = 8
"""Between the plot's sides and the first start and the last end."""
FONT_SIZE: Final = 13
CHAR_WIDTH: Final = 7.4
"""An average character's width at FONT_SIZE, to lay the legend out (sans-serif)."""
MIN_BAR: Final = 2.0
"""The narrowest bar drawn (a call of a few milliseconds still shows)."""
DIAMOND: Final = 7.0
MIN_BAND: Final = 10.0
"""The narrowest tooltip band over a bar, in SVG units (a thin bar is still easy to point at)."""
MAX_TICKS: Final = 4
LANE_LIMIT: Final = 27
"""Characters of a lane's name beside its lane (the whole name is in each bar's tooltip)."""
DESCRIBED_CALLS: Final = 40
"""Calls named one by one in the text alternative; the rest are counted."""
TITLE: Final = "When each job and provider call ran and how long it took, by outcome"
EMPTY_TEXT: Final = "No job or provider call to chart."
TITLE_ID: Final = "processing-title"
DESC_ID: Final = "processing-desc"
OUTCOME_ORDER: Final[tuple[Outcome, ...]] = ("success", "warning", "failure", "neutral")
OUTCOME_COLOURS: Final[Mapping[Outcome, str]] = {
    "success": GREEN,
    "warning": AMBER,
    "failure": RED,
    "neutral": GREY,
}
"""The same greens, ambers and reds as the status colours (`palette.STATUS_HEX_COLOURS`)."""
UNKNOWN_DURATION: Final = "duration unknown"
TICK_STEPS: Final[tuple[int, ...]] = (
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200,
    86400, 172800, 604800,
)  # fmt: skip
"""Tick steps in seconds, each a whole part of the next unit (longer spans: whole weeks)."""


@dataclass(frozen=True)
class _Call:
    lane: str
    start: datetime
    finish: datetime
    timed: bool
    outcome: Outcome
    label: str


def _moment(value: object) -> datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.to_pydatetime().replace(tzinfo=None)


def _calls(frame: pd.DataFrame) -> list[_Call]:
    return [
        _Call(
            lane=str(lane),
            start=_moment(start),
            finish=_moment(finish),
            timed=not pd.isna(duration),
            outcome=outcome,
            label=str(label),
        )
        for lane, start, finish, duration, outcome, label in frame[
            ["lane", "start", "finish", "duration_ms", "outcome", "label"]
        ].itertuples(index=False)
    ]


def legend_name(outcome: Outcome, timed: bool) -> str:
    name = OUTCOME_LABELS[outcome] or "Other"
    return name if timed else f"{name} ({UNKNOWN_DURATION})"


def _seconds(moment: datetime) -> float:
    """Seconds since 1970 of a wall time (read as it is: ticks fall on the wall clock's whole
    minutes and hours, and midnight is the zone's)."""
    return calendar.timegm(moment.timetuple()) + moment.microsecond / 1e6


def _duration(call: _Call) -> str:
    if not call.timed:
        return UNKNOWN_DURATION
    seconds = (call.finish - call.start).total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".0 s", " s")
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M:%S}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b} {moment.year}"


def _when(call: _Call) -> str:
    if not call.timed:
        return f"finished at {_clock(call.finish)}"
    return f"{_clock(call.start)} to {_clock(call.finish)}, {_duration(call)}"


def _tooltip(call: _Call) -> str:
    return "\n".join(
        (call.lane, call.label, f"{_when(call)} ({legend_name(call.outcome, call.timed)})")
    )


def _shortened(name: str) -> str:
    return name if len(name) <= LANE_LIMIT else f"{name[: LANE_LIMIT - 1]}…"


def _diamond(x: float, y: float, half: float) -> str:
    """A diamond's points around (x, y)."""
    corners = ((x, y - half), (x + half, y), (x, y + half), (x - half, y))
    return " ".join(f"{number(px)},{number(py)}" for px, py in corners)


def _step(span: float) -> int:
    """The smallest step of TICK_STEPS giving at most MAX_TICKS steps over `span` seconds."""
    for step in TICK_STEPS:
        if span / step <= MAX_TICKS:
            return step
    week = TICK_STEPS[-1]
    return week * math.ceil(span / week / MAX_TICKS)


@dataclass(frozen=True)
class _Geometry:
    """Where the lanes and times fall in the picture."""

    calls: list[_Call]
    lanes: list[str]
    legend: list[tuple[str, str, float, int]]
    """(name, colour, x, row) of each legend entry."""
    first: float
    last: float

    @property
    def top(self) -> int:
        rows = 1 + max((row for *_, row in self.legend), default=0)
        return LEGEND_ROW * rows + TOP_GAP

    @property
    def bottom(self) -> int:
        return self.top + LANE_HEIGHT * len(self.lanes)

    @property
    def height(self) -> int:
        return self.bottom + BOTTOM

    def x_of(self, moment: datetime) -> float:
        return self.x_of_seconds(_seconds(moment))

    def x_of_seconds(self, seconds: float) -> float:
        right = WIDTH - RIGHT
        if self.last <= self.first:  # one moment: in the middle
            return (LEFT + right) / 2
        share = (seconds - self.first) / (self.last - self.first)
        return LEFT + INSET + share * (right - LEFT - 2 * INSET)

    def lane_middle(self, lane: str) -> float:
        return self.top + LANE_HEIGHT * self.lanes.index(lane) + LANE_HEIGHT / 2

    def ticks(self) -> list[float]:
        """Whole steps of the wall clock between the first start and the last end."""
        if self.last <= self.first:
            return [self.first]
        step = _step(self.last - self.first)
        first = math.ceil(self.first / step) * step
        ticks = [float(tick) for tick in range(first, math.floor(self.last) + 1, step)]
        return ticks or [self.first]  # under a second, no whole second in it: its start


def _legend(calls: list[_Call]) -> list[tuple[str, str, float, int]]:
    """The outcomes shown, in OUTCOME_ORDER (the timed ones first), laid out left to right
    and onto a new row when the next would not fit."""
    entries = [
        (legend_name(outcome, timed), OUTCOME_COLOURS[outcome])
        for timed in (True, False)
        for outcome in OUTCOME_ORDER
        if any(call.outcome == outcome and call.timed == timed for call in calls)
    ]
    placed: list[tuple[str, str, float, int]] = []
    x, row = float(LEFT), 0
    for name, colour in entries:
        width = 18 + CHAR_WIDTH * len(name) + 16
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = float(LEFT), row + 1
        placed.append((name, colour, x, row))
        x += width
    return placed


def _geometry(frame: pd.DataFrame) -> _Geometry:
    calls = _calls(frame)
    lanes = list(dict.fromkeys(call.lane for call in calls))  # the frame's order: first start
    first = min((_seconds(call.start) for call in calls), default=0.0)
    last = max((_seconds(call.finish) for call in calls), default=0.0)
    return _Geometry(calls, lanes, _legend(calls), first, last)


def _description(geometry: _Geometry, zone: str) -> str:
    """The chart in words: the span, then each call's lane, line, times and outcome."""
    calls = geometry.calls
    if not calls:
        return EMPTY_TEXT
    start = min(call.start for call in calls)
    end = max(call.finish for call in calls)
    failed = sum(call.outcome == "failure" for call in calls)
    count = len(calls)
    span = (
        f"from {_clock(start)} to {_clock(end)} on {_day(end)}"
        if start.date() == end.date()
        else f"from {_clock(start)} on {_day(start)} to {_clock(end)} on {_day(end)}"
    )
    calls_noun = "job or provider call" if count == 1 else "jobs and provider calls"
    parts = [f"{count} {calls_noun} {span} ({zone}), {failed} failed."]
    for call in calls[:DESCRIBED_CALLS]:
        parts.append(
            f"{call.lane}: {call.label}, {_when(call)},"
            f" {legend_name(call.outcome, call.timed).lower()}."
        )
    if count > DESCRIBED_CALLS:
        parts.append(f"And {count - DESCRIBED_CALLS} more.")
    return " ".join(parts)


def _tick_labels(ticks: list[float], step_under_a_minute: bool) -> list[str]:
    """ "10:15", or "10:15:30" under a minute's step; the day where it changes (the first day
    is in the axis' title)."""
    labels: list[str] = []
    previous: datetime | None = None
    for tick in ticks:
        moment = datetime(1970, 1, 1) + timedelta(seconds=tick)
        clock = f"{moment:%H:%M:%S}" if step_under_a_minute else f"{moment:%H:%M}"
        if previous is not None and previous.date() != moment.date():
            clock = f"{moment.day} {moment:%b} {clock}"
        labels.append(clock)
        previous = moment
    return labels


def _axis_title(geometry: _Geometry, zone: str) -> str:
    start = min(call.start for call in geometry.calls)
    end = max(call.finish for call in geometry.calls)
    when = "on" if start.date() == end.date() else "from"
    return f"Time {when} {_day(start)} ({zone})"


def processing_svg(frame: pd.DataFrame, zone: str = "UTC") -> str:
    """An SVG Gantt chart of `frame` (`processing_frame`: lane, start, finish as wall times
    of `zone`, duration_ms or None, outcome, label; the names and lines untrusted)."""
    geometry = _geometry(frame)
    calls, lanes = geometry.calls, geometry.lanes
    top, bottom, height = geometry.top, geometry.bottom, geometry.height
    right = WIDTH - RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-labelledby="{TITLE_ID} {DESC_ID}"'
        f' font-family="{CHART_FONT}" font-size="{FONT_SIZE}">',
        f'<title id="{TITLE_ID}">{escape(TITLE)}</title>',
        f'<desc id="{DESC_ID}">{escape(_description(geometry, zone))}</desc>',
    ]
    if not calls:
        parts.append(
            f'<text x="{WIDTH / 2:g}" y="{height / 2:g}" text-anchor="middle"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(EMPTY_TEXT)}</text></svg>'
        )
        return "".join(parts)

    # The legend: a swatch and a name per outcome shown.
    for name, colour, x, row in geometry.legend:
        middle = LEGEND_ROW * row + LEGEND_ROW / 2
        swatch = (
            f'<polygon points="{_diamond(x + 6, middle, 6)}" fill="{colour}"/>'
            if UNKNOWN_DURATION in name  # the diamond the chart draws such a call as
            else f'<rect x="{number(x)}" y="{number(middle - 6)}" width="12" height="12"'
            f' rx="2" fill="{colour}"/>'
        )
        parts.append(
            f'{swatch}<text x="{number(x + 18)}" y="{number(middle)}"'
            f' dominant-baseline="central" fill="{MUTED_TEXT_COLOUR}">{escape(name)}</text>'
        )
    # The time axis: grid lines at whole steps of the clock, their labels, the zone.
    ticks = geometry.ticks()
    under_a_minute = len(ticks) < 2 or ticks[1] - ticks[0] < 60
    for tick, label in zip(ticks, _tick_labels(ticks, under_a_minute), strict=True):
        at = number(geometry.x_of_seconds(tick))
        parts.append(
            f'<line x1="{at}" x2="{at}" y1="{top}" y2="{bottom + 5}" stroke="{GRID}"/>'
            f'<text x="{at}" y="{bottom + 18}" text-anchor="middle"'
            f' fill="{MUTED_TEXT_COLOUR}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{SLATE}"/>'
        f'<text x="{number((LEFT + right) / 2)}" y="{bottom + 38}" text-anchor="middle"'
        f' fill="{MUTED_TEXT_COLOUR}">{escape(_axis_title(geometry, zone))}</text>'
    )
    # The lanes: a name each (shortened; whole in its title), a faint line under each.
    for lane in lanes:
        middle = geometry.lane_middle(lane)
        parts.append(
            f"<g><title>{escape(lane)}</title>"
            f'<text x="{LEFT - 8}" y="{number(middle)}" text-anchor="end"'
            f' dominant-baseline="central" fill="{MUTED_TEXT_COLOUR}">'
            f"{escape(_shortened(lane))}</text></g>"
            f'<line x1="{LEFT}" x2="{right}" y1="{number(middle + LANE_HEIGHT / 2)}"'
            f' y2="{number(middle + LANE_HEIGHT / 2)}" stroke="{GRID}"/>'
        )
    # The calls: a bar from start to end, or a diamond where the duration is unknown.
    for call in calls:
        colour = OUTCOME_COLOURS[call.outcome]
        middle = geometry.lane_middle(call.lane)
        tooltip = f"<title>{escape(_tooltip(call))}</title>"
        if call.timed:
            left = geometry.x_of(call.start)
            width = max(MIN_BAR, geometry.x_of(call.finish) - left)
            parts.append(
                f'<rect x="{number(left)}" y="{number(middle - BAR_HEIGHT / 2)}"'
                f' width="{number(width)}" height="{BAR_HEIGHT}" rx="2" fill="{colour}">'
                f"{tooltip}</rect>"
            )
        else:
            parts.append(
                f'<polygon points="{_diamond(geometry.x_of(call.finish), middle, DIAMOND)}"'
                f' fill="{colour}" stroke="{WHITE}"'
                f' stroke-width="1">{tooltip}</polygon>'
            )
    parts.append("</svg>")
    return "".join(parts)


def processing_html(frame: pd.DataFrame, zone: str = "UTC") -> str:
    """The chart for a page: the SVG as an image (Streamlit's `st.html` keeps no inline SVG),
    its description as the image's text alternative, and over each bar or diamond a
    transparent band whose tooltip (the browser's own, a `title`) names the call, its times
    and outcome. Every text from the API is escaped (the tooltips as attribute values)."""
    geometry = _geometry(frame)
    alt = f"{TITLE}. {_description(geometry, zone)}"
    bands = []
    for call in geometry.calls:
        if call.timed:
            left = geometry.x_of(call.start)
            right = max(left + MIN_BAR, geometry.x_of(call.finish))
        else:
            left = right = geometry.x_of(call.finish)
        middle = (left + right) / 2
        half = max(right - left, MIN_BAND) / 2
        top = geometry.lane_middle(call.lane) - LANE_HEIGHT / 2
        bands.append(
            band(
                _tooltip(call),
                middle - half,
                middle + half,
                top,
                LANE_HEIGHT,
                (WIDTH, geometry.height),
            )
        )
    picture = image(processing_svg(frame, zone), WIDTH, geometry.height, alt)
    return with_bands(picture, bands)
