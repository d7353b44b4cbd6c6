"""``python -m lib.convertr audit``: the JSON shape, the report that verifies, exit codes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from lib.audit.settings import SIGNALS
from lib.cli import main
from lib.cli.common import EXIT_COMPLETE, EXIT_FAILURE, EXIT_PARTIAL

WINDOW = ["--from", "2000-01-01", "--to", "2030-12-31"]


@pytest.fixture
def audit_env(sandbox_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    return {"LEADLENS_SANDBOX_DB": str(sandbox_db), "LEADLENS_AUDIT_DIR": str(tmp_path / "a")}


def test_json_has_the_issues_shape_and_the_report_verifies(
    audit_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.zip"
    code = main(["audit", "1", "2", *WINDOW, "--json", "--out", str(out)], env=audit_env)
    captured = capsys.readouterr()
    assert code == EXIT_COMPLETE, captured.err
    result = json.loads(captured.out)
    assert list(result) == ["campaigns", "window", "leads", "findings", "clusters", "publishers"]
    assert result["campaigns"] == [1, 2]
    assert result["window"] == {"from": "2000-01-01", "to": "2030-12-31"}
    assert result["leads"] > 0
    assert result["findings"], "the seeded sandbox has disposable and duplicate leads"
    for finding in result["findings"]:
        assert set(finding) == {"signal", "lead_ids", "reason", "strength"}
        assert finding["signal"] in SIGNALS and finding["strength"] in {"strong", "weak"}
        assert finding["lead_ids"] and finding["reason"].endswith(".")
    assert all(set(cluster) == {"lead_ids", "reason"} for cluster in result["clusters"])
    assert main(["verify", str(out)], env={}) == 0
    assert "campaigns 1, 2" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        parquet = pd.read_parquet(io.BytesIO(archive.read("findings.parquet")))
        html = archive.read("report.html").decode()
    assert {"report.html", "findings.csv", "findings.parquet", "settings.json"} <= names
    assert len(parquet) == sum(len(f["lead_ids"]) for f in result["findings"])
    assert "<script" not in html and "Campaign audit" in html


def test_a_masked_user_gets_exit_3_naming_each_signal_that_could_not_run(
    audit_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**audit_env, "CONVERTR_USERNAME": "masked@sandbox.test"}
    assert main(["audit", "1", *WINDOW, "--json"], env=env) == EXIT_PARTIAL
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "partial",
        "partial",
        "partial",
    ]
    assert {line.split(" ")[2].rstrip(":") for line in lines} == {
        "duplicate_phone",
        "ip_velocity",
        "geo_mismatch",
    }


def test_an_unknown_campaign_or_a_bad_window_is_one_line_exit_1(
    audit_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "999999", *WINDOW], env=audit_env) == EXIT_FAILURE
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["audit", "1", "--from", "2026-02-01", "--to", "2026-01-01"], env=audit_env) == 1
    assert "on or before" in capsys.readouterr().err
