"""A free TCP port on the loopback interface, and the command that serves a Streamlit script
there, for the servers the tests and benchmarks start."""

from __future__ import annotations

import socket
import sys
from pathlib import Path


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; the caller binds it soon after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def streamlit_command(script: str | Path, port: int) -> list[str]:
    """``streamlit run script`` on 127.0.0.1:`port`, headless, without usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
