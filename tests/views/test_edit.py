"""lib/views/edit.py: permissions, validation, the editor's rows, pending changes and what a
save, a discard or a conflict choice makes of the Edit Data tab's state."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.convertr.edits import SaveResult
from lib.convertr.models import Lead, LeadData, LeadEditableField, User
from lib.views.edit import (
    CHECK_OK,
    COLUMN_CHECK,
    COLUMN_VALUE,
    CONFLICT_CHECK,
    DISCARD_NOTE,
    NEW_FIELD_TYPE,
    EditorModel,
    EditorRow,
    EditState,
    Notice,
    PendingChange,
    add_field,
    add_field_example,
    allowed_hint,
    apply_grid_edits,
    conflict_author,
    conflict_choices,
    discarded_state,
    edit_permission,
    edit_review,
    editor_frame,
    editor_model,
    stage_change,
    state_after_save,
    state_after_taking_theirs,
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
    assert allowed_hint(field("d", "date")) == "a date, YYYY-MM-DD"
    assert allowed_hint(field("n", "number")) == "a number", "no length said of a number"
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


# -- the tab's state after a save, a discard or a conflict choice ---------------------------


def test_a_save_report_names_what_was_saved_and_keeps_the_rest() -> None:

    title = PendingChange("jobTitle", "Job Title", "VP", "CTO", "VP")
    company = PendingChange("company", "Company", "Acme", "A" * 200, "Acme")
    name = PendingChange("firstName", "First Name", "Olivia", "Liv", "Olivia")
    state = EditState(
        pending={"jobTitle": title, "company": company, "firstName": name},
        messages={"jobTitle": ("CTO", ("an old answer",))},
    )
    results = [
        SaveResult("jobTitle", "saved", mine="CTO"),
        SaveResult("company", "rejected", "120 characters or less.", mine="A" * 200),
        SaveResult("firstName", "conflict", "Changed.", mine="Liv", theirs="Olive"),
    ]
    outcome = state_after_save(state, results)
    assert outcome.reload, "something was saved: the lead must be loaded again"
    assert set(outcome.state.pending) == {"company", "firstName"}
    assert outcome.state.messages == {
        "company": ("A" * 200, ("120 characters or less.",)),
        "firstName": ("Liv", (CONFLICT_CHECK,)),
    }
    assert set(outcome.state.conflicts) == {"firstName"}
    assert outcome.state.report == (
        Notice("success", "Saved 1 change: Job Title."),
        Notice("error", "Company: not saved. 120 characters or less."),
        Notice("warning", "First Name: not saved. Changed."),
        Notice("info", "2 unsaved changes kept below."),
    )
    assert outcome.state.field_messages() == {
        "company": ["120 characters or less."],
        "firstName": [CONFLICT_CHECK],
    }


def test_nothing_saved_means_no_reload_and_a_stale_message_is_not_shown() -> None:

    change = PendingChange("telephone", "Telephone", "", "+44", None)
    outcome = state_after_save(
        EditState(pending={"telephone": change}),
        [SaveResult("telephone", "uncertain", "No answer", mine="+44")],
    )
    assert not outcome.reload
    assert outcome.state.report[0].text == "Telephone: No answer."
    edited = EditState(
        pending={"telephone": PendingChange("telephone", "Telephone", "", "+45", None)},
        messages=outcome.state.messages,
    )
    assert edited.field_messages() == {}, "a newer value makes the server's answer stale"


def test_conflict_choices_discard_and_taking_theirs() -> None:

    change = PendingChange("firstName", "First Name", "Olivia", "Liv", "Olivia")
    conflict = SaveResult("firstName", "conflict", "Changed.", mine="Liv", theirs=None)
    state = EditState(pending={"firstName": change}, conflicts={"firstName": conflict})
    (choice,) = conflict_choices(state)
    assert (choice.label, choice.mine, choice.theirs, choice.theirs_value) == (
        "First Name",
        "Liv",
        "(empty)",
        None,
    )
    newer = EditState(
        pending={"firstName": PendingChange("firstName", "First Name", "Olivia", "Li", "Olivia")},
        conflicts={"firstName": conflict},
    )
    assert conflict_choices(newer) == (), "the conflict was about an older value"
    taken = state_after_taking_theirs(state, "firstName")
    assert taken.pending == {} and taken.conflicts == {}
    assert taken.report == (
        Notice("info", "First Name: kept the server's value; your change was dropped."),
    )
    assert discarded_state() == EditState(report=(Notice("info", DISCARD_NOTE),))


def test_the_review_lists_each_change_and_counts_the_invalid_ones() -> None:

    model = editor_model([field("email", "email"), field("company")], lead(), [])
    assert edit_review(EditState(), model) is None
    state = EditState(
        pending={
            "email": PendingChange("email", "Email", "", "not-an-email", None),
            "company": PendingChange("company", "Company", "", "Acme", None),
        }
    )
    review = edit_review(state, model)
    assert review is not None
    assert review.heading == "Review 2 unsaved changes"
    assert [line.change for line in review.lines] == [
        "Email: (empty) → not-an-email",
        "Company: (empty) → Acme",
    ]
    assert review.lines[0].problems and not review.lines[1].problems
    assert review.invalid == 1
    assert review.invalid_warning is not None and review.invalid_warning.startswith(
        "1 of these is not valid: fix it"
    )


def test_a_read_only_user_sees_masked_values_as_masked() -> None:
    from lib.presentation import MASKED_LABEL, MASKED_VALUE
    from lib.views.edit import read_only_frame, read_only_grid

    model = editor_model(
        [field("email", "email"), field("company", position=1), field("ip", editable=False)],
        lead(email=MASKED_VALUE),
        [datum(1, "company", "Harbourline"), datum(2, "ip", MASKED_VALUE)],
        {},
    )
    grid = read_only_grid(model)
    assert list(grid[COLUMN_VALUE]) == [MASKED_LABEL, "Harbourline"]
    assert COLUMN_CHECK not in grid.columns
    assert list(read_only_frame(model)["Value"]) == [MASKED_LABEL]
    assert editor_frame(model, {}).at["email", COLUMN_VALUE] == MASKED_VALUE, "what is edited"


def test_the_add_a_field_example_is_never_a_read_only_field() -> None:
    model = EditorModel(
        editable=(EditorRow("jobTitle", "Job Title", "text", "CTO", "CTO", field("jobTitle")),),
        read_only=(
            EditorRow(
                "leadSource",
                "Lead Source",
                "text",
                "web",
                "web",
                field("leadSource", editable=False),
            ),
        ),
    )
    assert add_field_example(model) == "e.g. meetingNotes"
    empty = EditorRow("budgetRange", "Budget Range", "text", None, "", field("budgetRange"))
    assert add_field_example(EditorModel((*model.editable, empty), model.read_only)) == (
        "e.g. budgetRange"
    )


def test_the_conflict_author_is_the_newest_note_that_set_their_value() -> None:
    from datetime import UTC as ZONE

    from lib.convertr.models import LeadNote

    def change(note_id: int, hour: int, author: str, new: str) -> LeadNote:
        return LeadNote.model_validate(
            {"id": note_id, "lead": "/api/v4/leads/1", "type": "data", "message": "m",
             "author": author, "field": "firstName", "oldValue": "x", "newValue": new,
             "createdTs": dt.datetime(2026, 12, 6, hour, tzinfo=dt.UTC)}
        )  # fmt: skip

    notes = [change(1, 9, "Ana Lyst", "Olive"), change(2, 10, "Ada Admin", "Olivia")]
    assert conflict_author(notes, "firstName", "Olive", ZONE) == "Ana Lyst at 06 Dec 2026 09:00"
    assert conflict_author(notes, "firstName", "?", ZONE) == "Ada Admin at 06 Dec 2026 10:00"
    assert conflict_author(notes, "lastName", "Olive", ZONE) is None
