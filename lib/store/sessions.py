"""Sign-ins that outlive a browser tab: the browser holds a random reference (a cookie), the
database its SHA-256 and, sealed with the app's key, the Convertr tokens. Every tab of that
browser finds the same row; signing out revokes it for all of them, and so does the idle
timeout, counted from the last run of any tab.

A row's ``public_id`` (random, not the reference) names it inside the server (caches, the
per-process client registry); the reference itself never leaves the cookie and the
sign-in's first run.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from lib.store.crypto import Sealer
from lib.store.errors import SignInIdleError, SignInNotFoundError
from lib.store.schema import signin_sessions

REFERENCE_BYTES: Final = 32
"""256 random bits: a reference cannot be guessed."""
PUBLIC_ID_BYTES: Final = 12
MAX_SIGN_IN_SECONDS: Final = 7 * 24 * 3600
"""However active, a sign-in ends after a week: then the password (and code) again."""
TOUCH_INTERVAL_SECONDS: Final = 30
"""Last use is written at most this often per sign-in (reruns are many; the idle timeout is
minutes)."""
REVOKED_KEPT_SECONDS: Final = 30 * 24 * 3600
"""Ended sign-ins are deleted after a month (`purge`)."""


def _live_or_raise(row: sa.Row[Any] | str) -> sa.Row[Any]:
    if row == "idle":
        raise SignInIdleError("the sign-in ended: idle too long (or too old)")
    if isinstance(row, str):
        raise SignInNotFoundError("no live sign-in for this reference")
    return row


def reference_hash(reference: str) -> str:
    return hashlib.sha256(reference.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredSignIn:
    """One live sign-in as the server keeps it (tokens opened, never printed)."""

    public_id: str
    source: str
    user_id: int
    email: str
    user: Mapping[str, Any]
    """The user as the API described them (``User.model_dump(mode="json")``)."""
    tokens: Mapping[str, Any]
    token_version: int
    created_at: float
    last_seen_at: float

    def __repr__(self) -> str:
        return f"StoredSignIn(public_id={self.public_id!r}, email={self.email!r})"


class SignInSessions:
    def __init__(self, engine: sa.Engine, sealer: Sealer, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._sealer = sealer
        self._clock = clock

    @property
    def available(self) -> bool:
        """Whether sign-ins can be kept (a secret key is configured)."""
        return self._sealer.can_seal

    def create(
        self,
        *,
        source: str,
        user_id: int,
        email: str,
        user: Mapping[str, Any],
        tokens: Mapping[str, Any],
    ) -> tuple[str, StoredSignIn]:
        """A new sign-in: the reference for the cookie (shown once) and the stored row."""
        reference = secrets.token_urlsafe(REFERENCE_BYTES)
        digest = reference_hash(reference)
        now = self._clock()
        public_id = secrets.token_hex(PUBLIC_ID_BYTES)
        with self._engine.begin() as connection:
            connection.execute(
                signin_sessions.insert().values(
                    public_id=public_id,
                    reference_hash=digest,
                    source=source,
                    user_id=user_id,
                    email=email,
                    user_json=json.dumps(dict(user)),
                    sealed_tokens=self._sealer.seal(tokens, digest),
                    token_version=1,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        stored = StoredSignIn(
            public_id=public_id,
            source=source,
            user_id=user_id,
            email=email,
            user=dict(user),
            tokens=dict(tokens),
            token_version=1,
            created_at=now,
            last_seen_at=now,
        )
        return reference, stored

    def _live_row(
        self, connection: sa.Connection, condition: sa.ColumnElement[bool], idle_seconds: float
    ) -> sa.Row[Any] | str:
        """The live row (its use noted), or why not ("ended", "idle"): an idle one is revoked
        for good here, so the caller raises after the transaction commits."""
        row = connection.execute(sa.select(signin_sessions).where(condition)).first()
        if row is None or row.revoked_at is not None:
            return "ended"
        now = self._clock()
        if now - row.last_seen_at > idle_seconds or now - row.created_at > MAX_SIGN_IN_SECONDS:
            connection.execute(
                signin_sessions.update()
                .where(signin_sessions.c.id == row.id)
                .values(revoked_at=now, sealed_tokens="")
            )
            return "idle"
        if now - row.last_seen_at >= TOUCH_INTERVAL_SECONDS:
            connection.execute(
                signin_sessions.update()
                .where(signin_sessions.c.id == row.id)
                .values(last_seen_at=now)
            )
        return row

    def _stored(self, row: sa.Row[Any]) -> StoredSignIn:
        return StoredSignIn(
            public_id=row.public_id,
            source=row.source,
            user_id=row.user_id,
            email=row.email,
            user=json.loads(row.user_json),
            tokens=self._sealer.open(row.sealed_tokens, row.reference_hash),
            token_version=row.token_version,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
        )

    def find(self, reference: str, *, idle_seconds: float) -> StoredSignIn:
        """The live sign-in a cookie's reference names (its use noted), or
        SignInNotFoundError: unknown, forged, revoked, idle or too old."""
        if not isinstance(reference, str) or not reference or len(reference) > 200:
            raise SignInNotFoundError("no live sign-in for this reference")
        with self._engine.begin() as connection:
            row = self._live_row(
                connection,
                signin_sessions.c.reference_hash == reference_hash(reference),
                idle_seconds,
            )
        return self._stored(_live_or_raise(row))

    def check(self, public_id: str, *, idle_seconds: float) -> int:
        """A tab's run: the sign-in still live (its use noted); its token version, so a tab
        whose client holds older tokens knows to take the newer ones."""
        with self._engine.begin() as connection:
            row = self._live_row(connection, signin_sessions.c.public_id == public_id, idle_seconds)
        return int(_live_or_raise(row).token_version)

    def reload(self, public_id: str) -> StoredSignIn:
        """The sign-in as stored now (its latest tokens), live or not."""
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(signin_sessions).where(signin_sessions.c.public_id == public_id)
            ).first()
        if row is None or row.revoked_at is not None:
            raise SignInNotFoundError("the sign-in ended")
        return self._stored(row)

    def save_tokens(self, public_id: str, tokens: Mapping[str, Any]) -> int:
        """Keep renewed tokens (sealed) for every tab; the new token version."""
        with self._engine.begin() as connection:
            row = connection.execute(
                sa.select(signin_sessions.c.reference_hash, signin_sessions.c.revoked_at).where(
                    signin_sessions.c.public_id == public_id
                )
            ).first()
            if row is None or row.revoked_at is not None:
                raise SignInNotFoundError("the sign-in ended")
            version = connection.execute(
                signin_sessions.update()
                .where(signin_sessions.c.public_id == public_id)
                .values(
                    sealed_tokens=self._sealer.seal(tokens, row.reference_hash),
                    token_version=signin_sessions.c.token_version + 1,
                )
                .returning(signin_sessions.c.token_version)
            ).scalar_one()
        return int(version)

    def revoke(self, public_id: str) -> None:
        """End the sign-in everywhere: every tab's next run shows the sign-in page. The sealed
        tokens are wiped with it."""
        with self._engine.begin() as connection:
            connection.execute(
                signin_sessions.update()
                .where(signin_sessions.c.public_id == public_id)
                .where(signin_sessions.c.revoked_at.is_(None))
                .values(revoked_at=self._clock(), sealed_tokens="")
            )

    def purge(self) -> int:
        """Delete sign-ins ended a month ago or older; how many."""
        cutoff = self._clock() - REVOKED_KEPT_SECONDS
        with self._engine.begin() as connection:
            result = connection.execute(
                signin_sessions.delete().where(
                    sa.or_(
                        signin_sessions.c.revoked_at < cutoff,
                        signin_sessions.c.last_seen_at < cutoff,
                    )
                )
            )
        return int(result.rowcount)


def wall_clock() -> float:
    return time.time()
