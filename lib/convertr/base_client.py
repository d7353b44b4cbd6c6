"""The client's base: one signed-in session over one pooled ``httpx.Client``, and the
generic reads every resource method is made of (an item, a page, a whole collection).

It puts the jobs together, each in its own module: `transport` (deadlines, retries,
counting), `hydra` (reading answers and errors), `signin` (the token: login, refresh, MFA,
sign-out) and `dialect` (status codes, collection shapes, format warnings). `client.py` adds
the resource methods over `endpoints`, as anthropic-sdk-python's ``_client.py`` sits on
``_base_client.py``. The base knows nothing of the sandbox: it is handed a transport.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Final, TypeVar

import httpx

from lib.convertr.config import ClientConfig
from lib.convertr.constants import (
    DOSSIER_WORKERS,
    IN_PROCESS_BASE_URL,
    ITEMS_PER_PAGE,
    MAX_ITEMS_PER_PAGE,
    MAX_PAGES,
    MAX_RETRIES,
    PROBE_ITEMS_PER_PAGE,
)
from lib.convertr.dialect import Dialect, StatusEncoding, status_label
from lib.convertr.endpoints import LEADS, Filter
from lib.convertr.errors import (
    ConfigurationError,
    MfaChallenge,
    PaginationError,
    ResponseFormatError,
)
from lib.convertr.hydra import BLANK, Answer, CollectionShape, json_or_none, raise_for_status
from lib.convertr.models import ApiModel, FormatWarning, Lead, Page, StatusCodes
from lib.convertr.requestlog import RequestLog
from lib.convertr.signin import SignIn
from lib.convertr.tokens import HeldTokens
from lib.convertr.transport import Params, Sender, network_transport

ModelT = TypeVar("ModelT", bound=ApiModel)
WORKER_START_TIMEOUT: Final = 5.0
"""Seconds the dossier's workers wait for each other to start (they start in milliseconds)."""


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


class BaseClient:
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
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        if transport is None and config.base_url is None:
            raise ConfigurationError(
                "expected a base URL or a transport, got neither: build the client with "
                "lib.connect.connect(config), which serves the sandbox in-process"
            )
        self.config = config
        base_url = config.base_url or IN_PROCESS_BASE_URL
        self._sender = Sender(
            config,
            transport if transport is not None else network_transport(),
            base_url=base_url,
            display_name=display_name or base_url,
            sleep=sleep if sleep is not None else time.sleep,
            clock=clock if clock is not None else time.monotonic,
            max_retries=max_retries,
        )
        self.auth = SignIn(config, self._sender, clock if clock is not None else time.monotonic)
        """The token: sign in, renew, sign out (`signin.SignIn`)."""
        self.dialect = Dialect(config)
        """What the client learned of the server (`dialect.Dialect`)."""
        self._executor_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def request_log(self) -> RequestLog:
        """Every attempt sent (bounded), for the request inspector; never a secret."""
        return self._sender.request_log

    @property
    def request_count(self) -> int:
        """HTTP attempts sent so far, retries and logins included."""
        return self._sender.request_count

    @property
    def base_url_display(self) -> str:
        """What the pages call the source: the name given (``Sandbox``), else the base URL."""
        return self._sender.display_name

    @property
    def _http(self) -> httpx.Client:
        return self._sender.http

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
        self._sender.close()

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sign-in (signin.SignIn) --------------------------------------------------------------

    def authenticate(self) -> None:
        """Sign in now unless a valid token is held (raises AuthError, TransportError, ...);
        renews a token about to expire, so a page can call it before it starts loading."""
        self.auth.bearer_token()

    @property
    def signed_in_as(self) -> str | None:
        """The username this client signed in as (``sign_in``), or None."""
        return self.auth.signed_in_as

    def sign_in(self, username: str, password: str) -> None:
        """Sign in as a person (see `signin.SignIn.sign_in`)."""
        self.auth.sign_in(username, password)

    def sign_in_with_mfa(self, challenge: MfaChallenge, code: str) -> None:
        """The second step of an MFA sign-in (see `signin.SignIn.sign_in_with_mfa`)."""
        self.auth.sign_in_with_mfa(challenge, code)

    def sign_out(self) -> bool:
        """Forget the token and end it on the server (see `signin.SignIn.sign_out`)."""
        return self.auth.sign_out()

    def held_tokens(self) -> HeldTokens | None:
        """The tokens of a person's sign-in, to keep for other tabs (`signin.SignIn`)."""
        return self.auth.held_tokens()

    def hold_tokens(self, tokens: HeldTokens) -> None:
        """Take over a sign-in kept elsewhere (`signin.SignIn.hold_tokens`)."""
        self.auth.hold_tokens(tokens)

    @property
    def on_tokens_renewed(self) -> Callable[[HeldTokens], None] | None:
        """Told the new tokens after a refresh renewed them (`signin.SignIn`)."""
        return self.auth.on_tokens_renewed

    @on_tokens_renewed.setter
    def on_tokens_renewed(self, listener: Callable[[HeldTokens], None] | None) -> None:
        self.auth.on_tokens_renewed = listener

    # -- requests ---------------------------------------------------------------------------

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
    ) -> Answer:
        token = self.auth.bearer_token()
        response = self._sender.send(
            method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code == 401 and self.auth.can_login:
            self.auth.forget_token(token)
            token = self.auth.bearer_token()
            response = self._sender.send(
                method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
            )
        path = response.request.url.path
        body = json_or_none(response)
        if response.is_error:
            raise_for_status(response, method, path, body)
        if body is None:
            raise ResponseFormatError(
                f"{method} {path}: expected JSON, got "
                f"{response.headers.get('content-type', 'no content type')} "
                f"with status {response.status_code}"
            )
        return Answer(body, blanks=response.content.count(BLANK))

    # -- the server's dialect (dialect.Dialect) -------------------------------------------------

    def parse(self, model: type[ModelT], data: object, *, method: str, path: str) -> ModelT:
        """One item with this client's status table (see `dialect.Dialect.parse`)."""
        return self.dialect.parse(model, data, method=method, path=path)

    @property
    def format_warnings(self) -> tuple[FormatWarning, ...]:
        """Every distinct format warning of the answers read so far (names and shapes only)."""
        return self.dialect.format_warnings

    def collection_shape(self, path: str) -> CollectionShape | None:
        """How the collection at ``path`` answered last time, or None if not read yet."""
        return self.dialect.collection_shape(path)

    @property
    def status_encoding(self) -> StatusEncoding | None:
        """How the server spells lead statuses: from the configuration, else as the last lead
        read showed; None until a lead has been read."""
        return self.dialect.status_encoding

    @property
    def status_codes(self) -> StatusCodes:
        """The status table this client resolves labels with (built-in and configured)."""
        return self.dialect.status_codes

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

    def status_filter_values(
        self, statuses: Sequence[str], campaign_id: int | None = None
    ) -> list[str | int]:
        """What a ``processrStatus[]`` filter sends for these labels: the labels, or every
        code of each label when the server speaks codes. Unknown until a lead was read, the
        encoding is learned from one lead of the campaign (one small request, once)."""
        labels = [status_label(status) for status in statuses]
        if not labels:
            return []
        encoding = self.dialect.status_encoding
        if encoding is None:
            params: list[tuple[str, str | int]] = []
            if campaign_id is not None:
                params.append((Filter.CAMPAIGN, int(campaign_id)))
            self.page(Lead, LEADS.path, params, items_per_page=PROBE_ITEMS_PER_PAGE)
            # No lead read: nothing to filter on this server, so labels are as good as codes.
            encoding = self.dialect.status_encoding or "labels"
        return self.dialect.status_values(labels, encoding)

    # -- generic reads ----------------------------------------------------------------------

    def get_item(self, model: type[ModelT], path: str) -> ModelT:
        """One item, e.g. ``get_item(Lead, "/api/v4/leads/1")``."""
        answer = self._request_answer("GET", path)
        return self.dialect.parse_items(model, [answer.body], answer.blanks, path)[0]

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
        collection = self.dialect.collection(answer.body, path)
        items = tuple(self.dialect.parse_items(model, collection.members, answer.blanks, path))
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
            collection = self.dialect.collection(answer.body, path)
            yield from self.dialect.parse_items(model, collection.members, answer.blanks, path)
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
