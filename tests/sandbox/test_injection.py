"""Latency and failure injection for /api/v4/* (never for login)."""

from __future__ import annotations

from pathlib import Path

from tests.support.sandbox import login, make_client


def test_latency_is_added_to_api_requests_but_not_to_login(sandbox_db: Path) -> None:
    slept: list[float] = []
    with make_client(sandbox_db, latency_ms=250, sleep=slept.append) as http:
        headers = login(http, "viewer")
        assert slept == []
        assert http.get("/api/v4/campaigns", headers=headers).status_code == 200
        assert http.get("/api/v4/nothing", headers=headers).status_code == 404
    assert slept == [0.25, 0.25]


def test_fail_rate_answers_503_with_retry_after(sandbox_db: Path) -> None:
    with make_client(sandbox_db, fail_rate=0.5, rng_seed=1) as http:
        headers = login(http, "viewer")  # login is never failed
        statuses = [http.get("/api/v4/campaigns", headers=headers).status_code for _ in range(40)]
        failed = http.get("/api/v4/campaigns", headers=headers)
        while failed.status_code != 503:
            failed = http.get("/api/v4/campaigns", headers=headers)
    assert set(statuses) == {200, 503}
    assert 8 <= statuses.count(503) <= 32
    assert failed.headers["Retry-After"] == "1"
    assert failed.json()["@type"] == "hydra:Error"


def test_fail_rate_one_fails_everything_but_login(sandbox_db: Path) -> None:
    with make_client(sandbox_db, fail_rate=1.0) as http:
        headers = login(http, "admin")
        for _ in range(5):
            assert http.get("/api/v4/users/me", headers=headers).status_code == 503


def test_same_seed_same_failures(sandbox_db: Path) -> None:
    def pattern() -> list[int]:
        with make_client(sandbox_db, fail_rate=0.3, rng_seed=9) as http:
            headers = login(http, "viewer")
            return [http.get("/api/v4/publishers", headers=headers).status_code for _ in range(20)]

    assert pattern() == pattern()
