"""Fixtures: clients of the in-process sandbox over the shared seeded database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lib.connect import connect, sandbox_config, sandbox_transport
from lib.convertr import ConvertrClient


@dataclass(frozen=True)
class Sent:
    """One request as the wrapped transport saw it."""

    method: str
    url: str
    started: float
    finished: float


class RecordingTransport(httpx.BaseTransport):
    """Wraps the sandbox's WSGI transport: records requests, can delay or fail some."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        delay: float = 0.0,
        fail: Callable[[httpx.Request], httpx.Response | None] | None = None,
    ) -> None:
        self.inner = inner
        self.delay = delay
        self.fail = fail
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        if self.delay:
            time.sleep(self.delay)
        failure = self.fail(request) if self.fail else None
        response = failure if failure is not None else self.inner.handle_request(request)
        url = str(request.url.raw_path, "ascii")
        with self._lock:
            self.sent.append(Sent(request.method, url, started, time.perf_counter()))
        return response

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()


SandboxClientFactory = Callable[..., tuple[ConvertrClient, RecordingTransport]]


@pytest.fixture
def sandbox_client(sandbox_db: Path) -> SandboxClientFactory:
    """Build a signed-in sandbox client whose requests are recorded (login not recorded)."""

    def build(
        username: str = "analyst@sandbox.test",
        *,
        delay: float = 0.0,
        fail: Callable[[httpx.Request], httpx.Response | None] | None = None,
        dialect: str = "convertr",
    ) -> tuple[ConvertrClient, RecordingTransport]:
        recorder = RecordingTransport(
            sandbox_transport(sandbox_db, dialect=dialect),
            delay=delay,
            fail=fail,
        )
        client = connect(sandbox_config(username), transport_factory=lambda _config: recorder)
        client.current_user()
        recorder.clear()
        return client, recorder

    return build
