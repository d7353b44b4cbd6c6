"""Time to a clear error for each server fault, with the default request deadline.

Run as ``python -m benchmarks.faults``. Serves each fault of ``tests.convertr.fault_servers``
on 127.0.0.1, asks for one lead with the default ``ClientConfig`` (token sign-in), and prints
the error class and the seconds until it was raised. Every row should stay within the request
deadline (``REQUEST_DEADLINE``) plus a little.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import SecretStr

from lib.connect import connect
from lib.convertr import ClientConfig, ConvertrError
from lib.convertr.constants import MAX_RESPONSE_BYTES, REQUEST_DEADLINE
from tests.convertr.fault_servers import (
    JSON,
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

FAULTS: dict[str, Callable[[], Answer]] = {
    "stall after accept": lambda: stall,
    "trickled head (1 byte / 2 s)": trickled_head,
    "trickled body (1 byte / 2 s)": trickled_body,
    "broken gzip": broken_gzip,
    "deep JSON (100000 lists)": deep_json,
    "invalid JSON": lambda: respond(200, [JSON], b'{"id": 1, "campaign": '),
    "HTML answer": lambda: respond(200, [("Content-Type", "text/html")], b"<html></html>"),
    "wrong JSON shape": lambda: respond(200, [JSON], b'{"leads": [1, 2, 3]}'),
    "redirect to another host": lambda: redirect_to("http://198.51.100.7/steal"),
    "503 with Retry-After: 3600": lambda: respond(503, [JSON, ("Retry-After", "3600")], b"{}"),
    "gzip bomb": lambda: gzip_bomb(MAX_RESPONSE_BYTES + 1),
}


def time_to_error(url: str) -> tuple[str, float]:
    config = ClientConfig(base_url=url, token=SecretStr("tok-benchmark"))
    with connect(config) as client:
        started = time.monotonic()
        try:
            client.lead(1)
        except ConvertrError as error:
            return type(error).__name__, time.monotonic() - started
    return "no error", time.monotonic() - started


def main() -> None:
    print(f"request deadline: {REQUEST_DEADLINE:g} s")
    print(f"{'fault':32} {'error':24} {'seconds':>8}")
    rows = [("connection refused", *time_to_error(closed_port_url()))]
    print(f"{rows[0][0]:32} {rows[0][1]:24} {rows[0][2]:8.2f}")
    for name, answer in FAULTS.items():
        with FaultServer(answer(), lifetime=REQUEST_DEADLINE * 3) as server:
            error, seconds = time_to_error(server.url)
        rows.append((name, error, seconds))
        print(f"{name:32} {error:24} {seconds:8.2f}", flush=True)
    print(f"longest: {max(seconds for _, _, seconds in rows):.2f} s")


if __name__ == "__main__":
    main()
