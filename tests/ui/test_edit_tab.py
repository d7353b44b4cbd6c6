"""The Edit Data tab through AppTest: edit, add, review, validation, server refusals,
conflicts, partial failures, timeouts, roles and the audit note. Every test that writes uses
its own copy of the sandbox database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from lib.connect import connect, sandbox_at, sandbox_config, sandbox_transport
from lib.convertr import ConvertrClient
from lib.convertr.edits import UNCERTAIN_MESSAGE
from lib.ui import keys, pages
from lib.ui.edit_tab import current_table_key
from lib.ui.keys import EDIT_ADD as ADD
from lib.ui.keys import EDIT_DISCARD as DISCARD
from lib.ui.keys import EDIT_NEW_NAME as NEW_NAME
from lib.ui.keys import EDIT_NEW_VALUE as NEW_VALUE
from lib.ui.keys import EDIT_SAVE as SAVE
from lib.ui.keys import edit_keep_mine, edit_pending, edit_take_theirs
from lib.views.edit import COLUMN_CHECK, COLUMN_VALUE, CONFLICT_CHECK
from tests.support.apptest import AppTransport, app_at, hydra_error, is_request
from tests.support.apptest import tab as tab_named
from tests.support.apptest import texts as all_texts

LEAD = pages.LEAD
SHOWCASE = 100001
DELIVERED = 100003


@pytest.fixture(autouse=True)
def fresh_db(ui_env: Path, writable_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on a private copy of the seeded sandbox, so saves never touch the shared one."""
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    return writable_db


@pytest.fixture
def other(fresh_db: Path) -> ConvertrClient:
    """Someone else on the same sandbox (the admin), to change values behind the editor."""
    return connect(sandbox_config("admin@sandbox.test"), transport_factory=sandbox_at(fresh_db))


def tab(at: Any, name: str = "Edit Data") -> Any:
    return tab_named(at, name)


def texts(block: Any) -> str:
    # Lead values are markdown-escaped on the page; compare the text a reader sees.
    return all_texts(block, unescaped=True)


def open_lead(lead_id: int = SHOWCASE, user: str | None = None) -> Any:
    at = app_at(LEAD, lead=str(lead_id), tab="Edit Data")  # only the open tab is drawn
    if user is not None:
        at.session_state[keys.DEMO_USER] = user
    at.run()
    assert not at.exception
    return at


def grid(at: Any) -> pd.DataFrame:
    """The editor's data as the page gave it (server values with pending ones over them)."""
    frame: pd.DataFrame = tab(at).dataframe[0].value
    return frame


def check(at: Any, name: str) -> str:
    """What the grid's Check column says about a field."""
    return str(grid(at).at[name, COLUMN_CHECK])


def edit(at: Any, lead_id: int, **values: str) -> Any:
    """Type values into the grid's Value column, as a browser's edits arrive, and rerun."""
    rows = list(grid(at).index)
    at.session_state[current_table_key(at.session_state, lead_id)] = {
        "edited_rows": {rows.index(name): {COLUMN_VALUE: value} for name, value in values.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    return at


def click(at: Any, key: str) -> Any:
    at.button(key=key).click().run()
    assert not at.exception
    return at


def server_value(client: ConvertrClient, lead_id: int, name: str) -> str | None:
    return next((item.value for item in client.lead_datas(lead_id) if item.name == name), None)


def test_edit_review_save_shows_the_value_everywhere_with_a_note(other: ConvertrClient) -> None:
    at = open_lead()
    assert grid(at).at["jobTitle", COLUMN_VALUE] == "VP of IT"
    edit(at, SHOWCASE, jobTitle="Chief Data Officer")
    review = texts(tab(at))
    assert "Job Title: VP of IT → Chief Data Officer" in review
    assert server_value(other, SHOWCASE, "jobTitle") == "VP of IT", "nothing sent before Save"

    click(at, SAVE)
    assert server_value(other, SHOWCASE, "jobTitle") == "Chief Data Officer"
    assert "Saved 1 change: Job Title" in texts(tab(at))
    assert at.session_state[edit_pending(SHOWCASE)] == {}
    assert grid(at).at["jobTitle", COLUMN_VALUE] == "Chief Data Officer"
    assert not at.session_state[current_table_key(at.session_state, SHOWCASE)]["edited_rows"]
    publisher = tab(at, "Profile").dataframe[0].value
    assert "Chief Data Officer" in set(publisher["Value"])
    assert "Chief Data Officer" in texts(at.main), "the Lead Profile panel shows it"
    notes = tab(at, "Notes").dataframe[0].value
    note = notes[notes["Type"].astype(str).str.lower() == "data"].iloc[-1]
    assert "Ana Lyst" in str(note["Author"])
    assert "VP of IT" in " ".join(map(str, note.values))
    assert "Chief Data Officer" in " ".join(map(str, note.values))
    (data_note,) = [item for item in other.lead_notes(SHOWCASE) if item.type == "data"]
    assert (data_note.field, data_note.old_value, data_note.new_value) == (
        "jobTitle",
        "VP of IT",
        "Chief Data Officer",
    )


def test_add_a_new_field_and_an_existing_name_becomes_an_edit(other: ConvertrClient) -> None:
    at = open_lead()
    at.text_input(key=NEW_NAME).input("webinarSlot")
    at.text_input(key=NEW_VALUE).input("Morning")
    click(at, ADD)
    assert "webinarSlot" in grid(at).index
    assert "webinarSlot: (empty) → Morning" in texts(tab(at))
    assert at.text_input(key=NEW_NAME).value == "", "the form is cleared after Add"

    at.text_input(key=NEW_NAME).input("company")
    at.text_input(key=NEW_VALUE).input("Harbourline Group")
    click(at, ADD)
    shown = texts(tab(at))
    assert "already exists on this lead" in shown and "edit of that field" in shown
    assert "Company: Harbourline Analytics Ltd → Harbourline Group" in shown

    click(at, SAVE)
    assert server_value(other, SHOWCASE, "webinarSlot") == "Morning"
    assert server_value(other, SHOWCASE, "company") == "Harbourline Group"
    assert other.lead(SHOWCASE).company == "Harbourline Group"
    assert "webinarSlot" in grid(at).index, "an added field stays editable after saving"


def test_add_needs_both_values_and_a_valid_name(other: ConvertrClient) -> None:
    at = open_lead()
    at.text_input(key=NEW_NAME).input("9lives")
    at.text_input(key=NEW_VALUE).input("x")
    click(at, ADD)
    assert "starts with a letter" in texts(tab(at))
    at.text_input(key=NEW_NAME).input("promo")
    at.text_input(key=NEW_VALUE).input("")
    click(at, ADD)
    assert "A new value is required" in texts(tab(at))
    assert edit_pending(SHOWCASE) not in at.session_state, "nothing was staged"
    assert server_value(other, SHOWCASE, "promo") is None


def test_an_invalid_change_is_never_sent(other: ConvertrClient) -> None:
    at = open_lead()
    sent = at.session_state[keys.REQUEST_COUNT]
    edit(at, SHOWCASE, email="not-an-email", consentDate="2026-02-30", employees="lots")
    assert "Expected an email address" in check(at, "email")
    assert "YYYY-MM-DD" in check(at, "consentDate")
    assert "Expected a number" in check(at, "employees")
    assert "3 of these are not valid" in texts(tab(at))
    assert at.button(key=SAVE).disabled, "Save cannot be pressed"
    at.run()
    assert at.session_state[keys.REQUEST_COUNT] == sent, "no request at all"
    assert server_value(other, SHOWCASE, "email") == "olivia.bennett@harbourline-analytics.co.uk"
    assert set(at.session_state[edit_pending(SHOWCASE)]) == {"email", "consentDate", "employees"}


def test_a_422_is_shown_next_to_its_field_and_the_rest_is_saved(
    fresh_db: Path, other: ConvertrClient
) -> None:
    at = open_lead()
    edit(at, SHOWCASE, company="Harbourline Analytics Group", jobTitle="CTO")
    # The campaign's definition changes after the editor loaded it: only the server knows.
    with sqlite3.connect(fresh_db) as connection:
        connection.execute(
            "UPDATE lead_editable_fields SET max_length = 10 WHERE campaign_id = 1 AND name = ?",
            ("company",),
        )
    click(at, SAVE)
    assert server_value(other, SHOWCASE, "jobTitle") == "CTO", "the valid change is kept"
    assert server_value(other, SHOWCASE, "company") == "Harbourline Analytics Ltd"
    frame = grid(at)
    assert "10 characters or less" in check(at, "company")
    assert frame.at["company", COLUMN_VALUE] == "Harbourline Analytics Group", "edit kept"
    assert frame.at["jobTitle", COLUMN_VALUE] == "CTO"
    shown = texts(tab(at))
    assert "Saved 1 change: Job Title" in shown
    assert "Company: not saved" in shown
    assert set(at.session_state[edit_pending(SHOWCASE)]) == {"company"}


def test_a_conflict_shows_both_values_and_keep_mine_resends(other: ConvertrClient) -> None:
    at = open_lead()
    edit(at, SHOWCASE, firstName="Liv")
    other.save_lead_data(SHOWCASE, "firstName", "Olive")
    click(at, SAVE)
    assert server_value(other, SHOWCASE, "firstName") == "Olive", "no silent overwrite"
    shown = texts(tab(at))
    assert "changed by Ada Admin at " in shown, "who and when, from the notes"
    assert "Liv" in shown and "Olive" in shown
    assert check(at, "firstName") == CONFLICT_CHECK, "the grid marks the field"

    click(at, edit_keep_mine("firstName"))
    assert server_value(other, SHOWCASE, "firstName") == "Liv"
    assert "Saved 1 change: First Name" in texts(tab(at))
    assert at.session_state[edit_pending(SHOWCASE)] == {}


def test_a_conflict_refused_by_the_server_after_the_reread(
    fresh_db: Path, other: ConvertrClient, app_transport: AppTransport
) -> None:
    """The value changes between the re-read and the POST: previousValue makes it a 409."""
    at = open_lead()
    edit(at, SHOWCASE, lastName="Bennet-Smith")
    sandbox = sandbox_transport(fresh_db)

    def reread_then_someone_saves(request: httpx.Request) -> httpx.Response | None:
        if not is_request(request, "GET", "lead-datas"):
            return None
        app_transport.answer = None  # only the save's re-read
        values = sandbox.handle_request(request)
        values.read()
        other.save_lead_data(SHOWCASE, "lastName", "Benn")
        return values

    app_transport.answer = reread_then_someone_saves
    click(at, SAVE)
    assert server_value(other, SHOWCASE, "lastName") == "Benn"
    assert "changed by Ada Admin at " in texts(tab(at))
    click(at, edit_take_theirs("lastName"))
    assert at.session_state[edit_pending(SHOWCASE)] == {}
    assert grid(at).at["lastName", COLUMN_VALUE] == "Benn"


def test_a_timeout_is_never_reported_as_saved(
    other: ConvertrClient, app_transport: AppTransport
) -> None:
    at = open_lead()
    edit(at, SHOWCASE, telephone="+44 20 7946 0000")
    posts: list[httpx.Request] = []

    def no_answer_to_posts(request: httpx.Request) -> httpx.Response | None:
        if not is_request(request, "POST", "lead-datas"):
            return None
        posts.append(request)
        raise httpx.ReadTimeout("did not answer in time", request=request)

    app_transport.answer = no_answer_to_posts
    click(at, SAVE)
    app_transport.answer = None
    assert len(posts) == 1, "a POST is never retried"
    shown = texts(tab(at))
    assert UNCERTAIN_MESSAGE in shown
    assert "Saved" not in shown
    assert set(at.session_state[edit_pending(SHOWCASE)]) == {"telephone"}
    # The next Save finds the value unchanged on the server and sends it again.
    click(at, SAVE)
    assert server_value(other, SHOWCASE, "telephone") == "+44 20 7946 0000"


def test_pending_edits_survive_reruns_and_page_changes_and_discard_drops_them(
    other: ConvertrClient,
) -> None:
    postcode = server_value(other, SHOWCASE, "postcode")
    at = open_lead()
    edit(at, SHOWCASE, postcode="N1 9GU")
    at.switch_page(pages.CAMPAIGNS).run()
    assert not at.exception
    at.switch_page(LEAD)
    at.query_params["lead"] = str(SHOWCASE)
    at.run()
    assert not at.exception
    assert grid(at).at["postcode", COLUMN_VALUE] == "N1 9GU"
    assert f"Postcode: {postcode} → N1 9GU" in texts(tab(at))
    click(at, DISCARD)
    assert grid(at).at["postcode", COLUMN_VALUE] == postcode
    assert "No unsaved changes" in texts(tab(at))
    assert server_value(other, SHOWCASE, "postcode") == postcode


@pytest.mark.parametrize(
    ("user", "lead_id", "reason"),
    [
        ("viewer@sandbox.test", SHOWCASE, "Your role (Viewer) can view lead data but not edit"),
        ("masked@sandbox.test", SHOWCASE, "Your role (Masked viewer) can view lead data"),
        ("analyst@sandbox.test", DELIVERED, "has already been delivered, and your role (Analyst)"),
    ],
)
def test_read_only_roles_see_values_and_why(user: str, lead_id: int, reason: str) -> None:
    at = open_lead(lead_id, user)
    edit_tab = tab(at)
    assert reason in texts(edit_tab)
    assert edit_tab.dataframe, "the values are still shown"
    assert not edit_tab.text_input and not edit_tab.button, "no Add, Save or Discard"


def test_admin_may_edit_a_delivered_lead(other: ConvertrClient) -> None:
    at = open_lead(DELIVERED, "admin@sandbox.test")
    assert "delivered" not in texts(tab(at))
    edit(at, DELIVERED, jobTitle="Head of Data")
    click(at, SAVE)
    assert server_value(other, DELIVERED, "jobTitle") == "Head of Data"
    notes = other.lead_notes(DELIVERED)
    assert any(note.type == "data" and note.author == "Ada Admin" for note in notes)


def test_a_403_reason_is_shown_on_its_field(app_transport: AppTransport) -> None:
    """The page thought the lead editable (loaded before delivery); the server says no."""
    at = open_lead()
    edit(at, SHOWCASE, company="Harbourline")
    refusal = hydra_error(
        403, "Your role (analyst) cannot edit a lead that has already been delivered"
    )
    app_transport.answer = lambda request: (
        refusal if is_request(request, "POST", "lead-datas") else None
    )
    click(at, SAVE)
    assert "cannot edit a lead that has already been delivered" in check(at, "company")


def test_hostile_values_stay_plain_text_in_the_review() -> None:
    at = open_lead(100002)
    hostile = "**bold** [x](http://evil.example) <img src=x onerror=alert(1)>"
    edit(at, 100002, company=hostile)
    edit_tab = tab(at)
    assert any(hostile in item.value for item in edit_tab.text), "shown as plain text"
    assert not any("evil.example" in item.value for item in edit_tab.markdown)
    assert not any("evil.example" in item.value for item in edit_tab.caption)


def test_switching_the_demo_user_switches_the_view_and_keeps_pending_edits() -> None:
    at = open_lead()
    edit(at, SHOWCASE, company="Harbourline")
    at.selectbox(key=keys.DEMO_USER).select("viewer@sandbox.test").run()
    assert not at.exception
    assert "Your role (Viewer) can view lead data but not edit" in texts(tab(at))
    assert not tab(at).button, "no Save for a viewer"
    at.selectbox(key=keys.DEMO_USER).select("analyst@sandbox.test").run()
    assert not at.exception
    assert "Company: Harbourline Analytics Ltd → Harbourline" in texts(tab(at))


def constraint_violation_list(message: str) -> httpx.Response:
    """A 400 as API Platform 2.x answers a failed validation (Hydra ConstraintViolationList)."""
    body = {
        "@context": "/api/contexts/ConstraintViolationList",
        "@type": "ConstraintViolationList",
        "hydra:title": "An error occurred",
        "hydra:description": f"value: {message}",
        "violations": [{"propertyPath": "value", "message": message}],
    }
    return httpx.Response(400, json=body, headers={"content-type": "application/ld+json"})


def problem_violations(message: str) -> httpx.Response:
    """A 422 as API Platform 3 answers a failed validation (application/problem+json)."""
    body = {
        "type": "/validation_errors/d94b19cc-114f-4f44-9cc4-4138e80a87b9",
        "title": "An error occurred",
        "detail": f"value: {message}",
        "status": 422,
        "violations": [{"propertyPath": "value", "message": message, "code": "d94b19cc-114f-4f44"}],
    }
    return httpx.Response(422, json=body, headers={"content-type": "application/problem+json"})


@pytest.mark.parametrize("refusal", [constraint_violation_list, problem_violations])
def test_400_and_422_violations_are_shown_on_their_fields(
    app_transport: AppTransport, refusal: Any
) -> None:
    at = open_lead()
    edit(at, SHOWCASE, company="Harbourline Analytics Group", jobTitle="CTO")
    message = "This value is too long. It should have 10 characters or less."

    def answer(request: httpx.Request) -> httpx.Response | None:
        # Only the company is refused; the job title goes to the sandbox and is saved.
        if is_request(request, "POST", "lead-datas") and b'"company"' in request.content:
            return refusal(message)  # type: ignore[no-any-return]
        return None

    app_transport.answer = answer
    click(at, SAVE)
    assert message in check(at, "company"), "the server's message on its field"
    assert "too long" not in check(at, "jobTitle")
    shown = texts(tab(at))
    assert "Company: not saved" in shown and "request was not accepted" not in shown
    assert "Saved 1 change: Job Title" in shown
    assert set(at.session_state[edit_pending(SHOWCASE)]) == {"company"}, "the edit is kept"


def test_edit_data_shows_its_own_error_and_retry_when_the_values_fail(
    app_transport: AppTransport,
) -> None:
    """Profile and Edit Data both need the lead's values: each shows the failure with its
    own Retry (one shared key stopped the Edit Data tab with "Something went wrong")."""
    app_transport.answer = lambda request: (
        hydra_error(500) if is_request(request, "GET", "lead-datas") else None
    )
    at = app_at(LEAD, lead=str(SHOWCASE)).run()
    assert not at.exception
    for name, part_tab in (("Edit Data", "Edit Data"), ("Profile", "Profile")):
        shown = tab(at, name)
        assert "Could not load this tab" in shown.error[0].value, name
        assert "Something went wrong" not in texts(shown)
        assert shown.button(key=keys.lead_retry("lead_data", part_tab))
    app_transport.answer = None
    tab(at, "Edit Data").button(key=keys.lead_retry("lead_data", "Edit Data")).click().run()
    assert not at.exception
    assert COLUMN_VALUE in grid(at).columns, "after Retry the editor is there"


def test_a_save_press_survives_a_run_stopped_for_a_newer_one(
    other: ConvertrClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The click on Save blurs the grid, which may send its value again: the run that read
    the press is stopped for the newer run, which must still save (the press was lost once)."""
    import streamlit as st

    at = open_lead()
    edit(at, SHOWCASE, jobTitle="Chief Data Officer")
    drawn = st.text
    stopped: list[str] = []

    def stop_once(body: object, **options: Any) -> Any:
        # The review's first line in the run after the press: a newer run takes over here.
        if not stopped and str(body).startswith("• "):
            stopped.append(str(body))
            st.rerun()  # what a newer run's request does at this checkpoint
        return drawn(body, **options)

    monkeypatch.setattr(st, "text", stop_once)
    click(at, SAVE)
    assert stopped, "the run that read the press was stopped"
    assert server_value(other, SHOWCASE, "jobTitle") == "Chief Data Officer"
    assert "Saved 1 change: Job Title" in texts(tab(at))
