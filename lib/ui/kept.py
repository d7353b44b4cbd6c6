"""What this server keeps for a person beyond one run of a page: their open audit snapshots
and their pending bulk edits. Both hold lead values, so both leave at sign-out; the sign-out
in `frame` and the pages that fill them import them from here (never each other)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import streamlit as st

from lib.ui import keys
from lib.views.bulk import BulkDraft

if TYPE_CHECKING:
    # The audit engine (DuckDB) is imported when a snapshot is used, not by every page
    # that imports this module (the Leads page, the sign-out).
    from lib.audit.snapshot import Snapshot

DRAFT_TTL_SECONDS: Final = 8 * 3600
"""How long a pending bulk edit waits for its person to come back (a working day)."""

# -- audit snapshots -------------------------------------------------------------------------

_OPEN: dict[tuple[str, str, bool, str], Snapshot] = {}
"""The open snapshots of this server, one per source, user, rights and folder (a user's
sessions share theirs); `forget_snapshot` closes and removes only that user's."""
_OPEN_LOCK = threading.Lock()


def open_snapshot(source: str, username: str, masked: bool, directory: str) -> Snapshot:
    """The user's snapshot, opened once per server (and reopened if its file went)."""
    key = (source, username, masked, directory)
    with _OPEN_LOCK:
        snapshot = _OPEN.get(key)
        if snapshot is None or not snapshot.path.exists():
            from lib.audit.snapshot import Snapshot

            snapshot = Snapshot.open(source, username, masked=masked, directory=Path(directory))
            _OPEN[key] = snapshot
        return snapshot


def audit_directory_path() -> Path:
    from lib.audit.paths import audit_directory

    return audit_directory(os.environ)


def has_audit_snapshot(source: str, username: str) -> bool:
    """Whether the user has a snapshot on disk (asked without importing the audit engine)."""
    from lib.audit.paths import snapshot_name

    return (audit_directory_path() / snapshot_name(source, username)).exists()


def forget_snapshot(source: str, username: str) -> None:
    """Close and remove a user's snapshot (Forget, and the sign-out hook)."""
    with _OPEN_LOCK:
        for opened in [opened for opened in _OPEN if opened[:2] == (source, username)]:
            _OPEN.pop(opened).close()
    from lib.audit.snapshot import forget_user

    forget_user(source, username, audit_directory_path())
    for key in (keys.AUDIT_RESULT, keys.AUDIT_FETCH, keys.AUDIT_FINDING_LEADS):
        st.session_state.pop(key, None)


# -- pending bulk edits ----------------------------------------------------------------------


class KeptDrafts:
    """Pending bulk edits per person and scope, in this server's memory: a reload starts a
    new browser session, and this is how the review it had is found again. Entries expire
    after `DRAFT_TTL_SECONDS`; nothing is written to disk (a review holds lead values)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._drafts: dict[tuple[str, str], tuple[float, BulkDraft]] = {}

    def get(self, person: str, scope: str) -> BulkDraft | None:
        with self._lock:
            kept = self._drafts.get((person, scope))
            if kept is None:
                return None
            if self._clock() - kept[0] > DRAFT_TTL_SECONDS:
                del self._drafts[(person, scope)]
                return None
            return kept[1]

    def put(self, person: str, scope: str, draft: BulkDraft | None) -> None:
        with self._lock:
            if draft is None:
                self._drafts.pop((person, scope), None)
            else:
                self._drafts[(person, scope)] = (self._clock(), draft)

    def forget(self, person: str) -> None:
        with self._lock:
            for kept in [kept for kept in self._drafts if kept[0] == person]:
                del self._drafts[kept]


@st.cache_resource(show_spinner=False)
def kept_drafts() -> KeptDrafts:
    return KeptDrafts()


def forget_person(person: str) -> None:
    """Drop a person's pending bulk edits (the sign-out hook: a review holds lead values)."""
    kept_drafts().forget(person)
