"""What the doctor's probes add up to: the server's dialect (API Platform generation, Hydra
spelling, error style, paging) and the gaps it implies. Pure functions of what the probes
recorded; `probe.py` sends the requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from lib.convertr.dialect import StatusEncoding
from lib.convertr.doctor.report import Dialect, Gap, Probe
from lib.convertr.hydra import HydraSpelling
from lib.convertr.models import Lead


def read_dialect(probes: Sequence[Probe]) -> Dialect:
    """The dialect the probes show (the missing-lead probe, which shows the error style,
    comes last)."""
    collections = [probe for probe in probes if probe.spelling is not None]
    spellings = {probe.spelling for probe in collections}
    spelling: HydraSpelling | Literal["mixed"] | None
    if not spellings:
        spelling = None
    elif len(spellings) == 1:
        spelling = collections[0].spelling
    else:
        spelling = "mixed"
    styles = [probe.error_style for probe in probes if probe.error_style is not None]
    error_style = styles[-1] if styles else None
    counted = [probe.counted for probe in collections if probe.counted is not None]
    partial = (not all(counted)) if counted else None
    if spelling == "":
        generation = "4.x"
    elif spelling == "hydra:" and error_style == "problem":
        generation = "3.x"
    elif spelling == "hydra:" and error_style == "hydra":
        generation = "2.x"
    else:
        generation = "unknown"
    violations = {"2.x": 400, "3.x": 422, "4.x": 422}.get(generation)
    return Dialect(generation, spelling, error_style, partial, violations)


def dialect_gaps(
    dialect: Dialect, probes: Sequence[Probe], unadvertised: Sequence[str]
) -> list[Gap]:
    """What the dialect means for the app: filters it cannot check, lists read by their next
    links, mixed spellings, problem+json errors."""
    gaps: list[Gap] = []
    if unadvertised:
        gaps.append(
            Gap(
                "info",
                ", ".join(unadvertised),
                "no search mapping advertised → the app cannot check which filters the server "
                "supports, so it sends the documented ones",
            )
        )
    if dialect.partial_pagination:
        partial = [
            probe.endpoint
            for probe in probes
            if probe.counted is False and probe.endpoint != "leads"
        ]
        if partial:
            gaps.append(
                Gap(
                    "info",
                    ", ".join(partial),
                    "no totalItems (partial pagination) → the app reads these lists by "
                    "following next links",
                )
            )
    if dialect.spelling == "mixed":
        gaps.append(
            Gap("info", "collections", "some collections use hydra:, others not → both read")
        )
    if dialect.error_style == "problem":
        gaps.append(
            Gap("info", "errors", "errors as problem+json → the app reads title and detail")
        )
    return gaps


def differing_field_gaps(differing: dict[tuple[str, str, str], list[str]]) -> list[Gap]:
    """One gap per field whose shape differed from the model, naming every endpoint it came
    from (the lead's fields come twice: in the collection and as an item)."""
    return [
        Gap(
            "warning",
            ", ".join(dict.fromkeys(endpoints)),
            f"{model}.{field_name} differs from the model (expected {expected}) → kept as "
            "sent and listed under the Lead page's format warnings",
        )
        for (model, field_name, expected), endpoints in differing.items()
    ]


def status_gaps(encoding: StatusEncoding | None, lead: Lead | None) -> list[Gap]:
    """How the status filter is sent, and whether the probed lead's status code has a known
    meaning."""
    gaps: list[Gap] = []
    if encoding == "codes":
        gaps.append(
            Gap(
                "info",
                "leads",
                "status filter: server uses codes → the app sends codes (1000 is public, "
                "1001-1003 assumed: set CONVERTR_STATUS_CODES if a filter looks wrong)",
            )
        )
    elif encoding == "labels":
        gaps.append(
            Gap("info", "leads", "status filter: server uses labels → the app sends labels")
        )
    if lead is not None:
        status = lead.status
        if status.source == "derived":
            gaps.append(
                Gap(
                    "warning",
                    "leads",
                    f"status code {status.raw} is in no table → its label is derived from the "
                    "score and marked as derived; set CONVERTR_STATUS_CODES",
                )
            )
        elif status.source == "assumed":
            gaps.append(
                Gap(
                    "info",
                    "leads",
                    f"status code {status.raw} has an assumed meaning ({status.label}) → "
                    "confirm it, or set CONVERTR_STATUS_CODES",
                )
            )
    return gaps
