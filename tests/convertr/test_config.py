"""ClientConfig: environment and secrets, sandbox default, URL checks, hidden secrets."""

from __future__ import annotations

import pickle

import pytest

from lib.convertr import ClientConfig
from lib.convertr.errors import ConfigurationError


def test_no_base_url_names_no_server_and_no_demo_user() -> None:
    """The client knows no sandbox: the composition root adds the demo user
    (`tests/test_connect.py`)."""
    config = ClientConfig.from_env({})
    assert config.base_url is None
    assert config.username is None and config.password is None


def test_environment_wins_over_secrets() -> None:
    env = {"CONVERTR_BASE_URL": "https://acme.cvtr.io", "CONVERTR_USERNAME": "env@acme.test"}
    secrets = {
        "CONVERTR_BASE_URL": "https://other.cvtr.io",
        "CONVERTR_USERNAME": "file@acme.test",
        "CONVERTR_PASSWORD": "from-file-pw",
    }
    config = ClientConfig.from_env(env, secrets)
    assert config.base_url == "https://acme.cvtr.io"
    assert config.username == "env@acme.test"
    assert config.password is not None and config.password.get_secret_value() == "from-file-pw"


def test_token_alone_is_enough() -> None:
    config = ClientConfig.from_env(
        {"CONVERTR_BASE_URL": "acme.cvtr.io/api/v4/", "CONVERTR_TOKEN": "tok-xyz"}
    )
    assert config.base_url == "https://acme.cvtr.io"
    assert config.token is not None and config.username is None


def test_base_url_without_credentials_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="CONVERTR_TOKEN"):
        ClientConfig.from_env({"CONVERTR_BASE_URL": "https://acme.cvtr.io"})


@pytest.mark.parametrize("url", ["ftp://acme.cvtr.io", "https://user:pw-in-url@acme.cvtr.io"])
def test_unusable_base_urls_are_rejected(url: str) -> None:
    env = {"CONVERTR_BASE_URL": url, "CONVERTR_TOKEN": "t"}
    with pytest.raises(ConfigurationError) as caught:
        ClientConfig.from_env(env)
    assert "pw-in-url" not in str(caught.value)


def test_repr_hides_password_and_token_and_config_pickles() -> None:
    config = ClientConfig.from_env(
        {
            "CONVERTR_BASE_URL": "https://acme.cvtr.io",
            "CONVERTR_USERNAME": "u",
            "CONVERTR_PASSWORD": "pw-very-secret",
            "CONVERTR_TOKEN": "tok-very-secret",
        }
    )
    for text in (repr(config), str(config)):
        assert "pw-very-secret" not in text and "tok-very-secret" not in text
    assert pickle.loads(pickle.dumps(config)) == config
