"""Column widths that fit every table into the narrowest window the dashboard is designed for
(1024x768, where the sidebar is 256 px wide: `lib.ui.layout`), so no column hides past a
table's right edge; on a wider window Streamlit grows the columns to the table's width (every
column of a stretched table grows by the same amount; a pinned one would not, but Streamlit
draws a pinned column's text faded).

A column's fit is its minimum (its header whole, and the start of a typical value) and its
preferred width (a typical value whole). A table gets every column's minimum, then the width
left over shared in proportion to what each column still wants. Long values are cut in their
cell and read whole in the row shown under the table, or in the CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

ROW_MARKER_PX: Final = 33
"""Width of a selectable table's checkbox column (Streamlit draws it left of the columns)."""
LEAD_TAB_PX: Final = 468
"""Width of a table in a Lead tab at 1024x768 (beside the Lead Profile panel), less 2 px."""
PAGE_PX: Final = 716
"""Width of a table across the main column at 1024x768 (Leads), less 4 px."""
EXPANDER_PX: Final = 680
"""Width of a table in an expander across the main column at 1024x768 (Campaigns)."""
WRAPPED_ROW_PX: Final = 84
"""A row of four lines: Streamlit wraps a cell's text only in rows taller than 4rem (64 px),
and a row this tall reads a long message whole in a narrow column."""
THREE_LINE_ROW_PX: Final = 66
"""A row of three lines (the least that wraps): for tables whose names and labels would be
cut on one line at 1024 px."""


@dataclass(frozen=True)
class Fit:
    """How narrow a column may be, and how wide it would like to be, in pixels."""

    minimum: int
    preferred: int


DEFAULT_FIT: Final = Fit(70, 120)
"""A column not named in `COLUMN_FITS`."""
COLUMN_FITS: Final[Mapping[str, Fit]] = {
    # Ids, numbers and short words.
    "#": Fit(36, 40),
    "ID": Fit(44, 50),
    "Lead ID": Fit(66, 72),
    "Campaign ID": Fit(90, 95),
    "Score": Fit(58, 70),
    "Payout": Fit(62, 85),
    "Level": Fit(66, 70),  # "Warning"
    "Type": Fit(58, 80),
    "Kind": Fit(94, 110),  # "Processr log", the longest of `timeline.KIND_LABELS`
    "Outcome": Fit(70, 75),  # its header, in the header's bold
    "Hardfail": Fit(68, 72),
    "Required": Fit(70, 75),
    "Total": Fit(50, 60),
    "Leads": Fit(55, 70),
    "Valid": Fit(52, 60),
    "Caution": Fit(62, 65),
    "Invalid": Fit(58, 65),
    "Delivered": Fit(70, 75),
    # Statuses, dates and times ("Caution (derived)", "28 Oct 2026 11:24").
    "Status": Fit(86, 118),
    "Lead status": Fit(86, 118),
    "Delivery": Fit(78, 105),
    "Time": Fit(122, 140),  # "03 Mar 2026 11:03"
    "Captured": Fit(122, 132),
    "Run at": Fit(122, 132),
    "Start": Fit(90, 100),
    "End": Fit(90, 100),
    # Names and text, which may be cut at 1024 and grow on wider windows.
    "Name": Fit(96, 150),
    "Field": Fit(96, 150),
    "Source": Fit(76, 200),
    "Provider": Fit(96, 110),  # "NeverBounce"
    "Author": Fit(76, 110),
    "Job": Fit(116, 200),
    "Category": Fit(70, 90),
    "Campaign": Fit(96, 230),
    "Advertiser": Fit(90, 160),
    "Publisher": Fit(90, 150),
    "Company": Fit(90, 170),
    "Email": Fit(110, 240),
    "Value": Fit(120, 260),
    "Allowed": Fit(100, 220),
    "Check": Fit(90, 200),
    "Original value": Fit(112, 150),
    "Transformed value": Fit(126, 160),  # its header, in the header's bold
    "Old value": Fit(80, 140),
    "New value": Fit(80, 140),
    "Message": Fit(90, 420),
    "What": Fit(110, 320),
    "Detail": Fit(100, 300),
    "When": Fit(122, 132),
    "By": Fit(70, 110),
    "Flag": Fit(70, 200),
    "Signal": Fit(74, 90),
}
"""Fits by column header, the same wherever a column of that name appears."""


def fit_widths(
    columns: Iterable[str],
    budget: int,
    fits: Mapping[str, Fit] | None = None,
) -> dict[str, int]:
    """Pixel widths for `columns` that add up to at most `budget` when their minimums do: each
    column's minimum, plus the rest of the budget shared in proportion to what each column
    still wants (up to its preferred width). `fits` overrides `COLUMN_FITS` by name."""
    chosen = {name: {**COLUMN_FITS, **(fits or {})}.get(name, DEFAULT_FIT) for name in columns}
    spare = budget - sum(fit.minimum for fit in chosen.values())
    wanted = sum(fit.preferred - fit.minimum for fit in chosen.values())
    if spare <= 0 or wanted <= 0:
        return {name: fit.minimum for name, fit in chosen.items()}
    share = min(1.0, spare / wanted)
    return {
        name: fit.minimum + int((fit.preferred - fit.minimum) * share)
        for name, fit in chosen.items()
    }


def selectable(budget: int) -> int:
    """The budget left for the columns of a table whose rows can be selected."""
    return budget - ROW_MARKER_PX
