"""The Edit Data tab's view models: who may edit, the editor's rows, validation of a change
before it is sent, the review, and the bookkeeping of pending changes and save outcomes.

Nothing here talks to the API or imports Streamlit: `lib/convertr/edits.py` sends the changes
and `lib/ui/edit_tab.py` draws these values, so every rule below is tested without a browser.
The rules mirror the sandbox's checks of ``POST lead-datas`` (docs/api.md) and are never
looser, so a change that passes here fails on the server only when the server knows something
the editor did not (the value or the field definition changed meanwhile).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from typing import Final, Literal

import pandas as pd

from lib.convertr.edits import SaveResult
from lib.convertr.models import Lead, LeadData, LeadEditableField, LeadNote, User
from lib.presentation import escape_markdown, format_timestamp, role_label, shown_value

MAX_VALUE_LENGTH: Final = 255
"""The API's limit on any value; a field's ``maxLength`` may only lower it."""
MAX_NAME_LENGTH: Final = 64
FIELD_NAME_PATTERN: Final = re.compile(rf"[A-Za-z][A-Za-z0-9_.]{{0,{MAX_NAME_LENGTH - 1}}}")
EMAIL_PATTERN: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NUMBER_PATTERN: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

EDIT_PERMISSION: Final = "leads.edit"
EDIT_DELIVERED_PERMISSION: Final = "leads.edit_delivered"

# Columns of the editor grid (the index is the field name).
COLUMN_FIELD: Final = "Field"
COLUMN_TYPE: Final = "Type"
COLUMN_VALUE: Final = "Value"
COLUMN_ALLOWED: Final = "Allowed"
COLUMN_REQUIRED: Final = "Required"
COLUMN_CHECK: Final = "Check"
EDITOR_COLUMNS: Final = (
    COLUMN_FIELD,
    COLUMN_TYPE,
    COLUMN_VALUE,
    COLUMN_ALLOWED,
    COLUMN_REQUIRED,
    COLUMN_CHECK,
)
CHECK_OK: Final = "✓ changed"
"""What the Check column says of a pending change that passes every rule."""
NEW_FIELD_TYPE: Final = "text (new)"
"""Type shown for a field the campaign does not define (added with New Fieldname)."""


# -- permissions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EditPermission:
    """Whether the signed-in user may edit this lead, and if not, the sentence saying why."""

    allowed: bool
    reason: str = ""


def edit_permission(user: User, lead: Lead) -> EditPermission:
    """The same rule the API enforces with 403: ``leads.edit`` to edit at all,
    ``leads.edit_delivered`` too once the lead has been delivered."""
    # Shown as markdown (an info banner): the role comes from the server.
    role = escape_markdown(role_label(user.role))
    if EDIT_PERMISSION not in user.permissions:
        return EditPermission(
            False, f"Your role ({role}) can view lead data but not edit it: this tab is read-only."
        )
    if lead.delivered and EDIT_DELIVERED_PERMISSION not in user.permissions:
        return EditPermission(
            False,
            f"Lead {lead.id} has already been delivered, and your role ({role}) may edit only "
            "leads that are not yet delivered: this tab is read-only.",
        )
    return EditPermission(True)


# -- validation -----------------------------------------------------------------------------


def validate_field_name(name: str) -> list[str]:
    """Problems with a field name: letters, digits, `_` and `.`, starting with a letter,
    at most 64 characters."""
    if not name:
        return ["A field name is required."]
    if len(name) > MAX_NAME_LENGTH:
        return [f"A field name has at most {MAX_NAME_LENGTH} characters; this one has {len(name)}."]
    if not FIELD_NAME_PATTERN.fullmatch(name):
        return [
            "A field name starts with a letter and holds only letters, digits, '_' and '.', "
            f"got {name!r}."
        ]
    return []


def length_limit(field: LeadEditableField | None) -> int:
    """The longest value a field accepts: its ``maxLength`` when lower than the API's 255."""
    if field is None or field.max_length is None:
        return MAX_VALUE_LENGTH
    return min(field.max_length, MAX_VALUE_LENGTH)


def validate_value(value: str, field: LeadEditableField | None) -> list[str]:
    """Problems with a value for a field (``None`` for a field the campaign does not define:
    then only the API's length limit applies)."""
    limit = length_limit(field)
    if len(value) > limit:
        return [f"At most {limit} characters, got {len(value)}."]
    if field is None:
        return []
    if not field.editable:
        return [f"{field.label} is not editable on this campaign."]
    if value.strip() == "":
        return [f"{field.label} is required."] if field.required else []
    if field.type == "email" and not EMAIL_PATTERN.fullmatch(value):
        return ["Expected an email address (name@example.com)."]
    if field.type == "number" and not _is_number(value):
        return ["Expected a number, such as 250 or 12.5."]
    if field.type == "date" and not _is_date(value):
        return ["Expected a real date as YYYY-MM-DD."]
    if field.type == "choice" and value not in field.choices:
        return [f"Expected one of {', '.join(field.choices)}."]
    return []


def _is_number(value: str) -> bool:
    return bool(NUMBER_PATTERN.fullmatch(value)) and math.isfinite(float(value))


def _is_date(value: str) -> bool:
    if not DATE_PATTERN.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# -- pending changes ------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingChange:
    """One edit waiting for review and Save.

    ``loaded`` is what the server held when the editor loaded the field (``None`` when it held
    no value): it is sent as ``previousValue``, so the server refuses the change if the value
    moved meanwhile. ``old`` is what the editor showed (a captured value from the lead itself
    when no lead-data value exists), for the review line ``field: old → new``.
    """

    name: str
    label: str
    old: str
    new: str
    loaded: str | None
    new_field: bool = False
    """True when the campaign does not define the field and the lead has no value for it."""

    @property
    def review_line(self) -> str:
        old, new = review_text(self.old), review_text(self.new)
        return f"{self.label}: {old or EMPTY_VALUE} → {new or EMPTY_VALUE}"


REVIEW_TEXT_LIMIT: Final = 80
"""Characters of a value shown in a one-line review."""
EMPTY_VALUE: Final = "(empty)"


def review_text(text: str, limit: int = REVIEW_TEXT_LIMIT) -> str:
    """A value cut to `limit` characters for a one-line review."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class EditorRow:
    """One row of the editor: a field, the value the server holds, the value shown."""

    name: str
    label: str
    type: str
    server: str | None
    """The value in lead-datas (None when there is none)."""
    shown: str
    """What the editor loads: the server value, else the lead's own captured value, else ''."""
    field: LeadEditableField | None

    @property
    def allowed(self) -> str:
        return allowed_hint(self.field)


def allowed_hint(field: LeadEditableField | None) -> str:
    """What a field accepts, in a few words (the grid's "Allowed" column)."""
    limit = length_limit(field)
    if field is None:
        return f"text, up to {limit} characters"
    if field.type == "choice":
        return "one of: " + ", ".join(field.choices)
    if field.type == "number":
        return "a number"
    if field.type == "date":
        return "a date, YYYY-MM-DD"
    kind = "an email address" if field.type == "email" else "text"
    return f"{kind}, up to {limit} characters"


@dataclass(frozen=True)
class EditorModel:
    """Every row the tab shows: editable ones in the grid, the rest read-only."""

    editable: tuple[EditorRow, ...]
    read_only: tuple[EditorRow, ...]

    def row(self, name: str) -> EditorRow | None:
        for row in (*self.editable, *self.read_only):
            if row.name == name:
                return row
        return None

    @property
    def fields(self) -> dict[str, LeadEditableField]:
        return {row.name: row.field for row in (*self.editable, *self.read_only) if row.field}


def editor_model(
    fields: Sequence[LeadEditableField],
    lead: Lead,
    lead_data: Sequence[LeadData],
    pending: Mapping[str, PendingChange] | None = None,
) -> EditorModel:
    """The editor's rows, in a stable order: the campaign's fields by position, then values
    added by people (source ``edited``) by id, then new fields still pending, in the order
    they were added. Row order never depends on values, so an edit lands on its row."""
    server = {item.name: item.value for item in lead_data}
    editable: list[EditorRow] = []
    read_only: list[EditorRow] = []
    defined: set[str] = set()
    for field in sorted(fields, key=lambda item: (item.position, item.id)):
        defined.add(field.name)
        value = server.get(field.name)
        shown = value
        if shown is None:
            shown = lead.core_value(field.name)
        row = EditorRow(field.name, field.label, field.type, value, shown or "", field)
        (editable if field.editable else read_only).append(row)
    added = sorted(
        (item for item in lead_data if item.source == "edited" and item.name not in defined),
        key=lambda item: item.id,
    )
    for item in added:
        defined.add(item.name)
        editable.append(
            EditorRow(item.name, item.name, NEW_FIELD_TYPE, item.value, item.value or "", None)
        )
    for change in (pending or {}).values():
        if change.name not in defined and change.name not in server:
            defined.add(change.name)
            editable.append(EditorRow(change.name, change.label, NEW_FIELD_TYPE, None, "", None))
    return EditorModel(tuple(editable), tuple(read_only))


NEW_FIELD_EXAMPLE: Final = "meetingNotes"
"""A new field's name to suggest when every campaign field already has a value."""


def add_field_example(model: EditorModel) -> str:
    """The Add-a-field placeholder: a campaign field that is editable and still empty (adding
    it becomes an edit), else a new name the campaign does not define; never a read-only
    field, which the campaign would refuse."""
    for row in model.editable:
        if row.field is not None and not row.shown:
            return f"e.g. {row.name}"
    taken = {row.name for row in (*model.editable, *model.read_only)}
    name = NEW_FIELD_EXAMPLE
    while name in taken:
        name += "2"
    return f"e.g. {name}"


def change_problems(change: PendingChange, fields: Mapping[str, LeadEditableField]) -> list[str]:
    """Every reason not to send a change (empty: it may be sent)."""
    return validate_field_name(change.name) + validate_value(change.new, fields.get(change.name))


def editor_frame(
    model: EditorModel,
    pending: Mapping[str, PendingChange],
    messages: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The grid's data: one row per editable field, indexed by field name, showing the pending
    value where there is one and, in "Check", what is wrong with it or what the server said."""
    fields = model.fields
    rows = []
    for row in model.editable:
        change = pending.get(row.name)
        problems = list((messages or {}).get(row.name, ()))
        if change is not None:
            problems = change_problems(change, fields) + problems
        check = " ".join(problems) if problems else (CHECK_OK if change is not None else "")
        rows.append(
            {
                COLUMN_FIELD: row.label,
                COLUMN_TYPE: row.type,
                COLUMN_VALUE: change.new if change is not None else row.shown,
                COLUMN_ALLOWED: row.allowed,
                COLUMN_REQUIRED: bool(row.field and row.field.required),
                COLUMN_CHECK: check,
            }
        )
    index = pd.Index([row.name for row in model.editable], name="Name", dtype=object)
    frame = pd.DataFrame(rows, columns=list(EDITOR_COLUMNS), index=index)
    for column in (COLUMN_FIELD, COLUMN_TYPE, COLUMN_VALUE, COLUMN_ALLOWED, COLUMN_CHECK):
        frame[column] = frame[column].astype(object)
    frame[COLUMN_REQUIRED] = frame[COLUMN_REQUIRED].astype(bool)
    return frame


def cell_text(value: object) -> str:
    """A grid cell as text: an emptied cell comes back as None or NaN."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def apply_grid_edits(
    model: EditorModel,
    shown: pd.DataFrame,
    edited: pd.DataFrame,
    pending: Mapping[str, PendingChange],
) -> dict[str, PendingChange]:
    """The pending changes after the grid's edits: a value that differs from what the grid
    was given becomes (or updates) a pending change; one set back to the loaded value drops
    it. Rows are matched by field name (the index), never by position in the edited frame."""
    result = dict(pending)
    for row in model.editable:
        if row.name not in edited.index or row.name not in shown.index:
            continue
        before = cell_text(shown.at[row.name, COLUMN_VALUE])
        after = cell_text(edited.at[row.name, COLUMN_VALUE])
        if after == before:
            continue
        result = stage_change(result, model, row.name, after)
    return result


def stage_change(
    pending: Mapping[str, PendingChange], model: EditorModel, name: str, value: str
) -> dict[str, PendingChange]:
    """Pending changes with `name` set to `value` (dropped when equal to what was loaded)."""
    result = dict(pending)
    existing = result.get(name)
    row = model.row(name)
    if existing is not None:
        change = replace(existing, new=value)
    elif row is not None:
        change = PendingChange(name, row.label, row.shown, value, row.server)
    else:
        change = PendingChange(name, name, "", value, None, new_field=True)
    # Back to what was loaded, or a new field emptied again: nothing left to send.
    if (change.new == change.old and not change.new_field) or (change.new_field and not value):
        result.pop(name, None)
    else:
        result[name] = change
    return result


AddOutcome = Literal["added", "edit", "invalid"]


@dataclass(frozen=True)
class AddResult:
    """What the Add button did: staged a new field, staged an edit of an existing one (the
    platform overwrites a value of the same name), or refused with reasons."""

    outcome: AddOutcome
    pending: dict[str, PendingChange]
    messages: tuple[str, ...] = ()


def add_field(
    pending: Mapping[str, PendingChange], model: EditorModel, raw_name: str, value: str
) -> AddResult:
    """Stage New Fieldname = New Value (both required). An existing name becomes an edit of
    that field, as the platform overwrites it; a read-only field is refused."""
    name = raw_name.strip()
    problems = validate_field_name(name)
    if not value:
        problems.append("A new value is required.")
    row = model.row(name) if not problems else None
    if row is not None:
        problems += validate_value(value, row.field)
    elif not problems:
        problems += validate_value(value, None)
    if problems:
        return AddResult("invalid", dict(pending), tuple(problems))
    if row is not None:
        return AddResult(
            "edit",
            stage_change(pending, model, name, value),
            (
                f'"{row.label}" ({name}) already exists on this lead: your value will replace '
                f"the current one, as an edit of that field. Review it below before saving.",
            ),
        )
    return AddResult("added", stage_change(pending, model, name, value))


def after_save(
    pending: Mapping[str, PendingChange], results: Iterable[SaveResult]
) -> dict[str, PendingChange]:
    """Pending changes once a save is over: saved ones leave, every other stays for another
    try (conflicts wait for the user's choice)."""
    saved = {result.name for result in results if result.status == "saved"}
    return {name: change for name, change in pending.items() if name not in saved}


def keep_mine(change: PendingChange, theirs: str | None) -> PendingChange:
    """The change rebased on the server's value, to resend with it as ``previousValue``."""
    return replace(change, old=theirs or "", loaded=theirs)


# -- the tab's state between runs, and what a save, discard or choice makes of it ----------

NoticeLevel = Literal["success", "info", "warning", "error"]

CONFLICT_CHECK: Final = "Changed on the server meanwhile: keep yours or take theirs (below)."
"""What the Check column says of a field whose save met someone else's change."""
DISCARD_NOTE: Final = "Discarded every unsaved change."


@dataclass(frozen=True)
class Notice:
    """One line of the report above the grid: its level (the banner's kind) and its text."""

    level: NoticeLevel
    text: str


@dataclass(frozen=True)
class EditState:
    """What the Edit Data tab of one lead keeps between runs."""

    pending: Mapping[str, PendingChange] = dataclasses.field(default_factory=dict)
    """Field name -> the change waiting for Save."""
    messages: Mapping[str, tuple[str, tuple[str, ...]]] = dataclasses.field(default_factory=dict)
    """Server answers per field: name -> (the value they concern, messages)."""
    conflicts: Mapping[str, SaveResult] = dataclasses.field(default_factory=dict)
    """Field name -> the save that met someone else's change, until the user chooses."""
    report: tuple[Notice, ...] = ()
    """The last save's (or discard's) summary."""

    def field_messages(self) -> dict[str, list[str]]:
        """Server messages still about the value pending now (a new value makes them stale)."""
        return {
            name: list(messages)
            for name, (value, messages) in self.messages.items()
            if name in self.pending and self.pending[name].new == value
        }


def _changes(count: int) -> str:
    return "change" if count == 1 else "changes"


@dataclass(frozen=True)
class SaveOutcome:
    """The tab's state after a save, and whether the lead must be loaded again."""

    state: EditState
    reload: bool
    """True when anything was saved: cached views of the lead show old values."""


def state_after_save(state: EditState, results: Sequence[SaveResult]) -> SaveOutcome:
    """Record the results of a save: saved changes leave, refused ones stay with the server's
    message on their field, conflicts wait for a choice, and the report says what happened."""
    labels = {name: change.label for name, change in state.pending.items()}

    def label(result: SaveResult) -> str:
        return labels.get(result.name, result.name)

    remaining = after_save(state.pending, results)
    messages = dict(state.messages)
    conflicts = dict(state.conflicts)
    for result in results:
        messages.pop(result.name, None)
        conflicts.pop(result.name, None)
        if result.status == "conflict":
            conflicts[result.name] = result
            messages[result.name] = (result.mine, (CONFLICT_CHECK,))
        elif result.status != "saved":
            messages[result.name] = (result.mine, (result.message,))
    report: list[Notice] = []
    saved = [result for result in results if result.status == "saved"]
    if saved:
        names = ", ".join(label(result) for result in saved)
        report.append(Notice("success", f"Saved {len(saved)} {_changes(len(saved))}: {names}."))
    for result in results:
        if result.status == "conflict":
            report.append(Notice("warning", f"{label(result)}: not saved. {result.message}"))
        elif result.status == "uncertain":
            report.append(Notice("warning", f"{label(result)}: {result.message}."))
        elif result.status != "saved":
            report.append(Notice("error", f"{label(result)}: not saved. {result.message}"))
    if remaining:
        report.append(
            Notice("info", f"{len(remaining)} unsaved {_changes(len(remaining))} kept below.")
        )
    return SaveOutcome(EditState(remaining, messages, conflicts, tuple(report)), reload=bool(saved))


def state_after_failed_save(state: EditState, failure: str) -> EditState:
    """Nothing was sent (the re-read failed): every change stays, the report says why."""
    return replace(state, report=(Notice("error", failure),))


def state_after_edit(state: EditState, pending: Mapping[str, PendingChange]) -> EditState:
    """New pending values from the grid; the last save's report is about older values."""
    return replace(state, pending=dict(pending), report=())


def discarded_state() -> EditState:
    """Every unsaved change, server message and conflict dropped."""
    return EditState(report=(Notice("info", DISCARD_NOTE),))


def state_after_taking_theirs(state: EditState, name: str) -> EditState:
    """The user kept the server's value of a conflicting field: the change is dropped."""
    change = state.pending.get(name)
    label = change.label if change is not None else name
    pending = {key: value for key, value in state.pending.items() if key != name}
    conflicts = {key: value for key, value in state.conflicts.items() if key != name}
    return replace(
        state,
        pending=pending,
        conflicts=conflicts,
        report=(Notice("info", f"{label}: kept the server's value; your change was dropped."),),
    )


def add_notice(result: AddResult, raw_name: str) -> Notice:
    """What the Add form says after Add was pressed."""
    if result.outcome == "invalid":
        return Notice("error", " ".join(result.messages))
    if result.outcome == "edit":
        return Notice("info", " ".join(result.messages))
    return Notice(
        "success", f'Added "{raw_name.strip()}" to the changes to review. Save to send it.'
    )


# -- the review and the conflict choices -----------------------------------------------------


@dataclass(frozen=True)
class ReviewLine:
    """One pending change in the review: `field: old → new` and what is wrong with it."""

    change: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class EditReview:
    """The box under the grid listing every unsaved change before Save."""

    heading: str
    lines: tuple[ReviewLine, ...]
    invalid: int
    """How many changes may not be sent (Save is disabled while there are any)."""

    @property
    def invalid_warning(self) -> str | None:
        if not self.invalid:
            return None
        one = self.invalid == 1
        return (
            f"{self.invalid} of these {'is' if one else 'are'} not valid: fix "
            f"{'it' if one else 'them'} in the grid (see Check). Nothing is sent while a change "
            "is invalid."
        )


def edit_review(state: EditState, model: EditorModel) -> EditReview | None:
    """The review of the pending changes (None when there are none)."""
    if not state.pending:
        return None
    fields = model.fields
    messages = state.field_messages()
    lines = []
    invalid = 0
    for name, change in state.pending.items():
        problems = change_problems(change, fields)
        invalid += bool(problems)
        lines.append(ReviewLine(change.review_line, (*problems, *messages.get(name, []))))
    count = len(state.pending)
    return EditReview(f"Review {count} unsaved {_changes(count)}", tuple(lines), invalid)


@dataclass(frozen=True)
class ConflictChoice:
    """A field someone else changed after it was loaded: both values, to keep one."""

    name: str
    label: str
    mine: str
    """My value as shown (never empty: "(empty)" instead)."""
    theirs: str
    """The server's value as shown."""
    theirs_value: str | None
    """The server's value itself (the new ``previousValue`` when keeping mine)."""


def conflict_author(
    notes: Iterable[LeadNote], field: str, theirs: str | None, zone: tzinfo
) -> str | None:
    """Who saved the value a save met, and when ("Ana Admin at 06 Dec 2026 14:02"), from the
    lead's newest data-change note on `field` (one that set `theirs` when any did); None
    when the notes do not say."""
    changes = sorted(
        (note for note in notes if note.field == field),
        key=lambda note: (note.created_ts, note.id),
        reverse=True,
    )
    note = next((item for item in changes if item.new_value == theirs), None)
    note = note or next(iter(changes), None)
    if note is None:
        return None
    who = note.author or "someone"
    return f"{who} at {format_timestamp(note.created_ts, zone)}"


def conflict_choices(state: EditState) -> tuple[ConflictChoice, ...]:
    """The conflicts still about the value pending now (a newer edit makes one stale)."""
    choices = []
    for name, conflict in state.conflicts.items():
        change = state.pending.get(name)
        if change is None or change.new != conflict.mine:
            continue
        choices.append(
            ConflictChoice(
                name,
                change.label,
                review_text(conflict.mine, MAX_VALUE_LENGTH) or EMPTY_VALUE,
                review_text(conflict.theirs or "", MAX_VALUE_LENGTH) or EMPTY_VALUE,
                conflict.theirs,
            )
        )
    return tuple(choices)


READ_ONLY_COLUMNS: Final = ["Field", "Name", "Value"]


def read_only_frame(model: EditorModel) -> pd.DataFrame:
    """The fields nobody may edit on this campaign, with their values."""
    rows = [
        {"Field": row.label, "Name": row.name, "Value": shown_value(row.shown)}
        for row in model.read_only
    ]
    return pd.DataFrame(rows, columns=READ_ONLY_COLUMNS)


def read_only_grid(model: EditorModel) -> pd.DataFrame:
    """The grid a user who may not edit sees: the editor's rows without Check, masked values
    shown as masked (a masked role is read-only, and its values come masked)."""
    frame = editor_frame(model, {}).drop(columns=[COLUMN_CHECK])
    frame[COLUMN_VALUE] = [shown_value(str(value)) for value in frame[COLUMN_VALUE]]
    return frame
