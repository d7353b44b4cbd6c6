"""What the sign-in page and the sidebar say about who is signed in: one clear line per
sign-in problem, the shared-account banner, the demo users' cards. Pure text, no secrets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Final

from lib.convertr.errors import (
    AccountLockedError,
    ConvertrError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    LoginThrottledError,
    MfaRequiredError,
    PasswordExpiredError,
    SessionExpiredError,
    TransportError,
)
from lib.convertr.session import Identity, SignInProblem, SignOutReason
from lib.presentation import role_label

WRONG_PASSWORD: Final = "Wrong email or password. Check both and try again."
WRONG_CODE: Final = "That code was not accepted: enter the current code from your authenticator."
MFA_WITHOUT_TOKEN: Final = (
    "This account needs a second factor, but the server sent no MFA token to continue with."
)
PERMISSION_PHRASES: Final[Mapping[str, str]] = {
    "leads.view": "sees leads",
    "leads.edit": "edits lead values",
    "leads.edit_delivered": "edits delivered leads too",
    "logs.provider.view": "reads provider logs",
}
"""What a demo role's permissions let it do, in the order a card lists them."""
MASKED_ROLE_NOTE: Final = "personal values masked, no provider logs"


def _clock_time(moment: float, zone: tzinfo) -> str:
    return datetime.fromtimestamp(moment, UTC).astimezone(zone).strftime("%H:%M:%S")


def throttled_line(error: LoginThrottledError, failed_at: float, now: float, zone: tzinfo) -> str:
    """When to try again, counted from the refusal (not from this rerun)."""
    if error.retry_after is None:
        return "Too many failed sign-ins for this account: wait a few minutes, then try again."
    retry_at = failed_at + error.retry_after
    left = max(retry_at - now, 0.0)
    if left <= 0:
        return "Too many failed sign-ins for this account earlier: you may try again now."
    minutes = math.ceil(left / 60)
    wait = f"{math.ceil(left)} seconds" if left < 60 else f"{minutes} minute{'s' * (minutes > 1)}"
    return (
        f"Too many failed sign-ins for this account: try again in {wait} "
        f"(at {_clock_time(retry_at, zone)})."
    )


def problem_line(problem: SignInProblem, *, source: str, now: float, zone: tzinfo) -> str:
    """One clear line for what went wrong with a sign-in attempt (never a secret)."""
    error = problem.error
    return _error_line(error, problem.at, source=source, now=now, zone=zone)


def _error_line(
    error: ConvertrError, failed_at: float, *, source: str, now: float, zone: tzinfo
) -> str:
    if isinstance(error, InvalidMfaCodeError):
        return WRONG_CODE
    if isinstance(error, InvalidCredentialsError):
        return WRONG_PASSWORD
    if isinstance(error, LoginThrottledError):
        return throttled_line(error, failed_at, now, zone)
    if isinstance(error, PasswordExpiredError | AccountLockedError):
        return error.user_message
    if isinstance(error, MfaRequiredError):
        return MFA_WITHOUT_TOKEN
    if isinstance(error, TransportError):
        return f"Could not reach Convertr at {source}: {error.user_message}"
    return error.user_message


def signed_out_line(reason: SignOutReason, idle_minutes: float) -> str | None:
    """Why the sign-in page is shown, when it is not simply a new visit."""
    if reason == "idle":
        return f"You were signed out after {idle_minutes:g} minutes without activity."
    if reason == "signed_out":
        return "You are signed out."
    if reason == "ended":
        return "You were signed out (in another tab, or your sign-in ended): sign in again."
    return None


EXPIRED_LINE: Final = SessionExpiredError.default_user_message


@dataclass(frozen=True)
class SidebarIdentity:
    """The sidebar's "Signed in as" block."""

    name: str
    email: str
    role: str
    source: str
    shared: bool


def sidebar_identity(identity: Identity) -> SidebarIdentity:
    user = identity.user
    return SidebarIdentity(
        name=user.name,
        email=user.email,
        role=role_label(user.role),
        source=identity.source,
        shared=identity.shared,
    )


def shared_banner(identity: Identity) -> str:
    """Every page's banner when everyone acts as the configured account."""
    user = identity.user
    return (
        f"Shared account: everyone using this dashboard acts as {user.name} ({user.email}, "
        f"{role_label(user.role)}). Edits are recorded under that name."
    )


@dataclass(frozen=True)
class DemoUserCard:
    """One demo user on the sandbox's sign-in page: a button, and what the role may do."""

    email: str
    name: str
    role: str
    may: str
    note: str = ""
    """What signing in as this user involves besides the role ("Needs a code ..."), or ''."""


def demo_user_cards(
    users: Iterable[tuple[str, str, str]],
    permissions: Mapping[str, tuple[str, ...]],
    notes: Mapping[str, str] | None = None,
) -> tuple[DemoUserCard, ...]:
    """Cards for the sandbox's (email, role, name) catalogue, its role permissions and what
    some users' sign-in involves (`notes`, by email)."""
    cards = []
    for email, role, name in users:
        granted = permissions.get(role, ())
        phrases = [phrase for key, phrase in PERMISSION_PHRASES.items() if key in granted]
        if role == "masked":
            phrases.append(MASKED_ROLE_NOTE)
        may = ", ".join(phrases) or "no permissions"
        cards.append(
            DemoUserCard(
                email=email,
                name=name,
                role=role_label(role),
                may=may[:1].upper() + may[1:],
                note=(notes or {}).get(email, ""),
            )
        )
    return tuple(cards)
