"""The sandbox's audit stories: the audit of campaign 1 finds exactly them, and nothing else.

Through the CLI against a seeded sandbox (fetch, snapshot, every signal, clusters,
scorecard), at two seed sizes: the tests' shared small one and a larger one where every
publisher has enough leads to be judged. A finding outside the stories is a false positive on
clean demo data; a story missing is a signal that stopped working.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lib.audit.settings import SIGNALS
from lib.cli import main
from lib.cli.common import EXIT_COMPLETE
from lib.sandbox import seed_database
from lib.sandbox.audit_stories import (
    CLICK_FARM_LEAD_IDS,
    DISPOSABLE_LEAD_IDS,
    MISMATCH_LEAD_IDS,
    NIGHT_LEAD_IDS,
    RECYCLED_CONTACT_LEAD_IDS,
    STORY_CAMPAIGN_ID,
)
from lib.sandbox.demo import FARM_LEAD_IDS, SHOWCASE_HOSTILE_LEAD_ID

LARGER_SEED_LEADS = 3000
WINDOW = ["--from", "2000-01-01", "--to", "2030-12-31"]
SHOWCASE_FARM_IN_CAMPAIGN_1 = (FARM_LEAD_IDS[0], FARM_LEAD_IDS[2])
"""The showcase device farm's leads on campaign 1 (the rest are on campaign 3)."""

EXPECTED_FINDINGS = {
    *(("duplicate_email", ids, "strong") for ids in RECYCLED_CONTACT_LEAD_IDS),
    *(("duplicate_phone", ids, "strong") for ids in RECYCLED_CONTACT_LEAD_IDS),
    ("shared_device", CLICK_FARM_LEAD_IDS, "strong"),
    ("shared_device", SHOWCASE_FARM_IN_CAMPAIGN_1, "strong"),
    ("ip_velocity", CLICK_FARM_LEAD_IDS, "strong"),
    ("disposable_email", DISPOSABLE_LEAD_IDS, "strong"),
    ("geo_mismatch", MISMATCH_LEAD_IDS, "strong"),
    ("junk_values", (SHOWCASE_HOSTILE_LEAD_ID,), "strong"),
    ("machine_cadence", NIGHT_LEAD_IDS, "strong"),
    ("off_hours", NIGHT_LEAD_IDS, "weak"),
}
EXPECTED_CLUSTERS = {
    CLICK_FARM_LEAD_IDS,
    *RECYCLED_CONTACT_LEAD_IDS,
    SHOWCASE_FARM_IN_CAMPAIGN_1,
}


@pytest.fixture(scope="module")
def larger_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stories") / "sandbox.db"
    seed_database(path, leads=LARGER_SEED_LEADS)
    return path


@pytest.fixture
def audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path], dict[str, Any]]:
    """Runs the CLI's audit of the story campaign on a sandbox database; returns its JSON."""

    def run(db: Path) -> dict[str, Any]:
        # The sandbox app reads its database from the process environment.
        monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(db))
        return _audit(db, tmp_path / db.parent.name, capsys)

    return run


def _audit(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    env = {"LEADLENS_SANDBOX_DB": str(db), "LEADLENS_AUDIT_DIR": str(tmp_path / "audit")}
    code = main(["audit", str(STORY_CAMPAIGN_ID), *WINDOW, "--json"], env=env)
    captured = capsys.readouterr()
    assert code == EXIT_COMPLETE, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def findings_of(result: dict[str, Any]) -> set[tuple[str, tuple[int, ...], str]]:
    return {
        (finding["signal"], tuple(sorted(finding["lead_ids"])), finding["strength"])
        for finding in result["findings"]
    }


@pytest.mark.parametrize("size", ["shared", "larger"])
def test_the_audit_of_campaign_1_finds_exactly_the_stories(
    size: str,
    sandbox_db: Path,
    larger_db: Path,
    audit: Callable[[Path], dict[str, Any]],
) -> None:
    result = audit(sandbox_db if size == "shared" else larger_db)
    story_leads = {lead for _signal, ids, _strength in EXPECTED_FINDINGS for lead in ids}
    # Plenty of clean leads were audited alongside the stories, and none of them was flagged.
    assert result["leads"] >= len(story_leads) + 50
    assert findings_of(result) == EXPECTED_FINDINGS
    assert {finding["signal"] for finding in result["findings"]} == set(SIGNALS)
    assert {tuple(sorted(cluster["lead_ids"])) for cluster in result["clusters"]} == (
        EXPECTED_CLUSTERS
    )


def test_each_story_is_told_in_its_own_words(
    larger_db: Path, audit: Callable[[Path], dict[str, Any]]
) -> None:
    reasons = {
        (finding["signal"], tuple(sorted(finding["lead_ids"]))): finding["reason"]
        for finding in audit(larger_db)["findings"]
    }
    # The recycled contacts' numbers were written three ways each, and still match in E.164.
    for ids in RECYCLED_CONTACT_LEAD_IDS:
        assert "on 3 leads in campaign 1, one email" in reasons["duplicate_phone", ids]
    assert "6 different emails" in reasons["shared_device", CLICK_FARM_LEAD_IDS]
    assert "(a rapid post)" in reasons["ip_velocity", CLICK_FARM_LEAD_IDS]
    assert "at mailinator.com" in reasons["disposable_email", DISPOSABLE_LEAD_IDS]
    assert reasons["geo_mismatch", MISMATCH_LEAD_IDS].endswith(
        "state GB, have a phone from NG, posted from an IP in NG."
    )
    assert "every 12 s like clockwork" in reasons["machine_cadence", NIGHT_LEAD_IDS]
    assert "(Europe/London)" in reasons["off_hours", NIGHT_LEAD_IDS]


def test_only_the_publisher_with_unreachable_numbers_stands_out_on_caution(
    larger_db: Path, audit: Callable[[Path], dict[str, Any]]
) -> None:
    result = audit(larger_db)
    with sqlite3.connect(larger_db) as connection:
        # The disposable burst came through the same contract (the campaign's third).
        (unreachable,) = connection.execute(
            "SELECT publisher_id FROM leads WHERE id = ?", (DISPOSABLE_LEAD_IDS[0],)
        ).fetchone()
    publishers = [row for row in result["publishers"] if row["sub_id"] is None]
    assert all(row["leads"] >= 30 for row in publishers if row["publisher_id"] is not None)
    above = [
        row["publisher_id"] for row in publishers if row["caution_judgement"] == "above baseline"
    ]
    assert above == [unreachable]
    (row,) = (row for row in publishers if row["publisher_id"] == unreachable)
    assert row["caution_share"] > 2 * row["baseline_caution_share"] - 0.05
