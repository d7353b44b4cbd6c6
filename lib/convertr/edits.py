"""Saving edits of a lead's values: re-read the lead, set conflicts aside, POST each change once.

This is the one place the Edit Data tab talks to the API. A change is anything with a ``name``,
the ``new`` value and the value the editor ``loaded`` (the Edit Data tab's ``PendingChange``
is one), so this module needs nothing from the views above it. Every failure becomes a
`SaveResult`; a timeout or a 5xx is "uncertain", never a success.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, TypeVar

from lib.convertr.client import ConvertrClient
from lib.convertr.errors import (
    ConflictError,
    ConnectError,
    ConvertrError,
    PermissionDeniedError,
    ServerError,
    TransportError,
    ValidationError,
)
from lib.convertr.models import LeadData

UNCERTAIN_MESSAGE: Final = "No answer: it may or may not have been saved — reload to check"
CONFLICT_MESSAGE: Final = "Changed on the server after you loaded it: choose which value to keep."
ALREADY_SAVED_MESSAGE: Final = "The server already held this value."


class ChangeToSave(Protocol):
    """What saving needs of a change: the field, the value to send, and the value the editor
    loaded (sent as ``previousValue``; None when the lead held no value)."""

    @property
    def name(self) -> str: ...

    @property
    def new(self) -> str: ...

    @property
    def loaded(self) -> str | None: ...


Change = TypeVar("Change", bound=ChangeToSave)

SaveStatus = Literal["saved", "conflict", "rejected", "forbidden", "uncertain", "failed"]


@dataclass(frozen=True)
class SaveResult:
    """The outcome of sending one change."""

    name: str
    status: SaveStatus
    message: str = ""
    mine: str = ""
    """The value that was sent (or would have been)."""
    theirs: str | None = None
    """The server's value now (conflicts)."""


def find_conflicts(
    changes: Iterable[Change], current: Sequence[LeadData]
) -> tuple[list[Change], list[SaveResult], list[Change]]:
    """Split changes by the server's values re-read just before saving: those still based on
    the current value (to send), those whose value moved meanwhile (conflicts, not sent), and
    those the server already holds (sent earlier, e.g. by a save that timed out)."""
    values = {item.name: item.value for item in current}
    to_send: list[Change] = []
    conflicts: list[SaveResult] = []
    already: list[Change] = []
    for change in changes:
        now = values.get(change.name)
        if now == change.loaded:
            to_send.append(change)
        elif now == change.new:
            already.append(change)
        else:
            conflicts.append(conflict_result(change, now))
    return to_send, conflicts, already


def conflict_result(change: ChangeToSave, theirs: str | None) -> SaveResult:
    return SaveResult(change.name, "conflict", CONFLICT_MESSAGE, mine=change.new, theirs=theirs)


def save_changes(
    client: ConvertrClient, lead_id: int, changes: Sequence[ChangeToSave]
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
        SaveResult(change.name, "saved", ALREADY_SAVED_MESSAGE, mine=change.new)
        for change in already
    ]
    results += [send_change(client, lead_id, change) for change in to_send]
    return results, None


def send_change(client: ConvertrClient, lead_id: int, change: ChangeToSave) -> SaveResult:
    """POST one change with the loaded value as ``previousValue``; every failure becomes a
    result (a timeout or 5xx is "uncertain", never a success)."""

    def result(status: SaveStatus, message: str) -> SaveResult:
        return SaveResult(change.name, status, message, mine=change.new)

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
