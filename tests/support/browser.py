"""The browser harness: Debian's Chromium, the dashboard served on a free port, and waits on
what the page shows, never on time.

How a browser test waits (see the README's Tests section):

- `open_app(page, url)` loads a URL and returns when the app is at rest (`settle`).
- After an action that may start a script run (a click, a key, Back), call `settle(page)`.
  If the run may begin only after the action returns (a keyed tab's rerun, a grid edit), wrap
  the action in `with rerun(page): ...`: it waits for that run to be asked for, then settles.
- `settle(page)` returns when the latest run asked for (or started by the server) has
  finished, the app says it is not running, nothing is drawn faded as stale, no element is
  still a loading skeleton, and the browser has painted twice since the run ended.
- To click into a data grid (a canvas: its cells have no elements), `click_grid(locator, row,
  x)`: it waits until the grid is drawn, sized and still, and clicks that point of it where
  the grid is at that moment. (`ready_grid(locator)` waits alone and gives the grid's box.)
- A grid draws the rows of a new run a moment after the run: to read them, wait for the row
  you expect (`panel.locator("td", has_text=...).first.wait_for(state="attached")`: the
  grid's accessible cells are attached, never visible), then count or compare.

Pages must come from `new_context(browser)` (the fixtures do that): its init script watches the
app's websocket, which is how `settle` knows a run was asked for and has finished.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from lib.ui import pages
from tests.support.ports import free_port, streamlit_command

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
CHROMIUM: Final = "/usr/bin/chromium"
"""Debian's Chromium: the screenshots and the benchmarks, which time what a user's browser does."""
HEADLESS_SHELL: Final = "/usr/bin/chromium-headless-shell"
"""Debian's build of Chromium's headless shell (the same Blink, no browser around it): the
browser tests', when installed. A page costs it about a sixth less CPU than the full browser
(the browser tests' own CPU: 41-46 s against 50 s for tests/browser/test_lead_in_browser.py),
and Chromium's rendering is most of the suite's CPU."""
TEST_CHROMIUM: Final = os.environ.get(
    "LEADLENS_TEST_CHROMIUM", HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else CHROMIUM
)
"""The browser the tests drive (`LEADLENS_TEST_CHROMIUM` to choose another)."""
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
VIEWPORT: Final[Any] = {"width": 1440, "height": 1000}
SERVER_START_TIMEOUT: Final = 60.0
"""Seconds a Streamlit server may take to answer its health check (a ceiling, not a wait)."""
RENDER_TIMEOUT_MS: Final = 90_000
"""How long a wait on the page may take before it fails (a ceiling for a loaded machine)."""
GRID_ROW_PX: Final = 35
"""Height of a data grid's row and of its header (Streamlit's default row height)."""

# The app's websocket carries protobuf messages; the probe reads only their top-level field
# numbers (streamlit/proto/ForwardMsg.proto and BackMsg.proto, checked by the tests).
NEW_SESSION_FIELD: Final = 4
SCRIPT_FINISHED_FIELD: Final = 6
FINISHED_EARLY_FOR_RERUN: Final = 2
RERUN_SCRIPT_FIELD: Final = 11

PROBE_SCRIPT: Final = f"""
(() => {{
  if (window.__leadLensProbe) return;
  const probe = {{
    sequence: 0, asked: 0, started: 0, finished: 0, frame: 0, finishedFrame: 0, counting: false,
    runsAsked: 0, runsStarted: 0,
  }};
  window.__leadLensProbe = probe;
  const tick = () => ++probe.sequence;
  // Frames are counted from a finished run until two more have been drawn, then the count
  // stops: a frame loop that never stops makes every open page draw sixty times a second
  // (three idle Lead pages then took 1.15 cores of Chromium's CPU, against 0.3 without it).
  const frame = () => {{
    probe.frame += 1;
    if (probe.frame < probe.finishedFrame + 2) requestAnimationFrame(frame);
    else probe.counting = false;
  }};
  const countFrames = () => {{
    if (probe.counting) return;
    probe.counting = true;
    requestAnimationFrame(frame);
  }};
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : null;
  // The top-level fields of a protobuf message: [number, varint value or null].
  const fields = (bytes) => {{
    const found = [];
    let at = 0;
    const varint = () => {{
      let value = 0, scale = 1, byte;
      do {{ byte = bytes[at++]; value += (byte & 0x7f) * scale; scale *= 128; }}
      while (byte & 0x80 && at < bytes.length);
      return value;
    }};
    while (at < bytes.length) {{
      const tag = varint(), number = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) found.push([number, varint()]);
      else if (wire === 2) {{ const length = varint(); found.push([number, null]); at += length; }}
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else break;
    }}
    return found;
  }};
  const Native = window.WebSocket;
  class Watched extends Native {{
    constructor(...args) {{
      super(...args);
      this.addEventListener("message", (event) => {{
        const bytes = bytesOf(event.data);
        if (!bytes) return;
        for (const [number, value] of fields(bytes)) {{
          if (number === {NEW_SESSION_FIELD}) {{
            probe.started = tick();
            probe.runsStarted += 1;
          }}
          if (number === {SCRIPT_FINISHED_FIELD} && value !== {FINISHED_EARLY_FOR_RERUN}) {{
            probe.finished = tick();
            probe.finishedFrame = probe.frame;
            countFrames();
          }}
        }}
      }});
    }}
    send(data) {{
      const bytes = bytesOf(data);
      if (bytes && fields(bytes).some(([number]) => number === {RERUN_SCRIPT_FIELD})) {{
        probe.asked = tick();
        probe.runsAsked += 1;
      }}
      return super.send(data);
    }}
  }}
  window.WebSocket = Watched;
}})();
"""
"""Counts, in page order, the runs the app asks for (a rerun message sent), the runs the server
starts and finishes (a run stopped early for a rerun is not finished), and the frames painted
after a run finished (two, then it stops counting: an idle page draws nothing); `runsAsked`
and `runsStarted` count the runs asked for and started since the page loaded."""

GRIDS_DRAWN: Final = """
() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].every((grid) => {
  // Glide draws a grid only once it is shown (not in a closed expander) and scrolled to.
  if (!grid.checkVisibility()) return true;
  const box = grid.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.bottom <= 0 || box.top >= innerHeight) {
    return true;
  }
  const canvas = grid.querySelector('[data-testid="data-grid-canvas"]');
  if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
  // Glide draws the cells on the canvas and mirrors them in an accessible table inside it.
  const table = canvas.querySelector('table[role="grid"]');
  if (!table) return false;
  const rows = Number(table.getAttribute("aria-rowcount") || "0");
  return rows <= 1 || !!table.querySelector('tbody tr[role="row"]');
})
"""
"""Every data grid in view is drawn: its canvas has a size and its accessible table lists its
rows (a grid gets a new canvas, drawn after the run, whenever its data changes)."""

AT_REST: Final = f"""
() => {{
  const probe = window.__leadLensProbe;
  if (!probe) throw new Error("open pages with tests.support.browser.new_context()");
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app
    && app.getAttribute("data-test-script-state") === "notRunning"
    && probe.finished > Math.max(probe.asked, probe.started)
    && probe.frame >= probe.finishedFrame + 2
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && ({GRIDS_DRAWN.strip()})();
}}
"""
"""The app at rest: the last run asked for or started has finished and has been painted, and
every grid in view is drawn."""


def app_database_env(folder: Path) -> dict[str, str]:
    """A server's own app database (SQLite in `folder`), secret key and audit snapshots."""
    from cryptography.fernet import Fernet

    return {
        "LEADLENS_DATABASE_URL": f"sqlite:///{folder / 'leadlens.sqlite'}",
        "LEADLENS_SECRET_KEY": Fernet.generate_key().decode("ascii"),
        # Audit snapshots too: one left in the project's .data/audit would show its flags on
        # the Lead page of every later test (and of a developer's own app).
        "LEADLENS_AUDIT_DIR": str(folder / "audit"),
    }


def require_chromium() -> None:
    """Skip the test when Debian's Chromium is missing (fail it in CI, which must run it)."""
    import pytest

    if not Path(TEST_CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{TEST_CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip(f"{TEST_CHROMIUM} is missing: browser tests need Debian's Chromium")


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context whose pages `settle` can wait on (viewport `VIEWPORT` by default),
    every wait of which fails only after `RENDER_TIMEOUT_MS`."""
    context = browser.new_context(**{"viewport": VIEWPORT, **options})
    context.add_init_script(PROBE_SCRIPT)
    # Every Playwright wait of its pages (clicks, `wait_for`, `expect`) may take this long on a
    # loaded machine before it fails: a ceiling, not a pause.
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    return context


def settle(page: Any, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Wait until the app is at rest (`AT_REST`): after a navigation, a click, a key, Back."""
    page.wait_for_function(AT_REST, timeout=timeout_ms)


def sequence(page: Any) -> int:
    """The probe's count of events so far (to tell later runs from earlier ones)."""
    return int(page.evaluate("window.__leadLensProbe.sequence"))


@contextmanager
def rerun(page: Any, timeout_ms: int = RENDER_TIMEOUT_MS) -> Iterator[None]:
    """Around an action that starts a script run, perhaps only after it returns (a keyed tab,
    a grid edit): waits until a run is asked for or started after the action began, then
    for the app at rest."""
    before = sequence(page)
    yield
    page.wait_for_function(
        "(before) => { const p = window.__leadLensProbe;"
        " return Math.max(p.asked, p.started) > before; }",
        arg=before,
        timeout=timeout_ms,
    )
    settle(page, timeout_ms)


RESIZED: Final = """
(width) => window.innerWidth === width
  && [...document.querySelectorAll('[data-testid="stDataFrame"]')].every((grid) => {
    if (!grid.checkVisibility()) return true;
    // The grid's frame follows the window in CSS at once; the grid takes its width from the
    // frame when Streamlit has measured it again, then Glide resizes its canvas (and grows
    // its columns to the new width) in a later frame.
    const frame = grid.parentElement.getBoundingClientRect();
    if (Math.abs(grid.getBoundingClientRect().width - frame.width) > 1) return false;
    const canvas = grid.querySelector('[data-testid="data-grid-canvas"]');
    const scroller = grid.querySelector('.dvn-scroller');
    if (!canvas || !scroller || canvas.width === 0) return true;
    return Math.abs(canvas.width - Math.round(scroller.clientWidth * devicePixelRatio)) <= 1;
  })
"""
"""The window is `width` wide and every shown grid has been measured again at that width: its
width is its frame's, its canvas as wide as its scroller."""

PAINTED: Final = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)
"""Resolves once the browser has drawn two more frames (what a canvas draws after a resize)."""


def resize(page: Any, size: Any, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Set the window to `size` (`{"width": ..., "height": ...}`) and wait until the page is
    laid out at it (`RESIZED`), drawn and at rest. The columns a grid grows to fill its width
    are the same after a resize as after a fresh load at that width (checked for every grid
    of the Campaigns, Leads and Lead pages, 1440 to 1024 px)."""
    page.set_viewport_size(size)
    page.wait_for_function(RESIZED, arg=size["width"], timeout=timeout_ms)
    page.evaluate(PAINTED)
    settle(page, timeout_ms)


def open_app(page: Any, url: str) -> None:
    """Load `url` and wait until the app is at rest."""
    page.goto(url)
    settle(page)


def click_tab(page: Any, name: str) -> None:
    """Select the tab `name` and wait for what it draws (a keyed tab reruns the script)."""
    tab = page.get_by_role("tab", name=name, exact=True)
    if tab.get_attribute("aria-selected") == "true":
        return
    keyed = bool(
        tab.evaluate('(tab) => !!tab.closest(\'[data-testid="stTabs"][class*="st-key-"]\')')
    )
    if keyed:
        with rerun(page):
            tab.click()
    else:
        tab.click()
    wait_for_open_tab(page, name)


def wait_for_open_tab(page: Any, name: str) -> None:
    """Wait until the tab `name` is the open one and the app is at rest."""
    page.get_by_role("tab", name=name, exact=True).and_(
        page.locator('[aria-selected="true"]')
    ).wait_for(timeout=RENDER_TIMEOUT_MS)
    settle(page)


def visible_panel(page: Any) -> Any:
    """The open tab's panel."""
    return page.locator('[role="tabpanel"]:visible')


AXE_LOADED: Final = "() => typeof window.axe !== 'undefined'"


def axe_findings(page: Any) -> list[str]:
    """axe-core's violations (every impact) on the page as it is now, one line each (rule,
    impact, first element). axe's 560 kB script is loaded once per document, not once per
    check: a walk that checks a page after each rerun or tab finds it already there."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    axe = Axe()
    if not page.evaluate(AXE_LOADED):
        page.evaluate(axe.axe_script)
    response = page.evaluate("axe.run({resultTypes: ['violations']})")
    return [
        f"{item['id']} ({item['impact']}): {item['nodes'][0]['target']}"
        for item in response["violations"]
    ]


# -- the data grid -----------------------------------------------------------------------------

GRID_DRAWN: Final = """
(grid) => {
  const canvas = grid.querySelector('[data-testid="data-grid-canvas"]');
  if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
  // Glide draws its cells on the canvas and mirrors them in an accessible table inside it
  // (its header cells named, its rows listed), only for a grid in view.
  const table = canvas.querySelector('table[role="grid"]');
  if (!table) return false;
  const rows = Number(table.getAttribute('aria-rowcount') || '0') - 1;
  if (rows > 0 && !table.querySelector('tbody tr[role="row"] td')) return false;
  if ([...table.querySelectorAll('thead th')].some((th) => !th.textContent.trim())) return false;
  const box = grid.getBoundingClientRect();
  const key = [box.x, box.y, box.width, box.height].map(Math.round).join(",");
  const seen = grid.__leadLensBox;
  grid.__leadLensBox = key;
  return seen === key;
}
"""
"""A grid is ready when its canvas has a size, its accessible table names its columns and has
rows, and its box did not move between two checks (the checks run once a frame: a grid still
being laid out moves). Glide fills the accessible table only for a grid scrolled into view: a
grid below the fold lists nothing to read."""


@dataclass(frozen=True)
class Grid:
    """A data grid drawn on a canvas and laid out: points to click in it."""

    x: float
    y: float
    width: float
    height: float

    def cell(self, row: int, x: float) -> tuple[float, float]:
        """The point `x` pixels from the grid's left edge on data row `row` (1-based; row 0
        is the header)."""
        return self.x + x, self.y + GRID_ROW_PX * row + GRID_ROW_PX / 2


def ready_grid(grid: Any, timeout_ms: int = RENDER_TIMEOUT_MS) -> Grid:
    """Wait until the data grid `grid` (a `stDataFrame` locator) is drawn and laid out, and
    return its box, to click its cells."""
    grid.wait_for(state="visible", timeout=timeout_ms)
    grid.scroll_into_view_if_needed(timeout=timeout_ms)
    grid.page.wait_for_function(
        f"(grid) => ({GRID_DRAWN})(grid)",
        arg=grid.element_handle(timeout=timeout_ms),
        timeout=timeout_ms,
    )
    box = grid.bounding_box(timeout=timeout_ms)
    assert box is not None, "the grid is visible, so it has a box"
    return Grid(box["x"], box["y"], box["width"], box["height"])


def click_grid(grid: Any, row: int, x: float, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Click `x` pixels from the data grid's left edge on row `row` (1-based; 0 is the header)
    where the grid is when the click happens: Playwright waits until the grid holds still
    and that point reaches it (nothing laid over it). A click at a point measured earlier
    went, on a loaded machine, to whatever a late layout shift had moved under it (Previous,
    on the Leads page)."""
    ready_grid(grid, timeout_ms)
    grid.click(position={"x": x, "y": GRID_ROW_PX * row + GRID_ROW_PX / 2}, timeout=timeout_ms)


def grid_rows(grid: Any) -> list[list[str]]:
    """The texts of a data grid's rows as Glide's accessible table lists them (the rows drawn,
    header first): to check what a grid shows without reading pixels."""
    rows: list[list[str]] = grid.locator('[data-testid="data-grid-canvas"] tr').evaluate_all(
        "(rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent))"
    )
    return rows


# -- the server ---------------------------------------------------------------------------------


@contextmanager
def streamlit_server(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free port until the block ends; yields its base URL."""
    port = free_port()
    command = streamlit_command(pages.CAMPAIGNS, port)
    # The server's output goes to a file: an unread pipe could fill up and stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(process, log, url)
            yield url
        finally:
            # Streamlit takes a second or two to exit: the next test need not wait for it (the
            # thread is not a daemon, so the session still waits for it before it ends).
            threading.Thread(target=_stop, args=(process,), name=f"stop {url}").start()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a server: asked to stop, then killed if it has not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], log: IO[bytes], url: str) -> None:
    """Poll the server's health check until it answers (the server's state, polled)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"streamlit exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer on {url} within the timeout")
        time.sleep(0.1)
