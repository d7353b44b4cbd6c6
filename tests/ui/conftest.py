"""AppTest fixtures: every page test runs against the small sandbox with clean caches; a test
that needs the API to fail answers chosen requests itself at the app's transport (the helpers
are in `tests.support.apptest`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lib.connect import connect, injected, sandbox_at, sandbox_config, sandbox_transport
from lib.convertr import ClientConfig, ConvertrClient
from tests.support.apptest import AppTransport
from tests.support.recording import RecordingTransport


@pytest.fixture(autouse=True)
def _ui_sandbox(ui_env: Path) -> Path:
    return ui_env


@pytest.fixture
def api(ui_env: Path) -> ConvertrClient:
    """A client of the same sandbox, to compare what the pages show with the API."""
    return connect(sandbox_config(), transport_factory=sandbox_at(ui_env))


@pytest.fixture
def app_transport() -> Iterator[AppTransport]:
    """Every client the app creates from now on sends through an `AppTransport`."""
    switch = AppTransport()

    def transport(_config: ClientConfig) -> httpx.BaseTransport:
        return RecordingTransport(sandbox_transport(), fail=switch)

    with injected(transport):
        yield switch
