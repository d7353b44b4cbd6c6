"""The tokens a signed-in client holds, as one value to keep between tabs (sealed by the app
database) and give back to a new client: `ConvertrClient.held_tokens` / `hold_tokens`.

Never printed: the repr shows who and until when, not the tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HeldTokens:
    username: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    """Wall-clock seconds when the access token ends (None: unstated)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HeldTokens:
        """Raises ValueError when `data` is not what `to_dict` wrote."""
        username, access = data.get("username"), data.get("access_token")
        refresh, expires = data.get("refresh_token"), data.get("expires_at")
        if not isinstance(username, str) or not isinstance(access, str) or not access:
            raise ValueError("expected held tokens with a username and an access token")
        return cls(
            username=username,
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=float(expires) if isinstance(expires, int | float) else None,
        )
