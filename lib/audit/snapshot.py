"""The local audit snapshot: a DuckDB file of the fetched leads, one per source and user.

Private: the file (and its write-ahead log) is mode 0600 in a 0700 folder under `.data/audit`,
named by a hash of source and user name (never the name itself), so users with different rights
never share one. Removed on sign out (`forget`) and when older than the settings' time to live
(`sweep_expired`). Besides `leads`, it keeps `meta` (what was fetched, when, for whom) and the
flags of each run (`run_flags`), so a re-run can say what is new.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd

from lib.audit.findings import Finding
from lib.audit.paths import (
    DEFAULT_DIRECTORY,
    DIRECTORY_ENV_VAR,
    audit_directory,
    snapshot_name,
)
from lib.audit.records import COLUMNS

__all__ = [
    "DEFAULT_DIRECTORY",
    "DIRECTORY_ENV_VAR",
    "Snapshot",
    "SnapshotInfo",
    "StoredFlag",
    "audit_directory",
    "forget_user",
    "remove",
    "snapshot_name",
    "sweep_expired",
]

FILE_MODE: Final = 0o600
FOLDER_MODE: Final = 0o700

_DUCKDB_TYPES: Final = {
    "int64": "BIGINT",
    "Int64": "BIGINT",
    "string": "VARCHAR",
    "datetime64[us]": "TIMESTAMP",
    "boolean": "BOOLEAN",
    "float64": "DOUBLE",
}
LEADS_DDL: Final = (
    "CREATE TABLE IF NOT EXISTS snapshot_leads ("
    + ", ".join(f"{name} {_DUCKDB_TYPES[kind]}" for name, kind in COLUMNS.items())
    + ", PRIMARY KEY (lead_id))"
)
_SCHEMA: Final = (
    LEADS_DDL,
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS run_flags (run_key VARCHAR, run_at TIMESTAMP, "
    "signal VARCHAR, lead_id BIGINT)",
    "CREATE TABLE IF NOT EXISTS run_findings (run_key VARCHAR, run_at TIMESTAMP, "
    "signal VARCHAR, lead_id BIGINT, strength VARCHAR, reason VARCHAR)",
)
_TABLES: Final = ("snapshot_leads", "meta", "run_flags", "run_findings")


def _private(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(candidate, FILE_MODE)


@dataclass(frozen=True)
class StoredFlag:
    """A lead's finding as the last audit that held it said it (the Lead page, later)."""

    signal: str
    strength: str
    reason: str
    run_at: dt.datetime
    """When that audit ran (UTC, naive as stored)."""


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot holds: for the page's "snapshot age" and the report's provenance."""

    source: str
    username: str
    masked: bool
    leads: int
    created_at: dt.datetime | None
    fetched_at: dt.datetime | None
    campaigns: tuple[int, ...]
    window_from: dt.date | None
    window_to: dt.date | None
    complete: bool

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        return now - self.fetched_at if self.fetched_at else None


class Snapshot:
    """One open snapshot file. Thread-safe: each call takes a cursor under a lock."""

    def __init__(self, path: Path, source: str, username: str, *, masked: bool) -> None:
        self.path = path
        self.source = source
        self.username = username
        self.masked = masked
        self._lock = threading.RLock()
        self._connection = duckdb.connect(str(path))
        _private(path)
        for statement in _SCHEMA:
            self._run(statement)
        stored = self._meta()
        if stored.get("masked") not in (None, json.dumps(masked)):
            # The same user with other rights now: what was fetched before may show too much.
            for table in _TABLES:
                self._run(f"DELETE FROM {table}")
            stored = {}
        if not stored:
            self._set_meta(source=source, username=username, masked=masked)

    @classmethod
    def open(
        cls,
        source: str,
        username: str,
        *,
        masked: bool,
        directory: Path = DEFAULT_DIRECTORY,
    ) -> Snapshot:
        directory.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        os.chmod(directory, FOLDER_MODE)
        return cls(directory / snapshot_name(source, username), source, username, masked=masked)

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the snapshot (the signals run their SQL on it)."""
        with self._lock:
            cursor = self._connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    def _run(
        self,
        sql: str,
        params: list[Any] | None = None,
        frames: dict[str, pd.DataFrame] | None = None,
    ) -> list[Any]:
        """One statement on its own cursor, fetched to the end (DuckDB refuses new work on a
        connection with an unfinished result)."""
        with self._lock:
            cursor = self._connection.cursor()
            try:
                for name, frame in (frames or {}).items():
                    cursor.register(name, frame)
                cursor.execute(sql, params or [])
                return cursor.fetchall() if cursor.description else []
            finally:
                cursor.close()

    def _meta(self) -> dict[str, str]:
        rows = self._run("SELECT key, value FROM meta")
        return {str(key): str(value) for key, value in rows}

    def _set_meta(self, **values: object) -> None:
        for key, value in values.items():
            self._run(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, json.dumps(value, default=str)]
            )

    def store(self, frame: pd.DataFrame) -> int:
        """Insert or replace leads (by id): a refresh overwrites what changed. Returns how many."""
        self._run(
            "INSERT OR REPLACE INTO snapshot_leads SELECT * FROM incoming",
            frames={"incoming": frame[list(COLUMNS)]},
        )
        _private(self.path)
        return len(frame)

    def record_fetch(
        self,
        *,
        campaigns: tuple[int, ...],
        window_from: dt.date,
        window_to: dt.date,
        fetched_at: dt.datetime,
        complete: bool,
    ) -> None:
        with self._lock:
            if "created_at" not in self._meta():
                self._set_meta(created_at=fetched_at.isoformat())
            self._set_meta(
                campaigns=sorted(set(campaigns)),
                window_from=window_from.isoformat(),
                window_to=window_to.isoformat(),
                fetched_at=fetched_at.isoformat(),
                complete=complete,
            )

    def newest_lead(self, campaign_id: int) -> dt.datetime | None:
        with self.cursor() as cursor:
            row = cursor.execute(
                "SELECT max(created_ts) FROM snapshot_leads WHERE campaign_id = ?", [campaign_id]
            ).fetchone()
        return row[0] if row and row[0] is not None else None

    def info(self) -> SnapshotInfo:
        with self._lock:
            meta = {key: json.loads(value) for key, value in self._meta().items()}
            rows = self._run("SELECT count(*) FROM snapshot_leads")
        count = int(rows[0][0]) if rows else 0

        def moment(name: str) -> dt.datetime | None:
            value = meta.get(name)
            return dt.datetime.fromisoformat(value) if isinstance(value, str) else None

        def day(name: str) -> dt.date | None:
            value = meta.get(name)
            return dt.date.fromisoformat(value) if isinstance(value, str) else None

        return SnapshotInfo(
            source=self.source,
            username=self.username,
            masked=self.masked,
            leads=count,
            created_at=moment("created_at"),
            fetched_at=moment("fetched_at"),
            campaigns=tuple(int(c) for c in meta.get("campaigns", ())),
            window_from=day("window_from"),
            window_to=day("window_to"),
            complete=bool(meta.get("complete", False)),
        )

    def previous_flags(self, run_key: str) -> set[tuple[str, int]] | None:
        """The (signal, lead id) pairs of the last run of the same audit, or None if none."""
        with self.cursor() as cursor:
            rows = cursor.execute(
                "SELECT signal, lead_id FROM run_flags WHERE run_key = ?", [run_key]
            ).fetchall()
            ran = cursor.execute(
                "SELECT count(*) FROM meta WHERE key = ?", [f"run:{run_key}"]
            ).fetchone()
        if not ran or not ran[0]:
            return None
        return {(str(signal), int(lead)) for signal, lead in rows}

    def record_run(
        self,
        run_key: str,
        at: dt.datetime,
        flags: set[tuple[str, int]] | frozenset[tuple[str, int]],
        findings: tuple[Finding, ...] = (),
    ) -> None:
        """Remember a run's flags (for the next run's "new") and its findings per lead (for
        the Lead page, in this session or a later one)."""
        frame = pd.DataFrame(
            [(run_key, at, signal, lead) for signal, lead in sorted(flags)],
            columns=["run_key", "run_at", "signal", "lead_id"],
        )
        said = pd.DataFrame(
            [
                (run_key, at, finding.signal, lead, finding.strength, finding.reason)
                for finding in findings
                for lead in finding.lead_ids
            ],
            columns=["run_key", "run_at", "signal", "lead_id", "strength", "reason"],
        )
        with self._lock:
            self._run("DELETE FROM run_flags WHERE run_key = ?", [run_key])
            self._run("DELETE FROM run_findings WHERE run_key = ?", [run_key])
            if len(frame):
                self._run("INSERT INTO run_flags SELECT * FROM flags", frames={"flags": frame})
            if len(said):
                self._run("INSERT INTO run_findings SELECT * FROM said", frames={"said": said})
            self._set_meta(**{f"run:{run_key}": at.isoformat()})

    def lead_flags(self, lead_id: int) -> tuple[StoredFlag, ...]:
        """The lead's findings from the latest audit run that held it (none: no run did)."""
        with self.cursor() as cursor:
            rows = cursor.execute(
                "SELECT signal, strength, reason, run_at FROM run_findings "
                "WHERE lead_id = ? AND run_at = (SELECT max(run_at) FROM run_findings "
                "WHERE lead_id = ?) ORDER BY strength = 'weak', signal, reason",
                [lead_id, lead_id],
            ).fetchall()
        return tuple(
            StoredFlag(str(signal), str(strength), str(reason), run_at)
            for signal, strength, reason, run_at in rows
        )

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def forget(self) -> None:
        """Close and delete the file (Forget, sign out)."""
        self.close()
        remove(self.path)


def remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


def forget_user(source: str, username: str, directory: Path = DEFAULT_DIRECTORY) -> None:
    """Remove a user's snapshot of a source (the sign-out hook calls this)."""
    remove(directory / snapshot_name(source, username))


def sweep_expired(
    ttl_hours: float,
    now: float | None = None,
    directory: Path = DEFAULT_DIRECTORY,
) -> list[Path]:
    """Remove every snapshot not written for `ttl_hours`; returns what was removed."""
    if not directory.is_dir():
        return []
    moment = now if now is not None else dt.datetime.now(dt.UTC).timestamp()
    removed = []
    for path in directory.glob("audit-*.duckdb"):
        with contextlib.suppress(FileNotFoundError):
            if moment - path.stat().st_mtime > ttl_hours * 3600:
                remove(path)
                removed.append(path)
    return removed


def frame_from_mapping(rows: list[Mapping[str, object]]) -> pd.DataFrame:
    """Rows (already audit rows) as a frame of the snapshot's columns (tests, benchmarks)."""
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
