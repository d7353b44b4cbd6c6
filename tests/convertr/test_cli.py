"""``python -m lib.convertr dossier``: JSON out, --stats, one clear line on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from lib.convertr import cli as cli_module
from lib.convertr import client as client_module
from lib.convertr.cli import main
from lib.convertr.errors import ConvertrError


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


def test_hints_that_contradict_the_lead_are_dropped(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    right, wrong = tmp_path / "right.json", tmp_path / "wrong.json"
    assert main(["dossier", "100001", "--out", str(right)], env={}) == 0
    campaign_id = json.loads(right.read_text(encoding="utf-8"))["campaign"]["id"]
    hints = ["--campaign", str(campaign_id + 1), "--email", "someone.else@example.com"]
    assert main(["dossier", "100001", "--out", str(wrong), *hints], env={}) == 0
    assert json.loads(wrong.read_text(encoding="utf-8")) == json.loads(
        right.read_text(encoding="utf-8")
    )


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


def test_an_address_that_is_not_an_api_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def web_site(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, text="<h1>File not found</h1>", headers={"content-type": "text/html"}
        )

    monkeypatch.setattr(client_module, "network_transport", lambda: httpx.MockTransport(web_site))
    for env in (
        {"CONVERTR_USERNAME": "analyst@sandbox.test", "CONVERTR_PASSWORD": "wrong-pw-123"},
        {"CONVERTR_TOKEN": "secret-token-456"},
    ):
        env["CONVERTR_BASE_URL"] = "https://www.example.test"
        assert main(["dossier", "100001"], env=env) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1
        assert "is this the address of a Convertr v4 API?" in err
        assert "wrong-pw-123" not in err and "secret-token-456" not in err


def test_a_message_over_several_lines_is_printed_on_one(
    sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_: object) -> None:
        raise ConvertrError("POST /api/v4/lead-datas: name: too long\nvalue: too long")

    monkeypatch.setattr(cli_module, "load_dossier", refuse)
    assert main(["dossier", "100001"], env={}) == 1
    assert capsys.readouterr().err == (
        "error: POST /api/v4/lead-datas: name: too long value: too long\n"
    )


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
