"""The transport: how one request travels, within its deadline, retried when it may be,
counted and logged.

Every request has one deadline (``ClientConfig.request_deadline``) for connecting, waiting,
reading, every retry and every pause between retries; on the network each socket operation is
cut to what is left of it (``_DeadlineBackend``), so a stalled or trickling server is reported
in time. Idempotent requests are retried by ``httpx_retries.RetryTransport``; POSTs (login,
saving a value) are never resent. Every attempt is counted and logged
(``requestlog.logged_send``). `Sender` puts these together and turns whatever goes wrong in
the transport or in decoding into a ``ConvertrError``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import httpcore
import httpx
from httpx_retries import Retry, RetryTransport

from lib.convertr.config import ClientConfig
from lib.convertr.constants import (
    CONNECT_TIMEOUT,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
    MAX_RESPONSE_BYTES,
    MAX_RETRY_DELAY,
    MAX_TOTAL_RETRY_DELAY,
    RETRY_BACKOFF_FACTOR,
    RETRY_METHODS,
    RETRY_STATUSES,
)
from lib.convertr.errors import (
    ConnectError,
    ConvertrError,
    RedirectError,
    RequestTimeoutError,
    ResponseDecodingError,
    ResponseTooLargeError,
    TransportError,
    error_class_for_status,
    single_line,
)
from lib.convertr.hydra import describe_input
from lib.convertr.requestlog import RequestLog, logged_send

logger = logging.getLogger("lib.convertr.client")

Params = Sequence[tuple[str, str | int]]
"""Query parameters in order (a filter may repeat: ``campaign.id[]=1&campaign.id[]=2``)."""

KEEPALIVE_EXPIRY: Final = 60.0
"""Seconds an idle pooled connection is kept (httpx keeps 5): a person reads a lead for longer
than that, and the next dossier's first wave would otherwise open (and on TLS, negotiate)
every connection again. A connection the server closed meanwhile is seen before reuse, and a
GET that still meets one is retried."""


class _Deadline:
    """The moment one request must be finished by, on the client's clock."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.ends_at = clock() + seconds

    def remaining(self) -> float:
        return self.ends_at - self.clock()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0


_CURRENT_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "convertr_request_deadline", default=None
)
"""The deadline of the request this thread is sending. The sockets are pooled and shared by
every request, so a socket looks the deadline up at each operation rather than holding one."""


_ON_SEND: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "convertr_on_send", default=None
)
"""Called once, in this thread, when its next request is handed to the transport."""


@contextlib.contextmanager
def on_send(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` once the next request of this thread is sent: the moment its last
    byte is written, on a transport that reports it (the network's), else the moment it is
    handed to the transport; at the latest when the block ends, even if no request was sent.

    The dossier starts a request's siblings this way: the request heading the longest chain
    goes out first, and the others follow at once. On the network they wait until it is
    written: started any earlier, their threads would take turns with it while it is still
    being sent (building their requests, taking their pooled connections), and it would reach
    the server behind them.
    """
    called = False

    def once() -> None:
        nonlocal called
        if not called:
            called = True
            callback()

    token = _ON_SEND.set(once)
    try:
        yield
    finally:
        _ON_SEND.reset(token)
        once()


def _time_left(timeout: float | None, on_expiry: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current request's deadline."""
    deadline = _CURRENT_DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline.remaining()
    if remaining <= 0:
        raise on_expiry(f"the {deadline.seconds:g} s request deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read, write and TLS handshake ends by the request's deadline.

    httpx's read timeout restarts with each read, so a server trickling a byte every few
    seconds would never trip it; a deadline on every operation does.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _time_left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every connection a ``_DeadlineStream``."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            _time_left(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _time_left(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


WRITTEN_EVENT_SUFFIX: Final = ".send_request_body.complete"
"""The end of httpcore's ``trace`` event sent once a request's last byte is written
(``http11.send_request_body.complete``, ``http2.send_request_body.complete``)."""


class _CountingTransport(httpx.BaseTransport):
    """Counts every attempt that reaches the wire (inside the retry loop, so retries count),
    and calls this thread's `on_send` callback once the request is sent."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        on_send: Callable[[], None],
        log: RequestLog | None = None,
    ) -> None:
        self._inner = inner
        self._on_send = on_send
        self._log = log
        self._reports_writes: bool | None = None
        """Whether the wire reports, through httpcore's ``trace`` extension, when a request is
        written: learned from the first request (the network does; an in-process or mock
        transport does not). Unknown or not: an `on_send` callback is called before sending."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._on_send()
        hook = _ON_SEND.get()
        if hook is not None:
            _ON_SEND.set(None)
            if not self._reports_writes:
                hook()
                hook = None
        if hook is not None or self._reports_writes is None:
            request.extensions["trace"] = self._tracer(hook, request.extensions.get("trace"))
        try:
            if self._log is None:
                return self._inner.handle_request(request)
            return logged_send(self._log, request, self._inner.handle_request)
        finally:
            if self._reports_writes is None:
                self._reports_writes = False
            if hook is not None:
                hook()  # not written (a failure): called all the same (it runs only once)

    def _tracer(
        self, hook: Callable[[], None] | None, inner: Callable[[str, Any], Any] | None
    ) -> Callable[[str, Any], None]:
        """httpcore's ``trace`` callback: learns that the wire reports its writes, and calls
        ``hook`` (an `on_send` callback, which runs only once) when the request is written."""

        def trace(event: str, info: Any) -> None:
            self._reports_writes = True
            if hook is not None and event.endswith(WRITTEN_EVENT_SUFFIX):
                hook()
            if inner is not None:
                inner(event, info)

        return trace

    def close(self) -> None:
        self._inner.close()


class _RetryRefused(Exception):
    """Raised inside the retry loop when the next attempt could not end before the deadline.

    Never leaves the client: ``_send`` turns it into the error of the last answer.
    """

    def __init__(
        self, last: httpx.Response | Exception, reason: str, user_message: str | None = None
    ) -> None:
        super().__init__(reason)
        self.last = last
        self.reason = reason
        self.user_message = user_message


class _DeadlineRetry(Retry):
    """httpx-retries' policy with our limits, an injectable ``sleep`` and the request deadline.

    One policy is built per client; ``for_request`` binds a copy to a request's deadline.
    Past the deadline nothing is resent, and no pause (backoff or ``Retry-After``) is taken
    that would end after it: the request then fails at once, saying why.
    """

    def __init__(
        self,
        *args: Any,
        pause: Callable[[float], None] = time.sleep,
        deadline: _Deadline | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pause = pause
        self.deadline = deadline

    def _carry(self, new: Retry, deadline: _Deadline | None) -> _DeadlineRetry:
        # Retry.copy_with rebuilds from its own arguments only: carry ours over.
        assert isinstance(new, _DeadlineRetry)
        new.pause, new.deadline = self.pause, deadline
        return new

    def for_request(self, deadline: _Deadline) -> _DeadlineRetry:
        return self._carry(self.copy_with(), deadline)

    def increment(self) -> Retry:
        return self._carry(super().increment(), self.deadline)

    def is_exhausted(self) -> bool:
        exhausted: bool = super().is_exhausted()
        return exhausted or (self.deadline is not None and self.deadline.passed)

    def sleep(self, response: httpx.Response | Exception) -> None:
        headers = response.headers if isinstance(response, httpx.Response) else httpx.Headers()
        seconds: float = self._calculate_sleep(headers)
        if self.deadline is not None:
            self._refuse_a_pause_past_the_deadline(response, headers, seconds, self.deadline)
        self.pause(seconds)
        self.elapsed_sleep += seconds

    def _refuse_a_pause_past_the_deadline(
        self,
        response: httpx.Response | Exception,
        headers: httpx.Headers,
        seconds: float,
        deadline: _Deadline,
    ) -> None:
        remaining = deadline.remaining()
        left = (
            f"the {max(remaining, 0.0):.1f} s left of the {deadline.seconds:g} s request deadline"
        )
        asked = self._retry_after(headers)
        if asked is not None and asked > remaining:
            retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=asked)
            when = f"{retry_at:%H:%M:%S} UTC"
            raise _RetryRefused(
                response,
                f"it asks to be retried after {asked:g} s, more than {left}: try again after "
                f"{when}",
                user_message=f"The Convertr API is busy and asks to try again after {when}.",
            )
        if seconds >= remaining:
            raise _RetryRefused(
                response, f"the next retry, {seconds:.1f} s from now, would start after {left}"
            )

    def _retry_after(self, headers: httpx.Headers) -> float | None:
        raw = headers.get("Retry-After", "").strip()
        if not raw or not self.respect_retry_after_header:
            return None
        try:
            seconds: float = self.parse_retry_after(raw)
        except ValueError:
            return None
        return seconds


def _retry_policy(sleep: Callable[[float], None], total: int) -> _DeadlineRetry:
    """httpx-retries' policy with our limits and an injectable ``sleep`` (tests pass a fake)."""
    return _DeadlineRetry(
        total=total,
        allowed_methods=RETRY_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=RETRY_BACKOFF_FACTOR,
        max_backoff_wait=MAX_RETRY_DELAY,
        total_timeout=MAX_TOTAL_RETRY_DELAY,
        pause=sleep,
    )


class _ConnectionPool(httpcore.ConnectionPool):
    """httpcore's connection pool (version 1.0.9), its housekeeping done when it is needed.

    Whenever a request was taken or an answer closed, httpcore's pool looked at every
    connection: for each idle one it asked the socket whether the server had closed it (a
    system call, which lets every other thread take the interpreter first) and counted the
    pool by building a list over every connection (quadratic). With the ten-odd connections
    a dossier keeps, the thread of the longest chain went through some twenty such calls
    between reading one answer and sending the next request, and lost its turn to the
    siblings' threads at each. Here the pool is counted with ``len``, and an idle
    connection is checked (keep-alive expired, closed by the server) when a request would
    reuse it: a stale one is then closed and the next one tried, so no request ever goes
    out on a connection the server closed, as before. (Compare with a later httpcore
    before the pin moves.)
    """

    def _assign_requests_to_connections(self) -> list[httpcore.ConnectionInterface]:
        closing_connections: list[httpcore.ConnectionInterface] = []

        # Connections that are closed, idle beyond the connections to keep, or (busy ones:
        # no system call) have expired; an idle one is checked when it would be reused.
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.is_idle():
                if len(self._connections) > self._max_keepalive_connections:
                    self._connections.remove(connection)
                    closing_connections.append(connection)
            elif connection.has_expired():
                self._connections.remove(connection)
                closing_connections.append(connection)

        # Queued requests to connections: reuse a live one, open one, or close an idle one
        # and open one in its place.
        queued_requests = [request for request in self._requests if request.is_queued()]
        for pool_request in queued_requests:
            origin = pool_request.request.url.origin
            reused = self._live_connection(origin, closing_connections)
            idle_connections = [
                connection for connection in self._connections if connection.is_idle()
            ]
            if reused is not None:
                pool_request.assign_to_connection(reused)
            elif len(self._connections) < self._max_connections:
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
            elif idle_connections:
                self._connections.remove(idle_connections[0])
                closing_connections.append(idle_connections[0])
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)

        return closing_connections

    def _live_connection(
        self, origin: httpcore.Origin, closing: list[httpcore.ConnectionInterface]
    ) -> httpcore.ConnectionInterface | None:
        """The first available connection to `origin` that has not expired; the expired ones
        met on the way leave the pool (into `closing`)."""
        for connection in list(self._connections):
            if not (connection.can_handle_request(origin) and connection.is_available()):
                continue
            if connection.has_expired():
                self._connections.remove(connection)
                closing.append(connection)
                continue
            return connection
        return None


def network_transport() -> httpx.HTTPTransport:
    """The pooled network transport a real enterprise is reached through.

    Its sockets end every operation by the current request's deadline (``_DeadlineBackend``).
    httpx offers no way to pass httpcore a network backend, so its pool is rebuilt with the
    same settings around one (a `_ConnectionPool`: httpcore's, its housekeeping when needed).
    """
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = _ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(httpcore.SyncBackend()),
    )
    return transport


def _read_body(response: httpx.Response, deadline: _Deadline, where: str) -> bytes:
    """The decoded body, read chunk by chunk so that neither its size nor the deadline is
    outrun (a gzip bomb or an endless body is refused, whatever the transport)."""
    declared = response.headers.get("content-length", "")
    # ASCII digits only: "²".isdigit() is true and int("²") raises.
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise ResponseTooLargeError(
            f"{where}: expected an answer of at most {MAX_RESPONSE_BYTES} bytes, got one of "
            f"{declared} bytes"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ResponseTooLargeError(
                f"{where}: expected an answer of at most {MAX_RESPONSE_BYTES} bytes once "
                f"decoded, got more ({size} bytes read so far)"
            )
        if deadline.passed:
            raise httpx.ReadTimeout("the request deadline passed while reading the body")
        chunks.append(chunk)
    return b"".join(chunks)


def _with_content(response: httpx.Response, content: bytes) -> httpx.Response:
    """A complete response holding the decoded body; the encoding headers are dropped with
    the encoding, so reading it does not decode again."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )


class Sender:
    """Sends one request through the retrying, counting, logging stack and reads its body
    within the request's deadline; whatever goes wrong leaves it as a ``ConvertrError``.

    Knows nothing of tokens or answers' shapes: `BaseClient` adds the ``Authorization``
    header and reads the JSON.
    """

    def __init__(
        self,
        config: ClientConfig,
        wire: httpx.BaseTransport,
        *,
        base_url: str,
        display_name: str,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        max_retries: int,
    ) -> None:
        self.config = config
        self.display_name = display_name
        self._clock = clock
        self._count_lock = threading.Lock()
        self._request_count = 0
        self.request_log = RequestLog()
        """Every attempt sent (bounded), for the request inspector; never a secret."""
        self._retry = _retry_policy(sleep, max_retries)
        retrying = RetryTransport(
            transport=_CountingTransport(wire, self._count_request, self.request_log),
            retry=self._retry,
        )
        self.http = httpx.Client(
            base_url=base_url,
            transport=retrying,
            # Waiting for a pooled connection is no socket operation: bound it here.
            timeout=httpx.Timeout(
                config.timeout,
                connect=CONNECT_TIMEOUT,
                pool=min(config.timeout, config.request_deadline),
            ),
            headers={"Accept": "application/ld+json, application/json"},
            follow_redirects=False,
        )

    def _count_request(self) -> None:
        with self._count_lock:
            self._request_count += 1

    @property
    def request_count(self) -> int:
        """HTTP attempts sent so far, retries and logins included."""
        with self._count_lock:
            return self._request_count

    def close(self) -> None:
        self.http.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: object = None,
    ) -> httpx.Response:
        path = httpx.URL(url).path
        logger.debug("%s %s", method, path)
        deadline = _Deadline(self._clock, self.config.request_deadline)
        current = _CURRENT_DEADLINE.set(deadline)
        try:
            request = self.http.build_request(
                method,
                url,
                params=list(params) if params is not None else None,
                headers=headers,
                data=data,
                json=json,
                extensions={"retry": self._retry.for_request(deadline)},
            )
            response = self.http.send(request, stream=True)
            try:
                content = _read_body(response, deadline, f"{method} {path}")
            finally:
                response.close()
        except ConvertrError:
            raise
        except _RetryRefused as refused:
            raise self._refused_error(refused, method, path, deadline) from None
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, method, path, deadline) from None
        except Exception as exc:
            # Not an httpx error: a bug in a transport (or the in-process sandbox). Logged
            # with its traceback, and still one error of the tree for the caller.
            logger.exception("%s %s failed unexpectedly", method, path)
            raise TransportError(
                f"{method} {path}: no usable answer from {self.display_name}: "
                f"{type(exc).__name__}: {single_line(exc)}"
            ) from None
        finally:
            _CURRENT_DEADLINE.reset(current)
        if 300 <= response.status_code < 400:
            raise self._redirect_error(response, method, path)
        return _with_content(response, content)

    def _transport_error(
        self, exc: Exception, method: str, path: str, deadline: _Deadline, note: str = ""
    ) -> ConvertrError:
        """The error of the tree for an exception of the transport or of decoding."""
        where, base = f"{method} {path}", self.display_name
        if isinstance(exc, httpx.DecodingError):
            return ResponseDecodingError(
                f"{where}: expected a body that can be decoded, got one that cannot: "
                f"{single_line(exc)}{note}"
            )
        if isinstance(exc, httpx.TimeoutException):
            if deadline.passed:
                return RequestTimeoutError(
                    f"{where}: {base} did not answer within the {deadline.seconds:g} s request "
                    f"deadline ({type(exc).__name__}){note}"
                )
            return RequestTimeoutError(
                f"{where}: {base} did not answer in time ({type(exc).__name__}){note}"
            )
        if isinstance(exc, httpx.ConnectError):
            return ConnectError(f"{where}: could not connect to {base}: {single_line(exc)}{note}")
        return TransportError(
            f"{where}: no answer from {base}: {type(exc).__name__}: {single_line(exc)}{note}"
        )

    def _refused_error(
        self, refused: _RetryRefused, method: str, path: str, deadline: _Deadline
    ) -> ConvertrError:
        """The error of the last attempt when no retry fits in what is left of the deadline."""
        last = refused.last
        note = f"; not retried: {refused.reason}"
        if not isinstance(last, httpx.Response):
            return self._transport_error(last, method, path, deadline, note)
        status = last.status_code
        return error_class_for_status(status)(
            f"{method} {path}: expected a successful answer, got {status} "
            f"{last.reason_phrase}{note}",
            status=status,
            method=method,
            path=path,
            user_message=refused.user_message,
        )

    def _redirect_error(self, response: httpx.Response, method: str, path: str) -> RedirectError:
        # Redirects are never followed: a Location on another host would otherwise receive
        # the Bearer token, and an API Platform API does not redirect its own resources.
        location = response.headers.get("location")
        target = f"to {describe_input(location)}" if location else "without a Location"
        return RedirectError(
            f"{method} {path}: expected an answer, got a redirect ({response.status_code}) "
            f"{target}, which is not followed: set the API's own address as the base URL",
            status=response.status_code,
            method=method,
            path=path,
            location=location,
        )
