"""Reference data shared by everyone of one role at one source: a campaign, its Processr jobs,
its editable-field definitions and its contracts change rarely and read the same for every
visitor of that role, so a dossier reads them here before it asks the API.

The caller keeps one `ReferenceData` per (source, role) (the dashboard: `cached_api`), never
one across sources or roles: what a role may see can differ. Entries live `ttl` seconds;
errors are never kept; `clear()` forgets everything (a Refresh).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

T = TypeVar("T")

DEFAULT_TTL_SECONDS: Final = 300.0
MAX_ENTRIES: Final = 2048
"""Entries kept at most (the oldest go first): a few per campaign."""


class ReferenceData:
    """A small thread-safe cache of reference answers, by kind and key, with a TTL."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, Hashable], tuple[float, Any]] = OrderedDict()

    def __repr__(self) -> str:
        return f"ReferenceData(ttl={self.ttl:g}, entries={len(self._entries)})"

    def lookup(self, kind: str, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when a fresh answer is kept, else (False, None)."""
        with self._lock:
            entry = self._entries.get((kind, key))
            if entry is None:
                return False, None
            stored_at, value = entry
            if self._clock() - stored_at > self.ttl:
                del self._entries[(kind, key)]
                return False, None
            return True, value

    def store(self, kind: str, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[(kind, key)] = (self._clock(), value)
            self._entries.move_to_end((kind, key))
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def fetching(self, kind: str, key: Hashable, fetch: Callable[[], T]) -> Callable[[], T]:
        """`fetch`, keeping its answer (not its error) under (kind, key)."""

        def fetch_and_keep() -> T:
            value = fetch()
            self.store(kind, key, value)
            return value

        return fetch_and_keep

    def get(self, kind: str, key: Hashable, fetch: Callable[[], T]) -> T:
        """The kept answer, else `fetch`'s (then kept)."""
        found, value = self.lookup(kind, key)
        if found:
            return value  # type: ignore[no-any-return]
        return self.fetching(kind, key, fetch)()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
