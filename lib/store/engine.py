"""Where the app database is and how it is opened: the URL from the environment (or
secrets), an engine tuned per dialect, and Alembic's migrations run to the newest revision at
start, once at a time however many replicas start together.

SQLite under `.data/` unless `LEADLENS_DATABASE_URL` names another database (PostgreSQL
through psycopg 3: ``postgresql+psycopg://user:password@host/db``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from lib.store.errors import StoreUnavailableError

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

ENV_DATABASE_URL: Final = "LEADLENS_DATABASE_URL"
SECRET_DATABASE_URL: Final = "leadlens_database_url"
PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_PATH: Final = PROJECT_ROOT / ".data" / "leadlens.sqlite"
MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION: Final = "0001_workspace"
"""The newest migration's revision (a test keeps it Alembic's head): a database already there
is opened without importing Alembic (a quarter of a second of every server's first page)."""
MIGRATION_LOCK_KEY: Final = 0x1EAD1E25
"""PostgreSQL advisory lock held while migrating: replicas starting together wait in turn."""
CONNECT_TIMEOUT_SECONDS: Final = 3
"""An unreachable database is said quickly; the app then goes on without saving."""
SQLITE_BUSY_SECONDS: Final = 10
LOCKED_ATTEMPTS: Final = 5
"""Tries of a migration that SQLite answered "database is locked": SQLite can say so at once,
without its busy wait, when it judges waiting could not help (a connection's stale snapshot,
for one). Replicas starting together on one file met it once under load; each next try
starts afresh."""
LOCKED_PAUSE_SECONDS: Final = 0.1


def database_url(env: Mapping[str, str], secrets: Mapping[str, Any] | None = None) -> str:
    """The configured URL (environment first, then secrets), else SQLite under `.data/`."""
    configured = env.get(ENV_DATABASE_URL) or (secrets or {}).get(SECRET_DATABASE_URL)
    if configured:
        return str(configured).strip()
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


def shown_url(url: str | sa.URL) -> str:
    """The URL for a message or a log line: never its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "an unreadable URL"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def create_engine(url: str) -> sa.Engine:
    """An engine for `url`: SQLite with foreign keys, WAL and a busy wait (its folder made);
    PostgreSQL with a short connect timeout and pre-ping (a restarted server is survived)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as error:
        raise StoreUnavailableError(f"the app database URL cannot be read: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
    raise StoreUnavailableError(
        f"expected a sqlite:/// or postgresql+psycopg:// URL for the app database, "
        f"got {shown_url(parsed)}"
    )


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@contextlib.contextmanager
def _migration_lock(connection: sa.Connection) -> Iterator[None]:
    """One migrator at a time: an advisory lock on PostgreSQL, a file lock beside a SQLite
    file (replicas of one SQLite file share a machine)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.rollback()
            connection.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            connection.commit()
        return
    database = connection.engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _at_head(engine: sa.Engine) -> bool:
    """Whether the database is at HEAD_REVISION already (read without Alembic)."""
    with engine.connect() as connection:
        try:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            return list(found.scalars()) == [HEAD_REVISION]
        except sa.exc.DBAPIError:  # no version table yet: a new database
            return False


def migrate(engine: sa.Engine, *, pause: Callable[[float], None] = time.sleep) -> None:
    """Bring the database to the newest revision (nothing to do when it is there already),
    trying again, a little later each time, while SQLite says the database is locked."""
    for attempt in range(1, LOCKED_ATTEMPTS + 1):
        try:
            _migrate_once(engine)
            return
        except sa.exc.OperationalError as error:
            if attempt == LOCKED_ATTEMPTS or "database is locked" not in str(error.orig):
                raise
            logger.info("app database locked while migrating; trying again (%d)", attempt)
            pause(LOCKED_PAUSE_SECONDS * attempt)


def _migrate_once(engine: sa.Engine) -> None:
    if _at_head(engine):
        return
    from alembic import command

    with engine.connect() as connection, _migration_lock(connection):
        command.upgrade(_alembic_config(connection), "head")
        connection.commit()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
