"""The sandbox's WSGI application: Werkzeug routing over SQLite, answering like the v4 API.

The rooms behind it: `auth` (sign-in, tokens, roles), `query` (query string -> SQL),
`reads` (items and collection pages), `writes` (POST lead-datas), `responses` (JSON-LD
answers and `ApiError`). The app's `Dialect` (`dialects`) spells every answer.

Errors raised while answering (all Hydra JSON, or problem+json in the dialects that use it):

    ApiError                 a planned 4xx/5xx answer (status, description, extra body fields)
    werkzeug HTTPException   routing failures (404 unknown path, 405 wrong method)
    any other Exception      a bug: a Hydra 500 without details, logged server-side
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from lib.sandbox import db, reads, writes
from lib.sandbox.auth import DEFAULT_TOKEN_TTL, Authenticator, prepare_database, user_item
from lib.sandbox.dialects import DEFAULT_DIALECT, Dialect, dialect_named
from lib.sandbox.resources import API_PREFIX, RESOURCES, RESOURCES_BY_PATH
from lib.sandbox.responses import (
    ApiError,
    error_response,
    json_response,
    refuse_oversized_body,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

ITEM_ENDPOINT_SUFFIX = ":item"


def _url_map() -> Map:
    """Login, the signed-in user, and each resource's collection and items."""
    rules = [
        Rule("/api/login", endpoint="login", methods=["POST"]),
        Rule("/api/logout", endpoint="logout", methods=["POST"]),
        Rule(f"{API_PREFIX}/users/me", endpoint="me", methods=["GET"]),
    ]
    for resource in RESOURCES:
        methods = ["GET", "POST"] if resource.writable else ["GET"]
        rules.append(Rule(f"{API_PREFIX}/{resource.path}", endpoint=resource.path, methods=methods))
        rules.append(
            Rule(
                f"{API_PREFIX}/{resource.path}/<item_id>",
                endpoint=f"{resource.path}{ITEM_ENDPOINT_SUFFIX}",
                methods=["GET"],
            )
        )
    return Map(rules, strict_slashes=False)


class SandboxApp:
    """The WSGI callable. Each serving thread opens one SQLite connection and keeps it for
    its later requests, so threads never share a connection (sign-in uses its own)."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        latency_ms: int = 0,
        fail_rate: float = 0.0,
        rng_seed: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        dialect: Dialect = DEFAULT_DIALECT,
    ) -> None:
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"expected a fail rate between 0 and 1, got {fail_rate}")
        if latency_ms < 0:
            raise ValueError(f"expected a non-negative latency, got {latency_ms}")
        self.db_path = Path(db_path)
        if not self.db_path.is_file():
            raise FileNotFoundError(
                f"expected a seeded sandbox database at {self.db_path}; "
                "create one with `python -m lib.sandbox seed --db PATH` or ensure_database()"
            )
        connection = db.connect(self.db_path)
        try:
            # Readers and the single writer must not block each other.
            connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()
        prepare_database(self.db_path)
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.clock = clock
        self.sleep = sleep
        self.dialect = dialect
        self.auth = Authenticator(self.db_path, token_ttl=token_ttl, clock=clock)
        self._rng = random.Random(rng_seed)
        self._rng_lock = threading.Lock()
        self._local = threading.local()
        self.url_map = _url_map()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except ApiError as error:
            response = error_response(self.dialect, error.status, error.description, error.extra)
            for key, value in error.headers.items():
                response.headers[key] = value
        except HTTPException as error:
            response = error_response(
                self.dialect, error.code or 500, error.description or error.name
            )
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
        except Exception:
            logger.exception("sandbox: unexpected error answering %s", request.path)
            response = error_response(self.dialect, 500, "Internal Server Error")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route a request to its handler; everything but login needs a valid token."""
        if request.path.startswith(f"{API_PREFIX}/"):
            self._inject_trouble()
            refuse_oversized_body(request)  # the sign-in answers its own 413, OAuth-style
        adapter = self.url_map.bind_to_environ(request.environ)
        endpoint, values = adapter.match()
        if endpoint == "login":
            return self.auth.login(request)
        connection = self._connection()
        if endpoint == "logout":
            return self.auth.logout(connection, request)
        user = self.auth.authenticate(connection, request)
        if endpoint == "me":
            return json_response(user_item(user), dialect=self.dialect)
        path, _, kind = str(endpoint).partition(":")
        resource = RESOURCES_BY_PATH[path]
        if kind:
            return reads.item(connection, user, resource, str(values["item_id"]), self.dialect)
        if request.method == "POST":
            written = writes.post_lead_data(connection, user, request, self.clock)
            return reads.restyle(written, resource, self.dialect, user)
        return reads.collection(connection, user, resource, request.args, self.dialect)

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened once and reused: opening one costs more than a
        small query. Reopened when the database file was replaced (a re-seed)."""
        identity = self.db_path.stat().st_ino
        cached: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if cached is not None:
            if cached[0] == identity:
                return cached[1]
            cached[1].close()
        connection = db.connect(self.db_path)
        self._local.connection = (identity, connection)
        return connection

    def _inject_trouble(self) -> None:
        """The standalone server's optional latency and 503s (never on login)."""
        if self.latency_ms:
            self.sleep(self.latency_ms / 1000)
        if self.fail_rate:
            with self._rng_lock:
                fail = self._rng.random() < self.fail_rate
            if fail:
                raise ApiError(
                    503,
                    "Service temporarily unavailable (injected failure); retry shortly",
                    headers={"Retry-After": "1"},
                )


_shared_apps_lock = threading.Lock()
_shared_apps: dict[Path, WSGIApplication] = {}


def shared_app(db_path: str | Path) -> WSGIApplication:
    """The one app of a database file for every in-process client of this process (each
    dashboard visitor has a client of their own): a new visitor costs no app set-up (schema
    check, demo users, URL map), and the serving threads keep their connections."""
    path = Path(db_path).resolve()
    with _shared_apps_lock:
        app = _shared_apps.get(path)
        if app is None:
            app = _shared_apps[path] = create_app(path)
        return app


def create_app(
    db_path: str | Path,
    *,
    token_ttl: int = DEFAULT_TOKEN_TTL,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    rng_seed: int | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    dialect: Dialect | str = DEFAULT_DIALECT,
) -> WSGIApplication:
    """The sandbox as a WSGI app over an existing (seeded) database.

    `latency_ms` and `fail_rate` add delay and 503s to `/api/v4/*` requests (never to login);
    `clock` and `sleep` are injectable so tests need not wait; `dialect` (a `Dialect` or a
    preset's name, see `dialects.DIALECTS`) is how the app speaks.
    """
    return SandboxApp(
        db_path,
        token_ttl=token_ttl,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        rng_seed=rng_seed,
        clock=clock,
        sleep=sleep,
        dialect=dialect_named(dialect) if isinstance(dialect, str) else dialect,
    )
