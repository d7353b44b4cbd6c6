"""A transport that records what a client sends (and can delay or fail chosen requests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

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
