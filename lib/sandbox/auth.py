"""Who is asking: sign-in (`POST /api/login`), bearer tokens, roles and password hashing."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from lib.sandbox import db
from lib.sandbox.demo import ROLE_PERMISSIONS
from lib.sandbox.resources import iri
from lib.sandbox.responses import ApiError

DEFAULT_TOKEN_TTL = 3600
MAX_CACHED_SESSIONS = 1024
"""Looked-up tokens kept in memory before the expired ones are dropped."""
PBKDF2_ITERATIONS = 1000
"""Few iterations: these are demo accounts, and every sign-in pays for them."""
PROVIDER_LOGS_FORBIDDEN = (
    "Your role cannot see provider logs: they may contain unmasked personal data"
)
OAUTH_JSON = "application/json"


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


def _oauth_error(error: str, description: str) -> Response:
    # The login endpoint answers OAuth-style errors, not Hydra ones, as the real API does.
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=400, content_type=OAUTH_JSON)


class Authenticator:
    """Signs users in and recognises their tokens; safe to share between threads.

    Tokens live in the database (another app instance over the same file accepts them); a
    token already looked up is remembered with its expiry, since neither ever changes.
    """

    def __init__(self, db_path: Path, *, token_ttl: int, clock: Callable[[], float]) -> None:
        self.db_path = db_path
        self.token_ttl = token_ttl
        self.clock = clock
        self._sessions: dict[str, tuple[User, float]] = {}
        """Token -> (user, expiry) of tokens already looked up."""
        self._sessions_lock = threading.Lock()

    def login(self, request: Request) -> Response:
        """`POST /api/login` with form fields username and password: a new bearer token."""
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if not username or not password:
            return _oauth_error("invalid_request", "username and password are required")
        connection = db.connect(self.db_path)
        try:
            row = connection.execute(
                "SELECT id, password_hash FROM users WHERE email = ? COLLATE NOCASE", (username,)
            ).fetchone()
            salt = str(row["password_hash"]).split("$", 1)[0] if row else ""
            if row is None or not secrets.compare_digest(
                hash_password(password, salt), row["password_hash"]
            ):
                return _oauth_error("invalid_grant", "Invalid username and password combination")
            token = secrets.token_urlsafe(32)
            now = self.clock()
            with db.atomic(connection, write=True):
                connection.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
                connection.execute(
                    "INSERT INTO tokens (token, user_id, expires_at) VALUES (?, ?, ?)",
                    (token, row["id"], now + self.token_ttl),
                )
        finally:
            connection.close()
        body = {
            "access_token": token,
            "expires_in": self.token_ttl,
            "token_type": "bearer",
            "refresh_token": secrets.token_urlsafe(32),
            "user_id": row["id"],
            "password_expired": False,
        }
        return Response(json.dumps(body), status=200, content_type=OAUTH_JSON)

    def authenticate(self, connection: sqlite3.Connection, request: Request) -> User:
        """The user whose unexpired bearer token the request carries; 401 otherwise."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise ApiError(401, "Full authentication is required: no Bearer token was sent")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Expected an Authorization header of the form 'Bearer <token>'")
        token = token.strip()
        with self._sessions_lock:
            session = self._sessions.get(token)
        if session is None:
            session = _look_up_token(connection, token)
            with self._sessions_lock:
                if len(self._sessions) >= MAX_CACHED_SESSIONS:
                    now = self.clock()
                    self._sessions = {
                        key: value for key, value in self._sessions.items() if value[1] > now
                    }
                self._sessions[token] = session
        user, expires_at = session
        if expires_at <= self.clock():
            raise ApiError(401, "Expired token: sign in again")
        return user


def _look_up_token(connection: sqlite3.Connection, token: str) -> tuple[User, float]:
    row = connection.execute(
        "SELECT u.id, u.email, u.name, u.role, t.expires_at FROM tokens t"
        " JOIN users u ON u.id = t.user_id WHERE t.token = ?",
        (token,),
    ).fetchone()
    if row is None:
        raise ApiError(401, "Invalid token: it is unknown to this server")
    return User(row["id"], row["email"], row["name"], row["role"]), float(row["expires_at"])
