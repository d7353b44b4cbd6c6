"""lib/editing.py: permissions, validation, the editor's rows, pending changes and saving
(against the sandbox in-process and a fake server)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr.models import Lead, LeadData, LeadEditableField, User
from lib.editing import (
    CHECK_OK,
    COLUMN_CHECK,
    COLUMN_VALUE,
    NEW_FIELD_TYPE,
    UNCERTAIN_MESSAGE,
    PendingChange,
    add_field,
    after_save,
    allowed_hint,
    apply_grid_edits,
    edit_permission,
    editor_frame,
    editor_model,
    find_conflicts,
    keep_mine,
    save_changes,
    stage_change,
    validate_field_name,
    validate_value,
)

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def field(
    name: str,
    kind: str = "text",
    *,
    choices: tuple[str, ...] = (),
    required: bool = False,
    max_length: int | None = None,
    editable: bool = True,
    position: int = 0,
) -> LeadEditableField:
    return LeadEditableField.model_validate(
        {
            "id": position + 1,
            "campaign": "/api/v4/campaigns/1",
            "name": name,
            "label": name.title(),
            "type": kind,
            "choices": list(choices),
            "required": required,
            "maxLength": max_length,
            "editable": editable,
            "position": position,
        }
    )


def lead(*, delivered: bool = False, **values: object) -> Lead:
    return Lead.model_validate(
        {
            "id": 7,
            "campaign": "/api/v4/campaigns/1",
            "processrStatus": "Valid",
            "score": 100,
            "maxScore": 100,
            "createdTs": NOW.isoformat(),
            "delivered": delivered,
            **values,
        }
    )


def datum(item_id: int, name: str, value: str | None, source: str = "captured") -> LeadData:
    return LeadData.model_validate(
        {"id": item_id, "lead": "/api/v4/leads/7", "name": name, "value": value, "source": source}
    )


def user(role: str, *permissions: str) -> User:
    return User(id=1, email=f"{role}@x.test", name=role, role=role, permissions=permissions)


# -- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "delivered", "allowed", "reason"),
    [
        (user("viewer", "leads.view"), False, False, "Viewer"),
        (user("masked", "leads.view"), False, False, "Masked viewer"),
        (user("analyst", "leads.view", "leads.edit"), False, True, ""),
        (user("analyst", "leads.view", "leads.edit"), True, False, "already been delivered"),
        (user("admin", "leads.edit", "leads.edit_delivered"), True, True, ""),
    ],
)
def test_edit_permission_follows_the_api_rules(
    who: User, delivered: bool, allowed: bool, reason: str
) -> None:
    permission = edit_permission(who, lead(delivered=delivered))
    assert permission.allowed is allowed
    assert reason in permission.reason
    assert bool(permission.reason) is not allowed


# -- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "jobTitle", "email.status", "x_1", "A" + "b" * 63])
def test_valid_field_names(name: str) -> None:
    assert validate_field_name(name) == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "required"),
        ("1abc", "starts with a letter"),
        ("_x", "starts with a letter"),
        ("has space", "only letters"),
        ("emoji👋", "only letters"),
        ("a" * 65, "at most 64"),
    ],
)
def test_invalid_field_names(name: str, problem: str) -> None:
    (message,) = validate_field_name(name)
    assert problem in message


@pytest.mark.parametrize(
    ("definition", "value"),
    [
        (field("email", "email"), "a.b@example.co.uk"),
        (field("employees", "number"), "250"),
        (field("employees", "number"), "-12.5"),
        (field("consentDate", "date"), "2024-02-29"),
        (field("title", "choice", choices=("Mr", "Ms")), "Ms"),
        (field("company", max_length=5), "12345"),
        (field("telephone"), ""),
        (None, "x" * 255),
    ],
)
def test_valid_values(definition: LeadEditableField | None, value: str) -> None:
    assert validate_value(value, definition) == []


@pytest.mark.parametrize(
    ("definition", "value", "problem"),
    [
        (field("email", "email"), "not-an-email", "email address"),
        (field("email", "email"), "a@b", "email address"),
        (field("employees", "number"), "12 people", "number"),
        (field("employees", "number"), "nan", "number"),
        (field("employees", "number"), "1e999", "number"),
        (field("consentDate", "date"), "2023-02-29", "YYYY-MM-DD"),
        (field("consentDate", "date"), "20/11/2026", "YYYY-MM-DD"),
        (field("title", "choice", choices=("Mr", "Ms")), "Dr", "one of Mr, Ms"),
        (field("title", "choice", choices=("Mr", "Ms")), "ms", "one of Mr, Ms"),
        (field("company", max_length=5), "123456", "At most 5 characters, got 6"),
        (field("notes", max_length=1000), "x" * 256, "At most 255"),
        (None, "x" * 256, "At most 255"),
        (field("firstName", required=True), "  ", "is required"),
        (field("leadSource", editable=False), "web", "not editable"),
    ],
)
def test_invalid_values(definition: LeadEditableField | None, value: str, problem: str) -> None:
    (message,) = validate_value(value, definition)
    assert problem in message


def test_allowed_hint_lists_choices_and_limits() -> None:
    assert allowed_hint(field("title", "choice", choices=("Mr", "Ms"))) == "one of: Mr, Ms"
    assert allowed_hint(field("d", "date")) == "a date, YYYY-MM-DD, up to 255 characters"
    assert allowed_hint(field("c", max_length=12)) == "text, up to 12 characters"
    assert allowed_hint(None) == "text, up to 255 characters"


# -- the editor's rows and pending changes --------------------------------------------------

FIELDS = (
    field("company", position=2, max_length=20),
    field("title", "choice", choices=("Mr", "Ms"), position=1),
    field("email", "email", required=True, position=3),
    field("leadSource", editable=False, position=4),
)


def test_editor_rows_are_ordered_by_position_then_added_fields_then_pending_new_ones() -> None:
    data = [
        datum(3, "promo", "X1", "edited"),
        datum(1, "company", "Acme"),
        datum(2, "email", "a@b.co"),
        datum(4, "neverbounce.result", "valid", "enrichment"),
    ]
    pending = {"zeta": PendingChange("zeta", "zeta", "", "z", None, new_field=True)}
    model = editor_model(FIELDS, lead(title="Ms"), data, pending)
    assert [row.name for row in model.editable] == ["title", "company", "email", "promo", "zeta"]
    assert [row.name for row in model.read_only] == ["leadSource"]
    title = model.row("title")
    assert title is not None
    assert (title.server, title.shown) == (None, "Ms"), "the lead's own value fills the gap"
    promo = model.row("promo")
    assert promo is not None and promo.type == NEW_FIELD_TYPE


def test_frame_overlays_pending_values_and_checks_them() -> None:
    model = editor_model(FIELDS, lead(), [datum(1, "company", "Acme")])
    pending = stage_change({}, model, "company", "Acme Holdings International Ltd")
    pending = stage_change(pending, model, "title", "Ms")
    frame = editor_frame(model, pending, {"title": ["Server says no."]})
    assert list(frame.index) == ["title", "company", "email"]
    assert frame.at["company", COLUMN_VALUE] == "Acme Holdings International Ltd"
    assert "At most 20 characters" in str(frame.at["company", COLUMN_CHECK])
    assert frame.at["title", COLUMN_CHECK] == "Server says no."
    assert frame.at["email", COLUMN_CHECK] == ""
    assert editor_frame(model, {"title": pending["title"]}).at["title", COLUMN_CHECK] == CHECK_OK


def test_grid_edits_become_pending_and_reverting_drops_them() -> None:
    model = editor_model(FIELDS, lead(), [datum(1, "company", "Acme"), datum(2, "email", "a@b.co")])
    shown = editor_frame(model, {})
    edited = shown.copy()
    edited.at["company", COLUMN_VALUE] = "Beta"
    edited.at["email", COLUMN_VALUE] = None  # an emptied cell
    pending = apply_grid_edits(model, shown, edited, {})
    assert pending["company"] == PendingChange("company", "Company", "Acme", "Beta", "Acme")
    assert pending["email"].new == ""

    shown = editor_frame(model, pending)
    assert apply_grid_edits(model, shown, shown.copy(), pending) == pending, "no edit, no change"
    reverted = shown.copy()
    reverted.at["company", COLUMN_VALUE] = "Acme"
    assert set(apply_grid_edits(model, shown, reverted, pending)) == {"email"}


def test_a_new_field_emptied_again_is_dropped() -> None:
    model = editor_model(FIELDS, lead(), [])
    pending = add_field({}, model, "promo", "X").pending
    assert set(pending) == {"promo"}
    assert stage_change(pending, editor_model(FIELDS, lead(), [], pending), "promo", "") == {}


def test_a_second_edit_keeps_the_value_first_loaded() -> None:
    model = editor_model(FIELDS, lead(), [datum(1, "company", "Acme")])
    pending = stage_change({}, model, "company", "B")
    pending = stage_change(pending, model, "company", "C")
    assert (pending["company"].old, pending["company"].loaded, pending["company"].new) == (
        "Acme",
        "Acme",
        "C",
    )
    assert pending["company"].review_line == "Company: Acme → C"


def test_add_new_field_existing_field_and_invalid_input() -> None:
    model = editor_model(FIELDS, lead(), [datum(1, "company", "Acme")])
    added = add_field({}, model, "  webinarSlot ", "AM")
    assert added.outcome == "added"
    assert added.pending["webinarSlot"] == PendingChange(
        "webinarSlot", "webinarSlot", "", "AM", None, new_field=True
    )
    existing = add_field(added.pending, model, "company", "Beta")
    assert existing.outcome == "edit"
    assert "already exists" in existing.messages[0]
    assert existing.pending["company"].loaded == "Acme"
    assert set(existing.pending) == {"webinarSlot", "company"}

    for name, value, problem in (
        ("", "x", "A field name is required"),
        ("promo", "", "A new value is required"),
        ("email", "nope", "email address"),
        ("leadSource", "web", "not editable"),
        ("9a", "x", "starts with a letter"),
    ):
        refused = add_field({}, model, name, value)
        assert refused.outcome == "invalid"
        assert refused.pending == {}
        assert any(problem in message for message in refused.messages), (name, refused)


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
    client = ConvertrClient(ClientConfig.sandbox(sandbox_db=sandbox))
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
    client = ConvertrClient(ClientConfig.sandbox(sandbox_db=sandbox))
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
