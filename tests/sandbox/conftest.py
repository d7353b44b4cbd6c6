"""Fixtures for the sandbox tests: clients of the shared seeded database (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lib.sandbox import DEMO_PASSWORD, create_app

BASE_URL = "http://sandbox"


def make_client(db_path: Path, **options: object) -> httpx.Client:
    """An httpx client talking to a sandbox app in-process through the WSGI stack."""
    app = create_app(db_path, **options)  # type: ignore[arg-type]
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE_URL)


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


@pytest.fixture
def client(sandbox_db: Path) -> Iterator[httpx.Client]:
    with make_client(sandbox_db) as http:
        yield http


@pytest.fixture
def as_role(client: httpx.Client) -> Callable[[str], httpx.Client]:
    """Returns a client whose requests carry the given role's token."""

    def signed_in(role: str) -> httpx.Client:
        client.headers.update(login(client, role))
        return client

    return signed_in


@pytest.fixture
def api(as_role: Callable[[str], httpx.Client]) -> httpx.Client:
    """A client signed in as the admin."""
    return as_role("admin")


@pytest.fixture
def tidy_api(sandbox_db: Path) -> Iterator[httpx.Client]:
    """An admin client of the sandbox in the tidy dialect (UTC stamps, status labels)."""
    with make_client(sandbox_db, dialect="tidy") as http:
        http.headers.update(login(http, "admin"))
        yield http


@pytest.fixture
def write_client(writable_db: Path) -> Iterator[httpx.Client]:
    with make_client(writable_db) as http:
        yield http
