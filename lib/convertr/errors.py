"""The one exception hierarchy of the Convertr v4 client.

Every error the client raises is a ``ConvertrError``; each carries a one-line ``user_message``
for a banner, and the HTTP errors carry the status, method, URL path and the server's
``hydra:title``/``hydra:description``. No error ever holds a password or token.

```
ConvertrError
 ├── ConfigurationError          the settings cannot work (no password, bad URL, ...)
 ├── TransportError              no HTTP answer at all
 │    ├── ConnectError           unknown host, refused connection, TLS failure
 │    └── RequestTimeoutError    the server did not answer in time (or by the request deadline)
 ├── AuthError                   POST /api/login did not give a token
 │    ├── InvalidCredentialsError    400 invalid_grant / invalid_request
 │    ├── MfaRequiredError           the account needs a second factor
 │    └── PasswordExpiredError       the password must be changed on the platform first
 ├── APIError                    an HTTP error answer
 │    ├── RedirectError           3xx: never followed, so the token never goes elsewhere
 │    ├── BadRequestError         400
 │    ├── AuthenticationError     401 (token missing, unknown or expired)
 │    ├── PermissionDeniedError   403
 │    ├── NotFoundError           404
 │    ├── ConflictError           409, with ``current_value``
 │    ├── ValidationError         422, with ``violations``
 │    ├── RateLimitError          429
 │    └── ServerError             5xx
 ├── ResponseFormatError         the answer is not JSON or does not match the model
 │    ├── ResponseDecodingError   the body cannot be decoded: broken gzip, JSON nested too deep
 │    └── ResponseTooLargeError   the body is larger than MAX_RESPONSE_BYTES
 ├── PaginationError             a collection does not end within the page bound
 ├── DependencyError             a dossier part was not loaded because a part it needs failed
 └── InternalError               a dossier part failed on a bug in Lead Lens (logged with traceback)
```
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple


class Violation(NamedTuple):
    """One entry of a 422 ConstraintViolationList."""

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
        self.user_message = user_message or self.default_user_message

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


class MfaRequiredError(AuthError):
    default_user_message = (
        "This Convertr account requires multi-factor authentication, which Lead Lens does not "
        "support: use an API token (CONVERTR_TOKEN) instead."
    )


class PasswordExpiredError(AuthError):
    default_user_message = "The Convertr password has expired: change it on the platform first."


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
    ) -> None:
        super().__init__(message, user_message=user_message)
        self.status = status
        self.method = method
        self.path = path
        self.title = title
        self.description = description


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
