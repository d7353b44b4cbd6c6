"""The findings table drawn a page at a time: every row on exactly one page, in order."""

from __future__ import annotations

import pandas as pd

from lib.views.audit import findings_page, findings_pages


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
