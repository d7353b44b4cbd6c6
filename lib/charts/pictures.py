"""What the server-drawn SVG pictures share (`campaigns.py`, `weekly.py`, `timeline.py`):
numbers written compactly, whole-number tick steps, evenly spread ticks, day labels, and the
picture put on a page as an image with its text alternative and tooltip bands.

A picture, not a chart library: Streamlit's Vega-Lite code is 775 KB of JavaScript that
Chromium parses and runs the first time a session shows a chart (issue 18). `st.html` keeps
no inline SVG, so a picture is an `<img>` of a data URI; an image shows no SVG `<title>`, so
each tooltip is a transparent band over it with a `title` (the browser's own tooltip).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from datetime import date
from typing import Final, TypeVar
from xml.sax.saxutils import quoteattr

T = TypeVar("T")

TICK_FACTORS: Final = (1, 2, 5)


def number(value: float) -> str:
    """`value` to one decimal, without a trailing zero ("12", "12.5")."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def percent(value: float, whole: float) -> str:
    """`value` as a CSS percentage of `whole`."""
    return f"{100 * value / whole:.3f}".rstrip("0").rstrip(".") + "%"


def tick_step(peak: int, most: int) -> int:
    """A whole tick step (1, 2 or 5 times a power of ten) giving at most `most` steps up to
    `peak` (at least 1)."""
    magnitude = 1
    while True:
        for factor in TICK_FACTORS:
            step = factor * magnitude
            if math.ceil(max(peak, 1) / step) <= most:
                return step
        magnitude *= 10


def spread(items: Sequence[T], most: int) -> list[T]:
    """At most `most` of `items`, evenly spread, the first and the last included."""
    if len(items) <= most:
        return list(items)
    last = len(items) - 1
    indices = sorted({round(index * last / (most - 1)) for index in range(most)})
    return [items[index] for index in indices]


def day_label(day: date) -> str:
    """ "1 Jun 2026"."""
    return f"{day.day} {day:%b} {day.year}"


def tick_label(day: date, previous: date | None) -> str:
    """ "1 Jun", with the year on the first label and where the year changes."""
    if previous is None or previous.year != day.year:
        return day_label(day)
    return f"{day.day} {day:%b}"


def image(svg: str, width: int, height: int, alt: str) -> str:
    """The SVG as an `<img>` of a data URI drawn as wide as its column (this aspect kept),
    its size given so the page keeps its room before it is decoded; `alt` escaped."""
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return (
        f'<img src="{source}" width="{width}" height="{height}" alt={quoteattr(alt)}'
        ' style="width: 100%; height: auto">'
    )


def band(
    tooltip: str, left: float, right: float, top: float, height: float, size: tuple[int, int]
) -> str:
    """A transparent band over a picture of `size` (width, height, in its units) from `left`
    to `right` and `top` down `height`, whose tooltip is `tooltip` (escaped)."""
    width, whole = size
    return (
        f"<span title={quoteattr(tooltip)}"
        f' style="position: absolute; left: {percent(left, width)};'
        f" width: {percent(right - left, width)};"
        f" top: {percent(top, whole)};"
        f' height: {percent(height, whole)}"></span>'
    )


def with_bands(picture: str, bands: Sequence[str]) -> str:
    """The image and its tooltip bands in one box the bands are placed in."""
    return (
        '<div style="position: relative; max-width: 100%; line-height: 0">'
        + picture
        + "".join(bands)
        + "</div>"
    )
