"""The doctor's report: what each probe found (`Probe`), the dialect inferred, the gaps and
what the app does about each, the verdict, and the report as JSON or as a text table. Names,
statuses, shapes and timings only: never a secret or a lead value."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from lib.convertr.doctor.table import (
    Outcome,
    Severity,
)
from lib.convertr.errors import (
    ErrorBodyStyle,
)
from lib.convertr.hydra import HydraSpelling
from lib.convertr.models import (
    FormatWarning,
)

EXIT_WORKS: Final = 0

EXIT_CANNOT_WORK: Final = 1

REPORT_VERSION: Final = 1
"""Version of the JSON report's layout (bump when a key changes meaning)."""


# -- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Something that differs from what the app expects, and what the app does about it."""

    severity: Severity
    endpoint: str
    message: str
    """``what differs → what the app does``, one line."""

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "endpoint": self.endpoint, "message": self.message}


@dataclass(frozen=True)
class Probe:
    """One request the doctor sent and what its answer showed (names and shapes only)."""

    endpoint: str
    path: str
    """The path template (``/api/v4/leads/{id}``): ids are not shown."""
    outcome: Outcome
    status: int | None = None
    """HTTP status, None when no answer came (or the probe was skipped)."""
    elapsed_ms: float | None = None
    spelling: HydraSpelling | None = None
    """``hydra:`` or ``""`` for a collection; None for an item."""
    counted: bool | None = None
    """Whether the collection sends ``totalItems`` (False: partial pagination)."""
    advertised: frozenset[str] | None = None
    """Filters in the collection's ``search`` mapping; None when it advertises none."""
    needed: tuple[str, ...] = ()
    warnings: tuple[FormatWarning, ...] = ()
    error: str | None = None
    """What failed, one line: the error kind and the server's reason, or the field that
    could not be read (never a value)."""
    error_style: ErrorBodyStyle | None = None

    @property
    def missing_filters(self) -> tuple[str, ...]:
        """Needed filters the server does not advertise (none when it advertises nothing)."""
        if self.advertised is None:
            return ()
        return tuple(name for name in self.needed if name not in self.advertised)

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "path": self.path,
            "outcome": self.outcome,
            "status": self.status,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 1),
            "spelling": None if self.spelling is None else (self.spelling or "unprefixed"),
            "counted": self.counted,
            "filters_advertised": None if self.advertised is None else sorted(self.advertised),
            "filters_needed": list(self.needed),
            "filters_missing": list(self.missing_filters),
            "format_warnings": [
                {"model": w.model, "field": w.field, "expected": w.expected} for w in self.warnings
            ],
            "error": self.error,
            "error_style": self.error_style,
        }


@dataclass(frozen=True)
class Dialect:
    """The API Platform generation the answers point to (an inference: a GET cannot see
    which status validation failures get, so that part follows from the generation)."""

    generation: str
    """``2.x``, ``3.x``, ``4.x`` or ``unknown``."""
    spelling: HydraSpelling | Literal["mixed"] | None
    error_style: ErrorBodyStyle | None
    partial_pagination: bool | None
    violation_status: int | None
    """400 (2.x) or 422 (3.x and later), as the generation implies; not probed."""

    @property
    def label(self) -> str:
        facts = []
        if self.spelling is not None:
            facts.append(
                {"hydra:": "hydra:", "": "no prefix", "mixed": "mixed prefixes"}[self.spelling]
            )
        if self.error_style == "problem":
            facts.append("problem+json")
        elif self.error_style == "hydra":
            facts.append("hydra:Error")
        if self.violation_status is not None:
            facts.append(f"{self.violation_status} violations expected")
        name = "API Platform " + self.generation if self.generation != "unknown" else "unknown"
        return f"{name} ({', '.join(facts)})" if facts else name

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "generation": self.generation,
            "spelling": None if self.spelling is None else (self.spelling or "unprefixed"),
            "error_style": self.error_style,
            "partial_pagination": self.partial_pagination,
            "violation_status": self.violation_status,
        }


@dataclass(frozen=True)
class SignIn:
    ok: bool
    method: Literal["password", "token"]
    elapsed_ms: float | None = None
    error_kind: str | None = None
    """The error class (``InvalidCredentialsError``, ``ConnectError``, ...)."""
    message: str | None = None
    """Its one-line user message (never the password, token or username)."""

    @property
    def line(self) -> str:
        how = "username and password" if self.method == "password" else "an API token"
        if self.ok and self.method == "token":
            return "Sign-in: an API token is configured (users/me below shows if it is accepted)"
        if self.ok:
            took = "" if self.elapsed_ms is None else f", {self.elapsed_ms:.0f} ms"
            return f"Sign-in: OK (with {how}{took})"
        return f"Sign-in: FAILED (with {how}): {self.error_kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "method": self.method,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 1),
            "error_kind": self.error_kind,
            "message": self.message,
        }


@dataclass(frozen=True)
class DoctorReport:
    """What the doctor found: safe to attach to a support ticket."""

    target: str
    """``Sandbox`` or the enterprise's base URL."""
    sign_in: SignIn
    role: str | None = None
    permissions: tuple[str, ...] = ()
    probes: tuple[Probe, ...] = ()
    dialect: Dialect | None = None
    status_encoding: str | None = None
    gaps: tuple[Gap, ...] = ()
    requests: int = 0
    elapsed_ms: float = 0.0

    @property
    def fatal(self) -> tuple[Gap, ...]:
        return tuple(gap for gap in self.gaps if gap.severity == "fatal")

    @property
    def can_work(self) -> bool:
        return self.sign_in.ok and not self.fatal

    @property
    def reason(self) -> str | None:
        """Why the app cannot work, one line (None when it can)."""
        if not self.sign_in.ok:
            return f"cannot sign in: {self.sign_in.error_kind}: {self.sign_in.message}"
        if self.fatal:
            return self.fatal[0].message
        return None

    @property
    def exit_code(self) -> int:
        return EXIT_WORKS if self.can_work else EXIT_CANNOT_WORK

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "lead-lens connection doctor",
            "version": REPORT_VERSION,
            "target": self.target,
            "can_work": self.can_work,
            "reason": self.reason,
            "sign_in": self.sign_in.to_dict(),
            "role": self.role,
            "permissions": list(self.permissions),
            "dialect": None if self.dialect is None else self.dialect.to_dict(),
            "status_encoding": self.status_encoding,
            "endpoints": [probe.to_dict() for probe in self.probes],
            "gaps": [gap.to_dict() for gap in self.gaps],
            "requests": self.requests,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


# -- output --------------------------------------------------------------------------------------

SEVERITY_ORDER: Final[Mapping[Severity, int]] = {"fatal": 0, "warning": 1, "info": 2}
TABLE_HEADER: Final = ("endpoint", "status", "ms", "spelling", "paging", "filters", "shape")


def _filters_cell(probe: Probe) -> str:
    if not probe.needed or probe.outcome == "skipped":
        return "-"
    if probe.advertised is None:
        return "none advertised" if probe.outcome != "error" else "-"
    missing = len(probe.missing_filters)
    if not missing:
        return f"all {len(probe.needed)} advertised"
    return f"{missing} of {len(probe.needed)} missing"


def _shape_cell(probe: Probe) -> str:
    if probe.outcome == "unparseable":
        return "UNREADABLE"
    if probe.warnings:
        count = len(probe.warnings)
        return f"{count} field{'s differ' if count > 1 else ' differs'}"
    if probe.outcome == "ok" and probe.error_style is not None:
        return f"error body: {probe.error_style}"
    return {"ok": "ok", "empty": "no item", "error": "-", "skipped": "-"}.get(probe.outcome, "-")


def _row(probe: Probe) -> tuple[str, ...]:
    status = "skipped" if probe.outcome == "skipped" else str(probe.status or "-")
    spelling = {None: "-", "hydra:": "hydra:", "": "none"}[probe.spelling]
    paging = {None: "-", True: "counted", False: "partial"}[probe.counted]
    took = "-" if probe.elapsed_ms is None else f"{probe.elapsed_ms:.0f}"
    return (
        probe.endpoint,
        status,
        took,
        spelling,
        paging,
        _filters_cell(probe),
        _shape_cell(probe),
    )


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    numeric = {1, 2}  # status and ms read better right-aligned
    return [
        "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def render_text(report: DoctorReport) -> str:
    """The report as a terminal table, then the dialect, the gaps and the verdict."""
    lines = [f"Lead Lens connection doctor: {report.target}", report.sign_in.line]
    if report.role is not None:
        shown = ", ".join(report.permissions) or "no permissions listed"
        lines.append(f"Role: {report.role} ({shown})")
    if report.probes:
        lines += ["", *_table([TABLE_HEADER, *(_row(probe) for probe in report.probes)])]
    if report.dialect is not None:
        partial = {None: "unknown", True: "yes", False: "no"}[report.dialect.partial_pagination]
        lines += [
            "",
            f"Dialect: {report.dialect.label}; partial pagination: {partial}",
            "  (the violation status follows from the generation: the doctor only reads, and "
            "the app reads violations at 400 and 422 alike)",
        ]
        lines.append(f"Lead statuses: {report.status_encoding or 'unknown (no lead read)'}")
    if report.gaps:
        lines += ["", "Gaps and what the app does:"]
        for gap in sorted(report.gaps, key=lambda gap: SEVERITY_ORDER[gap.severity]):
            lines.append(f"  {gap.severity:<8} {gap.endpoint}: {gap.message}")
    warnings = sum(1 for gap in report.gaps if gap.severity == "warning")
    verdict = (
        f"the app can work ({warnings} warning{'' if warnings == 1 else 's'})"
        if report.can_work
        else f"the app cannot work: {report.reason}"
    )
    lines += [
        "",
        f"Result: {verdict}. {report.requests} requests in {report.elapsed_ms:.0f} ms.",
    ]
    return "\n".join(lines) + "\n"
