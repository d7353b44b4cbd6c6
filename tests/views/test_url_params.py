"""Every URL parameter is read by one function: a value, or the default with a note."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.views import url_params as u
from lib.views.lead import LEAD_TABS
from lib.views.leads import DEFAULT_PAGE_SIZE


def test_a_page_that_is_not_a_page_number_is_page_one_with_a_note() -> None:
    assert u.read_param(u.PAGE, "²") == u.ReadParam(
        1, "The link's page '²' is not a page number; showing page 1."
    )
    assert u.read_param(u.PAGE, "3") == u.ReadParam(3)
    assert u.read_param(u.PAGE, " 3 ") == u.ReadParam(3)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_absent_or_blank_is_the_default_without_a_note(raw: str | None) -> None:
    assert u.read_param(u.PAGE, raw) == u.ReadParam(1)
    assert u.read_param(u.ROW, raw) == u.ReadParam(None)


@pytest.mark.parametrize(
    "raw", ["0", "-2", "+3", "1.5", "³", "٣", "\uff13", "1e3", str(u.MAX_PAGE + 1), "9" * 400]
)
def test_pages_out_of_bounds_or_not_ascii_digits_fall_back(raw: str) -> None:
    read = u.read_param(u.PAGE, raw)
    assert read.value == 1
    assert read.note is not None and read.note.endswith("showing page 1.")


@pytest.mark.parametrize("raw", ["0", "abc", "²", str(u.MAX_ID + 1)])
def test_ids_are_positive_ascii_and_within_the_apis_range(raw: str) -> None:
    read = u.read_param(u.LEAD_LEAD, raw)
    assert read.value is None and read.note is not None
    assert u.read_param(u.LEAD_LEAD, str(u.MAX_ID)).value == u.MAX_ID


def test_each_leads_parameter_reads_its_own_values() -> None:
    assert u.read_param(u.STATUSES, "Caution,Valid,Caution").value == ("Caution", "Valid")
    assert u.read_param(u.DELIVERY, "Undelivered").value == "Undelivered"
    assert u.read_param(u.FROM, "2026-02-03").value == date(2026, 2, 3)
    assert u.read_param(u.SORT, "score").value == "Score"
    assert u.read_param(u.DIRECTION, "asc").value == "Oldest first"
    assert u.read_param(u.SIZE, "25").value == 25
    assert u.read_param(u.SEARCH, "Breanna").value == "Breanna"


def test_statuses_keep_the_known_ones_and_name_the_rest() -> None:
    read = u.read_param(u.STATUSES, "Nope,Caution,Gone")
    assert read.value == ("Caution",)
    assert read.note is not None and "'Nope,Gone'" in read.note and "left out" in read.note


@pytest.mark.parametrize(
    ("param", "raw", "default"),
    [
        (u.SIZE, "7", DEFAULT_PAGE_SIZE),
        (u.DELIVERY, "Maybe", "Any"),
        (u.FROM, "20260101", None),
        (u.FROM, "٢٠٢٦-01-01", None),
        (u.TO, "2026-13-01", None),
        (u.SORT, "x", "Captured"),
        (u.DIRECTION, "sideways", "Newest first"),
        (u.SEARCH, "x" * (u.MAX_SEARCH_LENGTH + 1), ""),
    ],
)
def test_a_bad_value_is_the_default_with_a_note(
    param: u.Param[object], raw: str, default: object
) -> None:
    read = u.read_param(param, raw)
    assert read.value == default
    assert read.note is not None and read.note.startswith("The link's ")


def test_the_note_quotes_a_long_value_shortened() -> None:
    read = u.read_param(u.PAGE, "x" * 1000)
    assert read.note is not None and len(read.note) < 120


def test_every_page_parameter_is_named_here() -> None:
    assert u.PAGE_PARAMS["Leads"] == (u.PARAM_CAMPAIGN, *u.PLACE_PARAMS, u.PARAM_VIEW)
    assert len(set(u.PLACE_PARAMS)) == len(u.PLACE_PARAMS)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_reads_as_a_value_or_the_default_never_an_exception(raw: str) -> None:
    params: tuple[u.Param[Any], ...] = (
        u.PAGE,
        u.ROW,
        u.SIZE,
        u.STATUSES,
        u.FROM,
        u.SORT,
        u.SEARCH,
        u.LEAD_LEAD,
        u.LEADS_VIEW,
    )
    for param in params:
        read = u.read_param(param, raw)
        assert read.note is None or read.note.startswith("The link's ")


def test_a_link_opens_the_tab_it_names_or_the_first() -> None:
    assert u.read_param(u.LEAD_TAB, "Job Details").value == "Job Details"
    assert u.read_param(u.LEAD_TAB, "Timeline").value == "Timeline"
    assert u.read_param(u.LEAD_TAB, " Notes ").value == "Notes", "trimmed, as every parameter"
    for asked in (None, "", "job details", "<b>Notes</b>", "Notes!", "x"):
        assert u.read_param(u.LEAD_TAB, asked).value == LEAD_TABS[0] == "Profile", repr(asked)
