"""How long or opaque values are shown so every table and card stays readable: data URIs
named instead of dumped, long messages folded after a few lines, rows ordered newest first,
and one row's values in full."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

FOLD_LINES: Final = 12
"""Lines of a provider message shown before it folds."""
FOLD_LINE_CHARS: Final = 400
"""A single line longer than this (minified JSON, a token) also folds."""
DATA_URI: Final = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w=.+-]+)*),(.*)$", re.DOTALL)
KILOBYTE: Final = 1024


def describe_data_uri(value: str) -> str | None:
    """`data:image/svg+xml;base64,PHN2Zy…` -> "SVG image (embedded data, 1.2 kB)"; None when the
    value is not a data URI."""
    match = DATA_URI.match(value.strip())
    if match is None:
        return None
    media = match.group(1) or "text/plain"
    kind, _, subtype = media.partition("/")
    name = subtype.split("+")[0].upper() or media
    size = len(match.group(3))
    if ";base64" in (match.group(2) or ""):
        size = size * 3 // 4
    amount = f"{size / KILOBYTE:.1f} kB" if size >= KILOBYTE else f"{size} bytes"
    what = f"{name} image" if kind == "image" else f"{media} data"
    return f"{what} (embedded data, {amount})"


def readable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every data URI cell named instead of shown raw (a photo's SVG would
    otherwise fill a column with base64); the same frame when no cell is one."""

    def readable(value: object) -> object:
        if isinstance(value, str) and value.startswith("data:"):
            return describe_data_uri(value) or value
        return value

    if frame.empty:
        return frame
    # Only the text columns holding a data URI are rewritten: mapping every cell of every
    # column (into new Arrow arrays) cost more than drawing the table.
    shown: pd.DataFrame | None = None
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (is_object_dtype(column.dtype) or is_string_dtype(column.dtype)):
            continue
        if not any(isinstance(value, str) and value.startswith("data:") for value in column):
            continue
        if shown is None:
            shown = frame.copy()
        shown.isetitem(position, column.map(readable).to_list())
    return frame if shown is None else shown


@dataclass(frozen=True)
class FoldedText:
    """A message as first shown (`preview`) and whole; `hidden` lines are behind "Show all"."""

    preview: str
    full: str
    hidden_lines: int

    @property
    def folded(self) -> bool:
        return self.preview != self.full


def fold_text(
    text: str, max_lines: int = FOLD_LINES, max_line_chars: int = FOLD_LINE_CHARS
) -> FoldedText:
    """The first `max_lines` lines, each cut at `max_line_chars`, when the text is longer."""
    lines = text.splitlines() or [""]
    shown = [
        line if len(line) <= max_line_chars else f"{line[:max_line_chars]}…"
        for line in lines[:max_lines]
    ]
    preview = "\n".join(shown)
    if len(lines) <= max_lines and preview == "\n".join(lines):
        return FoldedText(preview=text, full=text, hidden_lines=0)
    return FoldedText(preview=preview, full=text, hidden_lines=max(0, len(lines) - max_lines))


def fold_label(folded: FoldedText) -> str:
    """The expander's label under a folded message."""
    if folded.hidden_lines:
        return f"Show the whole message ({folded.hidden_lines:,} more lines)"
    return "Show the whole message (long lines were cut)"


def newest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """A table built oldest first, reversed (CRM timelines show the latest change on top)."""
    return frame.iloc[::-1].reset_index(drop=True)


def row_in_full(frame: pd.DataFrame, index: int) -> Sequence[tuple[str, str]]:
    """(column, value as text) of one row, for a table whose cells cut long values."""
    row = frame.iloc[index]
    return tuple(
        (str(column), "" if pd.isna(value) else str(value)) for column, value in row.items()
    )


ASSOCIATED_DEFAULT_COLUMNS: Final = (
    "Campaign",
    "Lead ID",
    "Lead status",
    "Captured",
    "Total",
)
"""What the Associated Campaigns table shows first (as many as fit beside the profile panel
at 1024 px); the rest, the publisher among them, are in the table's column menu."""
