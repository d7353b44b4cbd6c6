"""`POST /api/v4/lead-datas`: check the body, then set the value and note it in one transaction.

Checks run in the order the real API's answers imply: the role (403), the body's JSON (400),
its fields (422), then, inside the write transaction, the lead (422 if missing, 403 if
delivered and the role may not edit delivered leads), the campaign's editable-field rules
(422) and the optimistic-concurrency check against `previousValue` (409).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from lib.sandbox import db
from lib.sandbox.auth import User
from lib.sandbox.hashing import email_hash, email_hash_key
from lib.sandbox.query import DATE_PATTERN, parse_id
from lib.sandbox.reads import fetch, serialize
from lib.sandbox.resources import API_PREFIX, CORE_FIELDS, RESOURCES_BY_PATH, iri
from lib.sandbox.responses import (
    MAX_BODY_BYTES,
    ApiError,
    body_too_large,
    json_response,
    refuse_oversized_body,
    violation_error,
)

MAX_VALUE_LENGTH = 255
MAX_BODY_DEPTH = 8
"""The deepest nesting of arrays and objects a body may have (assumed; a lead data body has 2)."""
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

Violations = list[tuple[str, str]]
"""(propertyPath, message) pairs of a 422 answer."""


@dataclass(frozen=True)
class LeadDataChange:
    """A checked request body: set `name` to `value` on the lead."""

    lead_id: int
    name: str
    value: str
    expects_previous: bool
    """Whether the body sent `previousValue`: then the stored value must still equal it."""
    previous: str | None


def _json_kind(value: object) -> str:
    """A decoded JSON value's type in JSON's words (an empty body reads as null)."""
    if value is None:
        return "an empty body or null"
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "a number"),
        (float, "a number"),
        (str, "a string"),
        (list, "an array"),
    )
    return next((kind for cls, kind in kinds if isinstance(value, cls)), type(value).__name__)


def _read_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object; 413 when it is too large, 400 naming the body when it is not
    UTF-8, not JSON, nested too deeply or not an object."""
    refuse_oversized_body(request)
    # Without a Content-Length (chunked), read one byte past the limit and no further.
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise body_too_large(f"more than {MAX_BODY_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400,
            f"Invalid body: expected UTF-8 JSON, got byte {raw[error.start]:#04x} at offset"
            f" {error.start}, which is not UTF-8",
        ) from None
    try:
        body = json.loads(text or "null")
    except RecursionError:
        raise _too_deep() from None
    except ValueError as error:
        raise ApiError(400, f"Syntax error: the body is not valid JSON ({error})") from None
    _check_json_tree(body)
    if not isinstance(body, dict):
        raise ApiError(400, f"Expected a JSON object as the body, got {_json_kind(body)}")
    return body


def _too_deep() -> ApiError:
    return ApiError(
        400,
        f"Invalid body: expected arrays and objects nested at most {MAX_BODY_DEPTH} deep,"
        " got deeper",
    )


def _check_json_tree(body: object) -> None:
    """400 when the decoded body nests too deeply or holds a string that is not Unicode text
    (a lone surrogate such as \\ud800 decodes, but cannot be stored as UTF-8)."""
    pending: list[tuple[object, int]] = [(body, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list) and depth > MAX_BODY_DEPTH:
            raise _too_deep()
        children: list[object] = []
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = list(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(
                    400,
                    "Invalid body: expected UTF-8 JSON, got a string holding a lone surrogate"
                    f" escape ({node[:40]!r})",
                ) from None
        pending.extend((child, depth + 1) for child in children)


def _check_lead(raw_lead: Any, violations: Violations) -> int | None:
    """The lead's id from an IRI, an id, or {"id": …} / {"@id": …}."""
    if raw_lead is None or raw_lead == "":
        violations.append(("lead", "This value should not be blank."))
        return None
    candidate: Any = raw_lead
    if isinstance(raw_lead, dict):
        candidate = raw_lead.get("id", raw_lead.get("@id"))
    if isinstance(candidate, int) and not isinstance(candidate, bool):
        candidate = str(candidate)
    if isinstance(candidate, str):
        try:
            return parse_id(candidate, "lead", "leads")
        except ApiError:
            pass
    violations.append(("lead", f'Expected an IRI like "{API_PREFIX}/leads/1" or {{"id": 1}}.'))
    return None


def _check_name(name: Any, violations: Violations) -> str | None:
    if name is None or name == "":
        violations.append(("name", "This value should not be blank."))
        return None
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        violations.append(
            ("name", "Expected 1 to 64 letters, digits, '_' or '.', starting with a letter.")
        )
        return None
    return name


def _check_value(value: Any, violations: Violations) -> str | None:
    if value is None:
        violations.append(("value", "This value should not be null."))
        return None
    if not isinstance(value, str):
        violations.append(("value", "This value should be of type string."))
        return None
    if len(value) > MAX_VALUE_LENGTH:
        violations.append(
            (
                "value",
                f"This value is too long. It should have {MAX_VALUE_LENGTH} characters or less.",
            )
        )
    return value


def parse_change(body: dict[str, Any]) -> LeadDataChange:
    """The change a body asks for; a 422 listing every violation if it is not well formed."""
    violations: Violations = []
    lead_id = _check_lead(body.get("lead"), violations)
    name = _check_name(body.get("name"), violations)
    value = _check_value(body.get("value"), violations)
    expects_previous = "previousValue" in body
    previous = body.get("previousValue")
    if expects_previous and previous is not None and not isinstance(previous, str):
        violations.append(("previousValue", "This value should be a string or null."))
    if violations or lead_id is None or name is None or value is None:
        raise violation_error(violations)
    return LeadDataChange(lead_id, name, value, expects_previous, previous)


def _check_against_field(
    connection: sqlite3.Connection, campaign_id: int, name: str, value: str
) -> Violations:
    """Violations of the campaign's editable-field definition for `name`, if it has one."""
    field = connection.execute(
        "SELECT type, choices, required, max_length, editable FROM lead_editable_fields"
        " WHERE campaign_id = ? AND name = ?",
        (campaign_id, name),
    ).fetchone()
    if field is None:
        return []
    if not field["editable"]:
        return [("name", f'The field "{name}" is not editable.')]
    if value.strip() == "":
        return [("value", "This value should not be blank.")] if field["required"] else []
    max_length = field["max_length"]
    if max_length is not None and len(value) > max_length:
        return [
            ("value", f"This value is too long. It should have {max_length} characters or less.")
        ]
    kind = field["type"]
    if kind == "email" and not EMAIL_PATTERN.fullmatch(value):
        return [("value", "This value is not a valid email address.")]
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return [("value", "This value should be a valid number.")]
    if kind == "date":
        try:
            valid = bool(DATE_PATTERN.fullmatch(value)) and bool(date.fromisoformat(value))
        except ValueError:
            valid = False
        if not valid:
            return [("value", "This value is not a valid date (YYYY-MM-DD).")]
    if kind == "choice":
        choices = json.loads(field["choices"])
        if value not in choices:
            return [
                ("value", f"The value you selected is not a valid choice: {', '.join(choices)}.")
            ]
    return []


def _check_lead_may_change(
    connection: sqlite3.Connection, user: User, change: LeadDataChange
) -> None:
    """422 for a missing lead or a value its campaign's fields refuse; 403 for a delivered
    lead when the role may not edit those."""
    lead = connection.execute(
        "SELECT id, campaign_id, delivered FROM leads WHERE id = ?", (change.lead_id,)
    ).fetchone()
    if lead is None:
        raise violation_error([("lead", f'Item not found for "{iri("leads", change.lead_id)}".')])
    if lead["delivered"] and "leads.edit_delivered" not in user.permissions:
        raise ApiError(
            403, f"Your role ({user.role}) cannot edit a lead that has already been delivered"
        )
    field_violations = _check_against_field(
        connection, lead["campaign_id"], change.name, change.value
    )
    if field_violations:
        raise violation_error(field_violations)


def _apply(
    connection: sqlite3.Connection, user: User, change: LeadDataChange, now: str
) -> tuple[int, bool]:
    """Set the value, note the change, keep the lead's own column in step.

    Returns the lead data's id and whether it was created (rather than overwritten).
    """
    lead_id, name, value = change.lead_id, change.name, change.value
    current = connection.execute(
        "SELECT id, value FROM lead_datas WHERE lead_id = ? AND name = ?", (lead_id, name)
    ).fetchone()
    current_value = current["value"] if current else None
    if change.expects_previous and change.previous != current_value:
        raise ApiError(
            409,
            f'The value of "{name}" changed since it was loaded: '
            f"expected {change.previous!r}, found {current_value!r}",
            extra={"currentValue": current_value},
        )
    if current is None:
        data_id = connection.execute(
            "INSERT INTO lead_datas (lead_id, name, value, source, provider,"
            " original_value, created_ts, updated_ts)"
            " VALUES (?, ?, ?, 'edited', NULL, NULL, ?, ?)",
            (lead_id, name, value, now, now),
        ).lastrowid
        message = f'{name} set to "{value}"'
    else:
        data_id = current["id"]
        # originalValue keeps the very first value (a transform's input included).
        connection.execute(
            "UPDATE lead_datas SET value = ?, source = 'edited',"
            " original_value = COALESCE(original_value, value), updated_ts = ?"
            " WHERE id = ?",
            (value, now, data_id),
        )
        message = f'{name} changed from "{current_value}" to "{value}"'
    connection.execute(
        "INSERT INTO lead_notes (lead_id, type, message, author, field, old_value,"
        " new_value, created_ts) VALUES (?, 'data', ?, ?, ?, ?, ?, ?)",
        (lead_id, message, user.name, name, current_value, value, now),
    )
    column = CORE_FIELDS.get(name)
    if column is not None:
        connection.execute(f"UPDATE leads SET {column} = ? WHERE id = ?", (value, lead_id))
        if name == "email":
            connection.execute(
                "UPDATE leads SET email_hash = ? WHERE id = ?",
                (email_hash(value, email_hash_key(connection)), lead_id),
            )
    return int(data_id or 0), current is None


def post_lead_data(
    connection: sqlite3.Connection, user: User, request: Request, clock: Callable[[], float]
) -> Response:
    """Create (201, with Location) or overwrite (200) one lead data, stamped `clock()`."""
    if "leads.edit" not in user.permissions:
        raise ApiError(403, f"Your role ({user.role}) cannot edit lead data")
    change = parse_change(_read_body(request))
    now = db.stamp(datetime.fromtimestamp(clock(), UTC))
    resource = RESOURCES_BY_PATH["lead-datas"]
    with db.atomic(connection, write=True):
        _check_lead_may_change(connection, user, change)
        data_id, created = _apply(connection, user, change, now)
        written = serialize(connection, resource, fetch(connection, resource, [data_id]))[0]
    headers = {"Location": written["@id"]} if created else None
    body = {"@context": "/api/v4/contexts/LeadData", **written}
    return json_response(body, 201 if created else 200, headers)
