"""Recent and pinned leads, per user and source, across sessions."""

from __future__ import annotations

from lib.store import Owner, Store
from lib.store.marks import RECENT_LIMIT
from tests.store.conftest import FakeClock

ANA = Owner(source="Sandbox", user_id=1)
BEN = Owner(source="Sandbox", user_id=2)


def test_the_last_twenty_opened_newest_first(store: Store, clock: FakeClock) -> None:
    for lead_id in range(100, 100 + RECENT_LIMIT + 5):
        clock.advance(1)
        store.marks.opened(ANA, lead_id, campaign_id=1)
    clock.advance(1)
    store.marks.opened(ANA, 110, campaign_id=1)  # again: to the top, not twice
    recent = [mark.lead_id for mark in store.marks.recent(ANA)]
    assert len(recent) == RECENT_LIMIT
    assert recent[:3] == [110, 124, 123]
    assert len(set(recent)) == RECENT_LIMIT
    assert store.marks.recent(BEN) == ()


def test_pinned_leads_stay_while_recent_ones_age_out(store: Store, clock: FakeClock) -> None:
    store.marks.opened(ANA, 1, campaign_id=3)
    store.marks.pin(ANA, 1, campaign_id=3)
    for lead_id in range(1000, 1000 + RECENT_LIMIT + 1):
        clock.advance(1)
        store.marks.opened(ANA, lead_id, campaign_id=None)
    assert 1 not in [mark.lead_id for mark in store.marks.recent(ANA)]
    pinned = store.marks.pinned(ANA)
    assert [(mark.lead_id, mark.campaign_id) for mark in pinned] == [(1, 3)]
    store.marks.unpin(ANA, 1)
    assert store.marks.pinned(ANA) == ()
    store.marks.pin(ANA, 5, campaign_id=None)
    store.marks.unpin(ANA, 5)
    assert store.marks.recent(ANA)[0].lead_id == 1000 + RECENT_LIMIT
