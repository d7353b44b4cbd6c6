"""Leads a user opened lately and leads they pinned, per source, across sessions: the Go
to lead box's suggestions and the sidebar's short list. Only ids (and the campaign), never
lead values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from lib.store.records import Owner
from lib.store.schema import lead_marks

RECENT_LIMIT: Final = 20
"""How many recently opened leads are kept per user."""
PINNED_LIMIT: Final = 50


@dataclass(frozen=True)
class LeadMark:
    lead_id: int
    campaign_id: int | None
    opened_at: float | None
    pinned: bool


def _mark(row: sa.Row[Any]) -> LeadMark:
    return LeadMark(
        lead_id=row.lead_id,
        campaign_id=row.campaign_id,
        opened_at=row.opened_at,
        pinned=row.pinned_at is not None,
    )


class LeadMarks:
    def __init__(self, engine: sa.Engine, clock: Callable[[], float]) -> None:
        self._engine = engine
        self._clock = clock

    def _key(self, owner: Owner) -> tuple[sa.ColumnElement[bool], ...]:
        return (lead_marks.c.source == owner.source, lead_marks.c.user_id == owner.user_id)

    def _upsert(
        self, connection: sa.Connection, owner: Owner, lead_id: int, values: dict[str, Any]
    ) -> None:
        where = (*self._key(owner), lead_marks.c.lead_id == lead_id)
        changed = connection.execute(lead_marks.update().where(*where).values(**values)).rowcount
        if changed == 0:
            try:
                with connection.begin_nested():
                    connection.execute(
                        lead_marks.insert().values(
                            source=owner.source, user_id=owner.user_id, lead_id=lead_id, **values
                        )
                    )
            except sa.exc.IntegrityError:  # another tab inserted it first
                connection.execute(lead_marks.update().where(*where).values(**values))

    def opened(self, owner: Owner, lead_id: int, campaign_id: int | None) -> None:
        """Note an opened lead; only the newest RECENT_LIMIT unpinned ones are kept."""
        values: dict[str, Any] = {"opened_at": self._clock()}
        if campaign_id is not None:
            values["campaign_id"] = campaign_id
        with self._engine.begin() as connection:
            self._upsert(connection, owner, lead_id, values)
            keep = (
                sa.select(lead_marks.c.lead_id)
                .where(*self._key(owner), lead_marks.c.opened_at.is_not(None))
                .order_by(lead_marks.c.opened_at.desc())
                .limit(RECENT_LIMIT)
            )
            kept = {row.lead_id for row in connection.execute(keep)}
            connection.execute(
                lead_marks.delete().where(
                    *self._key(owner),
                    lead_marks.c.pinned_at.is_(None),
                    lead_marks.c.lead_id.not_in(kept),
                )
            )
            connection.execute(
                lead_marks.update()
                .where(*self._key(owner), lead_marks.c.lead_id.not_in(kept))
                .values(opened_at=None)
            )

    def pin(self, owner: Owner, lead_id: int, campaign_id: int | None) -> None:
        values: dict[str, Any] = {"pinned_at": self._clock()}
        if campaign_id is not None:
            values["campaign_id"] = campaign_id
        with self._engine.begin() as connection:
            self._upsert(connection, owner, lead_id, values)

    def unpin(self, owner: Owner, lead_id: int) -> None:
        with self._engine.begin() as connection:
            where = (*self._key(owner), lead_marks.c.lead_id == lead_id)
            connection.execute(lead_marks.update().where(*where).values(pinned_at=None))
            connection.execute(lead_marks.delete().where(*where, lead_marks.c.opened_at.is_(None)))

    def recent(self, owner: Owner, limit: int = RECENT_LIMIT) -> tuple[LeadMark, ...]:
        query = (
            sa.select(lead_marks)
            .where(*self._key(owner), lead_marks.c.opened_at.is_not(None))
            .order_by(lead_marks.c.opened_at.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return tuple(_mark(row) for row in connection.execute(query))

    def pinned(self, owner: Owner) -> tuple[LeadMark, ...]:
        query = (
            sa.select(lead_marks)
            .where(*self._key(owner), lead_marks.c.pinned_at.is_not(None))
            .order_by(lead_marks.c.pinned_at.desc())
            .limit(PINNED_LIMIT)
        )
        with self._engine.connect() as connection:
            return tuple(_mark(row) for row in connection.execute(query))
