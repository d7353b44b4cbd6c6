"""The sandbox's JSON-LD answers, and `ApiError`: the planned error answer a handler raises.

How an answer is spelled (slashes, error bodies, the violations' status) is the `Dialect`'s
business; a handler that is given none answers in the tidy shape.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from lib.sandbox.dialects import JSON_LD, TIDY, VIOLATION_LIST_TYPE, Dialect

__all__ = ["JSON_LD", "ApiError", "error_response", "hydra_error", "json_response"]


class ApiError(Exception):
    """A planned error answer."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.extra = extra or {}
        self.headers = headers or {}


def json_response(
    body: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    dialect: Dialect = TIDY,
) -> Response:
    """A JSON-LD response (UTF-8, non-ASCII kept as is), encoded as `dialect` writes JSON."""
    return Response(dialect.encode(body), status=status, headers=headers, content_type=JSON_LD)


def error_response(
    dialect: Dialect, status: int, description: str, extra: dict[str, Any] | None = None
) -> Response:
    """An error answer in `dialect`: `hydra:Error` or problem+json; `extra` adds or replaces
    body fields (e.g. the violations, whose status the dialect picks)."""
    status, body, content_type = dialect.error(status, description, extra)
    return Response(dialect.encode(body), status=status, content_type=content_type)


def hydra_error(status: int, description: str, extra: dict[str, Any] | None = None) -> Response:
    """A `hydra:Error` answer in the tidy shape."""
    return error_response(TIDY, status, description, extra)


def violation_error(violations: list[tuple[str, str]]) -> ApiError:
    """A ConstraintViolationList of (propertyPath, message) pairs: 422, or 400 in dialects of
    API Platform 2 (the dialect sets the status when it answers)."""
    return ApiError(
        422,
        "\n".join(f"{path}: {message}" for path, message in violations),
        extra={
            "@context": "/api/v4/contexts/ConstraintViolationList",
            "@type": VIOLATION_LIST_TYPE,
            "violations": [{"propertyPath": p, "message": m} for p, m in violations],
        },
    )


MAX_BODY_BYTES = 64 * 1024
"""The largest request body accepted (assumed limit; a lead data body is a few hundred bytes)."""
BODY_TOO_LARGE_STATUS = 413
"""A body over `MAX_BODY_BYTES`: 413 Content Too Large (RFC 9110), from `Content-Length`."""


def body_too_large(size: str) -> ApiError:
    return ApiError(
        BODY_TOO_LARGE_STATUS, f"Invalid body: expected at most {MAX_BODY_BYTES} bytes, got {size}"
    )


def refuse_oversized_body(request: Request) -> None:
    """413 for any request whose `Content-Length` is over the limit, before a byte of its body
    is read (waitress caps what it buffers itself, see `serving`)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise body_too_large(str(request.content_length))
