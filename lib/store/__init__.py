"""Lead Lens's own database: sign-ins that last across tabs, saved views (and, the same way,
any page's saved settings), recent and pinned leads. Never lead data: that stays in Convertr.

SQLite under `.data/` by default; PostgreSQL (`LEADLENS_DATABASE_URL=postgresql+psycopg://...`)
when several replicas share one state. Opening migrates it to the newest revision.

```python
from lib.store import open_store, StoreUnavailableError
store = open_store(url, keys)          # raises StoreUnavailableError (one line, no secret)
store.sessions   # SignInSessions: create, find, check, reload, save_tokens, revoke, purge
store.settings   # SavedSettingsStore: create, visible, get, update, delete, defaults
store.marks      # LeadMarks: opened, pin, unpin, recent, pinned
```

No Streamlit here: `lib/ui/workspace.py` opens one store per process and draws it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from lib.store.crypto import Sealer
from lib.store.engine import create_engine, database_url, migrate, shown_url
from lib.store.errors import (
    SettingsConflictError,
    SettingsNotFoundError,
    SettingsRefusedError,
    SignInIdleError,
    SignInNotFoundError,
    StoreError,
    StoreUnavailableError,
)
from lib.store.marks import LeadMark, LeadMarks
from lib.store.records import Owner, SavedSettings
from lib.store.sessions import SignInSessions, StoredSignIn
from lib.store.settings import SavedSettingsStore

__all__ = [
    "LeadMark",
    "LeadMarks",
    "Owner",
    "SavedSettings",
    "SavedSettingsStore",
    "SettingsConflictError",
    "SettingsNotFoundError",
    "SettingsRefusedError",
    "SignInIdleError",
    "SignInNotFoundError",
    "SignInSessions",
    "Store",
    "StoreError",
    "StoreUnavailableError",
    "StoredSignIn",
    "database_url",
    "open_store",
    "shown_url",
]


@dataclass(frozen=True)
class Store:
    engine: sa.Engine
    sessions: SignInSessions
    settings: SavedSettingsStore
    marks: LeadMarks

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def open_store(url: str, keys: tuple[str, ...], *, clock: Callable[[], float] = time.time) -> Store:
    """The app database at `url`, migrated, sealing tokens with `keys`. Raises
    StoreUnavailableError (one line, never the password) when it cannot be used."""
    sealer = Sealer(keys)
    engine = create_engine(url)
    try:
        migrate(engine)
    except (sa.exc.SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise StoreUnavailableError(
            f"cannot use the app database at {shown_url(url)}: {_first_line(error)}"
        ) from None
    return Store(
        engine=engine,
        sessions=SignInSessions(engine, sealer, clock),
        settings=SavedSettingsStore(engine, clock),
        marks=LeadMarks(engine, clock),
    )
