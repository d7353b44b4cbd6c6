"""Every dialect through the sandbox's real HTTP stack, and the client reading each of them.

One parametrised fixture (`dialect`) runs each test in every preset; each test checks the
shape `../shared/domain.md` ("Real responses differ from a tidy reading") gives that
generation.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.convertr import ConvertrClient, load_dossier
from lib.convertr.models import ASSUMED_STATUS_CODES, PUBLIC_STATUS_CODES
from lib.sandbox import create_app
from lib.sandbox.__main__ import _parser
from lib.sandbox.demo import SHOWCASE_CAUTION_LEAD_ID
from lib.sandbox.dialects import (
    DEFAULT_DIALECT,
    DIALECTS,
    LONDON,
    PROBLEM_JSON,
    TIDY,
    Dialect,
    dialect_named,
)
from lib.sandbox.published import BLANK_LEAD_FIELDS, CHANNELS, STATUS_CODES, local_time, publish_all
from lib.sandbox.resources import RESOURCES
from tests.support.sandbox import SANDBOX_URL, login

LEADS = "/api/v4/leads"
CAMPAIGN = 1
PAGE_SIZE = 7


@contextmanager
def _client(db: Path, dialect: Dialect, role: str = "admin") -> Iterator[httpx.Client]:
    """A client of the sandbox speaking `dialect`, signed in as the demo user of `role`."""
    app = create_app(db, dialect=dialect)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=SANDBOX_URL) as http:
        http.headers.update(login(http, role))
        yield http


@pytest.fixture(params=sorted(DIALECTS))
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return DIALECTS[request.param]


@pytest.fixture
def api(sandbox_db: Path, dialect: Dialect) -> Iterator[httpx.Client]:
    """An admin client of the sandbox speaking `dialect`."""
    with _client(sandbox_db, dialect) as http:
        yield http


@pytest.fixture
def tidy(sandbox_db: Path) -> Iterator[httpx.Client]:
    with _client(sandbox_db, TIDY) as http:
        yield http


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text[:500]
    body: dict[str, Any] = response.json()
    return body


def _k(dialect: Dialect, name: str) -> str:
    return f"hydra:{name}" if dialect.hydra_prefix else name


# -- the table and the presets ---------------------------------------------------------------


def test_status_codes_are_the_clients_table() -> None:
    client_table = {**ASSUMED_STATUS_CODES, **PUBLIC_STATUS_CODES}
    assert {code: label for label, code in STATUS_CODES.items()} == client_table


def test_presets_are_the_generations_of_the_domain_brief() -> None:
    assert DEFAULT_DIALECT is DIALECTS["convertr"]
    convertr, ap3, ap4, partial = (
        DIALECTS[name] for name in ("convertr", "api-platform-3", "api-platform-4", "partial")
    )
    assert (convertr.hydra_prefix, convertr.violation_status, convertr.problem_json) == (
        True,
        400,
        False,
    )
    assert (ap3.hydra_prefix, ap3.violation_status, ap3.problem_json) == (True, 422, True)
    assert (ap4.hydra_prefix, ap4.violation_status, ap4.problem_json) == (False, 422, True)
    assert partial.partial_pagination and not ap4.partial_pagination
    assert all(d.published_shape for d in DIALECTS.values() if d is not TIDY)
    assert not TIDY.published_shape and not TIDY.escape_slashes


def test_unknown_dialect_names_the_presets(sandbox_db: Path) -> None:
    with pytest.raises(ValueError, match=r"expected a dialect among convertr, .*got 'php'"):
        dialect_named("php")
    with pytest.raises(ValueError, match="got 'php'"):
        create_app(sandbox_db, dialect="php")


def test_serve_takes_a_dialect() -> None:
    assert _parser().parse_args(["serve"]).dialect == "convertr"
    assert _parser().parse_args(["serve", "--dialect", "partial"]).dialect == "partial"
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--dialect", "php"])


# -- collections -----------------------------------------------------------------------------


def test_collection_spelling_total_and_view(api: httpx.Client, dialect: Dialect) -> None:
    body = _ok(api.get(LEADS, params={"campaign.id": CAMPAIGN, "itemsPerPage": PAGE_SIZE}))
    assert body["@type"] == _k(dialect, "Collection")
    assert len(body[_k(dialect, "member")]) == PAGE_SIZE
    other = "member" if dialect.hydra_prefix else "hydra:member"
    assert other not in body
    view = body[_k(dialect, "view")]
    assert view["@type"] == _k(dialect, "PartialCollectionView")
    assert view[_k(dialect, "next")].endswith("page=2")
    if dialect.partial_pagination:
        assert _k(dialect, "totalItems") not in body
        assert _k(dialect, "last") not in view and _k(dialect, "first") not in view
    else:
        assert body[_k(dialect, "totalItems")] > PAGE_SIZE
        assert view[_k(dialect, "last")].endswith(
            f"page={math.ceil(body[_k(dialect, 'totalItems')] / PAGE_SIZE)}"
        )


def test_every_collection_advertises_its_filters(api: httpx.Client, dialect: Dialect) -> None:
    for resource in RESOURCES:
        body = _ok(api.get(f"/api/v4/{resource.path}", params={"itemsPerPage": 1}))
        search = body[_k(dialect, "search")]
        assert search["@type"] == _k(dialect, "IriTemplate")
        assert search[_k(dialect, "template")].startswith(f"/api/v4/{resource.path}{{?")
        variables = {entry["variable"] for entry in search[_k(dialect, "mapping")]}
        assert {spec.param for spec in resource.filters} <= {
            v.split("[")[0].removesuffix(".id") for v in variables
        }
    leads = _ok(api.get(LEADS, params={"itemsPerPage": 1}))[_k(dialect, "search")]
    variables = {entry["variable"] for entry in leads[_k(dialect, "mapping")]}
    needed = {"campaign.id", "processrStatus[]", "delivered", "createdTs[after]"}
    assert needed | {"createdTs[before]", "search", "email", "emailHash", "order[createdTs]"} <= (
        variables
    )


def test_every_advertised_filter_is_read(tidy: httpx.Client) -> None:
    """A variable in the mapping is one the server really reads: a malformed value of each
    date, id or boolean variable is refused naming it, and exact ones narrow the answer."""
    mapping = _ok(tidy.get(LEADS, params={"itemsPerPage": 1}))["hydra:search"]["hydra:mapping"]
    for entry in mapping:
        variable = entry["variable"]
        if variable.startswith(("createdTs[", "campaign", "publisher", "id", "delivered")):
            refused = tidy.get(LEADS, params={variable: "not-a-value"})
            assert refused.status_code == 400, variable
            assert variable.removesuffix("[]") in refused.json()["hydra:description"]


def test_partial_pagination_walks_by_next_links(sandbox_db: Path, tidy: httpx.Client) -> None:
    total = _ok(tidy.get(LEADS, params={"campaign.id": CAMPAIGN}))["hydra:totalItems"]
    with _client(sandbox_db, DIALECTS["partial"]) as api:
        seen: list[int] = []
        link: str | None = f"{LEADS}?campaign.id={CAMPAIGN}&itemsPerPage={PAGE_SIZE}"
        pages = 0
        while link:
            body = _ok(api.get(link))
            members = body["member"]
            seen += [lead["id"] for lead in members]
            link = body["view"].get("next")
            # `next` exactly while the page is full, as API Platform's partial paginator does.
            assert (link is not None) == (len(members) == PAGE_SIZE)
            pages += 1
            if pages > 1:
                assert "previous" in body["view"]
    assert len(seen) == len(set(seen)) == total
    assert pages == total // PAGE_SIZE + 1


@pytest.mark.parametrize("dialect", ["partial", "api-platform-4"])
@pytest.mark.parametrize(
    "page", ["9223372036854775807", "9999999999999999999", "461168601842738791"]
)
def test_a_huge_page_is_an_empty_page_not_a_500(sandbox_db: Path, dialect: str, page: str) -> None:
    with _client(sandbox_db, DIALECTS[dialect]) as api:
        body = _ok(api.get(LEADS, params={"page": page, "itemsPerPage": "30"}))
    assert body["member"] == []
    assert "next" not in body["view"]


# -- the published lead ----------------------------------------------------------------------


def test_lead_shape(api: httpx.Client, tidy: httpx.Client, dialect: Dialect) -> None:
    path = f"{LEADS}/{SHOWCASE_CAUTION_LEAD_ID}"
    response = api.get(path)
    lead, plain = _ok(response), _ok(tidy.get(path))
    assert ('"\\/api\\/v4\\/' in response.text) == dialect.escape_slashes
    assert lead["publisherPayout"] == plain["publisherPayout"]
    assert re.fullmatch(r"\d+\.\d{2}", lead["publisherPayout"])  # money as a string
    assert (lead["score"], lead["maxScore"]) == (plain["score"], plain["maxScore"]) == (85, 100)
    moment = datetime.fromisoformat(lead["createdTs"])
    assert moment == datetime.fromisoformat(plain["createdTs"])
    assert plain["createdTs"].endswith("+00:00")
    if not dialect.published_shape:
        assert lead == plain
        return
    assert lead["createdTs"] == moment.astimezone(ZoneInfo(LONDON)).isoformat()
    assert lead["processrStatus"] == STATUS_CODES["Caution"] == 1002
    channel = CHANNELS[plain["channel"]]
    assert lead["channel"] == {
        "@id": f"/api/v4/channels/{channel.id}",
        "@type": "Channel",
        "name": channel.name,
    }
    assert lead["qaResult"]["@type"] == "QaResult" and lead["qaResult"]["@id"]
    assert lead["campaign"] == plain["campaign"] == "/api/v4/campaigns/1"
    blanks = [name for name in BLANK_LEAD_FIELDS if plain[name] is None]
    assert blanks and all(lead[name] == "" for name in blanks)
    assert lead["firstDeliveredTs"] is None  # not text: null stays null


def test_published_timestamps_carry_londons_offset_of_the_day() -> None:
    assert local_time("2026-01-15T10:00:00+00:00", LONDON) == "2026-01-15T10:00:00+00:00"
    assert local_time("2026-07-15T10:00:00+00:00", LONDON) == "2026-07-15T11:00:00+01:00"


def test_status_filter_takes_codes_and_labels(api: httpx.Client, dialect: Dialect) -> None:
    def total_of(*statuses: str | int) -> int:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("campaign.id", CAMPAIGN),
            ("itemsPerPage", 500),
        ]
        params += [("processrStatus[]", status) for status in statuses]
        return len(_ok(api.get(LEADS, params=params))[_k(dialect, "member")])

    by_label = total_of("Caution", "Valid")
    assert by_label > 0
    if dialect.published_shape:
        assert total_of(1002, 1000) == by_label
        assert total_of(4242) == 0  # an unknown code matches nothing


# -- errors ----------------------------------------------------------------------------------


def _check_error(response: httpx.Response, dialect: Dialect, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    body: dict[str, Any] = response.json()
    assert body[_k(dialect, "description")] and body[_k(dialect, "title")]
    if dialect.problem_json:
        assert response.headers["content-type"].startswith(PROBLEM_JSON.split(";")[0])
        assert body["status"] == status and body["detail"] and body["title"] and body["type"]
    else:
        assert response.headers["content-type"].startswith("application/ld+json")
        assert "detail" not in body
    return body


def test_errors(api: httpx.Client, dialect: Dialect) -> None:
    missing = _check_error(api.get(f"{LEADS}/1"), dialect, 404)
    assert missing["@type"] == _k(dialect, "Error")
    _check_error(api.get(LEADS, params={"page": "abc"}), dialect, 400)
    _check_error(api.get(LEADS, headers={"Authorization": "Bearer nope"}), dialect, 401)


def test_violations(writable_db: Path, dialect: Dialect) -> None:
    with _client(writable_db, dialect) as api:
        response = api.post("/api/v4/lead-datas", json={"lead": "", "name": ""})
        body = _check_error(response, dialect, dialect.violation_status)
        assert body["@type"] == "ConstraintViolationList"
        assert {v["propertyPath"] for v in body["violations"]} == {"lead", "name", "value"}
        # A write's answer is in the dialect too.
        lead_iri = f"{LEADS}/{SHOWCASE_CAUTION_LEAD_ID}"
        written = api.post("/api/v4/lead-datas", json={"lead": lead_iri, "name": "x", "value": "y"})
        assert written.status_code == 201, written.text
        assert ('"\\/api\\/v4\\/' in written.text) == dialect.escape_slashes
        assert datetime.fromisoformat(written.json()["createdTs"]).utcoffset() is not None


# -- the client in every dialect -------------------------------------------------------------


def _convertr(db: Path, dialect: Dialect, username: str = "analyst@sandbox.test") -> ConvertrClient:
    return connect(sandbox_config(username), transport_factory=sandbox_at(db, dialect=dialect))


def _statuses(client: ConvertrClient) -> dict[int, str]:
    dossier = load_dossier(client, SHOWCASE_CAUTION_LEAD_ID)
    assert dossier.errors == {}
    assert dossier.warnings == ()
    leads = [dossier.lead, *(dossier.associated_leads or [])]
    return {lead.id: lead.processr_status for lead in leads}


def test_client_loads_a_full_dossier(sandbox_db: Path, dialect: Dialect) -> None:
    client = _convertr(sandbox_db, dialect)
    statuses = _statuses(client)
    assert statuses[SHOWCASE_CAUTION_LEAD_ID] == "Caution" and len(statuses) >= 4
    assert statuses == _statuses(_convertr(sandbox_db, TIDY))
    assert client.format_warnings == ()
    assert client.status_encoding == ("codes" if dialect.published_shape else "labels")
    channel = _convertr(sandbox_db, TIDY).lead(SHOWCASE_CAUTION_LEAD_ID).channel_name
    assert channel is not None and channel in CHANNELS
    expected = CHANNELS[channel].name if dialect.published_shape else channel
    assert client.lead(SHOWCASE_CAUTION_LEAD_ID).channel_name == expected


def test_client_pages_and_filters(sandbox_db: Path, dialect: Dialect) -> None:
    client, plain = _convertr(sandbox_db, dialect), _convertr(sandbox_db, TIDY)
    page = client.leads_page(CAMPAIGN, 2, items_per_page=PAGE_SIZE, statuses=("Caution",))
    expected = plain.leads_page(CAMPAIGN, 2, items_per_page=PAGE_SIZE, statuses=("Caution",))
    assert [lead.id for lead in page.items] == [lead.id for lead in expected.items]
    assert {lead.processr_status for lead in page.items} == {"Caution"}
    assert page.has_next and page.has_previous
    assert page.total == (None if dialect.partial_pagination else expected.total)
    filters = client.supported_filters(LEADS)
    assert filters is not None and {"campaign.id", "processrStatus[]", "search"} <= filters


def test_hand_checked_dialect_json_decodes_slashes(sandbox_db: Path) -> None:
    """PHP's escaped slashes are plain JSON: any decoder reads the same IRIs."""
    with _client(sandbox_db, DEFAULT_DIALECT) as api:
        text = api.get(f"{LEADS}/{SHOWCASE_CAUTION_LEAD_ID}").text
    assert "\\/api\\/v4\\/campaigns\\/1" in text
    assert json.loads(text)["campaign"] == "/api/v4/campaigns/1"


def test_a_page_of_items_with_different_keys_has_each_items_timestamps_published() -> None:
    """The timestamp keys are found once per set of keys, not once per page."""
    items: list[dict[str, Any]] = [
        {"id": 1, "createdTs": "2024-07-01T12:00:00+00:00"},
        {"id": 2, "createdTs": "2024-07-01T12:00:00+00:00"},
        {"id": 3, "updatedTs": "2024-01-01T12:00:00+00:00", "note": "x"},
        {"id": 4, "createdTs": None},
    ]
    publish_all("notes", items, "Europe/London")
    assert [item.get("createdTs") or item.get("updatedTs") for item in items] == [
        "2024-07-01T13:00:00+01:00",
        "2024-07-01T13:00:00+01:00",
        local_time("2024-01-01T12:00:00+00:00", "Europe/London"),
        None,
    ]
