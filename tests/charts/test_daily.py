"""The Campaigns page's leads-per-day chart (lib/charts/campaigns.py): a static SVG, its bars
stacked by status in the status colours, whole-number ticks, a tooltip per day, said in
words, the campaign's name only escaped in the text alternative."""

from __future__ import annotations

import base64
import itertools
import re
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as some

from lib.charts import chronology_html, chronology_svg
from lib.charts.campaigns import PLOT_BOTTOM, PLOT_HEIGHT, describe
from lib.convertr.models import LeadStatisticsChronology
from lib.palette import STATUS_HEX_COLOURS
from lib.views.campaigns import chronology_frame

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)>'
JUNE = date(2026, 6, 1)


def chronology(
    day: date, valid: int, caution: int = 0, invalid: int = 0, test: int = 0
) -> LeadStatisticsChronology:
    return LeadStatisticsChronology.model_validate(
        {"id": day.toordinal() * 10 + 1, "campaign": "/api/v4/campaigns/1", "date": day,
         "total": valid + caution + invalid + test, "valid": valid, "caution": caution,
         "invalid": invalid, "test": test, "delivered": 0}
    )  # fmt: skip


def _bars(svg: str) -> list[dict[str, str]]:
    root = ElementTree.fromstring(svg)  # raises on anything not well-formed
    return [
        rect.attrib
        for rect in root.iter(f"{SVG}rect")
        if float(rect.attrib["y"]) >= PLOT_BOTTOM - PLOT_HEIGHT - 0.5  # not the legend's
    ]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_each_days_statuses_stack_from_the_axis_in_their_colours() -> None:
    frame = chronology_frame([chronology(JUNE, 4, 2, 1), chronology(JUNE + timedelta(2), 3)], 1)
    bars = _bars(chronology_svg(frame))
    # Day 1: valid, caution, invalid (no test); day 3: valid only; day 2 has none.
    assert [bar["fill"] for bar in bars] == [
        STATUS_HEX_COLOURS["Valid"],
        STATUS_HEX_COLOURS["Caution"],
        STATUS_HEX_COLOURS["Invalid"],
        STATUS_HEX_COLOURS["Valid"],
    ]
    first = bars[:3]
    # Stacked: each segment starts where the one below ended; the first sits on the axis.
    assert abs(float(first[0]["y"]) + float(first[0]["height"]) - PLOT_BOTTOM) < 0.2
    for lower, upper in itertools.pairwise(first):
        assert abs(float(upper["y"]) + float(upper["height"]) - float(lower["y"])) < 0.2
    # Heights in proportion to the counts (4 : 2 : 1).
    heights = [float(bar["height"]) for bar in first]
    assert abs(heights[0] / heights[2] - 4) < 0.1 and abs(heights[1] / heights[2] - 2) < 0.1
    # Three days in the span, two slots apart: the third day's bar is right of the first's.
    assert float(bars[3]["x"]) > float(bars[0]["x"])


def test_a_tooltip_per_day_with_leads_and_the_name_only_escaped_in_the_alternative() -> None:
    frame = chronology_frame([chronology(JUNE, 4, 2, 1), chronology(JUNE + timedelta(2), 3)], 1)
    html = chronology_html(frame, HOSTILE)
    page = _page(html)
    titles = [attrs["title"] for tag, attrs in page.tags if tag == "span"]
    assert titles == [
        "1 Jun 2026\n7 leads: 4 valid, 2 caution, 1 invalid, 0 test",
        "3 Jun 2026\n3 leads: 3 valid, 0 caution, 0 invalid, 0 test",
    ]
    (image,) = [attrs for tag, attrs in page.tags if tag == "img"]
    assert HOSTILE in (image["alt"] or "")
    # Markup only of our own: the name's tags stay text inside the alternative.
    assert {tag for tag, _ in page.tags} == {"div", "img", "span"}
    assert "<script" not in html
    svg = base64.b64decode((image["src"] or "").split(",", 1)[1]).decode()
    assert "script" not in svg and HOSTILE not in svg, "the name never reaches the picture"


def test_the_chart_in_words_and_an_empty_frame() -> None:
    frame = chronology_frame([chronology(JUNE, 4, 2, 1), chronology(JUNE + timedelta(2), 3)], 1)
    assert describe(frame, "Acme") == (
        "Leads per day on Acme, stacked by status: 10 leads from 1 Jun 2026 to 3 Jun 2026 "
        "(7 valid, 2 caution, 1 invalid, 0 test); the busiest day, 1 Jun 2026, had 7 leads."
    )
    empty = chronology_frame([], 1)
    assert describe(empty, "Acme") == "No leads per day on Acme."
    assert _bars(chronology_svg(empty)) == []
    assert "<span" not in chronology_html(empty, "Acme")


def test_one_day_is_one_bar_not_wider_than_the_widest() -> None:
    (bar,) = _bars(chronology_svg(chronology_frame([chronology(JUNE, 5)], 1)))
    assert float(bar["width"]) <= 40


@settings(max_examples=60, deadline=None)
@given(
    peak=some.integers(min_value=1, max_value=50_000),
    days=some.integers(min_value=1, max_value=400),
)
def test_ticks_are_whole_numbers_at_most_five_steps_covering_the_peak(peak: int, days: int) -> None:
    rows = [chronology(JUNE + timedelta(offset), 1) for offset in range(days - 1)]
    rows.append(chronology(JUNE + timedelta(days - 1), peak))
    svg = chronology_svg(chronology_frame(rows, 1))
    root = ElementTree.fromstring(svg)
    labels = [
        int(text.text.replace(",", ""))
        for text in root.iter(f"{SVG}text")
        if text.text and re.fullmatch(r"[\d,]+", text.text)
    ]
    assert labels[0] == 0 and labels[-1] >= peak
    assert 2 <= len(labels) <= 6
    steps = {b - a for a, b in itertools.pairwise(labels)}
    assert len(steps) == 1
    # Every bar inside the plot.
    for bar in _bars(svg):
        assert float(bar["y"]) >= PLOT_BOTTOM - PLOT_HEIGHT - 0.5
        assert float(bar["x"]) >= 0
