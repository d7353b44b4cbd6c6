"""The composition root: the one place that turns configuration into a client.

A `ClientConfig` with a base URL is an enterprise, reached over the network; without one it
is the embedded sandbox, served in-process through `httpx.WSGITransport`. Only this module
chooses, so the client never knows which it talks to (it is handed a transport and a name to
show). The app (`lib/ui/cached_api`), the CLI (`lib/cli`), the benchmarks and the tests build
their clients here. A test injects a transport factory, either per call
(``connect(config, transport_factory=...)``) or, for code that builds its own clients (a page
under AppTest, a CLI command), around a block (``with injected(factory): ...``), instead of
monkeypatching module globals.

The sandbox's demo users and their role permissions are offered here too (`demo_catalogue`),
so nothing but this module imports `lib.sandbox` (imported lazily: an enterprise's app never
loads the sandbox).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from pydantic import SecretStr

from lib.convertr.client import ConvertrClient, network_transport
from lib.convertr.config import ClientConfig
from lib.convertr.constants import MAX_RETRIES

TransportFactory = Callable[[ClientConfig], httpx.BaseTransport]
"""Makes the transport of a client for its configuration (the network, the sandbox, a fake)."""

SANDBOX_SOURCE: Final = "sandbox:"
"""How a sandbox configuration is named in cache keys (an enterprise: its base URL)."""
SANDBOX_DISPLAY_NAME: Final = "Sandbox"
SANDBOX_DEFAULT_USERNAME: Final = "analyst@sandbox.test"
"""The demo user a sandbox configuration without a username signs in as."""
SANDBOX_PASSWORD: Final = "sandbox"
"""Every demo user's password (`lib.sandbox.demo.DEMO_PASSWORD`, checked by the tests)."""


def is_sandbox(config: ClientConfig) -> bool:
    """True when the configuration names no enterprise: the embedded sandbox serves it."""
    return config.base_url is None


def source_name(config: ClientConfig) -> str:
    """``Sandbox`` or the enterprise's URL, for the page header and the sidebar."""
    return SANDBOX_DISPLAY_NAME if config.base_url is None else config.base_url


def sandbox_config(username: str = SANDBOX_DEFAULT_USERNAME) -> ClientConfig:
    """The embedded sandbox, signed in as one of its demo users."""
    return ClientConfig(username=username, password=SecretStr(SANDBOX_PASSWORD))


def config_from_env(
    env: Mapping[str, str],
    secrets: Mapping[str, Any] | None = None,
    *,
    credentials_required: bool = True,
) -> ClientConfig:
    """`ClientConfig.from_env`, and without a base URL the sandbox's default demo user and
    password for whatever is not given."""
    config = ClientConfig.from_env(env, secrets, credentials_required=credentials_required)
    if not is_sandbox(config):
        return config
    password = config.password or SecretStr(SANDBOX_PASSWORD)
    return config.model_copy(
        update={"username": config.username or SANDBOX_DEFAULT_USERNAME, "password": password}
    )


def sandbox_transport(db_path: Path | None = None, **app_options: Any) -> httpx.BaseTransport:
    """The sandbox served in-process from ``db_path`` (None: ``$LEADLENS_SANDBOX_DB`` or the
    project's demo database, seeded on first use). ``app_options`` go to
    `lib.sandbox.create_app` (``dialect``, ``fail_rate``, ``latency_ms``, ...)."""
    from lib.sandbox import create_app, ensure_database, shared_app

    database = ensure_database(db_path)
    # Every client of the plain sandbox shares one app (each dashboard visitor has a client):
    # a new visitor costs no app set-up (schema check, demo users, URL map).
    app = create_app(database, **app_options) if app_options else shared_app(database)
    return httpx.WSGITransport(app=app)


def sandbox_database(db_path: Path | None = None) -> Path:
    """The sandbox's database at ``db_path`` (None: ``$LEADLENS_SANDBOX_DB`` or the project's
    demo database), seeded with the defaults unless it exists (benchmarks, `make run`)."""
    from lib.sandbox import ensure_database

    return ensure_database(db_path)


def seed_sandbox(db_path: Path, *, leads: int, seed: int) -> Path:
    """A new sandbox database at ``db_path`` with ``leads`` leads drawn from ``seed``."""
    from lib.sandbox import seed_database

    seed_database(db_path, leads=leads, seed=seed)
    return db_path


def sandbox_at(db_path: Path | None = None, **app_options: Any) -> TransportFactory:
    """A transport factory serving the sandbox from ``db_path`` (tests, benchmarks)."""
    return lambda _config: sandbox_transport(db_path, **app_options)


def prepare(config: ClientConfig) -> bool:
    """Make ready, before a first visitor, what the default transport of `config` needs: for
    the sandbox, its shared in-process app (its modules imported, the database's schema
    checked, the demo users and the URL map made), if its database exists (this never seeds
    one); nothing for an enterprise. True when something was made ready."""
    if not is_sandbox(config):
        return False
    from lib.sandbox import default_db_path, shared_app

    database = default_db_path()
    if not database.exists():
        return False
    shared_app(database)
    return True


def default_transport(config: ClientConfig) -> httpx.BaseTransport:
    """The network for an enterprise; the sandbox in-process when there is no base URL."""
    return sandbox_transport() if is_sandbox(config) else network_transport()


@dataclass(frozen=True)
class Wiring:
    """What `connect` builds a client with when the caller names nothing else."""

    transport_factory: TransportFactory = default_transport
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_retries: int = MAX_RETRIES


_wiring_lock = threading.Lock()
_wiring: list[Wiring] = [Wiring()]
"""A stack: the last entry wires every client built without arguments. Only `injected`
changes it (a page under AppTest runs in another thread, so a context variable would not
reach it)."""


def current_wiring() -> Wiring:
    with _wiring_lock:
        return _wiring[-1]


@contextmanager
def injected(
    transport_factory: TransportFactory,
    *,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    max_retries: int | None = None,
) -> Iterator[Wiring]:
    """Within the block, every client built by `connect` without a transport factory of its
    own uses ``transport_factory`` (and ``sleep``, ``clock``, ``max_retries`` if given): how a
    test puts a fake server or a faulty sandbox under the app or the CLI."""
    base = current_wiring()
    wiring = Wiring(
        transport_factory=transport_factory,
        sleep=base.sleep if sleep is None else sleep,
        clock=base.clock if clock is None else clock,
        max_retries=base.max_retries if max_retries is None else max_retries,
    )
    with _wiring_lock:
        _wiring.append(wiring)
    try:
        yield wiring
    finally:
        with _wiring_lock:
            _wiring.remove(wiring)


def connect(
    config: ClientConfig,
    *,
    transport_factory: TransportFactory | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    max_retries: int | None = None,
) -> ConvertrClient:
    """A client for ``config``: its transport from ``transport_factory``, else from the
    injected wiring (by default the network, or the sandbox when there is no base URL)."""
    wiring = current_wiring()
    factory = transport_factory if transport_factory is not None else wiring.transport_factory
    return ConvertrClient(
        config,
        transport=factory(config),
        display_name=source_name(config),
        sleep=wiring.sleep if sleep is None else sleep,
        clock=wiring.clock if clock is None else clock,
        max_retries=wiring.max_retries if max_retries is None else max_retries,
    )


# -- the sandbox's demo users ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoCatalogue:
    """The sandbox's demo users, in the order a switcher lists them, and what each role may
    do; all sign in with ``password``."""

    users: tuple[tuple[str, str, str], ...]
    """(email, role, name) of each demo user."""
    role_permissions: Mapping[str, tuple[str, ...]]
    password: str = SANDBOX_PASSWORD
    notes: Mapping[str, str] | None = None
    """What a demo user's card must say besides its role (a second factor and its code, a
    password that has expired), by email."""

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(email for email, _role, _name in self.users)


def demo_catalogue() -> DemoCatalogue:
    """The sandbox's demo users and role permissions (imports the sandbox's static tables)."""
    from lib.sandbox.demo import (
        DEMO_USERS,
        EXPIRED_PASSWORD_USER,
        MFA_USER,
        ROLE_PERMISSIONS,
        SANDBOX_MFA_CODE,
    )

    notes = {
        MFA_USER: f"Needs a code after the password: the sandbox's code is {SANDBOX_MFA_CODE}",
        EXPIRED_PASSWORD_USER: "Its password has expired: it signs in but may do nothing",
    }
    return DemoCatalogue(users=DEMO_USERS, role_permissions=ROLE_PERMISSIONS, notes=notes)
