"""The sandbox's WSGI application: Werkzeug routing over SQLite, answering like the v4 API.

Errors raised while answering (all Hydra JSON):

    ApiError                 a planned 4xx/5xx answer (status, description, extra body fields)
    werkzeug HTTPException   routing failures (404 unknown path, 405 wrong method)
    any other Exception      a bug: a Hydra 500 without details, logged server-side
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from lib.sandbox import db
from lib.sandbox.demo import ROLE_PERMISSIONS
from lib.sandbox.resources import (
    API_PREFIX,
    CORE_FIELDS,
    RESOURCES,
    RESOURCES_BY_PATH,
    TABLE_SOURCES,
    Filter,
    Resource,
    iri,
)
from lib.sandbox.seed import hash_password

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_TTL = 3600
ITEMS_PER_PAGE = 30
MAX_SQLITE_INT = 2**63 - 1
MAX_CACHED_SESSIONS = 1024
"""Looked-up tokens kept in memory before the expired ones are dropped."""
MAX_VALUE_LENGTH = 255
JSON_LD = "application/ld+json; charset=utf-8"
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
DIGITS = re.compile(r"[0-9]{1,19}")
ORDER_PARAM = re.compile(r"order\[([A-Za-z.]+)\]")
PROVIDER_LOGS_FORBIDDEN = (
    "Your role cannot see provider logs: they may contain unmasked personal data"
)
DATE_BOUNDS = ("after", "before", "strictly_after", "strictly_before")


class ApiError(Exception):
    """A planned error answer."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.extra = extra or {}
        self.headers = headers or {}


@dataclass(frozen=True)
class User:
    """The signed-in user of a request."""

    id: int
    email: str
    name: str
    role: str

    @property
    def permissions(self) -> tuple[str, ...]:
        return ROLE_PERMISSIONS.get(self.role, ())


def json_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON-LD response (UTF-8, non-ASCII kept as is)."""
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, headers=headers, content_type=JSON_LD)


def hydra_error(status: int, description: str, extra: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {
        "@context": "/api/v4/contexts/Error",
        "@type": "hydra:Error",
        "hydra:title": "An error occurred",
        "hydra:description": description,
    }
    body.update(extra or {})
    return json_response(body, status)


def violation_error(violations: list[tuple[str, str]]) -> ApiError:
    """A 422 ConstraintViolationList."""
    return ApiError(
        422,
        "\n".join(f"{path}: {message}" for path, message in violations),
        extra={
            "@context": "/api/v4/contexts/ConstraintViolationList",
            "@type": "ConstraintViolationList",
            "violations": [{"propertyPath": p, "message": m} for p, m in violations],
        },
    )


def _values(args: MultiDict[str, str], name: str) -> list[str]:
    return args.getlist(name) + args.getlist(f"{name}[]")


def _json_kind(value: object) -> str:
    """A decoded JSON value's type in JSON's words (an empty body reads as null)."""
    if value is None:
        return "an empty body or null"
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "a number"),
        (float, "a number"),
        (str, "a string"),
        (list, "an array"),
    )
    return next((kind for cls, kind in kinds if isinstance(value, cls)), type(value).__name__)


def _positive_int(args: MultiDict[str, str], name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not DIGITS.fullmatch(raw) or int(raw) < 1:
        raise ApiError(400, f'Invalid value for "{name}": expected a positive integer, got {raw!r}')
    return int(raw)


def _parse_id(raw: str, name: str, target: str | None) -> int:
    text = raw
    if target and text.startswith(f"{API_PREFIX}/{target}/"):
        text = text[len(API_PREFIX) + len(target) + 2 :]
    if DIGITS.fullmatch(text) and 0 < int(text) <= MAX_SQLITE_INT:
        return int(text)
    example = f"{API_PREFIX}/{target}/1" if target else "1"
    raise ApiError(
        400, f'Invalid value for "{name}": expected an id or an IRI like {example}, got {raw!r}'
    )


def _parse_bool(raw: str, name: str) -> bool:
    lowered = raw.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise ApiError(400, f'Invalid value for "{name}": expected true or false, got {raw!r}')


def _parse_moment(raw: str, name: str) -> tuple[datetime, bool]:
    """A date or datetime filter value as a UTC datetime, and whether it was a bare date."""
    text = raw.strip()
    # An unencoded "+00:00" offset arrives as " 00:00" (a "+" in a query string is a space).
    text = re.sub(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$", r"\1+\2", text)
    try:
        if DATE_PATTERN.fullmatch(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC), True
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or not re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
        raise ApiError(
            400,
            f'Invalid value for "{name}": expected a date (YYYY-MM-DD) or an ISO 8601 '
            f"datetime, got {raw!r}",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), False


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _datetime_condition(column: str, bound: str, raw: str, name: str) -> tuple[str, str]:
    """SQL condition for a createdTs[bound] filter; stored stamps are whole UTC seconds.

    A bare date covers the whole day: `after` and `before` include it, the strict bounds
    exclude it.
    """
    moment, bare = _parse_moment(raw, name)
    if not date(1, 1, 2) <= moment.date() <= date(9999, 12, 30):
        raise ApiError(400, f'Invalid value for "{name}": date out of range, got {raw!r}')
    whole = moment.replace(microsecond=0)
    ceiling = whole if moment.microsecond == 0 else whole + timedelta(seconds=1)
    if bare:
        next_day = moment + timedelta(days=1)
        return {
            "after": (f"{column} >= ?", _stamp(moment)),
            "strictly_after": (f"{column} >= ?", _stamp(next_day)),
            "before": (f"{column} < ?", _stamp(next_day)),
            "strictly_before": (f"{column} < ?", _stamp(moment)),
        }[bound]
    return {
        "after": (f"{column} >= ?", _stamp(ceiling)),
        "strictly_after": (f"{column} > ?", _stamp(whole)),
        "before": (f"{column} <= ?", _stamp(whole)),
        "strictly_before": (f"{column} < ?", _stamp(ceiling)),
    }[bound]


def _date_condition(column: str, bound: str, raw: str, name: str) -> tuple[str, str]:
    moment, _bare = _parse_moment(raw, name)
    day = moment.date().isoformat()
    operator = {"after": ">=", "before": "<=", "strictly_after": ">", "strictly_before": "<"}
    return f"{column} {operator[bound]} ?", day


def _escape_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _in(column: str, values: list[Any], where: list[str], params: list[Any]) -> None:
    if len(values) == 1:
        where.append(f"{column} = ?")
    else:
        where.append(f"{column} IN ({', '.join('?' * len(values))})")
    params.extend(values)


def apply_filter(
    spec: Filter, args: MultiDict[str, str], where: list[str], params: list[Any]
) -> None:
    """Translate one API filter's query parameters into SQL conditions."""
    name, column = spec.param, spec.column
    if spec.kind in {"id", "relation"}:
        names = [name, f"{name}.id"] if spec.kind == "relation" else [name]
        ids = {
            _parse_id(raw, param, spec.target) for param in names for raw in _values(args, param)
        }
        if ids:
            _in(column, sorted(ids), where, params)
    elif spec.kind == "exact":
        values = _values(args, name)
        if values:
            _in(column, values, where, params)
    elif spec.kind == "iexact":
        values = _values(args, name)
        if values:
            _in(f"{column} COLLATE NOCASE", values, where, params)
    elif spec.kind == "partial":
        for value in _values(args, name):
            where.append(f"{column} LIKE ? ESCAPE '\\'")
            params.append(_escape_like(value))
    elif spec.kind == "bool":
        flags = sorted({int(_parse_bool(value, name)) for value in _values(args, name)})
        if flags:
            _in(column, flags, where, params)
    elif spec.kind in {"datetime", "date"}:
        condition = _datetime_condition if spec.kind == "datetime" else _date_condition
        for bound in DATE_BOUNDS:
            param = f"{name}[{bound}]"
            for raw in args.getlist(param):
                sql, value = condition(column, bound, raw, param)
                where.append(sql)
                params.append(value)


def order_terms(resource: Resource, args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """(column, ASC|DESC) from order[field]=asc|desc in query order, then id ascending."""
    terms: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, raw in args.items(multi=True):
        match = ORDER_PARAM.fullmatch(key)
        if not match:
            continue
        direction = raw.lower()
        if direction not in {"asc", "desc"}:
            raise ApiError(400, f'Invalid value for "{key}": expected asc or desc, got {raw!r}')
        column = resource.orders.get(match.group(1))
        if column is None or column in seen:
            continue  # API Platform ignores orderings it does not offer
        seen.add(column)
        terms.append((column, direction.upper()))
    if "id" not in seen:
        terms.append(("id", "ASC"))
    return terms


def order_sql(terms: list[tuple[str, str]], *, reverse: bool = False) -> str:
    flip = {"ASC": "DESC", "DESC": "ASC"}
    return ", ".join(f"{column} {flip[way] if reverse else way}" for column, way in terms)


def _page_link(path: str, args: MultiDict[str, str], page: int) -> str:
    pairs = [(key, value) for key, value in args.items(multi=True) if key != "page"]
    pairs.append(("page", str(page)))
    return f"{path}?{urlencode(pairs, safe='[]/:')}"


class SandboxApp:
    """The WSGI callable. One SQLite connection per request, so threads never share one."""

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
        self.token_ttl = token_ttl
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.clock = clock
        self.sleep = sleep
        self._rng = random.Random(rng_seed)
        self._rng_lock = threading.Lock()
        self._local = threading.local()
        self._sessions: dict[str, tuple[User, float]] = {}
        """Token -> (user, expiry) of tokens already looked up: a token never changes owner
        or expiry, so only its expiry needs checking again."""
        self._sessions_lock = threading.Lock()
        rules = [
            Rule("/api/login", endpoint="login", methods=["POST"]),
            Rule(f"{API_PREFIX}/users/me", endpoint="me", methods=["GET"]),
        ]
        for resource in RESOURCES:
            methods = ["GET", "POST"] if resource.writable else ["GET"]
            rules.append(
                Rule(f"{API_PREFIX}/{resource.path}", endpoint=resource.path, methods=methods)
            )
            rules.append(
                Rule(
                    f"{API_PREFIX}/{resource.path}/<item_id>",
                    endpoint=f"{resource.path}:item",
                    methods=["GET"],
                )
            )
        self.url_map = Map(rules, strict_slashes=False)

    # --- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except ApiError as error:
            response = hydra_error(error.status, error.description, error.extra)
            for key, value in error.headers.items():
                response.headers[key] = value
        except HTTPException as error:
            response = hydra_error(error.code or 500, error.description or error.name)
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
        except Exception:
            logger.exception("sandbox: unexpected error answering %s", request.path)
            response = hydra_error(500, "Internal Server Error")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(f"{API_PREFIX}/"):
            self._inject_trouble()
        adapter = self.url_map.bind_to_environ(request.environ)
        endpoint, values = adapter.match()
        if endpoint == "login":
            return self.login(request)
        connection = self._connection()
        user = self.authenticate(connection, request)
        if endpoint == "me":
            return json_response(self.user_item(user))
        path, _, kind = str(endpoint).partition(":")
        resource = RESOURCES_BY_PATH[path]
        if kind == "item":
            return self.item(connection, user, resource, str(values["item_id"]))
        if request.method == "POST":
            return self.post_lead_data(connection, user, request)
        return self.collection(connection, user, resource, request)

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

    # --- authentication ------------------------------------------------------------------
    def login(self, request: Request) -> Response:
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if not username or not password:
            return Response(
                json.dumps(
                    {
                        "error": "invalid_request",
                        "error_description": "username and password are required",
                    }
                ),
                status=400,
                content_type="application/json",
            )
        connection = db.connect(self.db_path)
        try:
            row = connection.execute(
                "SELECT id, password_hash FROM users WHERE email = ? COLLATE NOCASE", (username,)
            ).fetchone()
            salt = str(row["password_hash"]).split("$", 1)[0] if row else ""
            if row is None or not secrets.compare_digest(
                hash_password(password, salt), row["password_hash"]
            ):
                return Response(
                    json.dumps(
                        {
                            "error": "invalid_grant",
                            "error_description": "Invalid username and password combination",
                        }
                    ),
                    status=400,
                    content_type="application/json",
                )
            token = secrets.token_urlsafe(32)
            now = self.clock()
            with db.atomic(connection, write=True):
                connection.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
                connection.execute(
                    "INSERT INTO tokens (token, user_id, expires_at) VALUES (?, ?, ?)",
                    (token, row["id"], now + self.token_ttl),
                )
        finally:
            connection.close()
        body = {
            "access_token": token,
            "expires_in": self.token_ttl,
            "token_type": "bearer",
            "refresh_token": secrets.token_urlsafe(32),
            "user_id": row["id"],
            "password_expired": False,
        }
        return Response(json.dumps(body), status=200, content_type="application/json")

    def authenticate(self, connection: sqlite3.Connection, request: Request) -> User:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise ApiError(401, "Full authentication is required: no Bearer token was sent")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Expected an Authorization header of the form 'Bearer <token>'")
        token = token.strip()
        with self._sessions_lock:
            session = self._sessions.get(token)
        if session is None:
            session = self._look_up_token(connection, token)
            with self._sessions_lock:
                if len(self._sessions) >= MAX_CACHED_SESSIONS:
                    now = self.clock()
                    self._sessions = {
                        key: value for key, value in self._sessions.items() if value[1] > now
                    }
                self._sessions[token] = session
        user, expires_at = session
        if expires_at <= self.clock():
            raise ApiError(401, "Expired token: sign in again")
        return user

    @staticmethod
    def _look_up_token(connection: sqlite3.Connection, token: str) -> tuple[User, float]:
        row = connection.execute(
            "SELECT u.id, u.email, u.name, u.role, t.expires_at FROM tokens t"
            " JOIN users u ON u.id = t.user_id WHERE t.token = ?",
            (token,),
        ).fetchone()
        if row is None:
            raise ApiError(401, "Invalid token: it is unknown to this server")
        return User(row["id"], row["email"], row["name"], row["role"]), float(row["expires_at"])

    @staticmethod
    def user_item(user: User) -> dict[str, Any]:
        return {
            "@context": "/api/v4/contexts/User",
            "@id": iri("users", user.id),
            "@type": "User",
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "permissions": list(user.permissions),
        }

    # --- reading -----------------------------------------------------------------------------
    def _serialize(
        self, connection: sqlite3.Connection, resource: Resource, rows: list[sqlite3.Row]
    ) -> list[dict[str, Any]]:
        path, kind, serialize = resource.path, resource.type, resource.serialize
        items = [
            {"@id": iri(path, row["id"]), "@type": kind, "id": row["id"], **serialize(row)}
            for row in rows
        ]
        if resource.path == "leads" and items:
            self._embed_lead_children(connection, items)
        return items

    @staticmethod
    def _embed_lead_children(connection: sqlite3.Connection, items: list[dict[str, Any]]) -> None:
        by_id = {item["id"]: item for item in items}
        marks = ", ".join("?" * len(by_id))
        for row in connection.execute(
            f"SELECT id, lead_id, name, value FROM lead_datas WHERE lead_id IN ({marks})"
            " ORDER BY lead_id, id",
            list(by_id),
        ):
            by_id[row["lead_id"]]["leadData"].append(
                {
                    "@id": iri("lead-datas", row["id"]),
                    "@type": "LeadData",
                    "name": row["name"],
                    "value": row["value"],
                }
            )
        for row in connection.execute(
            f"SELECT id, lead_id FROM lead_notes WHERE lead_id IN ({marks})"
            " ORDER BY lead_id, created_ts, id",
            list(by_id),
        ):
            by_id[row["lead_id"]]["leadNotes"].append(iri("lead-notes", row["id"]))

    def _fetch(
        self, connection: sqlite3.Connection, resource: Resource, ids: list[int]
    ) -> list[sqlite3.Row]:
        if not ids:
            return []
        source = TABLE_SOURCES.get(resource.table, resource.table)
        marks = ", ".join("?" * len(ids))
        rows = connection.execute(f"SELECT * FROM {source} WHERE id IN ({marks})", ids).fetchall()
        position = {item_id: index for index, item_id in enumerate(ids)}
        return sorted(rows, key=lambda row: position[row["id"]])

    def item(
        self, connection: sqlite3.Connection, user: User, resource: Resource, raw_id: str
    ) -> Response:
        if not DIGITS.fullmatch(raw_id) or not 0 < int(raw_id) <= MAX_SQLITE_INT:
            raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id!r}")
        with db.atomic(connection, write=False):
            rows = self._fetch(connection, resource, [int(raw_id)])
            if not rows:
                raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id}")
            if resource.path == "logs" and rows[0]["type"] == "provider":
                self._require_provider_logs(user)
            item = self._serialize(connection, resource, rows)[0]
        return json_response({"@context": f"/api/v4/contexts/{resource.type}", **item})

    @staticmethod
    def _require_provider_logs(user: User) -> None:
        if "logs.provider.view" not in user.permissions:
            raise ApiError(403, PROVIDER_LOGS_FORBIDDEN)

    def collection(
        self, connection: sqlite3.Connection, user: User, resource: Resource, request: Request
    ) -> Response:
        args = request.args
        page = _positive_int(args, "page", 1)
        items_per_page = min(
            _positive_int(args, "itemsPerPage", ITEMS_PER_PAGE), resource.max_items_per_page
        )
        where: list[str] = []
        params: list[Any] = []
        for spec in resource.filters:
            apply_filter(spec, args, where, params)
        if resource.path == "leads":
            for term in _values(args, "search"):
                pattern = _escape_like(term.strip())
                where.append(
                    "(email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\'"
                    " OR last_name LIKE ? ESCAPE '\\'"
                    " OR (first_name || ' ' || last_name) LIKE ? ESCAPE '\\')"
                )
                params.extend([pattern] * 4)
        if resource.path == "logs" and "logs.provider.view" not in user.permissions:
            types = _values(args, "type")
            if "provider" in types:
                raise ApiError(403, PROVIDER_LOGS_FORBIDDEN)
            if not types:
                where.append("type = ?")
                params.append("processr")
        order = order_terms(resource, args)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        offset = (page - 1) * items_per_page
        with db.atomic(connection, write=False):
            total = int(
                connection.execute(
                    f"SELECT COUNT(*) FROM {resource.table}{condition}", params
                ).fetchone()[0]
            )
            ids: list[int] = []
            if offset < total:
                # Pick the page's ids from the index first, then load only those rows. The
                # order ends with id, so it is total: a page in the second half is read
                # from the other end in reverse, which halves how far OFFSET must walk.
                limit = min(items_per_page, total - offset)
                from_end = offset > total // 2
                ids = [
                    row[0]
                    for row in connection.execute(
                        f"SELECT id FROM {resource.table}{condition}"
                        f" ORDER BY {order_sql(order, reverse=from_end)} LIMIT ? OFFSET ?",
                        [*params, limit, total - offset - limit if from_end else offset],
                    )
                ]
                if from_end:
                    ids.reverse()
            members = self._serialize(connection, resource, self._fetch(connection, resource, ids))
        path = f"{API_PREFIX}/{resource.path}"
        last = max(1, math.ceil(total / items_per_page))
        view: dict[str, Any] = {
            "@id": _page_link(path, args, page),
            "@type": "hydra:PartialCollectionView",
            "hydra:first": _page_link(path, args, 1),
            "hydra:last": _page_link(path, args, last),
        }
        if page > 1:
            view["hydra:previous"] = _page_link(path, args, min(page - 1, last))
        if page < last:
            view["hydra:next"] = _page_link(path, args, page + 1)
        return json_response(
            {
                "@context": f"/api/v4/contexts/{resource.type}",
                "@id": path,
                "@type": "hydra:Collection",
                "hydra:member": members,
                "hydra:totalItems": total,
                "hydra:view": view,
            }
        )

    # --- writing -----------------------------------------------------------------------------
    def post_lead_data(
        self, connection: sqlite3.Connection, user: User, request: Request
    ) -> Response:
        if "leads.edit" not in user.permissions:
            raise ApiError(403, f"Your role ({user.role}) cannot edit lead data")
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError as error:
            raise ApiError(400, f"Syntax error: the body is not valid JSON ({error})") from None
        if not isinstance(body, dict):
            raise ApiError(400, f"Expected a JSON object as the body, got {_json_kind(body)}")
        lead_id, name, value, violations = _check_lead_data_body(body)
        has_previous = "previousValue" in body
        previous = body.get("previousValue")
        if has_previous and previous is not None and not isinstance(previous, str):
            violations.append(("previousValue", "This value should be a string or null."))
        if violations:
            raise violation_error(violations)
        assert lead_id is not None and name is not None and value is not None
        now = _stamp(datetime.fromtimestamp(self.clock(), UTC))
        with db.atomic(connection, write=True):
            lead = connection.execute(
                "SELECT id, campaign_id, delivered FROM leads WHERE id = ?", (lead_id,)
            ).fetchone()
            if lead is None:
                raise violation_error([("lead", f'Item not found for "{iri("leads", lead_id)}".')])
            if lead["delivered"] and "leads.edit_delivered" not in user.permissions:
                raise ApiError(
                    403,
                    f"Your role ({user.role}) cannot edit a lead that has already been delivered",
                )
            field_violations = _check_against_field(connection, lead["campaign_id"], name, value)
            if field_violations:
                raise violation_error(field_violations)
            current = connection.execute(
                "SELECT id, value FROM lead_datas WHERE lead_id = ? AND name = ?",
                (lead_id, name),
            ).fetchone()
            current_value = current["value"] if current else None
            if has_previous and previous != current_value:
                raise ApiError(
                    409,
                    f'The value of "{name}" changed since it was loaded: '
                    f"expected {previous!r}, found {current_value!r}",
                    extra={"currentValue": current_value},
                )
            if current is None:
                data_id = connection.execute(
                    "INSERT INTO lead_datas (lead_id, name, value, source, provider,"
                    " original_value, created_ts, updated_ts)"
                    " VALUES (?, ?, ?, 'edited', NULL, NULL, ?, ?)",
                    (lead_id, name, value, now, now),
                ).lastrowid
                status = 201
                message = f'{name} set to "{value}"'
            else:
                data_id = current["id"]
                # originalValue keeps the very first value (a transform's input included).
                connection.execute(
                    "UPDATE lead_datas SET value = ?, source = 'edited',"
                    " original_value = COALESCE(original_value, value), updated_ts = ?"
                    " WHERE id = ?",
                    (value, now, data_id),
                )
                status = 200
                message = f'{name} changed from "{current_value}" to "{value}"'
            connection.execute(
                "INSERT INTO lead_notes (lead_id, type, message, author, field, old_value,"
                " new_value, created_ts) VALUES (?, 'data', ?, ?, ?, ?, ?, ?)",
                (lead_id, message, user.name, name, current_value, value, now),
            )
            column = CORE_FIELDS.get(name)
            if column is not None:
                connection.execute(f"UPDATE leads SET {column} = ? WHERE id = ?", (value, lead_id))
                if name == "email":
                    connection.execute(
                        "UPDATE leads SET email_hash = ? WHERE id = ?",
                        (sha256(value.lower().encode()).hexdigest(), lead_id),
                    )
            resource = RESOURCES_BY_PATH["lead-datas"]
            rows = self._fetch(connection, resource, [int(data_id or 0)])
            item = self._serialize(connection, resource, rows)[0]
        headers = {"Location": item["@id"]} if status == 201 else None
        return json_response({"@context": "/api/v4/contexts/LeadData", **item}, status, headers)


def _check_lead_data_body(
    body: dict[str, Any],
) -> tuple[int | None, str | None, str | None, list[tuple[str, str]]]:
    violations: list[tuple[str, str]] = []
    lead_id: int | None = None
    raw_lead = body.get("lead")
    if raw_lead is None or raw_lead == "":
        violations.append(("lead", "This value should not be blank."))
    else:
        candidate: Any = raw_lead
        if isinstance(raw_lead, dict):
            candidate = raw_lead.get("id", raw_lead.get("@id"))
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            candidate = str(candidate)
        try:
            if not isinstance(candidate, str):
                raise ApiError(400, "not an IRI")
            lead_id = _parse_id(candidate, "lead", "leads")
        except ApiError:
            violations.append(
                ("lead", f'Expected an IRI like "{API_PREFIX}/leads/1" or {{"id": 1}}.')
            )
    name = body.get("name")
    if name is None or name == "":
        violations.append(("name", "This value should not be blank."))
        name = None
    elif not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        violations.append(
            (
                "name",
                "Expected 1 to 64 letters, digits, '_' or '.', starting with a letter.",
            )
        )
        name = None
    value = body.get("value")
    if value is None:
        violations.append(("value", "This value should not be null."))
    elif not isinstance(value, str):
        violations.append(("value", "This value should be of type string."))
        value = None
    elif len(value) > MAX_VALUE_LENGTH:
        violations.append(
            (
                "value",
                f"This value is too long. It should have {MAX_VALUE_LENGTH} characters or less.",
            )
        )
    return lead_id, name, value, violations


def _check_against_field(
    connection: sqlite3.Connection, campaign_id: int, name: str, value: str
) -> list[tuple[str, str]]:
    """Violations of the campaign's editable-field definition for `name`, if it has one."""
    field = connection.execute(
        "SELECT type, choices, required, max_length, editable FROM lead_editable_fields"
        " WHERE campaign_id = ? AND name = ?",
        (campaign_id, name),
    ).fetchone()
    if field is None:
        return []
    if not field["editable"]:
        return [("name", f'The field "{name}" is not editable.')]
    if value.strip() == "":
        return [("value", "This value should not be blank.")] if field["required"] else []
    max_length = field["max_length"]
    if max_length is not None and len(value) > max_length:
        return [
            ("value", f"This value is too long. It should have {max_length} characters or less.")
        ]
    kind = field["type"]
    if kind == "email" and not EMAIL_PATTERN.fullmatch(value):
        return [("value", "This value is not a valid email address.")]
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return [("value", "This value should be a valid number.")]
    if kind == "date":
        try:
            valid = bool(DATE_PATTERN.fullmatch(value)) and bool(date.fromisoformat(value))
        except ValueError:
            valid = False
        if not valid:
            return [("value", "This value is not a valid date (YYYY-MM-DD).")]
    if kind == "choice":
        choices = json.loads(field["choices"])
        if value not in choices:
            return [
                ("value", f"The value you selected is not a valid choice: {', '.join(choices)}.")
            ]
    return []


def create_app(
    db_path: str | Path,
    *,
    token_ttl: int = DEFAULT_TOKEN_TTL,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    rng_seed: int | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> WSGIApplication:
    """The sandbox as a WSGI app over an existing (seeded) database.

    `latency_ms` and `fail_rate` add delay and 503s to `/api/v4/*` requests (never to login);
    `clock` and `sleep` are injectable so tests need not wait.
    """
    return SandboxApp(
        db_path,
        token_ttl=token_ttl,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        rng_seed=rng_seed,
        clock=clock,
        sleep=sleep,
    )
