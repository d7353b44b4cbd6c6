"""The client's request log: every HTTP attempt with its method, path, query, status, duration,
size, and the wave and scope it belonged to, for the request inspector (issue 13).

The log never holds a secret: it records no header (the bearer token travels in one) and no
body (the login's password travels in one), and a query parameter whose name suggests a
secret has its value replaced by `REDACTED` (Convertr's queries carry none; this is the belt
to that braces).

Two context variables tag requests without changing any method's signature: `REQUEST_SCOPE`
(who asked: a page's run, set by the UI) and `REQUEST_WAVE` (which dossier wave, set by
`dossier.load_dossier` in the context each part's request runs in).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

import httpx

MAX_RECORDS: Final = 2_000
"""Records kept per client (the oldest drop out): a few pages' worth of requests."""
REDACTED: Final = "[redacted]"
SECRET_WORDS: Final = (
    "token",
    "password",
    "passwd",
    "secret",
    "auth",
    "apikey",
    "api_key",
    "signature",
    "credential",
    "session",
)
"""A query parameter whose name contains one of these has its value redacted."""
FAILED_STATUS: Final = 0
"""The status of an attempt that got no answer (a timeout, a refused connection)."""

REQUEST_SCOPE: ContextVar[str | None] = ContextVar("convertr_request_scope", default=None)
"""Who sent the requests of this context (e.g. one run of one page in one browser session)."""
REQUEST_WAVE: ContextVar[int | None] = ContextVar("convertr_request_wave", default=None)
"""The dossier wave (1, 2, 3) a request belongs to; None outside a dossier load."""


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP attempt (a retry is its own record)."""

    seq: int
    """Its number in this client's log (1, 2, ...): later requests have higher numbers."""
    method: str
    path: str
    query: str
    """The query string, secrets redacted (empty when none)."""
    status: int
    """The HTTP status, or `FAILED_STATUS` when no answer came."""
    started: float
    """When it was sent (seconds since the epoch)."""
    elapsed_ms: float
    """From sending to the end of the answer's body."""
    size: int
    """Bytes of the body as received."""
    wave: int | None
    scope: str | None


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def safe_query(url: httpx.URL) -> str:
    """The URL's query with every secret-looking parameter's value redacted."""
    if not url.query:
        return ""
    params = httpx.QueryParams(url.query)
    return str(
        httpx.QueryParams(
            [
                (name, REDACTED if is_secret_name(name) else value)
                for name, value in params.multi_items()
            ]
        )
    )


class RequestLog:
    """A bounded, thread-safe log of `RequestRecord`s."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=max_records)
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    @property
    def last_seq(self) -> int:
        """The number of the last request sent (0 before any)."""
        with self._lock:
            return self._seq

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self, *, scope: str | None = None, after: int = 0) -> tuple[RequestRecord, ...]:
        """The records (of `scope` when given) numbered above `after`, in order sent."""
        with self._lock:
            found = [
                record
                for record in self._records
                if record.seq > after and (scope is None or record.scope == scope)
            ]
        return tuple(sorted(found, key=lambda record: record.seq))


class _CountingStream(httpx.SyncByteStream):
    """The answer's body, counted as it is read; `done(size)` when it is closed."""

    def __init__(self, inner: httpx.SyncByteStream, done: Callable[[int], None]) -> None:
        self._inner = inner
        self._done = done
        self._size = 0
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._size += len(chunk)
            yield chunk

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._done(self._size)
        self._inner.close()


def logged_send(
    log: RequestLog, request: httpx.Request, send: Callable[[httpx.Request], httpx.Response]
) -> httpx.Response:
    """`send(request)`, recorded in `log` when the answer's body is closed (or at once when
    no answer came)."""
    seq = log.next_seq()
    started, clock = time.time(), time.perf_counter()
    wave, scope = REQUEST_WAVE.get(), REQUEST_SCOPE.get()
    query = safe_query(request.url)

    def done(status: int, size: int) -> None:
        log.add(
            RequestRecord(
                seq=seq,
                method=request.method,
                path=request.url.path,
                query=query,
                status=status,
                started=started,
                elapsed_ms=(time.perf_counter() - clock) * 1000,
                size=size,
                wave=wave,
                scope=scope,
            )
        )

    try:
        response = send(request)
    except BaseException:
        done(FAILED_STATUS, 0)
        raise
    status = response.status_code
    try:
        # An answer made whole in memory (a mock, a cached body) is recorded at once.
        size = len(response.content)
    except httpx.ResponseNotRead:
        stream = response.stream
        if isinstance(stream, httpx.SyncByteStream):
            response.stream = _CountingStream(stream, lambda size: done(status, size))
        else:
            done(status, 0)
    else:
        done(status, size)
    return response
