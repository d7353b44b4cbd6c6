"""The client against a fake server (httpx.MockTransport): retries, auth, errors, paging."""

from __future__ import annotations

import logging
import pickle
import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from lib.convertr import ClientConfig, load_dossier
from lib.convertr.constants import (
    MAX_RETRY_DELAY,
    MAX_TOTAL_RETRY_DELAY,
    RETRY_BACKOFF_FACTOR,
    TOKEN_RENEWAL_MARGIN,
)
from lib.convertr.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectError,
    ConvertrError,
    InvalidCredentialsError,
    MfaRequiredError,
    NotFoundError,
    PaginationError,
    PasswordExpiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    ValidationError,
    Violation,
)
from lib.convertr.models import Lead, LeadNote, Page
from tests.support.fakes import (
    BASE_URL,
    FIRST_TOKEN,
    PASSWORD,
    READY_TOKEN,
    SECOND_TOKEN,
    SECRETS,
    FakeApi,
    Sleeps,
    hydra,
    hydra_error,
    lead,
    make_client,
)

LEAD_PATH = "/api/v4/leads/100001"
PATIENT_CONFIG = ClientConfig(
    base_url=BASE_URL, username="ana@acme.test", password=SecretStr(PASSWORD), request_deadline=7200
)
"""A request deadline beyond every pause, to test the retry caps on their own (the deadline's
own limits are tested in test_faults)."""


def _sequence(*responses: httpx.Response | Exception) -> Any:
    """A handler answering with each response in turn (the last one repeats)."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_get_is_retried_on_503_with_growing_capped_backoff() -> None:
    api, sleeps = FakeApi(), Sleeps()
    api.route(
        "GET",
        LEAD_PATH,
        _sequence(
            hydra_error(503, "busy"), hydra_error(503, "busy"), httpx.Response(200, json=lead())
        ),
    )
    client = make_client(api, sleep=sleeps)

    assert client.lead(100001).id == 100001
    assert len(api.calls("GET", LEAD_PATH)) == 3
    assert len(sleeps) == 2
    assert all(0 <= delay <= MAX_RETRY_DELAY for delay in sleeps)
    assert client.request_count == 4  # login + 3 attempts


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        # The top of each jitter range: the wait doubles up to its cap, and all the waits
        # together stop at their own cap (1 + 2 + 4 + 8 + 10, then the 5 s left of 30).
        (
            "high",
            [
                *(RETRY_BACKOFF_FACTOR * 2**n for n in (1, 2, 3, 4)),
                MAX_RETRY_DELAY,
                MAX_TOTAL_RETRY_DELAY - 25.0,
            ],
        ),
        # The bottom: full jitter reaches down to no wait at all.
        ("low", [0.0] * 6),
    ],
)
def test_backoff_doubles_up_to_the_cap_with_full_jitter(
    monkeypatch: pytest.MonkeyPatch, draw: str, expected: list[float]
) -> None:
    monkeypatch.setattr(
        random,
        "uniform",
        lambda low, high: high if draw == "high" else low,
    )
    api, sleeps = FakeApi(), Sleeps()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(503, "busy"))
    with pytest.raises(ServerError):
        make_client(api, sleep=sleeps, max_retries=6, config=PATIENT_CONFIG).lead(100001)
    assert sleeps == expected


def test_retries_give_up_with_server_error() -> None:
    api, sleeps = FakeApi(), Sleeps()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(502, "bad gateway"))
    client = make_client(api, sleep=sleeps, max_retries=3)

    with pytest.raises(ServerError) as caught:
        client.lead(100001)
    assert len(api.calls("GET", LEAD_PATH)) == 4
    assert len(sleeps) == 3
    assert caught.value.status == 502
    assert caught.value.path == LEAD_PATH


def test_retry_after_header_sets_the_wait() -> None:
    api, sleeps = FakeApi(), Sleeps()
    limited = httpx.Response(429, headers={"Retry-After": "7"}, json={})
    api.route("GET", LEAD_PATH, _sequence(limited, httpx.Response(200, json=lead())))
    client = make_client(api, sleep=sleeps)

    client.lead(100001)
    assert sleeps == [7.0]


def test_retry_after_is_capped() -> None:
    api, sleeps = FakeApi(), Sleeps()
    limited = httpx.Response(429, headers={"Retry-After": "3600"}, json={})
    api.route("GET", LEAD_PATH, _sequence(limited, httpx.Response(200, json=lead())))
    make_client(api, sleep=sleeps, config=PATIENT_CONFIG).lead(100001)
    assert sleeps == [MAX_RETRY_DELAY]


def test_rate_limit_error_after_retries() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(429, "slow down"))
    with pytest.raises(RateLimitError):
        make_client(api, max_retries=1).lead(100001)
    assert len(api.calls("GET", LEAD_PATH)) == 2


def test_connection_errors_are_retried() -> None:
    api = FakeApi()
    refused = httpx.ConnectError("connection refused")
    api.route("GET", LEAD_PATH, _sequence(refused, refused, httpx.Response(200, json=lead())))
    client = make_client(api)
    assert client.lead(100001).first_name == "Ada"
    assert len(api.calls("GET", LEAD_PATH)) == 3


def test_connection_error_when_retries_run_out() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, _sequence(httpx.ConnectError("Name or service not known")))
    with pytest.raises(ConnectError) as caught:
        make_client(api, max_retries=2).lead(100001)
    assert "could not connect" in str(caught.value)
    assert len(api.calls("GET", LEAD_PATH)) == 3


def test_timeout_becomes_request_timeout_error() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, _sequence(httpx.ReadTimeout("slow")))
    with pytest.raises(RequestTimeoutError):
        make_client(api, max_retries=0).lead(100001)


def _refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def _time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (lambda _: hydra_error(503, "busy"), ServerError),
        (lambda _: hydra_error(429, "slow down"), RateLimitError),
        (_refuse_connection, ConnectError),
        (_time_out, RequestTimeoutError),
    ],
)
def test_post_is_never_resent(answer: Any, error_class: type[ConvertrError]) -> None:
    api, sleeps = FakeApi(), Sleeps()
    api.route("POST", "/api/v4/lead-datas", answer)
    client = make_client(api, sleep=sleeps)
    with pytest.raises(error_class):
        client.save_lead_data(100001, "jobTitle", "CTO")
    assert len(api.calls("POST", "/api/v4/lead-datas")) == 1
    assert sleeps == []


def test_login_is_not_retried_on_server_errors() -> None:
    api = FakeApi()
    api.route("POST", "/api/login", lambda _: hydra_error(503, "busy"))
    with pytest.raises(ServerError):
        make_client(api).lead(100001)
    assert len(api.calls("POST", "/api/login")) == 1


def test_login_is_form_encoded_and_token_sent_as_bearer() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead()))
    make_client(api).lead(100001)
    login = api.calls("POST", "/api/login")[0]
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"username=ana%40acme.test" in login.content
    get = api.calls("GET", LEAD_PATH)[0]
    assert get.headers["authorization"] == f"Bearer {FIRST_TOKEN}"
    assert PASSWORD not in str(get.url) and FIRST_TOKEN not in str(get.url)


def test_token_is_renewed_before_it_expires() -> None:
    api, now = FakeApi(), [0.0]
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead()))
    client = make_client(api, clock=lambda: now[0])

    client.lead(100001)
    now[0] = 3600 - TOKEN_RENEWAL_MARGIN - 1  # still inside the safe window
    client.lead(100001)
    assert len(api.calls("POST", "/api/login")) == 1
    now[0] = 3600 - TOKEN_RENEWAL_MARGIN + 1  # inside the margin: renew
    client.lead(100001)
    assert len(api.calls("POST", "/api/login")) == 2
    tokens = [r.headers["authorization"] for r in api.calls("GET", LEAD_PATH)]
    assert tokens == [f"Bearer {FIRST_TOKEN}"] * 2 + [f"Bearer {SECOND_TOKEN}"]


def test_401_renews_the_token_once_and_resends() -> None:
    api = FakeApi()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == f"Bearer {FIRST_TOKEN}":
            return hydra_error(401, "Expired token")
        return httpx.Response(200, json=lead())

    api.route("GET", LEAD_PATH, handler)
    assert make_client(api).lead(100001).id == 100001
    assert len(api.calls("POST", "/api/login")) == 2
    assert len(api.calls("GET", LEAD_PATH)) == 2


def test_401_twice_is_an_authentication_error() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(401, "Unknown token"))
    with pytest.raises(AuthenticationError) as caught:
        make_client(api).lead(100001)
    assert len(api.calls("POST", "/api/login")) == 2
    assert len(api.calls("GET", LEAD_PATH)) == 2
    assert caught.value.description == "Unknown token"


def test_ready_token_is_used_without_login() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(401, "Expired token"))
    config = ClientConfig(base_url=BASE_URL, token=SecretStr(READY_TOKEN))
    with pytest.raises(AuthenticationError):
        make_client(api, config=config).lead(100001)
    assert api.calls("POST", "/api/login") == []
    assert api.calls("GET", LEAD_PATH)[0].headers["authorization"] == f"Bearer {READY_TOKEN}"


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (
            httpx.Response(
                200, json={"error": "Mfa Required", "error_description": "code", "mfa_token": "m"}
            ),
            MfaRequiredError,
        ),
        (
            httpx.Response(
                200, json={"access_token": "x", "expires_in": 3600, "password_expired": True}
            ),
            PasswordExpiredError,
        ),
        (
            httpx.Response(
                400,
                json={
                    "error": "invalid_grant",
                    "error_description": "Invalid username and password combination",
                },
            ),
            InvalidCredentialsError,
        ),
        (
            httpx.Response(200, text="<html>hello</html>", headers={"content-type": "text/html"}),
            ResponseFormatError,
        ),
    ],
)
def test_login_answers_become_clear_errors(
    answer: httpx.Response, error_class: type[ConvertrError]
) -> None:
    api = FakeApi()
    api.route("POST", "/api/login", lambda _: answer)
    with pytest.raises(error_class) as caught:
        make_client(api).lead(100001)
    assert caught.value.user_message
    assert api.calls("GET", LEAD_PATH) == []


def test_a_login_page_that_is_not_an_api_says_so() -> None:
    api = FakeApi()
    api.route(
        "POST",
        "/api/login",
        lambda _: httpx.Response(
            404, text="<html>nope</html>", headers={"content-type": "text/html"}
        ),
    )
    with pytest.raises(ResponseFormatError, match="Convertr v4 API"):
        make_client(api).lead(100001)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, APIError),
        (500, ServerError),
    ],
)
def test_status_codes_map_to_error_classes(status: int, error_class: type[APIError]) -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(status, "because"))
    with pytest.raises(error_class) as caught:
        make_client(api, max_retries=0).lead(100001)
    error = caught.value
    assert type(error) is error_class
    assert (error.status, error.method, error.path) == (status, "GET", LEAD_PATH)
    assert error.description == "because" and error.title == "An error occurred"
    assert f"got {status}: because" in str(error)


def test_permission_denied_shows_the_servers_reason() -> None:
    api = FakeApi()
    api.route(
        "GET",
        "/api/v4/logs",
        lambda _: hydra_error(403, "Your role cannot see provider logs"),
    )
    with pytest.raises(PermissionDeniedError) as caught:
        make_client(api).logs(100001, "provider")
    assert caught.value.user_message == "Your role cannot see provider logs"


def test_conflict_carries_the_current_value() -> None:
    api = FakeApi()
    api.route(
        "POST",
        "/api/v4/lead-datas",
        lambda _: hydra_error(409, "changed", currentValue="CEO"),
    )
    with pytest.raises(ConflictError) as caught:
        make_client(api).save_lead_data(100001, "jobTitle", "CTO", previous_value="CFO")
    assert caught.value.current_value == "CEO"
    sent = api.calls("POST", "/api/v4/lead-datas")[0]
    assert b'"previousValue":"CFO"' in sent.content.replace(b" ", b"")


def test_validation_error_lists_the_violations() -> None:
    api = FakeApi()
    violations = [{"propertyPath": "value", "message": "This value is too long."}]
    api.route(
        "POST",
        "/api/v4/lead-datas",
        lambda _: hydra_error(422, "value: This value is too long.", violations=violations),
    )
    with pytest.raises(ValidationError) as caught:
        make_client(api).save_lead_data(100001, "jobTitle", "x" * 300)
    assert caught.value.violations == (Violation("value", "This value is too long."),)
    assert caught.value.user_message == "value: This value is too long."


@pytest.mark.parametrize("prefix", ["hydra:", ""])
def test_both_hydra_spellings_are_read(prefix: str) -> None:
    api = FakeApi()
    api.route(
        "GET",
        "/api/v4/leads",
        lambda _: httpx.Response(200, json=hydra([lead()], total=41, prefix=prefix)),
    )
    page = make_client(api).leads_page(3, page=2, items_per_page=20)
    assert [item.id for item in page.items] == [100001]
    assert (page.total, page.page, page.items_per_page, page.page_count) == (41, 2, 20, 3)
    params = api.calls("GET", "/api/v4/leads")[0].url.params
    assert params["page"] == "2" and params["itemsPerPage"] == "20"
    assert params["campaign.id"] == "3" and params["order[createdTs]"] == "desc"


def test_pagination_follows_next_links_until_the_end() -> None:
    api = FakeApi()

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        next_link = (
            f"/api/v4/lead-notes?lead.id=1&itemsPerPage=500&page={page + 1}" if page < 3 else None
        )
        note = {
            "id": page,
            "lead": "/api/v4/leads/1",
            "type": "status",
            "message": f"m{page}",
            "createdTs": "2026-01-01T00:00:00Z",
        }
        return httpx.Response(200, json=hydra([note], total=3, next_link=next_link))

    api.route("GET", "/api/v4/lead-notes", handler)
    notes = make_client(api).lead_notes(1)
    assert [note.id for note in notes] == [1, 2, 3]
    first = api.calls("GET", "/api/v4/lead-notes")[0]
    assert first.url.params["itemsPerPage"] == "500"


def test_pagination_that_never_ends_is_bounded() -> None:
    api = FakeApi()

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        note = {
            "id": page,
            "lead": "/api/v4/leads/1",
            "type": "status",
            "message": "m",
            "createdTs": "2026-01-01T00:00:00Z",
        }
        return httpx.Response(
            200, json=hydra([note], next_link=f"/api/v4/lead-notes?page={page + 1}")
        )

    api.route("GET", "/api/v4/lead-notes", handler)
    client = make_client(api)
    with pytest.raises(PaginationError, match="within 4 pages"):
        list(client.iter_collection(LeadNote, "/api/v4/lead-notes", max_pages=4))
    assert len(api.calls("GET", "/api/v4/lead-notes")) == 4


def test_pagination_whose_next_link_repeats_stops() -> None:
    api = FakeApi()
    note = {
        "id": 1,
        "lead": "/api/v4/leads/1",
        "type": "status",
        "message": "m",
        "createdTs": "2026-01-01T00:00:00Z",
    }
    api.route(
        "GET",
        "/api/v4/lead-notes",
        lambda _: httpx.Response(200, json=hydra([note], next_link="/api/v4/lead-notes?page=2")),
    )
    with pytest.raises(PaginationError, match="links back"):
        make_client(api).lead_notes(1)
    assert len(api.calls("GET", "/api/v4/lead-notes")) == 2


def test_model_mismatch_names_resource_and_field() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead(processrStatus="Weird")))
    with pytest.raises(ResponseFormatError) as caught:
        make_client(api).lead(100001)
    message = str(caught.value)
    assert "Lead" in message and "processrStatus" in message and "'Weird'" in message


def test_values_outside_the_assumed_sets_are_accepted() -> None:
    """A real enterprise may send a channel or provider this project never saw."""
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead(channel="webinar")))
    assert make_client(api).lead(100001).channel == "webinar"


def test_non_json_answer_is_a_format_error() -> None:
    api = FakeApi()
    api.route(
        "GET",
        LEAD_PATH,
        lambda _: httpx.Response(200, text="<html/>", headers={"content-type": "text/html"}),
    )
    with pytest.raises(ResponseFormatError, match="expected JSON, got text/html"):
        make_client(api).lead(100001)


def test_an_html_404_suggests_the_address_is_not_an_api() -> None:
    """A ready token skips the login, so the first API call is where a wrong URL shows."""
    api = FakeApi()
    api.route(
        "GET",
        LEAD_PATH,
        lambda _: httpx.Response(
            404, text="<h1>File not found</h1>", headers={"content-type": "text/html"}
        ),
    )
    config = ClientConfig(base_url=BASE_URL, token=SecretStr(READY_TOKEN))
    with pytest.raises(NotFoundError, match="text/html, not JSON: is this the address") as caught:
        make_client(api, config=config).lead(100001)
    assert (
        caught.value.user_message == "The configured address does not look like a Convertr v4 API."
    )


def test_a_json_404_is_an_ordinary_not_found() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: hydra_error(404, "Not Found: no Lead with id 100001"))
    with pytest.raises(NotFoundError) as caught:
        make_client(api).lead(100001)
    assert "Convertr v4 API" not in str(caught.value)
    assert "Convertr v4 API" not in caught.value.user_message


def test_collection_without_members_is_a_format_error() -> None:
    api = FakeApi()
    api.route("GET", "/api/v4/lead-notes", lambda _: httpx.Response(200, json={"items": []}))
    with pytest.raises(ResponseFormatError, match="hydra:member"):
        make_client(api).lead_notes(1)


def test_models_resolve_iris_and_types() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead()))
    item = make_client(api).lead(100001)
    assert item.campaign_id == 3 and item.publisher_id == 7
    assert item.publisher_payout == Decimal("22.73")
    assert item.created_ts.tzinfo is not None
    assert item.lead_data[0].name == "x"


def test_multi_value_filters_send_each_id_once() -> None:
    api = FakeApi()
    api.route("GET", "/api/v4/statistics", lambda _: httpx.Response(200, json=hydra([])))
    client = make_client(api)
    assert client.statistics([5, 3, 5]) == []
    params = api.calls("GET", "/api/v4/statistics")[0].url.params
    assert params.get_list("campaign.id[]") == ["3", "5"]
    assert client.statistics([]) == []
    assert len(api.calls("GET", "/api/v4/statistics")) == 1


def _raise_every_error() -> list[ConvertrError]:
    """Provoke one error of each kind with the secret-bearing configuration."""
    errors: list[ConvertrError] = []
    scenarios: list[tuple[str, Any]] = [
        (
            "POST /api/login",
            lambda _: httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "bad"}
            ),
        ),
        (
            "POST /api/login",
            lambda _: httpx.Response(200, json={"error": "Mfa Required", "mfa_token": "m"}),
        ),
        ("GET " + LEAD_PATH, lambda _: hydra_error(404, "Not Found")),
        ("GET " + LEAD_PATH, lambda _: hydra_error(401, "Expired token")),
        ("GET " + LEAD_PATH, lambda _: httpx.Response(200, json=lead(score="many"))),
        ("GET " + LEAD_PATH, lambda _: (_ for _ in ()).throw(httpx.ConnectError("refused"))),
    ]
    for route, handler in scenarios:
        api = FakeApi()
        method, path = route.split(" ")
        api.route(method, path, handler)
        try:
            make_client(api, max_retries=0).lead(100001)
        except ConvertrError as error:
            errors.append(error)
    return errors


def test_secrets_never_appear_in_reprs_messages_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead()))
    client = make_client(api)
    client.lead(100001)
    errors = _raise_every_error()
    assert len(errors) == 6
    texts = [repr(client), str(client), repr(client.config), str(client.config)]
    for error in errors:
        texts += [str(error), repr(error), error.user_message, repr(vars(error))]
    texts.append(caplog.text)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_errors_and_pages_survive_pickling() -> None:
    errors = _raise_every_error()
    conflict = ConflictError("m", current_value="CEO", status=409, method="POST", path="/p")
    invalid = ValidationError(
        "v", violations=(Violation("value", "too long"),), status=422, method="POST", path="/p"
    )
    for error in [*errors, conflict, invalid]:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error) and vars(copy) == vars(error)
    page = Page[Lead](items=(Lead.model_validate(lead()),), total=1, page=1, items_per_page=30)
    assert pickle.loads(pickle.dumps(page)) == page


def test_concurrent_requests_share_one_login() -> None:
    api = FakeApi()
    api.route("GET", LEAD_PATH, lambda _: httpx.Response(200, json=lead()))
    client = make_client(api)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.lead(100001).id, range(16)))
    assert results == [100001] * 16
    assert len(api.calls("POST", "/api/login")) == 1
    assert client.request_count == 17


def test_dossier_with_a_rejected_login_raises_once() -> None:
    api = FakeApi()
    api.route(
        "POST",
        "/api/login",
        lambda _: httpx.Response(400, json={"error": "invalid_grant", "error_description": "no"}),
    )
    with pytest.raises(InvalidCredentialsError):
        load_dossier(make_client(api), 100001)
    assert len(api.requests) == 1
