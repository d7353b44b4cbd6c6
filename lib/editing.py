"""Pure logic of the Edit Data tab: who may edit, the editor's rows, validation of a change
before it is sent, and the bookkeeping of pending changes and save outcomes.

Nothing here talks to the API or imports Streamlit: `lib/ui/edit_tab.py` renders these values
and sends the changes, so every rule below is tested without a browser. The rules mirror the
sandbox's checks of ``POST lead-datas`` (docs/api.md) and are never looser, so a change that
passes here fails on the server only when the server knows something the editor did not (the
value or the field definition changed meanwhile).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal

import pandas as pd

from lib.convertr import ConvertrClient
from lib.convertr.errors import (
    ConflictError,
    ConnectError,
    ConvertrError,
    PermissionDeniedError,
    ServerError,
    TransportError,
    ValidationError,
)
from lib.convertr.models import Lead, LeadData, LeadEditableField, User

MAX_VALUE_LENGTH: Final = 255
"""The API's limit on any value; a field's ``maxLength`` may only lower it."""
MAX_NAME_LENGTH: Final = 64
FIELD_NAME_PATTERN: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
EMAIL_PATTERN: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NUMBER_PATTERN: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

EDIT_PERMISSION: Final = "leads.edit"
EDIT_DELIVERED_PERMISSION: Final = "leads.edit_delivered"

ROLE_NAMES: Final[Mapping[str, str]] = {
    "admin": "Admin",
    "analyst": "Analyst",
    "viewer": "Viewer",
    "masked": "Masked viewer",
}

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
UNCERTAIN_MESSAGE: Final = "No answer: it may or may not have been saved — reload to check"
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
    role = ROLE_NAMES.get(user.role, user.role)
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
        return f"{self.label}: {shorten(self.old) or '(empty)'} → {shorten(self.new) or '(empty)'}"


def shorten(text: str, limit: int = 80) -> str:
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
    kind = {
        "email": "an email address",
        "number": "a number",
        "date": "a date, YYYY-MM-DD",
    }.get(field.type, "text")
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


# -- saving ---------------------------------------------------------------------------------

SaveStatus = Literal["saved", "conflict", "rejected", "forbidden", "uncertain", "failed"]


@dataclass(frozen=True)
class SaveResult:
    """The outcome of sending one change."""

    name: str
    label: str
    status: SaveStatus
    message: str = ""
    mine: str = ""
    theirs: str | None = None
    """The server's value now (conflicts)."""


def find_conflicts(
    changes: Iterable[PendingChange], current: Sequence[LeadData]
) -> tuple[list[PendingChange], list[SaveResult], list[PendingChange]]:
    """Split changes by the server's values re-read just before saving: those still based on
    the current value (to send), those whose value moved meanwhile (conflicts, not sent), and
    those the server already holds (sent earlier, e.g. by a save that timed out)."""
    values = {item.name: item.value for item in current}
    to_send: list[PendingChange] = []
    conflicts: list[SaveResult] = []
    already: list[PendingChange] = []
    for change in changes:
        now = values.get(change.name)
        if now == change.loaded:
            to_send.append(change)
        elif now == change.new:
            already.append(change)
        else:
            conflicts.append(conflict_result(change, now))
    return to_send, conflicts, already


def conflict_result(change: PendingChange, theirs: str | None) -> SaveResult:
    return SaveResult(
        change.name,
        change.label,
        "conflict",
        "Changed on the server after you loaded it: choose which value to keep.",
        mine=change.new,
        theirs=theirs,
    )


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


def save_changes(
    client: ConvertrClient, lead_id: int, changes: Sequence[PendingChange]
) -> tuple[list[SaveResult], str | None]:
    """Send each change once (never retried) and say how each went.

    The lead's values are re-read first: a change whose value moved since the editor loaded
    it is a conflict and is not sent; the rest go with ``previousValue``, so a change made
    between the re-read and the POST is still refused (409). Returns the results and, when
    the re-read itself failed (then nothing was sent), the reason.
    """
    try:
        current = client.lead_datas(lead_id)
    except ConvertrError as error:
        return [], (
            "Could not re-read the lead's values before saving, so nothing was sent: "
            f"{error.user_message}"
        )
    to_send, conflicts, already = find_conflicts(changes, current)
    results: list[SaveResult] = list(conflicts)
    results += [
        SaveResult(change.name, change.label, "saved", "The server already held this value.")
        for change in already
    ]
    results += [send_change(client, lead_id, change) for change in to_send]
    return results, None


def send_change(client: ConvertrClient, lead_id: int, change: PendingChange) -> SaveResult:
    """POST one change with the loaded value as ``previousValue``; every failure becomes a
    result (a timeout or 5xx is "uncertain", never a success)."""

    def result(status: SaveStatus, message: str) -> SaveResult:
        return SaveResult(change.name, change.label, status, message, mine=change.new)

    try:
        client.save_lead_data(lead_id, change.name, change.new, previous_value=change.loaded)
    except ConflictError as error:
        return conflict_result(change, error.current_value)
    except ValidationError as error:
        found = [violation.message for violation in error.violations if violation.message]
        return result("rejected", " ".join(found) or error.user_message)
    except PermissionDeniedError as error:
        return result("forbidden", error.description or error.user_message)
    except ConnectError as error:
        return result("failed", f"Not sent: {error.user_message}")
    except (TransportError, ServerError) as error:
        return result("uncertain", f"{UNCERTAIN_MESSAGE} ({error.user_message})")
    except ConvertrError as error:
        return result("failed", f"Not saved: {error.user_message}")
    return result("saved", "")
