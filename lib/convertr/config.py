"""Connection settings of the client: where the API is and how to sign in."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from lib.convertr.constants import (
    API_PREFIX,
    DEFAULT_TIMEOUT,
    DOSSIER_DEADLINE,
    REQUEST_DEADLINE,
)
from lib.convertr.errors import ConfigurationError
from lib.convertr.models import PROCESSR_STATUSES, ProcessrStatus, StatusCodes, status_from_text

ENV_BASE_URL = "CONVERTR_BASE_URL"
ENV_USERNAME = "CONVERTR_USERNAME"
ENV_PASSWORD = "CONVERTR_PASSWORD"
ENV_TOKEN = "CONVERTR_TOKEN"
ENV_STATUS_CODES = "CONVERTR_STATUS_CODES"
"""``1000=Valid,1001=Invalid`` (or, in secrets.toml, a table ``[CONVERTR_STATUS_CODES]`` with
``1001 = "Invalid"``): the enterprise's processrStatus codes, over the built-in table."""
ENV_STATUS_FILTER = "CONVERTR_STATUS_FILTER"
"""``auto`` (default), ``codes`` or ``labels``: what a status filter sends."""

StatusFilterMode = Literal["auto", "codes", "labels"]
"""What a lead status filter sends: ``codes`` (the table's codes for each label), ``labels``
(the label itself), or ``auto``: as the server's leads show (learned from the leads the
client has read, or from one small request before the first status filter)."""
STATUS_FILTER_MODES: Final[tuple[StatusFilterMode, ...]] = get_args(StatusFilterMode)
_ENTRY_SEPARATORS: Final = re.compile(r"[,;\n]")
ENV_REQUEST_DEADLINE = "CONVERTR_REQUEST_DEADLINE"
ENV_DOSSIER_DEADLINE = "CONVERTR_DOSSIER_DEADLINE"
ENV_SHARED_LOGIN = "CONVERTR_SHARED_LOGIN"
"""``true``: the dashboard uses the configured credentials for every visitor (a kiosk, a demo
screen) and says so on every page. Otherwise each visitor signs in as themselves."""
ENV_IDLE_TIMEOUT = "CONVERTR_IDLE_TIMEOUT_MINUTES"
"""Minutes without a click after which a visitor is signed out (default 30)."""
DEFAULT_IDLE_TIMEOUT_MINUTES: Final = 30.0
_TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS: Final = frozenset({"false", "0", "no", "off"})


class ClientConfig(BaseModel):
    """Where the v4 API is and how to sign in; passwords and tokens never appear in a repr.

    ``base_url=None`` names no enterprise: the composition root (`lib.connect`) then serves
    the embedded sandbox in-process. The client itself never knows which it talks to.
    """

    model_config = ConfigDict(frozen=True)

    base_url: str | None = None
    """``https://{enterprise}.cvtr.io``, or None for the embedded sandbox."""
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    """A ready Bearer token; used before logging in with username and password."""
    timeout: float = DEFAULT_TIMEOUT
    status_codes: dict[int, ProcessrStatus] = Field(default_factory=dict)
    """processrStatus code -> label known for this enterprise; overrides the built-in table."""
    status_filter: StatusFilterMode = "auto"

    @property
    def status_table(self) -> StatusCodes:
        """The status codes the client resolves labels with (configured over built-in)."""
        return StatusCodes(configured=dict(self.status_codes))

    request_deadline: float = Field(default=REQUEST_DEADLINE, gt=0)
    """Seconds one request may take in all, retries and their pauses included."""
    dossier_deadline: float = Field(default=DOSSIER_DEADLINE, gt=0)
    """Seconds a whole lead dossier may take; parts still missing then are errors."""

    def without_credentials(self) -> ClientConfig:
        """The same place and limits with no username, password or token: the client of a
        visitor who signs in as themselves."""
        return self.model_copy(update={"username": None, "password": None, "token": None})

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        secrets: Mapping[str, Any] | None = None,
        *,
        credentials_required: bool = True,
    ) -> ClientConfig:
        """Settings from ``CONVERTR_*`` variables, then from ``secrets`` (e.g. secrets.toml).

        The environment wins over the secrets file, so one run can be pointed elsewhere
        without editing the file. Without a base URL no server is named: the composition root
        (`lib.connect.config_from_env`) serves the embedded sandbox and signs in as its
        default demo user unless a username or password is given.
        ``credentials_required=False`` accepts a base URL without credentials (the dashboard,
        where each visitor signs in).
        """

        def raw_setting(name: str) -> object:
            for source in (env, secrets or {}):
                value = source.get(name)
                if value is not None and (not isinstance(value, str) or value.strip()):
                    return value
            return None

        def setting(name: str) -> str | None:
            value = raw_setting(name)
            return None if value is None else str(value).strip()

        status = {
            "status_codes": parse_status_codes(raw_setting(ENV_STATUS_CODES)),
            "status_filter": parse_status_filter(setting(ENV_STATUS_FILTER)),
        }

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
                username=username,
                password=SecretStr(password) if password is not None else None,
                **status,
                request_deadline=request_deadline,
                dossier_deadline=dossier_deadline,
            )
        base_url = normalise_base_url(base_url)
        if credentials_required and token is None and (username is None or password is None):
            raise ConfigurationError(
                f"{ENV_BASE_URL} is set but neither {ENV_TOKEN} nor both {ENV_USERNAME} and "
                f"{ENV_PASSWORD} are: expected a token or a username and password"
            )
        return cls(
            base_url=base_url,
            username=username,
            password=SecretStr(password) if password is not None else None,
            token=SecretStr(token) if token is not None else None,
            **status,
            request_deadline=request_deadline,
            dossier_deadline=dossier_deadline,
        )


def parse_status_codes(raw: object) -> dict[int, ProcessrStatus]:
    """Status codes from ``"1000=Valid, 1001=Invalid"`` or a mapping (a TOML table), each
    label one of Valid, Invalid, Caution, Test (any letter case)."""
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        entries = [(str(code), str(label)) for code, label in raw.items()]
    elif isinstance(raw, str):
        entries = []
        for entry in filter(None, (part.strip() for part in _ENTRY_SEPARATORS.split(raw))):
            code, separator, label = entry.partition("=")
            if not separator:
                raise ConfigurationError(
                    f"{ENV_STATUS_CODES}: expected entries like 1001=Invalid, got {entry!r}"
                )
            entries.append((code, label))
    else:
        raise ConfigurationError(
            f"{ENV_STATUS_CODES}: expected a text like 1001=Invalid,1002=Caution or a table, "
            f"got {type(raw).__name__}"
        )
    codes: dict[int, ProcessrStatus] = {}
    for code, label in entries:
        status = status_from_text(label)
        if not (code.strip().isascii() and code.strip().isdigit()) or status is None:
            raise ConfigurationError(
                f"{ENV_STATUS_CODES}: expected an integer code and one of "
                f"{', '.join(PROCESSR_STATUSES)}, got {code.strip()!r}={label.strip()!r}"
            )
        codes[int(code)] = status
    return codes


def parse_status_filter(raw: str | None) -> StatusFilterMode:
    if raw is None:
        return "auto"
    wanted = raw.strip().lower()
    for mode in STATUS_FILTER_MODES:
        if mode == wanted:
            return mode
    raise ConfigurationError(
        f"{ENV_STATUS_FILTER}: expected one of {', '.join(STATUS_FILTER_MODES)}, got {raw!r}"
    )


def _seconds(name: str, raw: str | None, default: float, unit: str = "seconds") -> float:
    """A positive, finite number (of seconds, or ``unit``) from a setting, or ``default`` when
    it is unset."""
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"expected {name} as a number of {unit} above 0, got {raw!r}")
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


class AccessSettings(BaseModel):
    """Who the dashboard acts as and for how long: a shared account only when configured so,
    and the idle time after which a visitor is signed out."""

    model_config = ConfigDict(frozen=True)

    shared_login: bool = False
    """Everyone acts as the configured account (``CONVERTR_SHARED_LOGIN=true``)."""
    idle_timeout_minutes: float = Field(default=DEFAULT_IDLE_TIMEOUT_MINUTES, gt=0)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], secrets: Mapping[str, Any] | None = None
    ) -> AccessSettings:
        """``CONVERTR_SHARED_LOGIN`` and ``CONVERTR_IDLE_TIMEOUT_MINUTES``, the environment
        over the secrets (as ``ClientConfig.from_env``)."""
        shared = _first_setting(ENV_SHARED_LOGIN, env, secrets)
        idle = _first_setting(ENV_IDLE_TIMEOUT, env, secrets)
        return cls(
            shared_login=parse_flag(ENV_SHARED_LOGIN, shared),
            idle_timeout_minutes=_seconds(
                ENV_IDLE_TIMEOUT,
                None if idle is None else str(idle).strip(),
                DEFAULT_IDLE_TIMEOUT_MINUTES,
                unit="minutes",
            ),
        )


def _first_setting(name: str, env: Mapping[str, str], secrets: Mapping[str, Any] | None) -> object:
    for source in (env, secrets or {}):
        value = source.get(name)
        if value is not None and (not isinstance(value, str) or value.strip()):
            return value
    return None


def parse_flag(name: str, raw: object) -> bool:
    """A yes/no setting: a TOML boolean, or true/false, 1/0, yes/no, on/off (unset: no)."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}: expected true or false, got {raw!r}")
