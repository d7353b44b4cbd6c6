"""Fixtures shared by the whole suite: ONE seeded sandbox database per test session (per
xdist worker: each worker has its own temporary directory), private writable copies of it for
tests that write, and clean Streamlit caches. The helpers live in `tests/support/`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.sandbox import SANDBOX_LEADS, SANDBOX_SEED, copy_database

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ drives Chromium: mark it `browser` (so `-m "not
    browser"` leaves it out) and group it with its module (`xdist_group`, read by
    `pytest_xdist_make_scheduler` below)."""
    for item in items:
        path = Path(item.path)
        if BROWSER_TESTS in path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group(path.stem))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist loadgroup`, keep each browser module's tests on one xdist worker, so its
    module-scoped server and pages start once, and spread every other test on its own.

    xdist 3.8 groups by a suffix it writes into each test's node id, which pytest 9.2 no longer
    reads (pytest-dev/pytest-xdist#1386): every browser module then went to both workers,
    each starting the module's server and opening its pages."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.support.scheduling import BrowserModuleScheduling

    return BrowserModuleScheduling(config, log)


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
    # The user's audit snapshots in the test's folder: the Lead page shows the flags of any
    # snapshot it finds.
    monkeypatch.setenv("LEADLENS_AUDIT_DIR", str(tmp_path / "audit"))
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
