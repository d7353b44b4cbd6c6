"""The sandbox over HTTP: waitress with bounded buffers, shared by the CLI and the tests.

waitress reads a request's whole body into its buffer before the app sees the request, so the
app's own size check (`writes.MAX_BODY_BYTES`, answered 413 from `Content-Length`) cannot
spare the server the reading: waitress itself refuses, from `Content-Length` (or as a chunked
body grows), any body over `MAX_SERVER_BODY_BYTES`, before reading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from waitress import create_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

MAX_SERVER_BODY_BYTES: Final = 1024 * 1024
"""The most waitress buffers of one request body (its own default is 1 GiB); a body over it is
answered 413 by waitress before it is read. Bodies between `writes.MAX_BODY_BYTES` and this
are read by waitress and refused by the app (413 in Hydra JSON)."""
MAX_SERVER_HEADER_BYTES: Final = 64 * 1024
"""The most waitress buffers of one request's headers (its own default is 256 KiB)."""
SERVER_THREADS: Final = 16


def server_options(threads: int = SERVER_THREADS) -> dict[str, Any]:
    """The waitress adjustments every sandbox server runs with."""
    return {
        "threads": threads,
        "max_request_body_size": MAX_SERVER_BODY_BYTES,
        "max_request_header_size": MAX_SERVER_HEADER_BYTES,
    }


def make_server(app: WSGIApplication, host: str, port: int, threads: int = SERVER_THREADS) -> Any:
    """A waitress server bound to `host:port` (port 0: any free port, see `effective_port`);
    `run()` serves until `close()`."""
    return create_server(app, host=host, port=port, **server_options(threads))
