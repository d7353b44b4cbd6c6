"""The Associated Campaigns tab's weekly chart: a static SVG, well-formed, every campaign name
escaped as XML text, said in words, a tooltip per point, whole-number ticks."""

from __future__ import annotations

import base64
import itertools
import re
import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta
from html.parser import HTMLParser

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as some

from lib.charts.weekly import EMPTY_TEXT, TITLE, weekly_leads_html, weekly_leads_svg
from lib.palette import SERIES_COLOURS

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)> ]]> (#7)'


def _frame(rows: list[tuple[date, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "campaign", "total"])


def _parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # raises on anything not well-formed


def _tooltips(root: ElementTree.Element) -> list[str]:
    return [
        title.text or ""
        for circle in root.iter(f"{SVG}circle")
        for title in circle.findall(f"{SVG}title")
    ]


def test_a_hostile_name_is_text_only() -> None:
    monday = date(2026, 6, 1)
    svg = weekly_leads_svg(
        _frame([(monday, HOSTILE, 3), (monday + timedelta(7), HOSTILE, 5), (monday, "Two", 1)])
    )
    root = _parsed(svg)
    assert "<script" not in svg and "<img" not in svg
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "line", "circle", "text", "polyline"}
    # The name is read back whole (legend tooltip, point tooltips, the description)...
    texts = ["".join(element.itertext()) for element in root.iter()]
    assert any(HOSTILE in text for text in _tooltips(root))
    assert HOSTILE in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert HOSTILE in texts
    # ...and never in an attribute.
    assert not any(HOSTILE in value for element in root.iter() for value in element.attrib.values())


def test_every_point_has_its_tooltip_and_the_series_their_colours() -> None:
    monday = date(2026, 6, 1)
    rows = [
        (monday + timedelta(7 * week), name, week + index)
        for index, name in enumerate(("A (#1)", "B (#2)"))
        for week in range(4)
    ]
    root = _parsed(weekly_leads_svg(_frame(rows)))
    tips = _tooltips(root)
    assert len(tips) == 8
    assert "A (#1)\nWeek of 8 Jun 2026: 1 lead" in tips
    assert "B (#2)\nWeek of 22 Jun 2026: 4 leads" in tips
    lines = list(root.iter(f"{SVG}polyline"))
    assert [line.get("stroke") for line in lines] == list(SERIES_COLOURS[:2])
    assert root.get("role") == "img"
    assert (root.find(f"{SVG}title").text or "") == TITLE  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "A (#1): 6 leads over 4 weeks" in desc and "B (#2): 10 leads over 4 weeks" in desc
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert "1 Jun 2026" in labels and "22 Jun" in labels, "the year once, then day and month"
    assert "Leads per week" in labels


def test_one_week_is_a_point_in_the_middle() -> None:
    root = _parsed(weekly_leads_svg(_frame([(date(2026, 6, 1), "Only (#1)", 1)])))
    assert not list(root.iter(f"{SVG}polyline")), "no line through one point"
    (point,) = [
        circle for circle in root.iter(f"{SVG}circle") if circle.find(f"{SVG}title") is not None
    ]
    width = float(root.get("viewBox", "").split()[2])
    assert 0.3 * width < float(point.get("cx", "0")) < 0.7 * width
    assert _tooltips(root) == ["Only (#1)\nWeek of 1 Jun 2026: 1 lead"]


def test_empty_data_says_so() -> None:
    root = _parsed(weekly_leads_svg(_frame([])))
    assert [text.text for text in root.iter(f"{SVG}text")] == [EMPTY_TEXT]
    assert root.find(f"{SVG}desc").text == EMPTY_TEXT  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(
    some.lists(
        some.tuples(
            some.integers(0, 60), some.sampled_from(["A", "B", "C"]), some.integers(0, 10_000)
        ),
        min_size=1,
        max_size=30,
    )
)
def test_ticks_are_whole_and_cover_the_peak(rows: list[tuple[int, str, int]]) -> None:
    frame = _frame([(date(2026, 1, 5) + timedelta(7 * week), n, c) for week, n, c in rows])
    root = _parsed(weekly_leads_svg(frame))
    ticks = [
        int((text.text or "").replace(",", ""))
        for text in root.iter(f"{SVG}text")
        if re.fullmatch(r"[\d,]+", text.text or "")
    ]
    peak = int(frame.groupby(["campaign", "date"])["total"].sum().max())
    assert ticks[0] == 0 and max(ticks) >= peak and len(ticks) <= 6
    steps = {later - earlier for earlier, later in itertools.pairwise(ticks)}
    assert len(steps) <= 1
    for circle in root.iter(f"{SVG}circle"):
        assert 0 <= float(circle.get("cy", "0")) <= float(root.get("viewBox", "").split()[3])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_html_is_an_image_with_week_tooltips_and_escapes_names() -> None:
    monday = date(2026, 6, 1)
    frame = _frame([(monday, HOSTILE, 3), (monday + timedelta(7), HOSTILE, 5), (monday, "Two", 1)])
    page = weekly_leads_html(frame)
    parser = _Tags()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags] == ["div", "img", "span", "span"], "no tag of a name"
    image = parser.tags[1][1]
    view_box = _parsed(weekly_leads_svg(frame)).get("viewBox", "").split()
    assert [image["width"], image["height"]] == view_box[2:], "its room kept before decoding"
    source = image["src"] or ""
    assert source.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(source.split(",", 1)[1]).decode() == weekly_leads_svg(frame)
    assert HOSTILE in (image["alt"] or "") and TITLE in (image["alt"] or "")
    first, second = (attrs["title"] for _, attrs in parser.tags[2:])
    assert first == f"Week of 1 Jun 2026\n{HOSTILE}: 3 leads\nTwo: 1 lead"
    assert second == f"Week of 8 Jun 2026\n{HOSTILE}: 5 leads"
