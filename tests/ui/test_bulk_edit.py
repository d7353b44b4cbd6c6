"""Bulk edit on the Leads page through AppTest: the controls by role, choosing rows and every
lead matching the filters, the review, the confirmed save with its notes, a conflict, and the
pending review surviving a page switch. Tests that write use their own copy of the sandbox."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.ui import bulk_edit, keys, pages
from lib.views.bulk import BulkDraft
from tests.support.apptest import app_at

LEADS = pages.LEADS
CAMPAIGN = 3
SCOPE = bulk_edit.leads_scope(CAMPAIGN)


@pytest.fixture(autouse=True)
def fresh_db(ui_env: Path, writable_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    return writable_db


def open_leads(user: str | None = None, **query: str) -> Any:
    at = app_at(LEADS, campaign=str(CAMPAIGN), **query)
    if user is not None:
        at.session_state[keys.DEMO_USER] = user
    at.run()
    assert not at.exception
    return at


def widget(at: Any, kind: str, name: str) -> Any:
    return getattr(at, kind)(key=keys.bulk_widget(SCOPE, name))


def toggles(at: Any) -> list[str]:
    return [item.key for item in at.toggle]


@pytest.mark.parametrize(
    ("user", "offered"),
    [
        ("admin@sandbox.test", True),
        ("analyst@sandbox.test", True),
        ("viewer@sandbox.test", False),
        ("masked@sandbox.test", False),
    ],
)
def test_only_roles_that_edit_unmasked_see_the_bulk_controls(user: str, offered: bool) -> None:
    at = open_leads(user)
    assert (keys.BULK_MODE in toggles(at)) is offered
    # Even a toggle state smuggled into the session draws nothing for them.
    at.session_state[keys.BULK_MODE] = True
    at.run()
    assert not at.exception
    panel_keys = [item.key for item in at.button if item.key and item.key.startswith("bulk.")]
    assert bool(panel_keys) is offered


def choose_all(at: Any) -> Any:
    at.toggle(key=keys.BULK_MODE).set_value(True).run()
    assert not at.exception
    # In bulk mode a row is ticked, not opened, and the table's caption says so.
    assert any(bulk_edit.TICK_HINT in item.value for item in at.caption)
    widget(at, "button", "all").click().run()
    assert not at.exception
    return at


def test_review_then_confirmed_save_writes_one_note_per_lead(fresh_db: Path) -> None:
    at = open_leads("admin@sandbox.test")
    # Narrow to a handful: undelivered leads matching one search term.
    at.selectbox(key=keys.LEADS_DELIVERY).select("Undelivered").run()
    choose_all(at)
    ids = list(at.session_state[keys.bulk_selection(SCOPE)])
    with sqlite3.connect(fresh_db) as db:
        undelivered = db.execute(
            "SELECT COUNT(*) FROM leads WHERE campaign_id = ? AND delivered = 0", (CAMPAIGN,)
        ).fetchone()[0]
    assert len(ids) == undelivered
    assert any(f"{len(ids)} leads chosen" in item.value for item in at.markdown)

    widget(at, "selectbox", "field").select("jobTitle").run()
    widget(at, "text_input", "value").input("Head of Data").run()
    widget(at, "button", "review").click().run()
    assert not at.exception
    draft: BulkDraft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.stage == "review" and draft.review is not None
    to_change = {change.lead_id for change in draft.review.changes}
    assert to_change and to_change <= set(ids)
    # Nothing sent before the count is confirmed: the Save button is disabled.
    save = widget(at, "button", "save")
    assert save.disabled
    assert save.label == f"Save {len(to_change)} changes"
    with sqlite3.connect(fresh_db) as db:
        notes_before = db.execute(
            "SELECT COUNT(*) FROM lead_notes WHERE field = 'jobTitle' AND new_value = ?",
            ("Head of Data",),
        ).fetchone()[0]
    assert notes_before == 0

    widget(at, "checkbox", "confirm").check().run()
    widget(at, "button", "save").click().run()
    assert not at.exception
    draft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.stage == "done" and draft.run is not None
    assert {lead for lead, result in draft.run.results.items() if result.status == "saved"} == (
        to_change
    )
    with sqlite3.connect(fresh_db) as db:
        noted = db.execute(
            "SELECT lead_id, author FROM lead_notes WHERE field = 'jobTitle' AND new_value = ?",
            ("Head of Data",),
        ).fetchall()
    assert sorted(lead for lead, _ in noted) == sorted(to_change)
    admin = connect(sandbox_config("admin@sandbox.test"), transport_factory=sandbox_at(fresh_db))
    assert {author for _, author in noted} == {admin.current_user().name}
    assert [metric.value for metric in at.metric][:1] == [str(len(to_change))]


def test_the_analyst_review_skips_delivered_leads_with_the_reason() -> None:
    at = open_leads("analyst@sandbox.test")
    at.selectbox(key=keys.LEADS_DELIVERY).select("Delivered").run()
    choose_all(at)
    widget(at, "selectbox", "field").select("company").run()
    widget(at, "text_input", "value").input("Acme").run()
    widget(at, "button", "review").click().run()
    draft: BulkDraft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.review is not None
    assert not draft.review.changes
    assert {skip.reason for skip in draft.review.skipped} == {
        "Delivered, and your role may not edit delivered leads."
    }
    assert widget(at, "button", "save").disabled


def test_an_invalid_value_is_refused_before_any_review() -> None:
    at = open_leads("admin@sandbox.test")
    choose_all(at)
    widget(at, "selectbox", "field").select("employees").run()
    widget(at, "text_input", "value").input("many").run()
    assert widget(at, "button", "review").disabled
    assert any("Expected a number" in item.value for item in at.caption)


def test_a_conflict_mid_run_is_offered_not_overwritten(fresh_db: Path) -> None:
    at = open_leads("admin@sandbox.test")
    at.selectbox(key=keys.LEADS_DELIVERY).select("Undelivered").run()
    choose_all(at)
    widget(at, "selectbox", "field").select("jobTitle").run()
    widget(at, "text_input", "value").input("Head of Data").run()
    widget(at, "button", "review").click().run()
    draft: BulkDraft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.review is not None
    victim = draft.review.changes[0]
    # Someone else changes one lead after the review.
    other = connect(sandbox_config("analyst@sandbox.test"), transport_factory=sandbox_at(fresh_db))
    other.save_lead_data(victim.lead_id, "jobTitle", "Chief Data Officer")
    widget(at, "checkbox", "confirm").check().run()
    widget(at, "button", "save").click().run()
    assert not at.exception
    draft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.run is not None
    assert draft.run.results[victim.lead_id].status == "conflict"
    assert other.lead_datas(victim.lead_id)
    values = {item.name: item.value for item in other.lead_datas(victim.lead_id)}
    assert values["jobTitle"] == "Chief Data Officer"
    # Keep mine: sent again against their value.
    at.button(key=keys.bulk_conflict(SCOPE, victim.lead_id, "mine")).click().run()
    assert not at.exception
    values = {item.name: item.value for item in other.lead_datas(victim.lead_id)}
    assert values["jobTitle"] == "Head of Data"
    draft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.run is not None and not draft.run.conflicts


def test_the_pending_review_survives_a_page_switch() -> None:
    at = open_leads("admin@sandbox.test")
    choose_all(at)
    widget(at, "selectbox", "field").select("company").run()
    widget(at, "text_input", "value").input("Acme").run()
    widget(at, "button", "review").click().run()
    at.switch_page(pages.CAMPAIGNS).run()
    assert not at.exception
    at.switch_page(LEADS)
    at.query_params["campaign"] = str(CAMPAIGN)
    at.run()
    assert not at.exception
    draft: BulkDraft = at.session_state[keys.bulk_draft(SCOPE)]
    assert draft.stage == "review"
    assert widget(at, "button", "save").label.startswith("Save ")


def test_the_pending_review_survives_a_reload_for_the_same_person_only() -> None:
    at = open_leads("admin@sandbox.test")
    choose_all(at)
    widget(at, "selectbox", "field").select("company").run()
    widget(at, "text_input", "value").input("Acme").run()
    widget(at, "button", "review").click().run()
    label = widget(at, "button", "save").label
    # A reload is a new browser session: the same person finds the review again.
    again = open_leads("admin@sandbox.test")
    assert again.toggle(key=keys.BULK_MODE).value is True
    assert widget(again, "button", "save").label == label
    # Another person does not.
    other = open_leads("analyst@sandbox.test")
    assert keys.bulk_draft(SCOPE) not in other.session_state
    assert not [item for item in other.button if item.key == keys.bulk_widget(SCOPE, "save")]


def test_the_change_being_prepared_survives_a_page_switch() -> None:
    at = open_leads("admin@sandbox.test")
    choose_all(at)
    widget(at, "selectbox", "field").select("jobTitle").run()
    widget(at, "radio", "mode").set_value("replace").run()
    widget(at, "text_input", "find").input("Manager").run()
    widget(at, "text_input", "replace").input("Lead").run()
    at.switch_page(pages.CAMPAIGNS).run()
    at.switch_page(LEADS)
    at.query_params["campaign"] = str(CAMPAIGN)
    at.run()
    assert not at.exception
    assert widget(at, "selectbox", "field").value == "jobTitle"
    assert widget(at, "radio", "mode").value == "replace"
    assert widget(at, "text_input", "find").value == "Manager"
    assert widget(at, "text_input", "replace").value == "Lead"


@pytest.mark.parametrize(
    ("user", "offered"), [("analyst@sandbox.test", True), ("masked@sandbox.test", False)]
)
def test_the_audit_findings_feed_a_bulk_edit(
    user: str, offered: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLENS_AUDIT_DIR", str(tmp_path / "audit"))
    at = app_at(pages.AUDIT, campaign="1")
    at.session_state[keys.DEMO_USER] = user
    at.run()
    at.date_input(key=keys.AUDIT_WINDOW).set_value((dt.date(2000, 1, 1), dt.date.today())).run()
    at.button(key=keys.AUDIT_RUN).click().run()
    assert not at.exception
    scope = bulk_edit.AUDIT_SCOPE
    choose = [b for b in at.button if b.key == keys.bulk_widget(scope, "findings")]
    assert bool(choose) is offered
    if not offered:
        return
    leads = list(at.session_state[keys.AUDIT_FINDING_LEADS])
    choose[0].click().run()
    assert not at.exception
    assert at.session_state[keys.bulk_selection(scope)] == leads
    assert any(f"{len(leads)} leads chosen" in item.value for item in at.markdown)
    assert at.button(key=keys.bulk_widget(scope, "review")) is not None


def test_signing_out_forgets_the_pending_review() -> None:
    at = open_leads("admin@sandbox.test")
    choose_all(at)
    widget(at, "selectbox", "field").select("company").run()
    widget(at, "text_input", "value").input("Acme").run()
    widget(at, "button", "review").click().run()
    at.button(key=keys.SIGN_OUT).click().run()
    assert not at.exception
    again = open_leads("admin@sandbox.test")
    assert keys.bulk_draft(SCOPE) not in again.session_state
