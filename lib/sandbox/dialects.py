"""How the sandbox speaks: which API Platform generation, and whether leads come in the shape
of Convertr's published example (`docs/api.md`, "Dialects").

Handlers build one canonical answer; a `Dialect` decides its spelling on the way out: the
`hydra:` prefix, the status and body of errors, partial pagination, and the published lead
shape (`lib.sandbox.published`). A preset is picked by name (`serve --dialect NAME`,
`create_app(..., dialect=...)`); `dataclasses.replace` composes others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Final

VIOLATION_LIST_TYPE: Final = "ConstraintViolationList"
PROBLEM_JSON: Final = "application/problem+json; charset=utf-8"
JSON_LD: Final = "application/ld+json; charset=utf-8"
ERROR_TITLE: Final = "An error occurred"
LONDON: Final = "Europe/London"
"""The enterprise zone of the published dialects' timestamps (+00:00 in winter, +01:00 in
summer), so a client cannot assume UTC."""


@dataclass(frozen=True)
class Dialect:
    """One way of speaking the v4 API (see the presets below and docs/api.md)."""

    name: str
    hydra_prefix: bool = True
    """`hydra:member`, `hydra:totalItems`, ... (API Platform 2 and 3); off: `member` (4)."""
    violation_status: int = 400
    """A ConstraintViolationList's status: 400 on API Platform 2, 422 from 3."""
    problem_json: bool = False
    """Errors as `application/problem+json` with title, detail, status and type (3 and 4),
    the Hydra keys alongside; off: `hydra:Error` bodies as `application/ld+json`."""
    partial_pagination: bool = False
    """No `totalItems` and no `last`: only `next`, while a page is full."""
    published_shape: bool = True
    """Convertr's published lead: integer `processrStatus` codes, embedded `channel` and
    `qaResult`, `""` for empty text fields, timestamps in `zone`."""
    zone: str | None = LONDON
    """Timestamps' zone (IANA name) when `published_shape`; None keeps UTC."""
    escape_slashes: bool = True
    """`"\\/api\\/v4\\/..."` as PHP's json_encode writes it."""

    def key(self, name: str) -> str:
        """A Hydra vocabulary key (`member`, `view`, `IriTemplate`, ...) in this spelling."""
        return f"hydra:{name}" if self.hydra_prefix else name

    def encode(self, body: object) -> str:
        """The JSON text of a body (UTF-8 kept as is; slashes escaped when PHP would)."""
        text = json.dumps(body, ensure_ascii=False)
        # "/" occurs only inside JSON strings, where "\/" is a valid escape of it.
        return text.replace("/", "\\/") if self.escape_slashes else text

    def error(
        self, status: int, description: str, extra: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any], str]:
        """An error answer's status, body and content type; `extra` adds body fields (a
        ConstraintViolationList's violations, a 409's currentValue)."""
        extra = extra or {}
        is_violations = extra.get("@type") == VIOLATION_LIST_TYPE
        if is_violations:
            status = self.violation_status
        body: dict[str, Any] = {
            "@context": "/api/v4/contexts/Error",
            "@type": self.key("Error"),
            self.key("title"): ERROR_TITLE,
            self.key("description"): description,
        }
        if self.problem_json:
            body.update(
                {
                    "title": ERROR_TITLE,
                    "detail": description,
                    "status": status,
                    "type": f"/errors/{status}",
                }
            )
        body.update(extra)
        return status, body, PROBLEM_JSON if self.problem_json else JSON_LD


CONVERTR: Final = Dialect("convertr")
"""The default: Convertr's published example on API Platform 2.x (hydra prefix, 400
ConstraintViolationList, hydra:Error)."""
API_PLATFORM_3: Final = replace(
    CONVERTR, name="api-platform-3", violation_status=422, problem_json=True
)
API_PLATFORM_4: Final = replace(API_PLATFORM_3, name="api-platform-4", hydra_prefix=False)
PARTIAL: Final = replace(API_PLATFORM_4, name="partial", partial_pagination=True)
TIDY: Final = Dialect(
    "tidy", violation_status=422, published_shape=False, zone=None, escape_slashes=False
)
"""The sandbox's first shape: status labels, plain channel names, nulls, UTC, 422."""

DIALECTS: Final[dict[str, Dialect]] = {
    dialect.name: dialect for dialect in (CONVERTR, API_PLATFORM_3, API_PLATFORM_4, PARTIAL, TIDY)
}
DEFAULT_DIALECT: Final = CONVERTR


def dialect_named(name: str) -> Dialect:
    """The preset called `name`; ValueError naming the presets otherwise."""
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"expected a dialect among {', '.join(DIALECTS)}, got {name!r}") from None
