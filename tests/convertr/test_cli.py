"""``python -m lib.cli dossier`` (alias ``python -m lib.convertr``): JSON out, --stats, exit
codes, one clear line on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from lib.cli import dossier as dossier_command
from lib.cli import main
from lib.cli.common import EXIT_PARTIAL
from lib.connect import injected, sandbox_transport
from lib.convertr import ClientConfig
from lib.convertr.errors import ConvertrError
from tests.support.fault_servers import SERVER_LIFETIME, FaultServer, stall
from tests.support.recording import RecordingTransport


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


def test_an_address_that_is_not_an_api_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def web_site(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, text="<h1>File not found</h1>", headers={"content-type": "text/html"}
        )

    with injected(lambda _config: httpx.MockTransport(web_site)):
        _every_answer_is_one_line(capsys)


def _every_answer_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
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

    monkeypatch.setattr(dossier_command, "load_dossier", refuse)
    assert main(["dossier", "100001"], env={}) == 1
    assert capsys.readouterr().err == (
        "error: POST /api/v4/lead-datas: name: too long value: too long\n"
    )


@pytest.mark.slow
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


# -- exit codes and faults ---------------------------------------------------------------------


Answer = Callable[[httpx.Request], httpx.Response | None]


@pytest.fixture
def faulty(sandbox_db: Path) -> Iterator[list[Answer]]:
    """The CLI's clients talk to the in-process sandbox through the answer the test puts in
    the list (it returns a failure, or None to let the sandbox answer)."""
    answers: list[Answer] = []

    def fail(request: httpx.Request) -> httpx.Response | None:
        return answers[0](request) if answers else None

    def transport(_config: ClientConfig) -> httpx.BaseTransport:
        return RecordingTransport(sandbox_transport(sandbox_db), fail=fail)

    with injected(transport):
        yield answers


def _broken_gzip() -> httpx.Response:
    return httpx.Response(
        200,
        headers={"content-type": "application/ld+json", "content-encoding": "gzip"},
        content=b"not gzip",
    )


def test_a_partial_dossier_exits_3_naming_each_failed_part(
    sandbox_env: dict[str, str],
    faulty: list[Answer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fail(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/v4/lead-notes":
            return _broken_gzip()
        if request.url.params.get("type") == "provider":
            return httpx.Response(200, text="<html/>", headers={"content-type": "text/html"})
        return None

    faulty.append(fail)
    assert main(["dossier", "100001"], env={}) == EXIT_PARTIAL == 3
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["lead"]["id"] == 100001 and sorted(data["errors"]) == ["notes", "provider_logs"]
    lines = sorted(captured.err.splitlines())
    assert len(lines) == 2
    assert lines[0].startswith("partial: notes: GET /api/v4/lead-notes: expected a body that ")
    assert lines[1].startswith("partial: provider_logs: GET /api/v4/logs: expected JSON, got ")


def test_a_complete_dossier_exits_0_and_prints_nothing_on_stderr(
    sandbox_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dossier", "100001"], env={}) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "answer",
    [
        _broken_gzip,
        lambda: httpx.Response(
            200,
            headers={"content-type": "application/json"},
            content=b"[" * 100_000 + b"]" * 100_000,
        ),
    ],
    ids=["broken gzip", "deep JSON"],
)
def test_a_lead_that_cannot_be_decoded_is_one_line_and_exit_1(
    sandbox_env: dict[str, str],
    faulty: list[Answer],
    capsys: pytest.CaptureFixture[str],
    answer: Callable[[], httpx.Response],
) -> None:
    def fail(request: httpx.Request) -> httpx.Response | None:
        return answer() if request.url.path == "/api/v4/leads/100001" else None

    faulty.append(fail)
    assert main(["dossier", "100001"], env={}) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: GET /api/v4/leads/100001: ")
    assert captured.err.count("\n") == 1


def test_a_bug_is_one_line_and_exit_1(
    sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> None:
        raise KeyError("lead_id")

    monkeypatch.setattr(dossier_command, "load_dossier", broken)
    assert main(["dossier", "100001"], env={}) == 1
    assert capsys.readouterr().err == "error: unexpected KeyError: 'lead_id'\n"


def test_a_bad_deadline_setting_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dossier", "100001"], env={"CONVERTR_REQUEST_DEADLINE": "soon"}) == 1
    assert capsys.readouterr().err == (
        "error: expected CONVERTR_REQUEST_DEADLINE as a number of seconds above 0, got 'soon'\n"
    )


@pytest.mark.slow
def test_subprocess_against_a_stalled_server_ends_at_the_deadline() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONVERTR_")}
    with FaultServer(stall) as server:
        env.update(
            CONVERTR_BASE_URL=server.url,
            CONVERTR_TOKEN="tok-cli-stall",
            CONVERTR_REQUEST_DEADLINE="1",
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "lib.convertr", "dossier", "1"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "did not answer within the 1 s request deadline" in result.stderr
    # The message says the deadline ended it; without one the client waits for the stalled
    # server to close (after SERVER_LIFETIME). Interpreter start-up is included, which takes
    # seconds on a loaded machine: the bound is the server's lifetime, not a guess at speed.
    assert elapsed < SERVER_LIFETIME
