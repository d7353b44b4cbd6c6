"""The store's tests run twice: on SQLite (a file per test) and on a real PostgreSQL server
(one fresh database per test session, its tables emptied before each test).

The server's URL: `LEADLENS_TEST_DATABASE_URL`, else `.data/postgres.url` (written by `make
postgres` and `.ci/run`). Without one the PostgreSQL half is skipped with the reason, except
under CI=true, where it fails: CI must test what replicas run on.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from lib.store import Store, open_store
from lib.store.engine import PROJECT_ROOT
from lib.store.schema import metadata

ENV_TEST_URL = "LEADLENS_TEST_DATABASE_URL"
URL_FILE = PROJECT_ROOT / ".data" / "postgres.url"
TEST_KEY = Fernet.generate_key().decode("ascii")


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _postgres_admin_url() -> str | None:
    configured = os.environ.get(ENV_TEST_URL)
    if configured:
        return configured
    if URL_FILE.exists():
        return URL_FILE.read_text(encoding="utf-8").strip() or None
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"{reason}: run `make postgres` (Debian's postgresql) to test PostgreSQL")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the test server for this session, dropped at the end."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        _unavailable(f"no PostgreSQL URL ({ENV_TEST_URL} unset, no {URL_FILE})")
        raise AssertionError("unreachable")
    admin = sa.create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"leadlens_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable(f"the PostgreSQL server does not answer ({str(error.orig).splitlines()[0]})")
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leadlens.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if sa.inspect(connection).has_table("alembic_version"):
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    opened = open_store(store_url, (TEST_KEY,), clock=clock)
    yield opened
    opened.close()
