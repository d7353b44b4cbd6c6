"""Leads as audit rows: the audit's lead model reads what the rows need exactly as `Lead` does,
and leaves the rest as sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import phonenumbers
import pydantic
import pytest
from phonenumbers import timezone as phone_timezone

from lib.audit import normalise
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


ODD_PHONES: list[tuple[str | None, str | None]] = [
    ("+44 1534 123456", "GB"),  # Jersey, stated as the UK
    ("+44 1481 234567", "GB"),  # Guernsey
    ("+44 1624 123456", None),  # the Isle of Man, no country stated
    ("+1 416 555 0199", "US"),  # Toronto, stated as the US
    ("+1 242 357 1234", "US"),  # the Bahamas
    ("+1 212 555 0100", "CA"),
    ("(617) 201-5605", "US"),
    ("07400 123456", "GB"),
    ("020 7946 0000", None),  # national, no region: not a number
    ("+49 30 1234567", "GB"),
    ("+49 1512 3456789", "DE"),
    ("+33 6 12 34 56 78", "FR"),
    ("+61 2 9374 4000", "AU"),
    ("+7 495 123 45 67", "RU"),
    ("+800 1234 5678", "US"),  # international freephone: no region
    ("+882 1234 5678", None),
    ("+44 7400 003030 ext. 12", "GB"),
    ("12", "US"),
    ("not a number", "GB"),
    ("[masked]", "GB"),
    ("", "GB"),
    (None, None),
]


def public_read_phone(
    telephone: str | None, region: str | None
) -> tuple[str, str, str | None] | None:
    """`normalise.read_phone` through phonenumbers' public functions only, one question each:
    what it must answer."""
    if not telephone or normalise.is_masked(telephone):
        return None
    try:
        number = phonenumbers.parse(telephone, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    zones = [
        zone
        for zone in phone_timezone.time_zones_for_number(number)
        if zone != phone_timezone.UNKNOWN_TIMEZONE
    ]
    zone = zones[0] if len(zones) == 1 else None
    if region and phonenumbers.is_valid_number_for_region(number, region):
        return formatted, region, zone
    return formatted, phonenumbers.region_code_for_number(number) or "", zone


def test_phones_read_as_phonenumbers_public_functions_read_them(sandbox_db: Path) -> None:
    with sqlite3.connect(sandbox_db) as connection:
        stated = connection.execute("SELECT DISTINCT telephone, country FROM leads").fetchall()
    pairs = [(phone, normalise.country_code(country)) for phone, country in stated]
    pairs += ODD_PHONES
    assert len(pairs) > 100
    for phone, region in pairs:
        assert normalise.read_phone.__wrapped__(phone, region) == public_read_phone(
            phone, region
        ), (phone, region)
