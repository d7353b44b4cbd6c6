"""Every size limit is a 400 naming what passed it, never a 500: date filters at the edges of
the calendar, long and repeated query terms, large, deep or non-UTF-8 bodies."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from benchmarks.ports import free_port
from lib.sandbox import create_app
from lib.sandbox.db import PROJECT_ROOT
from lib.sandbox.query import MAX_PARAMETER_LENGTH, MAX_PARAMETER_VALUES, MAX_QUERY_TERMS
from lib.sandbox.responses import MAX_BODY_BYTES
from lib.sandbox.serving import MAX_SERVER_BODY_BYTES
from lib.sandbox.writes import MAX_BODY_DEPTH
from tests.conftest import copy_database
from tests.sandbox.conftest import assert_hydra_error, login, make_client

LEAD = "/api/v4/leads/100001"


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59",
    ],
)
@pytest.mark.parametrize("bound", ["after", "before", "strictly_after", "strictly_before"])
def test_dates_at_the_edges_of_the_calendar_are_400(
    api: httpx.Client, value: str, bound: str
) -> None:
    name = f"createdTs[{bound}]"
    body = assert_hydra_error(api.get("/api/v4/leads", params={name: value}), 400)
    assert f'"{name}"' in body["hydra:description"]
    assert "0001-01-02 to 9999-12-30" in body["hydra:description"]
    chronology = api.get("/api/v4/lead-statistics-chronologies", params={f"date[{bound}]": value})
    assert_hydra_error(chronology, 400)


def test_dates_just_inside_the_range_are_served(api: httpx.Client) -> None:
    # The range is checked on the date as written, before the offset (docs/api.md): both of
    # these fall outside it once in UTC, and are served.
    inside = {"createdTs[after]": "0001-01-02T00:00:00+14:00", "createdTs[before]": "9999-12-30"}
    assert api.get("/api/v4/leads", params=inside).status_code == 200
    late = {"createdTs[before]": "9999-12-30T23:59:59-14:00", "date[after]": "0001-01-02"}
    assert api.get("/api/v4/leads", params=late).status_code == 200
    chronology = "/api/v4/lead-statistics-chronologies"
    assert api.get(chronology, params={"date[before]": "9999-12-30T23:59:59-14:00"}).is_success
    early = api.get("/api/v4/leads", params={"createdTs[before]": "0999-01-01"}).json()
    assert early["hydra:totalItems"] == 0  # stamps before year 1000 keep their width


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/v4/leads", "search"), ("/api/v4/campaigns", "name"), ("/api/v4/leads", "email")],
)
def test_long_search_terms_are_400(api: httpx.Client, path: str, name: str) -> None:
    assert api.get(path, params={name: "a" * MAX_PARAMETER_LENGTH}).status_code == 200
    body = assert_hydra_error(api.get(path, params={name: "a%_" * 6_000}), 400)
    assert body["hydra:description"] == (
        f'Invalid value for "{name}": expected at most {MAX_PARAMETER_LENGTH} characters, got 18000'
    )


def test_repeated_terms_are_400(api: httpx.Client) -> None:
    ok = urlencode([("status[]", "Valid")] * MAX_PARAMETER_VALUES)
    assert api.get(f"/api/v4/campaigns?{ok}").status_code == 200
    many = urlencode([("search", "a")] * 1000)
    body = assert_hydra_error(api.get(f"/api/v4/leads?{many}"), 400)
    assert "Too many query parameters" in body["hydra:description"]
    repeated = urlencode([("processrStatus[]", "Valid")] * (MAX_PARAMETER_VALUES + 1))
    body = assert_hydra_error(api.get(f"/api/v4/leads?{repeated}"), 400)
    assert body["hydra:description"] == (
        f'Too many values for "processrStatus[]": expected at most {MAX_PARAMETER_VALUES},'
        f" got {MAX_PARAMETER_VALUES + 1}"
    )
    distinct = urlencode([(f"unknown{i}", "x") for i in range(MAX_QUERY_TERMS + 1)])
    assert_hydra_error(api.get(f"/api/v4/leads?{distinct}"), 400)
    long_name = assert_hydra_error(api.get(f"/api/v4/leads?{'x' * 300}=1"), 400)
    assert "name too long" in long_name["hydra:description"]


@pytest.fixture
def editor(writable_db: Path) -> httpx.Client:
    http = make_client(writable_db)
    http.headers.update(login(http, "admin"))
    return http


def _counts(db_path: Path) -> tuple[int, int]:
    with sqlite3.connect(db_path) as connection:
        datas = connection.execute("SELECT COUNT(*) FROM lead_datas").fetchone()[0]
        notes = connection.execute("SELECT COUNT(*) FROM lead_notes").fetchone()[0]
    connection.close()
    return int(datas), int(notes)


def _post(http: httpx.Client, content: bytes) -> httpx.Response:
    return http.post(
        "/api/v4/lead-datas", content=content, headers={"Content-Type": "application/ld+json"}
    )


def test_a_body_that_is_not_utf8_is_refused_and_nothing_is_stored(
    editor: httpx.Client, writable_db: Path
) -> None:
    before = _counts(writable_db)
    latin1 = '{"lead": "/api/v4/leads/100001", "name": "city", "value": "Café"}'.encode("latin-1")
    body = assert_hydra_error(_post(editor, latin1), 400)
    assert "expected UTF-8 JSON, got byte 0xe9" in body["hydra:description"]
    surrogate = b'{"lead": "/api/v4/leads/100001", "name": "city", "value": "\\ud800"}'
    body = assert_hydra_error(_post(editor, surrogate), 400)
    assert "lone surrogate" in body["hydra:description"]
    assert _counts(writable_db) == before
    good = '{"lead": "/api/v4/leads/100001", "name": "city", "value": "Café 👋"}'.encode()
    assert _post(editor, good).status_code in {200, 201}


@pytest.mark.parametrize("depth", [MAX_BODY_DEPTH + 1, 1000, 5000])
def test_deeply_nested_bodies_are_400(editor: httpx.Client, writable_db: Path, depth: int) -> None:
    before = _counts(writable_db)
    nested = '{"lead": ' * depth + "1" + "}" * depth
    body = assert_hydra_error(_post(editor, nested.encode()), 400)
    assert f"nested at most {MAX_BODY_DEPTH} deep" in body["hydra:description"]
    arrays = assert_hydra_error(_post(editor, b"[" * depth + b"]" * depth), 400)
    assert "nested" in arrays["hydra:description"]
    assert _counts(writable_db) == before


def test_a_body_nested_within_the_limit_is_judged_on_its_fields(editor: httpx.Client) -> None:
    lead = {"id": 100001}
    body = {"lead": lead, "name": "city", "value": "Leeds", "extra": [[[[["x"]]]]]}
    assert _post(editor, json.dumps(body).encode()).status_code in {200, 201}


def test_large_bodies_are_413(editor: httpx.Client, writable_db: Path) -> None:
    before = _counts(writable_db)
    huge = json.dumps({"lead": LEAD, "name": "city", "value": "x" * MAX_BODY_BYTES}).encode()
    body = assert_hydra_error(_post(editor, huge), 413)
    assert f"expected at most {MAX_BODY_BYTES} bytes, got {len(huge)}" in body["hydra:description"]
    assert _counts(writable_db) == before


class _UnreadableStream(io.RawIOBase):
    """A request body that fails the test if the app reads a byte of it."""

    def readable(self) -> bool:
        return True

    def readinto(self, _buffer: Any) -> int:
        raise AssertionError("the app read a body it should have refused from Content-Length")


@pytest.mark.parametrize("path", ["/api/v4/lead-datas", "/api/login", "/api/v4/leads"])
def test_an_oversized_content_length_is_413_without_reading_the_body(
    writable_db: Path, path: str
) -> None:
    app = create_app(writable_db)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "sandbox",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/ld+json",
        "CONTENT_LENGTH": str(50 * 1024 * 1024),
        "wsgi.input": _UnreadableStream(),
        "wsgi.errors": io.StringIO(),
    }
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    answer = b"".join(app(environ, start_response))
    assert statuses == ["413 REQUEST ENTITY TOO LARGE"]
    said = json.loads(answer)
    description = said["error_description"] if path == "/api/login" else said["hydra:description"]
    assert f"expected at most {MAX_BODY_BYTES} bytes" in description


@pytest.fixture(scope="module")
def served_sandbox(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`python -m lib.sandbox serve` (waitress, as users run it) on a free port."""
    db_path = copy_database(sandbox_db, tmp_path_factory.mktemp("served") / "served.sqlite")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lib.sandbox", "serve", "--port", str(port), "--db", str(db_path),
         "--threads", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("Lead Lens sandbox on")  # bound
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def test_the_http_server_answers_an_oversized_body_before_it_is_sent_in_full(
    served_sandbox: int,
) -> None:
    # 100 MiB announced, 1 KiB sent: the 413 arrives while the client still owes nearly all.
    announced = 100 * 1024 * 1024
    assert announced > MAX_SERVER_BODY_BYTES
    with socket.create_connection(("127.0.0.1", served_sandbox), timeout=30) as raw:
        raw.sendall(
            b"POST /api/v4/lead-datas HTTP/1.1\r\nHost: sandbox\r\n"
            b"Content-Type: application/ld+json\r\n"
            + f"Content-Length: {announced}\r\n\r\n".encode()
            + b"{" * 1024
        )
        with raw.makefile("rb") as answer:
            status_line = answer.readline()
    assert status_line.startswith(b"HTTP/1.1 413"), status_line


def test_a_body_between_the_limits_gets_the_apps_413_over_http(served_sandbox: int) -> None:
    url = f"http://127.0.0.1:{served_sandbox}/api/v4/lead-datas"
    answer = httpx.post(url, content=b" " * (MAX_BODY_BYTES + 1), timeout=30)
    body = assert_hydra_error(answer, 413)
    assert f"got {MAX_BODY_BYTES + 1}" in body["hydra:description"]
