"""lib/convertr/bulk.py against the in-process sandbox: 500 leads saved with one note each,
leads changed by someone else mid-run become conflicts, injected failures stop nobody else,
and the sandbox itself refuses roles and leads a user may not edit, write by write."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lib.connect import connect, sandbox_at, sandbox_config, sandbox_transport
from lib.convertr import ConvertrClient
from lib.convertr.bulk import load_for_review, save_bulk
from lib.convertr.edits import SaveResult
from lib.views.bulk import BulkChange, BulkLead, BulkSpec, bulk_review
from tests.convertr.conftest import RecordingTransport

FIELD = "jobTitle"
NEW = "Head of Data (bulk)"


def lead_ids(db: Path, count: int, *, delivered: bool | None = None) -> list[int]:
    where = "" if delivered is None else f" WHERE delivered = {int(delivered)}"
    with sqlite3.connect(db) as connection:
        rows = connection.execute(f"SELECT id FROM leads{where} ORDER BY id LIMIT ?", (count,))
        return [row[0] for row in rows]


def reviewed(client: ConvertrClient, ids: list[int], value: str = NEW) -> list[BulkChange]:
    load = load_for_review(client, ids, FIELD)
    items = [
        BulkLead(lead, load.fields[lead.campaign_id], load.values.get(lead.id))
        for lead in load.leads
    ]
    review = bulk_review(client.current_user(), items, BulkSpec(FIELD, value=value))
    return list(review.changes)


def sandbox_client(
    db: Path, username: str, fail: Callable[[httpx.Request], httpx.Response | None] | None = None
) -> tuple[ConvertrClient, RecordingTransport]:
    """A signed-in client of the in-process sandbox on `db`, recording what it sends."""
    recorder = RecordingTransport(sandbox_transport(db), fail=fail)
    client = connect(sandbox_config(username), transport_factory=lambda _config: recorder)
    client.current_user()
    recorder.clear()
    return client, recorder


def body(request: httpx.Request) -> dict[str, object]:
    data: dict[str, object] = json.loads(request.content or b"{}")
    return data


def lead_of(request: httpx.Request) -> int | None:
    if request.method != "POST" or not request.url.path.endswith("/lead-datas"):
        return None
    return int(str(body(request)["lead"]).rsplit("/", 1)[1])


def test_500_leads_are_saved_each_with_one_note(writable_db: Path) -> None:
    client, recorder = sandbox_client(writable_db, "admin@sandbox.test")
    ids = lead_ids(writable_db, 500)
    changes = reviewed(client, ids)
    assert len(changes) == 500
    before = {change.lead_id: change.loaded for change in changes}
    recorder.clear()
    progress: list[int] = []
    results = save_bulk(
        client,
        [(change.lead_id, change) for change in changes],
        concurrency=8,
        on_result=lambda lead_id, _change, _result: progress.append(lead_id),
    )
    assert {result.status for result in results.values()} == {"saved"}
    assert sorted(progress) == sorted(ids)
    assert [sent.method for sent in recorder.sent] == ["POST"] * 500
    with sqlite3.connect(writable_db) as db:
        notes = db.execute(
            "SELECT lead_id, old_value, author FROM lead_notes"
            " WHERE type = 'data' AND field = ? AND new_value = ?",
            (FIELD, NEW),
        ).fetchall()
        values = dict(
            db.execute("SELECT lead_id, value FROM lead_datas WHERE name = ?", (FIELD,)).fetchall()
        )
    assert sorted(lead for lead, _, _ in notes) == sorted(ids)
    assert {lead: old for lead, old, _ in notes} == before
    assert {author for _, _, author in notes} == {client.current_user().name}
    assert all(values[lead] == NEW for lead in ids)


def test_leads_changed_mid_run_are_conflicts_never_overwritten(writable_db: Path) -> None:
    ids = lead_ids(writable_db, 40)
    victims = set(ids[5:40:7])
    other = connect(sandbox_config("admin@sandbox.test"), transport_factory=sandbox_at(writable_db))
    lock = threading.Lock()

    def meanwhile(request: httpx.Request) -> httpx.Response | None:
        lead = lead_of(request)
        if lead in victims:
            # Someone else saves this lead between the review and our POST.
            with lock:
                other.save_lead_data(lead, FIELD, "Changed by someone else")
        return None

    client, _ = sandbox_client(writable_db, "admin@sandbox.test", fail=meanwhile)
    changes = reviewed(client, ids)
    results = save_bulk(client, [(change.lead_id, change) for change in changes])
    conflicts = {lead for lead, result in results.items() if result.status == "conflict"}
    assert conflicts == victims
    assert all(results[lead].theirs == "Changed by someone else" for lead in victims)
    assert all(results[lead].status == "saved" for lead in set(ids) - victims)
    values = {item.lead_id: item.value for lead in victims for item in other.lead_datas(lead)
              if item.name == FIELD}  # fmt: skip
    assert set(values.values()) == {"Changed by someone else"}


def test_failures_on_some_leads_never_stop_the_others(writable_db: Path) -> None:
    ids = lead_ids(writable_db, 30)
    down, unreachable = set(ids[3:9]), set(ids[20:23])

    def faulty(request: httpx.Request) -> httpx.Response | None:
        lead = lead_of(request)
        if lead in down:
            return httpx.Response(500, json={"detail": "boom"})
        if lead in unreachable:
            raise httpx.ConnectError("refused", request=request)
        return None

    client, _ = sandbox_client(writable_db, "admin@sandbox.test", fail=faulty)
    changes = reviewed(client, ids)
    results = save_bulk(client, [(change.lead_id, change) for change in changes])
    statuses = {lead: result.status for lead, result in results.items()}
    assert {statuses[lead] for lead in down} == {"uncertain"}
    assert {statuses[lead] for lead in unreachable} == {"failed"}
    assert {statuses[lead] for lead in set(ids) - down - unreachable} == {"saved"}


def test_a_crash_in_one_send_is_a_failed_lead(writable_db: Path) -> None:
    class Broken:
        name = FIELD
        loaded = None

        reads = 0

        @property
        def new(self) -> str:
            # The send reads it first and crashes; the result then shows it.
            self.reads += 1
            if self.reads == 1:
                raise RuntimeError("bug")
            return NEW

    client = connect(
        sandbox_config("admin@sandbox.test"), transport_factory=sandbox_at(writable_db)
    )
    results = save_bulk(client, [(100001, Broken())])
    assert results[100001].status == "failed"
    assert "RuntimeError" in results[100001].message


@pytest.mark.parametrize("role", ["viewer", "masked"])
def test_the_sandbox_refuses_every_write_of_a_role_without_edit(
    role: str, writable_db: Path
) -> None:
    client, _ = sandbox_client(writable_db, f"{role}@sandbox.test")
    ids = lead_ids(writable_db, 5)
    changes = [BulkChange(lead, FIELD, "Job", "", NEW, None) for lead in ids]
    results = save_bulk(client, [(change.lead_id, change) for change in changes])
    assert {result.status for result in results.values()} == {"forbidden"}
    with sqlite3.connect(writable_db) as db:
        assert not db.execute(
            "SELECT COUNT(*) FROM lead_notes WHERE new_value = ?", (NEW,)
        ).fetchone()[0]


def test_the_sandbox_checks_each_lead_delivered_ones_refused_to_an_analyst(
    writable_db: Path,
) -> None:
    client, _ = sandbox_client(writable_db, "analyst@sandbox.test")
    delivered = lead_ids(writable_db, 3, delivered=True)
    undelivered = lead_ids(writable_db, 3, delivered=False)
    # Sent regardless of the review (a tampered client): the API decides per lead.
    changes = [BulkChange(lead, FIELD, "Job", "", NEW, None) for lead in delivered + undelivered]
    current = {
        lead: next((d.value for d in client.lead_datas(lead) if d.name == FIELD), None)
        for lead in delivered + undelivered
    }
    changes = [BulkChange(c.lead_id, FIELD, "Job", "", NEW, current[c.lead_id]) for c in changes]
    results: dict[int, SaveResult] = save_bulk(client, [(c.lead_id, c) for c in changes])
    assert {results[lead].status for lead in delivered} == {"forbidden"}
    assert {results[lead].status for lead in undelivered} == {"saved"}
