"""The sign-in page, drawn in place of any page's body (so a deep link keeps its page and
query): email and password, the MFA code, the sandbox's demo users, one line per problem.

It only draws. What a button does is the frame's sign-in code path, passed in as callbacks, so
the form, the demo users' buttons and the sidebar switcher all sign in the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

import streamlit as st

from lib.convertr.errors import AuthError
from lib.convertr.session import AwaitingCode, SessionExpired, SignedOut, SignInProblem
from lib.presentation import escape_markdown
from lib.ui import keys, widgets
from lib.views.identity import (
    EXPIRED_LINE,
    DemoUserCard,
    problem_line,
    signed_out_line,
)

SignInPageState = SignedOut | AwaitingCode | SessionExpired


@dataclass(frozen=True)
class SignInActions:
    """The frame's sign-in code path, as the page's buttons call it."""

    submit_password: Callable[[], None]
    """Reads `keys.SIGNIN_EMAIL` and `keys.SIGNIN_PASSWORD` (and empties the password)."""
    submit_code: Callable[[], None]
    """Reads `keys.SIGNIN_CODE` (and empties it)."""
    start_over: Callable[[], None]
    sign_in_as_demo_user: Callable[[str], None]
    try_again: Callable[[], None] | None = None
    """Repeats the automatic sign-in (the sandbox) after a server or network problem."""


@dataclass(frozen=True)
class SignInContext:
    source: str
    """Where the visitor signs in: ``Sandbox`` or the enterprise's URL."""
    zone: tzinfo
    idle_minutes: float
    demo_users: Sequence[DemoUserCard]
    """The sandbox's demo users (empty for a real enterprise)."""


def _problem(problem: SignInProblem | None, context: SignInContext) -> None:
    if problem is not None:
        line = problem_line(problem, source=context.source, now=time.time(), zone=context.zone)
        st.error(line, icon=":material/error:")


def _password_form(actions: SignInActions, *, email: str | None) -> None:
    """Email (unless it is fixed: an expired session) and password; the email typed stays
    after a failed attempt, the password never does."""
    with st.form(keys.SIGNIN_FORM, clear_on_submit=False, border=True):
        if email is None:
            st.text_input("Email", key=keys.SIGNIN_EMAIL, autocomplete="username")
        else:
            st.markdown(f"**Email**  \n{escape_markdown(email)}")
        st.text_input(
            "Password", type="password", key=keys.SIGNIN_PASSWORD, autocomplete="current-password"
        )
        st.form_submit_button(
            "Sign in", key=keys.SIGNIN_SUBMIT, type="primary", on_click=actions.submit_password
        )


def _demo_users(actions: SignInActions, cards: Sequence[DemoUserCard]) -> None:
    st.markdown("## Or try the sandbox as one of its demo users")
    for card in cards:
        left, right = st.columns([1, 2], vertical_alignment="center")
        left.button(
            f"{card.name} · {card.role}",
            key=keys.signin_demo_user(card.email),
            on_click=actions.sign_in_as_demo_user,
            args=(card.email,),
            width="stretch",
        )
        # Text, not a caption: Markdown turns the email into a link, and the link colour at
        # a caption's opacity was 2.96:1 on white (axe color-contrast); at full opacity the
        # theme's link colour passes AA.
        right.markdown(f"{escape_markdown(card.email)}: {escape_markdown(card.may)}.")
        if card.note:
            right.caption(f"**{escape_markdown(card.note)}.**")


def _signed_out(state: SignedOut, actions: SignInActions, context: SignInContext) -> None:
    line = signed_out_line(state.reason, context.idle_minutes)
    if line is not None:
        st.info(line, icon=":material/logout:")
    _problem(state.problem, context)
    if (
        actions.try_again is not None
        and state.problem is not None
        and not isinstance(state.problem.error, AuthError)
    ):
        # Not a refusal of who the user is: the server or the network failed, so the same
        # sign-in may work a moment later.
        st.button(
            "Try again",
            key=keys.SIGNIN_TRY_AGAIN,
            on_click=actions.try_again,
            icon=":material/refresh:",
        )
    if keys.SIGNIN_EMAIL not in st.session_state and state.email:
        st.session_state[keys.SIGNIN_EMAIL] = state.email
    widgets.hold(keys.SIGNIN_EMAIL)
    _password_form(actions, email=None)
    if context.demo_users:
        _demo_users(actions, context.demo_users)


def _awaiting_code(state: AwaitingCode, actions: SignInActions, context: SignInContext) -> None:
    st.markdown(
        f"Signing in as **{escape_markdown(state.email)}**. Enter the code from your "
        "authenticator app."
    )
    _problem(state.problem, context)
    with st.form(keys.SIGNIN_CODE_FORM, clear_on_submit=False, border=True):
        st.text_input("Code", key=keys.SIGNIN_CODE, max_chars=12, autocomplete="one-time-code")
        st.form_submit_button(
            "Verify", key=keys.SIGNIN_CODE_SUBMIT, type="primary", on_click=actions.submit_code
        )
    st.button("Start over", key=keys.SIGNIN_START_OVER, on_click=actions.start_over)


def _expired(state: SessionExpired, actions: SignInActions, context: SignInContext) -> None:
    st.warning(f"{EXPIRED_LINE} What you were doing is kept.", icon=":material/lock_clock:")
    _problem(state.problem, context)
    _password_form(actions, email=state.identity.email)
    st.button("Sign in as someone else", key=keys.SIGNIN_START_OVER, on_click=actions.start_over)


def render(state: SignInPageState, actions: SignInActions, context: SignInContext) -> None:
    """The sign-in page for this state, in the page body's place."""
    st.title("Sign in to Lead Lens")
    st.caption(f"Convertr at {escape_markdown(context.source)}")
    if isinstance(state, AwaitingCode):
        _awaiting_code(state, actions, context)
    elif isinstance(state, SessionExpired):
        _expired(state, actions, context)
    else:
        _signed_out(state, actions, context)
