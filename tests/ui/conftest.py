"""AppTest helpers: every page test runs against the small sandbox with clean caches; a test
that needs the API to fail answers chosen requests itself at the app's transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from lib.connect import connect, injected, sandbox_at, sandbox_config, sandbox_transport
from lib.convertr import ClientConfig, ConvertrClient
from tests.convertr.conftest import RecordingTransport

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 30

Answer = Callable[[httpx.Request], httpx.Response | None]
"""Answers a request itself (a failure, say), or returns None to let the sandbox answer."""


@pytest.fixture(autouse=True)
def _ui_sandbox(ui_env: Path) -> Path:
    return ui_env


@pytest.fixture
def api(ui_env: Path) -> ConvertrClient:
    """A client of the same sandbox, to compare what the pages show with the API."""
    return connect(sandbox_config(), transport_factory=sandbox_at(ui_env))


class AppTransport:
    """Between the app's clients and their in-process sandbox: set `answer` to fail some
    requests (the client then meets the failure exactly as it would on the network)."""

    def __init__(self) -> None:
        self.answer: Answer | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        return self.answer(request) if self.answer is not None else None


@pytest.fixture
def app_transport() -> Iterator[AppTransport]:
    """Every client the app creates from now on sends through an `AppTransport`."""
    switch = AppTransport()

    def transport(_config: ClientConfig) -> httpx.BaseTransport:
        return RecordingTransport(sandbox_transport(), fail=switch)

    with injected(transport):
        yield switch


def hydra_error(status: int, description: str = "") -> httpx.Response:
    """An error answer as the API sends it (Hydra JSON-LD)."""
    body = {"hydra:title": "An error occurred", "hydra:description": description}
    return httpx.Response(status, json=body, headers={"content-type": "application/ld+json"})


def is_request(request: httpx.Request, method: str, resource: str) -> bool:
    """Whether `request` is `method` on the v4 collection `resource` ("lead-notes")."""
    return request.method == method and request.url.path == f"/api/v4/{resource}"


def app_at(page: str | None = None, **query: str) -> AppTest:
    """An AppTest of the app opened on `page` (one of `lib.ui.pages`) with the given query
    parameters, not yet run."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    if page is not None:
        at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = value
    return at


def open_tab_name(at: Any) -> str:
    """The label of the Lead tab open now (the first until one is chosen)."""
    from lib.ui import keys

    if keys.LEAD_TABS in at.session_state:
        return str(at.session_state[keys.LEAD_TABS])
    return str(at.tabs[0].label)


def tab_without_opening(at: Any, name: str) -> Any:
    """The tab labelled `name` as it is now (empty unless it is the open one)."""
    return next(item for item in at.tabs if item.label == name)


def tab(at: Any, name: str) -> Any:
    """The tab labelled `name`, opened first as a click would (the Lead page draws only the
    open tab's body): a run when another tab was open."""
    if open_tab_name(at) != name:
        from lib.ui import keys

        at.session_state[keys.LEAD_TABS] = name
        at.run()
    return tab_without_opening(at, name)


TEXT_KINDS = ("markdown", "caption", "text", "info", "error", "warning", "success", "code")


def texts(block: Any, *, unescaped: bool = False) -> str:
    """Every text a block shows (markdown, captions, alerts, code), joined; `unescaped` drops
    the backslashes of markdown-escaped lead values, to compare the text a reader sees."""
    parts = "\n".join(str(item.value) for kind in TEXT_KINDS for item in getattr(block, kind))
    return parts.replace("\\", "") if unescaped else parts
