"""The Timeline tab of a lead with 2,000 Processr log lines: AppTest and Chromium timings.

Run as ``python -m benchmarks.timeline``. Seeds a small sandbox in a temporary folder, adds
`LOG_LINES` log lines to lead 100001, then prints:

- AppTest: the Timeline tab's own drawing time (its body, timed in-process) on the first run
  (timeline built) and on a rerun (timeline from the cache), and each whole page run;
- Chromium: the page's first load, and the click on the Timeline tab until the app is idle
  (a tracked tab switch reruns the page from its caches).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

LOG_LINES = 2_000
LEAD_ID = 100001
SEED_LEADS = 600
STORED_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"


def add_log_lines(db: Path, lead_id: int = LEAD_ID, count: int = LOG_LINES) -> None:
    """`count` Processr log lines for the lead, one a second from its capture."""
    with sqlite3.connect(db) as connection:
        (created,) = connection.execute(
            "SELECT created_ts FROM leads WHERE id = ?", (lead_id,)
        ).fetchone()
        start = datetime.fromisoformat(created).astimezone(UTC)
        (top,) = connection.execute("SELECT COALESCE(MAX(id), 0) FROM logs").fetchone()
        connection.executemany(
            "INSERT INTO logs (id, lead_id, type, level, message, created_ts) "
            "VALUES (?, ?, 'processr', ?, ?, ?)",
            [
                (
                    top + 1 + index,
                    lead_id,
                    "warning" if index % 10 == 0 else "info",
                    f"Retry {index}: provider queue busy",
                    (start + timedelta(seconds=index)).strftime(STORED_FORMAT),
                )
                for index in range(count)
            ],
        )


def apptest_timings(db: Path) -> None:
    import os

    from streamlit.testing.v1 import AppTest

    from lib.ui import lead_page

    os.environ["LEADLENS_SANDBOX_DB"] = str(db)
    timings: list[float] = []
    body: Callable[..., None] = lead_page.TAB_BODIES[-1]

    def timed(*args: Any) -> None:
        started = time.perf_counter()
        body(*args)
        timings.append(time.perf_counter() - started)

    lead_page.TAB_BODIES = (*lead_page.TAB_BODIES[:-1], timed)  # type: ignore[misc]
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
    at.switch_page("pages/2_Lead.py")
    at.query_params["lead"] = str(LEAD_ID)
    for label in ("first run", "rerun", "rerun", "rerun"):
        started = time.perf_counter()
        at.run()
        whole = time.perf_counter() - started
        assert not at.exception, at.exception
        print(f"AppTest {label}: Timeline tab {timings[-1] * 1000:.0f} ms, page {whole:.2f} s")
    lead_page.TAB_BODIES = (*lead_page.TAB_BODIES[:-1], body)  # type: ignore[misc]


def chromium_timings(db: Path) -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks.screenshots import (
        CHROMIUM,
        CHROMIUM_ARGS,
        VIEWPORT,
        streamlit_server,
        wait_until_idle,
    )

    with (
        streamlit_server({"LEADLENS_SANDBOX_DB": str(db)}) as url,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport=VIEWPORT)
        started = time.perf_counter()
        page.goto(f"{url}/Lead?lead={LEAD_ID}")
        wait_until_idle(page)
        loaded = time.perf_counter() - started
        print(f"Chromium first load (to idle, with its 400 ms paint wait): {loaded:.2f} s")
        for attempt in (1, 2):
            page.get_by_role("tab", name="Profile", exact=True).click()
            wait_until_idle(page)
            started = time.perf_counter()
            page.get_by_role("tab", name="Timeline", exact=True).click()
            # The caption "N of N entries." of the Timeline tab, N past LOG_LINES.
            page.get_by_text(re.compile(r"of 2,0\d\d entries")).first.wait_for(timeout=60_000)
            shown = time.perf_counter() - started
            wait_until_idle(page)
            idle = time.perf_counter() - started - 0.4
            print(
                f"Chromium Timeline tab click {attempt}: entries shown {shown:.2f} s, "
                f"app idle {idle:.2f} s"
            )
        browser.close()


def main() -> None:
    from lib.connect import seed_sandbox

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "sandbox.sqlite"
        seed_sandbox(db, leads=SEED_LEADS, seed=42)
        add_log_lines(db)
        apptest_timings(db)
        chromium_timings(db)


if __name__ == "__main__":
    main()
