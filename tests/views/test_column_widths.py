"""Column widths fitted to the narrowest window: minimums first, the rest shared by want."""

from __future__ import annotations

from lib.views.column_widths import COLUMN_FITS, DEFAULT_FIT, Fit, fit_widths


def test_columns_get_their_preferred_widths_when_the_budget_allows() -> None:
    widths = fit_widths(["Lead ID", "Email"], 1000)
    assert widths == {"Lead ID": COLUMN_FITS["Lead ID"].preferred, "Email": 240}


def test_a_tight_budget_is_shared_by_what_each_column_still_wants() -> None:
    fits = {"Short": Fit(50, 60), "Long": Fit(100, 300)}
    widths = fit_widths(["Short", "Long"], 255, fits)
    assert sum(widths.values()) <= 255
    assert widths == {"Short": 55, "Long": 200}, "each gets half of what it still wanted"


def test_below_the_minimums_every_column_keeps_its_minimum() -> None:
    widths = fit_widths(["Message", "Unknown column"], 10)
    assert widths == {"Message": COLUMN_FITS["Message"].minimum, "Unknown column": 70}
    assert DEFAULT_FIT.minimum == 70
