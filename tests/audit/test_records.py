"""Leads as audit rows: the audit's lead model reads what the rows need exactly as `Lead` does,
and leaves the rest as sent."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from lib.audit.records import AuditLead, lead_row
from lib.convertr.models import Lead
from tests.support.fakes import lead

UNREAD_ODDITIES: dict[str, Any] = {
    "leadNotes": [{"no": "id"}],
    "qaResult": 7,
    "channel": ["a", "list"],
    "dob": "not a date",
    "firstDeliveredTs": "yesterday",
    "advertiserPayout": {"amount": "1.00"},
    "latitude": "north",
    "optIn": {"value": True},
}


def test_fields_the_audit_does_not_read_are_kept_as_sent_without_warnings() -> None:
    item = lead(telephone="+44 20 7946 0000", country="GB", ip="81.2.69.160", **UNREAD_ODDITIES)
    audit = AuditLead.model_validate(item)
    full = Lead.model_validate(item)
    assert full.format_warnings, "the full model keeps these raw, with a warning each"
    assert audit.format_warnings == ()
    assert audit.lead_notes == [{"no": "id"}] and audit.dob == "not a date"
    assert lead_row(audit) == lead_row(full)


@pytest.mark.parametrize(
    "odd",
    [
        {"processrStatus": "Sideways"},
        {"createdTs": "2026-06-01T10:00:00"},  # no offset
        {"campaign": "/api/v4/campaigns/none"},
        {"score": "many"},
        {"id": None},
    ],
)
def test_a_lead_the_full_model_refuses_the_audit_refuses_too(odd: dict[str, Any]) -> None:
    item = lead(**odd)
    with pytest.raises(pydantic.ValidationError):
        Lead.model_validate(item)
    with pytest.raises(pydantic.ValidationError):
        AuditLead.model_validate(item)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"publisherPayout": {"amount": "1"}, "telephone": 12, "publisher": 5},
        {"processrStatus": 1002, "hardfail": True, "country": "", "email": "[masked]"},
    ],
)
def test_the_fields_the_audit_reads_are_read_as_lead_reads_them(changes: dict[str, Any]) -> None:
    item = lead(**changes)
    audit, full = AuditLead.model_validate(item), Lead.model_validate(item)
    assert lead_row(audit) == lead_row(full)
    assert audit.unparsed == full.unparsed
    for name in ("status", "publisher", "publisher_payout", "created_ts", "hardfail"):
        assert getattr(audit, name) == getattr(full, name)
