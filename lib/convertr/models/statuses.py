"""Lead statuses: the closed set, the public and assumed ``processrStatus`` codes, the public
scoring rule, and ``StatusCodes``, the ONE place a raw status becomes a label."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import (
    Any,
    Final,
    Literal,
    get_args,
)

from lib.convertr.constants import STATUS_CAUTION_SHARE
from lib.convertr.models.tolerant import (
    FORMAT_WARNINGS_CONTEXT,
    STATUS_CODES_CONTEXT,
    FormatWarning,
)

ProcessrStatus = Literal["Valid", "Invalid", "Caution", "Test"]
"""A lead's status: a closed set (the public sources state it); another label is a
ResponseFormatError naming the field."""
PROCESSR_STATUSES: Final[tuple[ProcessrStatus, ...]] = get_args(ProcessrStatus)


# -- lead status -----------------------------------------------------------------------------

StatusSource = Literal["label", "known", "assumed", "configured", "derived"]
"""Where a lead's status label came from: the server sent the label itself; a public code
(``known``); a code this project ASSUMED; a code from the deployment's configuration; or
derived from the score by the public rule because the code is in no table."""

PUBLIC_STATUS_CODES: Final[Mapping[int, ProcessrStatus]] = {1000: "Valid"}
"""Codes in Convertr's published lead example: 1000 on a delivered lead scoring 120 of 120
with no hardfail, so most likely Valid (an inference from one example)."""
ASSUMED_STATUS_CODES: Final[Mapping[int, ProcessrStatus]] = {
    1001: "Invalid",
    1002: "Caution",
    1003: "Test",
}
"""ASSUMED, not public: the codes after 1000. ``CONVERTR_STATUS_CODES`` overrides them."""


_STATUS_BY_FOLDED: Final[Mapping[str, ProcessrStatus]] = {
    status.casefold(): status for status in PROCESSR_STATUSES
}


def status_from_text(text: str) -> ProcessrStatus | None:
    """The status a label names (any letter case), or None."""
    return _STATUS_BY_FOLDED.get(text.strip().casefold())


def derive_status(score: int, max_score: int, hardfail: bool) -> ProcessrStatus:
    """The public scoring rule: a failed hardfail job is Invalid; otherwise 100% of maxScore
    is Valid, from 80% up to (not including) 100% Caution, under 80% Invalid. A campaign
    without scoring jobs (maxScore 0) loses no points, so its leads are Valid. Test is a flag,
    never derived from the score."""
    if hardfail:
        return "Invalid"
    if max_score <= 0 or score >= max_score:
        return "Valid"
    return "Caution" if score / max_score >= STATUS_CAUTION_SHARE else "Invalid"


@dataclass(frozen=True)
class StatusLabel:
    """A lead's status label and where it came from (see ``StatusSource``)."""

    label: ProcessrStatus
    source: StatusSource
    raw: int | str
    """``processrStatus`` exactly as sent."""

    @property
    def is_derived(self) -> bool:
        return self.source == "derived"

    @property
    def note(self) -> str | None:
        """How the label was reached when the server did not send it (None when it did)."""
        if self.source == "label":
            return None
        if self.source == "derived":
            return f"derived from the score: status code {self.raw} is not in the status table"
        if self.source == "assumed":
            return f"status code {self.raw}, whose meaning is assumed"
        if self.source == "configured":
            return f"status code {self.raw}, as configured"
        return f"status code {self.raw}"


def status_code_of(raw: int | str) -> int | None:
    if isinstance(raw, int):
        return raw
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class StatusCodes:
    """The ONE place a ``processrStatus`` becomes a label: the deployment's configured codes,
    then the public and assumed codes, then the public scoring rule."""

    configured: Mapping[int, ProcessrStatus] = field(default_factory=dict)
    """Code -> label from the configuration (``CONVERTR_STATUS_CODES``); wins over the
    built-in tables."""

    def label_of(self, code: int) -> tuple[ProcessrStatus, StatusSource] | None:
        if code in self.configured:
            return self.configured[code], "configured"
        if code in PUBLIC_STATUS_CODES:
            return PUBLIC_STATUS_CODES[code], "known"
        if code in ASSUMED_STATUS_CODES:
            return ASSUMED_STATUS_CODES[code], "assumed"
        return None

    def resolve(self, raw: int | str, *, score: int, max_score: int, hardfail: bool) -> StatusLabel:
        """The label of a raw status; an unknown code is derived from the score, so it never
        hides a lead."""
        code = status_code_of(raw)
        if code is None:
            label = status_from_text(str(raw))
            if label is not None:
                return StatusLabel(label, "label", raw)
        else:
            known = self.label_of(code)
            if known is not None:
                return StatusLabel(known[0], known[1], raw)
        return StatusLabel(derive_status(score, max_score, hardfail), "derived", raw)

    def codes_for(self, label: ProcessrStatus) -> tuple[int, ...]:
        """Every code that means ``label`` (what a status filter sends to a server that
        speaks codes)."""
        table = {**ASSUMED_STATUS_CODES, **PUBLIC_STATUS_CODES, **self.configured}
        return tuple(sorted(code for code, name in table.items() if name == label))


DEFAULT_STATUS_CODES: Final = StatusCodes()
"""The built-in tables only (models validated without a client's context)."""


def parse_context(
    status_codes: StatusCodes, warnings: list[FormatWarning] | None = None
) -> dict[str, Any]:
    """The validation context the client parses with: its status table and a warning list."""
    context: dict[str, Any] = {STATUS_CODES_CONTEXT: status_codes}
    if warnings is not None:
        context[FORMAT_WARNINGS_CONTEXT] = warnings
    return context
