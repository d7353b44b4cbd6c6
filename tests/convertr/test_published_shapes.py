"""The client against hand-written answers in the shapes real API Platform servers publish.

Fixtures (tests/convertr/fixtures) follow Convertr's published lead example and API
Platform's own feature files: integer status codes, embedded relations, money strings, empty
strings, offsets other than UTC, escaped slashes, partial pagination, violations as 400 or
422, problem+json, and 401 bodies of both auth styles, with and without the ``hydra:``
prefix.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from lib.convertr import load_dossier
from lib.convertr.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ResponseFormatError,
    ValidationError,
    Violation,
)
from lib.convertr.models import CampaignPublisher, Lead, Page, Relation
from tests.support.fakes import FakeApi, hydra_error, make_client

FIXTURES = Path(__file__).parent / "fixtures"
LEADS = "/api/v4/leads"
LEAD_PATH = "/api/v4/leads/167457"
LD_JSON = {"content-type": "application/ld+json; charset=utf-8"}
PROBLEM_JSON = {"content-type": "application/problem+json; charset=utf-8"}
PREFIXES = pytest.mark.parametrize("prefix", ["hydra:", ""], ids=["hydra-prefixed", "unprefixed"])


def published_lead_text() -> str:
    """The published lead exactly as written (escaped slashes included)."""
    return (FIXTURES / "published_lead.json").read_text(encoding="utf-8")


def published_lead(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(published_lead_text())
    item.update(copy.deepcopy(changes))
    return item


def collection(
    members: list[dict[str, Any]],
    prefix: str,
    *,
    total: int | None = None,
    view: dict[str, str] | None = None,
    search: list[str] | None = None,
) -> dict[str, Any]:
    """A collection as API Platform writes it; no total means partial pagination."""
    body: dict[str, Any] = {
        "@context": "/api/v4/contexts/Lead",
        "@id": LEADS,
        "@type": f"{prefix}Collection",
        f"{prefix}member": members,
    }
    if total is not None:
        body[f"{prefix}totalItems"] = total
    if view is not None:
        body[f"{prefix}view"] = {
            "@id": view.pop("@id", LEADS),
            "@type": f"{prefix}PartialCollectionView",
            **{f"{prefix}{key}": link for key, link in view.items()},
        }
    if search is not None:
        body[f"{prefix}search"] = {
            "@type": f"{prefix}IriTemplate",
            f"{prefix}template": f"{LEADS}{{?{','.join(search)}}}",
            f"{prefix}variableRepresentation": "BasicRepresentation",
            f"{prefix}mapping": [
                {"@type": "IriTemplateMapping", "variable": name, "property": name.split("[")[0]}
                for name in search
            ],
        }
    return body


def ld(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body, headers=LD_JSON)


# -- the published lead ------------------------------------------------------------------------


def test_the_published_lead_parses_with_its_escaped_slashes_codes_and_embeds() -> None:
    api = FakeApi()
    raw = published_lead_text()
    assert "\\/api\\/v4" in raw, "the fixture keeps PHP's escaped slashes"
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, text=raw, headers=LD_JSON))
    lead = make_client(api).lead(167457)

    assert (lead.id, lead.iri, lead.campaign_id) == (167457, LEAD_PATH, 12)
    assert lead.processr_status == "Valid" and lead.processr_status_raw == 1000
    assert lead.status.source == "known" and not lead.status.is_derived
    assert (lead.score, lead.max_score, lead.score_share) == (120, 120, 1.0)
    assert lead.channel_name == "Network"
    assert isinstance(lead.channel, Relation) and lead.channel.type == "Channel"
    assert lead.channel.id == 9
    assert lead.qa_result is not None and lead.qa_result.id == 5521
    assert lead.qa_result.model_extra == {"result": "passed"}
    assert lead.publisher_payout == Decimal("25.00")
    assert lead.advertiser_payout == Decimal("40.00")
    assert lead.title is None and lead.dob is None and lead.address_line2 is None
    assert lead.double_opt_in is None and lead.publisher_sub_id is None
    assert lead.created_ts.utcoffset() == dt.timedelta(hours=1)
    assert lead.created_ts.astimezone(dt.UTC).hour == 12
    assert [note.id for note in lead.lead_notes] == [88001, 88002]
    assert [(row.name, row.value) for row in lead.lead_data] == [
        ("emailDomain", "@example.com"),
        ("companySize", None),
    ]
    assert lead.format_warnings == ()


@PREFIXES
def test_published_leads_come_through_a_collection_in_either_spelling(prefix: str) -> None:
    api = FakeApi()
    members = [published_lead(), published_lead(id=167458, **{"@id": f"{LEADS}/167458"})]
    api.route("GET", LEADS, lambda _: ld(collection(members, prefix, total=2)))
    client = make_client(api)
    page = client.leads_page(12)
    assert [lead.id for lead in page.items] == [167457, 167458]
    assert (page.total, page.page_count, page.has_next) == (2, 1, False)
    shape = client.collection_shape(LEADS)
    assert shape is not None and shape.spelling == prefix and shape.counted


def test_a_lead_dumps_and_pickles_with_its_status() -> None:
    lead = Lead.model_validate(published_lead())
    assert pickle.loads(pickle.dumps(lead)) == lead
    dumped = lead.model_dump(mode="json")
    assert dumped["status"] == {"label": "Valid", "source": "known", "raw": 1000}
    assert dumped["channel"]["name"] == "Network"


# -- relations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("publisher", "expected_id", "expected_name"),
    [
        ("/api/v4/publishers/7", 7, None),
        ("https://acme.cvtr.io/api/v4/publishers/7", 7, None),
        (
            {"@id": "/api/v4/publishers/7", "@type": "Publisher", "name": "Leadgen Co"},
            7,
            "Leadgen Co",
        ),
        (None, None, None),
    ],
    ids=["iri", "absolute-iri", "embedded", "null"],
)
def test_a_relation_is_an_iri_an_embedded_object_or_null(
    publisher: object, expected_id: int | None, expected_name: str | None
) -> None:
    lead = Lead.model_validate(published_lead(publisher=publisher))
    assert lead.publisher_id == expected_id
    assert (lead.publisher.name if lead.publisher else None) == expected_name
    assert lead.format_warnings == ()


def test_an_embedded_campaign_keeps_working_as_an_id() -> None:
    campaign = {"@id": "/api/v4/campaigns/12", "@type": "Campaign", "name": "Spring webinar"}
    lead = Lead.model_validate(published_lead(campaign=campaign))
    assert lead.campaign_id == 12 and lead.campaign.name == "Spring webinar"


def test_an_embedded_publisher_names_the_contract() -> None:
    contract = CampaignPublisher.model_validate(
        {
            "id": 4,
            "campaign": {"@id": "/api/v4/campaigns/12", "@type": "Campaign"},
            "publisher": {"@id": "/api/v4/publishers/7", "@type": "Publisher", "name": "Leadgen"},
            "contractType": "CPL",
            "status": "Active",
            "enabled": True,
            "payout": "22.73",
        }
    )
    assert (contract.campaign_id, contract.publisher_id) == (12, 7)
    assert contract.publisher_name == "Leadgen" and contract.payout == Decimal("22.73")


@pytest.mark.parametrize(
    "campaign",
    [None, "", {"@type": "Campaign", "name": "no id"}, "/api/v4/campaigns/spring", 12],
    ids=["null", "empty", "no-id", "not-numeric", "bare-number"],
)
def test_an_unreadable_campaign_fails_the_lead_clearly(campaign: object) -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: ld(published_lead(campaign=campaign)))
    with pytest.raises(ResponseFormatError) as caught:
        make_client(api).lead(167457)
    assert "the Lead answer" in str(caught.value) and "field 'campaign" in str(caught.value)


def test_a_missing_id_fails_the_lead_clearly() -> None:
    item = published_lead()
    del item["id"]
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: ld(item))
    with pytest.raises(ResponseFormatError, match="field 'id'"):
        make_client(api).lead(167457)


# -- non-essential fields in an unexpected shape -----------------------------------------------

SENTINEL = "value-never-shown-4f9a"


def test_an_unexpected_shape_keeps_the_lead_and_records_a_warning() -> None:
    odd = {"amount": SENTINEL, "currency": "GBP"}
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: ld(published_lead(advertiserPayout=odd, optIn=SENTINEL)))
    client = make_client(api)
    lead = client.lead(167457)

    assert lead.advertiser_payout is None and lead.opt_in is None
    assert lead.unparsed == {"advertiser_payout": odd, "opt_in": SENTINEL}
    assert {(w.model, w.field) for w in lead.format_warnings} == {
        ("Lead", "advertiserPayout"),
        ("Lead", "optIn"),
    }
    by_field = {warning.field: warning for warning in lead.format_warnings}
    assert by_field["advertiserPayout"].expected == "a decimal number or string or null"
    assert by_field["advertiserPayout"].got == "an object with keys ['amount', 'currency']"
    assert by_field["optIn"].expected == "a boolean or null" and by_field["optIn"].got == "a string"
    for warning in lead.format_warnings:
        assert SENTINEL not in str(warning) and SENTINEL not in repr(warning)
    assert set(client.format_warnings) == set(lead.format_warnings)


def test_an_embedded_row_in_an_unexpected_shape_is_a_warning_of_that_row() -> None:
    rows = [
        {"@id": "/api/v4/lead-datas/1", "name": "score", "value": 42},
        {"name": "x", "value": []},
    ]
    lead = Lead.model_validate(published_lead(leadData=rows))
    assert [(row.name, row.value) for row in lead.lead_data] == [("score", "42"), ("x", None)]
    assert [(w.model, w.field, w.got) for w in lead.format_warnings] == [
        ("LeadDataValue", "value", "a list of 0 items")
    ]


def test_the_dossier_collects_the_format_warnings_of_its_parts() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: ld(published_lead(advertiserPayout=[SENTINEL])))
    dossier = load_dossier(make_client(api), 167457)
    assert dossier.lead is not None
    assert [(w.model, w.field, w.got) for w in dossier.warnings] == [
        ("Lead", "advertiserPayout", "a list of 1 item")
    ]
    assert SENTINEL not in json.dumps(dossier.to_dict()["warnings"])


# -- status codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "max_score", "hardfail", "label"),
    [
        (120, 120, False, "Valid"),
        (96, 120, False, "Caution"),
        (119, 120, False, "Caution"),
        (95, 120, False, "Invalid"),
        (120, 120, True, "Invalid"),
        (0, 0, False, "Valid"),
    ],
)
def test_an_unknown_status_code_is_derived_from_the_score_and_marked(
    score: int, max_score: int, hardfail: bool, label: str
) -> None:
    api = FakeApi()
    item = published_lead(processrStatus=4242, score=score, maxScore=max_score, hardfail=hardfail)
    api.route("GET", LEADS, lambda _: ld(collection([item], "hydra:", total=1)))
    (lead,) = make_client(api).leads_page(12).items
    assert lead.processr_status == label
    assert lead.status.is_derived and lead.status.raw == 4242
    assert lead.status.note is not None and "4242" in lead.status.note


@pytest.mark.parametrize(
    ("raw", "label", "source"),
    [
        (1000, "Valid", "known"),
        ("1000", "Valid", "known"),
        (1001, "Invalid", "assumed"),
        (1002, "Caution", "assumed"),
        (1003, "Test", "assumed"),
        ("Caution", "Caution", "label"),
        ("invalid", "Invalid", "label"),
    ],
)
def test_status_codes_and_labels_resolve_in_one_table(raw: object, label: str, source: str) -> None:
    lead = Lead.model_validate(published_lead(processrStatus=raw, score=100))
    assert (lead.processr_status, lead.status.source) == (label, source)
    assert lead.processr_status_raw == raw


# -- partial pagination --------------------------------------------------------------------------


def _partial_pages(prefix: str, pages: int, per_page: int) -> FakeApi:
    """Leads on ``pages`` pages with no total: each full page links to the next."""
    api = FakeApi()

    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        first = (number - 1) * per_page
        ids = range(first + 1, min(first + per_page, pages * per_page - 1) + 1)
        members = [published_lead(id=i, **{"@id": f"{LEADS}/{i}"}) for i in ids]
        view = {"@id": f"{LEADS}?page={number}"}
        if number < pages:
            view["next"] = (
                f"{LEADS}?email=ada%40example.com&itemsPerPage={per_page}&page={number + 1}"
            )
        if number > 1:
            view["previous"] = f"{LEADS}?page={number - 1}"
        return ld(collection(members, prefix, view=view))

    api.route("GET", LEADS, handler)
    return api


@PREFIXES
def test_partial_pagination_reaches_page_three_without_a_total(prefix: str) -> None:
    client = make_client(_partial_pages(prefix, pages=3, per_page=2))
    second = client.leads_page(12, page=2, items_per_page=2)
    assert (second.total, second.page_count, second.has_next, second.has_previous) == (
        None,
        None,
        True,
        True,
    )
    third = client.leads_page(12, page=3, items_per_page=2)
    assert [lead.id for lead in third.items] == [5]
    assert (third.page, third.has_next, third.next_link) == (3, False, None)
    shape = client.collection_shape(LEADS)
    assert shape is not None and not shape.counted
    assert pickle.loads(pickle.dumps(third)) == third


@PREFIXES
def test_iterating_a_partially_paginated_collection_follows_next_to_the_end(prefix: str) -> None:
    api = _partial_pages(prefix, pages=3, per_page=2)
    leads = make_client(api).leads_by_email("ada@example.com")
    assert [lead.id for lead in leads] == [1, 2, 3, 4, 5]
    assert len(api.calls("GET", LEADS)) == 3


def test_a_known_total_still_gives_a_page_count() -> None:
    page = Page[Lead](items=(), total=61, page=3, items_per_page=30)
    assert (page.page_count, page.has_next) == (3, False)
    assert Page[Lead](items=(), total=61, page=2, items_per_page=30).has_next


# -- advertised filters ------------------------------------------------------------------------


@PREFIXES
def test_the_search_mapping_says_which_filters_an_endpoint_supports(prefix: str) -> None:
    api = FakeApi()
    filters = ["campaign.id", "processrStatus", "processrStatus[]", "createdTs[after]"]
    api.route("GET", LEADS, lambda _: ld(collection([], prefix, total=0, search=filters)))
    client = make_client(api)
    assert client.supported_filters(LEADS) == frozenset(filters)
    assert client.supported_filters(LEADS) == frozenset(filters)
    (probe,) = api.calls("GET", LEADS)
    assert probe.url.params["itemsPerPage"] == "1", "one small request learns the filters"


def test_a_collection_without_a_search_mapping_advertises_nothing() -> None:
    api = FakeApi()
    api.route("GET", LEADS, lambda _: ld(collection([], "", total=0)))
    assert make_client(api).supported_filters(LEADS) is None


# -- status filters ----------------------------------------------------------------------------


def _status_server(raw: object) -> FakeApi:
    api = FakeApi()
    item = published_lead(processrStatus=raw)
    api.route("GET", LEADS, lambda _: ld(collection([item], "", total=1)))
    return api


def test_a_status_filter_sends_codes_to_a_server_that_speaks_codes() -> None:
    api = _status_server(1000)
    client = make_client(api)
    client.leads_page(12, statuses=("Caution", "Valid"))
    probe, filtered = api.calls("GET", LEADS)
    assert probe.url.params["itemsPerPage"] == "1" and probe.url.params["campaign.id"] == "12"
    assert filtered.url.params.get_list("processrStatus[]") == ["1002", "1000"]
    client.leads_page(12, statuses=("Invalid",))
    assert api.calls("GET", LEADS)[-1].url.params.get_list("processrStatus[]") == ["1001"]
    assert len(api.calls("GET", LEADS)) == 3, "the encoding is learned once"


def test_a_status_filter_sends_labels_to_a_server_that_speaks_labels() -> None:
    api = _status_server("Valid")
    client = make_client(api)
    client.leads_page(12)
    client.leads_page(12, statuses=("Caution",))
    assert api.calls("GET", LEADS)[-1].url.params.get_list("processrStatus[]") == ["Caution"]
    assert len(api.calls("GET", LEADS)) == 2, "an unfiltered page already showed the encoding"


# -- error bodies ------------------------------------------------------------------------------

TWO_VIOLATIONS = (
    Violation("name", "This value should not be blank."),
    Violation("value", "This value is too long. It should have 255 characters or less."),
)


@pytest.mark.parametrize(
    ("fixture", "status", "headers"),
    [
        ("violations_400_api_platform_2.json", 400, LD_JSON),
        ("violations_422_api_platform_3.json", 422, LD_JSON),
        ("violations_422_api_platform_4.json", 422, LD_JSON),
        ("violations_422_problem.json", 422, PROBLEM_JSON),
        ("violations_422_problem.json", 400, PROBLEM_JSON),
    ],
    ids=["2.x-400-hydra", "3.x-422-jsonld", "4.x-422-unprefixed", "problem-422", "problem-400"],
)
def test_violations_are_a_validation_error_whatever_the_status(
    fixture: str, status: int, headers: dict[str, str]
) -> None:
    body = (FIXTURES / fixture).read_text(encoding="utf-8")
    api = FakeApi()
    api.route(
        "POST", "/api/v4/lead-datas", lambda _: httpx.Response(status, text=body, headers=headers)
    )
    with pytest.raises(ValidationError) as caught:
        make_client(api).save_lead_data(167457, "", "x" * 300)
    error = caught.value
    assert error.status == status and error.violations == TWO_VIOLATIONS
    assert error.user_message == (
        "name: This value should not be blank.; "
        "value: This value is too long. It should have 255 characters or less."
    )
    assert "\n" not in error.user_message and "\n" not in str(error)


def test_a_violation_list_type_without_violations_is_still_a_validation_error() -> None:
    api = FakeApi()
    body = {"@type": "ConstraintViolationList", "hydra:description": "value: too long"}
    api.route("POST", "/api/v4/lead-datas", lambda _: ld(body, 400))
    with pytest.raises(ValidationError) as caught:
        make_client(api).save_lead_data(167457, "jobTitle", "x")
    assert caught.value.user_message == "value: too long" and caught.value.violations == ()


def test_problem_json_bodies_give_the_servers_reason() -> None:
    api = FakeApi()
    forbidden = {
        "type": "/errors/403",
        "title": "An error occurred",
        "status": 403,
        "detail": "Masked users cannot see provider logs.",
    }
    api.route(
        "GET", "/api/v4/logs", lambda _: httpx.Response(403, json=forbidden, headers=PROBLEM_JSON)
    )
    missing = {
        "type": "/errors/404",
        "title": "An error occurred",
        "status": 404,
        "detail": "Not Found",
    }
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(404, json=missing, headers=PROBLEM_JSON))
    client = make_client(api)
    with pytest.raises(PermissionDeniedError) as denied:
        client.logs(167457, "provider")
    assert denied.value.user_message == "Masked users cannot see provider logs."
    assert denied.value.body_style == "problem" and denied.value.title == "An error occurred"
    with pytest.raises(NotFoundError) as not_found:
        client.lead(167457)
    assert not_found.value.description == "Not Found"


@pytest.mark.parametrize(
    ("body", "reason", "style"),
    [
        ({"code": 401, "message": "Expired JWT Token"}, "Expired JWT Token", "jwt"),
        (
            {
                "error": "invalid_grant",
                "error_description": "The access token provided has expired.",
            },
            "The access token provided has expired.",
            "oauth2",
        ),
        (
            {
                "@type": "hydra:Error",
                "hydra:title": "An error occurred",
                "hydra:description": "Bad token",
            },
            "Bad token",
            "hydra",
        ),
        (
            {"@type": "Error", "title": "An error occurred", "description": "Bad token"},
            "Bad token",
            "hydra",
        ),
    ],
    ids=["jwt", "oauth2", "hydra-prefixed", "unprefixed"],
)
def test_a_persistent_401_keeps_the_servers_reason(
    body: dict[str, Any], reason: str, style: str
) -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(401, json=body))
    with pytest.raises(AuthenticationError) as caught:
        make_client(api).lead(167457)
    error = caught.value
    assert error.description == reason and error.body_style == style
    assert reason.rstrip(".") in error.user_message and reason in str(error)
    assert "\n" not in error.user_message


def test_every_user_message_is_one_line() -> None:
    api = FakeApi()
    api.route(
        "GET",
        "/api/v4/logs",
        lambda _: hydra_error(403, "Masked users\ncannot see\n\n  provider   logs"),
    )
    with pytest.raises(PermissionDeniedError) as caught:
        make_client(api).logs(1, "provider")
    assert caught.value.user_message == "Masked users; cannot see; provider logs"
