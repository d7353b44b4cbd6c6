"""Fixtures shared by the whole suite: ONE seeded sandbox database per test session (read
only), private writable copies of it for tests that write, and clean Streamlit caches."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

SANDBOX_LEADS = 600
"""Enough leads for several pages per campaign, small enough to seed in about a second."""
SANDBOX_SEED = 42


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a sandbox database (SQLite's online backup), in WAL mode."""
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode = WAL")
    return target


@pytest.fixture(scope="session")
def sandbox_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database every test reads; never write to it (use `writable_db`)."""
    from lib.sandbox import seed_database

    path = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite"
    seed_database(path, leads=SANDBOX_LEADS, seed=SANDBOX_SEED)
    return path


@pytest.fixture
def writable_db(sandbox_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database for a test that writes."""
    return copy_database(sandbox_db, tmp_path / "writable.sqlite")


@pytest.fixture
def ui_env(sandbox_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The app pointed at the seeded sandbox (no enterprise settings), with empty caches and
    an app database of its own (SQLite in the test's folder, a fresh key)."""
    import streamlit as st
    from cryptography.fernet import Fernet

    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    monkeypatch.setenv("LEADLENS_DATABASE_URL", f"sqlite:///{tmp_path / 'leadlens.sqlite'}")
    monkeypatch.setenv("LEADLENS_SECRET_KEY", Fernet.generate_key().decode("ascii"))
    for name in (
        "CONVERTR_BASE_URL",
        "CONVERTR_USERNAME",
        "CONVERTR_PASSWORD",
        "CONVERTR_TOKEN",
        "CONVERTR_SHARED_LOGIN",
        "CONVERTR_IDLE_TIMEOUT_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield sandbox_db
    st.cache_data.clear()
    st.cache_resource.clear()
