"""Signing a person in, against a fake server (httpx.MockTransport): the MFA step, expired
passwords, throttled and locked accounts, renewal with the refresh token, signing out, the
sign-in state machine (`lib.convertr.session`), the access settings, and no secret anywhere."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs

import httpx
import pytest

from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr import session as signin
from lib.convertr.config import AccessSettings
from lib.convertr.constants import TOKEN_RENEWAL_MARGIN
from lib.convertr.errors import (
    AccountLockedError,
    ConfigurationError,
    ConvertrError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    LoginThrottledError,
    MfaRequiredError,
    PasswordExpiredError,
    SessionExpiredError,
)
from tests.convertr.fakes import BASE_URL, FakeApi, Handler, Sleeps, lead

LEAD_PATH = "/api/v4/leads/100001"
ME_PATH = "/api/v4/users/me"
EMAIL = "ana@acme.test"
PASSWORD = "pw-Person-Secret-4"
MFA_TOKEN = "mfa-tok-77aa88bb"
MFA_CODE = "123456"
ACCESS = "tok-person-1a2b3c"
RENEWED = "tok-renewed-4d5e6f"
REFRESH = "refresh-9f8e7d6c"
SECRETS = (PASSWORD, MFA_TOKEN, MFA_CODE, ACCESS, RENEWED, REFRESH)
USER = {
    "@id": "/api/v4/users/2",
    "@type": "User",
    "id": 2,
    "email": EMAIL,
    "name": "Ana Lyst",
    "role": "analyst",
    "permissions": ["leads.view"],
}


def form(request: httpx.Request) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.content.decode()).items()}


def login_answer(token: str = ACCESS, *, refresh: str | None = REFRESH) -> httpx.Response:
    body: dict[str, object] = {
        "access_token": token,
        "expires_in": 3600,
        "token_type": "bearer",
        "user_id": 2,
        "password_expired": False,
    }
    if refresh is not None:
        body["refresh_token"] = refresh
    return httpx.Response(200, json=body)


class Enterprise(FakeApi):
    """A fake enterprise: ``ana`` has MFA on when ``mfa`` is set; the refresh grant works
    when ``refresh_works`` is set; ``/api/users/me`` and a lead answer any known token."""

    def __init__(self, *, mfa: bool = False, refresh_works: bool = True) -> None:
        super().__init__()
        self.mfa = mfa
        self.refresh_works = refresh_works
        self.route("POST", "/api/login", self.login)
        self.route("GET", ME_PATH, self.authorised(lambda: httpx.Response(200, json=USER)))
        self.route("GET", LEAD_PATH, self.authorised(lambda: httpx.Response(200, json=lead())))
        self.route("POST", "/api/logout", self.authorised(lambda: httpx.Response(204)))
        self.valid = {ACCESS, RENEWED}

    def authorised(self, answer: Callable[[], httpx.Response]) -> Handler:
        def handler(request: httpx.Request) -> httpx.Response:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.valid:
                return httpx.Response(401, json={"code": 401, "message": "Expired JWT Token"})
            return answer()

        return handler

    def login(self, request: httpx.Request) -> httpx.Response:
        sent = form(request)
        if sent.get("grant_type") == "refresh_token":
            if self.refresh_works and sent.get("refresh_token") == REFRESH:
                return login_answer(RENEWED)
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Invalid refresh token"}
            )
        if sent.get("username") != EMAIL or sent.get("password") != PASSWORD:
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Invalid credentials"}
            )
        if self.mfa and "mfa_code" not in sent:
            return httpx.Response(
                200,
                json={
                    "error": "Mfa Required",
                    "error_description": "Enter your code",
                    "mfa_token": MFA_TOKEN,
                },
            )
        if self.mfa and (sent.get("mfa_token") != MFA_TOKEN or sent.get("mfa_code") != MFA_CODE):
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Invalid MFA code"}
            )
        return login_answer()


def person_client(api: FakeApi, now: list[float] | None = None) -> ConvertrClient:
    """A visitor's client: where the API is, and no credentials of its own."""
    clock = now if now is not None else [0.0]
    return ConvertrClient(
        ClientConfig(base_url=BASE_URL),
        transport=httpx.MockTransport(api),
        sleep=Sleeps(),
        clock=lambda: clock[0],
        max_retries=0,
    )


def test_sign_in_holds_the_token_and_keeps_no_password() -> None:
    api = Enterprise()
    client = person_client(api)
    client.sign_in(EMAIL, PASSWORD)
    assert client.lead(100001).id == 100001
    assert api.calls("GET", LEAD_PATH)[0].headers["authorization"] == f"Bearer {ACCESS}"
    assert client.signed_in_as == EMAIL
    assert PASSWORD not in repr(client.__dict__)


def test_a_client_nobody_signed_in_to_says_so() -> None:
    with pytest.raises(ConfigurationError):
        person_client(Enterprise()).lead(100001)


def test_mfa_is_a_step_whose_second_half_posts_the_same_form_with_token_and_code() -> None:
    api = Enterprise(mfa=True)
    client = person_client(api)
    with pytest.raises(MfaRequiredError) as caught:
        client.sign_in(EMAIL, PASSWORD)
    challenge = caught.value.challenge
    assert challenge is not None and challenge.username == EMAIL
    assert challenge.description == "Enter your code"
    client.sign_in_with_mfa(challenge, MFA_CODE)
    second = form(api.calls("POST", "/api/login")[1])
    assert second == {
        "username": EMAIL,
        "password": PASSWORD,
        "mfa_token": MFA_TOKEN,
        "mfa_code": MFA_CODE,
    }
    assert client.lead(100001).id == 100001


def test_a_wrong_mfa_code_is_its_own_error() -> None:
    api = Enterprise(mfa=True)
    client = person_client(api)
    with pytest.raises(MfaRequiredError) as caught:
        client.sign_in(EMAIL, PASSWORD)
    assert caught.value.challenge is not None
    with pytest.raises(InvalidMfaCodeError):
        client.sign_in_with_mfa(caught.value.challenge, "000000")


def test_mfa_required_again_on_the_second_step_is_a_wrong_code() -> None:
    api = FakeApi()
    api.route(
        "POST",
        "/api/login",
        lambda _: httpx.Response(200, json={"error": "Mfa Required", "mfa_token": MFA_TOKEN}),
    )
    client = person_client(api)
    with pytest.raises(MfaRequiredError) as caught:
        client.sign_in(EMAIL, PASSWORD)
    assert caught.value.challenge is not None
    with pytest.raises(InvalidMfaCodeError):
        client.sign_in_with_mfa(caught.value.challenge, "111111")


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (
            httpx.Response(
                200, json={"access_token": "x", "expires_in": 3600, "password_expired": True}
            ),
            PasswordExpiredError,
        ),
        (
            httpx.Response(400, json={"error": "invalid_grant", "error_description": "no"}),
            InvalidCredentialsError,
        ),
        (
            httpx.Response(423, json={"error": "account_locked", "error_description": "locked"}),
            AccountLockedError,
        ),
        (
            httpx.Response(
                429, json={"error": "too_many_attempts"}, headers={"Retry-After": "300"}
            ),
            LoginThrottledError,
        ),
    ],
)
def test_each_refusal_is_its_own_error(answer: httpx.Response, error_class: type) -> None:
    api = FakeApi()
    api.route("POST", "/api/login", lambda _: answer)
    with pytest.raises(error_class):
        person_client(api).sign_in(EMAIL, PASSWORD)
    assert len(api.calls("POST", "/api/login")) == 1, "a sign-in is never resent"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), (None, None), ("soon", None)],
)
def test_throttling_says_how_long_to_wait(header: str | None, expected: float | None) -> None:
    api = FakeApi()
    headers = {"Retry-After": header} if header is not None else {}
    api.route("POST", "/api/login", lambda _: httpx.Response(429, json={}, headers=headers))
    with pytest.raises(LoginThrottledError) as caught:
        person_client(api).sign_in(EMAIL, PASSWORD)
    assert caught.value.retry_after == expected


def test_throttling_until_an_http_date() -> None:
    until = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    api = FakeApi()
    api.route("POST", "/api/login", lambda _: httpx.Response(429, headers={"Retry-After": until}))
    with pytest.raises(LoginThrottledError) as caught:
        person_client(api).sign_in(EMAIL, PASSWORD)
    assert caught.value.retry_after is not None and 580 < caught.value.retry_after <= 600


def test_the_refresh_token_renews_before_expiry_without_the_password() -> None:
    api, now = Enterprise(), [0.0]
    client = person_client(api, now)
    client.sign_in(EMAIL, PASSWORD)
    now[0] = 3600 - TOKEN_RENEWAL_MARGIN + 1
    client.authenticate()
    renewal = form(api.calls("POST", "/api/login")[1])
    assert renewal == {"grant_type": "refresh_token", "refresh_token": REFRESH}
    client.lead(100001)
    assert api.calls("GET", LEAD_PATH)[0].headers["authorization"] == f"Bearer {RENEWED}"


def test_without_renewal_the_token_serves_until_it_ends_then_the_person_must_sign_in() -> None:
    api, now = Enterprise(refresh_works=False), [0.0]
    client = person_client(api, now)
    client.sign_in(EMAIL, PASSWORD)
    now[0] = 3600 - 1  # inside the renewal margin: renewal refused, the token still serves
    assert client.lead(100001).id == 100001
    now[0] = 3600 + 1
    with pytest.raises(SessionExpiredError):
        client.lead(100001)


def test_a_401_renews_with_the_refresh_token_and_resends() -> None:
    api = Enterprise()
    client = person_client(api)
    client.sign_in(EMAIL, PASSWORD)
    api.valid = {RENEWED}  # the server dropped the first token early
    assert client.lead(100001).id == 100001
    assert [r.headers["authorization"] for r in api.calls("GET", LEAD_PATH)] == [
        f"Bearer {ACCESS}",
        f"Bearer {RENEWED}",
    ]


def test_sign_out_ends_the_token_on_the_server_and_forgets_it() -> None:
    api = Enterprise()
    client = person_client(api)
    client.sign_in(EMAIL, PASSWORD)
    assert client.sign_out() is True
    (logout,) = api.calls("POST", "/api/logout")
    assert logout.headers["authorization"] == f"Bearer {ACCESS}"
    with pytest.raises(ConvertrError):
        client.lead(100001)
    assert api.calls("GET", LEAD_PATH) == [], "the forgotten token is never sent again"


@pytest.mark.parametrize("answer", [httpx.Response(404, json={}), httpx.ConnectError("down")])
def test_sign_out_without_a_logout_endpoint_or_server_still_forgets(
    answer: httpx.Response | Exception,
) -> None:
    api = Enterprise()

    def logout(_: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    api.route("POST", "/api/logout", logout)
    client = person_client(api)
    client.sign_in(EMAIL, PASSWORD)
    assert client.sign_out() is False
    assert client.signed_in_as is None


# -- the state machine -----------------------------------------------------------------------


def test_states_from_password_through_code_to_signed_in() -> None:
    api = Enterprise(mfa=True)
    state = signin.attempt_sign_in(person_client(api), EMAIL, PASSWORD, clock=lambda: 5.0)
    assert isinstance(state, signin.AwaitingCode)
    wrong = signin.attempt_code(state, "999999", clock=lambda: 6.0)
    assert isinstance(wrong, signin.AwaitingCode) and wrong.problem is not None
    assert isinstance(wrong.problem.error, InvalidMfaCodeError) and wrong.problem.at == 6.0
    right = signin.attempt_code(wrong, f" {MFA_CODE} ")
    assert isinstance(right, signin.SignedIn)
    assert right.identity.user.email == EMAIL and right.identity.source == BASE_URL


def test_a_failed_sign_in_keeps_the_email_and_says_why() -> None:
    state = signin.attempt_sign_in(person_client(Enterprise()), f" {EMAIL} ", "wrong")
    assert isinstance(state, signin.SignedOut) and state.email == EMAIL
    assert state.problem is not None and isinstance(state.problem.error, InvalidCredentialsError)


def test_cache_keys_are_per_person_source_and_role_and_hold_no_secret() -> None:
    first = signin.attempt_sign_in(person_client(Enterprise()), EMAIL, PASSWORD)
    second = signin.attempt_sign_in(person_client(Enterprise()), EMAIL, PASSWORD)
    assert isinstance(first, signin.SignedIn) and isinstance(second, signin.SignedIn)
    keys = (first.identity.cache_key, second.identity.cache_key)
    assert keys[0] == keys[1], "the same person's next session reuses their entries"
    assert all("user:2" in key and BASE_URL in key for key in keys)
    assert not any(secret in key for key in keys for secret in SECRETS)
    user = first.identity.user
    other_role = signin.new_cache_key(BASE_URL, user.model_copy(update={"role": "x"}), shared=False)
    other_person = signin.new_cache_key(BASE_URL, user.model_copy(update={"id": 3}), shared=False)
    elsewhere = signin.new_cache_key("https://other.cvtr.io", user, shared=False)
    assert len({keys[0], other_role, other_person, elsewhere}) == 4


def test_the_same_person_renewing_an_expired_session_keeps_their_cache_key() -> None:
    api, now = Enterprise(refresh_works=False), [0.0]
    state = signin.attempt_sign_in(person_client(api, now), EMAIL, PASSWORD)
    assert isinstance(state, signin.SignedIn)
    now[0] = 3600 + 1
    expired = signin.check(state)
    assert isinstance(expired, signin.SessionExpired)
    again = signin.attempt_sign_in(person_client(api), EMAIL, PASSWORD, previous=expired.identity)
    assert isinstance(again, signin.SignedIn)
    assert again.identity.cache_key == state.identity.cache_key
    refused = signin.attempt_sign_in(person_client(api), EMAIL, "bad", previous=expired.identity)
    assert isinstance(refused, signin.SessionExpired), "still the same person's expired session"


def test_signing_out_tells_the_server() -> None:
    api = Enterprise()
    state = signin.attempt_sign_in(person_client(api), EMAIL, PASSWORD)
    assert signin.sign_out(state, "idle") == signin.SignedOut(reason="idle")
    assert len(api.calls("POST", "/api/logout")) == 1


# -- settings --------------------------------------------------------------------------------


def test_shared_login_only_when_said_so() -> None:
    assert AccessSettings.from_env({}).shared_login is False
    assert AccessSettings.from_env({"CONVERTR_SHARED_LOGIN": "true"}).shared_login is True
    assert AccessSettings.from_env({}, {"CONVERTR_SHARED_LOGIN": True}).shared_login is True
    env = {"CONVERTR_SHARED_LOGIN": "no"}
    assert AccessSettings.from_env(env, {"CONVERTR_SHARED_LOGIN": True}).shared_login is False
    with pytest.raises(ConfigurationError, match="expected true or false, got 'maybe'"):
        AccessSettings.from_env({"CONVERTR_SHARED_LOGIN": "maybe"})


def test_idle_timeout_minutes() -> None:
    assert AccessSettings.from_env({}).idle_timeout_minutes == 30
    env = {"CONVERTR_IDLE_TIMEOUT_MINUTES": "5"}
    assert AccessSettings.from_env(env).idle_timeout_minutes == 5
    with pytest.raises(ConfigurationError, match="number of minutes above 0"):
        AccessSettings.from_env({"CONVERTR_IDLE_TIMEOUT_MINUTES": "0"})


def test_a_base_url_alone_is_enough_for_visitors_but_not_for_the_cli() -> None:
    env = {"CONVERTR_BASE_URL": "acme.cvtr.io"}
    config = ClientConfig.from_env(env, credentials_required=False)
    assert config.base_url == "https://acme.cvtr.io" and config.username is None
    with pytest.raises(ConfigurationError):
        ClientConfig.from_env(env)


# -- secrets ---------------------------------------------------------------------------------


def test_no_secret_in_errors_reprs_pickles_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    api = Enterprise(mfa=True)
    client = person_client(api)
    try:
        client.sign_in(EMAIL, PASSWORD)
    except MfaRequiredError as error:
        assert error.challenge is not None
        shown += [str(error), repr(error), repr(error.challenge), error.user_message]
        shown.append(str(pickle.loads(pickle.dumps(error)).__dict__.get("message")))
        try:
            client.sign_in_with_mfa(error.challenge, "654321")
        except InvalidMfaCodeError as wrong:
            shown += [str(wrong), repr(wrong)]
        state = signin.attempt_sign_in(person_client(api), EMAIL, PASSWORD)
        assert isinstance(state, signin.AwaitingCode)
        shown.append(repr(state))
        done = signin.attempt_code(state, MFA_CODE)
        shown.append(repr(done))
        client.sign_in_with_mfa(error.challenge, MFA_CODE)
    client.sign_out()
    shown.append(repr(client))
    shown.append(caplog.text)
    leaked = [secret for secret in SECRETS for text in shown if secret in text]
    assert leaked == []
    assert EMAIL in " ".join(shown), "the texts do say who"
