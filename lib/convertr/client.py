"""The synchronous, thread-safe Convertr v4 client over one pooled ``httpx.Client``.

The same code talks to the embedded sandbox and to a real enterprise: only the transport
differs (``httpx.WSGITransport`` in-process, or the network). Idempotent requests are retried
by ``httpx_retries.RetryTransport``; POSTs (login, saving a value) are never resent.

Answers are read as real API Platform servers send them: collections with or without the
``hydra:`` prefix and with or without a total (partial pagination), the filters a collection
advertises (``search``), errors in Hydra, problem+json, OAuth2 or JWT style, and lead statuses
as codes or labels (``docs/api.md``, "Real responses").

Every request has one deadline (``ClientConfig.request_deadline``) for connecting, waiting,
reading, every retry and every pause between retries; on the network each socket operation is
cut to what is left of it, so a stalled or trickling server is reported in time. Whatever goes
wrong in the transport or in decoding leaves the client as a ``ConvertrError``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import email.utils
import enum
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal, TypeVar

import httpcore
import httpx
import pydantic
import pydantic_core
from httpx_retries import Retry, RetryTransport
from pydantic import SecretStr

from lib.convertr.config import ClientConfig
from lib.convertr.constants import (
    API_PREFIX,
    CHRONOLOGY_ITEMS_PER_PAGE,
    CONNECT_TIMEOUT,
    DOSSIER_WORKERS,
    ITEMS_PER_PAGE,
    LOGIN_PATH,
    LOGOUT_PATH,
    MAX_CONNECTIONS,
    MAX_ITEMS_PER_PAGE,
    MAX_KEEPALIVE_CONNECTIONS,
    MAX_PAGES,
    MAX_RESPONSE_BYTES,
    MAX_RETRIES,
    MAX_RETRY_DELAY,
    MAX_TOTAL_RETRY_DELAY,
    PROBE_ITEMS_PER_PAGE,
    REFRESH_GRANT,
    RETRY_BACKOFF_FACTOR,
    RETRY_METHODS,
    RETRY_STATUSES,
    SANDBOX_BASE_URL,
    TOKEN_RENEWAL_MARGIN,
)
from lib.convertr.errors import (
    AccountLockedError,
    APIError,
    AuthenticationError,
    AuthError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConnectError,
    ConvertrError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    LoginThrottledError,
    MfaChallenge,
    MfaRequiredError,
    PaginationError,
    PasswordExpiredError,
    PermissionDeniedError,
    RedirectError,
    RequestTimeoutError,
    ResponseDecodingError,
    ResponseFormatError,
    ResponseTooLargeError,
    SessionExpiredError,
    TransportError,
    ValidationError,
    Violation,
    error_class_for_status,
    read_error_body,
    single_line,
)
from lib.convertr.models import (
    PROCESSR_STATUSES,
    ApiModel,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    FormatWarning,
    Lead,
    LeadData,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    LogType,
    Page,
    ProcessrJobLead,
    ProcessrStatus,
    Publisher,
    Statistic,
    StatusCodes,
    User,
    parse_context,
    status_from_text,
    validate_strictly,
)
from lib.convertr.requestlog import RequestLog, logged_send
from lib.convertr.tokens import HeldTokens

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=ApiModel)
Params = Sequence[tuple[str, str | int]]


class _Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""Marker for "no previous value given" in ``save_lead_data``."""

_MAX_SHOWN_INPUT = 80
KEEPALIVE_EXPIRY: Final = 60.0
"""Seconds an idle pooled connection is kept (httpx keeps 5): a person reads a lead for longer
than that, and the next dossier's first wave would otherwise open (and on TLS, negotiate)
every connection again. A connection the server closed meanwhile is seen before reuse, and a
GET that still meets one is retried."""
WORKER_START_TIMEOUT: Final = 5.0
"""Seconds the dossier's workers wait for each other to start (they start in milliseconds)."""


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
    """Call ``callback`` the moment the next request of this thread is handed to the
    transport (at the latest when the block ends, even if no request was sent).

    The dossier starts a request's siblings this way: the request heading the longest chain
    goes out first, and the others follow at once.
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


class _CountingTransport(httpx.BaseTransport):
    """Counts every attempt that reaches the wire (inside the retry loop, so retries count)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        on_send: Callable[[], None],
        log: RequestLog | None = None,
    ) -> None:
        self._inner = inner
        self._on_send = on_send
        self._log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._on_send()
        hook = _ON_SEND.get()
        if hook is not None:
            _ON_SEND.set(None)
            hook()
        if self._log is None:
            return self._inner.handle_request(request)
        return logged_send(self._log, request, self._inner.handle_request)

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


def network_transport() -> httpx.HTTPTransport:
    """The pooled network transport a real enterprise is reached through.

    Its sockets end every operation by the current request's deadline (``_DeadlineBackend``).
    httpx offers no way to pass httpcore a network backend, so its pool is rebuilt with the
    same settings around one.
    """
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(httpcore.SyncBackend()),
    )
    return transport


def _started_executor(workers: int) -> ThreadPoolExecutor:
    """A thread pool with every worker already started (a pool starts them one per task
    otherwise): each worker waits at a barrier until all have arrived."""
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="convertr")
    barrier = threading.Barrier(workers)
    arrivals = [executor.submit(barrier.wait, WORKER_START_TIMEOUT) for _ in range(workers)]
    for arrival in arrivals:
        # A broken barrier (a worker slow to start) only leaves the pool to start lazily.
        arrival.exception()
    return executor


def _read_body(response: httpx.Response, deadline: _Deadline, where: str) -> bytes:
    """The decoded body, read chunk by chunk so that neither its size nor the deadline is
    outrun (a gzip bomb or an endless body is refused, whatever the transport)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
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


def _describe_input(value: object) -> str:
    try:
        shown = repr(value)
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to show"
    return shown if len(shown) <= _MAX_SHOWN_INPUT else shown[: _MAX_SHOWN_INPUT - 3] + "..."


def _format_validation_error(
    exc: pydantic.ValidationError, resource: str, method: str, path: str
) -> ResponseFormatError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(the item)"
    more = exc.error_count() - 1
    extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ResponseFormatError(
        f"{method} {path}: the {resource} answer does not match the model: field {field!r}: "
        f"{first['msg']}, got {_describe_input(first.get('input'))}{extra}"
    )


def parse_model(
    model: type[ModelT],
    data: object,
    *,
    method: str,
    path: str,
    context: dict[str, Any] | None = None,
) -> ModelT:
    """Validate one item, turning a mismatch of an essential field into a ResponseFormatError
    naming the field (``context``: see ``models.parse_context``)."""
    try:
        return model.model_validate(data, context=context)
    except pydantic.ValidationError as exc:
        raise _format_validation_error(exc, model.__name__, method, path) from None
    except RecursionError:
        raise ResponseDecodingError(
            f"{method} {path}: expected a {model.__name__}, got data nested too deeply to read"
        ) from None


def _first_key(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in data:
            return data[name]
    return None


HydraSpelling = Literal["hydra:", ""]
"""``hydra:`` on API Platform 2 and 3 (``hydra:member``), none on 4 by default (``member``)."""
StatusEncoding = Literal["codes", "labels"]
"""How a server spells ``processrStatus`` in its leads (and so in a status filter)."""


def _search_variables(search: object) -> frozenset[str] | None:
    """The variables of a collection's ``search`` IriTemplate (its filters), or None when the
    collection advertises none."""
    if not isinstance(search, dict):
        return None
    mapping = _first_key(search, "hydra:mapping", "mapping")
    if not isinstance(mapping, list):
        return None
    variables = (
        _first_key(entry, "variable", "hydra:variable")
        for entry in mapping
        if isinstance(entry, dict)
    )
    return frozenset(name for name in variables if isinstance(name, str))


class HydraCollection:
    """One Hydra collection answer, in either spelling (``hydra:member`` or ``member``), with
    or without a total (partial pagination gives only ``next`` links)."""

    def __init__(self, data: object, *, method: str, path: str) -> None:
        if not isinstance(data, dict):
            raise ResponseFormatError(
                f"{method} {path}: expected a Hydra collection object, got {type(data).__name__}"
            )
        members = _first_key(data, "hydra:member", "member")
        if not isinstance(members, list):
            raise ResponseFormatError(
                f"{method} {path}: expected a Hydra collection with 'hydra:member' or 'member' "
                f"as a list, got keys {sorted(data)[:8]}"
            )
        total = _first_key(data, "hydra:totalItems", "totalItems")
        if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
            raise ResponseFormatError(
                f"{method} {path}: expected 'hydra:totalItems' as an integer, got {total!r}"
            )
        view = _first_key(data, "hydra:view", "view")
        view = view if isinstance(view, dict) else {}
        next_link = _first_key(view, "hydra:next", "next")
        previous_link = _first_key(view, "hydra:previous", "previous")
        self.members: list[Any] = members
        self.total: int | None = total
        """``totalItems``, or None when the server does not count (partial pagination)."""
        self.next_link: str | None = next_link if isinstance(next_link, str) else None
        self.previous_link: str | None = previous_link if isinstance(previous_link, str) else None
        self.spelling: HydraSpelling = "hydra:" if "hydra:member" in data else ""
        self.filters: frozenset[str] | None = _search_variables(
            _first_key(data, "hydra:search", "search")
        )
        """The filters the collection advertises (``search`` mapping), None when it does not."""


@dataclass(frozen=True)
class CollectionShape:
    """How a collection endpoint answered the last time the client read it (for the doctor
    and for pages that offer only the filters a server supports)."""

    path: str
    spelling: HydraSpelling
    counted: bool
    """Whether it sends ``totalItems`` (False with partial pagination)."""
    filters: frozenset[str] | None
    """Advertised filters (``search`` mapping variables); None when none are advertised."""


_BLANK: Final = b'""'
"""An empty JSON string: an answer without one may be validated strictly (see
``models.validate_strictly``). Also found inside longer strings (``"a \\"\\" b"``): then the
answer is only validated the slower way, never wrongly."""


@dataclass(frozen=True)
class _Answer:
    """A successful answer's JSON and whether its text holds no empty string."""

    body: Any
    blank_free: bool


def _iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


def _retry_after_seconds(raw: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


class ConvertrClient:
    """A signed-in session with one Convertr API.

    Thread-safe: one instance is shared by every thread (Streamlit sessions, dossier
    workers). ``transport`` is what carries the requests (the network by default; the
    composition root, `lib.connect`, passes the in-process sandbox's, tests a
    ``httpx.MockTransport``): the client never knows which. ``display_name`` is what the
    pages call the source (default: the base URL). ``sleep`` and ``clock`` replace
    ``time.sleep``/``time.monotonic`` for retry and token expiry tests.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        display_name: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.config = config
        self._clock = clock
        self._count_lock = threading.Lock()
        self._request_count = 0
        self.request_log = RequestLog()
        """Every attempt sent (bounded), for the request inspector; never a secret."""
        self._auth_lock = threading.Lock()
        self._token: str | None = config.token.get_secret_value() if config.token else None
        self._token_expires_at: float | None = None
        """When the token ends on the client's clock (renewed TOKEN_RENEWAL_MARGIN before)."""
        self._refresh_token: str | None = None
        self._signed_in_as: str | None = None
        self.on_tokens_renewed: Callable[[HeldTokens], None] | None = None
        """Called (auth lock held) with the new tokens after a refresh renewed them, so a
        sign-in shared by several tabs keeps the rotated refresh token."""
        self._base_url = config.base_url or SANDBOX_BASE_URL
        self._retry = _retry_policy(sleep, max_retries)
        self._executor_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._status_codes: StatusCodes = config.status_table
        self._shape_lock = threading.Lock()
        self._status_encoding: StatusEncoding | None = (
            None if config.status_filter == "auto" else config.status_filter
        )
        self._shapes: dict[str, CollectionShape] = {}
        self._format_warnings: dict[FormatWarning, None] = {}
        if transport is None and config.base_url is None:
            raise ConfigurationError(
                "expected a base URL or a transport, got neither: build the client with "
                "lib.connect.connect(config), which serves the sandbox in-process"
            )
        self._display_name = display_name
        wire = transport if transport is not None else network_transport()
        retrying = RetryTransport(
            transport=_CountingTransport(wire, self._count_request, self.request_log),
            retry=self._retry,
        )
        self._http = httpx.Client(
            base_url=self._base_url,
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

    # -- plumbing ---------------------------------------------------------------------------

    def _count_request(self) -> None:
        with self._count_lock:
            self._request_count += 1

    @property
    def request_count(self) -> int:
        """HTTP attempts sent so far, retries and logins included."""
        with self._count_lock:
            return self._request_count

    @property
    def base_url_display(self) -> str:
        """What the pages call the source: the name given (``Sandbox``), else the base URL."""
        return self._display_name or self._base_url

    def __repr__(self) -> str:
        return (
            f"ConvertrClient(base_url={self.base_url_display!r}, username={self.config.username!r})"
        )

    @property
    def executor(self) -> ThreadPoolExecutor:
        """Worker threads for concurrent loads (the lead dossier), all started on first use
        and kept: a load then pays for no thread start-up on its critical path (starting a
        thread also lets others run before the thread that asked for it)."""
        with self._executor_lock:
            if self._executor is None:
                self._executor = _started_executor(DOSSIER_WORKERS)
            return self._executor

    def close(self) -> None:
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> ConvertrClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- authentication ---------------------------------------------------------------------
    #
    # The client holds at most one token at a time, with its expiry and the refresh token the
    # login gave. It gets one from the configured username and password (the CLI, a shared
    # account) or from a person signing in (``sign_in``, ``sign_in_with_mfa``); it renews it
    # before expiry with the refresh token, else with the configured password, else it keeps
    # using it until it ends and then raises SessionExpiredError: only the person can go on.

    @property
    def _can_login(self) -> bool:
        """Whether a new token can be had without asking anyone (refresh token or password)."""
        return self._refresh_token is not None or self._has_password

    @property
    def _has_password(self) -> bool:
        return self.config.username is not None and self.config.password is not None

    def _token_is_fresh(self, margin: float) -> bool:
        if self._token is None:
            return False
        return self._token_expires_at is None or self._clock() < self._token_expires_at - margin

    def _bearer_token(self) -> str:
        with self._auth_lock:
            if self._token is not None and self._token_is_fresh(TOKEN_RENEWAL_MARGIN):
                return self._token
            if self._refresh_token is not None and self._renew_with_refresh_token():
                assert self._token is not None
                return self._token
            if self._has_password:
                self._login()
                assert self._token is not None
                return self._token
            if self._token is not None and self._token_is_fresh(0.0):
                return self._token  # no way to renew: use it until it ends
            if self._signed_in_as is not None:
                raise SessionExpiredError(
                    f"the token of {self._signed_in_as!r} at {self.base_url_display} has expired "
                    "and there is no refresh token or password to renew it"
                )
            raise ConfigurationError(
                "no way to sign in: expected a token or a username and password"
            )

    def authenticate(self) -> None:
        """Sign in now unless a valid token is held (raises AuthError, TransportError, ...);
        renews a token about to expire, so a page can call it before it starts loading."""
        self._bearer_token()

    @property
    def signed_in_as(self) -> str | None:
        """The username this client signed in as (``sign_in``), or None."""
        return self._signed_in_as

    def _forget_token(self, token: str) -> None:
        with self._auth_lock:
            # Another thread may already have renewed it: only drop the token that failed.
            if self._token == token:
                self._token = None
                self._token_expires_at = None

    def _held(self) -> HeldTokens | None:
        if self._token is None or self._signed_in_as is None:
            return None
        expires_at = (
            None
            if self._token_expires_at is None
            else time.time() + (self._token_expires_at - self._clock())
        )
        return HeldTokens(
            username=self._signed_in_as,
            access_token=self._token,
            refresh_token=self._refresh_token,
            expires_at=expires_at,
        )

    def held_tokens(self) -> HeldTokens | None:
        """The tokens of a person's sign-in (None before one), to keep for other tabs."""
        with self._auth_lock:
            return self._held()

    def hold_tokens(self, tokens: HeldTokens) -> None:
        """Take over a sign-in kept elsewhere (another tab, another replica): its tokens, as
        if this client had signed in."""
        with self._auth_lock:
            self._token = tokens.access_token
            self._refresh_token = tokens.refresh_token
            self._token_expires_at = (
                None
                if tokens.expires_at is None
                else self._clock() + (tokens.expires_at - time.time())
            )
            self._signed_in_as = tokens.username

    def sign_in(self, username: str, password: str) -> None:
        """Sign in as a person: POST /api/login (never retried) and hold the token.

        Raises MfaRequiredError with the ``challenge`` that ``sign_in_with_mfa`` finishes;
        InvalidCredentialsError, PasswordExpiredError, AccountLockedError,
        LoginThrottledError, TransportError for the other outcomes. Nothing of the password
        is kept after a successful sign-in.
        """
        with self._auth_lock:
            self._post_login({"username": username, "password": password}, username)

    def sign_in_with_mfa(self, challenge: MfaChallenge, code: str) -> None:
        """The second step of an MFA sign-in: the same form with the ``mfa_token`` and the
        person's ``mfa_code``. A wrong code raises InvalidMfaCodeError (its new challenge, if
        the server sent one, replaces the old one: see ``MfaRequiredError``)."""
        form = {
            "username": challenge.username,
            "password": challenge.password.get_secret_value(),
            "mfa_token": challenge.mfa_token.get_secret_value(),
            "mfa_code": code,
        }
        with self._auth_lock:
            self._post_login(form, challenge.username, mfa_step=True)

    def sign_out(self) -> bool:
        """Forget the token and end it on the server (POST /api/logout, assumed). True when
        the server confirmed; a server without the endpoint (404/405) or that cannot be
        reached leaves the token to expire there, and the client forgets it all the same."""
        with self._auth_lock:
            token = self._token
            self._token = self._refresh_token = self._token_expires_at = None
            self._signed_in_as = None
        if token is None:
            return False
        try:
            response = self._send("POST", LOGOUT_PATH, headers={"Authorization": f"Bearer {token}"})
        except ConvertrError as error:
            logger.warning("sign-out not confirmed by %s: %s", self.base_url_display, error)
            return False
        if response.status_code in (404, 405):
            logger.info(
                "%s has no %s: the token is only forgotten", self.base_url_display, LOGOUT_PATH
            )
            return False
        if response.is_error:
            logger.warning(
                "sign-out not confirmed by %s: status %s",
                self.base_url_display,
                response.status_code,
            )
            return False
        return True

    def _login(self) -> None:
        """Sign in with the configured username and password; called with the auth lock held."""
        assert self.config.username is not None and self.config.password is not None
        form = {
            "username": self.config.username,
            "password": self.config.password.get_secret_value(),
        }
        self._post_login(form, self.config.username)

    def _renew_with_refresh_token(self) -> bool:
        """Swap the refresh token for a new token (auth lock held). False when the server
        refuses it: the refresh token is then dropped and the caller falls back."""
        assert self._refresh_token is not None
        username = self._signed_in_as or self.config.username or "the signed-in user"
        form = {"grant_type": REFRESH_GRANT, "refresh_token": self._refresh_token}
        try:
            self._post_login(form, username)
        except (AuthError, APIError, ResponseFormatError) as error:
            # A server without refresh grants answers 400; an old refresh token, 400 or 401.
            logger.info("token renewal refused at %s: %s", self.base_url_display, error)
            self._refresh_token = None
            return False
        held = self._held()
        if self.on_tokens_renewed is not None and held is not None:
            self.on_tokens_renewed(held)
        return True

    def _post_login(
        self, form: Mapping[str, str], username: str, *, mfa_step: bool = False
    ) -> None:
        """POST /api/login (never retried) and hold the token it gives; auth lock held."""
        response = self._send("POST", LOGIN_PATH, data=form)
        body = self._json_or_none(response)
        where = f"POST {LOGIN_PATH} at {self.base_url_display}"
        if response.status_code == 429:
            # Whatever the body (a proxy may answer this one): the account is throttled.
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            wait = f"{retry_after:g} s" if retry_after is not None else "an unstated time"
            raise LoginThrottledError(
                f"{where}: sign-in for {username!r} refused for {wait} after repeated failures",
                retry_after=retry_after,
            )
        if not isinstance(body, dict):
            raise ResponseFormatError(
                f"{where}: expected a JSON login answer, got "
                f"{response.headers.get('content-type', 'no content type')} with status "
                f"{response.status_code}: is this the address of a Convertr v4 API?",
                user_message="The configured address does not look like a Convertr v4 API.",
            )
        self._raise_for_login_refusal(response, body, form, username, where, mfa_step=mfa_step)
        token = body.get("access_token")
        expires_in = body.get("expires_in")
        refresh_token = body.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise ResponseFormatError(
                f"{where}: expected 'access_token' in the login answer, got keys {sorted(body)}"
            )
        self._token = token
        self._token_expires_at = (
            self._clock() + float(expires_in) if isinstance(expires_in, int | float) else None
        )
        self._refresh_token = (
            refresh_token if isinstance(refresh_token, str) and refresh_token else None
        )
        self._signed_in_as = username

    def _raise_for_login_refusal(
        self,
        response: httpx.Response,
        body: dict[str, Any],
        form: Mapping[str, str],
        username: str,
        where: str,
        *,
        mfa_step: bool,
    ) -> None:
        """The AuthError (or APIError) of a login answer that gives no usable token."""
        error_code = body.get("error")
        description = body.get("error_description")
        status = response.status_code
        if error_code == "Mfa Required":
            challenge = self._mfa_challenge(body, form, username)
            if mfa_step:
                raise InvalidMfaCodeError(
                    f"{where}: the MFA code for {username!r} was not accepted ({description})"
                )
            raise MfaRequiredError(
                f"{where}: the account {username!r} requires MFA ({description})",
                challenge=challenge,
            )
        if status == 423 or error_code in ("account_locked", "locked"):
            raise AccountLockedError(f"{where}: the account {username!r} is locked ({description})")
        if status in (400, 401) and error_code in ("invalid_grant", "invalid_request"):
            error_class = InvalidMfaCodeError if mfa_step else InvalidCredentialsError
            raise error_class(
                f"{where}: login as {username!r} rejected: {error_code}: {description}"
            )
        if response.is_error:
            self._raise_for_status(response, "POST", LOGIN_PATH, body)
        if body.get("password_expired") is True:
            raise PasswordExpiredError(f"{where}: the password of {username!r} has expired")

    @staticmethod
    def _mfa_challenge(
        body: dict[str, Any], form: Mapping[str, str], username: str
    ) -> MfaChallenge | None:
        mfa_token = body.get("mfa_token")
        password = form.get("password")
        if not isinstance(mfa_token, str) or not mfa_token or password is None:
            return None
        description = body.get("error_description")
        return MfaChallenge(
            username=username,
            password=SecretStr(password),
            mfa_token=SecretStr(mfa_token),
            description=description if isinstance(description, str) else None,
        )

    # -- HTTP -------------------------------------------------------------------------------

    def _send(
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
            request = self._http.build_request(
                method,
                url,
                params=list(params) if params is not None else None,
                headers=headers,
                data=data,
                json=json,
                extensions={"retry": self._retry.for_request(deadline)},
            )
            response = self._http.send(request, stream=True)
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
                f"{method} {path}: no usable answer from {self.base_url_display}: "
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
        where, base = f"{method} {path}", self.base_url_display
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
        target = f"to {_describe_input(location)}" if location else "without a Location"
        return RedirectError(
            f"{method} {path}: expected an answer, got a redirect ({response.status_code}) "
            f"{target}, which is not followed: set the API's own address as the base URL",
            status=response.status_code,
            method=method,
            path=path,
            location=location,
        )

    @staticmethod
    def _json_or_none(response: httpx.Response) -> object:
        if "json" not in response.headers.get("content-type", ""):
            return None
        try:
            # pydantic-core's parser is several times faster than the json module, and gives
            # the same objects for the JSON it accepts. What it refuses (a byte order mark,
            # UTF-16, a lone surrogate, very deep nesting, invalid JSON) goes to the json
            # module, so those answers read or fail exactly as before.
            return pydantic_core.from_json(response.content)
        except ValueError:
            pass
        try:
            return response.json()
        except RecursionError:
            request = response.request
            raise ResponseDecodingError(
                f"{request.method} {request.url.path}: expected JSON, got JSON nested too "
                "deeply to read"
            ) from None
        except ValueError:
            return None

    def _raise_for_status(
        self, response: httpx.Response, method: str, path: str, body: object
    ) -> None:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        error_body = read_error_body(body, content_type)
        error_class = error_class_for_status(status)
        if error_body.is_violation_list and error_class in (BadRequestError, APIError):
            # API Platform 2 answers violations with 400, later versions with 422: the body,
            # not the status, says it is a validation failure.
            error_class = ValidationError
        title, reason = error_body.title, error_body.reason
        shown = reason or title or response.reason_phrase or "no explanation given"
        message = f"{method} {path}: expected a successful answer, got {status}: {shown}"
        user_message = _user_message(error_class, reason, error_body.violations)
        if body is None and status < 500:
            # A v4 API answers JSON even when it refuses; a 4xx page of HTML or text means the
            # base URL points somewhere else (a web site, a proxy, another service).
            message += (
                f" ({content_type or 'no content type'}, not JSON: "
                "is this the address of a Convertr v4 API?)"
            )
            user_message = "The configured address does not look like a Convertr v4 API."
        common: dict[str, Any] = {
            "status": status,
            "method": method,
            "path": path,
            "title": title,
            "description": reason,
            "body_style": error_body.style,
        }
        if error_class is ConflictError:
            raise ConflictError(message, current_value=error_body.current_value, **common)
        if error_class is ValidationError:
            raise ValidationError(
                message, violations=error_body.violations, user_message=user_message, **common
            )
        raise error_class(message, user_message=user_message, **common)

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: object = None,
    ) -> Any:
        """Send an authenticated request and return its JSON, raising the matching error.

        A 401 renews the token once (when a password is configured) and resends.
        """
        return self._request_answer(method, url, params=params, json=json).body

    def _request_answer(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: object = None,
    ) -> _Answer:
        token = self._bearer_token()
        response = self._send(
            method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 401 and self._can_login:
            self._forget_token(token)
            token = self._bearer_token()
            response = self._send(
                method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
            )
        path = response.request.url.path
        body = self._json_or_none(response)
        if response.is_error:
            self._raise_for_status(response, method, path, body)
        if body is None:
            raise ResponseFormatError(
                f"{method} {path}: expected JSON, got "
                f"{response.headers.get('content-type', 'no content type')} "
                f"with status {response.status_code}"
            )
        return _Answer(body, blank_free=_BLANK not in response.content)

    # -- reading answers --------------------------------------------------------------------

    def _parse_items(
        self, model: type[ModelT], items: list[Any], blank_free: bool, path: str
    ) -> list[ModelT]:
        """The items of a GET answer: validated strictly in one call when the answer holds
        no empty string, else (or when that fails) tolerantly one by one, with the same
        result either way (``models.validate_strictly``)."""
        if blank_free and items:
            try:
                parsed = validate_strictly(model, items, parse_context(self._status_codes))
            except (pydantic.ValidationError, RecursionError):
                pass
            else:
                # Strictly valid means nothing was kept raw: no format warnings to record.
                self._learn_status_encoding(parsed[-1])
                return parsed
        return [self.parse(model, item, method="GET", path=path) for item in items]

    def _learn_status_encoding(self, item: ApiModel) -> None:
        if isinstance(item, Lead) and self.config.status_filter == "auto":
            with self._shape_lock:
                self._status_encoding = "labels" if item.status.source == "label" else "codes"

    def parse(self, model: type[ModelT], data: object, *, method: str, path: str) -> ModelT:
        """One item with this client's status table; records its format warnings and, for a
        lead, how the server spells statuses."""
        warnings: list[FormatWarning] = []
        item = parse_model(
            model,
            data,
            method=method,
            path=path,
            context=parse_context(self._status_codes, warnings),
        )
        if warnings:
            with self._shape_lock:
                for warning in warnings:
                    self._format_warnings.setdefault(warning)
        self._learn_status_encoding(item)
        return item

    def _collection(self, data: object, path: str) -> HydraCollection:
        collection = HydraCollection(data, method="GET", path=path)
        shape = CollectionShape(
            path=path,
            spelling=collection.spelling,
            counted=collection.total is not None,
            filters=collection.filters,
        )
        with self._shape_lock:
            self._shapes[path] = shape
        return collection

    @property
    def format_warnings(self) -> tuple[FormatWarning, ...]:
        """Every distinct format warning of the answers read so far (names and shapes only)."""
        with self._shape_lock:
            return tuple(self._format_warnings)

    def collection_shape(self, path: str) -> CollectionShape | None:
        """How the collection at ``path`` answered last time, or None if not read yet."""
        with self._shape_lock:
            return self._shapes.get(httpx.URL(path).path)

    def supported_filters(self, path: str) -> frozenset[str] | None:
        """The filters the collection at ``path`` advertises (its ``search`` mapping, e.g.
        ``processrStatus[]``, ``createdTs[after]``), or None when it advertises none.

        Read from the last answer of that collection; if it was never read, one small request
        (one item) asks for it.
        """
        shape = self.collection_shape(path)
        if shape is None:
            self.page(ApiModel, path, items_per_page=PROBE_ITEMS_PER_PAGE)
            shape = self.collection_shape(path)
        return shape.filters if shape is not None else None

    @property
    def status_encoding(self) -> StatusEncoding | None:
        """How the server spells lead statuses: from the configuration, else as the last lead
        read showed; None until a lead has been read."""
        with self._shape_lock:
            return self._status_encoding

    @property
    def status_codes(self) -> StatusCodes:
        """The status table this client resolves labels with (built-in and configured)."""
        return self._status_codes

    def status_filter_values(
        self, statuses: Sequence[str], campaign_id: int | None = None
    ) -> list[str | int]:
        """What a ``processrStatus[]`` filter sends for these labels: the labels, or every
        code of each label when the server speaks codes. Unknown until a lead was read, the
        encoding is learned from one lead of the campaign (one small request, once)."""
        labels = [_status_label(status) for status in statuses]
        if not labels:
            return []
        encoding = self.status_encoding
        if encoding is None:
            params: list[tuple[str, str | int]] = []
            if campaign_id is not None:
                params.append(("campaign.id", int(campaign_id)))
            self.page(Lead, f"{API_PREFIX}/leads", params, items_per_page=PROBE_ITEMS_PER_PAGE)
            # No lead read: nothing to filter on this server, so labels are as good as codes.
            encoding = self.status_encoding or "labels"
        if encoding == "labels":
            return list(labels)
        values: list[str | int] = []
        for status in labels:
            codes = self._status_codes.codes_for(status)
            if not codes:
                raise ConfigurationError(
                    f"the server sends status codes, but no code means {status}: expected it "
                    "in CONVERTR_STATUS_CODES (e.g. 1001=Invalid)",
                    user_message=(
                        f"Cannot filter by {status}: its status code is unknown "
                        "(set CONVERTR_STATUS_CODES)."
                    ),
                )
            values.extend(codes)
        return values

    def get_item(self, model: type[ModelT], path: str) -> ModelT:
        """One item, e.g. ``get_item(Lead, "/api/v4/leads/1")``."""
        answer = self._request_answer("GET", path)
        return self._parse_items(model, [answer.body], answer.blank_free, path)[0]

    def page(
        self,
        model: type[ModelT],
        path: str,
        params: Params = (),
        *,
        page: int = 1,
        items_per_page: int = ITEMS_PER_PAGE,
    ) -> Page[ModelT]:
        """One page of a collection (server-side paging), with the collection's total when
        the server counts it (``Page.total`` None and ``Page.next_link`` otherwise)."""
        query = [*params, ("page", page), ("itemsPerPage", items_per_page)]
        answer = self._request_answer("GET", path, params=query)
        collection = self._collection(answer.body, path)
        items = tuple(self._parse_items(model, collection.members, answer.blank_free, path))
        return Page(
            items=items,
            total=collection.total,
            page=page,
            items_per_page=items_per_page,
            next_link=collection.next_link,
        )

    def iter_collection(
        self,
        model: type[ModelT],
        path: str,
        params: Params = (),
        *,
        items_per_page: int = MAX_ITEMS_PER_PAGE,
        max_pages: int = MAX_PAGES,
    ) -> Iterator[ModelT]:
        """Every item of a collection, following ``hydra:next`` for at most ``max_pages``."""
        url: str = path
        query: Params | None = [*params, ("itemsPerPage", items_per_page)]
        seen: set[str] = set()
        for page_number in range(1, max_pages + 1):
            answer = self._request_answer("GET", url, params=query)
            collection = self._collection(answer.body, path)
            yield from self._parse_items(model, collection.members, answer.blank_free, path)
            if collection.next_link is None or not collection.members:
                return
            if collection.next_link in seen or collection.next_link == url:
                raise PaginationError(
                    f"GET {path}: page {page_number} links back to {collection.next_link!r} "
                    "as the next page: expected a new page or none"
                )
            seen.add(collection.next_link)
            # The next link keeps every query parameter, so it replaces ours.
            url, query = collection.next_link, None
        raise PaginationError(
            f"GET {path}: expected the collection to end within {max_pages} pages of "
            f"{items_per_page}, but page {max_pages} still links to a next page"
        )

    def fetch_all(self, model: type[ModelT], path: str, params: Params = ()) -> list[ModelT]:
        return list(self.iter_collection(model, path, params))

    # -- resources --------------------------------------------------------------------------

    def current_user(self) -> User:
        return self.get_item(User, f"{API_PREFIX}/users/me")

    def campaigns_page(
        self,
        page: int = 1,
        items_per_page: int = ITEMS_PER_PAGE,
        search: str | None = None,
        statuses: Sequence[str] = (),
    ) -> Page[Campaign]:
        params: list[tuple[str, str | int]] = [("order[name]", "asc")]
        if search:
            params.append(("name", search))
        params += [("status[]", status) for status in statuses]
        return self.page(
            Campaign, f"{API_PREFIX}/campaigns", params, page=page, items_per_page=items_per_page
        )

    def campaign(self, campaign_id: int) -> Campaign:
        return self.get_item(Campaign, f"{API_PREFIX}/campaigns/{int(campaign_id)}")

    def campaigns(self, campaign_ids: Sequence[int]) -> list[Campaign]:
        return self._by_ids(Campaign, "campaigns", "id[]", campaign_ids)

    def publishers(self, publisher_ids: Sequence[int]) -> list[Publisher]:
        return self._by_ids(Publisher, "publishers", "id[]", publisher_ids)

    def statistics(self, campaign_ids: Sequence[int]) -> list[Statistic]:
        return self._by_ids(Statistic, "statistics", "campaign.id[]", campaign_ids)

    def chronologies(
        self,
        campaign_ids: Sequence[int],
        after: dt.date | None = None,
        before: dt.date | None = None,
    ) -> list[LeadStatisticsChronology]:
        extra: list[tuple[str, str | int]] = []
        if after is not None:
            extra.append(("date[after]", _iso(after)))
        if before is not None:
            extra.append(("date[before]", _iso(before)))
        # One page holds years of days for several campaigns, so a chart of several
        # campaigns is one request rather than a chain of pages.
        return self._by_ids(
            LeadStatisticsChronology,
            "lead-statistics-chronologies",
            "campaign.id[]",
            campaign_ids,
            extra,
            items_per_page=CHRONOLOGY_ITEMS_PER_PAGE,
        )

    def campaign_publishers(self, campaign_ids: Sequence[int]) -> list[CampaignPublisher]:
        return self._by_ids(CampaignPublisher, "campaign-publishers", "campaign.id[]", campaign_ids)

    def campaign_contracts(self, campaign_id: int) -> list[CampaignPublisher]:
        """The publisher contracts of one campaign (single-value filter)."""
        return self.fetch_all(
            CampaignPublisher,
            f"{API_PREFIX}/campaign-publishers",
            [("campaign.id", int(campaign_id))],
        )

    def campaign_links(self, campaign_ids: Sequence[int]) -> list[CampaignLink]:
        return self._by_ids(CampaignLink, "campaign-links", "campaign.id[]", campaign_ids)

    def campaign_processr_jobs(self, campaign_ids: Sequence[int]) -> list[CampaignProcessrJob]:
        return self._by_ids(
            CampaignProcessrJob, "campaign-processr-jobs", "campaign.id[]", campaign_ids
        )

    def leads_page(
        self,
        campaign_id: int,
        page: int = 1,
        items_per_page: int = ITEMS_PER_PAGE,
        statuses: Sequence[str] = (),
        delivered: bool | None = None,
        created_after: dt.date | dt.datetime | None = None,
        created_before: dt.date | dt.datetime | None = None,
        search: str | None = None,
        order: str = "desc",
        order_by: str = "createdTs",
    ) -> Page[Lead]:
        params: list[tuple[str, str | int]] = [
            ("campaign.id", int(campaign_id)),
            (f"order[{order_by}]", order),
        ]
        if order_by != "createdTs":
            # Equal values (a score, a status) keep a stable order: newest first.
            params.append(("order[createdTs]", "desc"))
        params += [
            ("processrStatus[]", value)
            for value in self.status_filter_values(statuses, campaign_id)
        ]
        if delivered is not None:
            params.append(("delivered", "true" if delivered else "false"))
        if created_after is not None:
            params.append(("createdTs[after]", _iso(created_after)))
        if created_before is not None:
            params.append(("createdTs[before]", _iso(created_before)))
        if search:
            params.append(("search", search))
        return self.page(
            Lead, f"{API_PREFIX}/leads", params, page=page, items_per_page=items_per_page
        )

    def lead(self, lead_id: int) -> Lead:
        return self.get_item(Lead, f"{API_PREFIX}/leads/{int(lead_id)}")

    def leads_by_email(self, email: str) -> list[Lead]:
        """Every lead captured with this email, on any campaign (the lead itself included)."""
        return self.fetch_all(Lead, f"{API_PREFIX}/leads", [("email", email)])

    def lead_datas(self, lead_id: int) -> list[LeadData]:
        return self.fetch_all(LeadData, f"{API_PREFIX}/lead-datas", [("lead.id", int(lead_id))])

    def editable_fields(self, campaign_id: int) -> list[LeadEditableField]:
        return self.fetch_all(
            LeadEditableField,
            f"{API_PREFIX}/lead-editable-fields",
            [("campaign.id", int(campaign_id))],
        )

    def lead_notes(self, lead_id: int) -> list[LeadNote]:
        return self.fetch_all(LeadNote, f"{API_PREFIX}/lead-notes", [("lead.id", int(lead_id))])

    def job_results(self, lead_id: int) -> list[ProcessrJobLead]:
        return self.fetch_all(
            ProcessrJobLead, f"{API_PREFIX}/processr-job-leads", [("lead.id", int(lead_id))]
        )

    def logs(self, lead_id: int, log_type: LogType) -> list[LogEntry]:
        """Processr or provider logs of a lead (provider logs: 403 for masked users)."""
        return self.fetch_all(
            LogEntry, f"{API_PREFIX}/logs", [("lead.id", int(lead_id)), ("type", log_type)]
        )

    def save_lead_data(
        self,
        lead_id: int,
        name: str,
        value: str,
        previous_value: str | _Unset | None = UNSET,
    ) -> LeadData:
        """Create or overwrite a value (POST, never retried). 409 if ``previous_value`` is stale."""
        body: dict[str, object] = {
            "lead": f"{API_PREFIX}/leads/{int(lead_id)}",
            "name": name,
            "value": value,
        }
        if previous_value is not UNSET:
            body["previousValue"] = previous_value
        path = f"{API_PREFIX}/lead-datas"
        return self.parse(
            LeadData, self.request_json("POST", path, json=body), method="POST", path=path
        )

    def _by_ids(
        self,
        model: type[ModelT],
        resource: str,
        filter_name: str,
        ids: Sequence[int],
        extra: Params = (),
        *,
        items_per_page: int = MAX_ITEMS_PER_PAGE,
    ) -> list[ModelT]:
        unique = sorted({int(value) for value in ids})
        if not unique:
            return []
        params = [*((filter_name, value) for value in unique), *extra]
        return list(
            self.iter_collection(
                model, f"{API_PREFIX}/{resource}", params, items_per_page=items_per_page
            )
        )


def _status_label(text: str) -> ProcessrStatus:
    status = status_from_text(text)
    if status is None:
        raise ValueError(f"expected a lead status ({', '.join(PROCESSR_STATUSES)}), got {text!r}")
    return status


def _user_message(
    error_class: type[APIError], reason: str | None, violations: Sequence[Violation]
) -> str | None:
    """The banner line of an HTTP error: the server's reason where a person can act on it."""
    if error_class is ValidationError:
        listed = "; ".join(
            f"{item.property_path}: {item.message}" if item.property_path else item.message
            for item in violations
        )
        return reason or listed or None
    if error_class is PermissionDeniedError:
        return reason
    if error_class is AuthenticationError and reason:
        return f"The Convertr session is not valid ({reason.rstrip('.')}). Sign in again."
    if error_class is BadRequestError and reason:
        return f"The Convertr API did not accept the request: {reason}"
    return None


__all__ = [
    "UNSET",
    "APIError",
    "CollectionShape",
    "ConvertrClient",
    "ConvertrError",
    "HydraCollection",
]
