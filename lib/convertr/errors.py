"""The one exception hierarchy of the Convertr v4 client.

Every error the client raises is a ``ConvertrError``; each carries a one-line ``user_message``
for a banner (always one line), and the HTTP errors carry the status, method, URL path and
the server's title and reason, read from whichever spelling the server uses
(``read_error_body``: Hydra, problem+json, OAuth2 or JWT style). No error ever holds a
password or token in its message: the one secret an error carries, an MFA sign-in's
``MfaChallenge``, is an attribute whose repr hides it.

```
ConvertrError
 ├── ConfigurationError          the settings cannot work (no password, bad URL, ...)
 ├── TransportError              no HTTP answer at all
 │    ├── ConnectError           unknown host, refused connection, TLS failure
 │    └── RequestTimeoutError    the server did not answer in time (or by the request deadline)
 ├── AuthError                   POST /api/login did not give a token, or none is left
 │    ├── InvalidCredentialsError    400 invalid_grant / invalid_request
 │    │    └── InvalidMfaCodeError   the second step of an MFA sign-in: the code was wrong
 │    ├── MfaRequiredError           the account needs a second factor: a step, with its
 │    │                              ``MfaChallenge`` (kept private) for ``sign_in_with_mfa``
 │    ├── PasswordExpiredError       the password must be changed on the platform first
 │    ├── AccountLockedError         the platform has locked the account (423, assumed)
 │    ├── LoginThrottledError        too many failed sign-ins: 429, ``retry_after`` seconds
 │    └── SessionExpiredError        the token has expired and cannot be renewed without
 │                                   the person: they must sign in again
 ├── APIError                    an HTTP error answer
 │    ├── RedirectError           3xx: never followed, so the token never goes elsewhere
 │    ├── BadRequestError         400
 │    ├── AuthenticationError     401 (token missing, unknown or expired)
 │    ├── PermissionDeniedError   403
 │    ├── NotFoundError           404
 │    ├── ConflictError           409, with ``current_value``
 │    ├── ValidationError         violations (400 on API Platform 2, 422 later)
 │    ├── RateLimitError          429
 │    └── ServerError             5xx
 ├── ResponseFormatError         the answer is not JSON or does not match the model
 │    ├── ResponseDecodingError   the body cannot be decoded: broken gzip, JSON nested too deep
 │    └── ResponseTooLargeError   the body is larger than MAX_RESPONSE_BYTES
 ├── PaginationError             a collection does not end within the page bound
 ├── DependencyError             a dossier part was not loaded because a part it needs failed
 ├── EmailNotSearchableError     the role sees the email masked and there is no hash to search by
 └── InternalError               a dossier part failed on a bug in Lead Lens (logged with traceback)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, NamedTuple

from pydantic import SecretStr


class Violation(NamedTuple):
    """One entry of a ConstraintViolationList (400 or 422)."""

    property_path: str
    message: str


def _rebuild(cls: type[ConvertrError], message: str, state: dict[str, Any]) -> ConvertrError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ConvertrError(Exception):
    """Base of every error raised by the client."""

    default_user_message: ClassVar[str] = "The Convertr API could not be used."

    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.user_message = one_line(user_message or self.default_user_message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not survive the default Exception pickling, and
        # st.cache_data pickles dossiers that hold errors.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def __str__(self) -> str:
        return self.message


class ConfigurationError(ConvertrError):
    default_user_message = "The Convertr connection settings are not usable."


class TransportError(ConvertrError):
    default_user_message = "The Convertr API could not be reached."


class ConnectError(TransportError):
    default_user_message = "Could not connect to the Convertr API. Check the address."


class RequestTimeoutError(TransportError):
    default_user_message = "The Convertr API did not answer in time. Try again."


class AuthError(ConvertrError):
    default_user_message = "Signing in to Convertr failed."


class InvalidCredentialsError(AuthError):
    default_user_message = "Convertr rejected the username or password."


class InvalidMfaCodeError(InvalidCredentialsError):
    default_user_message = "That code was not accepted: check it and enter the current one."


@dataclass(frozen=True)
class MfaChallenge:
    """The first answer of an MFA sign-in: the second step posts the same form again with
    the code and this ``mfa_token`` (``docs/api.md``, "Login"). Secrets print as stars."""

    username: str
    password: SecretStr = field(repr=False)
    """Posted again with the code ("the same form"); kept only until the second step."""
    mfa_token: SecretStr = field(repr=False)
    description: str | None = None
    """What the server said about the second factor (its ``error_description``)."""


class MfaRequiredError(AuthError):
    """Not a dead end: the sign-in continues with ``challenge`` and the person's code."""

    default_user_message = "Enter the code from your authenticator to finish signing in."

    def __init__(
        self,
        message: str,
        *,
        challenge: MfaChallenge | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(message, user_message=user_message)
        self.challenge = challenge
        """What the second step posts (None when the server sent no ``mfa_token``)."""


class PasswordExpiredError(AuthError):
    default_user_message = (
        "This password has expired: change it on the Convertr platform, then sign in with the "
        "new one."
    )


class AccountLockedError(AuthError):
    default_user_message = (
        "This Convertr account is locked: ask your Convertr administrator to unlock it."
    )


class LoginThrottledError(AuthError):
    """Too many failed sign-ins for the account: the server refuses for a while (429)."""

    default_user_message = "Too many failed sign-ins for this account: try again later."

    def __init__(
        self, message: str, *, retry_after: float | None = None, user_message: str | None = None
    ) -> None:
        super().__init__(message, user_message=user_message)
        self.retry_after = retry_after
        """Seconds the server asked to wait (its ``Retry-After``), or None if it gave none."""


class SessionExpiredError(AuthError):
    default_user_message = "Your Convertr session has expired: sign in again to continue."


class APIError(ConvertrError):
    """An HTTP error answer from the API."""

    default_user_message = "The Convertr API answered with an error."

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        title: str | None = None,
        description: str | None = None,
        user_message: str | None = None,
        body_style: ErrorBodyStyle | None = None,
    ) -> None:
        super().__init__(message, user_message=user_message)
        self.status = status
        self.method = method
        self.path = path
        self.title = title
        self.description = description
        """The server's reason (``detail``, ``hydra:description``, ``message``, ...)."""
        self.body_style = body_style
        """How the server spelled the error body (see ``ErrorBodyStyle``)."""


class RedirectError(APIError):
    default_user_message = (
        "The Convertr address answered with a redirect, which Lead Lens does not follow: "
        "set the address it points to."
    )

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location
        """Where the server pointed (its ``Location`` header), or None if it gave none."""


class BadRequestError(APIError):
    default_user_message = "The request was not accepted by the Convertr API."


class AuthenticationError(APIError):
    default_user_message = "The Convertr session is not valid. Sign in again."


class PermissionDeniedError(APIError):
    default_user_message = "Your Convertr role is not allowed to see or do this."


class NotFoundError(APIError):
    default_user_message = "Not found."


class ConflictError(APIError):
    default_user_message = "The value was changed by someone else meanwhile."

    def __init__(self, message: str, *, current_value: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.current_value = current_value
        """The value stored on the server now."""


class ValidationError(APIError):
    default_user_message = "The Convertr API rejected the value."

    def __init__(
        self, message: str, *, violations: tuple[Violation, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.violations = violations


class RateLimitError(APIError):
    default_user_message = "The Convertr API is rate limiting requests. Try again shortly."


class ServerError(APIError):
    default_user_message = "The Convertr API had an internal problem. Try again later."


class ResponseFormatError(ConvertrError):
    default_user_message = "The Convertr API gave an answer Lead Lens does not understand."


class ResponseDecodingError(ResponseFormatError):
    default_user_message = "The Convertr API sent an answer that could not be read."


class ResponseTooLargeError(ResponseFormatError):
    default_user_message = "The Convertr API sent an answer too large to read."


class PaginationError(ConvertrError):
    default_user_message = "A Convertr list did not end where expected."


class DependencyError(ConvertrError):
    default_user_message = "Not loaded, because data it depends on failed to load."


class EmailNotSearchableError(ConvertrError):
    """The role sees a lead's email masked and the lead has no email hash: the leads with the
    same email cannot be looked up (they are unknown, not absent)."""

    default_user_message = "Your role cannot see this email, so the leads sharing it are unknown."


class InternalError(ConvertrError):
    default_user_message = "Not loaded, because of a problem inside Lead Lens."


STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[APIError]:
    """The APIError subclass for an HTTP status (ServerError for 5xx, APIError otherwise)."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500:
        return ServerError
    return APIError


# -- reading an error body -------------------------------------------------------------------

ErrorBodyStyle = Literal["hydra", "problem", "oauth2", "jwt", "other", "none"]
"""How a server spelled an error: ``hydra`` (``hydra:title``/``hydra:description``),
``problem`` (RFC 7807 ``title``/``detail``, API Platform 3+), ``oauth2`` (``error`` and
``error_description``), ``jwt`` (``code`` and ``message``), ``other`` JSON, or ``none`` (no
JSON body)."""

REASON_KEYS: Final = ("detail", "hydra:description", "description", "message", "error_description")
"""Where servers put their reason, in order of preference."""
TITLE_KEYS: Final = ("hydra:title", "title", "error")
VIOLATION_LIST_TYPES: Final = frozenset(
    {"ConstraintViolationList", "ConstraintViolation", "hydra:ConstraintViolationList"}
)
"""``@type`` of a validation failure (API Platform 2/3: ``ConstraintViolationList``; 4:
``ConstraintViolation``)."""
MAX_USER_MESSAGE_LENGTH: Final = 300
"""A banner line longer than this is cut (a server may put a whole trace in its reason)."""


def single_line(text: object) -> str:
    """``str(text)`` with every run of white space (line breaks too) one space: a server's
    description or an exception on one line of a log, a CLI's stderr or another message.
    (The CLI, the client's transport errors, the dossier and the doctor all use this one.)"""
    return " ".join(str(text).split())


def one_line(text: str) -> str:
    """``text`` on one line: lines joined with ``; ``, runs of spaces collapsed, and cut at
    ``MAX_USER_MESSAGE_LENGTH``."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = "; ".join(line.rstrip(";") for line in lines if line)
    if len(joined) > MAX_USER_MESSAGE_LENGTH:
        joined = joined[: MAX_USER_MESSAGE_LENGTH - 3].rstrip() + "..."
    return joined


@dataclass(frozen=True)
class ErrorBody:
    """What an error answer says, whichever spelling the server used."""

    style: ErrorBodyStyle
    title: str | None
    reason: str | None
    """The server's explanation, one line."""
    violations: tuple[Violation, ...]
    is_violation_list: bool
    """The body is a ConstraintViolationList (a validation failure, whatever the status)."""
    current_value: str | None
    """``currentValue`` of a 409 conflict."""


def _text(data: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return one_line(value)
    return None


def _violations(raw: object) -> tuple[Violation, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Violation(str(item.get("propertyPath") or ""), one_line(str(item.get("message") or "")))
        for item in raw
        if isinstance(item, Mapping)
    )


def _style(data: Mapping[str, Any], content_type: str) -> ErrorBodyStyle:
    if not data:
        return "none"
    if "problem+json" in content_type or "detail" in data:
        return "problem"
    if any(key.startswith("hydra:") for key in data) or "@type" in data:
        return "hydra"
    if "error_description" in data or isinstance(data.get("error"), str):
        return "oauth2"
    if "message" in data and "code" in data:
        return "jwt"
    return "other"


def read_error_body(body: object, content_type: str = "") -> ErrorBody:
    """The title, reason and violations of an error answer's JSON (``body`` None or not an
    object: nothing but the style ``none``)."""
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    violations = _violations(data.get("violations"))
    body_type = data.get("@type")
    is_list = bool(violations) or (isinstance(body_type, str) and body_type in VIOLATION_LIST_TYPES)
    current = data.get("currentValue")
    return ErrorBody(
        style=_style(data, content_type),
        title=_text(data, TITLE_KEYS),
        reason=_text(data, REASON_KEYS),
        violations=violations,
        is_violation_list=is_list,
        current_value=current if isinstance(current, str) or current is None else str(current),
    )
