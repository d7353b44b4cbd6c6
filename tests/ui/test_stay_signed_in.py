"""Kept sign-ins through AppTest (what one tab does; tabs together are in the browser test):
a sign-in is kept for the browser with only the reference's hash and sealed tokens stored,
the reference is sent to the browser once and never shown, a sign-out elsewhere or a
revoked sign-in shows the sign-in page at the next run, an unusable database is one line
and the app goes on, and a shared login keeps nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lib.connect import SANDBOX_PASSWORD
from lib.convertr.session import SignedIn, SignedOut
from lib.store.schema import signin_sessions
from lib.store.sessions import reference_hash
from lib.ui import keys, pages, workspace
from tests.support.apptest import app_at, texts
from tests.ui.test_signin import enter_code, is_sign_in_page, sign_in
from tests.ui.test_signin_sandbox import SANDBOX_MFA_CODE, enterprise  # noqa: F401


def kept_rows() -> list[Any]:
    engine = sa.create_engine(os.environ["LEADLENS_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(sa.select(signin_sessions).order_by(signin_sessions.c.id)).all()
    engine.dispose()
    return list(rows)


def cookie_writers(at: Any) -> list[Any]:
    """Every cookie writer this run sent to the browser (its element's message)."""

    def walk(node: Any) -> Iterator[Any]:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)
        yield node

    return [
        node.proto
        for node in walk(at._tree)
        if getattr(node, "type", None) == "bidi_component"
        and node.proto.component_name.endswith("leadlens_signin_cookie")
    ]


def page_text(at: Any) -> str:
    return texts(at.main, unescaped=True) + texts(at.sidebar, unescaped=True)


def test_the_sandbox_visitor_is_kept_with_only_a_hash_and_sealed_tokens() -> None:
    at = app_at(pages.LEAD, lead="100001").run()
    assert not at.exception
    state = at.session_state[keys.IDENTITY]
    assert isinstance(state, SignedIn)
    (row,) = kept_rows()
    (writer,) = cookie_writers(at)
    written = json.loads(writer.json)
    reference = written["value"]
    assert written["name"] == "leadlens_signin"
    assert row.reference_hash == reference_hash(reference)
    assert row.public_id == state.identity.signin_id
    assert state.identity.stable_id == f"Sandbox|user:{row.user_id}"
    assert row.revoked_at is None
    tokens = state.identity.client.held_tokens()
    assert tokens is not None
    stored = " ".join(str(value) for value in row)
    assert tokens.access_token not in stored
    assert reference not in stored
    assert reference not in page_text(at)
    assert reference not in str(dict(at.query_params))


def test_the_cookie_is_written_once_after_the_page_and_without_a_rerun() -> None:
    """Drawn in the sign-in's run after the page (a new visitor's page is not interrupted),
    forgotten when that run ends: the next run neither sends the reference nor holds it."""
    at = app_at(pages.LEAD, lead="100001").run()
    (writer,) = cookie_writers(at)
    for rerun in ("setTriggerValue", "setStateValue"):
        assert rerun not in writer.js_content, "a confirmation would rerun the whole page"
    assert texts(at.main), "the page drawn in the same run"
    assert keys.SIGNIN_COOKIE not in at.session_state
    at.run()
    assert cookie_writers(at) == []
    reference = json.loads(writer.json)["value"]
    assert all(reference not in str(at.session_state[key]) for key in at.session_state)


def test_the_mfa_user_is_kept_after_the_code(enterprise: Path) -> None:  # noqa: F811
    at = app_at(pages.LEAD, lead="100001").run()
    sign_in(at, "mfa@sandbox.test", SANDBOX_PASSWORD)
    assert kept_rows() == [], "nothing kept before the second factor"
    enter_code(at, SANDBOX_MFA_CODE)
    (row,) = kept_rows()
    assert row.email == "mfa@sandbox.test"
    assert row.source == "https://sandbox-enterprise.example"


def test_signing_out_revokes_the_kept_sign_in() -> None:
    at = app_at().run()
    at.button(key=keys.SIGN_OUT).click().run()
    assert is_sign_in_page(at)
    (row,) = kept_rows()
    assert row.revoked_at is not None
    assert row.sealed_tokens == ""


def test_a_sign_out_in_another_tab_shows_the_sign_in_page_at_the_next_run() -> None:
    at = app_at(pages.LEADS, campaign="1").run()
    (row,) = kept_rows()
    engine = sa.create_engine(os.environ["LEADLENS_DATABASE_URL"])
    with engine.begin() as connection:  # what another tab's Sign out does
        connection.execute(signin_sessions.update().values(revoked_at=1.0, sealed_tokens=""))
    engine.dispose()
    at.run()
    assert not at.exception
    assert is_sign_in_page(at)
    state = at.session_state[keys.IDENTITY]
    assert isinstance(state, SignedOut) and state.reason == "ended"
    assert "You were signed out (in another tab" in texts(at.main)
    assert row.public_id not in page_text(at)


def test_switching_demo_user_replaces_the_kept_sign_in() -> None:
    at = app_at().run()
    at.selectbox(key=keys.DEMO_USER).select("masked@sandbox.test").run()
    assert not at.exception
    first, second = kept_rows()
    assert first.revoked_at is not None
    assert (second.email, second.revoked_at) == ("masked@sandbox.test", None)


def test_an_unreachable_database_is_one_line_and_the_app_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "LEADLENS_DATABASE_URL", "postgresql+psycopg://leadlens:pw-not-shown@127.0.0.1:1/x"
    )
    workspace._failed.clear()
    at = app_at(pages.LEADS, campaign="1").run()
    assert not at.exception
    assert not is_sign_in_page(at)
    notices = [item.value for item in at.sidebar.caption if "Not saving" in item.value]
    assert len(notices) == 1
    assert "pw-not-shown" not in page_text(at)
    assert "views and recent leads are not kept" in notices[0]
    at.run()
    assert not at.exception


def test_a_shared_login_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERTR_SHARED_LOGIN", "true")
    monkeypatch.setenv("CONVERTR_USERNAME", "analyst@sandbox.test")
    monkeypatch.setenv("CONVERTR_PASSWORD", SANDBOX_PASSWORD)
    at = app_at().run()
    assert not at.exception
    assert "shared account" in texts(at.sidebar)
    assert kept_rows() == []
