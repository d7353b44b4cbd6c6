"""Opening the app database: migrations at start (idempotent, one at a time), the schema the
code uses is the one the migrations make, and an unusable database is one clear line."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lib.store import StoreUnavailableError, database_url, open_store
from lib.store import engine as engine_module
from lib.store.engine import (
    DEFAULT_DATABASE_PATH,
    HEAD_REVISION,
    LOCKED_ATTEMPTS,
    LOCKED_PAUSE_SECONDS,
    create_engine,
    current_revision,
    head_revision,
    migrate,
)
from lib.store.schema import metadata
from tests.store.conftest import TEST_KEY


def test_default_is_sqlite_under_data_and_the_environment_wins() -> None:
    assert database_url({}) == f"sqlite:///{DEFAULT_DATABASE_PATH}"
    assert str(DEFAULT_DATABASE_PATH.parent).endswith(".data")
    url = "postgresql+psycopg://u:p@db/leadlens"
    assert database_url({"LEADLENS_DATABASE_URL": url}) == url
    assert database_url({}, {"leadlens_database_url": url}) == url


def test_opening_migrates_to_head_and_again_changes_nothing(store_url: str) -> None:
    first = open_store(store_url, (TEST_KEY,))
    assert current_revision(first.engine) == head_revision()
    first.close()
    second = open_store(store_url, (TEST_KEY,))
    assert current_revision(second.engine) == head_revision()
    second.close()


def test_the_migrations_make_the_schema_the_code_uses(store_url: str) -> None:
    opened = open_store(store_url, (TEST_KEY,))
    with opened.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    opened.close()
    assert differences == []


def test_replicas_starting_together_migrate_once(store_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def start_replica() -> None:
        start.wait()
        try:
            open_store(store_url, (TEST_KEY,)).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start_replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert [row[0] for row in versions] == [head_revision()]


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = "postgresql+psycopg://leadlens:s3cret-pass@127.0.0.1:1/leadlens"
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(url, (TEST_KEY,))
    message = str(caught.value)
    assert "s3cret-pass" not in message
    assert "\n" not in message
    assert message.startswith("cannot use the app database at postgresql+psycopg://leadlens:***@")


def test_a_url_of_another_database_is_refused_clearly() -> None:
    with pytest.raises(StoreUnavailableError, match="expected a sqlite:/// or postgresql"):
        open_store("mysql://u:pw@host/db", (TEST_KEY,))


def test_a_bad_key_is_refused_clearly(tmp_path: object) -> None:
    with pytest.raises(StoreUnavailableError, match="is not a Fernet key"):
        open_store("sqlite://", ("not-a-key",))
    keyless = open_store("sqlite://", ())
    assert not keyless.sessions.available
    with pytest.raises(StoreUnavailableError, match="no secret key"):
        keyless.sessions.create(source="Sandbox", user_id=1, email="a@b", user={}, tokens={})
    keyless.close()


def test_the_head_the_store_checks_is_the_newest_migration() -> None:
    """A database at HEAD_REVISION is opened without Alembic: it must be Alembic's head."""
    assert head_revision() == HEAD_REVISION


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "SELECT version_num FROM alembic_version",
        {},
        sqlite3.OperationalError("database is locked"),
    )


def test_a_migration_told_the_database_is_locked_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine_module._at_head
    refusals = [_locked(), _locked()]
    pauses: list[float] = []

    def at_head(engine: sa.Engine) -> bool:
        if refusals:
            raise refusals.pop()
        return real(engine)

    monkeypatch.setattr(engine_module, "_at_head", at_head)
    engine = create_engine(f"sqlite:///{tmp_path / 'leadlens.sqlite'}")
    migrate(engine, pause=pauses.append)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert pauses == [LOCKED_PAUSE_SECONDS, 2 * LOCKED_PAUSE_SECONDS], "a little later each time"


def test_a_migration_gives_up_on_a_lasting_lock_and_at_once_on_another_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []

    def always_locked(_engine: sa.Engine) -> bool:
        raise _locked()

    monkeypatch.setattr(engine_module, "_at_head", always_locked)
    engine = create_engine(f"sqlite:///{tmp_path / 'leadlens.sqlite'}")
    with pytest.raises(sa.exc.OperationalError, match="database is locked"):
        migrate(engine, pause=pauses.append)
    assert len(pauses) == LOCKED_ATTEMPTS - 1

    def no_table(_engine: sa.Engine) -> bool:
        raise sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(engine_module, "_at_head", no_table)
    pauses.clear()
    with pytest.raises(sa.exc.OperationalError, match="disk I/O error"):
        migrate(engine, pause=pauses.append)
    assert pauses == [], "only a lock is waited out"
    engine.dispose()
