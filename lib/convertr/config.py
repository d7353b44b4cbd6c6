"""Connection settings of the client: where the API is and how to sign in."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from lib.convertr.constants import (
    API_PREFIX,
    DEFAULT_TIMEOUT,
    DOSSIER_DEADLINE,
    REQUEST_DEADLINE,
    SANDBOX_DEFAULT_USERNAME,
    SANDBOX_PASSWORD,
)
from lib.convertr.errors import ConfigurationError

ENV_BASE_URL = "CONVERTR_BASE_URL"
ENV_USERNAME = "CONVERTR_USERNAME"
ENV_PASSWORD = "CONVERTR_PASSWORD"
ENV_TOKEN = "CONVERTR_TOKEN"
ENV_REQUEST_DEADLINE = "CONVERTR_REQUEST_DEADLINE"
ENV_DOSSIER_DEADLINE = "CONVERTR_DOSSIER_DEADLINE"


class ClientConfig(BaseModel):
    """Where the v4 API is and how to sign in; passwords and tokens never appear in a repr.

    ``base_url=None`` means the embedded sandbox (served in-process from ``sandbox_db``).
    """

    model_config = ConfigDict(frozen=True)

    base_url: str | None = None
    """``https://{enterprise}.cvtr.io``, or None for the embedded sandbox."""
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    """A ready Bearer token; used before logging in with username and password."""
    sandbox_db: Path | None = None
    """The sandbox's sqlite file (None: the sandbox's default path)."""
    timeout: float = DEFAULT_TIMEOUT
    request_deadline: float = Field(default=REQUEST_DEADLINE, gt=0)
    """Seconds one request may take in all, retries and their pauses included."""
    dossier_deadline: float = Field(default=DOSSIER_DEADLINE, gt=0)
    """Seconds a whole lead dossier may take; parts still missing then are errors."""

    @property
    def is_sandbox(self) -> bool:
        return self.base_url is None

    @classmethod
    def sandbox(
        cls, username: str = SANDBOX_DEFAULT_USERNAME, *, sandbox_db: Path | None = None
    ) -> ClientConfig:
        """The embedded sandbox, signed in as one of its demo users."""
        return cls(username=username, password=SecretStr(SANDBOX_PASSWORD), sandbox_db=sandbox_db)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], secrets: Mapping[str, Any] | None = None
    ) -> ClientConfig:
        """Settings from ``CONVERTR_*`` variables, then from ``secrets`` (e.g. secrets.toml).

        The environment wins over the secrets file, so one run can be pointed elsewhere
        without editing the file. Without a base URL the embedded sandbox is used, signed in
        as ``analyst@sandbox.test``/``sandbox`` unless a username or password is given.
        """

        def setting(name: str) -> str | None:
            for source in (env, secrets or {}):
                value = source.get(name)
                if value is not None and str(value).strip():
                    return str(value).strip()
            return None

        base_url = setting(ENV_BASE_URL)
        username = setting(ENV_USERNAME)
        password = setting(ENV_PASSWORD)
        token = setting(ENV_TOKEN)
        request_deadline = _seconds(
            ENV_REQUEST_DEADLINE, setting(ENV_REQUEST_DEADLINE), REQUEST_DEADLINE
        )
        dossier_deadline = _seconds(
            ENV_DOSSIER_DEADLINE, setting(ENV_DOSSIER_DEADLINE), DOSSIER_DEADLINE
        )
        if base_url is None:
            return cls(
                username=username or SANDBOX_DEFAULT_USERNAME,
                password=SecretStr(password or SANDBOX_PASSWORD),
                request_deadline=request_deadline,
                dossier_deadline=dossier_deadline,
            )
        base_url = normalise_base_url(base_url)
        if token is None and (username is None or password is None):
            raise ConfigurationError(
                f"{ENV_BASE_URL} is set but neither {ENV_TOKEN} nor both {ENV_USERNAME} and "
                f"{ENV_PASSWORD} are: expected a token or a username and password"
            )
        return cls(
            base_url=base_url,
            username=username,
            password=SecretStr(password) if password is not None else None,
            token=SecretStr(token) if token is not None else None,
            request_deadline=request_deadline,
            dossier_deadline=dossier_deadline,
        )


def _seconds(name: str, raw: str | None, default: float) -> float:
    """A positive, finite number of seconds from a setting, or ``default`` when it is unset."""
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"expected {name} as a number of seconds above 0, got {raw!r}")
    return value


def normalise_base_url(raw: str) -> str:
    """``https://acme.cvtr.io`` from ``acme.cvtr.io/``, ``https://acme.cvtr.io/api/v4`` etc."""
    url = raw.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    scheme, rest = url.split("://", 1)
    if "@" in rest.split("/", 1)[0]:
        # user:password@host would put credentials into every logged URL (so no echo of raw)
        raise ConfigurationError(
            "the base URL must not contain credentials: use CONVERTR_USERNAME/CONVERTR_PASSWORD"
        )
    if scheme not in ("http", "https") or not rest:
        raise ConfigurationError(f"expected an http(s) base URL, got {raw!r}")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url
