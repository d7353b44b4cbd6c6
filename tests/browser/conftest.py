"""The browser tests' fixtures: one Streamlit server (on a free port, against the small test
sandbox) per test module and one headless Chromium per session (per xdist worker); pages open
in contexts whose waits `tests.support.browser.settle` understands. Every test here is marked
`browser`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM_ARGS,
    TEST_CHROMIUM,
    app_database_env,
    new_context,
    require_chromium,
    streamlit_server,
)


@pytest.fixture(scope="module")
def app_url(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard against the read-only test sandbox, with its own app database (a module
    that writes overrides this with a server on a copy)."""
    require_chromium()
    env = {
        **app_database_env(tmp_path_factory.mktemp("app-db")),
        "LEADLENS_SANDBOX_DB": str(sandbox_db),
    }
    with streamlit_server(env) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test session (per xdist worker): each page opens in a fresh
    context, so nothing of one module's pages reaches another's."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=TEST_CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens pages in fresh browser contexts (closed at the end of the module): a loaded
    page is shared by the tests that only look at it, since each load costs seconds.
    Keyword arguments go to the context (`viewport=...`)."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = new_context(browser, accept_downloads=True, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
