"""The Audit page's capture window from a link's ``from`` and ``to``."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.views.audit import default_window, linked_window

TODAY = dt.date(2026, 12, 6)
EARLIEST = dt.date(2000, 1, 1)
D = dt.date


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, default_window(TODAY)),
        (D(2026, 10, 22), D(2026, 11, 20), (D(2026, 10, 22), D(2026, 11, 20))),
        (D(2026, 11, 1), None, (D(2026, 11, 1), TODAY)),
        (None, D(2026, 11, 20), (D(2026, 10, 22), D(2026, 11, 20))),
        (D(2026, 11, 20), D(2026, 10, 22), (D(2026, 10, 22), D(2026, 11, 20))),
        (D(2027, 1, 1), D(2027, 2, 1), (TODAY, TODAY)),
        (D(1990, 1, 1), D(1990, 2, 1), (EARLIEST, EARLIEST)),
    ],
    ids=["none", "both", "from only", "to only", "reversed", "future", "too early"],
)
def test_a_links_window_is_read_and_kept_in_range(
    first: dt.date | None, last: dt.date | None, expected: tuple[dt.date, dt.date]
) -> None:
    assert linked_window(TODAY, EARLIEST, first, last) == expected
