"""The lead dossier against the in-process sandbox: parts, request count, waves, failures."""

from __future__ import annotations

import json
import pickle
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from lib.convertr import PARTS, LeadDossier, load_dossier
from lib.convertr.errors import (
    DependencyError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
)
from tests.convertr.conftest import SandboxClientFactory, Sent

SHOWCASE_CAUTION, SHOWCASE_HOSTILE, SHOWCASE_DELIVERED = 100001, 100002, 100003
REQUESTS_PER_DOSSIER = 16
"""One request per part, whatever the number of associated campaigns (multi-value filters)."""


def expected_requests(dossier: LeadDossier) -> int:
    assert dossier.lead is not None and dossier.lead.email, "these leads all have an email"
    return REQUESTS_PER_DOSSIER


@pytest.mark.parametrize("lead_id", [SHOWCASE_CAUTION, SHOWCASE_HOSTILE, SHOWCASE_DELIVERED])
def test_full_dossier_has_every_part_and_no_duplicate_requests(
    sandbox_client: SandboxClientFactory, lead_id: int
) -> None:
    client, recorder = sandbox_client()
    before = client.request_count
    dossier = load_dossier(client, lead_id)

    assert dossier.errors == {}
    assert all(getattr(dossier, part) is not None for part in PARTS)
    assert dossier.lead is not None and dossier.campaign is not None
    assert dossier.lead.id == lead_id
    assert dossier.campaign.id == dossier.lead.campaign_id
    urls = [item.url for item in recorder.sent]
    assert len(urls) == expected_requests(dossier)
    assert [url for url, count in Counter(urls).items() if count > 1] == []
    assert client.request_count - before == len(urls)
    assert dossier.jobs and {r.campaign_processr_job_id for r in dossier.job_results or []} <= {
        job.id for job in dossier.jobs
    }


def test_showcase_lead_has_associated_campaigns(sandbox_client: SandboxClientFactory) -> None:
    client, _ = sandbox_client()
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert dossier.lead is not None and dossier.lead.processr_status == "Caution"
    campaign_ids = {lead.campaign_id for lead in dossier.associated_leads or []}
    assert len(campaign_ids - {dossier.lead.campaign_id}) >= 3
    assert {c.id for c in dossier.associated_campaigns or []} == campaign_ids
    assert {s.campaign_id for s in dossier.associated_statistics or []} == campaign_ids
    assert {c.campaign_id for c in dossier.associated_chronologies or []} == campaign_ids
    assert all(lead.email == dossier.lead.email for lead in dossier.associated_leads or [])


def _first(sent: list[Sent], prefix: str) -> Sent:
    return next(item for item in sent if item.url.startswith(prefix))


def test_from_a_bare_id_each_wave_waits_for_what_it_needs(
    sandbox_client: SandboxClientFactory,
) -> None:
    client, recorder = sandbox_client()
    load_dossier(client, SHOWCASE_CAUTION)
    sent = recorder.sent
    lead = _first(sent, "/api/v4/leads/")
    by_email = _first(sent, "/api/v4/leads?email=")
    for item in sent:
        if item.url.startswith(("/api/v4/campaigns/", "/api/v4/campaign-processr-jobs")):
            assert item.started >= lead.finished  # wave 2 needs the lead's campaign
        if item.url.startswith(("/api/v4/statistics", "/api/v4/campaigns?", "/api/v4/campaign-l")):
            assert item.started >= by_email.finished  # wave 3 needs the associated leads
    assert by_email.started >= lead.finished


def _gate(blocked_path: str, opened_by: str) -> tuple[threading.Event, GateHook]:
    """Hold requests to ``blocked_path`` until a request to ``opened_by`` arrives."""
    opened = threading.Event()

    def hook(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == opened_by:
            opened.set()
        elif request.url.path == blocked_path:
            opened.wait(timeout=5)
        return None

    return opened, hook


GateHook = Callable[[httpx.Request], "httpx.Response | None"]


def test_later_waves_do_not_wait_for_slow_parts_of_earlier_ones(
    sandbox_client: SandboxClientFactory,
) -> None:
    # The logs (wave 1) are held until a wave-3 request arrives: no barrier between waves.
    opened, hook = _gate("/api/v4/logs", "/api/v4/lead-statistics-chronologies")
    client, _ = sandbox_client(fail=hook)
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert opened.is_set()
    assert dossier.errors == {}


def test_with_campaign_and_email_known_nothing_waits_for_the_lead(
    sandbox_client: SandboxClientFactory,
) -> None:
    # The lead is held until the associated campaigns are requested: two waves, not three.
    client, recorder = sandbox_client()
    lead = client.lead(SHOWCASE_CAUTION)
    opened, hook = _gate(f"/api/v4/leads/{SHOWCASE_CAUTION}", "/api/v4/campaigns")
    recorder.fail = hook
    recorder.clear()
    dossier = load_dossier(client, SHOWCASE_CAUTION, lead.campaign_id, lead.email)
    assert opened.is_set()
    assert dossier.errors == {}
    assert len(recorder.sent) == expected_requests(dossier)


def test_a_failing_part_does_not_stop_the_others(sandbox_client: SandboxClientFactory) -> None:
    def fail_logs(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v4/logs":
            return httpx.Response(500, json={"hydra:description": "logs are down"})
        return None

    client, _ = sandbox_client(fail=fail_logs)
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert set(dossier.errors) == {"processr_logs", "provider_logs"}
    error = dossier.error_for("processr_logs")
    assert isinstance(error, ServerError) and "logs are down" in str(error)
    assert dossier.processr_logs is None
    assert dossier.lead is not None and dossier.associated_campaigns


def test_parts_that_need_a_failed_part_get_a_dependency_error(
    sandbox_client: SandboxClientFactory,
) -> None:
    def fail_lead_search(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v4/leads":
            return httpx.Response(500, json={"hydra:description": "search is down"})
        return None

    client, recorder = sandbox_client(fail=fail_lead_search)
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert isinstance(dossier.error_for("associated_leads"), ServerError)
    for part in ("associated_campaigns", "associated_statistics", "associated_links"):
        assert isinstance(dossier.error_for(part), DependencyError)
    assert dossier.campaign is not None and dossier.jobs is not None
    assert len(recorder.sent) == REQUESTS_PER_DOSSIER - 5  # none of the five associated parts


def test_masked_user_gets_processr_but_not_provider_logs(
    sandbox_client: SandboxClientFactory,
) -> None:
    client, _ = sandbox_client("masked@sandbox.test")
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert set(dossier.errors) == {"provider_logs"}
    assert isinstance(dossier.error_for("provider_logs"), PermissionDeniedError)
    assert dossier.processr_logs


def test_unknown_lead_raises_not_found(sandbox_client: SandboxClientFactory) -> None:
    client, _ = sandbox_client()
    with pytest.raises(NotFoundError) as caught:
        load_dossier(client, 999_999_999)
    assert caught.value.status == 404


def test_dossier_serialises_to_json_and_pickles(sandbox_client: SandboxClientFactory) -> None:
    client, _ = sandbox_client("masked@sandbox.test")
    dossier = load_dossier(client, SHOWCASE_HOSTILE)
    data = json.loads(dossier.to_json())
    assert data["lead"]["id"] == SHOWCASE_HOSTILE
    assert data["errors"]["provider_logs"]["type"] == "PermissionDeniedError"
    assert data["errors"]["provider_logs"]["status"] == 403
    copy = pickle.loads(pickle.dumps(dossier))
    assert copy == dossier or copy.to_dict() == dossier.to_dict()
    with pytest.raises(KeyError):
        dossier.error_for("no_such_part")  # type: ignore[arg-type]


def test_a_lead_without_email_has_no_associated_campaigns_and_asks_nothing(
    sandbox_client: SandboxClientFactory, sandbox_db: Path
) -> None:
    with closing(sqlite3.connect(f"file:{sandbox_db}?mode=ro", uri=True)) as connection:
        row = connection.execute(
            "SELECT id FROM leads WHERE email IS NULL OR email = '' ORDER BY id LIMIT 1"
        ).fetchone()
    assert row is not None, "the demo data has leads captured without an email"
    client, recorder = sandbox_client()
    dossier = load_dossier(client, row[0])
    assert dossier.errors == {}
    assert dossier.lead is not None and not dossier.lead.email
    assert dossier.associated_leads == []
    assert dossier.associated_campaigns == [] and dossier.associated_chronologies == []
    urls = [item.url for item in recorder.sent]
    assert not any(url.startswith("/api/v4/leads?") for url in urls)
    assert len(urls) == REQUESTS_PER_DOSSIER - 6  # the email search and the five parts it feeds


def test_hints_that_contradict_the_lead_are_dropped(sandbox_client: SandboxClientFactory) -> None:
    """A stale link (another campaign, another email) never mixes campaigns' parts."""
    client, _ = sandbox_client()
    right = load_dossier(client, SHOWCASE_CAUTION)
    assert right.lead is not None
    wrong = load_dossier(
        client, SHOWCASE_CAUTION, campaign_id=right.lead.campaign_id + 1, email="x@example.com"
    )
    assert wrong.campaign is not None and wrong.campaign.id == right.lead.campaign_id
    assert {job.campaign_id for job in wrong.jobs or []} == {right.lead.campaign_id}
    assert wrong.associated_leads == right.associated_leads


def _slowed(fetch: Callable[..., object]) -> Callable[..., object]:
    """``fetch`` after a pause, so that siblings started independently would overtake it."""

    def slow(*args: object) -> object:
        time.sleep(CHAIN_HEAD_PAUSE)
        return fetch(*args)

    return slow


CHAIN_HEAD_PAUSE = 0.05
"""Seconds each head of the longest chain waits before sending (the siblings must wait too)."""


def test_each_request_of_the_longest_chain_is_sent_before_its_siblings(
    sandbox_client: SandboxClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, recorder = sandbox_client()
    for name in ("lead", "leads_by_email", "chronologies"):
        monkeypatch.setattr(client, name, _slowed(getattr(client, name)))
    dossier = load_dossier(client, SHOWCASE_CAUTION)
    assert dossier.errors == {}
    sent = recorder.sent
    lead = _first(sent, f"/api/v4/leads/{SHOWCASE_CAUTION}")
    by_email = _first(sent, "/api/v4/leads?email=")
    days = _first(sent, "/api/v4/lead-statistics-chronologies")
    waves = {
        lead: (
            "/api/v4/lead-datas",
            "/api/v4/processr-job-leads",
            "/api/v4/logs",
            "/api/v4/lead-n",
        ),
        by_email: ("/api/v4/campaigns/", "/api/v4/campaign-processr-jobs", "/api/v4/lead-edit"),
        days: ("/api/v4/campaigns?", "/api/v4/statistics", "/api/v4/campaign-links"),
    }
    for head, siblings in waves.items():
        following = [item for item in sent if item.url.startswith(siblings)]
        assert following and all(item.started >= head.started for item in following), head.url


def test_with_campaign_and_email_known_the_associated_leads_are_sent_first(
    sandbox_client: SandboxClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, recorder = sandbox_client()
    lead = client.lead(SHOWCASE_CAUTION)
    recorder.clear()
    monkeypatch.setattr(client, "leads_by_email", _slowed(client.leads_by_email))
    dossier = load_dossier(client, SHOWCASE_CAUTION, lead.campaign_id, lead.email)
    assert dossier.errors == {}
    sent = sorted(recorder.sent, key=lambda item: item.started)
    assert sent[0].url.startswith("/api/v4/leads?email=")
    assert len(sent) == expected_requests(dossier)


def test_the_same_email_is_found_by_its_hash_when_the_email_is_masked() -> None:
    from lib.convertr.dossier import same_email_filter
    from lib.convertr.errors import EmailNotSearchableError
    from lib.convertr.models import Lead
    from tests.convertr.fakes import lead

    shown = Lead.model_validate(lead(email="a@b.example", emailHash="ab12"))
    masked = Lead.model_validate(lead(email="[masked]", emailHash="ab12"))
    unhashed = Lead.model_validate(lead(email="[masked]", emailHash=None))
    assert same_email_filter(shown) == ("email", "a@b.example")
    assert same_email_filter(masked) == ("emailHash", "ab12")
    assert isinstance(same_email_filter(unhashed), EmailNotSearchableError)
    assert same_email_filter(Lead.model_validate(lead(email=""))) is None
