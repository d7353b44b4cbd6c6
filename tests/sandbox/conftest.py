"""Fixtures for the sandbox tests: clients of the shared seeded database (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox import login, make_client


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
