"""Every lead of an audit's window, read through the client at the API's limit.

Each campaign's window is cut into date sub-windows, fetched a few at once (`sub_windows`,
default 4), each walking its pages at the largest page size the server accepts, oldest first.
A sub-window is ``createdTs[after]=start`` (inclusive) and ``createdTs[strictly_before]=end``
(exclusive), so a lead captured exactly on a boundary second lands in one sub-window, never
two or none; the snapshot stores by lead id, so a lead read twice still counts once.

The client already bounds each request (its deadline) and honours ``Retry-After`` on 429 and
503; this module adds the overall deadline, Cancel (what was read is kept, and the result says
the fetch was cut short) and a failing sub-window (the others go on; the result names it).
The lead-data values the signals need come embedded in each lead; a server that does not embed
them is asked once per page with multi-value filters (``lead.id[]``, ``name[]``), and when
that fails the signals that need them are named as not fully run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

from lib.audit.records import LEAD_DATA_NEEDED, AuditLead, lead_frame, lead_row
from lib.audit.run import AuditScope
from lib.audit.settings import AuditSettings
from lib.audit.snapshot import Snapshot
from lib.convertr.client import ConvertrClient
from lib.convertr.constants import API_PREFIX, MAX_ITEMS_PER_PAGE
from lib.convertr.endpoints import Filter
from lib.convertr.errors import ConvertrError
from lib.convertr.models import Lead, LeadData

LEAD_DATA_CHUNK: Final = 100
"""Lead ids per lead-datas request (a URL stays well under common 8 KB limits)."""
STORE_EVERY: Final = 5000
"""Rows kept before writing them to the snapshot."""
PAGES_AHEAD: Final = 8
"""Pages read but not yet made into rows: the sub-windows wait when this many are queued."""
FETCH_GC_THRESHOLD: Final = 100_000
"""The collector's first threshold while a fetch runs (Python's default is 700)."""


@dataclass(frozen=True)
class SubWindow:
    campaign_id: int
    start: dt.datetime
    """Inclusive (UTC)."""
    end: dt.datetime
    """Exclusive (UTC)."""

    def describe(self) -> str:
        span = f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"
        return f"campaign {self.campaign_id}, {span}"


@dataclass(frozen=True)
class FetchProgress:
    """What a progress bar shows: leads read, of how many (known so far), speed, time left."""

    leads: int
    expected: int
    """Leads the sub-windows started so far announced (grows as more start)."""
    windows_done: int
    windows_total: int
    elapsed: float
    windows_started: int = 0

    @property
    def leads_per_second(self) -> float:
        return self.leads / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def estimated_total(self) -> int:
        """Leads expected in all: the windows started so far announced their counts; the
        others are assumed alike."""
        if self.windows_started == 0:
            return self.leads
        estimate = self.expected * self.windows_total / self.windows_started
        return max(self.leads, round(estimate))

    @property
    def fraction(self) -> float:
        if self.windows_done >= self.windows_total:
            return 1.0
        total = self.estimated_total
        return min(1.0, self.leads / total) if total else 0.0

    @property
    def seconds_left(self) -> float | None:
        rate = self.leads_per_second
        if rate <= 0:
            return None
        return max(0.0, (self.estimated_total - self.leads) / rate)


@dataclass(frozen=True)
class WindowFailure:
    window: SubWindow
    message: str

    def line(self) -> str:
        return f"{self.window.describe()}: {self.message}"


@dataclass(frozen=True)
class FetchResult:
    leads: int
    """Leads read (and stored) by this fetch."""
    windows: int
    failures: tuple[WindowFailure, ...] = ()
    cancelled: bool = False
    timed_out: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Signals that could not fully run for want of data (one line each)."""
    requests: int = 0
    elapsed: float = 0.0

    @property
    def complete(self) -> bool:
        return not (self.failures or self.cancelled or self.timed_out)

    def summary(self) -> str:
        if self.cancelled:
            return (
                f"Cancelled: the {self.leads:,} leads read so far are kept; the rest were not read."
            )
        if self.timed_out:
            return f"Stopped at the time limit: the {self.leads:,} leads read so far are kept."
        if self.failures:
            return (
                f"{len(self.failures)} of {self.windows} date windows could not be read; "
                f"{self.leads:,} leads from the others are kept."
            )
        return f"{self.leads:,} leads read in {self.elapsed:.1f} s."


def sub_windows(
    campaigns: Sequence[int], start: dt.datetime, end: dt.datetime, parts: int
) -> list[SubWindow]:
    """Each campaign's [start, end) cut into `parts` windows on whole seconds, newest first
    (the leads an auditor most wants arrive first)."""
    total = int((end - start).total_seconds())
    parts = max(1, min(parts, max(total, 1)))
    edges = [start + dt.timedelta(seconds=total * index // parts) for index in range(parts)]
    edges.append(end)
    windows = [
        SubWindow(campaign, edges[index], edges[index + 1])
        for campaign in campaigns
        for index in range(parts)
        if edges[index] < edges[index + 1]
    ]
    return sorted(windows, key=lambda window: (-window.end.timestamp(), window.campaign_id))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class _Stop(Exception):
    """Raised inside a worker when Cancel was pressed or the deadline passed."""


_frozen_lock = threading.Lock()
_frozen_fetches = 0
_thresholds_before: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _collector_spared() -> Iterator[None]:
    """Everything alive before the fetch left out of the garbage collector's scans while it
    runs (``gc.freeze``), and the collector run less often (`FETCH_GC_THRESHOLD`), both given
    back when the last fetch running ends. A fetch makes hundreds of thousands of objects, so
    the collector runs its full scan dozens of times, and each time walked the whole server
    (every module, frame and cached table): a quarter of the fetch's CPU time, holding the
    lock every other thread waits for. Frozen, it still ran thousands of young scans and
    hundreds of middle ones over the pages waiting to become rows, a third of the fetch's
    CPU time: nothing of a page is cyclic garbage (reference counting frees it), so the scans
    found nothing to free."""
    global _frozen_fetches, _thresholds_before
    with _frozen_lock:
        _frozen_fetches += 1
        if _frozen_fetches == 1:
            _thresholds_before = gc.get_threshold()
            first, *older = _thresholds_before
            gc.set_threshold(max(first, FETCH_GC_THRESHOLD), *older)
        gc.freeze()
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_fetches -= 1
            if _frozen_fetches == 0:
                gc.unfreeze()
                if _thresholds_before is not None:
                    gc.set_threshold(*_thresholds_before)
                    _thresholds_before = None


class LeadFetcher:
    """One fetch into a snapshot (a fresh object per fetch)."""

    def __init__(
        self,
        client: ConvertrClient,
        snapshot: Snapshot,
        settings: AuditSettings,
        *,
        progress: Callable[[FetchProgress], None] | None = None,
        cancel: threading.Event | None = None,
        deadline_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        items_per_page: int = MAX_ITEMS_PER_PAGE,
    ) -> None:
        self.client = client
        self.snapshot = snapshot
        self.settings = settings
        self.progress = progress
        self.cancel = cancel or threading.Event()
        self.deadline_seconds = deadline_seconds
        self.clock = clock
        self.items_per_page = items_per_page
        self._lock = threading.Lock()
        self._read = 0
        self._expected = 0
        self._done = 0
        self._windows_started = 0
        self._total = 0
        self._started = 0.0
        self._timed_out = False
        self._notes: set[str] = set()
        # Pages become rows in one thread of their own, while the sub-windows already ask
        # for their next pages: the server is not kept waiting on our normalisation.
        self._rows: list[dict[str, object]] = []
        self._converter: ThreadPoolExecutor | None = None
        self._queued = threading.BoundedSemaphore(PAGES_AHEAD)
        self._conversions: list[Future[None]] = []

    def _check(self) -> None:
        if self.cancel.is_set():
            raise _Stop
        if (
            self.deadline_seconds is not None
            and self.clock() - self._started > self.deadline_seconds
        ):
            self._timed_out = True
            raise _Stop

    def _report(self) -> None:
        if self.progress is None:
            return
        with self._lock:
            snapshot = FetchProgress(
                self._read,
                max(self._expected, self._read),
                self._done,
                self._total,
                self.clock() - self._started,
            )
        self.progress(snapshot)

    def fetch(self, windows: Sequence[SubWindow]) -> FetchResult:
        with _collector_spared():
            return self._fetch(windows)

    def _fetch(self, windows: Sequence[SubWindow]) -> FetchResult:
        self._started = self.clock()
        self._total = len(windows)
        requests_before = self.client.request_count
        failures: list[WindowFailure] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-rows") as converter:
            self._converter = converter
            try:
                with ThreadPoolExecutor(
                    max_workers=max(1, int(self.settings.sub_windows)),
                    thread_name_prefix="audit-fetch",
                ) as pool:
                    futures = [(window, pool.submit(self._window, window)) for window in windows]
                    for window, future in futures:
                        failure = future.result()
                        if failure is not None:
                            failures.append(WindowFailure(window, failure))
            finally:
                # What was read is kept, whatever stopped the walk.
                self._conversions.append(converter.submit(self._flush))
        for conversion in self._conversions:
            conversion.result()
        self._report()
        return FetchResult(
            leads=self._read,
            windows=len(windows),
            failures=tuple(failures),
            cancelled=self.cancel.is_set() and not self._timed_out,
            timed_out=self._timed_out,
            notes=tuple(sorted(self._notes)),
            requests=self.client.request_count - requests_before,
            elapsed=self.clock() - self._started,
        )

    def _window(self, window: SubWindow) -> str | None:
        """Read one sub-window; returns why it failed, or None (a stop is not a failure)."""
        params: list[tuple[str, str | int]] = [
            (Filter.CAMPAIGN, window.campaign_id),
            (Filter.CREATED_AFTER, _stamp(window.start)),
            (Filter.CREATED_STRICTLY_BEFORE, _stamp(window.end)),
            (Filter.order("createdTs"), "asc"),
            (Filter.order("id"), "asc"),
        ]
        try:
            page_number = 1
            while True:
                self._check()
                page = self.client.page(
                    AuditLead,
                    f"{API_PREFIX}/leads",
                    params,
                    page=page_number,
                    items_per_page=self.items_per_page,
                )
                if page_number == 1:
                    with self._lock:
                        self._windows_started += 1
                        self._expected += page.total if page.total is not None else 0
                extra = self._missing_lead_data(page.items)
                self._queue(page.items, extra)
                with self._lock:
                    self._read += len(page.items)
                self._report()
                if not page.items or page.next_link is None:
                    break
                page_number += 1
        except _Stop:
            return None
        except ConvertrError as failure:
            return failure.user_message
        finally:
            with self._lock:
                self._done += 1
        return None

    def _queue(self, leads: Sequence[Lead], extra: dict[int, dict[str, str | None]]) -> None:
        """Hand a page to the converter (waiting while `PAGES_AHEAD` pages are queued)."""
        assert self._converter is not None, "set by fetch"
        self._queued.acquire()
        try:
            conversion = self._converter.submit(self._convert, leads, extra)
        except BaseException:
            self._queued.release()
            raise
        with self._lock:
            self._conversions.append(conversion)

    def _convert(self, leads: Sequence[Lead], extra: dict[int, dict[str, str | None]]) -> None:
        """In the converter's thread: a page's rows, written to the snapshot every
        `STORE_EVERY` rows."""
        try:
            self._rows.extend(lead_row(lead, extra.get(lead.id)) for lead in leads)
        finally:
            self._queued.release()
        if len(self._rows) >= STORE_EVERY:
            self._flush()

    def _flush(self) -> None:
        """In the converter's thread: the rows kept so far into the snapshot."""
        if self._rows:
            # A lead met twice (pages shifting under a walk) is stored once, as last read.
            rows = list({row["lead_id"]: row for row in self._rows}.values())
            self._rows = []
            self.snapshot.store(lead_frame(rows))

    def _missing_lead_data(self, leads: Sequence[Lead]) -> dict[int, dict[str, str | None]]:
        """The values the signals need, for leads whose page did not embed them: one request
        per chunk of ids, filtered to the needed names."""
        bare = [lead.id for lead in leads if not lead.lead_data]
        if not bare or len(bare) < len(leads):
            return {}
        found: dict[int, dict[str, str | None]] = {}
        for index in range(0, len(bare), LEAD_DATA_CHUNK):
            chunk = bare[index : index + LEAD_DATA_CHUNK]
            params: list[tuple[str, str | int]] = [(Filter.LEAD_IN, lead) for lead in chunk]
            params += [(Filter.LEAD_DATA_NAME_IN, name) for name in sorted(LEAD_DATA_NEEDED)]
            try:
                for item in self.client.iter_collection(
                    LeadData, f"{API_PREFIX}/lead-datas", params
                ):
                    found.setdefault(item.lead_id, {})[item.name] = item.value
            except ConvertrError as failure:
                self._notes.add(
                    "disposable_email and geo_mismatch ran without the leads' email-validation "
                    f"and country values: {failure.user_message}"
                )
                return found
        return found


def fetch_scope(
    client: ConvertrClient,
    snapshot: Snapshot,
    scope: AuditScope,
    settings: AuditSettings,
    *,
    now: dt.datetime,
    refresh: bool = False,
    progress: Callable[[FetchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    deadline_seconds: float | None = None,
    items_per_page: int = MAX_ITEMS_PER_PAGE,
) -> FetchResult:
    """Fetch the scope's leads into the snapshot. With `refresh`, a campaign already in the
    snapshot is read only from its newest lead less the look-back (status and delivery change
    after capture); new campaigns are read in full."""
    start = dt.datetime.combine(scope.window_from, dt.time(), dt.UTC)
    end = min(
        dt.datetime.combine(scope.window_to + dt.timedelta(days=1), dt.time(), dt.UTC),
        now.astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1),
    )
    windows: list[SubWindow] = []
    for campaign in scope.campaigns:
        begin = start
        newest = snapshot.newest_lead(campaign) if refresh else None
        if newest is not None:
            begin = max(
                start, newest.replace(tzinfo=dt.UTC) - dt.timedelta(days=settings.lookback_days)
            )
        if begin < end:
            windows += sub_windows([campaign], begin, end, settings.sub_windows)
    fetcher = LeadFetcher(
        client,
        snapshot,
        settings,
        progress=progress,
        cancel=cancel,
        deadline_seconds=deadline_seconds,
        items_per_page=items_per_page,
    )
    result = fetcher.fetch(windows)
    snapshot.record_fetch(
        campaigns=scope.campaigns,
        window_from=scope.window_from,
        window_to=scope.window_to,
        fetched_at=now,
        complete=result.complete,
    )
    return result
