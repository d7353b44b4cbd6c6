"""Who is asking: sign-in (`POST /api/login`: password, MFA step, refresh), sign-out
(`POST /api/logout`), bearer tokens stored in SQLite, failed-login lockout, roles and password
hashing."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from werkzeug.wrappers import Request, Response

from lib.sandbox import db
from lib.sandbox.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    EXPIRED_PASSWORD_USERS,
    MFA_USERS,
    ROLE_PERMISSIONS,
    SANDBOX_MFA_CODE,
)
from lib.sandbox.resources import iri
from lib.sandbox.responses import ApiError, refuse_oversized_body

DEFAULT_TOKEN_TTL = 3600
"""Seconds an access token lasts (the platform's 60 minutes)."""
REFRESH_TOKEN_TTL = 14 * 24 * 3600
"""Seconds a refresh token lasts (assumed)."""
MFA_TOKEN_TTL = 300
"""Seconds an `mfa_token` stays usable for the second step of a sign-in (assumed)."""
MAX_FAILED_LOGINS = 5
"""Failed sign-ins for one username within `FAILED_LOGIN_WINDOW` that lock it (assumed)."""
FAILED_LOGIN_WINDOW = 15 * 60
"""Seconds over which failed sign-ins are counted (assumed)."""
LOCKOUT_SECONDS = 15 * 60
"""Seconds a locked username is refused, whatever the password (assumed)."""
MAX_USERNAME_LENGTH = 254
"""The longest username accepted: the longest email address (RFC 5321)."""
MAX_SECRET_LENGTH = 1024
"""The longest password, refresh token, mfa_token or MFA code accepted (assumed)."""
MFA_REQUIRED_STATUS = 403
"""The first answer of an MFA sign-in: 403, as Auth0's `mfa_required` (assumed status)."""
PBKDF2_ITERATIONS = 1000
"""Few iterations: these are demo accounts, and every sign-in pays for them."""
PROVIDER_LOGS_FORBIDDEN = (
    "Your role cannot see provider logs: they may contain unmasked personal data"
)
PASSWORD_EXPIRED_REASON = (
    "Your password has expired and must be changed before the API can be used"
    " (only signing out is allowed)"
)
MFA_TOKEN_UNUSABLE = "The mfa_token is unknown, already used or expired: sign in again"
OAUTH_JSON = "application/json"
GrantType = Literal["password", "refresh_token"]
GuessResult = TypeVar("GuessResult")


def hash_password(password: str, salt: str) -> str:
    """A salted PBKDF2 hash, stored as `salt$hexdigest`."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ITERATIONS)
    return f"{salt}${digest.hex()}"


@dataclass(frozen=True)
class User:
    """The signed-in user of a request."""

    id: int
    email: str
    name: str
    role: str

    @property
    def permissions(self) -> tuple[str, ...]:
        return ROLE_PERMISSIONS.get(self.role, ())


def user_item(user: User) -> dict[str, Any]:
    """The `/api/v4/users/me` answer."""
    return {
        "@context": "/api/v4/contexts/User",
        "@id": iri("users", user.id),
        "@type": "User",
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "permissions": list(user.permissions),
    }


def require_provider_logs(user: User) -> None:
    """403 unless the user's role may read provider logs (they hold unmasked data)."""
    if "logs.provider.view" not in user.permissions:
        raise ApiError(403, PROVIDER_LOGS_FORBIDDEN)


def token_digest(token: str) -> str:
    """How a token is stored: its SHA-256, so the database file holds no live token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _oauth_error(
    error: str, description: str, status: int = 400, headers: Mapping[str, str] | None = None
) -> Response:
    # The login endpoint answers OAuth-style errors, not Hydra ones, as the real API does.
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, headers=headers, content_type=OAUTH_JSON)


class LoginRefused(Exception):
    """A refused sign-in, answered as an OAuth-style error."""

    def __init__(
        self, error: str, description: str, status: int = 400, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.extra = extra or {}
        self.headers: dict[str, str] = {}

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description, **self.extra}
        return Response(
            json.dumps(body), status=self.status, headers=self.headers, content_type=OAUTH_JSON
        )


@dataclass(frozen=True)
class Session:
    """What a bearer token stands for: a user's sign-in, live unless revoked or expired."""

    id: int
    user: User
    password_expired: bool


@dataclass(frozen=True)
class Account:
    """A users row as sign-in needs it."""

    user: User
    password_hash: str
    mfa_required: bool
    password_expired: bool


def _form_text(form: Mapping[str, str], name: str, limit: int) -> str:
    """A form field (empty if absent); longer than `limit` is a malformed request."""
    value = form.get(name, "")
    if len(value) > limit:
        raise LoginRefused(
            "invalid_request",
            f"{name}: expected at most {limit} characters, got {len(value)}",
        )
    return value


class Authenticator:
    """Signs users in and out and recognises their tokens; safe to share between threads.

    Every token is looked up in the database on every request (one primary-key read), never
    cached: a token revoked by any app instance over the same file is refused at once.
    """

    def __init__(self, db_path: Path, *, token_ttl: int, clock: Callable[[], float]) -> None:
        self.db_path = db_path
        self.token_ttl = token_ttl
        self.clock = clock

    # -- sign-in -------------------------------------------------------------------------------

    def login(self, request: Request) -> Response:
        """`POST /api/login`: a password sign-in (with its MFA step) or a refresh."""
        try:
            refuse_oversized_body(request)
        except ApiError as too_large:
            return LoginRefused(
                "invalid_request", too_large.description, too_large.status
            ).response()
        connection = db.connect(self.db_path)
        try:
            grant = request.form.get("grant_type") or "password"
            if grant not in get_args(GrantType):
                raise LoginRefused(
                    "unsupported_grant_type",
                    f"grant_type: expected password or refresh_token, got {grant[:64]!r}",
                )
            if grant == "refresh_token":
                body = self._refresh(connection, request.form)
            else:
                body = self._password_sign_in(connection, request.form)
        except LoginRefused as refusal:
            return refusal.response()
        finally:
            connection.close()
        return Response(json.dumps(body), status=200, content_type=OAUTH_JSON)

    def _password_sign_in(
        self, connection: sqlite3.Connection, form: Mapping[str, str]
    ) -> dict[str, Any]:
        username = _form_text(form, "username", MAX_USERNAME_LENGTH)
        password = _form_text(form, "password", MAX_SECRET_LENGTH)
        mfa_token = _form_text(form, "mfa_token", MAX_SECRET_LENGTH)
        mfa_code = _form_text(form, "mfa_code", MAX_SECRET_LENGTH)
        if not username or not password:
            raise LoginRefused("invalid_request", "username and password are required")
        now = self.clock()

        def password_matches() -> Account | None:
            account = _account(connection, username)
            salt = account.password_hash.split("$", 1)[0] if account else ""
            # Hash even for an unknown user, so the answer's timing does not tell who exists.
            digest = hash_password(password, salt)
            if account is None or not secrets.compare_digest(digest, account.password_hash):
                return None
            return account

        account = self._guarded_guess(connection, username, now, password_matches)
        if account is None:
            raise LoginRefused("invalid_grant", "Invalid username and password combination")
        if account.mfa_required:
            self._second_factor(connection, account, username, mfa_token, mfa_code, now)
        with db.atomic(connection, write=True):
            connection.execute("DELETE FROM login_failures WHERE username = ?", (username.lower(),))
            return self._start_session(connection, account, now)

    def _second_factor(
        self,
        connection: sqlite3.Connection,
        account: Account,
        username: str,
        mfa_token: str,
        mfa_code: str,
        now: float,
    ) -> None:
        """Ask for the code (a new mfa_token), or check the code sent with its mfa_token."""
        if not mfa_token and not mfa_code:
            challenge = secrets.token_urlsafe(32)
            with db.atomic(connection, write=True):
                connection.execute("DELETE FROM mfa_challenges WHERE expires_at <= ?", (now,))
                connection.execute(
                    "INSERT INTO mfa_challenges (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
                    (token_digest(challenge), account.user.id, now + MFA_TOKEN_TTL),
                )
            raise LoginRefused(
                "Mfa Required",
                "Multifactor authentication required: post the same form again with"
                " mfa_token and mfa_code (the code from your authenticator)",
                status=MFA_REQUIRED_STATUS,
                extra={"mfa_token": challenge},
            )
        if not mfa_token or not mfa_code:
            missing = "mfa_code" if mfa_token else "mfa_token"
            raise LoginRefused(
                "invalid_request", f"{missing} is required for the second step of an MFA sign-in"
            )
        row = connection.execute(
            "SELECT user_id, expires_at FROM mfa_challenges WHERE token_hash = ?",
            (token_digest(mfa_token),),
        ).fetchone()
        if row is None or row["user_id"] != account.user.id or row["expires_at"] <= now:
            raise LoginRefused("invalid_grant", MFA_TOKEN_UNUSABLE)
        code_right = self._guarded_guess(
            connection,
            username,
            now,
            lambda: secrets.compare_digest(mfa_code.encode(), SANDBOX_MFA_CODE.encode()) or None,
        )
        if code_right is None:
            raise LoginRefused(
                "invalid_grant",
                "Invalid MFA code: expected the current 6-digit code from your authenticator",
            )
        with db.atomic(connection, write=True):
            # Consumed in the write transaction: of two second steps racing with one token,
            # only the one that deletes it signs in.
            consumed = connection.execute(
                "DELETE FROM mfa_challenges WHERE token_hash = ? AND expires_at > ?",
                (token_digest(mfa_token), now),
            ).rowcount
        if consumed != 1:
            raise LoginRefused("invalid_grant", MFA_TOKEN_UNUSABLE)

    def _refresh(self, connection: sqlite3.Connection, form: Mapping[str, str]) -> dict[str, Any]:
        """`grant_type=refresh_token`: a new access token, and the refresh token rotated."""
        refresh_token = _form_text(form, "refresh_token", MAX_SECRET_LENGTH)
        if not refresh_token:
            raise LoginRefused("invalid_request", "refresh_token is required to renew a token")
        now = self.clock()
        with db.atomic(connection, write=True):
            row = connection.execute(
                "SELECT id, user_id, revoked_at, refresh_expires_at FROM sessions"
                " WHERE refresh_hash = ?",
                (token_digest(refresh_token),),
            ).fetchone()
            if row is None or row["revoked_at"] is not None or row["refresh_expires_at"] <= now:
                raise LoginRefused(
                    "invalid_grant",
                    "The refresh token is unknown, already used, revoked or expired: sign in again",
                )
            account = _account_by_id(connection, int(row["user_id"]))
            # A locked account is locked for every grant: the lock means someone is guessing
            # its password, and a refresh token taken with it must not outlive the lock. The
            # session stays (not revoked), so the same refresh token works once the lock ends.
            self._refuse_if_locked(connection, account.user.email, now)
            return self._issue(connection, account, int(row["id"]), now)

    def _start_session(
        self, connection: sqlite3.Connection, account: Account, now: float
    ) -> dict[str, Any]:
        """A new session and its first tokens (inside the caller's write transaction)."""
        _drop_expired(connection, now)
        session_id = connection.execute(
            "INSERT INTO sessions (user_id, created_at) VALUES (?, ?)", (account.user.id, now)
        ).lastrowid
        return self._issue(connection, account, int(session_id or 0), now)

    def _issue(
        self, connection: sqlite3.Connection, account: Account, session_id: int, now: float
    ) -> dict[str, Any]:
        """A new access token and a new refresh token for the session; the login answer."""
        access_token = secrets.token_urlsafe(32)
        refresh_token = secrets.token_urlsafe(32)
        connection.execute(
            "INSERT INTO tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)",
            (token_digest(access_token), session_id, now + self.token_ttl),
        )
        connection.execute(
            "UPDATE sessions SET refresh_hash = ?, refresh_expires_at = ? WHERE id = ?",
            (token_digest(refresh_token), now + REFRESH_TOKEN_TTL, session_id),
        )
        return {
            "access_token": access_token,
            "expires_in": self.token_ttl,
            "token_type": "bearer",
            "refresh_token": refresh_token,
            "user_id": account.user.id,
            "password_expired": account.password_expired,
        }

    # -- throttling ------------------------------------------------------------------------------

    def _refuse_if_locked(self, connection: sqlite3.Connection, username: str, now: float) -> None:
        """429 with Retry-After while the username is locked out."""
        row = connection.execute(
            "SELECT locked_until FROM login_failures WHERE username = ?", (username.lower(),)
        ).fetchone()
        if row is None or row["locked_until"] is None or row["locked_until"] <= now:
            return
        wait = max(1, math.ceil(row["locked_until"] - now))
        refusal = LoginRefused(
            "too_many_attempts",
            f"Too many failed sign-ins for this account: try again in {wait} seconds",
            status=429,
        )
        refusal.headers["Retry-After"] = str(wait)
        raise refusal

    def _guarded_guess(
        self,
        connection: sqlite3.Connection,
        username: str,
        now: float,
        check: Callable[[], GuessResult | None],
    ) -> GuessResult | None:
        """Check a guess (a password or an MFA code) under the lockout: the lock is read, the
        guess checked and a failure counted in one write transaction, so a burst of
        concurrent guesses gets exactly `MAX_FAILED_LOGINS` answers, never one more (two
        guesses that both read "not locked" before either counts would each be answered)."""
        with db.atomic(connection, write=True):
            self._refuse_if_locked(connection, username, now)
            result = check()
            if result is None:
                self._count_failure(connection, username, now)
            return result

    def _count_failure(self, connection: sqlite3.Connection, username: str, now: float) -> None:
        """Count a failed sign-in (inside the caller's write transaction); the
        `MAX_FAILED_LOGINS`th in the window locks the username.

        Unknown usernames are counted too, so a lockout does not tell who exists.
        """
        key = username.lower()
        connection.execute(
            "DELETE FROM login_failures WHERE window_start <= ?"
            " AND (locked_until IS NULL OR locked_until <= ?)",
            (now - FAILED_LOGIN_WINDOW, now),
        )
        row = connection.execute(
            "SELECT failures, window_start FROM login_failures WHERE username = ?", (key,)
        ).fetchone()
        if row is None or row["window_start"] <= now - FAILED_LOGIN_WINDOW:
            failures, window_start = 1, now
        else:
            failures, window_start = int(row["failures"]) + 1, float(row["window_start"])
        locked_until = now + LOCKOUT_SECONDS if failures >= MAX_FAILED_LOGINS else None
        connection.execute(
            "INSERT OR REPLACE INTO login_failures"
            " (username, failures, window_start, locked_until) VALUES (?, ?, ?, ?)",
            (key, failures, window_start, locked_until),
        )

    # -- tokens ------------------------------------------------------------------------------------

    def session(self, connection: sqlite3.Connection, request: Request) -> Session:
        """The live session whose bearer token the request carries; 401 otherwise."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise ApiError(401, "Full authentication is required: no Bearer token was sent")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Expected an Authorization header of the form 'Bearer <token>'")
        row = connection.execute(
            "SELECT u.id, u.email, u.name, u.role, u.password_expired, t.expires_at,"
            " t.session_id, s.revoked_at FROM tokens t JOIN sessions s ON s.id = t.session_id"
            " JOIN users u ON u.id = s.user_id WHERE t.token_hash = ?",
            (token_digest(token.strip()),),
        ).fetchone()
        if row is None:
            raise ApiError(401, "Invalid token: it is unknown to this server")
        if row["revoked_at"] is not None:
            raise ApiError(401, "Revoked token: it was signed out; sign in again")
        if row["expires_at"] <= self.clock():
            raise ApiError(401, "Expired token: sign in again")
        user = User(row["id"], row["email"], row["name"], row["role"])
        return Session(int(row["session_id"]), user, bool(row["password_expired"]))

    def authenticate(self, connection: sqlite3.Connection, request: Request) -> User:
        """The user of a live token; 401 otherwise, 403 while their password has expired."""
        session = self.session(connection, request)
        if session.password_expired:
            raise ApiError(403, PASSWORD_EXPIRED_REASON)
        return session.user

    def logout(self, connection: sqlite3.Connection, request: Request) -> Response:
        """`POST /api/logout`: revoke the caller's session (every token of it and its refresh
        token); 204. Allowed with an expired password: signing out is always possible."""
        session = self.session(connection, request)
        with db.atomic(connection, write=True):
            connection.execute(
                "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (self.clock(), session.id),
            )
        return Response(status=204)


def _drop_expired(connection: sqlite3.Connection, now: float) -> None:
    """Forget expired tokens, challenges and sessions (a revoked session is kept until its
    refresh token would have expired, so its tokens are answered "revoked", not "unknown")."""
    connection.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
    connection.execute("DELETE FROM mfa_challenges WHERE expires_at <= ?", (now,))
    connection.execute(
        "DELETE FROM sessions WHERE refresh_expires_at <= ?"
        " AND id NOT IN (SELECT session_id FROM tokens)",
        (now,),
    )


ACCOUNT_COLUMNS = "id, email, name, role, password_hash, mfa_required, password_expired"


def _account_from(row: sqlite3.Row) -> Account:
    return Account(
        User(row["id"], row["email"], row["name"], row["role"]),
        str(row["password_hash"]),
        bool(row["mfa_required"]),
        bool(row["password_expired"]),
    )


def _account(connection: sqlite3.Connection, username: str) -> Account | None:
    """The account signing in as `username` (emails match in any case), None if unknown."""
    row = connection.execute(
        f"SELECT {ACCOUNT_COLUMNS} FROM users WHERE email = ? COLLATE NOCASE", (username,)
    ).fetchone()
    return None if row is None else _account_from(row)


def _account_by_id(connection: sqlite3.Connection, user_id: int) -> Account:
    row = connection.execute(
        f"SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = ?", (user_id,)
    ).fetchone()
    if row is None:
        raise LoginRefused("invalid_grant", f"The session's user {user_id} no longer exists")
    return _account_from(row)


def prepare_database(db_path: Path) -> None:
    """Migrate a database file to the current sign-in schema and add missing demo users."""
    connection = db.connect(db_path)
    try:
        db.migrate(connection)
        with db.atomic(connection, write=True):
            for email, role, name in DEMO_USERS:
                connection.execute(
                    "INSERT INTO users (email, role, name, password_hash, mfa_required,"
                    " password_expired) SELECT ?, ?, ?, ?, ?, ?"
                    " WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = ? COLLATE NOCASE)",
                    (email, role, name, hash_password(DEMO_PASSWORD, secrets.token_hex(8)),
                     int(email in MFA_USERS), int(email in EXPIRED_PASSWORD_USERS), email),
                )  # fmt: skip
    finally:
        connection.close()
