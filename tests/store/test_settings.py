"""Saved views (any page's saved settings): private or shared per source, owner-only
changes, optimistic concurrency, a default per user per campaign."""

from __future__ import annotations

import pytest

from lib.store import (
    Owner,
    SettingsConflictError,
    SettingsNotFoundError,
    SettingsRefusedError,
    Store,
)

ANA = Owner(source="https://acme.convertr.io", user_id=1, name="Ana")
BEN = Owner(source="https://acme.convertr.io", user_id=2, name="Ben")
ANA_ELSEWHERE = Owner(source="https://other.convertr.io", user_id=1, name="Ana")
KIND = "leads.view"
SETTINGS = {"statuses": ["Rejected"], "order": "desc", "page_size": 50}


def _save(store: Store, owner: Owner = ANA, *, shared: bool = False, name: str = "Rejected"):  # type: ignore[no-untyped-def]
    return store.settings.create(
        owner, kind=KIND, campaign_id=3, name=name, settings=SETTINGS, shared=shared
    )


def test_a_private_view_is_its_owners_only(store: Store) -> None:
    saved = _save(store)
    assert store.settings.get(ANA, saved.public_id).settings == SETTINGS
    assert [view.name for view in store.settings.visible(ANA, kind=KIND, campaign_id=3)] == [
        "Rejected"
    ]
    assert store.settings.visible(BEN, kind=KIND, campaign_id=3) == ()
    with pytest.raises(SettingsNotFoundError):
        store.settings.get(BEN, saved.public_id)


def test_a_shared_view_is_seen_by_every_user_of_its_source_only(store: Store) -> None:
    saved = _save(store, shared=True)
    assert store.settings.get(BEN, saved.public_id).name == "Rejected"
    with pytest.raises(SettingsNotFoundError):
        store.settings.get(ANA_ELSEWHERE, saved.public_id)
    with pytest.raises(SettingsRefusedError, match="only they may change it"):
        store.settings.update(BEN, saved.public_id, version=saved.version, name="Mine now")
    with pytest.raises(SettingsRefusedError):
        store.settings.delete(BEN, saved.public_id)


def test_rename_update_share_and_delete(store: Store) -> None:
    saved = _save(store)
    renamed = store.settings.update(ANA, saved.public_id, version=saved.version, name="  Bad  ")
    assert (renamed.name, renamed.version) == ("Bad", 2)
    updated = store.settings.update(
        ANA, saved.public_id, version=renamed.version, settings={"page_size": 100}, shared=True
    )
    assert updated.settings == {"page_size": 100}
    assert updated.shared
    store.settings.delete(ANA, saved.public_id)
    with pytest.raises(SettingsNotFoundError):
        store.settings.get(ANA, saved.public_id)


def test_names_are_unique_per_owner_and_campaign(store: Store) -> None:
    _save(store)
    with pytest.raises(SettingsRefusedError, match="already have a view named"):
        _save(store, name="rejected")
    _save(store, BEN, name="Rejected")  # Ben's own
    with pytest.raises(SettingsRefusedError, match="empty"):
        _save(store, name="   ")
    with pytest.raises(SettingsRefusedError, match="at most"):
        _save(store, name="x" * 500)


def test_a_stale_save_is_refused_with_the_current_view(store: Store) -> None:
    saved = _save(store)
    first = store.settings.update(
        ANA, saved.public_id, version=saved.version, settings={"page_size": 10}
    )
    with pytest.raises(SettingsConflictError) as caught:
        store.settings.update(
            ANA, saved.public_id, version=saved.version, settings={"page_size": 99}
        )
    assert caught.value.current.settings == {"page_size": 10}
    assert caught.value.current.version == first.version
    assert store.settings.get(ANA, saved.public_id).settings == {"page_size": 10}


def test_a_default_per_user_per_campaign(store: Store) -> None:
    mine = _save(store)
    shared = _save(store, BEN, shared=True, name="Ben's")
    assert store.settings.default(ANA, kind=KIND, campaign_id=3) is None
    store.settings.set_default(ANA, mine.public_id)
    store.settings.set_default(ANA, shared.public_id)  # replaces the first
    default = store.settings.default(ANA, kind=KIND, campaign_id=3)
    assert default is not None and default.public_id == shared.public_id
    assert store.settings.default(BEN, kind=KIND, campaign_id=3) is None
    assert store.settings.default(ANA, kind=KIND, campaign_id=4) is None
    store.settings.update(BEN, shared.public_id, version=shared.version, shared=False)
    assert store.settings.default(ANA, kind=KIND, campaign_id=3) is None  # no longer visible
    store.settings.set_default(ANA, mine.public_id)
    store.settings.delete(ANA, mine.public_id)
    assert store.settings.default(ANA, kind=KIND, campaign_id=3) is None


def test_settings_of_another_kind_and_no_campaign(store: Store) -> None:
    audit = store.settings.create(
        ANA, kind="audit.settings", campaign_id=None, name="Weekly", settings={"days": 7}
    )
    assert store.settings.visible(ANA, kind=KIND) == ()
    assert [s.name for s in store.settings.visible(ANA, kind="audit.settings")] == ["Weekly"]
    store.settings.set_default(ANA, audit.public_id)
    default = store.settings.default(ANA, kind="audit.settings", campaign_id=None)
    assert default is not None and default.settings == {"days": 7}
