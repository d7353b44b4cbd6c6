"""Small misbehaving HTTP servers on 127.0.0.1, for the client's fault tests and benchmark.

Each ``FaultServer`` accepts connections on a free port and answers every request with one
fault (a stall, a trickle, a broken body, ...). It stops by itself after ``lifetime`` seconds,
and every answer waits on the server's stop event rather than sleeping, so leaving the
``with`` block ends it at once.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Final

from tests.support.fakes import lead

SERVER_LIFETIME: Final = 30.0
"""Seconds a fault server lives at most, even if nobody stops it."""
TRICKLE_INTERVAL: Final = 2.0
"""Seconds between two bytes of a trickling answer."""
DEEP_JSON_LEVELS: Final = 100_000
"""Nested lists in the deep-JSON answer: far beyond what Python's JSON reader can recurse."""
_ACCEPT_POLL: Final = 0.1
_READ_TIMEOUT: Final = 2.0

Answer = Callable[[socket.socket, threading.Event], None]
"""Writes a (mis)answer to the connection; returns early once the event is set."""


class FaultServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 that answers every request with ``answer``."""

    def __init__(self, answer: Answer, *, lifetime: float = SERVER_LIFETIME) -> None:
        self.answer = answer
        self.lifetime = lifetime
        self.stopped = threading.Event()
        self.requests: list[bytes] = []
        """The head (request line and headers) of every request received."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_ACCEPT_POLL)
        host, port = self._listener.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._serve, name="fault-server", daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self._thread.join()

    def _serve(self) -> None:
        ends_at = time.monotonic() + self.lifetime
        with self._listener:
            while not self.stopped.is_set() and time.monotonic() < ends_at:
                try:
                    connection, _ = self._listener.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._handle, args=(connection,), daemon=True).start()
        self.stopped.set()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(_READ_TIMEOUT)
            try:
                head = _read_head(connection)
                self.requests.append(head)
                self.answer(connection, self.stopped)
            except OSError:
                return  # the client gave up (its deadline) and closed the connection


def _read_head(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (the connection is refused)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def response_bytes(
    status: int, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    lines = [f"HTTP/1.1 {status} Fault", *(f"{name}: {value}" for name, value in headers)]
    if not any(name.lower() == "content-length" for name, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def respond(status: int, headers: Sequence[tuple[str, str]] = (), body: bytes = b"") -> Answer:
    """Answer at once with this status, these headers and this body."""
    message = response_bytes(status, headers, body)

    def answer(connection: socket.socket, _stopped: threading.Event) -> None:
        connection.sendall(message)

    return answer


def stall(_connection: socket.socket, stopped: threading.Event) -> None:
    """Accept, read the request, and never answer."""
    stopped.wait()


def trickle(prefix: bytes, trickled: bytes, interval: float = TRICKLE_INTERVAL) -> Answer:
    """Send ``prefix`` at once, then ``trickled`` one byte every ``interval`` seconds."""

    def answer(connection: socket.socket, stopped: threading.Event) -> None:
        connection.sendall(prefix)
        for byte in trickled:
            if stopped.wait(interval):
                return
            connection.sendall(bytes([byte]))

    return answer


JSON: Final = ("Content-Type", "application/ld+json")

LEAD_JSON: Final = json.dumps(lead(**{"@id": "/api/v4/leads/1", "id": 1})).encode()
"""A valid lead 1, for the control answer and the trickles."""


def trickled_head() -> Answer:
    """The status line and headers of a valid answer, one byte every interval."""
    return trickle(b"", response_bytes(200, [JSON], LEAD_JSON))


def trickled_body() -> Answer:
    """Headers at once, then a valid JSON body one byte every interval."""
    head = response_bytes(200, [JSON, ("Content-Length", str(len(LEAD_JSON)))])
    return trickle(head, LEAD_JSON)


def broken_gzip() -> Answer:
    return respond(200, [JSON, ("Content-Encoding", "gzip")], b"this is not gzip at all")


def deep_json() -> Answer:
    body = b"[" * DEEP_JSON_LEVELS + b"]" * DEEP_JSON_LEVELS
    return respond(200, [JSON], body)


def gzip_bomb(decoded_bytes: int) -> Answer:
    """A small gzip body that decodes to ``decoded_bytes`` bytes."""
    return respond(
        200, [JSON, ("Content-Encoding", "gzip")], gzip.compress(b" " * decoded_bytes, 9)
    )


def redirect_to(location: str) -> Answer:
    return respond(302, [("Location", location)])
