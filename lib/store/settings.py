"""Saved settings of a page, named, per user: the Leads page's views now (kind
``leads.view``), the Audit page's settings next, the same way (a new ``kind``; nothing to
migrate). Settings only, never data: a shared view holds filters, sort and columns.

Who may see what: the owner always; every user of the same source (deployment and
enterprise) when ``shared``; only the owner renames, updates or deletes. Whether the user
may see the campaign a view is about is the API's to say: the page opens the campaign first.

Concurrent saves never overwrite silently: every update names the ``version`` it read, and
a stale one is a SettingsConflictError carrying the current row.

Usage::

    views = store.settings
    saved = views.create(owner, kind="leads.view", campaign_id=3, name="Rejected this week",
                         settings={...}, shared=False)
    views.visible(owner, kind="leads.view", campaign_id=3) -> tuple[SavedSettings, ...]
    views.get(owner, saved.public_id)
    views.update(owner, saved.public_id, version=saved.version, settings={...})
    views.update(owner, saved.public_id, version=..., name="New name", shared=True)
    views.delete(owner, saved.public_id)
    views.set_default(owner, saved.public_id) / views.clear_default(owner, kind, campaign_id)
    views.default(owner, kind="leads.view", campaign_id=3) -> SavedSettings | None
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Final

import sqlalchemy as sa

from lib.store.errors import (
    SettingsConflictError,
    SettingsNotFoundError,
    SettingsRefusedError,
)
from lib.store.records import Owner, SavedSettings
from lib.store.schema import NAME_LENGTH, saved_settings, setting_defaults

NO_CAMPAIGN: Final = 0
"""The campaign key of defaults for settings that are about no campaign (the audit's)."""
PUBLIC_ID_BYTES: Final = 9
"""A view's id in its link: random, so views cannot be counted or walked."""
MAX_SETTINGS_BYTES: Final = 20_000


def _saved(row: sa.Row[Any]) -> SavedSettings:
    return SavedSettings(
        public_id=row.public_id,
        kind=row.kind,
        source=row.source,
        owner_user_id=row.owner_user_id,
        owner_name=row.owner_name,
        campaign_id=row.campaign_id,
        name=row.name,
        shared=bool(row.shared),
        settings=json.loads(row.settings_json),
        version=row.version,
        updated_at=row.updated_at,
    )


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SettingsRefusedError("expected a name for the view, got an empty one")
    if len(cleaned) > NAME_LENGTH:
        raise SettingsRefusedError(
            f"expected a name of at most {NAME_LENGTH} characters, got {len(cleaned)}"
        )
    return cleaned


def _settings_json(settings: Mapping[str, Any]) -> str:
    text = json.dumps(dict(settings), sort_keys=True)
    if len(text) > MAX_SETTINGS_BYTES:
        raise SettingsRefusedError(
            f"expected settings of at most {MAX_SETTINGS_BYTES} characters, got {len(text)}"
        )
    return text


def _visible_to(owner: Owner) -> sa.ColumnElement[bool]:
    return sa.and_(
        saved_settings.c.source == owner.source,
        sa.or_(saved_settings.c.owner_user_id == owner.user_id, saved_settings.c.shared),
    )


class SavedSettingsStore:
    def __init__(self, engine: sa.Engine, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock

    def _name_taken(
        self,
        connection: sa.Connection,
        owner: Owner,
        kind: str,
        campaign_id: int | None,
        name: str,
        other_than: str | None = None,
    ) -> bool:
        query = sa.select(saved_settings.c.public_id).where(
            saved_settings.c.source == owner.source,
            saved_settings.c.owner_user_id == owner.user_id,
            saved_settings.c.kind == kind,
            saved_settings.c.campaign_id.is_(None)
            if campaign_id is None
            else saved_settings.c.campaign_id == campaign_id,
            sa.func.lower(saved_settings.c.name) == name.lower(),
        )
        if other_than is not None:
            query = query.where(saved_settings.c.public_id != other_than)
        return connection.execute(query).first() is not None

    def create(
        self,
        owner: Owner,
        *,
        kind: str,
        campaign_id: int | None,
        name: str,
        settings: Mapping[str, Any],
        shared: bool = False,
    ) -> SavedSettings:
        """Save new named settings; a name this owner already uses here is refused."""
        cleaned = _clean_name(name)
        now = self._clock()
        with self._engine.begin() as connection:
            if self._name_taken(connection, owner, kind, campaign_id, cleaned):
                raise SettingsRefusedError(f"you already have a view named {cleaned!r} here")
            public_id = secrets.token_urlsafe(PUBLIC_ID_BYTES)
            connection.execute(
                saved_settings.insert().values(
                    public_id=public_id,
                    kind=kind,
                    source=owner.source,
                    owner_user_id=owner.user_id,
                    owner_name=owner.name,
                    campaign_id=campaign_id,
                    name=cleaned,
                    shared=shared,
                    settings_json=_settings_json(settings),
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            row = connection.execute(
                sa.select(saved_settings).where(saved_settings.c.public_id == public_id)
            ).one()
        return _saved(row)

    def visible(
        self, owner: Owner, *, kind: str, campaign_id: int | None = None
    ) -> tuple[SavedSettings, ...]:
        """The owner's own and the shared ones, own first, by name."""
        query = sa.select(saved_settings).where(_visible_to(owner), saved_settings.c.kind == kind)
        if campaign_id is not None:
            query = query.where(saved_settings.c.campaign_id == campaign_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        found = [_saved(row) for row in rows]
        return tuple(
            sorted(found, key=lambda saved: (not saved.owned_by(owner), saved.name.lower()))
        )

    def get(self, owner: Owner, public_id: str) -> SavedSettings:
        """Settings this user may see (their own or shared), else SettingsNotFoundError (the
        same answer for "none" and "not yours": an id tells nothing)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(saved_settings).where(
                    saved_settings.c.public_id == public_id, _visible_to(owner)
                )
            ).first()
        if row is None:
            raise SettingsNotFoundError(f"no saved view {public_id!r} that you may open")
        return _saved(row)

    def update(
        self,
        owner: Owner,
        public_id: str,
        *,
        version: int,
        settings: Mapping[str, Any] | None = None,
        name: str | None = None,
        shared: bool | None = None,
    ) -> SavedSettings:
        """Change the owner's settings, name or sharing, if nobody saved since ``version``
        was read (else SettingsConflictError with the current row; nothing changes)."""
        values: dict[str, Any] = {}
        if settings is not None:
            values["settings_json"] = _settings_json(settings)
        if shared is not None:
            values["shared"] = shared
        with self._engine.begin() as connection:
            current = self._owned_row(connection, owner, public_id)
            if name is not None:
                cleaned = _clean_name(name)
                if self._name_taken(
                    connection, owner, current.kind, current.campaign_id, cleaned, public_id
                ):
                    raise SettingsRefusedError(f"you already have a view named {cleaned!r} here")
                values["name"] = cleaned
            changed = connection.execute(
                saved_settings.update()
                .where(
                    saved_settings.c.public_id == public_id,
                    saved_settings.c.version == version,
                )
                .values(**values, version=version + 1, updated_at=self._clock())
            ).rowcount
            row = connection.execute(
                sa.select(saved_settings).where(saved_settings.c.public_id == public_id)
            ).one()
        if changed != 1:
            raise SettingsConflictError(
                f"the view {row.name!r} was saved by another session since you opened it "
                f"(expected version {version}, it is at {row.version})",
                current=_saved(row),
            )
        return _saved(row)

    def _owned_row(self, connection: sa.Connection, owner: Owner, public_id: str) -> sa.Row[Any]:
        row = connection.execute(
            sa.select(saved_settings).where(
                saved_settings.c.public_id == public_id, _visible_to(owner)
            )
        ).first()
        if row is None:
            raise SettingsNotFoundError(f"no saved view {public_id!r} that you may open")
        if row.owner_user_id != owner.user_id:
            raise SettingsRefusedError(
                f"the view {row.name!r} is {row.owner_name or 'another user'}'s: only they "
                "may change it (save a copy under your own name)"
            )
        return row

    def delete(self, owner: Owner, public_id: str) -> None:
        """Delete the owner's settings (and whoever's default they were)."""
        with self._engine.begin() as connection:
            row = self._owned_row(connection, owner, public_id)
            connection.execute(
                setting_defaults.delete().where(setting_defaults.c.settings_id == row.id)
            )
            connection.execute(saved_settings.delete().where(saved_settings.c.id == row.id))

    def set_default(self, owner: Owner, public_id: str) -> None:
        """Open these settings by default for this user on their campaign (one per user,
        kind and campaign; a shared view can be anyone's default)."""
        with self._engine.begin() as connection:
            row = connection.execute(
                sa.select(saved_settings).where(
                    saved_settings.c.public_id == public_id, _visible_to(owner)
                )
            ).first()
            if row is None:
                raise SettingsNotFoundError(f"no saved view {public_id!r} that you may open")
            key = {
                "source": owner.source,
                "user_id": owner.user_id,
                "kind": row.kind,
                "campaign_id": row.campaign_id if row.campaign_id is not None else NO_CAMPAIGN,
            }
            connection.execute(
                setting_defaults.delete().where(
                    *(setting_defaults.c[name] == value for name, value in key.items())
                )
            )
            connection.execute(setting_defaults.insert().values(**key, settings_id=row.id))

    def clear_default(self, owner: Owner, *, kind: str, campaign_id: int | None) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                setting_defaults.delete().where(
                    setting_defaults.c.source == owner.source,
                    setting_defaults.c.user_id == owner.user_id,
                    setting_defaults.c.kind == kind,
                    setting_defaults.c.campaign_id
                    == (campaign_id if campaign_id is not None else NO_CAMPAIGN),
                )
            )

    def default(self, owner: Owner, *, kind: str, campaign_id: int | None) -> SavedSettings | None:
        """The user's default here, if they chose one and may still see it."""
        query = (
            sa.select(saved_settings)
            .join(setting_defaults, setting_defaults.c.settings_id == saved_settings.c.id)
            .where(
                setting_defaults.c.source == owner.source,
                setting_defaults.c.user_id == owner.user_id,
                setting_defaults.c.kind == kind,
                setting_defaults.c.campaign_id
                == (campaign_id if campaign_id is not None else NO_CAMPAIGN),
                _visible_to(owner),
            )
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _saved(row)
