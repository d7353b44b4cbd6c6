"""Sign-ins kept for every tab: the reference only hashed, the tokens sealed, one sign-out or
the idle timeout ends it for all, and nothing forged opens it."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from lib.store import SignInNotFoundError, Store, open_store
from lib.store.schema import signin_sessions
from lib.store.sessions import MAX_SIGN_IN_SECONDS
from tests.store.conftest import FakeClock

TOKENS = {"access_token": "access-XYZ-123", "refresh_token": "refresh-ABC-456", "expires_at": 1.0}
USER = {"id": 7, "email": "mfa@sandbox.test", "name": "Mia"}
IDLE = 1800.0


def _create(store: Store) -> str:
    reference, _stored = store.sessions.create(
        source="Sandbox", user_id=7, email="mfa@sandbox.test", user=USER, tokens=TOKENS
    )
    return reference


def test_a_reference_finds_its_sign_in_with_its_tokens(store: Store) -> None:
    reference = _create(store)
    found = store.sessions.find(reference, idle_seconds=IDLE)
    assert found.email == "mfa@sandbox.test"
    assert found.user == USER
    assert found.tokens == TOKENS
    assert "access-XYZ" not in repr(found)


def test_the_database_holds_no_reference_and_no_token_in_clear(store: Store) -> None:
    reference = _create(store)
    with store.engine.connect() as connection:
        row = connection.execute(sa.select(signin_sessions)).one()
    dumped = " ".join(str(value) for value in row)
    assert reference not in dumped
    assert "access-XYZ-123" not in dumped
    assert "refresh-ABC-456" not in dumped
    assert row.reference_hash == hashlib.sha256(reference.encode()).hexdigest()


def test_a_stolen_database_without_the_key_opens_nothing(store_url: str, store: Store) -> None:
    reference = _create(store)
    thief = open_store(store_url, (Fernet.generate_key().decode(),))
    with pytest.raises(SignInNotFoundError):
        thief.sessions.find(reference, idle_seconds=IDLE)
    thief.close()


def test_sealed_tokens_moved_to_another_row_do_not_open(store: Store) -> None:
    mine = _create(store)
    other = _create(store)
    with store.engine.begin() as connection:
        rows = connection.execute(sa.select(signin_sessions).order_by(signin_sessions.c.id)).all()
        connection.execute(
            signin_sessions.update()
            .where(signin_sessions.c.id == rows[1].id)
            .values(sealed_tokens=rows[0].sealed_tokens)
        )
    assert store.sessions.find(mine, idle_seconds=IDLE).tokens == TOKENS
    with pytest.raises(SignInNotFoundError):
        store.sessions.find(other, idle_seconds=IDLE)


@pytest.mark.parametrize("forged", ["", "x", "A" * 43, "A" * 5000])
def test_a_forged_reference_finds_nothing(store: Store, forged: str) -> None:
    _create(store)
    with pytest.raises(SignInNotFoundError):
        store.sessions.find(forged, idle_seconds=IDLE)


def test_signing_out_ends_the_sign_in_for_every_tab(store: Store) -> None:
    reference = _create(store)
    stored = store.sessions.find(reference, idle_seconds=IDLE)
    store.sessions.revoke(stored.public_id)
    with pytest.raises(SignInNotFoundError):
        store.sessions.find(reference, idle_seconds=IDLE)
    with pytest.raises(SignInNotFoundError):
        store.sessions.check(stored.public_id, idle_seconds=IDLE)
    with store.engine.connect() as connection:
        assert connection.execute(sa.select(signin_sessions.c.sealed_tokens)).scalar_one() == ""


def test_the_idle_timeout_counts_from_the_last_run_of_any_tab(
    store: Store, clock: FakeClock
) -> None:
    reference = _create(store)
    stored = store.sessions.find(reference, idle_seconds=IDLE)
    clock.advance(IDLE - 60)
    store.sessions.check(stored.public_id, idle_seconds=IDLE)  # another tab's run
    clock.advance(IDLE - 60)
    assert store.sessions.find(reference, idle_seconds=IDLE).public_id == stored.public_id
    clock.advance(IDLE + 1)
    with pytest.raises(SignInNotFoundError):
        store.sessions.check(stored.public_id, idle_seconds=IDLE)
    with pytest.raises(SignInNotFoundError):  # ended for good, not only for that run
        store.sessions.find(reference, idle_seconds=IDLE * 100)


def test_a_sign_in_ends_after_its_longest_life_however_active(
    store: Store, clock: FakeClock
) -> None:
    reference = _create(store)
    for _ in range(int(MAX_SIGN_IN_SECONDS // 1000) + 1):
        clock.advance(1000)
        try:
            store.sessions.find(reference, idle_seconds=IDLE)
        except SignInNotFoundError:
            break
    else:
        pytest.fail("the sign-in outlived MAX_SIGN_IN_SECONDS")
    assert clock.now - 1_800_000_000.0 > MAX_SIGN_IN_SECONDS


def test_renewed_tokens_reach_every_tab_with_a_new_version(store: Store) -> None:
    reference = _create(store)
    stored = store.sessions.find(reference, idle_seconds=IDLE)
    renewed = {**TOKENS, "access_token": "access-NEW"}
    version = store.sessions.save_tokens(stored.public_id, renewed)
    assert version == stored.token_version + 1
    assert store.sessions.check(stored.public_id, idle_seconds=IDLE) == version
    assert store.sessions.reload(stored.public_id).tokens == renewed
    assert store.sessions.find(reference, idle_seconds=IDLE).tokens == renewed


def test_purge_deletes_sign_ins_ended_long_ago(store: Store, clock: FakeClock) -> None:
    reference = _create(store)
    stored = store.sessions.find(reference, idle_seconds=IDLE)
    store.sessions.revoke(stored.public_id)
    _create(store)
    clock.advance(31 * 24 * 3600)
    assert store.sessions.purge() == 2
