"""Formatting, safe text and CSV neutralisation rules of the dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
import pytest

from lib import presentation as p


def test_counts_and_money_are_formatted_for_people() -> None:
    assert p.format_count(1234567) == "1,234,567"
    assert p.format_count(None) == "—"
    assert p.format_money("1234.5", "GBP") == "£1,234.50"
    assert p.format_money(Decimal("22.73"), "usd") == "$22.73"
    assert p.format_money("-3", "EUR") == "-€3.00"
    assert p.format_money("10", "CHF") == "CHF 10.00"
    assert p.format_money(None, "GBP") == "—"
    assert p.format_percent(1, 3) == "33.3%"
    assert p.format_percent(1, 0) == "—"


def test_timestamps_use_the_viewer_zone_and_fall_back_to_utc() -> None:
    moment = datetime(2024, 4, 19, 13, 43, tzinfo=UTC)
    assert p.format_timestamp(moment, p.resolve_timezone("Europe/London")) == "19 Apr 2024 14:43"
    assert p.format_timestamp(moment, p.resolve_timezone(None)) == "19 Apr 2024 13:43"
    assert p.format_timestamp(moment, p.resolve_timezone("Mars/Olympus")) == "19 Apr 2024 13:43"
    assert p.format_timestamp(None, p.resolve_timezone(None)) == "—"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (42, 42),
        (None, None),
    ],
)
def test_formula_cells_are_neutralised(cell: object, expected: object) -> None:
    assert p.neutralise_cell(cell) == expected


def test_csv_bytes_neutralise_every_text_column_and_keep_other_values() -> None:
    frame = pd.DataFrame(
        {"Name": ["=cmd|' /C calc'!A0", "Ana"], "Count": [1, 2], "=Header": ["@x", "y"]}
    )
    data = p.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == ["Name", "Count", "'=Header"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "1", "'@x"]
    assert rows[2] == ["Ana", "2", "y"]
    assert str(frame.loc[0, "Name"]).startswith("=")  # the displayed frame is not changed


def test_only_https_and_data_image_urls_are_shown_as_images() -> None:
    assert p.safe_image_url("https://img.example/a.png") == "https://img.example/a.png"
    assert p.safe_image_url("data:image/svg+xml;base64,AAAA") is not None
    assert p.safe_image_url("javascript:alert(1)") is None
    assert p.safe_image_url(" JAVASCRIPT:alert(1)") is None
    assert p.safe_image_url("http://img.example/a.png") is None
    assert p.safe_image_url(None) is None
    assert p.safe_link_url("https://linkedin.com/in/x") == "https://linkedin.com/in/x"
    assert p.safe_link_url("javascript:alert(1)") is None


def test_markdown_and_chart_labels_are_inert() -> None:
    assert p.escape_markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert p.escape_markdown("<script>") == r"\<script\>"
    assert p.chart_label("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert p.chart_label("x" * 100, limit=10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100001", 100001), ("007", 7), ("0", 0), ("²", None), ("١٢", None), ("\uff11\uff12", None)],
)
def test_whole_numbers_are_ascii_digits_only(text: str, expected: int | None) -> None:
    assert "²".isdigit(), "why the helper exists: str.isdigit alone lets it through"
    assert p.whole_number(text) == expected
    assert p.whole_number("-1") is None and p.whole_number("1.5") is None


def test_json_messages_are_pretty_printed_and_other_text_kept_exactly() -> None:
    text, language = p.pretty_message('{"result":"valid","n":1}')
    assert language == "json"
    assert text == '{\n  "result": "valid",\n  "n": 1\n}'
    assert p.pretty_message("{not json") == ("{not json", "text")
    assert p.pretty_message("<b>x</b>") == ("<b>x</b>", "text")


def test_display_text_never_shows_python_reprs() -> None:
    assert p.display_text(None) == ""
    assert p.display_text(True) == "Yes"
    assert p.display_text(Decimal("1.50")) == "1.50"
    assert p.display_text(["a", None, 2]) == "a, , 2"


def test_long_values_are_shortened_for_the_panel() -> None:
    assert p.shorten("short") == "short"
    long_value = "A" * 4991 + " Director"
    assert len(p.shorten(long_value)) == p.PANEL_TEXT_LIMIT
    assert p.shorten(long_value).endswith("…")


HOSTILE_MARKDOWN = (
    "[x](https://evil)",
    "![i](https://evil/i.png)",
    "<img src=x onerror=alert(1)>",
    "<https://evil>",
    "**b** _i_ `code` ~~s~~",
    "line one\nline two\r\n# heading\r- item",
    "https://evil.example www.evil.example me@evil.example",
    ":red[alarm] :material/warning: $x^2$",
)


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_escaped_markdown_has_no_link_image_html_or_new_block(text: str) -> None:
    escaped = p.escape_markdown(text).replace(p.AUTOLINK_BREAK, "")
    assert not any(char in escaped for char in "\r\n"), "one line: no new block"
    # Every character markdown or Streamlit would act on is preceded by a backslash.
    bare = escaped.replace("\\\\", "")
    for special in "[]()<>!*_`~:@.#$&-":
        assert all(bare[index - 1] == "\\" for index, char in enumerate(bare) if char == special)
    # And a reader sees the text as it came (line breaks as spaces).
    assert escaped.replace("\\", "") == " ".join(
        text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )


GFM_AUTOLINKS = re.compile(r"(?i:https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")
"""What GFM's autolink literals (mdast-util-gfm-autolink-literal) find in one text node: a
URL from `http(s)://` or `www.`, or an email."""


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example/x?a=b",
        "see WWW.Evil.Example now",
        "ana@evil.example",
        "mailto:ana@evil.example",
        "<ana@evil.example>",
        "a\\@b.co www\\.x.y",
        "http://evil.example",
        "ftp.www.evil.example",
    ],
)
def test_escaped_markdown_has_no_autolink_in_any_text_node(text: str) -> None:
    """Escapes are undone before GFM looks for autolinks (Chromium showed escaped URLs and
    emails as live links), so the break must split every one: no text node between breaks
    holds one, and the text reads the same."""
    escaped = p.escape_markdown(text)
    nodes = [re.sub(r"\\(.)", r"\1", node) for node in escaped.split(p.AUTOLINK_BREAK)]
    assert not [node for node in nodes if GFM_AUTOLINKS.search(node)]
    assert "".join(nodes) == text


def test_masked_values_are_shown_as_masked_never_as_the_token_or_empty() -> None:
    assert p.shown_value(p.MASKED_VALUE) == p.MASKED_LABEL
    assert p.shown_value(" [masked] ") == p.MASKED_LABEL
    assert p.shown_value("ana@example.com") == "ana@example.com"
    assert p.shown_value(None) == ""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_lines(cell: str) -> list[str]:
    """The lines a spreadsheet may read out of one cell (any of CR, LF, CRLF ends a line)."""
    return cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def test_csv_neutralises_formulas_after_line_breaks_and_quotes_them_as_a_spreadsheet_reads() -> (
    None
):
    hostile = [
        'x\r=HYPERLINK("https://evil","click")',
        "x\n+cmd|' /C calc'!A0",
        "a\r\n-2+3",
        "\r@SUM(A1)",
        "ok\r\n\tx",
        "two\r\r=1",
        "plain",
    ]
    frame = pd.DataFrame({"Value": hostile, "Count": range(len(hostile))})
    raw = p.csv_bytes(frame)
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Value", "Count"]
    assert len(rows) == len(hostile) + 1, "a line break inside a cell never starts a row"
    assert all(len(row) == 2 for row in rows)
    for row in rows[1:]:
        for cell in row:
            for line in spreadsheet_lines(cell):
                assert not line.startswith(FORMULA_START), f"formula in {cell!r}"
    # The cells keep their text after the apostrophes: nothing is lost.
    assert [row[0].replace("'", "") for row in rows[1:]] == [
        value.replace("'", "") for value in hostile
    ]
    # Every cell holding CR or LF is quoted: outside quotes, the file has only CRLF row ends.
    outside = "".join(part for index, part in enumerate(text.split('"')) if index % 2 == 0)
    assert outside.replace("\r\n", "").count("\r") == 0
    assert outside.replace("\r\n", "").count("\n") == 0


def test_status_and_muted_text_colours_meet_wcag_aa() -> None:
    """Caution text was 2.3:1 on white; every text colour now reaches 4.5:1 on white and on
    the grid header's grey."""
    from lib.palette import (
        MUTED_TEXT_COLOUR,
        STATUS_TEXT_COLOURS,
        WCAG_AA_TEXT_CONTRAST,
        contrast_ratio,
    )

    assert round(contrast_ratio("#E3A008"), 1) == 2.3
    assert contrast_ratio("#000000") == 21.0
    for colour in (*STATUS_TEXT_COLOURS.values(), MUTED_TEXT_COLOUR):
        for background in ("#FFFFFF", "#F0F2F6"):
            assert contrast_ratio(colour, background) >= WCAG_AA_TEXT_CONTRAST, colour
