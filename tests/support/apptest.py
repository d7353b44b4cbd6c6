"""Streamlit AppTest helpers: open the app on a page, read what a block shows, and fail chosen
requests at the app's transport (the client then meets the failure as on the network)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx
from streamlit.testing.v1 import AppTest

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
RUN_TIMEOUT: Final = 30
"""Seconds one AppTest run may take (a ceiling for a loaded machine, not a wait)."""

Answer = Callable[[httpx.Request], httpx.Response | None]
"""Answers a request itself (a failure, say), or returns None to let the sandbox answer."""


class AppTransport:
    """Between the app's clients and their in-process sandbox: set `answer` to fail some
    requests (the client then meets the failure exactly as it would on the network)."""

    def __init__(self) -> None:
        self.answer: Answer | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        return self.answer(request) if self.answer is not None else None


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


def open_tab(at: Any, name: str) -> None:
    """Open the Lead tab labelled `name` at the next run, as a click does: the tab, and the
    URL's `tab` parameter, which names every tab but the first (a page's run opens the tab
    the URL names)."""
    from lib.ui import keys
    from lib.views.lead import LEAD_TABS
    from lib.views.url_params import PARAM_TAB

    if name == LEAD_TABS[0]:
        at.query_params.pop(PARAM_TAB, None)
    else:
        at.query_params[PARAM_TAB] = name
    at.session_state[keys.LEAD_TABS] = name


def tab(at: Any, name: str) -> Any:
    """The tab labelled `name`, opened first as a click would (the Lead page draws only the
    open tab's body): a run when another tab was open."""
    if open_tab_name(at) != name:
        open_tab(at, name)
        at.run()
        assert open_tab_name(at) == name, f"the {name} tab opened"
    return tab_without_opening(at, name)


TEXT_KINDS: Final = ("markdown", "caption", "text", "info", "error", "warning", "success", "code")


def texts(block: Any, *, unescaped: bool = False) -> str:
    """Every text a block shows (markdown, captions, alerts, code), joined; `unescaped` drops
    the backslashes and autolink breaks of markdown-escaped lead values, to compare the text
    a reader sees."""
    from lib.presentation import AUTOLINK_BREAK

    parts = "\n".join(str(item.value) for kind in TEXT_KINDS for item in getattr(block, kind))
    return parts.replace(AUTOLINK_BREAK, "").replace("\\", "") if unescaped else parts
