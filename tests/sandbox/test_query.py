"""Query strings to SQL (lib/sandbox/query.py): the filter table, and the 400s for bad values."""

from __future__ import annotations

from typing import get_args

import httpx
import pytest
from werkzeug.datastructures import MultiDict

from lib.sandbox.query import FILTER_KINDS, Condition, filter_conditions
from lib.sandbox.resources import Filter, FilterKind
from tests.support.sandbox import assert_hydra_error


def test_every_filter_kind_has_a_translation() -> None:
    assert set(FILTER_KINDS) == set(get_args(FilterKind))


def test_several_values_of_a_filter_become_one_in_condition() -> None:
    status = Filter("processrStatus", "exact", "processr_status")
    args = MultiDict([("processrStatus", "Valid"), ("processrStatus[]", "Caution")])
    assert filter_conditions(status, args) == [
        Condition("processr_status IN (?, ?)", ("Valid", "Caution"))
    ]
    assert filter_conditions(status, MultiDict([("processrStatus", "Test")])) == [
        Condition("processr_status = ?", ("Test",))
    ]
    assert filter_conditions(status, MultiDict([("other", "x")])) == []


def test_a_relation_takes_iris_and_nested_ids_once_each() -> None:
    campaign = Filter("campaign", "relation", "campaign_id", target="campaigns")
    args = MultiDict(
        [("campaign", "/api/v4/campaigns/3"), ("campaign.id", "1"), ("campaign.id[]", "3")]
    )
    assert filter_conditions(campaign, args) == [Condition("campaign_id IN (?, ?)", (1, 3))]


def test_a_bare_date_bound_covers_the_whole_day() -> None:
    created = Filter("createdTs", "datetime", "created_ts")
    day = "2026-09-01"
    args = MultiDict([("createdTs[after]", day), ("createdTs[before]", day)])
    assert filter_conditions(created, args) == [
        Condition("created_ts >= ?", ("2026-09-01T00:00:00+00:00",)),
        Condition("created_ts < ?", ("2026-09-02T00:00:00+00:00",)),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "itemsPerPage=0",
        "itemsPerPage=ten",
        "campaign.id=x",
        "campaign.id[]=1&campaign.id[]=x",
        "campaign=/api/v4/leads/1",
        "id=99999999999999999999999",
        "createdTs[after]=yesterday",
        "createdTs[before]=2026-02-30",
        "createdTs[strictly_after]=9999-12-31",
        "order[createdTs]=sideways",
        "delivered=maybe",
        "id=1.5",
    ],
)
def test_malformed_query_parameters_are_400(api: httpx.Client, query: str) -> None:
    body = assert_hydra_error(api.get(f"/api/v4/leads?{query}"), 400)
    assert "Invalid value for" in body["hydra:description"]


def test_the_400_message_says_what_was_expected(api: httpx.Client) -> None:
    body = assert_hydra_error(api.get("/api/v4/leads?page=abc"), 400)
    assert body["hydra:description"] == (
        "Invalid value for \"page\": expected a positive integer, got 'abc'"
    )


@pytest.mark.parametrize(
    ("query", "description"),
    [
        (
            "campaign.id=x",
            'Invalid value for "campaign.id": expected an id or an IRI like '
            "/api/v4/campaigns/1, got 'x'",
        ),
        (
            "id=x",
            "Invalid value for \"id\": expected an id or an IRI like /api/v4/leads/1, got 'x'",
        ),
    ],
)
def test_the_400_message_names_the_parameter_sent(
    api: httpx.Client, query: str, description: str
) -> None:
    body = assert_hydra_error(api.get(f"/api/v4/leads?{query}"), 400)
    assert body["hydra:description"] == description
