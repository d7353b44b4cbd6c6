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


@pytest.fixture(scope="module")
def new_tab(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens pages as tabs of ONE browser context per module (closed at the end of it): they
    share cookies, storage and the HTTP cache, so only the first tab pays a context's first
    load (Chromium's CPU for it is 1.5 to 2 times a later one's). For tests that need no
    browser of their own; a test of who is signed in, of what a fresh browser sees, or that
    routes the context's requests takes `new_page`. `viewport=...` sizes the tab alone."""
    context: Any = None

    def open_tab(viewport: Any = None) -> Any:
        nonlocal context
        if context is None:
            context = new_context(browser, accept_downloads=True)
        page = context.new_page()
        if viewport is not None:
            page.set_viewport_size(viewport)
        return page

    yield open_tab
    if context is not None:
        context.close()
