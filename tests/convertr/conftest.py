"""Fixtures: clients of the in-process sandbox over the shared seeded database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lib.convertr import ClientConfig, ConvertrClient
from tests.support.recording import RecordingTransport, SandboxClientFactory


@pytest.fixture
def sandbox_client(sandbox_db: Path) -> SandboxClientFactory:
    """Build a signed-in sandbox client whose requests are recorded (login not recorded)."""
    from lib.sandbox import create_app

    def build(
        username: str = "analyst@sandbox.test",
        *,
        delay: float = 0.0,
        fail: Callable[[httpx.Request], httpx.Response | None] | None = None,
        dialect: str = "convertr",
    ) -> tuple[ConvertrClient, RecordingTransport]:
        recorder = RecordingTransport(
            httpx.WSGITransport(app=create_app(sandbox_db, dialect=dialect)),
            delay=delay,
            fail=fail,
        )
        client = ConvertrClient(
            ClientConfig.sandbox(username, sandbox_db=sandbox_db), transport=recorder
        )
        client.current_user()
        recorder.clear()
        return client, recorder

    return build
