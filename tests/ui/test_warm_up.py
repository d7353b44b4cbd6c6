"""app.py as Streamlit's ASGI entry, and the warm-up it starts (lib/ui/warm_up.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

from lib.ui.warm_up import MODULES, warm_up

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _in_a_fresh_interpreter(code: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_streamlit_run_finds_app_py_an_asgi_app() -> None:
    found = discover_asgi_app(PROJECT_ROOT / "app.py")
    assert found.is_asgi_app
    assert found.import_string == "app:app"


@pytest.mark.slow
def test_importing_app_py_to_serve_it_makes_the_app_and_draws_no_page() -> None:
    seen = _in_a_fresh_interpreter(
        "import json, sys, streamlit as st, app\n"
        "print(json.dumps({'app': isinstance(app.app, st.App),"
        " 'page': 'lib.ui.campaigns_page' in sys.modules}))"
    )
    # The page's modules are the warm-up's to import, in the background, once serving.
    assert seen == {"app": True, "page": False}


@pytest.mark.slow
def test_the_warm_up_imports_every_pages_modules_and_readies_the_sandbox_not_the_audit(
    sandbox_db: Path,
) -> None:
    seen = _in_a_fresh_interpreter(
        "import json, sys\n"
        "from lib.sandbox import app\n"
        "from lib.ui.warm_up import MODULES, warm_up\n"
        "warm_up()\n"
        "from streamlit import delta_generator\n"
        "print(json.dumps({'pages': all(m in sys.modules for m in MODULES),"
        " 'sandbox': len(app._shared_apps),"
        " 'first element checked': delta_generator._use_warning_has_been_displayed,"
        " 'duckdb': 'duckdb' in sys.modules, 'audit': 'lib.audit.run' in sys.modules}))",
        {"LEADLENS_SANDBOX_DB": str(sandbox_db)},
    )
    assert seen == {
        "pages": True,
        "sandbox": 1,
        "first element checked": True,
        "duckdb": False,
        "audit": False,
    }
    assert "streamlit.emojis" in MODULES, "the page icon's emoji table (0.1 s)"
    assert MODULES.index("lib.ui.frame") + 1 == MODULES.index("lib.ui.campaigns_page")


def test_a_module_that_fails_to_import_is_logged_and_the_rest_still_load(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sys.modules.pop("colorsys", None)
    with caplog.at_level(logging.WARNING, logger="lib.ui.warm_up"):
        warm_up(("lib.no_such_module", "colorsys"))
    assert "colorsys" in sys.modules
    assert "warm-up: importing lib.no_such_module failed" in caplog.text
