"""AppTest fixtures: every page test runs against the small sandbox with clean caches; a test
that needs the API to fail answers chosen requests itself at the app's transport (the helpers
are in `tests.support.apptest`)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lib.convertr import ClientConfig, ConvertrClient
from tests.support.apptest import AppTransport
from tests.support.recording import RecordingTransport


@pytest.fixture(autouse=True)
def _ui_sandbox(ui_env: Path) -> Path:
    return ui_env


@pytest.fixture
def api(ui_env: Path) -> ConvertrClient:
    """A client of the same sandbox, to compare what the pages show with the API."""
    return ConvertrClient(ClientConfig.sandbox(sandbox_db=ui_env))


@pytest.fixture
def app_transport(monkeypatch: pytest.MonkeyPatch) -> AppTransport:
    """Every client the app creates from now on sends through an `AppTransport`."""
    from lib.sandbox import create_app, ensure_database
    from lib.ui import cached_api

    switch = AppTransport()

    def client(config: ClientConfig) -> ConvertrClient:
        sandbox = httpx.WSGITransport(app=create_app(ensure_database(config.sandbox_db)))
        return ConvertrClient(config, transport=RecordingTransport(sandbox, fail=switch))

    monkeypatch.setattr(cached_api, "ConvertrClient", client)
    return switch
