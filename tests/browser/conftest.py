"""One Streamlit server (on a free port, against the small test sandbox) and one headless
Chromium for the browser tests of this package."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, streamlit_server


def app_database_env(folder: Path) -> dict[str, str]:
    """A server's own app database (SQLite in `folder`) and secret key."""
    from cryptography.fernet import Fernet

    return {
        "LEADLENS_DATABASE_URL": f"sqlite:///{folder / 'leadlens.sqlite'}",
        "LEADLENS_SECRET_KEY": Fernet.generate_key().decode("ascii"),
    }


@pytest.fixture(scope="module")
def app_url(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's Chromium")
    env = {
        **app_database_env(tmp_path_factory.mktemp("app-db")),
        "LEADLENS_SANDBOX_DB": str(sandbox_db),
    }
    with streamlit_server(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """Opens pages in fresh browser contexts (closed at the end of the module): a loaded
    page is shared by the tests that only look at it, since each load costs seconds."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
