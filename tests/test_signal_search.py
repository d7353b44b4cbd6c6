"""lib/signal_search.py: one `leads` request per signal the API can filter on, concurrently;
the rest reported as not searched, a failed search reported and the others kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lib.convertr import ClientConfig, ConvertrClient
from lib.signal_search import search_signals
from lib.views.leads import LEADS_PATH
from lib.views.signals import signal_clusters
from tests.views.workbench_models import make_lead

DEVICE = "f3a9c2d1"


def _lead_json(lead_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "@id": f"/api/v4/leads/{lead_id}",
        "id": lead_id,
        "campaign": "/api/v4/campaigns/7",
        "processrStatus": "Invalid",
        "score": 0,
        "maxScore": 100,
        "createdTs": "2026-05-01T09:01:00+00:00",
    } | fields


class Api:
    """A `leads` collection advertising `filters`; `fail` names a filter whose search fails."""

    def __init__(self, filters: tuple[str, ...], fail: str | None = None) -> None:
        self.filters = filters
        self.fail = fail
        self.asked: list[httpx.QueryParams] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            return httpx.Response(200, json={"token": "t"})
        params = request.url.params
        self.asked.append(params)
        if self.fail and self.fail in params:
            return httpx.Response(503, json={"hydra:description": "busy"})
        members = [_lead_json(2, fingerprint=DEVICE.upper())] if "fingerprint" in params else []
        mapping = [{"variable": name} for name in self.filters]
        body = {
            "hydra:member": members,
            "hydra:totalItems": len(members),
            "hydra:search": {"hydra:mapping": mapping},
        }
        return httpx.Response(
            200, content=json.dumps(body), headers={"content-type": "application/ld+json"}
        )


@pytest.fixture
def client_for() -> Iterator[Any]:
    made: list[ConvertrClient] = []

    def build(api: Api) -> ConvertrClient:
        config = ClientConfig.from_env(
            {"CONVERTR_BASE_URL": "https://api.test", "CONVERTR_TOKEN": "secret-token"}
        )
        client = ConvertrClient(config, transport=httpx.MockTransport(api), max_retries=0)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def test_each_advertised_signal_is_one_request(client_for: Any) -> None:
    api = Api(("fingerprint", "ip", "emailHash", "telephone"))
    lead = make_lead(fingerprint=DEVICE, ip="10.0.0.1", telephone="+44 20 7946 0321")
    search = search_signals(client_for(api), lead, [])
    searched = [
        name for params in api.asked for name in params if name not in ("page", "itemsPerPage")
    ]
    assert sorted(searched) == ["fingerprint", "ip", "telephone"], "no email hash: not asked"
    assert search.not_searched == () and search.failed == ()
    signals = signal_clusters(lead, search.leads, not_searched=search.not_searched)
    assert [cluster.signal for cluster in signals.clusters] == ["fingerprint"]


def test_unadvertised_filters_are_not_sent_and_are_reported(client_for: Any) -> None:
    api = Api(("fingerprint[]",))
    lead = make_lead(fingerprint=DEVICE, ip="10.0.0.1")
    search = search_signals(client_for(api), lead, [])
    assert all("ip" not in params for params in api.asked), "an unknown filter is never sent"
    assert search.unsupported == ("ip",) and search.not_searched == ("ip",)
    assert any("fingerprint" in params for params in api.asked), "name[] counts as the filter"


def test_a_failed_search_is_reported_and_the_others_kept(client_for: Any) -> None:
    api = Api(("fingerprint", "ip"), fail="ip")
    lead = make_lead(fingerprint=DEVICE, ip="10.0.0.1")
    search = search_signals(client_for(api), lead, [make_lead(5, email="x@y.test")])
    assert [signal for signal, _ in search.failed] == ["ip"]
    assert search.not_searched == ("ip",)
    assert {item.id for item in search.leads} == {2, 5}, "same-email leads always take part"


def test_without_an_advertised_mapping_nothing_is_searched(client_for: Any) -> None:
    api = Api(())
    lead = make_lead(fingerprint=DEVICE)
    search = search_signals(client_for(api), lead, [])
    assert search.unsupported == ("fingerprint",)
    assert LEADS_PATH == "/api/v4/leads"
