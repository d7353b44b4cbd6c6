"""Fixtures shared by the dashboard's tests: one small sandbox database for AppTest and the
browser, and clean Streamlit caches between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

UI_SANDBOX_LEADS = 600
"""Enough leads for several pages per campaign, small enough to seed in about a second."""


@pytest.fixture(scope="session")
def ui_sandbox_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lib.sandbox import seed_database

    path = tmp_path_factory.mktemp("ui-sandbox") / "sandbox.sqlite"
    seed_database(path, leads=UI_SANDBOX_LEADS, seed=42)
    return path


@pytest.fixture
def ui_env(ui_sandbox_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app pointed at the small sandbox (no enterprise settings), with empty caches."""
    import streamlit as st

    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(ui_sandbox_db))
    for name in ("CONVERTR_BASE_URL", "CONVERTR_USERNAME", "CONVERTR_PASSWORD", "CONVERTR_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield ui_sandbox_db
    st.cache_data.clear()
    st.cache_resource.clear()
