"""Sign-in, tokens, roles, and the Hydra errors the sandbox answers with (bad query strings:
test_query.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lib.sandbox import DEMO_PASSWORD
from lib.sandbox.demo import PASSWORD_SIGN_IN_USERS
from tests.support.sandbox import assert_hydra_error, login, make_client


# The MFA and expired-password users sign in differently: tests/sandbox/test_login.py.
@pytest.mark.parametrize(("email", "role", "name"), PASSWORD_SIGN_IN_USERS)
def test_every_demo_user_signs_in(client: httpx.Client, email: str, role: str, name: str) -> None:
    response = client.post("/api/login", data={"username": email, "password": DEMO_PASSWORD})
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["password_expired"] is False and body["refresh_token"]
    me = client.get(
        "/api/v4/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    ).json()
    assert (me["email"], me["role"], me["name"], me["id"]) == (email, role, name, body["user_id"])


def test_bad_credentials_and_missing_fields(client: httpx.Client) -> None:
    wrong = client.post("/api/login", data={"username": "admin@sandbox.test", "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid username and password combination",
    }
    unknown = client.post("/api/login", data={"username": "who@x.test", "password": "sandbox"})
    assert unknown.json()["error"] == "invalid_grant"
    missing = client.post("/api/login", data={"username": "admin@sandbox.test"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    assert client.get("/api/login").status_code == 405


def test_requests_without_a_valid_token_are_401(client: httpx.Client) -> None:
    no_token = assert_hydra_error(client.get("/api/v4/leads"), 401)
    assert "no Bearer token" in no_token["hydra:description"]
    unknown = client.get("/api/v4/leads", headers={"Authorization": "Bearer not-a-token"})
    assert "unknown" in assert_hydra_error(unknown, 401)["hydra:description"]
    basic = client.get("/api/v4/leads", headers={"Authorization": "Basic YWRtaW46c2FuZGJveA=="})
    assert_hydra_error(basic, 401)


def test_tokens_expire_after_the_ttl(sandbox_db: Path) -> None:
    now = [1_000_000.0]
    with make_client(sandbox_db, token_ttl=60, clock=lambda: now[0]) as http:
        headers = login(http, "viewer")
        assert http.get("/api/v4/users/me", headers=headers).status_code == 200
        now[0] += 59
        assert http.get("/api/v4/users/me", headers=headers).status_code == 200
        now[0] += 1
        expired = assert_hydra_error(http.get("/api/v4/users/me", headers=headers), 401)
        assert "Expired" in expired["hydra:description"]


def test_tokens_are_stored_so_another_app_instance_accepts_them(sandbox_db: Path) -> None:
    with make_client(sandbox_db) as first, make_client(sandbox_db) as second:
        headers = login(first, "admin")
        assert second.get("/api/v4/users/me", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v4/nothing-here",
        "/api/v4/leads/abc",
        "/api/v4/leads/0",
        "/api/v4/leads/99999999999999999999999999",
        "/api/v4/campaigns/424242",
        "/api/v5/leads",
        "/",
    ],
)
def test_unknown_paths_and_ids_are_404(api: httpx.Client, path: str) -> None:
    assert_hydra_error(api.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v4/leads"),
        ("DELETE", "/api/v4/leads/100001"),
        ("PUT", "/api/v4/lead-datas/1"),
        ("PATCH", "/api/v4/campaigns/1"),
        ("POST", "/api/v4/users/me"),
    ],
)
def test_wrong_methods_are_405_with_allow(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path)
    assert_hydra_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_hostile_values_come_back_verbatim_as_json(api: httpx.Client) -> None:
    lead = api.get("/api/v4/leads/100002").json()
    assert lead["firstName"] == "<script>alert('x')</script>"
    assert lead["lastName"] == "<img src=x onerror=alert(1)>"
    assert lead["company"] == '=HYPERLINK("http://evil.example","click")'
    assert len(lead["jobTitle"]) == 5000
    assert lead["addressLine3"] == "مرحبا بالعالم 👋🏽"
    values = {data["value"] for data in lead["leadData"]}
    assert {"@SUM(1+1)", "+cmd|' /C calc'!A0"} <= values
    searched = api.get("/api/v4/leads", params={"search": "<script>"}).json()
    assert 100002 in {item["id"] for item in searched["hydra:member"]}
    like = api.get("/api/v4/leads", params={"search": "%"}).json()
    assert like["hydra:totalItems"] == 0


def test_create_app_refuses_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite"
    with pytest.raises(FileNotFoundError, match="seeded sandbox database"):
        make_client(missing)
    assert not missing.exists()
