"""The composition root: configuration in, a client out, on the network or the in-process
sandbox; injected transports; the demo users; and the import rules it exists for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from lib import connect
from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr.errors import ConfigurationError


def test_no_base_url_is_the_sandbox_served_in_process(
    sandbox_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    config = connect.config_from_env({})
    assert connect.is_sandbox(config) and connect.source_name(config) == "Sandbox"
    with connect.connect(config) as client:
        assert client.base_url_display == "Sandbox"
        assert client.current_user().role == "analyst"
        page = client.campaigns_page(items_per_page=2)
        assert len(page.items) == 2 and page.total is not None and page.total >= 2


def test_a_demo_user_of_a_given_database(sandbox_db: Path) -> None:
    config = connect.sandbox_config("masked@sandbox.test")
    with connect.connect(config, transport_factory=connect.sandbox_at(sandbox_db)) as client:
        assert client.current_user().role == "masked"


def test_an_enterprise_is_named_by_its_url_and_reached_over_the_network() -> None:
    config = ClientConfig(base_url="https://acme.cvtr.io", token="t")
    assert not connect.is_sandbox(config)
    assert connect.source_name(config) == "https://acme.cvtr.io"
    transport = connect.default_transport(config)
    assert not isinstance(transport, httpx.WSGITransport)
    transport.close()


def test_the_client_alone_never_serves_the_sandbox() -> None:
    with pytest.raises(ConfigurationError, match=r"lib\.connect\.connect"):
        ConvertrClient(ClientConfig())


def test_an_injected_transport_reaches_every_client_built_in_the_block() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"id": 7, "email": "e@x.test", "role": "viewer"})

    config = ClientConfig(base_url="https://acme.cvtr.io", token="t")
    outside = connect.current_wiring()
    with connect.injected(lambda _config: httpx.MockTransport(answer), max_retries=0) as wiring:
        assert connect.current_wiring() is wiring and wiring.max_retries == 0
        with connect.connect(config) as client:
            client.request_json("GET", "/api/v4/users/me")
    assert seen == ["/api/v4/users/me"]
    assert connect.current_wiring() is outside, "the block's end restores the wiring"


def test_the_demo_catalogue_lists_every_role_with_its_permissions() -> None:
    catalogue = connect.demo_catalogue()
    assert "analyst@sandbox.test" in catalogue.emails
    roles = {role for _email, role, _name in catalogue.users}
    assert roles == set(catalogue.role_permissions)
    assert catalogue.password == "sandbox"


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        (
            "import lib.convertr, lib.convertr.client, lib.convertr.doctor, "
            "lib.convertr.dossier, lib.convertr.edits, lib.convertr.session",
            ("lib.sandbox", "lib.views", "lib.evidence", "lib.cli", "lib.connect", "streamlit"),
        ),
        ("import lib.connect", ("lib.sandbox", "lib.views", "lib.cli")),
        (
            "import lib.audit.fetch, lib.audit.frames, lib.audit.run, lib.audit.snapshot",
            ("lib.views", "lib.evidence", "lib.ui", "lib.cli", "lib.sandbox", "streamlit"),
        ),
    ],
    ids=["the client", "the composition root", "the audit engine"],
)
def test_imports_run_one_way(importer: str, forbidden: tuple[str, ...]) -> None:
    """The client loads none of the sandbox, the views, the evidence pack or the CLI; the
    composition root loads the sandbox only when a sandbox client is built; the audit engine
    sits below the views (the Audit page's view model imports it, never the reverse)."""
    loaded = f"sorted(m for m in sys.modules if m.startswith({forbidden!r}))"
    code = f"{importer}; import sys; print({loaded})"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_sandbox_defaults_live_in_the_composition_root_not_in_the_client() -> None:
    from lib.connect import SANDBOX_DEFAULT_USERNAME, SANDBOX_PASSWORD, config_from_env
    from lib.convertr.config import ClientConfig
    from lib.sandbox.demo import DEMO_PASSWORD

    assert SANDBOX_PASSWORD == DEMO_PASSWORD
    bare = ClientConfig.from_env({})
    assert bare.base_url is None and bare.username is None and bare.password is None
    config = config_from_env({})
    assert config.username == SANDBOX_DEFAULT_USERNAME
    assert config.password is not None and config.password.get_secret_value() == DEMO_PASSWORD
    chosen = config_from_env({"CONVERTR_USERNAME": "viewer@sandbox.test"})
    assert chosen.username == "viewer@sandbox.test"
    enterprise = config_from_env(
        {"CONVERTR_BASE_URL": "https://acme.example", "CONVERTR_TOKEN": "t"}
    )
    assert enterprise.username is None, "an enterprise gets no demo user"


def test_prepare_makes_the_sandboxs_shared_app_once_its_database_exists(
    sandbox_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lib.sandbox import app as sandbox_app

    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    monkeypatch.setattr(sandbox_app, "_shared_apps", {})
    assert connect.prepare(connect.sandbox_config())
    assert list(sandbox_app._shared_apps) == [sandbox_db.resolve()]
    # The first visitor's transport is that same app: nothing is made twice.
    transport = connect.default_transport(connect.sandbox_config())
    assert isinstance(transport, httpx.WSGITransport)
    assert transport.app is sandbox_app._shared_apps[sandbox_db.resolve()]

    # A missing database is never seeded by a warm-up, and an enterprise has nothing to make.
    missing = tmp_path / "none.sqlite"
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(missing))
    assert not connect.prepare(connect.sandbox_config())
    assert not missing.exists()
    assert not connect.prepare(ClientConfig(base_url="https://acme.cvtr.io", token="t"))
