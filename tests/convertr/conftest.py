"""Fixtures: clients of the in-process sandbox over the shared seeded database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lib.connect import connect, sandbox_config, sandbox_transport
from lib.convertr import ConvertrClient
from tests.support.recording import RecordingTransport, SandboxClientFactory


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
