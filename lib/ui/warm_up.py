"""The server's warm-up: the pages' modules imported as the server starts, before the first
browser asks for a page.

Streamlit imports an app's own modules only in the first script run that needs them, so the
first visitor after a start waited for them (about 0.5 s of CPU on a quiet 2-core machine,
the heaviest being the app store's SQLAlchemy and the client's models). `app.py` starts
this in the background of its ASGI lifespan (`st.App(..., lifespan=...)`, Streamlit's hook
for work before the first session): the server answers at once, and while a browser loads
Streamlit's JavaScript the modules are imported in the order the pages need them, the
Campaigns page's first, and first-use costs of Streamlit's own and of pandas' are paid (the
page icon's emoji table, the check at the first element drawn, the Styler's templates). A
script run that needs a module being imported waits for it (Python's import lock), so nothing
runs twice. Then the data source is made ready: on the sandbox, its shared in-process app
(`connect.prepare`; the sandbox's package is imported lazily by `lib.connect` alone, and a
script run importing it meanwhile only waits for it).
The campaign audit's engine (DuckDB) stays out: it loads when an audit runs.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

LOGGER: Final = logging.getLogger(__name__)

MODULES: Final = (
    # The page icon is an emoji: Streamlit checks it against its emoji table, a module whose
    # regular expressions take about 0.1 s to compile (the first run's set_page_config).
    "streamlit.emojis",
    "lib.ui.frame",
    "lib.ui.campaigns_page",
    "lib.ui.lead_page",
    "lib.ui.leads_page",
    # pandas' Styler (a table's coloured statuses): its module compiles six jinja2 templates
    # as it loads, about 30 ms that the first styled table drawn paid (on the Lead page, the
    # Associated Campaigns tab's switch). Last: no page's first run waits for it.
    "pandas.io.formats.style",
)
"""What the pages import, the first page's first (the Audit page's engine is not among them:
it loads DuckDB and the signals' packages, which only an audit needs)."""


def warm_up(modules: tuple[str, ...] = MODULES) -> None:
    """Import `modules` in turn, then make the configured source ready (`prepare_source`);
    a step that fails is logged and left to the page that needs it (which then shows its own
    error)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a warm-up never stops the server
            LOGGER.warning("warm-up: importing %s failed", name, exc_info=True)
    try:
        first_element_check()
    except Exception:
        LOGGER.warning("warm-up: Streamlit's first-element check failed", exc_info=True)
    try:
        prepare_source()
    except Exception:
        LOGGER.warning("warm-up: preparing the data source failed", exc_info=True)


def first_element_check() -> None:
    """Streamlit's check, at the first element any script draws, that it is not run from a
    REPL (`delta_generator._maybe_print_use_warning`): once per process, it walks the
    stack and resolves the file of every loaded module (about 0.1 s, 20,000 `lstat` calls,
    in the first visitor's first run). Made here; a Streamlit without it is left alone."""
    from streamlit import delta_generator

    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if callable(check):
        check()


def prepare_source() -> bool:
    """The configured source made ready for its first visitor (`connect.prepare`: the
    sandbox's shared app, when the app runs on the sandbox and its database exists)."""
    from lib.connect import prepare
    from lib.ui import cached_api

    return prepare(cached_api.resolve_config(cached_api.access_settings()))


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """The ASGI lifespan: the warm-up starts in a background thread and the server starts
    serving at once."""
    threading.Thread(target=warm_up, name="lead-lens-warm-up", daemon=True).start()
    yield
