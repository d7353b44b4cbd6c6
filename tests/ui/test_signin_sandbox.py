"""The sign-in page against the sandbox's own accounts, with no fake in between: the
`mfa@sandbox.test` second step with the sandbox's fixed code, `expired@sandbox.test`, and
throttling after repeated wrong passwords (docs/api.md, "Sign-in"). The app runs in its
per-visitor mode: the sandbox is served over the WSGI transport at an enterprise URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.connect import SANDBOX_PASSWORD, injected, sandbox_transport
from lib.ui import keys, pages
from lib.views.identity import WRONG_CODE
from tests.support.apptest import app_at, tab, texts
from tests.ui.test_signin import enter_code, error_lines, is_sign_in_page, sign_in

SANDBOX_MFA_CODE = "123456"
"""The sandbox's fixed code (a documented convenience, not a secret)."""


@pytest.fixture
def enterprise(writable_db: Path, ui_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every client the app creates talks to one sandbox app, at an enterprise URL."""
    monkeypatch.setenv("CONVERTR_BASE_URL", "https://sandbox-enterprise.example")
    sandbox = sandbox_transport(writable_db)
    with injected(lambda _config: sandbox, max_retries=0):
        yield writable_db


def test_the_sandbox_mfa_user_signs_in_with_the_code(enterprise: Path) -> None:
    at = app_at(pages.LEAD, lead="100001").run()
    assert is_sign_in_page(at)
    sign_in(at, "mfa@sandbox.test", SANDBOX_PASSWORD)
    assert at.text_input(key=keys.SIGNIN_CODE), "the sandbox asked for the second factor"
    enter_code(at, "000000")
    assert error_lines(at) == [WRONG_CODE]
    enter_code(at, SANDBOX_MFA_CODE)
    assert not is_sign_in_page(at)
    assert tab(at, "Edit Data"), "the lead the link asked for"
    assert "mfa@sandbox.test" in texts(at.sidebar, unescaped=True)
    assert SANDBOX_MFA_CODE not in texts(at.main, unescaped=True)


def test_the_sandbox_expired_user_is_told_to_change_the_password(enterprise: Path) -> None:
    at = app_at().run()
    sign_in(at, "expired@sandbox.test", SANDBOX_PASSWORD)
    assert is_sign_in_page(at)
    (line,) = error_lines(at)
    assert "expired" in line.lower()
    assert at.text_input(key=keys.SIGNIN_PASSWORD).value == ""


def test_repeated_wrong_passwords_are_throttled_with_a_time_to_try_again(
    enterprise: Path,
) -> None:
    at = app_at().run()
    for _ in range(5):
        sign_in(at, "viewer@sandbox.test", "wrong-password")
    sign_in(at, "viewer@sandbox.test", SANDBOX_PASSWORD)
    assert is_sign_in_page(at), "locked even with the right password"
    (line,) = error_lines(at)
    assert "try again" in line.lower()
