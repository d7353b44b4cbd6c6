"""Status codes a deployment configures (environment or secrets.toml) and the status filter
mode: both reach the client, and a bad entry says what was expected."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from lib.convertr import ClientConfig
from lib.convertr.errors import ConfigurationError
from tests.convertr.test_published_shapes import LEADS, collection, ld, published_lead
from tests.support.fakes import BASE_URL, PASSWORD, FakeApi, make_client

REAL = {"CONVERTR_BASE_URL": BASE_URL, "CONVERTR_TOKEN": "t"}


def test_codes_come_from_the_environment_over_secrets() -> None:
    env = {**REAL, "CONVERTR_STATUS_CODES": "1001=Invalid, 4242=test;4243 = Caution"}
    secrets = {"CONVERTR_STATUS_CODES": {"4242": "Valid"}}
    config = ClientConfig.from_env(env, secrets)
    assert config.status_codes == {1001: "Invalid", 4242: "Test", 4243: "Caution"}


def test_codes_come_from_a_secrets_table() -> None:
    config = ClientConfig.from_env(REAL, {"CONVERTR_STATUS_CODES": {"4242": "caution"}})
    assert config.status_codes == {4242: "Caution"}
    assert ClientConfig.from_env({}, {"CONVERTR_STATUS_CODES": "7=Valid"}).status_codes == {
        7: "Valid"
    }


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("1001", "1001"),
        ("abc=Valid", "'abc'='Valid'"),
        ("1001=Pending", "'1001'='Pending'"),
        # Digits to str.isdigit that int() refuses: a message, not a ValueError.
        ("²=Valid", "'²'='Valid'"),
    ],
)
def test_a_bad_code_entry_says_what_was_expected(raw: str, shown: str) -> None:
    with pytest.raises(ConfigurationError, match="CONVERTR_STATUS_CODES: expected") as caught:
        ClientConfig.from_env({**REAL, "CONVERTR_STATUS_CODES": raw})
    assert shown in str(caught.value)


def test_the_filter_mode_is_checked() -> None:
    assert ClientConfig.from_env({**REAL, "CONVERTR_STATUS_FILTER": "Codes"}).status_filter == (
        "codes"
    )
    with pytest.raises(ConfigurationError, match="auto, codes, labels"):
        ClientConfig.from_env({**REAL, "CONVERTR_STATUS_FILTER": "numbers"})


def _config(**settings: object) -> ClientConfig:
    return ClientConfig(
        base_url=BASE_URL, username="ana@acme.test", password=SecretStr(PASSWORD), **settings
    )


def test_a_configured_code_names_the_status_and_wins_over_the_assumed_table() -> None:
    api = FakeApi()
    members = [
        published_lead(id=1, processrStatus=4242, score=0),
        published_lead(id=2, processrStatus=1002),
    ]
    api.route("GET", LEADS, lambda _: ld(collection(members, "", total=2)))
    client = make_client(api, config=_config(status_codes={4242: "Test", 1002: "Invalid"}))
    first, second = client.leads_page(12).items
    assert (first.processr_status, first.status.source) == ("Test", "configured")
    assert (second.processr_status, second.status.source) == ("Invalid", "configured")
    assert client.status_codes.codes_for("Invalid") == (1001, 1002)


def test_configured_codes_mode_filters_without_a_probe() -> None:
    api = FakeApi()
    api.route("GET", LEADS, lambda _: ld(collection([], "", total=0)))
    client = make_client(api, config=_config(status_filter="codes", status_codes={4242: "Test"}))
    client.leads_page(12, statuses=("Test",))
    (sent,) = api.calls("GET", LEADS)
    assert sent.url.params.get_list("processrStatus[]") == ["1003", "4242"]


def test_a_label_without_any_code_cannot_be_filtered_silently() -> None:
    api = FakeApi()
    api.route("GET", LEADS, lambda _: httpx.Response(200, json=collection([], "", total=0)))
    client = make_client(api, config=_config(status_filter="codes", status_codes={1003: "Valid"}))
    with pytest.raises(ConfigurationError) as caught:
        client.leads_page(12, statuses=("Test",))
    assert "CONVERTR_STATUS_CODES" in caught.value.user_message
    assert api.calls("GET", LEADS) == []


def test_a_status_code_is_ascii_digits_only() -> None:
    from lib.convertr.models.statuses import status_code_of

    assert status_code_of(" 1001 ") == 1001
    assert status_code_of("²") is None
    assert status_code_of("\u0661\u0660") is None
