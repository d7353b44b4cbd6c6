"""The client's fast paths give exactly what the slow ones gave: strict validation in one call
and pydantic-core's JSON parser (stepping aside for anything they would read differently),
private attributes set up once, and a connection pool that stays warm between dossiers."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic
import pytest
from httpcore._sync.connection_pool import PoolRequest

from lib.convertr import load_dossier
from lib.convertr.client import ConvertrClient
from lib.convertr.models import (
    DEFAULT_STATUS_CODES,
    ApiModel,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    Lead,
    LeadData,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    Statistic,
    StatusCodes,
    parse_context,
    validate_strictly,
)
from tests.support.fakes import LEAD, FakeApi, hydra, lead, make_client
from tests.support.recording import SandboxClientFactory

SHOWCASE_LEADS = (100001, 100002, 100003)
MODEL_BY_PATH: dict[str, type[ApiModel]] = {
    "/api/v4/leads": Lead,
    "/api/v4/lead-datas": LeadData,
    "/api/v4/processr-job-leads": ProcessrJobLead,
    "/api/v4/logs": LogEntry,
    "/api/v4/lead-notes": LeadNote,
    "/api/v4/campaigns": Campaign,
    "/api/v4/campaign-processr-jobs": CampaignProcessrJob,
    "/api/v4/lead-editable-fields": LeadEditableField,
    "/api/v4/campaign-publishers": CampaignPublisher,
    "/api/v4/lead-statistics-chronologies": LeadStatisticsChronology,
    "/api/v4/statistics": Statistic,
    "/api/v4/campaign-links": CampaignLink,
}
LEADS = "/api/v4/leads"


def _same(strict: ApiModel, tolerant: ApiModel) -> None:
    """Equal in every respect a caller can see, private state and set fields included."""
    assert type(strict) is type(tolerant)
    assert strict == tolerant
    assert strict.__pydantic_private__ == tolerant.__pydantic_private__
    assert strict.model_fields_set == tolerant.model_fields_set
    assert strict.model_dump() == tolerant.model_dump()
    assert strict.format_warnings == tolerant.format_warnings == ()


def _sandbox_answers(client: ConvertrClient, urls: list[str]) -> Iterator[tuple[str, Any]]:
    for url in urls:
        path = httpx.URL(url).path
        yield path, client.request_json("GET", url)


@pytest.mark.parametrize("lead_id", SHOWCASE_LEADS)
def test_strict_validation_equals_the_tolerant_one_on_every_dossier_answer(
    sandbox_client: SandboxClientFactory, lead_id: int
) -> None:
    # The tidy dialect sends null where the published shape sends "": every answer is then
    # blank-free, so the client validates each one strictly (the published shape's leads go
    # the tolerant way, see the test below).
    client, recorder = sandbox_client(dialect="tidy")
    load_dossier(client, lead_id)
    urls = [item.url for item in recorder.sent]
    context = parse_context(StatusCodes({1000: "Invalid"}))
    checked: set[type[ApiModel]] = set()
    for path, body in _sandbox_answers(client, urls):
        model = MODEL_BY_PATH.get(path) or MODEL_BY_PATH[path.rsplit("/", 1)[0]]
        items = body.get("hydra:member", [body])
        strict = validate_strictly(model, items, context)
        tolerant = [model.model_validate(item, context=context) for item in items]
        assert len(strict) == len(tolerant)
        for one, other in zip(strict, tolerant, strict=True):
            _same(one, other)
        checked.add(model)
    assert checked == set(MODEL_BY_PATH.values())


def test_strict_validation_resolves_statuses_with_the_given_table() -> None:
    item = lead(processrStatus=1000)
    default = validate_strictly(Lead, [item], parse_context(DEFAULT_STATUS_CODES))[0]
    configured = validate_strictly(Lead, [item], parse_context(StatusCodes({1000: "Test"})))[0]
    assert (default.processr_status, default.status.source) == ("Valid", "known")
    assert (configured.processr_status, configured.status.source) == ("Test", "configured")


def test_strict_validation_refuses_what_the_tolerant_one_keeps_raw() -> None:
    odd = lead(publisherPayout={"amount": "1.00", "currency": "GBP"})
    with pytest.raises(pydantic.ValidationError):
        validate_strictly(Lead, [odd])
    kept = Lead.model_validate(odd)
    assert kept.publisher_payout is None and kept.format_warnings


def _leads_client(body: bytes) -> ConvertrClient:
    api = FakeApi()
    answer = httpx.Response(200, content=body, headers={"content-type": "application/ld+json"})
    api.route("GET", LEADS, lambda _: answer)
    return make_client(api)


def _page_bytes(*members: dict[str, Any]) -> bytes:
    return json.dumps(hydra(list(members))).encode()


def test_an_answer_with_an_empty_string_is_read_the_tolerant_way() -> None:
    # Strictly, "" is a valid telephone; tolerantly it is no value. The tolerant way wins.
    client = _leads_client(_page_bytes(lead(telephone=""), lead(id=100002)))
    page = client.leads_page(3)
    assert [item.telephone for item in page.items] == [None, None]
    assert [item.id for item in page.items] == [100001, 100002]


def test_a_page_the_strict_way_refuses_is_read_item_by_item_with_warnings() -> None:
    odd = lead(id=100002, optIn={"value": True})
    client = _leads_client(_page_bytes(lead(), odd))
    page = client.leads_page(3)
    assert [item.id for item in page.items] == [100001, 100002]
    assert page.items[0].format_warnings == ()
    assert [warning.field for warning in page.items[1].format_warnings] == ["optIn"]
    assert [warning.field for warning in client.format_warnings] == ["optIn"]


def test_a_strictly_read_lead_teaches_the_status_encoding() -> None:
    client = _leads_client(_page_bytes(lead(processrStatus=1001)))
    assert client.status_encoding is None
    client.leads_page(3)
    assert client.status_encoding == "codes"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode(),
        lambda text: text.encode("utf-16"),
    ],
    ids=["utf-8 with a byte order mark", "utf-16"],
)
def test_json_that_pydantic_core_refuses_is_read_by_the_json_module(encode: Any) -> None:
    client = _leads_client(encode(json.dumps(hydra([LEAD]))))
    assert [item.id for item in client.leads_page(3).items] == [100001]


def test_a_lone_surrogate_reads_as_before() -> None:
    # The json module accepts an escaped lone surrogate; pydantic-core refuses it.
    body = _page_bytes(lead(firstName="PLACEHOLDER")).replace(b"PLACEHOLDER", b"\\ud800")
    client = _leads_client(body)
    assert client.leads_page(3).items[0].first_name == "\ud800"


def _api_models() -> list[type[ApiModel]]:
    found: list[type[ApiModel]] = []
    pending: list[type[ApiModel]] = [ApiModel]
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return found


@pytest.mark.parametrize("model", _api_models(), ids=lambda model: model.__name__)
def test_private_attributes_are_set_up_once_as_pydantic_does(model: type[ApiModel]) -> None:
    from pydantic._internal._model_construction import init_private_attributes

    instance = model.model_construct()
    ours = dict(instance.__pydantic_private__ or {})
    object.__setattr__(instance, "__pydantic_private__", None)
    init_private_attributes(instance, None)
    assert list(ours.items()) == list((instance.__pydantic_private__ or {}).items())
    other = model.model_construct()
    if "_unparsed" in ours:
        assert other._unparsed is not instance._unparsed  # a fresh dict each time


def test_a_validated_lead_has_its_private_state() -> None:
    item = Lead.model_validate(LEAD)
    assert list(item.__pydantic_private__ or {}) == ["_format_warnings", "_unparsed", "_status"]
    assert item.status.label == "Caution" and item.unparsed == {}


def test_the_network_pool_keeps_idle_connections_warm_between_dossiers() -> None:
    from lib.convertr.client import KEEPALIVE_EXPIRY, network_transport
    from lib.convertr.constants import MAX_CONNECTIONS

    transport = network_transport()
    try:
        pool = transport._pool
        assert pool._keepalive_expiry == KEEPALIVE_EXPIRY >= 30
        assert pool._max_connections == MAX_CONNECTIONS >= 16  # the widest wave, and more
    finally:
        transport.close()


@dataclass
class _FakeConnection:
    """A pooled connection's state, as the pool's housekeeping reads it: "idle", "active",
    "closed", "expired" (busy, its keep-alive over) or "stale" (idle, closed by the server:
    only a system call finds that out)."""

    name: str
    state: str
    host: bytes = b"a"
    checked: int = 0
    """How many times an idle connection was asked whether it expired (a system call)."""

    def is_closed(self) -> bool:
        return self.state == "closed"

    def has_expired(self) -> bool:
        if self.is_idle():
            self.checked += 1
        return self.state in ("expired", "stale")

    def is_idle(self) -> bool:
        return self.state in ("idle", "stale")

    def is_available(self) -> bool:
        return self.is_idle()

    def can_handle_request(self, origin: Any) -> bool:
        return bool(origin.host == self.host)


@dataclass(frozen=True)
class _PoolOutcome:
    closed: list[str]
    kept: list[str]
    assigned: list[str | None]
    checked: int
    """System calls asking idle connections whether they expired."""


def _pools_after(states: list[str], hosts: list[str], keep: int, most: int) -> list[_PoolOutcome]:
    """httpcore's pool and ours, given the same connections and queued requests: what each
    closes, keeps and assigns, and how many idle connections it checks."""
    import httpcore

    from lib.convertr.transport import _ConnectionPool

    outcomes = []
    for kind in (httpcore.ConnectionPool, _ConnectionPool):
        pool = kind(max_connections=most, max_keepalive_connections=keep)
        pool.create_connection = lambda origin: _FakeConnection("new", "active", origin.host)  # type: ignore[method-assign,assignment,return-value]
        fakes: list[Any] = [
            _FakeConnection(f"c{index}", state) for index, state in enumerate(states)
        ]
        pool._connections = list(fakes)
        requests = [httpcore.Request("GET", f"http://{host}/x") for host in hosts]
        pool._requests = [PoolRequest(request) for request in requests]
        closing: list[Any] = pool._assign_requests_to_connections()
        outcomes.append(
            _PoolOutcome(
                closed=[connection.name for connection in closing],
                kept=[connection.name for connection in pool._connections],  # type: ignore[attr-defined]
                assigned=[getattr(request.connection, "name", None) for request in pool._requests],
                checked=sum(fake.checked for fake in fakes),
            )
        )
    return outcomes


@pytest.mark.parametrize(
    ("states", "hosts", "keep", "most"),
    [
        (["idle"] * 15, ["a"] * 3, 32, 32),
        (["idle"] * 15, ["a"] * 3, 4, 32),
        (["idle", "closed", "expired", "active", "idle", "expired"], ["a"] * 4, 2, 32),
        (["active"] * 3 + ["idle"], ["b"] * 2, 32, 4),
        (["active"] * 4, ["a"], 32, 4),
    ],
)
def test_the_network_pool_closes_keeps_and_assigns_what_httpcores_does(
    states: list[str], hosts: list[str], keep: int, most: int
) -> None:
    """Idle, closed, busy and expired connections, beyond the connections to keep, a full
    pool: the same outcome (no connection closed by the server here)."""
    theirs, ours = _pools_after(states, hosts, keep, most)
    assert (ours.closed, ours.kept, ours.assigned) == (theirs.closed, theirs.kept, theirs.assigned)


def test_the_network_pool_checks_idle_connections_only_to_reuse_them() -> None:
    """An answer closed (no request waiting) costs no system call; a request checks the idle
    connections it would reuse, in order, until a live one: never one the server closed."""
    theirs, ours = _pools_after(["idle"] * 10 + ["stale"], [], 32, 32)
    assert (theirs.checked, ours.checked) == (11, 0)
    assert ours.closed == [] and len(ours.kept) == 11
    theirs, ours = _pools_after(["stale", "stale", "idle", "idle", "stale"], ["a"], 32, 32)
    assert theirs.assigned == ours.assigned == ["c2"]
    assert theirs.closed == ["c0", "c1", "c4"]
    assert ours.closed == ["c0", "c1"] and ours.checked == 3  # c4 is checked when reused


def test_the_network_pool_was_compared_with_this_httpcore() -> None:
    import httpcore

    # _ConnectionPool repeats httpcore's housekeeping (linear): compare it with a new one.
    assert httpcore.__version__ == "1.0.9"


def test_answers_with_blank_strings_are_read_the_tolerant_way(
    sandbox_client: SandboxClientFactory,
) -> None:
    client, _ = sandbox_client()
    raw = client.request_json("GET", f"{LEADS}/100001")
    blank = sorted(name for name, value in raw.items() if value == "")
    assert blank, "the published shape sends empty strings"
    lead_read = client.lead(100001)
    assert lead_read.format_warnings == ()
    dumped = lead_read.model_dump(by_alias=True)
    assert all(dumped.get(name) in (None, "", ()) for name in blank)
    assert "" not in lead_read.__dict__.values(), "an optional blank is read as None"


CHRONOLOGY: dict[str, Any] = {
    "@id": "/api/v4/lead-statistics-chronologies/5",
    "@type": "LeadStatisticsChronology",
    "id": 5,
    "campaign": "/api/v4/campaigns/3",
    "date": "2024-01-01",
    **dict.fromkeys(("total", "valid", "invalid", "caution", "test", "delivered"), 0),
}


def test_a_bare_iri_relation_is_validated_once_and_shared() -> None:
    first, second = validate_strictly(LeadStatisticsChronology, [CHRONOLOGY, dict(CHRONOLOGY)])
    assert first.campaign is second.campaign
    assert first.campaign_id == 3
    # The same relation as validating the IRI as an object gives.
    embedded = LeadStatisticsChronology.model_validate(
        {**CHRONOLOGY, "campaign": {"@id": "/api/v4/campaigns/3"}}
    )
    assert embedded.campaign == first.campaign
    assert embedded.campaign is not first.campaign


@pytest.mark.parametrize(
    ("campaign", "message"),
    [
        ("/api/v4/campaigns/x", "expected an IRI ending in a numeric id"),
        ({"@id": "/api/v4/campaigns/x"}, "expected an IRI ending in a numeric id"),
        ("campaigns/3", "expected an IRI (a path or URL) or an object with '@id'"),
    ],
)
def test_a_relation_without_a_numeric_id_is_refused_every_time(
    campaign: object, message: str
) -> None:
    for _ in range(2):  # the second time from the cache of IRIs
        with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
            validate_strictly(LeadStatisticsChronology, [{**CHRONOLOGY, "campaign": campaign}])


def _tolerant_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Items read the tolerant way (one by one) from now on, by id."""
    from lib.convertr.dialect import Dialect

    read: list[object] = []
    tolerant = Dialect.parse

    def parse(self: Dialect, model: type[ApiModel], data: object, **where: str) -> ApiModel:
        read.append(data.get("id") if isinstance(data, dict) else -1)
        return tolerant(self, model, data, **where)

    monkeypatch.setattr(Dialect, "parse", parse)
    return read


def test_a_page_whose_only_blanks_are_its_items_own_is_read_strictly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = _tolerant_calls(monkeypatch)
    items = [
        lead(telephone="", title="", hardfail=""),
        lead(id=100002, postcode="", firstName="Grace", leadNotes=""),
    ]
    client = _leads_client(_page_bytes(*items))
    page = client.leads_page(3)
    assert read == [], "every item validated strictly, in one call"
    context = parse_context(client.status_codes)
    for strict, item in zip(page.items, items, strict=True):
        _same(strict, Lead.model_validate(item, context=context))
    assert page.items[0].telephone is None and page.items[1].lead_notes == ()
    assert "hardfail" not in page.items[0].model_fields_set, "a blank with a default is unset"


@pytest.mark.parametrize(
    "odd",
    [
        {"leadData": [{"@id": "/api/v4/lead-datas/1", "name": "x", "value": ""}]},
        {"firstName": 'ends in a quote"'},
        {"": "an empty key"},
    ],
    ids=["a blank inside an embedded value", "a quote closing a string", "an empty key"],
)
def test_a_blank_the_items_do_not_hold_themselves_sends_the_page_the_tolerant_way(
    monkeypatch: pytest.MonkeyPatch, odd: dict[str, Any]
) -> None:
    read = _tolerant_calls(monkeypatch)
    items = [lead(telephone=""), lead(id=100002, **odd)]
    client = _leads_client(_page_bytes(*items))
    page = client.leads_page(3)
    assert read == [100001, 100002]
    context = parse_context(client.status_codes)
    for got, item in zip(page.items, items, strict=True):
        _same(got, Lead.model_validate(item, context=context))


@pytest.mark.parametrize("lead_id", SHOWCASE_LEADS)
def test_published_answers_with_blanks_read_as_the_tolerant_way_reads_them(
    sandbox_client: SandboxClientFactory, lead_id: int
) -> None:
    # The published shape sends "" for empty fields: its leads were read one by one; now
    # the items whose blanks are all their own are validated in one call, with the same result.
    client, recorder = sandbox_client()
    load_dossier(client, lead_id)
    urls = [item.url for item in recorder.sent]
    context = parse_context(client.status_codes)
    strict_answers = 0
    for path, body in _sandbox_answers(client, urls):
        model = MODEL_BY_PATH.get(path) or MODEL_BY_PATH[path.rsplit("/", 1)[0]]
        items = body.get("hydra:member", [body])
        blanks = json.dumps(body).encode().count(b'""')
        parsed = client.dialect.parse_items(model, items, blanks, path)
        tolerant = [model.model_validate(item, context=context) for item in items]
        for one, other in zip(parsed, tolerant, strict=True):
            _same(one, other)
        own = sum(1 for item in items for value in item.values() if value == "")
        strict_answers += bool(blanks) and own == blanks
    assert strict_answers, "some answers hold blanks of their items only"
