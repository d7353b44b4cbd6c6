"""Long and opaque values shown readably: data URIs named, long messages folded, newest
first, a row in full."""

from __future__ import annotations

import base64

import pandas as pd

from lib.views.reading import (
    describe_data_uri,
    fold_label,
    fold_text,
    newest_first,
    readable_frame,
    row_in_full,
)


def test_a_data_uri_is_named_with_its_size_instead_of_dumped() -> None:
    svg = base64.b64encode(b"<svg>" + b"x" * 2000 + b"</svg>").decode()
    assert describe_data_uri(f"data:image/svg+xml;base64,{svg}") == (
        "SVG image (embedded data, 2.0 kB)"
    )
    assert describe_data_uri("data:,hello") == "text/plain data (embedded data, 5 bytes)"
    assert describe_data_uri("https://example.com/a.png") is None
    frame = pd.DataFrame(
        {"Field": ["Photo", "City"], "Value": [f"data:image/png;base64,{svg}", "Leeds"]}
    )
    shown = readable_frame(frame)
    assert shown["Value"].tolist() == ["PNG image (embedded data, 2.0 kB)", "Leeds"]
    assert "base64" not in shown.to_csv()


def test_a_long_message_folds_after_a_few_lines() -> None:
    short = "one\ntwo"
    assert not fold_text(short).folded and fold_text(short).preview == short
    long = "\n".join(f"line {number}" for number in range(100))
    folded = fold_text(long, max_lines=12)
    assert folded.folded and folded.preview.count("\n") == 11 and folded.full == long
    assert fold_label(folded) == "Show the whole message (88 more lines)"
    wide = fold_text("x" * 5000, max_line_chars=400)
    assert wide.folded and len(wide.preview) == 401
    assert fold_label(wide) == "Show the whole message (long lines were cut)"


def test_newest_first_and_a_row_in_full() -> None:
    frame = pd.DataFrame({"Time": ["1", "2", "3"], "Old value": ["a", None, "c" * 500]})
    assert newest_first(frame)["Time"].tolist() == ["3", "2", "1"]
    assert row_in_full(frame, 2) == (("Time", "3"), ("Old value", "c" * 500))
    assert row_in_full(frame, 1) == (("Time", "2"), ("Old value", ""))


def test_a_table_without_data_uris_is_returned_as_it_is() -> None:
    frame = pd.DataFrame({"Field": ["Age", "City"], "Value": [41, "Leeds"], "n": [1, 2]})
    assert readable_frame(frame) is frame
    mixed = pd.DataFrame({"Value": [41, "data:,hi", None], "n": [1, 2, 3]})
    shown = readable_frame(mixed)
    assert shown["Value"].tolist()[:2] == [41, "text/plain data (embedded data, 2 bytes)"]
    assert mixed["Value"].tolist()[1] == "data:,hi", "the given frame is left as it was"
