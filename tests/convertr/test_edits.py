"""lib/convertr/edits.py: conflicts found against the re-read values, and saving (against the
sandbox in-process and a fake server)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr.edits import UNCERTAIN_MESSAGE, find_conflicts, save_changes
from lib.convertr.models import LeadData
from lib.views.edit import PendingChange, after_save, keep_mine


def datum(item_id: int, name: str, value: str | None, source: str = "captured") -> LeadData:
    return LeadData.model_validate(
        {"id": item_id, "lead": "/api/v4/leads/7", "name": name, "value": value, "source": source}
    )


def test_conflicts_are_found_against_the_reread_values() -> None:
    same = PendingChange("company", "Company", "Acme", "Beta", "Acme")
    moved = PendingChange("email", "Email", "a@b.co", "c@d.co", "a@b.co")
    done = PendingChange("title", "Title", "", "Ms", None)
    new = PendingChange("promo", "promo", "", "X", None, new_field=True)
    current = [datum(1, "company", "Acme"), datum(2, "email", "z@y.co"), datum(3, "title", "Ms")]
    to_send, conflicts, already = find_conflicts([same, moved, done, new], current)
    assert to_send == [same, new]
    assert [(item.name, item.mine, item.theirs) for item in conflicts] == [
        ("email", "c@d.co", "z@y.co")
    ]
    assert already == [done]
    rebased = keep_mine(moved, "z@y.co")
    assert (rebased.loaded, rebased.old, rebased.new) == ("z@y.co", "z@y.co", "c@d.co")


# -- saving -----------------------------------------------------------------------------------


@pytest.fixture
def sandbox(writable_db: Path) -> Path:
    return writable_db


def test_save_changes_against_the_sandbox_keeps_going_after_a_failure(sandbox: Path) -> None:
    client = connect(sandbox_config(), transport_factory=sandbox_at(sandbox))
    lead_id = 100001
    before = {item.name: item.value for item in client.lead_datas(lead_id)}
    changes = [
        PendingChange("jobTitle", "Job Title", "", "CTO", before.get("jobTitle")),
        PendingChange("company", "Company", "", "A" * 200, before.get("company")),
        PendingChange("webinarSlot", "webinarSlot", "", "AM", None, new_field=True),
    ]
    results, failure = save_changes(client, lead_id, changes)
    assert failure is None
    statuses = {result.name: result.status for result in results}
    assert statuses == {"jobTitle": "saved", "company": "rejected", "webinarSlot": "saved"}
    rejected = next(result for result in results if result.name == "company")
    assert "120 characters or less" in rejected.message
    after = {item.name: item.value for item in client.lead_datas(lead_id)}
    assert after["jobTitle"] == "CTO" and after["webinarSlot"] == "AM"
    assert after["company"] == before["company"]
    assert set(after_save({change.name: change for change in changes}, results)) == {"company"}
    notes = [note for note in client.lead_notes(lead_id) if note.type == "data"]
    assert {(note.field, note.new_value) for note in notes} == {
        ("jobTitle", "CTO"),
        ("webinarSlot", "AM"),
    }


def test_a_stale_previous_value_is_a_conflict_not_an_overwrite(sandbox: Path) -> None:
    client = connect(sandbox_config(), transport_factory=sandbox_at(sandbox))
    change = PendingChange("firstName", "First Name", "Olivia", "Liv", "Olivia")
    with sqlite3.connect(sandbox) as connection:
        connection.execute(
            "UPDATE lead_datas SET value = 'Olive' WHERE lead_id = 100001 AND name = 'firstName'"
        )
    (result,), failure = save_changes(client, 100001, [change])
    assert failure is None
    assert (result.status, result.mine, result.theirs) == ("conflict", "Liv", "Olive")
    assert next(i.value for i in client.lead_datas(100001) if i.name == "firstName") == "Olive"


def _fake_api(post_status: int | None, posts: list[dict[str, object]]) -> ConvertrClient:
    """A fake server: login, an empty lead-datas collection, and POSTs answered with
    `post_status` (None: the connection times out)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.method == "GET":
            return httpx.Response(
                200,
                json={"hydra:member": [], "hydra:totalItems": 0},
                headers={"content-type": "application/ld+json"},
            )
        posts.append(json.loads(request.content))
        if post_status is None:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(
            post_status,
            json={"hydra:title": "An error occurred", "hydra:description": "boom"},
            headers={"content-type": "application/ld+json"},
        )

    config = ClientConfig(
        base_url="https://acme.cvtr.io",
        username="u@x.test",
        password="p",
    )
    return ConvertrClient(config, transport=httpx.MockTransport(handler), sleep=lambda _: None)


@pytest.mark.parametrize(("status", "expected"), [(None, "uncertain"), (503, "uncertain")])
def test_timeouts_and_server_errors_are_uncertain_and_sent_once(
    status: int | None, expected: str
) -> None:
    posts: list[dict[str, object]] = []
    client = _fake_api(status, posts)
    change = PendingChange("promo", "promo", "", "X", None, new_field=True)
    (result,), failure = save_changes(client, 7, [change])
    assert failure is None
    assert result.status == expected
    assert UNCERTAIN_MESSAGE in result.message
    assert len(posts) == 1, "a POST is never resent"
    assert posts[0]["previousValue"] is None and posts[0]["value"] == "X"


def test_forbidden_carries_the_servers_reason() -> None:
    client = _fake_api(403, [])
    (result,), _ = save_changes(client, 7, [PendingChange("promo", "promo", "", "X", None)])
    assert (result.status, result.message) == ("forbidden", "boom")


def test_a_failed_reread_sends_nothing() -> None:
    posts: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.method == "POST":
            posts.append({})
        return httpx.Response(500, json={}, headers={"content-type": "application/ld+json"})

    config = ClientConfig(
        base_url="https://acme.cvtr.io",
        username="u@x.test",
        password="p",
    )
    client = ConvertrClient(
        config, transport=httpx.MockTransport(handler), sleep=lambda _: None, max_retries=0
    )
    results, failure = save_changes(client, 7, [PendingChange("promo", "promo", "", "X", None)])
    assert results == [] and failure and "nothing was sent" in failure
    assert posts == []
