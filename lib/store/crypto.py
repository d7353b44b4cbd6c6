"""Sealing the Convertr tokens kept for a sign-in: Fernet (AES-128-CBC + HMAC-SHA256) with
the app's secret key, never stored beside them in the database. Several keys (comma
separated, newest first) let a key be rotated: the first seals, any opens.

The key comes from `LEADLENS_SECRET_KEY` (environment, then `secrets.toml`); for the sandbox
alone, whose tokens guard nothing, one is generated once into `.data/secret.key`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from lib.store.errors import SignInNotFoundError, StoreUnavailableError

ENV_SECRET_KEY: Final = "LEADLENS_SECRET_KEY"
SECRET_SECRET_KEY: Final = "leadlens_secret_key"
SANDBOX_KEY_FILE: Final = Path(__file__).resolve().parents[2] / ".data" / "secret.key"


def configured_keys(env: Mapping[str, str], secrets: Mapping[str, Any] | None) -> tuple[str, ...]:
    raw = env.get(ENV_SECRET_KEY) or (secrets or {}).get(SECRET_SECRET_KEY) or ""
    return tuple(part.strip() for part in str(raw).split(",") if part.strip())


def sandbox_key(path: Path = SANDBOX_KEY_FILE) -> str:
    """The sandbox's key, generated on first use (readable by this user only)."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


class Sealer:
    """Seals a JSON object bound to one sign-in (its reference hash): a sealed value copied
    onto another row does not open there."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._fernet: MultiFernet | None = None
        if not keys:
            return  # views and lead marks work; keeping sign-ins does not
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        except (ValueError, UnicodeEncodeError):
            raise StoreUnavailableError(
                f"{ENV_SECRET_KEY} is not a Fernet key (32 url-safe base64-encoded bytes); "
                'make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from None

    @property
    def can_seal(self) -> bool:
        return self._fernet is not None

    def _keys(self) -> MultiFernet:
        if self._fernet is None:
            raise StoreUnavailableError(
                f"no secret key to seal sign-ins with: set {ENV_SECRET_KEY} (a Fernet key)"
            )
        return self._fernet

    def seal(self, payload: Mapping[str, Any], bound_to: str) -> str:
        data = json.dumps({"bound_to": bound_to, "payload": dict(payload)}, sort_keys=True)
        return self._keys().encrypt(data.encode("utf-8")).decode("ascii")

    def open(self, sealed: str, bound_to: str) -> dict[str, Any]:
        try:
            data = json.loads(self._keys().decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError):
            raise SignInNotFoundError("the sign-in's tokens do not open with this key") from None
        if not isinstance(data, dict) or data.get("bound_to") != bound_to:
            raise SignInNotFoundError("the sign-in's tokens belong to another sign-in")
        payload = data.get("payload")
        if not isinstance(payload, dict):
            raise SignInNotFoundError("the sign-in's tokens are unreadable")
        return payload
