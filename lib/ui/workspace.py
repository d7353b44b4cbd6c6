"""The app database for the pages (`lib.store`): opened and migrated once per process, or the
one line saying why it cannot be used (tried again after a minute). Without it the app works
as before, without saving: sign-ins last one tab, views and recent leads are not kept.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Final

from lib import connect
from lib.convertr import ClientConfig
from lib.store import Store, StoreUnavailableError, database_url, open_store
from lib.store.crypto import configured_keys, sandbox_key
from lib.ui.cached_api import _secrets as app_secrets

logger = logging.getLogger(__name__)

RETRY_SECONDS: Final = 60.0
"""An unusable database is tried again after this long (not on every rerun)."""
NOT_SAVING: Final = (
    "Not saving: {problem}. Sign-ins last this tab only; views and recent leads are not kept."
)


@dataclass(frozen=True)
class Workspace:
    """The store, or why there is none (one line, no secret)."""

    store: Store | None
    problem: str | None = None

    @property
    def keeps_sign_ins(self) -> bool:
        return self.store is not None and self.store.sessions.available


_lock = threading.Lock()
_opened: dict[tuple[str, tuple[str, ...]], Store] = {}
_failed: dict[tuple[str, tuple[str, ...]], tuple[float, str]] = {}


def _keys(config: ClientConfig) -> tuple[str, ...]:
    configured = configured_keys(os.environ, app_secrets())
    if configured:
        return configured
    # The sandbox's tokens guard nothing: a key generated beside its data will do. A real
    # enterprise's must be configured (kept apart from the database it protects).
    return (sandbox_key(),) if connect.is_sandbox(config) else ()


def open_workspace(config: ClientConfig) -> Workspace:
    """This process's store for `config` (opened on first use)."""
    url = database_url(os.environ, app_secrets())
    try:
        keys = _keys(config)
    except OSError as error:
        return Workspace(store=None, problem=f"cannot read or write the sandbox's key: {error}")
    key = (url, keys)
    with _lock:
        store = _opened.get(key)
        if store is not None:
            return Workspace(store=store)
        failure = _failed.get(key)
        if failure is not None and time.monotonic() - failure[0] < RETRY_SECONDS:
            return Workspace(store=None, problem=failure[1])
        try:
            store = open_store(url, keys)
        except StoreUnavailableError as error:
            _failed[key] = (time.monotonic(), str(error))
            logger.warning("app database unavailable: %s", error)
            return Workspace(store=None, problem=str(error))
        _failed.pop(key, None)
        _opened[key] = store
        return Workspace(store=store)


def not_saving_line(workspace: Workspace) -> str | None:
    """The one line a page shows when nothing is being saved."""
    if workspace.problem is None:
        return None
    return NOT_SAVING.format(problem=workspace.problem)
