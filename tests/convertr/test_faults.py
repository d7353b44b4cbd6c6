"""The client against misbehaving servers: each fault ends in one clear error by the deadline.

Real sockets on 127.0.0.1 (``fault_servers``) for what only a network does (stalls, trickles,
bodies that cannot be decoded, redirects), a fake clock for the retry arithmetic, and the
in-process sandbox for the dossier.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr

from lib.convertr import PARTS, ClientConfig, ConvertrClient, load_dossier
from lib.convertr.client import on_send, parse_model
from lib.convertr.config import ENV_DOSSIER_DEADLINE, ENV_REQUEST_DEADLINE
from lib.convertr.constants import DOSSIER_DEADLINE, MAX_RESPONSE_BYTES, REQUEST_DEADLINE
from lib.convertr.errors import (
    ConfigurationError,
    ConnectError,
    ConvertrError,
    InternalError,
    RedirectError,
    RequestTimeoutError,
    ResponseDecodingError,
    ResponseFormatError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from lib.convertr.models import Lead
from tests.support.fakes import FakeApi, hydra_error, make_client
from tests.support.fault_servers import (
    DEEP_JSON_LEVELS,
    JSON,
    LEAD_JSON,
    Answer,
    FaultServer,
    broken_gzip,
    closed_port_url,
    deep_json,
    gzip_bomb,
    redirect_to,
    respond,
    stall,
    trickled_body,
    trickled_head,
)
from tests.support.recording import SandboxClientFactory

DEADLINE = 1.5
"""The request deadline of these tests (small, to keep the suite fast)."""
SLACK = 1.0
"""Time allowed past the deadline for threads on a busy machine; far below a trickle's 2 s."""
TOKEN = "tok-fault-7a8b9c"


def fault_client(url: str, deadline: float = DEADLINE) -> ConvertrClient:
    config = ClientConfig(base_url=url, token=SecretStr(TOKEN), request_deadline=deadline)
    return ConvertrClient(config)


@dataclass(frozen=True)
class Fault:
    name: str
    answer: Answer
    error: type[ConvertrError]
    says: str
    """A fragment of the error's message."""


FAULTS = [
    Fault("stall after accept", stall, RequestTimeoutError, "1.5 s request deadline"),
    Fault("trickled head", trickled_head(), RequestTimeoutError, "1.5 s request deadline"),
    Fault("trickled body", trickled_body(), RequestTimeoutError, "1.5 s request deadline"),
    Fault("broken gzip", broken_gzip(), ResponseDecodingError, "cannot: Error -3"),
    Fault("deep JSON", deep_json(), ResponseDecodingError, "nested too deeply"),
    Fault(
        "invalid JSON",
        respond(200, [JSON], b'{"id": 1, "campaign": '),
        ResponseFormatError,
        "expected JSON, got application/ld+json",
    ),
    Fault(
        "HTML answer",
        respond(200, [("Content-Type", "text/html")], b"<html><h1>Welcome</h1></html>"),
        ResponseFormatError,
        "expected JSON, got text/html",
    ),
    Fault(
        "wrong JSON shape",
        respond(200, [JSON], b'{"leads": [1, 2, 3]}'),
        ResponseFormatError,
        "does not match the model",
    ),
    Fault(
        "Retry-After: 3600 on 503",
        respond(503, [JSON, ("Retry-After", "3600")], b"{}"),
        ServerError,
        "asks to be retried after 3600 s",
    ),
    Fault(
        "gzip bomb",
        gzip_bomb(MAX_RESPONSE_BYTES + 1),
        ResponseTooLargeError,
        f"at most {MAX_RESPONSE_BYTES} bytes once decoded",
    ),
    Fault(
        "declared huge body",
        respond(200, [JSON, ("Content-Length", str(10**12))]),
        ResponseTooLargeError,
        "got one of 1000000000000 bytes",
    ),
    Fault(
        "redirect to another host",
        redirect_to("http://198.51.100.7/steal"),
        RedirectError,
        "to 'http://198.51.100.7/steal', which is not followed",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_each_fault_ends_with_one_clear_error_within_the_deadline(fault: Fault) -> None:
    with FaultServer(fault.answer) as server, fault_client(server.url) as client:
        started = time.monotonic()
        with pytest.raises(ConvertrError) as caught:
            client.lead(1)
        elapsed = time.monotonic() - started
    error = caught.value
    assert type(error) is fault.error
    assert fault.says in str(error)
    assert str(error).startswith("GET /api/v4/leads/1: ")
    assert "\n" not in str(error) and TOKEN not in str(error)
    assert error.user_message and "\n" not in error.user_message
    assert elapsed < DEADLINE + SLACK
    assert server.requests, "the fault server was reached"


def test_the_fault_server_serves_a_well_behaved_answer() -> None:
    """The control: the same harness with a valid answer loads the lead."""
    with FaultServer(respond(200, [JSON], LEAD_JSON)) as server, fault_client(server.url) as c:
        assert c.lead(1).id == 1
    assert server.requests[0].startswith(b"GET /api/v4/leads/1 HTTP/1.1")


def test_on_the_network_the_followers_of_a_request_start_once_it_is_written() -> None:
    """`on_send`'s callback (the dossier's siblings of a chain's request) runs once the
    request is on the wire: the server already has it, so no sibling races it there."""
    arrived = [threading.Event(), threading.Event()]
    # The fault server closes each connection after one answer: say so, or the client could
    # send the second request on the closed one before it learns, and then retry.
    answer_lead = respond(200, [JSON, ("Connection", "close")], LEAD_JSON)

    def answer(connection: socket.socket, stopped: threading.Event) -> None:
        next(event for event in arrived if not event.is_set()).set()
        answer_lead(connection, stopped)

    seen_by_the_server: list[bool] = []
    with FaultServer(answer) as server, fault_client(server.url) as client:
        client.lead(1)  # the first request shows that the network reports its writes
        with on_send(lambda: seen_by_the_server.append(arrived[1].wait(DEADLINE))):
            assert client.lead(1).id == 1
    assert seen_by_the_server == [True]


def test_a_refused_connection_is_retried_only_while_the_deadline_allows() -> None:
    with fault_client(closed_port_url()) as client:
        started = time.monotonic()
        with pytest.raises(ConnectError, match="could not connect"):
            client.lead(1)
    assert time.monotonic() - started < DEADLINE + SLACK


def test_a_retry_after_beyond_the_deadline_is_not_waited_for() -> None:
    with (
        FaultServer(respond(503, [JSON, ("Retry-After", "3600")], b"{}")) as server,
        fault_client(server.url) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.lead(1)
    assert len(server.requests) == 1
    assert caught.value.status == 503
    assert "try again after" in str(caught.value)
    assert caught.value.user_message.startswith("The Convertr API is busy and asks to try again")


def test_a_redirect_never_reaches_the_other_host() -> None:
    with (
        FaultServer(respond(200, [JSON], LEAD_JSON)) as elsewhere,
        FaultServer(redirect_to(elsewhere.url + "/api/v4/leads/1")) as server,
        fault_client(server.url) as client,
        pytest.raises(RedirectError) as caught,
    ):
        client.lead(1)
    assert elsewhere.requests == []
    assert caught.value.status == 302
    assert caught.value.location == elsewhere.url + "/api/v4/leads/1"
    assert b"authorization: bearer " + TOKEN.encode() in server.requests[0].lower()


def test_a_same_origin_redirect_is_not_followed_either() -> None:
    with (
        FaultServer(redirect_to("/api/v4/leads/2")) as server,
        fault_client(server.url) as client,
        pytest.raises(RedirectError, match="not followed"),
    ):
        client.lead(1)
    assert len(server.requests) == 1


# -- the retry arithmetic, on a fake clock ---------------------------------------------------


class FakeTime:
    """A clock that the fake ``sleep`` moves forward, as real time would."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def highest_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full jitter drawing the top of each range: the waits are 1, 2, 4, 8 s."""
    monkeypatch.setattr(random, "uniform", lambda _low, high: high)


@pytest.mark.usefixtures("highest_backoff")
def test_no_pause_ends_after_the_request_deadline() -> None:
    api, fake = FakeApi(), FakeTime()
    api.route("GET", "/api/v4/leads/1", lambda _: hydra_error(503, "busy"))
    client = make_client(api, sleep=fake.sleep, clock=fake.clock, max_retries=10)
    with pytest.raises(ServerError) as caught:
        client.lead(1)
    # 1 + 2 + 4 s fit in the 10 s deadline; the next 8 s pause would end past it.
    assert fake.sleeps == [1.0, 2.0, 4.0]
    assert "not retried: the next retry, 8.0 s from now, would start after the 3.0 s" in str(
        caught.value
    )
    assert caught.value.status == 503 and caught.value.user_message


def test_timeouts_are_retried_only_while_the_deadline_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, _high: low)  # no pauses
    api, fake = FakeApi(), FakeTime()

    def slow(request: httpx.Request) -> httpx.Response:
        fake.now += 4.0  # each attempt waits out a 4 s read timeout
        raise httpx.ReadTimeout("no answer", request=request)

    api.route("GET", "/api/v4/leads/1", slow)
    client = make_client(api, sleep=fake.sleep, clock=fake.clock, max_retries=10)
    with pytest.raises(RequestTimeoutError, match=f"within the {REQUEST_DEADLINE:g} s request"):
        client.lead(1)
    # Attempts start at 0, 4 and 8 s; the third ends at 12 s, past the deadline: no fourth.
    assert len(api.calls("GET", "/api/v4/leads/1")) == 3


def test_a_retry_after_that_fits_is_waited_for() -> None:
    api, fake = FakeApi(), FakeTime()
    limited = httpx.Response(429, headers={"Retry-After": "3"}, json={})
    lead = httpx.Response(200, headers={"content-type": "application/ld+json"}, content=LEAD_JSON)
    answers = iter([limited, lead])
    api.route("GET", "/api/v4/leads/1", lambda _: next(answers))
    client = make_client(api, sleep=fake.sleep, clock=fake.clock)
    assert client.lead(1).id == 1
    assert fake.sleeps == [3.0]


# -- anything else a transport raises --------------------------------------------------------


def test_an_exception_outside_httpx_becomes_a_transport_error() -> None:
    api = FakeApi()

    def crash(_: httpx.Request) -> httpx.Response:
        raise RuntimeError("the transport\nbroke")

    api.route("GET", "/api/v4/leads/1", crash)
    with pytest.raises(TransportError) as caught:
        make_client(api).lead(1)
    assert str(caught.value).endswith("RuntimeError: the transport broke")


def test_data_too_deep_to_show_still_gives_a_one_line_model_error() -> None:
    """Validation reports the bad value, whose repr would exhaust recursion at this depth."""
    deep: list[object] = []
    for _ in range(DEEP_JSON_LEVELS):
        deep = [deep]
    data = {"id": 1, "campaign": "/api/v4/campaigns/3", "email": deep}
    with pytest.raises(ResponseFormatError) as caught:
        parse_model(Lead, data, method="GET", path="/api/v4/leads/1")
    assert "field 'email'" in str(caught.value)
    assert "a list nested too deeply to show" in str(caught.value)


def test_json_just_shallow_enough_to_parse_is_a_model_error() -> None:
    levels = 500
    body = b'{"id": 1, "campaign": "/api/v4/campaigns/3", "email": ' + b"[" * levels
    body += b"]" * levels + b"}"
    api = FakeApi()
    api.route(
        "GET",
        "/api/v4/leads/1",
        lambda _: httpx.Response(200, headers={"content-type": "application/json"}, content=body),
    )
    with pytest.raises(ResponseFormatError, match="field 'email'"):
        make_client(api).lead(1)


# -- settings --------------------------------------------------------------------------------


def test_deadlines_are_read_from_the_environment() -> None:
    config = ClientConfig.from_env({ENV_REQUEST_DEADLINE: "2.5", ENV_DOSSIER_DEADLINE: "7"})
    assert (config.request_deadline, config.dossier_deadline) == (2.5, 7.0)
    default = ClientConfig.from_env({})
    assert (default.request_deadline, default.dossier_deadline) == (
        REQUEST_DEADLINE,
        DOSSIER_DEADLINE,
    )


@pytest.mark.parametrize("raw", ["soon", "0", "-3", "inf", "nan"])
def test_a_deadline_that_is_not_a_positive_number_is_refused(raw: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{ENV_REQUEST_DEADLINE} as a number"):
        ClientConfig.from_env({ENV_REQUEST_DEADLINE: raw})


# -- the dossier -----------------------------------------------------------------------------


def _broken_gzip(_: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"content-type": "application/ld+json", "content-encoding": "gzip"},
        content=b"not gzip",
    )


def _deep_json(_: httpx.Request) -> httpx.Response:
    body = b"[" * DEEP_JSON_LEVELS + b"]" * DEEP_JSON_LEVELS
    return httpx.Response(200, headers={"content-type": "application/ld+json"}, content=body)


def _crash(_: httpx.Request) -> httpx.Response:
    raise RuntimeError("a bug in a transport")


@pytest.mark.parametrize(
    ("misbehave", "error_class"),
    [
        (_broken_gzip, ResponseDecodingError),
        (_deep_json, ResponseDecodingError),
        (_crash, TransportError),
    ],
)
def test_one_parts_fault_is_that_parts_error_and_the_rest_loads(
    sandbox_client: SandboxClientFactory,
    misbehave: Callable[[httpx.Request], httpx.Response],
    error_class: type[ConvertrError],
) -> None:
    def fail(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v4/lead-notes":
            return misbehave(request)
        return None

    client, _ = sandbox_client(fail=fail)
    dossier = load_dossier(client, 100001)
    assert list(dossier.errors) == ["notes"]
    assert type(dossier.errors["notes"]) is error_class
    assert all(getattr(dossier, part) is not None for part in PARTS if part != "notes")
    assert dossier.to_dict()["errors"]["notes"]["type"] == error_class.__name__


@pytest.mark.slow
def test_a_part_stalled_past_the_dossier_deadline_is_that_parts_error(
    sandbox_client: SandboxClientFactory,
) -> None:
    release = threading.Event()

    def hold_notes(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v4/lead-notes":
            release.wait(10)  # an in-process stall: only the dossier deadline can end it
        return None

    client, _ = sandbox_client(fail=hold_notes)
    client.config = client.config.model_copy(update={"dossier_deadline": 1.0})
    started = time.monotonic()
    try:
        dossier = load_dossier(client, 100001)
    finally:
        release.set()
    assert time.monotonic() - started < 1.0 + SLACK
    assert list(dossier.errors) == ["notes"]
    assert isinstance(dossier.errors["notes"], RequestTimeoutError)
    assert "within the 1 s dossier deadline" in str(dossier.errors["notes"])
    assert dossier.lead is not None and dossier.associated_chronologies is not None


def test_a_failure_outside_the_error_tree_is_that_parts_error(
    sandbox_client: SandboxClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = sandbox_client()

    def broken(*_: object) -> list[object]:
        raise KeyError("a bug")

    monkeypatch.setattr(client, "lead_notes", broken)
    dossier = load_dossier(client, 100001)
    assert list(dossier.errors) == ["notes"]
    assert isinstance(dossier.errors["notes"], InternalError)
    assert "KeyError" in str(dossier.errors["notes"])
