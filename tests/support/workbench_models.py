"""Hand-made models and dossiers for the audit workbench's tests (timeline, provenance,
signals, evidence pack): one small lead whose story is known second by second."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from lib.convertr.dossier import LeadDossier, Part
from lib.convertr.errors import ConvertrError, PermissionDeniedError, ServerError
from lib.convertr.models import (
    CampaignProcessrJob,
    Lead,
    LeadData,
    LeadNote,
    LogEntry,
    ProcessrJobLead,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
LEAD_ID = 1


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_lead(lead_id: int = LEAD_ID, campaign: int = 1, **fields: Any) -> Lead:
    values: dict[str, Any] = {
        "id": lead_id,
        "campaign": f"/api/v4/campaigns/{campaign}",
        "processrStatus": "Caution",
        "score": 85,
        "maxScore": 100,
        "createdTs": T0,
        "formName": "Whitepaper form",
        "channel": "form",
    }
    values.update(fields)
    return Lead.model_validate(values)


def value(item_id: int, name: str, text: str | None, source: str, **fields: Any) -> LeadData:
    stamp = fields.pop("created", T0)
    return LeadData.model_validate(
        {
            "id": item_id,
            "lead": f"/api/v4/leads/{LEAD_ID}",
            "name": name,
            "value": text,
            "source": source,
            "createdTs": stamp,
            "updatedTs": fields.pop("updated", stamp),
        }
        | fields
    )


def job(job_id: int, name: str, position: int, **fields: Any) -> CampaignProcessrJob:
    return CampaignProcessrJob.model_validate(
        {
            "id": job_id,
            "campaign": "/api/v4/campaigns/1",
            "jobId": 1000 + job_id,
            "name": name,
            "position": position,
            "maxScore": fields.pop("max_score", 10),
        }
        | fields
    )


def result(
    result_id: int, job_id: int, passed: bool, seconds: float, **fields: Any
) -> ProcessrJobLead:
    return ProcessrJobLead.model_validate(
        {
            "id": result_id,
            "lead": f"/api/v4/leads/{LEAD_ID}",
            "campaignProcessrJob": f"/api/v4/campaign-processr-jobs/{job_id}",
            "result": "passed" if passed else "failed",
            "score": fields.pop("score", 10 if passed else 0),
            "createdTs": at(seconds),
        }
        | fields
    )


def log(
    log_id: int,
    seconds: float,
    message: str,
    *,
    kind: str = "processr",
    level: str = "info",
    job_id: int | None = None,
    **fields: Any,
) -> LogEntry:
    values: dict[str, Any] = {
        "id": log_id,
        "lead": f"/api/v4/leads/{LEAD_ID}",
        "type": kind,
        "level": level,
        "message": message,
        "createdTs": at(seconds),
    }
    if job_id is not None:
        values["campaignProcessrJob"] = f"/api/v4/campaign-processr-jobs/{job_id}"
    return LogEntry.model_validate(values | fields)


def note(note_id: int, seconds: float, kind: str, message: str, **fields: Any) -> LeadNote:
    return LeadNote.model_validate(
        {
            "id": note_id,
            "lead": f"/api/v4/leads/{LEAD_ID}",
            "type": kind,
            "message": message,
            "createdTs": at(seconds),
        }
        | fields
    )


def story_parts() -> dict[str, Any]:
    """A lead's whole story: captured at T0, two transforms at +2 s, three jobs (the email
    validation calls BriteVerify, then NeverBounce which errs), the status at +12 s, an edit."""
    return {
        "lead_data": [
            value(1, "firstName", "Ana", "captured"),
            value(2, "email", "ana@example.com", "captured"),
            value(3, "country", "United Kingdom", "transform", originalValue="uk", created=at(2)),
            value(4, "jobTitle", "CTO", "edited", originalValue="cto", updated=at(3600)),
            value(5, "email.status", "valid", "enrichment", provider="BriteVerify", created=at(6)),
            value(
                6,
                "neverbounce.result",
                "unknown",
                "enrichment",
                provider="NeverBounce",
                created=at(6),
            ),
        ],
        "jobs": [
            job(1, "Test Data Check", 1),
            job(2, "Value Transforms", 2, category="transform", max_score=0),
            job(3, "Live Email Validation", 3, provider="BriteVerify", max_score=25),
        ],
        "job_results": [
            result(3, 3, False, 9, message="NeverBounce: unknown"),
            result(1, 1, True, 2),
            result(2, 2, True, 4, message="2 value transform(s) applied", score=0),
        ],
        "processr_logs": [
            log(10, 0, "Lead received via form; processing started", level="debug"),
            log(11, 2, "Test Data Check: passed", job_id=1, jobName="Test Data Check"),
            log(12, 9, "Live Email Validation: failed", job_id=3, level="warning"),
            log(13, 12, "Status set to Caution (score 85/100)"),
        ],
        "provider_logs": [
            log(
                21,
                9,
                '{"status": "success", "result": "unknown", "execution_time": 4200}',
                kind="provider",
                level="error",
                job_id=3,
                provider="NeverBounce",
                jobName="Live Email Validation",
            ),
            log(
                20,
                9,
                '{"status": "unknown", "duration": 0.5}',
                kind="provider",
                level="warning",
                job_id=3,
                provider="BriteVerify",
                jobName="Live Email Validation",
            ),
        ],
        "notes": [
            note(
                30,
                12,
                "status",
                "Processr set the status to Caution",
                author="Processr",
                field="processrStatus",
                newValue="Caution",
            ),
            note(
                31,
                3600,
                "data",
                'jobTitle changed from "cto" to "CTO"',
                author="Ana Admin",
                field="jobTitle",
                oldValue="cto",
                newValue="CTO",
            ),
        ],
    }


def make_dossier(
    lead: Lead | None = None,
    *,
    errors: Mapping[Part, ConvertrError] | None = None,
    **parts: Any,
) -> LeadDossier:
    """A dossier of `lead` with the story's parts, `parts` overriding them; a part named in
    `errors` is left out (None), as `load_dossier` leaves a failed part."""
    values = story_parts() | parts
    failed = dict(errors or {})
    for part in failed:
        values[part] = None
    lead = lead or make_lead()
    return LeadDossier(lead_id=lead.id, lead=lead, errors=failed, **values)


def permission_denied() -> PermissionDeniedError:
    return PermissionDeniedError(
        "403 GET /api/v4/logs",
        status=403,
        method="GET",
        path="/api/v4/logs",
        user_message="Masked users may not see provider logs",
    )


def server_error() -> ServerError:
    return ServerError(
        "503 GET /api/v4/lead-notes", status=503, method="GET", path="/api/v4/lead-notes"
    )
