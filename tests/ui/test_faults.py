"""The app under faults (issue 11): the sandbox answers half of its API requests with 503
(`create_app(..., fail_rate=0.5)`, the same switch as `serve --fail-rate 0.5`), reached
through the client's transport, and every page is loaded many times with empty caches. Every
tab shows its content or its own error with a Retry button: never "Something went wrong",
never an uncaught exception.

The client is built without retries and with a sleep that does not wait, so every injected
fault reaches the pages (with retries most of them would be absorbed) and the test stays quick.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from lib.connect import injected, sandbox_transport
from lib.convertr import ClientConfig
from lib.ui import pages
from tests.support.apptest import app_at, tab

FAIL_RATE: Final = 0.5
LOADS: Final = 10
"""Loads of each page (each Lead tab opened in turn on every load)."""
RNG_SEED: Final = 11
SHOWCASE: Final = "100001"
CAMPAIGN: Final = "1"
RETRY_LABELS: Final = ("Retry", "Try again")
UNEXPECTED: Final = "Something went wrong"


@dataclass
class FaultCounter:
    """Requests sent to the faulty sandbox and the 503s it injected."""

    requests: int = 0
    faults: int = 0
    sandboxes: list[Any] = field(default_factory=list)
    """The faulty sandbox's transports (a test may set their app's `fail_rate` to 0: the
    server recovers)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int) -> None:
        with self._lock:
            self.requests += 1
            self.faults += status == httpx.codes.SERVICE_UNAVAILABLE


class CountingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, counter: FaultCounter) -> None:
        self.inner = inner
        self.counter = counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.counter.record(response.status_code)
        return response


@pytest.fixture
def faults(ui_env: Path) -> Iterator[FaultCounter]:
    """Every client the app creates talks to a sandbox that fails half of its API requests."""
    counter = FaultCounter()

    def transport(_config: ClientConfig) -> httpx.BaseTransport:
        # One faulty server for every client (each visitor signs in with a client of their
        # own): a new app per client would replay the same seeded failures every time.
        if not counter.sandboxes:
            counter.sandboxes.append(
                sandbox_transport(ui_env, fail_rate=FAIL_RATE, rng_seed=RNG_SEED)
            )
        return CountingTransport(counter.sandboxes[0], counter)

    with injected(transport, sleep=lambda _: None, max_retries=0):
        yield counter


def retry_buttons(block: Any) -> int:
    return sum(1 for button in block.button if button.label in RETRY_LABELS)


def problems(block: Any, where: str) -> list[str]:
    """What is wrong with one page or tab: an unexpected failure, or an error shown without
    its own Retry button."""
    found = [
        f"{where}: {error.value[:120]!r}" for error in block.error if UNEXPECTED in error.value
    ]
    if block.error and not retry_buttons(block):
        found.append(f"{where}: an error without Retry: {block.error[0].value[:120]!r}")
    return found


@dataclass
class Tally:
    loads: int = 0
    failures: list[str] = field(default_factory=list)
    errors_shown: int = 0
    """Pages and tabs that showed their own error with Retry (the faults the user saw)."""
    tabs_drawn: int = 0
    """Lead tabs drawn (with their content or their error)."""


def clear_data_caches() -> None:
    """Every cached answer but the signed-in user, so each load asks the server again for its
    data (a user's next visit after the TTL) and the faults fall on the pages' own requests."""
    from lib.ui import cached_api

    for cached in (
        cached_api.campaigns_page,
        cached_api.campaign,
        cached_api.statistics,
        cached_api.chronologies,
        cached_api.leads_page,
        cached_api._dossier,
        cached_api.reference_data,
    ):
        cached.clear()
    # The advertised filters are asked for once per client, as in the app.


def load(tally: Tally, page: str, **query: str) -> Any:
    clear_data_caches()
    at = app_at(page, **query).run()
    tally.loads += 1
    if at.exception:
        tally.failures.append(f"{page}: uncaught {at.exception[0].message[:160]!r}")
    return at


def test_every_page_and_tab_shows_its_content_or_its_own_error_with_retry(
    faults: FaultCounter,
) -> None:
    tally = Tally()
    for _ in range(LOADS):
        for page, query in ((pages.CAMPAIGNS, CAMPAIGN), (pages.LEADS, CAMPAIGN)):
            at = load(tally, page, campaign=query)
            tally.failures += problems(at.main, page)
            tally.errors_shown += bool(at.main.error)
        at = load(tally, pages.LEAD, lead=SHOWCASE)
        if not at.tabs:
            # The lead itself (or the signed-in user) could not be loaded: one error, Retry.
            tally.failures += problems(at.main, "Lead page")
            tally.errors_shown += 1
            continue
        for name in [item.label for item in at.tabs]:
            # Only the open tab is drawn: open each, as the analyst would.
            lead_tab = tab(at, name)
            tally.tabs_drawn += 1
            if at.exception:
                tally.failures.append(f"Lead tab {name}: {at.exception[0].message[:160]!r}")
            tally.failures += problems(lead_tab, f"Lead tab {name}")
            tally.errors_shown += bool(lead_tab.error)
    print(  # the figures for the report (pytest -s)
        f"\nfault run: {tally.loads} page loads, {faults.requests} API requests, "
        f"{faults.faults} faults injected (503), {tally.tabs_drawn} Lead tabs drawn, "
        f"{tally.errors_shown} pages or tabs showed their own error with Retry, "
        f"{len(tally.failures)} failures"
    )
    assert faults.faults > 0, "the sandbox injected faults"
    assert tally.errors_shown > 0, "some faults reached the pages"
    assert not tally.failures, "\n".join(tally.failures)


class NotesDown(httpx.BaseTransport):
    """The sandbox, but the lead-notes collection answers 503 until `down` is cleared."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.down = True
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.url.path.endswith("/lead-notes"):
            self.refused += 1
            return httpx.Response(httpx.codes.SERVICE_UNAVAILABLE, request=request)
        return self.inner.handle_request(request)


def test_retry_after_a_fault_shows_the_content(ui_env: Path) -> None:
    """A Retry in a failed tab asks again: once the server is back, one click shows the
    tab's content (the fault falls on the Notes tab's request every time, not by chance)."""
    sandbox = NotesDown(sandbox_transport(ui_env))
    with injected(lambda _config: sandbox, sleep=lambda _: None, max_retries=0):
        clear_data_caches()
        at = app_at(pages.LEAD, lead=SHOWCASE, tab="Notes")  # only the open tab is drawn
        at.run()
        assert not at.exception
        notes = next(item for item in at.tabs if item.label == "Notes")
        assert notes.error and sandbox.refused, "the Notes tab shows its own error"
        assert not notes.dataframe
        sandbox.down = False
        next(button for button in notes.button if button.label == "Retry").click().run()
        assert not at.exception
        notes = next(item for item in at.tabs if item.label == "Notes")
        assert not notes.error
        assert notes.dataframe or notes.info, "the notes, or that there are none"
