"""Reading answers: Hydra collections in either spelling, items validated into models, JSON
bodies, and the error of a failed answer (``docs/api.md``, "Real responses")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import httpx
import pydantic
import pydantic_core

from lib.convertr.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    PermissionDeniedError,
    ResponseDecodingError,
    ResponseFormatError,
    ValidationError,
    Violation,
    error_class_for_status,
    read_error_body,
)
from lib.convertr.models import ApiModel

ModelT = TypeVar("ModelT", bound=ApiModel)
_MAX_SHOWN_INPUT: Final = 80


def describe_input(value: object) -> str:
    try:
        shown = repr(value)
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to show"
    return shown if len(shown) <= _MAX_SHOWN_INPUT else shown[: _MAX_SHOWN_INPUT - 3] + "..."


def _format_validation_error(
    exc: pydantic.ValidationError, resource: str, method: str, path: str
) -> ResponseFormatError:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(the item)"
    more = exc.error_count() - 1
    extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ResponseFormatError(
        f"{method} {path}: the {resource} answer does not match the model: field {field!r}: "
        f"{first['msg']}, got {describe_input(first.get('input'))}{extra}"
    )


def parse_model(
    model: type[ModelT],
    data: object,
    *,
    method: str,
    path: str,
    context: dict[str, Any] | None = None,
) -> ModelT:
    """Validate one item, turning a mismatch of an essential field into a ResponseFormatError
    naming the field (``context``: see ``models.parse_context``)."""
    try:
        return model.model_validate(data, context=context)
    except pydantic.ValidationError as exc:
        raise _format_validation_error(exc, model.__name__, method, path) from None
    except RecursionError:
        raise ResponseDecodingError(
            f"{method} {path}: expected a {model.__name__}, got data nested too deeply to read"
        ) from None


def _first_key(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in data:
            return data[name]
    return None


HydraSpelling = Literal["hydra:", ""]
"""``hydra:`` on API Platform 2 and 3 (``hydra:member``), none on 4 by default (``member``)."""


def _search_variables(search: object) -> frozenset[str] | None:
    """The variables of a collection's ``search`` IriTemplate (its filters), or None when the
    collection advertises none."""
    if not isinstance(search, dict):
        return None
    mapping = _first_key(search, "hydra:mapping", "mapping")
    if not isinstance(mapping, list):
        return None
    variables = (
        _first_key(entry, "variable", "hydra:variable")
        for entry in mapping
        if isinstance(entry, dict)
    )
    return frozenset(name for name in variables if isinstance(name, str))


class HydraCollection:
    """One Hydra collection answer, in either spelling (``hydra:member`` or ``member``), with
    or without a total (partial pagination gives only ``next`` links)."""

    def __init__(self, data: object, *, method: str, path: str) -> None:
        if not isinstance(data, dict):
            raise ResponseFormatError(
                f"{method} {path}: expected a Hydra collection object, got {type(data).__name__}"
            )
        members = _first_key(data, "hydra:member", "member")
        if not isinstance(members, list):
            raise ResponseFormatError(
                f"{method} {path}: expected a Hydra collection with 'hydra:member' or 'member' "
                f"as a list, got keys {sorted(data)[:8]}"
            )
        total = _first_key(data, "hydra:totalItems", "totalItems")
        if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
            raise ResponseFormatError(
                f"{method} {path}: expected 'hydra:totalItems' as an integer, got {total!r}"
            )
        view = _first_key(data, "hydra:view", "view")
        view = view if isinstance(view, dict) else {}
        next_link = _first_key(view, "hydra:next", "next")
        previous_link = _first_key(view, "hydra:previous", "previous")
        self.members: list[Any] = members
        self.total: int | None = total
        """``totalItems``, or None when the server does not count (partial pagination)."""
        self.next_link: str | None = next_link if isinstance(next_link, str) else None
        self.previous_link: str | None = previous_link if isinstance(previous_link, str) else None
        self.spelling: HydraSpelling = "hydra:" if "hydra:member" in data else ""
        self.filters: frozenset[str] | None = _search_variables(
            _first_key(data, "hydra:search", "search")
        )
        """The filters the collection advertises (``search`` mapping), None when it does not."""


@dataclass(frozen=True)
class CollectionShape:
    """How a collection endpoint answered the last time the client read it (for the doctor
    and for pages that offer only the filters a server supports)."""

    path: str
    spelling: HydraSpelling
    counted: bool
    """Whether it sends ``totalItems`` (False with partial pagination)."""
    filters: frozenset[str] | None
    """Advertised filters (``search`` mapping variables); None when none are advertised."""


BLANK: Final = b'""'
"""An empty JSON string: an answer without one may be validated strictly (see
``models.validate_strictly``), and so may one whose every empty string is a value of an item
itself (see ``models.without_top_level_blanks``). Also found at the end of a string that ends
in a quote (``"say \\""``) and as an empty key: then the counts differ and the answer is only
validated the slower way, never wrongly."""


@dataclass(frozen=True)
class Answer:
    """A successful answer's JSON and how many empty strings its text holds (``BLANK``)."""

    body: Any
    blanks: int

    @property
    def blank_free(self) -> bool:
        return self.blanks == 0


def json_or_none(response: httpx.Response) -> object:
    """The answer's JSON, or None when it is not JSON (a web page, a proxy's text)."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        # pydantic-core's parser is several times faster than the json module, and gives
        # the same objects for the JSON it accepts. What it refuses (a byte order mark,
        # UTF-16, a lone surrogate, very deep nesting, invalid JSON) goes to the json
        # module, so those answers read or fail exactly as before.
        return pydantic_core.from_json(response.content)
    except ValueError:
        pass
    try:
        return response.json()
    except RecursionError:
        request = response.request
        raise ResponseDecodingError(
            f"{request.method} {request.url.path}: expected JSON, got JSON nested too "
            "deeply to read"
        ) from None
    except ValueError:
        return None


def raise_for_status(response: httpx.Response, method: str, path: str, body: object) -> None:
    """Raise the error of the tree for a failed answer (its status and its body's style)."""
    status = response.status_code
    content_type = response.headers.get("content-type", "")
    error_body = read_error_body(body, content_type)
    error_class = error_class_for_status(status)
    if error_body.is_violation_list and error_class in (BadRequestError, APIError):
        # API Platform 2 answers violations with 400, later versions with 422: the body,
        # not the status, says it is a validation failure.
        error_class = ValidationError
    title, reason = error_body.title, error_body.reason
    shown = reason or title or response.reason_phrase or "no explanation given"
    message = f"{method} {path}: expected a successful answer, got {status}: {shown}"
    user_message = _user_message(error_class, reason, error_body.violations)
    if body is None and status < 500:
        # A v4 API answers JSON even when it refuses; a 4xx page of HTML or text means the
        # base URL points somewhere else (a web site, a proxy, another service).
        message += (
            f" ({content_type or 'no content type'}, not JSON: "
            "is this the address of a Convertr v4 API?)"
        )
        user_message = "The configured address does not look like a Convertr v4 API."
    common: dict[str, Any] = {
        "status": status,
        "method": method,
        "path": path,
        "title": title,
        "description": reason,
        "body_style": error_body.style,
    }
    if error_class is ConflictError:
        raise ConflictError(message, current_value=error_body.current_value, **common)
    if error_class is ValidationError:
        raise ValidationError(
            message, violations=error_body.violations, user_message=user_message, **common
        )
    raise error_class(message, user_message=user_message, **common)


def _user_message(
    error_class: type[APIError], reason: str | None, violations: Sequence[Violation]
) -> str | None:
    """The banner line of an HTTP error: the server's reason where a person can act on it."""
    if error_class is ValidationError:
        listed = "; ".join(
            f"{item.property_path}: {item.message}" if item.property_path else item.message
            for item in violations
        )
        return reason or listed or None
    if error_class is PermissionDeniedError:
        return reason
    if error_class is AuthenticationError and reason:
        return f"The Convertr session is not valid ({reason.rstrip('.')}). Sign in again."
    if error_class is BadRequestError and reason:
        return f"The Convertr API did not accept the request: {reason}"
    return None
