"""What the sign-in page and the sidebar say: one line per problem (when to retry counted
from the refusal), the demo users' cards, the shared-account banner."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from lib.convertr.errors import (
    ConnectError,
    ConvertrError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    LoginThrottledError,
    PasswordExpiredError,
)
from lib.convertr.session import SignInProblem
from lib.views.identity import (
    WRONG_CODE,
    WRONG_PASSWORD,
    demo_user_cards,
    problem_line,
    signed_out_line,
)

FAILED_AT = 1_700_000_000.0  # 22:13:20 UTC


def line(error: ConvertrError, now: float = FAILED_AT, zone: timezone = UTC) -> str:
    problem = SignInProblem(error=error, at=FAILED_AT)
    return problem_line(problem, source="https://acme.cvtr.io", now=now, zone=zone)


def test_wrong_password_and_wrong_code_are_different_lines() -> None:
    assert line(InvalidCredentialsError("x")) == WRONG_PASSWORD
    assert line(InvalidMfaCodeError("x")) == WRONG_CODE


@pytest.mark.parametrize(
    ("waited", "expected"),
    [
        (0, "try again in 5 minutes (at 22:18:20)"),
        (250, "try again in 50 seconds (at 22:18:20)"),
        (301, "you may try again now"),
    ],
)
def test_throttling_counts_down_from_the_refusal(waited: float, expected: str) -> None:
    error = LoginThrottledError("x", retry_after=300)
    assert expected in line(error, now=FAILED_AT + waited)


def test_throttling_time_is_in_the_viewers_zone() -> None:
    error = LoginThrottledError("x", retry_after=60)
    assert "(at 23:14:20)" in line(error, zone=timezone(timedelta(hours=1)))


def test_an_unreachable_server_names_where() -> None:
    assert line(ConnectError("refused")).startswith("Could not reach Convertr at https://acme")


def test_expired_password_line() -> None:
    assert "change it on the Convertr platform" in line(PasswordExpiredError("x"))


def test_why_the_sign_in_page_is_shown() -> None:
    assert signed_out_line("idle", 30) == "You were signed out after 30 minutes without activity."
    assert signed_out_line("start", 30) is None


def test_demo_cards_say_what_each_role_may_do() -> None:
    from lib.connect import demo_catalogue

    catalogue = demo_catalogue()
    cards = {
        card.email: card
        for card in demo_user_cards(catalogue.users, catalogue.role_permissions, catalogue.notes)
    }
    assert "Needs a code" in cards["mfa@sandbox.test"].note
    assert "123456" in cards["mfa@sandbox.test"].note
    assert "password has expired" in cards["expired@sandbox.test"].note
    assert cards["analyst@sandbox.test"].note == ""
    assert len(cards) == len(catalogue.users)
    assert cards["admin@sandbox.test"].may == (
        "Sees leads, edits lead values, edits delivered leads too, reads provider logs"
    )
    assert cards["viewer@sandbox.test"].may == "Sees leads, reads provider logs"
    assert "no provider logs" in cards["masked@sandbox.test"].may
    assert cards["masked@sandbox.test"].role == "Masked viewer"
