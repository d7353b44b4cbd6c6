"""Sessions live in SQLite: they survive a restart, logout revokes them at once (for every app
instance over the file), tokens are stored hashed, and an old database file is migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from lib.sandbox import DEMO_PASSWORD
from lib.sandbox.auth import token_digest
from lib.sandbox.demo import DEMO_USERS
from tests.support.sandbox import assert_hydra_error, login, make_client

ME = "/api/v4/users/me"


def test_logout_revokes_the_token_at_once_for_every_instance(writable_db: Path) -> None:
    with make_client(writable_db) as first, make_client(writable_db) as second:
        headers = login(first, "admin")
        other = login(first, "admin")
        assert second.get(ME, headers=headers).status_code == 200  # looked up by the second
        logout = first.post("/api/logout", headers=headers)
        assert logout.status_code == 204 and logout.content == b""
        for app in (first, second):
            refused = assert_hydra_error(app.get(ME, headers=headers), 401)
            assert "Revoked" in refused["hydra:description"]
        assert_hydra_error(first.post("/api/logout", headers=headers), 401)
        # Another sign-in of the same user is its own session.
        assert second.get(ME, headers=other).status_code == 200


def test_logout_needs_a_token(client: httpx.Client) -> None:
    assert_hydra_error(client.post("/api/logout"), 401)
    assert_hydra_error(client.post("/api/logout", headers={"Authorization": "Bearer x"}), 401)
    assert_hydra_error(client.get("/api/logout"), 405)


def test_sessions_survive_a_restart(writable_db: Path) -> None:
    with make_client(writable_db) as before:
        headers = login(before, "viewer")
    with make_client(writable_db) as after:  # a new app: nothing carried over in memory
        assert after.get(ME, headers=headers).json()["email"] == "viewer@sandbox.test"


def test_tokens_are_stored_as_digests_only(writable_db: Path) -> None:
    with make_client(writable_db) as http:
        answer = http.post(
            "/api/login", data={"username": "admin@sandbox.test", "password": DEMO_PASSWORD}
        ).json()
    with sqlite3.connect(writable_db) as connection:
        stored = [row[0] for row in connection.execute("SELECT token_hash FROM tokens")]
        refresh = [row[0] for row in connection.execute("SELECT refresh_hash FROM sessions")]
    connection.close()
    assert token_digest(answer["access_token"]) in stored
    assert answer["access_token"] not in stored
    assert token_digest(answer["refresh_token"]) in refresh


def _make_old_database(path: Path) -> None:
    """The shape of a file seeded before sessions were stored: clear tokens, four users."""
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            DROP TABLE tokens; DROP TABLE sessions; DROP TABLE mfa_challenges;
            DROP TABLE login_failures;
            CREATE TABLE tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL,
                                 expires_at REAL NOT NULL);
            INSERT INTO tokens VALUES ('old-clear-token', 1, 99999999999);
            CREATE TABLE users_old (
                id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                name TEXT NOT NULL, password_hash TEXT NOT NULL);
            INSERT INTO users_old SELECT id, email, role, name, password_hash FROM users
                WHERE id <= 4;
            DROP TABLE users; ALTER TABLE users_old RENAME TO users;
            """
        )
    connection.close()


def test_an_old_database_file_is_migrated_idempotently(writable_db: Path) -> None:
    _make_old_database(writable_db)
    for _ in range(2):  # two starts: the second migration changes nothing
        with make_client(writable_db) as http:
            old = http.get(ME, headers={"Authorization": "Bearer old-clear-token"})
            assert_hydra_error(old, 401)
            for email, _role, _name in DEMO_USERS:
                assert http.post(
                    "/api/login", data={"username": email, "password": DEMO_PASSWORD}
                ).status_code in {200, 403}  # 403: the MFA user's first step
            headers = login(http, "analyst")
            assert http.post("/api/logout", headers=headers).status_code == 204
    with sqlite3.connect(writable_db) as connection:
        emails = [row[0] for row in connection.execute("SELECT email FROM users ORDER BY id")]
    connection.close()
    assert emails == [email for email, _role, _name in DEMO_USERS]
