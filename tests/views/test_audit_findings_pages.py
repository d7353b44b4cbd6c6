"""The findings table drawn a page at a time: every row on exactly one page, in order."""

from __future__ import annotations

import pandas as pd

from lib.views.audit import (
    findings_order_caption,
    findings_page,
    findings_pages,
    next_findings_sort,
    sorted_findings,
)


def test_every_row_is_on_exactly_one_page_in_order() -> None:
    table = pd.DataFrame({"Lead": range(1, 1206), "Why": ["x"] * 1205})
    assert findings_pages(len(table), 500) == 3
    pages = [findings_page(table, page, 500) for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [500, 500, 205]
    assert list(pd.concat(pages)["Lead"]) == list(table["Lead"])
    assert list(pages[1].index) == list(range(500)), "row positions start at 0 on each page"


def test_a_page_outside_the_table_shows_the_nearest_one() -> None:
    table = pd.DataFrame({"Lead": range(1, 11)})
    assert list(findings_page(table, 9, 4)["Lead"]) == [9, 10]
    assert list(findings_page(table, 0, 4)["Lead"]) == [1, 2, 3, 4]


def test_an_empty_or_small_table_is_one_page() -> None:
    assert findings_pages(0, 500) == 1
    assert findings_pages(500, 500) == 1
    assert findings_pages(501, 500) == 2


def test_a_header_click_sorts_the_whole_table_before_it_is_cut_into_pages() -> None:
    """1,200 findings in three pages of 400: the order reaches every page, not only the one shown
    (a header click sorted just the 500 rows on screen before)."""
    table = pd.DataFrame(
        {
            "Lead": range(1, 1201),
            "Signal": [
                ("ip velocity", "duplicate email", "shared device")[i % 3] for i in range(1200)
            ],
            "New": [i % 7 == 0 for i in range(1200)],
        }
    )
    order = next_findings_sort(None, "Signal")
    assert order == ("Signal", False)
    ordered = sorted_findings(table, order)
    first, last = findings_page(ordered, 1, 400), findings_page(ordered, 3, 400)
    assert set(first["Signal"]) == {"duplicate email"}
    assert set(last["Signal"]) == {"shared device"}
    assert list(first["Lead"][:2]) == [2, 5], "ties by lead"
    flipped = sorted_findings(table, next_findings_sort(order, "Signal"))
    assert set(findings_page(flipped, 1, 400)["Signal"]) == {"shared device"}
    assert next_findings_sort(order, "Lead") == ("Lead", False)
    newest = sorted_findings(table, next_findings_sort(order, "New"))
    assert newest["New"][: table["New"].sum()].all(), "New: new first"
    assert list(sorted_findings(table, ("Lead", True))["Lead"][:2]) == [1200, 1199]
    assert sorted_findings(table, None) is table
    assert sorted_findings(table, ("Nope", False)) is table


def test_the_caption_says_how_the_findings_are_ordered() -> None:
    assert findings_order_caption(None) == "Click a column's header to sort every page by it."
    assert findings_order_caption(("Signal", False)) == "Sorted by Signal, A to Z (every page)."
    assert findings_order_caption(("Lead", True)) == "Sorted by Lead, highest first (every page)."
    assert findings_order_caption(("New", True)) == "Sorted by New, new first (every page)."
