"""Sign-in beyond a password: the MFA step, an expired password, renewing with the refresh
token, and the lockout after repeated failures."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from lib.sandbox import DEMO_PASSWORD
from lib.sandbox.auth import (
    FAILED_LOGIN_WINDOW,
    LOCKOUT_SECONDS,
    MAX_FAILED_LOGINS,
    MFA_REQUIRED_STATUS,
    MFA_TOKEN_TTL,
    PASSWORD_EXPIRED_REASON,
)
from lib.sandbox.demo import (
    DEMO_USER_NOTES,
    DEMO_USERS,
    EXPIRED_PASSWORD_USER,
    MFA_USER,
    ROLE_ABILITIES,
    SANDBOX_MFA_CODE,
)
from tests.sandbox.conftest import assert_hydra_error, make_client

ME = "/api/v4/users/me"


class Clock:
    """A settable clock, so expiry and lockout windows pass without waiting."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def http(writable_db: Path, clock: Clock) -> httpx.Client:
    return make_client(writable_db, clock=clock)


def sign_in(
    http: httpx.Client, username: str, password: str = DEMO_PASSWORD, **extra: str
) -> httpx.Response:
    return http.post("/api/login", data={"username": username, "password": password, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_catalogue_lists_the_new_users_with_their_roles_and_notes() -> None:
    roles = {email: role for email, role, _name in DEMO_USERS}
    assert roles[MFA_USER] == "analyst" and roles[EXPIRED_PASSWORD_USER] == "viewer"
    assert set(ROLE_ABILITIES) == set(roles.values())
    assert set(DEMO_USER_NOTES) == {MFA_USER, EXPIRED_PASSWORD_USER}
    assert SANDBOX_MFA_CODE not in " ".join(DEMO_USER_NOTES.values())


def test_mfa_sign_in_takes_two_steps_and_the_code(http: httpx.Client) -> None:
    first = sign_in(http, MFA_USER)
    assert first.status_code == MFA_REQUIRED_STATUS == 403
    body = first.json()
    assert body["error"] == "Mfa Required" and body["error_description"]
    assert "access_token" not in body
    mfa_token = body["mfa_token"]
    wrong = sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code="000000")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "Invalid MFA code" in wrong.json()["error_description"]
    right = sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code=SANDBOX_MFA_CODE)
    assert right.status_code == 200, right.text
    assert right.json()["password_expired"] is False
    me = http.get(ME, headers=bearer(right.json()["access_token"])).json()
    assert (me["email"], me["role"]) == (MFA_USER, "analyst")
    # Single use: the same mfa_token cannot sign in twice.
    again = sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code=SANDBOX_MFA_CODE)
    assert again.status_code == 400
    assert "already used or expired" in again.json()["error_description"]


def test_an_mfa_token_is_short_lived_and_bound_to_its_user(
    http: httpx.Client, clock: Clock
) -> None:
    mfa_token = sign_in(http, MFA_USER).json()["mfa_token"]
    other_user = sign_in(http, "admin@sandbox.test", mfa_token=mfa_token, mfa_code="123456")
    assert other_user.status_code == 200  # admin has no MFA: the extra fields are ignored
    clock.now += MFA_TOKEN_TTL
    late = sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code=SANDBOX_MFA_CODE)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    half = sign_in(http, MFA_USER, mfa_token=mfa_token)
    assert half.status_code == 400 and half.json()["error"] == "invalid_request"
    assert "mfa_code" in half.json()["error_description"]
    wrong_password = sign_in(http, MFA_USER, "nope", mfa_token=mfa_token, mfa_code=SANDBOX_MFA_CODE)
    assert wrong_password.json()["error_description"] == "Invalid username and password combination"


def test_an_expired_password_gets_a_token_that_every_call_refuses(http: httpx.Client) -> None:
    answer = sign_in(http, EXPIRED_PASSWORD_USER)
    assert answer.status_code == 200
    body = answer.json()
    assert body["password_expired"] is True and body["access_token"]
    headers = bearer(body["access_token"])
    for path in (ME, "/api/v4/leads", "/api/v4/campaigns/1"):
        refused = assert_hydra_error(http.get(path, headers=headers), 403)
        assert refused["hydra:description"] == PASSWORD_EXPIRED_REASON
        assert "must be changed" in refused["hydra:description"]
    post = http.post("/api/v4/lead-datas", headers=headers, json={})
    assert_hydra_error(post, 403)
    # Signing out stays possible.
    assert http.post("/api/logout", headers=headers).status_code == 204


def test_the_refresh_token_renews_and_rotates(http: httpx.Client, clock: Clock) -> None:
    first = sign_in(http, "analyst@sandbox.test").json()
    clock.now += 3000
    renewed = http.post(
        "/api/login", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["expires_in"] == 3600 and second["user_id"] == first["user_id"]
    clock.now += 1000  # the first token has expired, the renewed one has not
    assert_hydra_error(http.get(ME, headers=bearer(first["access_token"])), 401)
    assert http.get(ME, headers=bearer(second["access_token"])).status_code == 200
    reused = http.post(
        "/api/login", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    bad_grant = http.post("/api/login", data={"grant_type": "client_credentials"})
    assert bad_grant.json()["error"] == "unsupported_grant_type"
    no_token = http.post("/api/login", data={"grant_type": "refresh_token"})
    assert no_token.json()["error"] == "invalid_request"


def test_a_logout_ends_renewal_too(http: httpx.Client) -> None:
    first = sign_in(http, "viewer@sandbox.test").json()
    assert http.post("/api/logout", headers=bearer(first["access_token"])).status_code == 204
    renewed = http.post(
        "/api/login", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert renewed.status_code == 400 and "revoked" in renewed.json()["error_description"]


def test_repeated_failures_lock_the_account_with_retry_after(
    http: httpx.Client, clock: Clock
) -> None:
    user = "analyst@sandbox.test"
    for _ in range(MAX_FAILED_LOGINS):
        assert sign_in(http, user, "wrong").json()["error"] == "invalid_grant"
        clock.now += 10
    locked = sign_in(http, user)  # even the right password waits
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"
    retry_after = int(locked.headers["Retry-After"])
    assert retry_after == LOCKOUT_SECONDS - 10
    assert f"{retry_after} seconds" in locked.json()["error_description"]
    assert sign_in(http, user.upper()).status_code == 429  # the same account in any case
    assert sign_in(http, "admin@sandbox.test").status_code == 200  # other accounts unaffected
    clock.now += retry_after
    assert sign_in(http, user).status_code == 200


def test_a_success_resets_the_count_and_old_failures_expire(
    http: httpx.Client, clock: Clock
) -> None:
    user = "viewer@sandbox.test"
    for _ in range(MAX_FAILED_LOGINS - 1):
        sign_in(http, user, "wrong")
    assert sign_in(http, user).status_code == 200
    for _ in range(MAX_FAILED_LOGINS - 1):
        sign_in(http, user, "wrong")
    clock.now += FAILED_LOGIN_WINDOW
    sign_in(http, user, "wrong")  # the earlier ones fell out of the window
    assert sign_in(http, user).status_code == 200


def test_wrong_mfa_codes_count_towards_the_lockout(http: httpx.Client) -> None:
    mfa_token = sign_in(http, MFA_USER).json()["mfa_token"]
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code="111111")
    locked = sign_in(http, MFA_USER, mfa_token=mfa_token, mfa_code=SANDBOX_MFA_CODE)
    assert locked.status_code == 429


def test_unknown_accounts_lock_like_known_ones(http: httpx.Client) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(http, "nobody@sandbox.test", "wrong")
    assert sign_in(http, "nobody@sandbox.test", "wrong").status_code == 429


def test_overlong_fields_are_refused(http: httpx.Client) -> None:
    long_name = sign_in(http, "a" * 10_000 + "@sandbox.test")
    assert long_name.status_code == 400
    assert long_name.json()["error"] == "invalid_request"
    assert "username: expected at most 254 characters" in long_name.json()["error_description"]
    long_password = sign_in(http, "admin@sandbox.test", "p" * 100_000)
    assert long_password.status_code == 413  # the body passed its limit before the field did
    assert long_password.json()["error"] == "invalid_request"


def test_a_burst_of_concurrent_wrong_passwords_gets_exactly_the_allowed_guesses(
    writable_db: Path,
) -> None:
    # Counting and checking in one transaction: twenty guesses racing past the lock check
    # would each be answered "wrong password" and so tell the attacker more than five times.
    app_client = make_client(writable_db)
    start = threading.Barrier(20)

    def guess(n: int) -> int:
        start.wait()
        return sign_in(app_client, "analyst@sandbox.test", f"wrong-{n}").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert statuses.count(400) == MAX_FAILED_LOGINS
    assert statuses.count(429) == 20 - MAX_FAILED_LOGINS


def test_a_refresh_grant_is_refused_while_the_account_is_locked(
    http: httpx.Client, clock: Clock
) -> None:
    user = "analyst@sandbox.test"
    refresh_token = sign_in(http, user).json()["refresh_token"]
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(http, user, "wrong")
    grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    locked = http.post("/api/login", data=grant)
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) == LOCKOUT_SECONDS
    clock.now += LOCKOUT_SECONDS
    assert http.post("/api/login", data=grant).status_code == 200  # kept, not revoked
