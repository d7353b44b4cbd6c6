"""Property-based fuzzing of every sandbox route (hypothesis): generated paths, query strings,
bodies, methods and signed-in roles; no answer is a 5xx, every 4xx has an error body, and a
refused request changes no data.

The default run is small enough for the suite; `LEADLENS_FUZZ_EXAMPLES=5000` runs more
examples per test (each example is one request).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.test import Client, TestResponse

from lib.sandbox import DEMO_PASSWORD, seed_database
from lib.sandbox.app import SandboxApp
from lib.sandbox.app import _url_map as url_map
from lib.sandbox.query import DATE_BOUNDS
from lib.sandbox.resources import RESOURCES

FUZZ_EXAMPLES_ENV = "LEADLENS_FUZZ_EXAMPLES"
DEFAULT_FUZZ_EXAMPLES = 25
"""Examples per route in the suite (about 700 requests in all); more with the env var."""
FUZZ_EXAMPLES = int(os.environ.get(FUZZ_EXAMPLES_ENV, DEFAULT_FUZZ_EXAMPLES))
FUZZ_LEADS = 40
"""A small database, so the checksum of every data table is cheap after each request."""
ROLES = ("admin", "analyst", "viewer", "masked")
SIGN_IN_TABLES = frozenset({"sessions", "tokens", "login_failures", "mfa_challenges"})
"""Tables sign-in writes by design (a failed login is counted); the data is everything else."""
LOGIN_PATHS = frozenset({"/api/login"})
"""Paths that answer OAuth-style JSON errors rather than Hydra ones."""
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=FUZZ_EXAMPLES == DEFAULT_FUZZ_EXAMPLES,
)
"""Derandomized in the suite so a failure reproduces; random in a longer run."""


class DataWatch:
    """Tells whether the data tables changed, cheaply: SQLite's `data_version` says whether
    anything was committed since the last look; only then are the tables checksummed."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.watcher = sqlite3.connect(db_path, check_same_thread=False)
        self.version = self._data_version()
        self.checksum = data_checksum(db_path)

    def _data_version(self) -> int:
        return int(self.watcher.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether the data differs from the last look (and remember it as it is now)."""
        version = self._data_version()
        if version == self.version:
            return False
        self.version = version
        checksum = data_checksum(self.db_path)
        changed = checksum != self.checksum
        self.checksum = checksum
        return changed


@dataclass
class Sandbox:
    """The app under fuzz, a client of it, a watch on its data, and a token per role."""

    app: SandboxApp
    client: Client
    data: DataWatch
    tokens: dict[str, str]
    requests: int = 0

    def sign_in(self, role: str) -> str:
        answer = self.client.post(
            "/api/login", data={"username": f"{role}@sandbox.test", "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        token: str = answer.get_json()["access_token"]
        self.tokens[role] = token
        return token


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    db_path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
    seed_database(db_path, leads=FUZZ_LEADS, seed=7)
    app = SandboxApp(db_path)
    box = Sandbox(app, Client(app), DataWatch(db_path), {})
    for role in ROLES:
        box.sign_in(role)
    box.data.changed()
    yield box
    box.data.watcher.close()
    print(f"\nfuzzed {box.requests} requests")


def data_checksum(db_path: Path) -> dict[str, str]:
    """Each data table's row count and a digest of its rows, in sorted order (some tables, the
    lead counts and the search index's, have no rowid)."""
    sums: dict[str, str] = {}
    connection = sqlite3.connect(db_path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in tables:
            if table in SIGN_IN_TABLES or table.startswith("sqlite_"):
                continue
            digest = hashlib.sha256()
            count = 0
            for text in sorted(repr(row) for row in connection.execute(f"SELECT * FROM {table}")):
                digest.update(text.encode("utf-8", "backslashreplace"))
                count += 1
            sums[table] = f"{count}:{digest.hexdigest()}"
    finally:
        connection.close()
    return sums


# -- strategies ------------------------------------------------------------------------------

EDGE_VALUES = (
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-11-20T12:00:00+00:00",
    "2026-11-20T12:00:00.999999Z",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "0",
    "-1",
    "1e400",
    "NaN",
    "/api/v4/leads/100001",
    "/api/v4/campaigns/1",
    "/api/v4/campaigns/../leads/1",
    "true",
    "maybe",
    "asc",
    "DESC",
    "%",
    "_",
    "\\",
    "'; DROP TABLE leads; --",
    "\x00",
    "\ud800",
    "provider",
    "processr",
)


def _parameter_names() -> list[str]:
    names = {"page", "itemsPerPage", "search", "type", "order[]", "id[]", "page[]"}
    for resource in RESOURCES:
        for spec in resource.filters:
            names |= {spec.param, f"{spec.param}[]", f"{spec.param}.id", f"{spec.param}.id[]"}
            names |= {f"{spec.param}[{bound}]" for bound in DATE_BOUNDS}
        names |= {f"order[{field}]" for field in resource.orders}
    return sorted(names)


def _long_text(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["a", "%", "_", "é", "\\", "ab%_ ", "👋"]))
    # Lengths on both sides of the limits, and past SQLite's 50,000-byte LIKE patterns.
    return unit * draw(st.sampled_from([256, 5_000, 60_000]))


@st.composite
def query_values(draw: st.DrawFn) -> str:
    kind = draw(st.integers(min_value=0, max_value=9))
    if kind < 4:
        return draw(st.sampled_from(EDGE_VALUES))
    if kind < 6:
        return str(draw(st.integers(min_value=-(2**70), max_value=2**70)))
    if kind == 6:
        return _long_text(draw)
    return draw(st.text(max_size=40))


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    """A query string: known and unknown parameters, sometimes repeated a thousand times, or
    bytes that are not UTF-8."""
    names = st.one_of(st.sampled_from(_parameter_names()), st.text(max_size=20))
    pairs = draw(st.lists(st.tuples(names, query_values()), max_size=6))
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        short_values = st.one_of(st.sampled_from(EDGE_VALUES), st.text(max_size=10))
        pairs += [draw(st.tuples(names, short_values))] * draw(
            st.integers(min_value=50, max_value=1500)
        )
    text = urlencode(
        [(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for k, v in pairs]
    )
    if draw(st.booleans()) and draw(st.booleans()):
        text += draw(st.sampled_from(["&%FF%FE=x", "&search=%C3%28", "&%=%", "&&&=", "&a[=1"]))
    return text


def _nested(depth: int) -> str:
    return '{"lead": ' * depth + "1" + "}" * depth


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    """Lead-data bodies: well formed, wrong in one field, deeply nested, huge or not UTF-8."""
    kind = draw(st.integers(min_value=0, max_value=9))
    if kind == 0:
        return _nested(draw(st.integers(min_value=100, max_value=100_000))).encode()
    if kind == 1:
        return ("[" * draw(st.integers(min_value=100, max_value=100_000))).encode()
    if kind == 2:
        return draw(st.binary(max_size=200))
    if kind == 3:
        good = json.dumps({"lead": "/api/v4/leads/100001", "name": "city", "value": "Caf"})
        return good.encode()[:-3] + draw(st.sampled_from([b'\xe9"}', b'\xff"}', b'\xc3"}']))
    json_leaf = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)
    )
    field_values = st.one_of(
        json_leaf,
        st.sampled_from(EDGE_VALUES),
        st.sampled_from(["/api/v4/leads/100001", "/api/v4/leads/100003", "100002"]),
        st.builds(lambda n: {"id": n}, st.integers(min_value=100_000, max_value=100_050)),
        st.lists(json_leaf, max_size=3),
        st.text(max_size=300),
    )
    body = draw(
        st.dictionaries(
            st.sampled_from(["lead", "name", "value", "previousValue", "extra"]),
            field_values,
            max_size=5,
        )
    )
    if draw(st.booleans()):
        body.setdefault("lead", "/api/v4/leads/100001")
        body.setdefault("name", draw(st.sampled_from(["city", "jobTitle", "email", "x.y"])))
    if kind == 4:
        body["value"] = _long_text(draw)
    return json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@st.composite
def login_forms(draw: st.DrawFn) -> bytes:
    fields = {
        "username": st.one_of(
            st.sampled_from(["mfa@sandbox.test", "expired@sandbox.test", "nobody@x.test"]),
            st.text(max_size=30),
        ),
        "password": st.one_of(st.just(DEMO_PASSWORD), st.text(max_size=30)),
        "grant_type": st.sampled_from(["password", "refresh_token", "x", ""]),
        "refresh_token": st.text(max_size=50),
        "mfa_token": st.text(max_size=50),
        "mfa_code": st.one_of(st.just("123456"), st.text(max_size=10)),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=6))
    form = [(name, draw(fields[name])) for name in chosen]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        form.append(("username", _long_text(draw)))
    return urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in form]).encode()


@dataclass(frozen=True)
class FuzzRequest:
    method: str
    path: str
    query: str
    body: bytes
    content_type: str
    role: str | None


def _rules() -> list[Rule]:
    """Every route of the app's Map (the same function builds the app's)."""
    rules = list(url_map().iter_rules())
    assert len(rules) > 2, f"expected the sandbox's routes, got {rules}"
    return rules


@st.composite
def fuzz_requests(draw: st.DrawFn, rule: Rule) -> FuzzRequest:
    allowed = sorted(rule.methods - {"HEAD", "OPTIONS"}) if rule.methods else ["GET"]
    method = draw(st.one_of(st.sampled_from(allowed), st.sampled_from(["PUT", "DELETE", "GET"])))
    path = rule.rule
    if "<item_id>" in path:
        item = draw(
            st.one_of(
                st.integers(min_value=-5, max_value=2**64).map(str),
                st.sampled_from(["100001", "1", "2", "3"]),
                st.text(max_size=30),
            )
        )
        path = path.replace("<item_id>", quote(item.encode("utf-8", "surrogatepass"), safe=""))
    is_login = path in LOGIN_PATHS
    body = draw(login_forms() if is_login else json_bodies()) if method == "POST" else b""
    content_type = "application/x-www-form-urlencoded" if is_login else "application/ld+json"
    role = draw(st.sampled_from([*ROLES, None, "not-a-token"]))
    return FuzzRequest(method, path, draw(query_strings()), body, content_type, role)


# -- the property ------------------------------------------------------------------------------


def _send(box: Sandbox, request: FuzzRequest) -> TestResponse:
    headers = {"Content-Type": request.content_type}
    if request.role in box.tokens:
        headers["Authorization"] = f"Bearer {box.tokens[request.role]}"
    elif request.role is not None:
        headers["Authorization"] = f"Bearer {request.role}"
    box.requests += 1
    return box.client.open(
        request.path,
        method=request.method,
        query_string=request.query,
        data=request.body,
        headers=headers,
    )


def _check_error_body(request: FuzzRequest, response: TestResponse) -> None:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    body: Any = json.loads(text)
    if request.path in LOGIN_PATHS and "error" in body:
        assert body["error"] and body["error_description"], body
        return
    assert response.content_type.startswith("application/ld+json"), response.content_type
    assert body["@type"] in {"hydra:Error", "ConstraintViolationList"}, body
    assert body["hydra:description"], body


def check_request(box: Sandbox, request: FuzzRequest) -> None:
    response = _send(box, request)
    status = response.status_code
    summary = f"{request.method} {request.path}?{request.query[:300]} -> {status}"
    assert status < 500, f"{summary}: {response.get_data(as_text=True)[:500]}"
    if status >= 400:
        _check_error_body(request, response)
    changed = box.data.changed()
    writes = request.method == "POST" and request.path.endswith("/lead-datas")
    if status >= 400 or not writes:
        assert not changed, f"{summary} changed the data"
    if request.path == "/api/logout" and status == 204 and request.role in box.tokens:
        box.sign_in(request.role)  # the fuzzer signed this role out: sign it in again


RULES = _rules()


@pytest.mark.slow
@pytest.mark.parametrize("rule", RULES, ids=[f"{r.rule}" for r in RULES])
def test_no_generated_request_gets_a_5xx_or_changes_data_when_refused(
    sandbox: Sandbox, rule: Rule
) -> None:
    @FUZZ_SETTINGS
    @given(request=fuzz_requests(rule))
    def fuzz(request: FuzzRequest) -> None:
        check_request(sandbox, request)

    fuzz()
