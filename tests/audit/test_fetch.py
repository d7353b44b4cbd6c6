"""The audit fetch against the in-process sandbox: boundaries with equal timestamps, cancel
and resume, a failing window, the look-back refresh."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from lib.audit.fetch import (
    FETCH_GC_THRESHOLD,
    FetchProgress,
    LeadFetcher,
    SubWindow,
    fetch_scope,
    sub_windows,
)
from lib.audit.run import AuditScope
from lib.audit.settings import AuditSettings
from lib.audit.snapshot import Snapshot
from lib.connect import connect, sandbox_config, sandbox_transport
from lib.convertr import ConvertrClient

BOUNDARY = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
CAMPAIGN_SQL = "SELECT campaign_id, count(*) FROM leads GROUP BY 1 ORDER BY 2 DESC LIMIT 1"


def client_for(db: Path, fail: str | None = None) -> ConvertrClient:
    inner = sandbox_transport(db)

    def handler(request: httpx.Request) -> httpx.Response:
        if fail and fail in str(request.url):
            return httpx.Response(404, json={"title": "Not Found", "detail": "window refused"})
        return inner.handle_request(request)

    client = connect(sandbox_config(), transport_factory=lambda _c: httpx.MockTransport(handler))
    client.current_user()
    return client


def plant_equal_timestamps(db: Path) -> tuple[int, set[int]]:
    """Five leads of the biggest campaign moved to exactly BOUNDARY, the rest around it."""
    with sqlite3.connect(db) as connection:
        campaign, _count = connection.execute(CAMPAIGN_SQL).fetchone()
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM leads WHERE campaign_id = ? ORDER BY id", [campaign]
            )
        ]
        stamps = {}
        for index, lead in enumerate(ids):
            if index < 5:
                moment = BOUNDARY
            else:
                moment = BOUNDARY + dt.timedelta(hours=(index - len(ids) // 2) * 2)
            stamps[lead] = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        connection.executemany(
            "UPDATE leads SET created_ts = ? WHERE id = ?", [(s, i) for i, s in stamps.items()]
        )
    return int(campaign), set(ids)


def stored_ids(snapshot: Snapshot) -> list[int]:
    with snapshot.cursor() as cursor:
        return [row[0] for row in cursor.execute("SELECT lead_id FROM snapshot_leads").fetchall()]


def test_sub_windows_cover_the_window_exactly() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=30)
    windows = sub_windows([1, 2], start, end, 4)
    assert len(windows) == 8
    for campaign in (1, 2):
        mine = sorted((w for w in windows if w.campaign_id == campaign), key=lambda w: w.start)
        assert mine[0].start == start and mine[-1].end == end
        assert all(a.end == b.start for a, b in itertools.pairwise(mine))


def test_equal_timestamps_on_a_boundary_are_read_once(writable_db: Path, tmp_path: Path) -> None:
    campaign, ids = plant_equal_timestamps(writable_db)
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    windows = [
        SubWindow(campaign, BOUNDARY - dt.timedelta(days=30), BOUNDARY),
        SubWindow(campaign, BOUNDARY, BOUNDARY + dt.timedelta(days=30)),
    ]
    seen: list[FetchProgress] = []
    fetcher = LeadFetcher(
        client_for(writable_db),
        snapshot,
        AuditSettings(sub_windows=2),
        progress=seen.append,
        items_per_page=7,
    )
    result = fetcher.fetch(windows)
    stored = stored_ids(snapshot)
    assert sorted(stored) == sorted(ids)
    assert result.leads == len(ids)  # read once each: none twice, none lost
    assert result.complete
    assert seen[-1].fraction == 1.0 and seen[-1].leads_per_second > 0


def test_cancel_keeps_what_was_read_and_a_refresh_completes(
    writable_db: Path, tmp_path: Path
) -> None:
    campaign, ids = plant_equal_timestamps(writable_db)
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    cancel = threading.Event()

    def cancel_after_first_page(progress: FetchProgress) -> None:
        if progress.leads:
            cancel.set()

    scope = AuditScope((campaign,), dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    now = dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC)
    settings = AuditSettings(sub_windows=1)
    client = client_for(writable_db)
    first = fetch_scope(
        client,
        snapshot,
        scope,
        settings,
        now=now,
        progress=cancel_after_first_page,
        cancel=cancel,
        items_per_page=20,
    )
    assert first.cancelled and not first.complete
    assert "kept" in first.summary()
    kept = stored_ids(snapshot)
    assert 0 < len(kept) < len(ids)
    assert not snapshot.info().complete
    again = fetch_scope(client, snapshot, scope, settings, now=now, items_per_page=20)
    assert again.complete
    assert sorted(stored_ids(snapshot)) == sorted(ids)


def test_a_failing_window_is_named_and_the_others_kept(writable_db: Path, tmp_path: Path) -> None:
    campaign, ids = plant_equal_timestamps(writable_db)
    assert campaign == 3
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    windows = [
        SubWindow(campaign, BOUNDARY - dt.timedelta(days=30), BOUNDARY),
        SubWindow(campaign, BOUNDARY, BOUNDARY + dt.timedelta(days=30)),
    ]
    refused = "strictly_before%5D=2026-03-01T12%3A00%3A00"
    result = LeadFetcher(client_for(writable_db, fail=refused), snapshot, AuditSettings()).fetch(
        windows
    )
    assert not result.complete
    assert [failure.window for failure in result.failures] == [windows[0]]
    assert "campaign 3, 2026-01-30 12:00 to 2026-03-01 12:00 UTC" in result.failures[0].line()
    assert stored_ids(snapshot) and set(stored_ids(snapshot)) < ids


def test_a_refresh_reads_only_the_look_back(writable_db: Path, tmp_path: Path) -> None:
    campaign, ids = plant_equal_timestamps(writable_db)
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    scope = AuditScope((campaign,), dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    now = dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC)
    client = client_for(writable_db)
    full = fetch_scope(client, snapshot, scope, AuditSettings(), now=now, items_per_page=20)
    refresh = fetch_scope(
        client, snapshot, scope, AuditSettings(), now=now, refresh=True, items_per_page=20
    )
    assert full.leads == len(ids)
    # Leads are 2 hours apart over 13 days: the 7-day look-back holds about half.
    assert 0 < refresh.leads < full.leads
    assert refresh.requests < full.requests
    assert sorted(stored_ids(snapshot)) == sorted(ids)


@pytest.mark.parametrize("username", ["masked@sandbox.test"])
def test_a_masked_users_snapshot_holds_no_masked_value(
    sandbox_db: Path, tmp_path: Path, username: str
) -> None:
    client = connect(
        sandbox_config(username), transport_factory=lambda _c: sandbox_transport(sandbox_db)
    )
    snapshot = Snapshot.open("Sandbox", username, masked=True, directory=tmp_path)
    with sqlite3.connect(sandbox_db) as connection:
        campaign = connection.execute(CAMPAIGN_SQL).fetchone()[0]
    scope = AuditScope((campaign,), dt.date(2000, 1, 1), dt.date(2030, 12, 31))
    result = fetch_scope(
        client, snapshot, scope, AuditSettings(), now=dt.datetime(2030, 12, 31, tzinfo=dt.UTC)
    )
    assert result.leads > 0
    with snapshot.cursor() as cursor:
        leaked = cursor.execute(
            "SELECT count(*) FROM snapshot_leads WHERE ip IS NOT NULL OR phone_e164 IS NOT NULL "
            "OR email_domain IS NOT NULL"
        ).fetchone()
        hashes = cursor.execute(
            "SELECT count(*) FROM snapshot_leads WHERE email_key IS NOT NULL"
        ).fetchone()
    assert leaked == (0,)
    assert hashes is not None and hashes[0] > 0


def test_a_lead_a_shifting_page_repeats_is_stored_once(writable_db: Path, tmp_path: Path) -> None:
    """Offset pages can shift under a walk (a lead inserted before the cursor): the next page
    then repeats the last lead of the one before. Stored once, the fetch still complete."""
    campaign, ids = plant_equal_timestamps(writable_db)
    inner = sandbox_transport(writable_db)
    first_pages: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        if "/leads" not in request.url.path or request.url.params.get("page") not in {"1", "2"}:
            return response
        body = response.json()
        key = "hydra:member" if "hydra:member" in body else "member"
        if request.url.params["page"] == "1":
            first_pages["last"] = body[key][-1]
            return response
        body[key] = [first_pages["last"], *body[key]]
        return httpx.Response(response.status_code, headers=response.headers, json=body)

    client = connect(sandbox_config(), transport_factory=lambda _c: httpx.MockTransport(handler))
    client.current_user()
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    window = SubWindow(
        campaign, BOUNDARY - dt.timedelta(days=3650), BOUNDARY + dt.timedelta(days=3650)
    )
    result = LeadFetcher(client, snapshot, AuditSettings(sub_windows=1), items_per_page=7).fetch(
        [window]
    )
    assert result.complete
    assert result.leads == len(ids) + 1, "the repeated lead was read twice"
    stored = stored_ids(snapshot)
    assert len(stored) == len(set(stored)) and set(stored) == ids


def test_the_collector_runs_less_often_during_a_fetch_and_as_before_after(
    writable_db: Path, tmp_path: Path
) -> None:
    campaign, _ids = plant_equal_timestamps(writable_db)
    snapshot = Snapshot.open("Sandbox", "analyst", masked=False, directory=tmp_path)
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []
    window = SubWindow(campaign, BOUNDARY - dt.timedelta(days=30), BOUNDARY)
    result = LeadFetcher(
        client_for(writable_db),
        snapshot,
        AuditSettings(sub_windows=1),
        progress=lambda _progress: during.append(gc.get_threshold()),
        items_per_page=7,
    ).fetch([window])
    assert result.complete and during
    assert all(seen == (FETCH_GC_THRESHOLD, *before[1:]) for seen in during)
    assert gc.get_threshold() == before
