"""POST /api/v4/lead-datas: create vs overwrite, validation, conflicts, roles, atomicity."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from lib.sandbox import create_app
from lib.sandbox.demo import (
    SHOWCASE_CAUTION_LEAD_ID,
    SHOWCASE_DELIVERED_LEAD_ID,
    SHOWCASE_HOSTILE_LEAD_ID,
)
from lib.sandbox.dialects import DEFAULT_DIALECT
from lib.sandbox.hashing import email_hash_key
from tests.sandbox.conftest import BASE_URL, login, make_client

LEAD_IRI = f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}"


def datas(client: httpx.Client, lead_id: int, name: str) -> list[dict[str, Any]]:
    response = client.get("/api/v4/lead-datas", params={"lead.id": lead_id, "name": name})
    items: list[dict[str, Any]] = response.json()["hydra:member"]
    return items


def data_notes(client: httpx.Client, lead_id: int) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v4/lead-notes", params={"lead.id": lead_id, "type": "data", "itemsPerPage": 500}
    )
    items: list[dict[str, Any]] = response.json()["hydra:member"]
    return items


def post(client: httpx.Client, body: Any) -> httpx.Response:
    return client.post("/api/v4/lead-datas", json=body)


def test_new_name_is_created_with_a_note(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "analyst"))
    response = post(write_client, {"lead": LEAD_IRI, "name": "budget", "value": "50k-100k"})
    assert response.status_code == 201, response.text
    item = response.json()
    assert response.headers["Location"] == item["@id"]
    assert (item["lead"], item["name"], item["value"]) == (LEAD_IRI, "budget", "50k-100k")
    assert item["source"] == "edited" and item["originalValue"] is None
    assert write_client.get(item["@id"]).json()["value"] == "50k-100k"
    [note] = data_notes(write_client, SHOWCASE_CAUTION_LEAD_ID)
    assert note["field"] == "budget" and note["oldValue"] is None
    assert note["newValue"] == "50k-100k" and note["author"] == "Ana Lyst"
    lead = write_client.get(LEAD_IRI).json()
    assert note["@id"] in lead["leadNotes"]
    assert {"name": "budget", "value": "50k-100k"}.items() <= next(
        d for d in lead["leadData"] if d["name"] == "budget"
    ).items()


def test_existing_name_is_overwritten_in_place(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "admin"))
    [before] = datas(write_client, SHOWCASE_CAUTION_LEAD_ID, "jobTitle")
    assert before["source"] == "transform" and before["originalValue"] == "vp it"
    response = post(write_client, {"lead": {"id": SHOWCASE_CAUTION_LEAD_ID}, "name": "jobTitle",
                                   "value": "CTO", "previousValue": "VP of IT"})  # fmt: skip
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["id"] == before["id"]
    assert after["value"] == "CTO" and after["source"] == "edited"
    assert after["originalValue"] == "vp it"  # the very first value is kept
    assert len(datas(write_client, SHOWCASE_CAUTION_LEAD_ID, "jobTitle")) == 1
    assert write_client.get(LEAD_IRI).json()["jobTitle"] == "CTO"  # core field follows
    [note] = data_notes(write_client, SHOWCASE_CAUTION_LEAD_ID)
    assert (note["oldValue"], note["newValue"], note["author"]) == ("VP of IT", "CTO", "Ada Admin")
    again = post(write_client, {"lead": LEAD_IRI, "name": "jobTitle", "value": "CIO"})
    assert again.json()["originalValue"] == "vp it"


def test_overwriting_a_captured_value_keeps_it_as_original(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "admin"))
    response = post(write_client, {"lead": LEAD_IRI, "name": "firstName", "value": "Liv"})
    assert response.status_code == 200
    assert response.json()["originalValue"] == "Olivia"
    assert write_client.get(LEAD_IRI).json()["firstName"] == "Liv"


def test_email_edit_updates_the_lead_and_its_hash(
    write_client: httpx.Client, writable_db: Path
) -> None:
    write_client.headers.update(login(write_client, "admin"))
    body = {"lead": LEAD_IRI, "name": "email", "value": "Liv@Example.org"}
    assert post(write_client, body).status_code == 200
    lead = write_client.get(LEAD_IRI).json()
    assert lead["email"] == "Liv@Example.org"
    with sqlite3.connect(writable_db) as connection:
        key = email_hash_key(connection)
    assert lead["emailHash"] == hmac.new(key, b"liv@example.org", hashlib.sha256).hexdigest()


def test_stale_previous_value_is_409_and_writes_nothing(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "admin"))
    body = {"lead": LEAD_IRI, "name": "company", "value": "Acme", "previousValue": "Old Co"}
    response = post(write_client, body)
    assert response.status_code == 409
    assert response.json()["currentValue"] == "Harbourline Analytics Ltd"
    assert datas(write_client, SHOWCASE_CAUTION_LEAD_ID, "company")[0]["value"] == (
        "Harbourline Analytics Ltd"
    )
    assert data_notes(write_client, SHOWCASE_CAUTION_LEAD_ID) == []
    # previousValue null means "there was no value": a conflict once one exists.
    created = {"lead": LEAD_IRI, "name": "budget", "value": "1", "previousValue": None}
    assert post(write_client, created).status_code == 201
    conflict = post(write_client, created)
    assert conflict.status_code == 409 and conflict.json()["currentValue"] == "1"


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({}, {"lead", "name", "value"}),
        ({"lead": LEAD_IRI, "name": "x", "value": None}, {"value"}),
        ({"lead": LEAD_IRI, "name": "x", "value": 5}, {"value"}),
        ({"lead": LEAD_IRI, "name": "x", "value": "v" * 256}, {"value"}),
        ({"lead": LEAD_IRI, "name": "1abc", "value": "v"}, {"name"}),
        ({"lead": LEAD_IRI, "name": "a b", "value": "v"}, {"name"}),
        ({"lead": LEAD_IRI, "name": "a" * 65, "value": "v"}, {"name"}),
        ({"lead": "/api/v4/campaigns/1", "name": "x", "value": "v"}, {"lead"}),
        ({"lead": "/api/v4/leads/99999999", "name": "x", "value": "v"}, {"lead"}),
        ({"lead": {"id": "abc"}, "name": "x", "value": "v"}, {"lead"}),
        ({"lead": LEAD_IRI, "name": "x", "value": "v", "previousValue": 3}, {"previousValue"}),
        ({"lead": LEAD_IRI, "name": "email", "value": "not-an-email"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "employees", "value": "lots"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "consentDate", "value": "2026-02-30"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "consentDate", "value": "30/01/2026"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "country", "value": "Narnia"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "postcode", "value": "1234567890123"}, {"value"}),
        ({"lead": LEAD_IRI, "name": "firstName", "value": "  "}, {"value"}),
        ({"lead": LEAD_IRI, "name": "emailDomain", "value": "@x.org"}, {"name"}),
    ],
)
def test_invalid_bodies_are_violation_lists_and_write_nothing(
    write_client: httpx.Client, writable_db: Path, body: dict[str, Any], paths: set[str]
) -> None:
    write_client.headers.update(login(write_client, "admin"))
    before = _table_sizes(writable_db)
    response = post(write_client, body)
    # 400 in the default dialect (API Platform 2.x); tests/sandbox/test_dialects.py checks 422.
    assert response.status_code == DEFAULT_DIALECT.violation_status == 400, response.text
    payload = response.json()
    assert payload["@type"] == "ConstraintViolationList"
    assert {v["propertyPath"] for v in payload["violations"]} == paths
    assert all(v["message"] for v in payload["violations"])
    assert _table_sizes(writable_db) == before


def test_valid_typed_values_are_accepted(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "admin"))
    for name, value in (("employees", "250"), ("consentDate", "2026-01-31"),
                        ("country", "Germany"), ("title", "Dr"), ("telephone", "")):  # fmt: skip
        response = post(write_client, {"lead": LEAD_IRI, "name": name, "value": value})
        assert response.status_code in {200, 201}, response.text


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "got an array"),
        ('"text"', "got a string"),
        ("true", "got a boolean"),
        ("", "got an empty body"),
    ],
)
def test_body_that_is_not_a_json_object_is_400(
    write_client: httpx.Client, raw: str, said: str
) -> None:
    write_client.headers.update(login(write_client, "admin"))
    response = write_client.post(
        "/api/v4/lead-datas", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["@type"] == "hydra:Error"
    assert said in response.json()["hydra:description"]


@pytest.mark.parametrize("role", ["viewer", "masked"])
def test_viewer_and_masked_may_never_edit(write_client: httpx.Client, role: str) -> None:
    write_client.headers.update(login(write_client, role))
    response = post(write_client, {"lead": LEAD_IRI, "name": "budget", "value": "1"})
    assert response.status_code == 403
    assert role in response.json()["hydra:description"]
    assert datas(write_client, SHOWCASE_CAUTION_LEAD_ID, "budget") == []


def test_analyst_may_edit_undelivered_but_not_delivered_leads(write_client: httpx.Client) -> None:
    write_client.headers.update(login(write_client, "analyst"))
    delivered = f"/api/v4/leads/{SHOWCASE_DELIVERED_LEAD_ID}"
    assert write_client.get(delivered).json()["delivered"] is True
    denied = post(write_client, {"lead": delivered, "name": "budget", "value": "1"})
    assert denied.status_code == 403
    assert "delivered" in denied.json()["hydra:description"]
    hostile = f"/api/v4/leads/{SHOWCASE_HOSTILE_LEAD_ID}"
    assert post(write_client, {"lead": hostile, "name": "budget", "value": "1"}).status_code == 201
    write_client.headers.update(login(write_client, "admin"))
    assert (
        post(write_client, {"lead": delivered, "name": "budget", "value": "1"}).status_code == 201
    )


def test_a_failing_note_insert_rolls_back_the_change(writable_db: Path) -> None:
    connection = sqlite3.connect(writable_db)
    connection.execute(
        "CREATE TRIGGER refuse_notes BEFORE INSERT ON lead_notes"
        " BEGIN SELECT RAISE(ABORT, 'notes are read-only today'); END"
    )
    connection.close()
    with make_client(writable_db) as http:
        http.headers.update(login(http, "admin"))
        response = post(http, {"lead": LEAD_IRI, "name": "company", "value": "Changed Ltd"})
        assert response.status_code == 500
        assert response.json()["hydra:description"] == "Internal Server Error"
        assert "read-only" not in response.text
        assert datas(http, SHOWCASE_CAUTION_LEAD_ID, "company")[0]["value"] == (
            "Harbourline Analytics Ltd"
        )
        assert http.get(LEAD_IRI).json()["company"] == "Harbourline Analytics Ltd"


def test_concurrent_writes_from_threads_all_land(writable_db: Path) -> None:
    app_client = make_client(writable_db)  # closed at the end
    headers = login(app_client, "admin")
    errors: list[str] = []

    shared_app = create_app(writable_db)

    def writer(thread: int) -> None:
        # One app serves every thread (as under waitress); each thread has its own client.
        transport = httpx.WSGITransport(app=shared_app)
        with httpx.Client(transport=transport, base_url=BASE_URL) as http:
            for attempt in range(10):
                response = http.post(
                    "/api/v4/lead-datas",
                    headers=headers,
                    json={"lead": LEAD_IRI, "name": f"thread{thread}", "value": str(attempt)},
                )
                if response.status_code not in {200, 201}:
                    errors.append(response.text)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    app_client.headers.update(headers)
    notes = data_notes(app_client, SHOWCASE_CAUTION_LEAD_ID)
    assert len(notes) == 80
    for number in range(8):
        [value] = datas(app_client, SHOWCASE_CAUTION_LEAD_ID, f"thread{number}")
        assert value["value"] == "9"
    app_client.close()


def _table_sizes(db_path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(db_path)
    try:
        datas_count = connection.execute("SELECT COUNT(*) FROM lead_datas").fetchone()[0]
        notes_count = connection.execute("SELECT COUNT(*) FROM lead_notes").fetchone()[0]
    finally:
        connection.close()
    return int(datas_count), int(notes_count)
