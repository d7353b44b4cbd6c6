"""AppTest helpers: every page test runs against the small sandbox with clean caches."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.convertr import ClientConfig, ConvertrClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 30


@pytest.fixture(autouse=True)
def _ui_sandbox(ui_env: Path) -> Path:
    return ui_env


@pytest.fixture
def api(ui_env: Path) -> ConvertrClient:
    """A client of the same sandbox, to compare what the pages show with the API."""
    return ConvertrClient(ClientConfig.sandbox(sandbox_db=ui_env))


def app_at(page: str | None = None, **query: str) -> AppTest:
    """An AppTest of the app opened on `page` (a path such as "pages/2_Lead.py") with the
    given query parameters, not yet run."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    if page is not None:
        at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = value
    return at
