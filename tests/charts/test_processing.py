"""The Timeline tab's processing chart: a static SVG Gantt, well-formed, every job's and
provider's name escaped as XML text, said in words, a tooltip per call, clock ticks in the
page's zone."""

from __future__ import annotations

import base64
import itertools
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as some

from lib.charts.timeline import (
    EMPTY_TEXT,
    OUTCOME_COLOURS,
    TITLE,
    WIDTH,
    processing_html,
    processing_svg,
)
from lib.views.timeline_chart import PROCESSING_COLUMNS

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)> ]]> (#7)'
NINE = datetime(2026, 6, 1, 9, 0, 0)


def _frame(rows: list[tuple[str, datetime, float | None, str, str]]) -> pd.DataFrame:
    """(lane, finish, duration in ms or None, outcome, label) rows, as `processing_frame`."""
    return pd.DataFrame(
        [
            (
                lane,
                pd.Timestamp(finish - timedelta(milliseconds=duration or 0)),
                pd.Timestamp(finish),
                duration,
                outcome,
                label,
            )
            for lane, finish, duration, outcome, label in rows
        ],
        columns=PROCESSING_COLUMNS,
    )


def _parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # raises on anything not well-formed


def _marks(root: ElementTree.Element) -> list[ElementTree.Element]:
    """The calls' bars and diamonds (each has its tooltip; the legend's swatches have none)."""
    return [
        element
        for element in root.iter()
        if element.tag in (f"{SVG}rect", f"{SVG}polygon")
        and element.find(f"{SVG}title") is not None
    ]


def _tip(element: ElementTree.Element) -> str:
    return element.find(f"{SVG}title").text or ""  # type: ignore[union-attr]


def _texts(root: ElementTree.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def test_a_hostile_name_is_text_only() -> None:
    frame = _frame(
        [
            (HOSTILE, NINE, 1200, "failure", HOSTILE),
            ("Job: Two", NINE + timedelta(seconds=3), None, "success", "Two passed"),
        ]
    )
    svg = processing_svg(frame, HOSTILE)
    root = _parsed(svg)
    assert "<script" not in svg and "<img" not in svg
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "g", "line", "rect", "polygon", "text"}
    # The name is read back whole (the lane's tooltip, the bar's, the description)...
    assert any(HOSTILE in _tip(mark) for mark in _marks(root))
    assert HOSTILE in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert any((title.text or "") == HOSTILE for title in root.iter(f"{SVG}title"))
    # ...and never in an attribute.
    assert not any(HOSTILE in value for element in root.iter() for value in element.attrib.values())


def test_each_call_is_a_bar_by_time_and_duration_coloured_by_outcome() -> None:
    frame = _frame(
        [
            ("Job: Check", NINE + timedelta(seconds=2), 2000, "success", "Check passed"),
            ("NeverBounce", NINE + timedelta(seconds=6), 4000, "failure", "NeverBounce failed"),
            ("BriteVerify", NINE + timedelta(seconds=6), 500, "warning", "BriteVerify warned"),
        ]
    )
    root = _parsed(processing_svg(frame, "Europe/London"))
    marks = _marks(root)
    assert [mark.get("fill") for mark in marks] == [
        OUTCOME_COLOURS["success"],
        OUTCOME_COLOURS["failure"],
        OUTCOME_COLOURS["warning"],
    ]
    widths = [float(mark.get("width", "0")) for mark in marks]
    assert abs(widths[1] - 2 * widths[0]) < 0.2 and abs(widths[1] - 8 * widths[2]) < 0.5, (
        "a bar's length is its duration"
    )
    starts = [float(mark.get("x", "0")) for mark in marks]
    assert starts[0] < starts[1] < starts[2], "and its place its start"
    tops = [float(mark.get("y", "0")) for mark in marks]
    assert tops[0] < tops[1] < tops[2], "one lane each, the first start on top"
    assert _tip(marks[1]) == "NeverBounce\nNeverBounce failed\n09:00:02 to 09:00:06, 4 s (Failed)"
    texts = _texts(root)
    assert {"Passed", "Warning", "Failed", "Job: Check", "NeverBounce", "BriteVerify"} <= set(texts)
    assert "Time on 1 Jun 2026 (Europe/London)" in texts, "the day and zone in the title"
    assert "09:00:00" in texts and "09:00:06" in texts
    assert root.get("role") == "img"
    assert (root.find(f"{SVG}title").text or "") == TITLE  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert desc.startswith("3 jobs and provider calls from 09:00:00 to 09:00:06 on 1 Jun 2026")
    assert "NeverBounce: NeverBounce failed, 09:00:02 to 09:00:06, 4 s, failed." in desc


def test_one_call_is_a_bar_in_the_plot_and_an_unknown_duration_a_diamond() -> None:
    root = _parsed(processing_svg(_frame([("Only", NINE, 300, "success", "Only passed")])))
    (bar,) = _marks(root)
    left, width = float(bar.get("x", "0")), float(bar.get("width", "0"))
    assert left > 0 and left + width <= WIDTH and width > 100, "one call spans the plot"
    assert _tip(bar) == "Only\nOnly passed\n08:59:59 to 09:00:00, 300 ms (Passed)"
    root = _parsed(processing_svg(_frame([("X", NINE, None, "neutral", "X answered")])))
    (diamond,) = _marks(root)
    assert diamond.tag == f"{SVG}polygon" and diamond.get("fill") == OUTCOME_COLOURS["neutral"]
    xs = [float(point.split(",")[0]) for point in (diamond.get("points") or "").split()]
    assert 0.3 * WIDTH < sum(xs) / len(xs) < 0.8 * WIDTH
    assert "Other (duration unknown)" in _texts(root)
    swatches = [shape for shape in root.iter(f"{SVG}polygon") if shape is not diamond]
    assert len(swatches) == 1, "its legend's swatch is a diamond too"
    assert _tip(diamond) == "X\nX answered\nfinished at 09:00:00 (Other (duration unknown))"


def test_a_day_change_is_on_its_tick() -> None:
    late = datetime(2026, 6, 1, 23, 0)
    frame = _frame(
        [
            ("A", late, 60_000, "success", "A"),
            ("B", late + timedelta(hours=2), None, "failure", "B"),
        ]
    )
    texts = _texts(_parsed(processing_svg(frame)))
    assert "Time from 1 Jun 2026 (UTC)" in texts
    assert "23:00" in texts and "2 Jun 00:00" in texts and "01:00" in texts


def test_empty_data_says_so() -> None:
    root = _parsed(processing_svg(_frame([])))
    assert _texts(root) == [EMPTY_TEXT]
    assert root.find(f"{SVG}desc").text == EMPTY_TEXT  # type: ignore[union-attr]
    assert "<span" not in processing_html(_frame([]))


@settings(max_examples=40, deadline=None)
@given(
    some.lists(
        some.tuples(
            some.integers(0, 3 * 86_400_000),  # finish: ms after nine, up to three days
            some.one_of(some.none(), some.integers(0, 2 * 3_600_000)),
            some.sampled_from(["A", "B", "C"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_ticks_are_whole_steps_of_the_clock_inside_the_plot(
    rows: list[tuple[int, int | None, str]],
) -> None:
    frame = _frame(
        [(lane, NINE + timedelta(milliseconds=at), ms, "success", lane) for at, ms, lane in rows]
    )
    root = _parsed(processing_svg(frame))
    bottom = max(float(line.get("y1", "0")) for line in root.iter(f"{SVG}line"))
    ticks = [
        line
        for line in root.iter(f"{SVG}line")
        if line.get("x1") == line.get("x2") and float(line.get("y2", "0")) > bottom
    ]
    xs = [float(tick.get("x1", "0")) for tick in ticks]
    assert 1 <= len(xs) <= 7 and xs == sorted(xs)
    assert all(0 < x <= WIDTH for x in xs)
    gaps = [later - earlier for earlier, later in itertools.pairwise(xs)]
    assert not gaps or max(gaps) - min(gaps) < 0.5, "evenly spaced"
    labels = [text for text in _texts(root) if ":" in text]
    assert len(labels) == len(xs)
    assert all(label[-5:-3].isdigit() and label[-2:].isdigit() for label in labels)
    for mark in _marks(root):
        x = float(mark.get("x") or (mark.get("points") or "0,0").split(",")[0])
        assert 0 < x <= WIDTH


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_html_is_an_image_with_a_tooltip_per_call_and_escapes_names() -> None:
    frame = _frame(
        [
            (HOSTILE, NINE, 1200, "failure", HOSTILE),
            ("Job: Two", NINE + timedelta(seconds=3), None, "success", "Two passed"),
        ]
    )
    page = processing_html(frame, "UTC")
    parser = _Tags()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags] == ["div", "img", "span", "span"], "no tag of a name"
    image = parser.tags[1][1]
    view_box = _parsed(processing_svg(frame, "UTC")).get("viewBox", "").split()
    assert [image["width"], image["height"]] == view_box[2:], "its room kept before decoding"
    source = image["src"] or ""
    assert source.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(source.split(",", 1)[1]).decode() == processing_svg(frame, "UTC")
    assert HOSTILE in (image["alt"] or "") and TITLE in (image["alt"] or "")
    first, second = (attrs["title"] for _, attrs in parser.tags[2:])
    assert first == f"{HOSTILE}\n{HOSTILE}\n08:59:58 to 09:00:00, 1.2 s (Failed)"
    assert second == "Job: Two\nTwo passed\nfinished at 09:00:03 (Passed (duration unknown))"
