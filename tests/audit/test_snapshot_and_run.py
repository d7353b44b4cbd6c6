"""The snapshot file (private, per user, forgotten, expired) and a run over it ("new")."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from lib.audit.run import AuditScope, run_audit
from lib.audit.settings import AuditSettings
from lib.audit.snapshot import Snapshot, forget_user, snapshot_name, sweep_expired
from tests.audit.planting import START, Planter, seconds

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
SCOPE = AuditScope((1, 2), dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_the_file_is_private_per_user_and_names_nobody(tmp_path: Path) -> None:
    snapshot = Snapshot.open("Sandbox", "analyst@sandbox.test", masked=False, directory=tmp_path)
    planter = Planter()
    planter.crowd(5)
    snapshot.store(planter.frame())
    assert stat.S_IMODE(os.stat(snapshot.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path).st_mode) == 0o700
    assert "analyst" not in snapshot.path.name
    assert snapshot_name("Sandbox", "analyst@sandbox.test") != snapshot_name(
        "Sandbox", "viewer@sandbox.test"
    )
    snapshot.close()
    forget_user("Sandbox", "analyst@sandbox.test", tmp_path)
    assert not snapshot.path.exists()


def test_rights_changing_empties_the_snapshot(tmp_path: Path) -> None:
    snapshot = Snapshot.open("Sandbox", "u", masked=False, directory=tmp_path)
    planter = Planter()
    planter.crowd(5)
    snapshot.store(planter.frame())
    snapshot.close()
    masked = Snapshot.open("Sandbox", "u", masked=True, directory=tmp_path)
    assert masked.info().leads == 0
    masked.close()


def test_expired_snapshots_are_swept(tmp_path: Path) -> None:
    old = Snapshot.open("Sandbox", "old", masked=False, directory=tmp_path)
    old.close()
    fresh = Snapshot.open("Sandbox", "fresh", masked=False, directory=tmp_path)
    fresh.close()
    now = dt.datetime.now(dt.UTC).timestamp()
    os.utime(old.path, (now - 25 * 3600, now - 25 * 3600))
    assert sweep_expired(24, now, tmp_path) == [old.path]
    assert fresh.path.exists()


def test_a_refresh_replaces_changed_leads_and_a_rerun_marks_what_is_new(tmp_path: Path) -> None:
    snapshot = Snapshot.open("Sandbox", "u", masked=False, directory=tmp_path)
    planter = Planter()
    planter.crowd(20)
    first = [planter.lead(START + seconds(10 * i), email="dup@example.org") for i in range(2)]
    snapshot.store(planter.frame())
    result = run_audit(snapshot, SCOPE, AuditSettings(), now=NOW)
    assert result.leads == 22
    assert [f.lead_ids for f in result.findings] == [tuple(first)]
    assert not result.findings[0].new  # nothing to compare with on a first run
    later = planter.lead(START + seconds(9), ip="81.2.69.200", email="dup@example.org")
    snapshot.store(planter.frame())  # the same leads again (replaced by id) and one new
    again = run_audit(snapshot, SCOPE, AuditSettings(), now=NOW)
    assert again.leads == 23
    new = {finding.signal: finding.new for finding in again.findings}
    assert new == {"duplicate_email": True}
    assert later in again.findings[0].lead_ids
    third = run_audit(snapshot, SCOPE, AuditSettings(), now=NOW)
    assert not any(finding.new for finding in third.findings)
    outside = run_audit(
        snapshot, AuditScope((3,), SCOPE.window_from, SCOPE.window_to), AuditSettings(), now=NOW
    )
    assert outside.leads == 0
    snapshot.forget()
