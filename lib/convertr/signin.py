"""Sign-in: the one token a client holds, how it gets one (login, MFA), renews it (refresh
token, else the configured password) and ends it (sign-out).

The client holds at most one token at a time, with its expiry and the refresh token the login
gave. It gets one from the configured username and password (the CLI, a shared account) or
from a person signing in (``sign_in``, ``sign_in_with_mfa``); it renews it before expiry with
the refresh token, else with the configured password, else it keeps using it until it ends and
then raises SessionExpiredError: only the person can go on.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from lib.convertr.config import ClientConfig
from lib.convertr.constants import LOGIN_PATH, LOGOUT_PATH, REFRESH_GRANT, TOKEN_RENEWAL_MARGIN
from lib.convertr.errors import (
    AccountLockedError,
    APIError,
    AuthError,
    ConfigurationError,
    ConvertrError,
    InvalidCredentialsError,
    InvalidMfaCodeError,
    LoginThrottledError,
    MfaChallenge,
    MfaRequiredError,
    PasswordExpiredError,
    ResponseFormatError,
    SessionExpiredError,
)
from lib.convertr.hydra import json_or_none, raise_for_status
from lib.convertr.tokens import HeldTokens
from lib.convertr.transport import Sender

logger = logging.getLogger("lib.convertr.client")


def retry_after_seconds(raw: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


class SignIn:
    """The token of one client: thread-safe (one lock around every change of it)."""

    def __init__(self, config: ClientConfig, sender: Sender, clock: Callable[[], float]) -> None:
        self.config = config
        self._sender = sender
        self._clock = clock
        self._auth_lock = threading.Lock()
        self._token: str | None = config.token.get_secret_value() if config.token else None
        self._token_expires_at: float | None = None
        """When the token ends on the client's clock (renewed TOKEN_RENEWAL_MARGIN before)."""
        self._refresh_token: str | None = None
        self._signed_in_as: str | None = None
        self.on_tokens_renewed: Callable[[HeldTokens], None] | None = None
        """Called (auth lock held) with the new tokens after a refresh renewed them, so a
        sign-in shared by several tabs keeps the rotated refresh token."""

    def _held(self) -> HeldTokens | None:
        if self._token is None or self._signed_in_as is None:
            return None
        expires_at = (
            None
            if self._token_expires_at is None
            else time.time() + (self._token_expires_at - self._clock())
        )
        return HeldTokens(
            username=self._signed_in_as,
            access_token=self._token,
            refresh_token=self._refresh_token,
            expires_at=expires_at,
        )

    def held_tokens(self) -> HeldTokens | None:
        """The tokens of a person's sign-in (None before one), to keep for other tabs."""
        with self._auth_lock:
            return self._held()

    def hold_tokens(self, tokens: HeldTokens) -> None:
        """Take over a sign-in kept elsewhere (another tab, another replica): its tokens, as
        if this client had signed in."""
        with self._auth_lock:
            self._token = tokens.access_token
            self._refresh_token = tokens.refresh_token
            self._token_expires_at = (
                None
                if tokens.expires_at is None
                else self._clock() + (tokens.expires_at - time.time())
            )
            self._signed_in_as = tokens.username

    @property
    def can_login(self) -> bool:
        """Whether a new token can be had without asking anyone (refresh token or password)."""
        return self._refresh_token is not None or self._has_password

    @property
    def _has_password(self) -> bool:
        return self.config.username is not None and self.config.password is not None

    def _token_is_fresh(self, margin: float) -> bool:
        if self._token is None:
            return False
        return self._token_expires_at is None or self._clock() < self._token_expires_at - margin

    def bearer_token(self) -> str:
        with self._auth_lock:
            if self._token is not None and self._token_is_fresh(TOKEN_RENEWAL_MARGIN):
                return self._token
            if self._refresh_token is not None and self._renew_with_refresh_token():
                assert self._token is not None
                return self._token
            if self._has_password:
                self._login()
                assert self._token is not None
                return self._token
            if self._token is not None and self._token_is_fresh(0.0):
                return self._token  # no way to renew: use it until it ends
            if self._signed_in_as is not None:
                raise SessionExpiredError(
                    f"the token of {self._signed_in_as!r} at {self._sender.display_name} has "
                    "expired and there is no refresh token or password to renew it"
                )
            raise ConfigurationError(
                "no way to sign in: expected a token or a username and password"
            )

    def authenticate(self) -> None:
        """Sign in now unless a valid token is held (raises AuthError, TransportError, ...);
        renews a token about to expire, so a page can call it before it starts loading."""
        self.bearer_token()

    @property
    def signed_in_as(self) -> str | None:
        """The username this client signed in as (``sign_in``), or None."""
        return self._signed_in_as

    def forget_token(self, token: str) -> None:
        with self._auth_lock:
            # Another thread may already have renewed it: only drop the token that failed.
            if self._token == token:
                self._token = None
                self._token_expires_at = None

    def sign_in(self, username: str, password: str) -> None:
        """Sign in as a person: POST /api/login (never retried) and hold the token.

        Raises MfaRequiredError with the ``challenge`` that ``sign_in_with_mfa`` finishes;
        InvalidCredentialsError, PasswordExpiredError, AccountLockedError,
        LoginThrottledError, TransportError for the other outcomes. Nothing of the password
        is kept after a successful sign-in.
        """
        with self._auth_lock:
            self._post_login({"username": username, "password": password}, username)

    def sign_in_with_mfa(self, challenge: MfaChallenge, code: str) -> None:
        """The second step of an MFA sign-in: the same form with the ``mfa_token`` and the
        person's ``mfa_code``. A wrong code raises InvalidMfaCodeError (its new challenge, if
        the server sent one, replaces the old one: see ``MfaRequiredError``)."""
        form = {
            "username": challenge.username,
            "password": challenge.password.get_secret_value(),
            "mfa_token": challenge.mfa_token.get_secret_value(),
            "mfa_code": code,
        }
        with self._auth_lock:
            self._post_login(form, challenge.username, mfa_step=True)

    def sign_out(self) -> bool:
        """Forget the token and end it on the server (POST /api/logout, assumed). True when
        the server confirmed; a server without the endpoint (404/405) or that cannot be
        reached leaves the token to expire there, and the client forgets it all the same."""
        with self._auth_lock:
            token = self._token
            self._token = self._refresh_token = self._token_expires_at = None
            self._signed_in_as = None
        if token is None:
            return False
        try:
            response = self._sender.send(
                "POST", LOGOUT_PATH, headers={"Authorization": f"Bearer {token}"}
            )
        except ConvertrError as error:
            logger.warning("sign-out not confirmed by %s: %s", self._sender.display_name, error)
            return False
        if response.status_code in (404, 405):
            logger.info(
                "%s has no %s: the token is only forgotten", self._sender.display_name, LOGOUT_PATH
            )
            return False
        if response.is_error:
            logger.warning(
                "sign-out not confirmed by %s: status %s",
                self._sender.display_name,
                response.status_code,
            )
            return False
        return True

    def _login(self) -> None:
        """Sign in with the configured username and password; called with the auth lock held."""
        assert self.config.username is not None and self.config.password is not None
        form = {
            "username": self.config.username,
            "password": self.config.password.get_secret_value(),
        }
        self._post_login(form, self.config.username)

    def _renew_with_refresh_token(self) -> bool:
        """Swap the refresh token for a new token (auth lock held). False when the server
        refuses it: the refresh token is then dropped and the caller falls back."""
        assert self._refresh_token is not None
        username = self._signed_in_as or self.config.username or "the signed-in user"
        form = {"grant_type": REFRESH_GRANT, "refresh_token": self._refresh_token}
        try:
            self._post_login(form, username)
        except (AuthError, APIError, ResponseFormatError) as error:
            # A server without refresh grants answers 400; an old refresh token, 400 or 401.
            logger.info("token renewal refused at %s: %s", self._sender.display_name, error)
            self._refresh_token = None
            return False
        held = self._held()
        if self.on_tokens_renewed is not None and held is not None:
            self.on_tokens_renewed(held)
        return True

    def _post_login(
        self, form: Mapping[str, str], username: str, *, mfa_step: bool = False
    ) -> None:
        """POST /api/login (never retried) and hold the token it gives; auth lock held."""
        response = self._sender.send("POST", LOGIN_PATH, data=form)
        body = json_or_none(response)
        where = f"POST {LOGIN_PATH} at {self._sender.display_name}"
        if response.status_code == 429:
            # Whatever the body (a proxy may answer this one): the account is throttled.
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            wait = f"{retry_after:g} s" if retry_after is not None else "an unstated time"
            raise LoginThrottledError(
                f"{where}: sign-in for {username!r} refused for {wait} after repeated failures",
                retry_after=retry_after,
            )
        if not isinstance(body, dict):
            raise ResponseFormatError(
                f"{where}: expected a JSON login answer, got "
                f"{response.headers.get('content-type', 'no content type')} with status "
                f"{response.status_code}: is this the address of a Convertr v4 API?",
                user_message="The configured address does not look like a Convertr v4 API.",
            )
        self._raise_for_login_refusal(response, body, form, username, where, mfa_step=mfa_step)
        token = body.get("access_token")
        expires_in = body.get("expires_in")
        refresh_token = body.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise ResponseFormatError(
                f"{where}: expected 'access_token' in the login answer, got keys {sorted(body)}"
            )
        self._token = token
        self._token_expires_at = (
            self._clock() + float(expires_in) if isinstance(expires_in, int | float) else None
        )
        self._refresh_token = (
            refresh_token if isinstance(refresh_token, str) and refresh_token else None
        )
        self._signed_in_as = username

    def _raise_for_login_refusal(
        self,
        response: httpx.Response,
        body: dict[str, Any],
        form: Mapping[str, str],
        username: str,
        where: str,
        *,
        mfa_step: bool,
    ) -> None:
        """The AuthError (or APIError) of a login answer that gives no usable token."""
        error_code = body.get("error")
        description = body.get("error_description")
        status = response.status_code
        if error_code == "Mfa Required":
            challenge = self._mfa_challenge(body, form, username)
            if mfa_step:
                raise InvalidMfaCodeError(
                    f"{where}: the MFA code for {username!r} was not accepted ({description})"
                )
            raise MfaRequiredError(
                f"{where}: the account {username!r} requires MFA ({description})",
                challenge=challenge,
            )
        if status == 423 or error_code in ("account_locked", "locked"):
            raise AccountLockedError(f"{where}: the account {username!r} is locked ({description})")
        if status in (400, 401) and error_code in ("invalid_grant", "invalid_request"):
            error_class = InvalidMfaCodeError if mfa_step else InvalidCredentialsError
            raise error_class(
                f"{where}: login as {username!r} rejected: {error_code}: {description}"
            )
        if response.is_error:
            raise_for_status(response, "POST", LOGIN_PATH, body)
        if body.get("password_expired") is True:
            raise PasswordExpiredError(f"{where}: the password of {username!r} has expired")

    @staticmethod
    def _mfa_challenge(
        body: dict[str, Any], form: Mapping[str, str], username: str
    ) -> MfaChallenge | None:
        mfa_token = body.get("mfa_token")
        password = form.get("password")
        if not isinstance(mfa_token, str) or not mfa_token or password is None:
            return None
        description = body.get("error_description")
        return MfaChallenge(
            username=username,
            password=SecretStr(password),
            mfa_token=SecretStr(mfa_token),
            description=description if isinstance(description, str) else None,
        )
