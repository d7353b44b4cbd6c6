"""The sandbox as the tests use it: one small seeded database per test session (per xdist
worker), copies of it for tests that write, and httpx clients of the sandbox app in-process."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Final

import httpx

from lib.sandbox import DEMO_PASSWORD, create_app

SANDBOX_LEADS: Final = 600
"""Enough leads for several pages per campaign, small enough to seed in about a second."""
SANDBOX_SEED: Final = 42
SANDBOX_URL: Final = "http://sandbox"
"""The base URL of an in-process sandbox client (any host: nothing leaves the process)."""


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a sandbox database (SQLite's online backup), in WAL mode."""
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode = WAL")
    return target


def make_client(db_path: Path, **options: object) -> httpx.Client:
    """An httpx client talking to a sandbox app in-process through the WSGI stack."""
    app = create_app(db_path, **options)  # type: ignore[arg-type]
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=SANDBOX_URL)


def login(client: httpx.Client, role: str) -> dict[str, str]:
    """Sign in as the demo user of `role`; returns the Authorization header."""
    response = client.post(
        "/api/login", data={"username": f"{role}@sandbox.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_hydra_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """Check that `response` is a Hydra error answer with `status`; returns its body."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/ld+json")
    body: dict[str, Any] = response.json()
    assert body["@type"] in {"hydra:Error", "ConstraintViolationList"}
    assert body["hydra:description"]
    assert "Traceback" not in response.text
    return body
