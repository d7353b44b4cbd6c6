"""The client's request log: every attempt with its wave, size and status; never a secret."""

from __future__ import annotations

import httpx
import pytest

from lib.convertr import load_dossier
from lib.convertr.requestlog import (
    FAILED_STATUS,
    REDACTED,
    REQUEST_SCOPE,
    RequestLog,
    RequestRecord,
    logged_send,
    safe_query,
)
from lib.sandbox import DEMO_PASSWORD
from tests.convertr.conftest import SandboxClientFactory

SHOWCASE = 100001


def test_a_dossier_from_a_bare_id_is_three_waves_after_the_sign_in(
    sandbox_client: SandboxClientFactory,
) -> None:
    client, recorder = sandbox_client()
    before = client.request_log.last_seq
    dossier = load_dossier(client, SHOWCASE)
    records = client.request_log.records(after=before)
    assert len(records) == len(recorder.sent), "one record per attempt on the wire"
    waves = {record.path: record.wave for record in records}
    assert waves[f"/api/v4/leads/{SHOWCASE}"] == 1
    assert waves["/api/v4/lead-notes"] == 1
    assert waves["/api/v4/lead-editable-fields"] == 2, "needs the lead's campaign"
    assert waves["/api/v4/statistics"] == 3, "needs the associated leads"
    assert {record.wave for record in records} == {1, 2, 3}
    assert all(record.status == 200 for record in records)
    assert not dossier.errors


def test_hints_make_it_two_waves(sandbox_client: SandboxClientFactory) -> None:
    client, _ = sandbox_client()
    lead = client.lead(SHOWCASE)
    before = client.request_log.last_seq
    load_dossier(client, SHOWCASE, campaign_id=lead.campaign_id, email=lead.email)
    records = client.request_log.records(after=before)
    assert {record.wave for record in records} == {1, 2}
    assert next(r for r in records if r.path == "/api/v4/statistics").wave == 2


def test_records_carry_the_size_the_scope_and_the_query() -> None:
    log = RequestLog()
    token = REQUEST_SCOPE.set("run-1")
    try:
        request = httpx.Request("GET", "https://api.test/api/v4/leads?ip=10.0.0.1&page=2")
        response = logged_send(
            log,
            request,
            lambda _: httpx.Response(200, stream=httpx.ByteStream(b"x" * 1234), request=request),
        )
        response.read()
        response.close()
    finally:
        REQUEST_SCOPE.reset(token)
    (record,) = log.records(scope="run-1")
    assert (record.method, record.path, record.query) == (
        "GET",
        "/api/v4/leads",
        "ip=10.0.0.1&page=2",
    )
    assert (record.status, record.size, record.wave) == (200, 1234, None)
    assert record.elapsed_ms >= 0
    assert log.records(scope="another run") == ()


def test_a_request_without_an_answer_is_recorded_as_failed() -> None:
    log = RequestLog()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(httpx.ConnectError):
        logged_send(log, httpx.Request("GET", "https://api.test/api/v4/leads/1"), refuse)
    (record,) = log.records()
    assert record.status == FAILED_STATUS and record.size == 0


def test_the_log_is_bounded() -> None:
    log = RequestLog(max_records=3)
    for seq in range(1, 6):
        log.add(RequestRecord(seq, "GET", "/p", "", 200, 0.0, 1.0, 0, None, None))
    assert [record.seq for record in log.records()] == [3, 4, 5]
    assert [record.seq for record in log.records(after=4)] == [5]


def test_secret_looking_query_values_are_redacted() -> None:
    url = httpx.URL("https://api.test/x?access_token=abc&Password=p&apiKey=k&page=1&ip=1.2.3.4")
    query = safe_query(url)
    assert "abc" not in query and "=p&" not in query and "=k" not in query
    assert "page=1" in query and "ip=1.2.3.4" in query
    assert httpx.QueryParams(query)["access_token"] == REDACTED
    assert httpx.QueryParams(query)["apiKey"] == REDACTED
    assert query.count("redacted") == 3


def test_no_record_holds_the_token_or_the_password(sandbox_client: SandboxClientFactory) -> None:
    client, _ = sandbox_client()
    client.auth.forget_token(client.auth.bearer_token())  # sign in again: the login is recorded too
    load_dossier(client, SHOWCASE)
    token = client.auth.bearer_token()
    records = client.request_log.records()
    assert any(record.path == "/api/login" for record in records)
    everything = repr(records)
    assert token not in everything
    assert DEMO_PASSWORD not in everything
    assert "Bearer" not in everything and "authorization" not in everything.lower()
