"""The sandbox's JSON-LD answers, and `ApiError`: the planned error answer a handler raises."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

JSON_LD = "application/ld+json; charset=utf-8"


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
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON-LD response (UTF-8, non-ASCII kept as is)."""
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, headers=headers, content_type=JSON_LD)


def hydra_error(status: int, description: str, extra: dict[str, Any] | None = None) -> Response:
    """A `hydra:Error` answer; `extra` adds or replaces body fields (e.g. the violations)."""
    body: dict[str, Any] = {
        "@context": "/api/v4/contexts/Error",
        "@type": "hydra:Error",
        "hydra:title": "An error occurred",
        "hydra:description": description,
    }
    body.update(extra or {})
    return json_response(body, status)


def violation_error(violations: list[tuple[str, str]]) -> ApiError:
    """A 422 ConstraintViolationList of (propertyPath, message) pairs."""
    return ApiError(
        422,
        "\n".join(f"{path}: {message}" for path, message in violations),
        extra={
            "@context": "/api/v4/contexts/ConstraintViolationList",
            "@type": "ConstraintViolationList",
            "violations": [{"propertyPath": p, "message": m} for p, m in violations],
        },
    )
