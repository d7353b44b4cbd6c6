"""``python -m lib.convertr dossier``: JSON out, --stats, one clear line on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.convertr.cli import main


@pytest.fixture
def sandbox_env(sandbox_db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    return {"LEADLENS_SANDBOX_DB": str(sandbox_db)}


def test_dossier_to_file_with_stats(
    sandbox_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dossier.json"
    assert main(["dossier", "100001", "--out", str(out), "--stats"], env={}) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["lead"]["id"] == 100001 and data["errors"] == {}
    assert " requests (login included)" in capsys.readouterr().err


def test_unknown_lead_is_one_line_and_exit_1(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dossier", "999999999"], env={}) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "404" in captured.err
    assert "Traceback" not in captured.err


def test_unreachable_host_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    env = {
        "CONVERTR_BASE_URL": "http://127.0.0.1:9",
        "CONVERTR_USERNAME": "analyst@sandbox.test",
        "CONVERTR_PASSWORD": "wrong-pw-123",
    }
    assert main(["dossier", "100001"], env=env) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "could not connect" in err and "wrong-pw-123" not in err


def test_wrong_password_is_one_line(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"CONVERTR_PASSWORD": "wrong-pw-123"}
    assert main(["dossier", "100001"], env=env) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "rejected" in err and "wrong-pw-123" not in err


def test_subprocess_run_writes_json_to_stdout(sandbox_env: dict[str, str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONVERTR_")}
    env.update(sandbox_env)
    result = subprocess.run(
        [sys.executable, "-m", "lib.convertr", "dossier", "100003", "--stats"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["lead"]["id"] == 100003
    assert "requests" in result.stderr
