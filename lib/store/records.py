"""The saved-settings records as the app sees them: who acts and what was saved (frozen
values, no database in them; the store's errors and its tables both speak of them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Owner:
    """Who acts: the user's id at one source (``Sandbox`` or an enterprise's URL)."""

    source: str
    user_id: int
    name: str = ""


@dataclass(frozen=True)
class SavedSettings:
    public_id: str
    kind: str
    source: str
    owner_user_id: int
    owner_name: str
    campaign_id: int | None
    name: str
    shared: bool
    settings: Mapping[str, Any]
    version: int
    updated_at: float

    def owned_by(self, owner: Owner) -> bool:
        return self.source == owner.source and self.owner_user_id == owner.user_id
