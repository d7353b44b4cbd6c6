"""Moving between leads, pure parts: pasted lead references, the Leads page's place as query
parameters, and positions in a list."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from lib.views.leads import DEFAULT_SORT
from lib.views.navigation import (
    LeadsPlace,
    ListPosition,
    PlaceFromLink,
    deep_link_count,
    deep_link_places,
    direction_label,
    neighbour_lookup,
    ordinal,
    page_of,
    parse_lead_reference,
    place_from_params,
    position_in,
    sortable_columns,
)
from tests.views.workbench_models import make_lead


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("102214", 102214),
        ("  #102214 ", 102214),
        ("102,214", 102214),
        ("http://localhost:8501/Lead?lead=102214&campaign=3", 102214),
        ("https://leadlens.example/Lead?campaign=3&lead=7", 7),
        ("https://app.convertr.io/leads/102214", 102214),
        ("https://app.convertr.io/leads/102214/", 102214),
        ("/api/v4/leads/55", 55),
        ("https://crm.example/leads?id=9", 9),
    ],
)
def test_a_lead_id_or_a_pasted_lead_link_names_the_lead(text: str, expected: int) -> None:
    assert parse_lead_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "0",
        "-5",
        "abc",
        "https://x.example/campaigns/3",
        "https://x.example/?id=4",
        "https://x.example/Lead?lead=abc",
        "²",
        "#١٢٣",
        "https://x.example/Lead?lead=²",
        "/api/v4/leads/١٢",
        "9" * 30,
    ],
)
def test_anything_else_says_what_was_expected_and_what_came(text: str) -> None:
    with pytest.raises(ValueError, match="lead id") as raised:
        parse_lead_reference(text)
    message = str(raised.value)
    assert "102214" in message, "says what a lead id looks like"
    assert "expected" not in message and "got " not in message, "no developer words"


def test_a_place_round_trips_through_query_parameters() -> None:
    place = LeadsPlace(
        campaign_id=3,
        statuses=("Caution", "Valid"),
        delivery="Undelivered",
        dates=(date(2026, 1, 2), date(2026, 2, 3)),
        search="Breanna Rivas",
        sort="Score",
        order="Oldest first",
        size=25,
        page=3,
        selected=102214,
    )
    params = place.to_params()
    assert "lead" not in params, "a Leads URL never names a lead"
    assert params["row"] == "102214"
    assert params["sort"] == "score" and params["dir"] == "asc"
    assert place_from_params(3, params) == PlaceFromLink(place)


def test_a_fresh_list_is_just_its_campaign_and_bad_values_fall_back() -> None:
    assert LeadsPlace(campaign_id=3).to_params() == {"campaign": "3"}
    odd = place_from_params(
        3,
        {
            "status": "Nope,Caution",
            "delivery": "Maybe",
            "from": "2026-13-01",
            "sort": "x",
            "dir": "sideways",
            "size": "7",
            "page": "-2",
            "row": "abc",
        },
    )
    assert odd.place == LeadsPlace(campaign_id=3, statuses=("Caution",))
    assert len(odd.notes) == 8, "one note for each value that could not be read"
    assert "The link's status 'Nope' is not a lead status" in odd.notes[0]
    assert odd.notes[-1] == (
        "The link's row 'abc' is not a lead id (a positive whole number); no row is marked."
    )


def test_filters_of_a_place_carry_the_server_sort() -> None:
    filters = LeadsPlace(campaign_id=3, sort="Score", order="Oldest first", page=2).filters(UTC)
    assert (filters.order_by, filters.order, filters.page) == ("score", "asc", 2)
    assert LeadsPlace(campaign_id=3).has_filters is False
    assert LeadsPlace(campaign_id=3, search="x").has_filters is True


def test_only_columns_the_server_can_order_by_are_sortable() -> None:
    assert sortable_columns(None) == (DEFAULT_SORT,)
    advertised = frozenset({"order[createdTs]", "order[score]", "search"})
    assert sortable_columns(advertised) == ("Captured", "Score")
    assert direction_label("Score", "Newest first") == "Highest first"
    assert direction_label("Company", "Oldest first") == "A to Z"


def test_position_reads_with_or_without_a_total() -> None:
    place = LeadsPlace(campaign_id=3, size=50, page=1)
    at = ListPosition(place=place, index=11, lead_id=1, total=158)
    assert at.text == "12 of 158"
    assert ListPosition(place=place.at_page(2), index=0, lead_id=1).text == "51st"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "111th",
    ]
    assert ListPosition(place=place, index=0, lead_id=1, total=1).has_next is False
    assert ListPosition(place=place, index=0, lead_id=1).has_next is None


def test_a_neighbour_across_a_page_boundary_is_on_the_next_or_previous_page() -> None:
    place = LeadsPlace(campaign_id=3, size=25, page=2)
    last = ListPosition(place=place, index=24, lead_id=1, total=100)
    assert (neighbour_lookup(last, 1, 25).page, neighbour_lookup(last, 1, 25).index) == (3, 0)
    first = ListPosition(place=place, index=0, lead_id=1, total=100)
    assert (neighbour_lookup(first, -1, 25).page, neighbour_lookup(first, -1, 25).index) == (1, -1)
    assert neighbour_lookup(first, 1, 25).index == 1
    assert position_in(place, [5, 6, 7], 7, 100) == ListPosition(place, 2, 7, 100)
    assert position_in(place, [5, 6], 7, 100) is None
    assert [page_of(n, 25) for n in (1, 25, 26, 51)] == [1, 1, 2, 3]


def test_a_lead_opened_without_a_list_is_looked_for_where_its_count_puts_it() -> None:
    lead = make_lead(7, campaign=3)
    counting = deep_link_count(lead)
    assert (counting.campaign_id, counting.items_per_page) == (3, 1)
    assert counting.created_after == lead.created_ts
    # The 120th newest of 50 a page is on page 3; ties in one second may sit on 2 or 4.
    assert [place.page for place in deep_link_places(lead, 120)] == [3, 2, 4]
    assert [place.page for place in deep_link_places(lead, 1)] == [1, 2]
    assert [place.page for place in deep_link_places(lead, None)] == [1, 2, 3]
    assert {place.campaign_id for place in deep_link_places(lead, 120)} == {3}
