"""Leads as audit rows: one flat, typed row per lead with the comparable values derived once.

Derivation happens when leads enter the snapshot (E.164, IP country, local time), so the
analysis itself is only SQL over columns. A masked value (`[masked]`) is stored as NULL: a
masked user's snapshot holds only what that user may see, and their audit runs on the hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Final

import pandas as pd
from pydantic import PlainValidator

from lib.audit import normalise
from lib.convertr.models import Lead, LeadDataValue

DISPOSABLE_DATA: Final = "email.disposable"
"""BriteVerify's verdict on the lead (lead data, "true"/"false")."""
NEVERBOUNCE_DATA: Final = "neverbounce.result"
"""NeverBounce's verdict on the lead (lead data: valid, invalid, disposable, catchall, unknown)."""
LEAD_DATA_NEEDED: Final = frozenset({DISPOSABLE_DATA, NEVERBOUNCE_DATA, "country"})
"""Lead-data values the signals read (the fetch asks for these when a lead lacks them)."""


def _objects(value: object) -> tuple[dict[str, Any], ...]:
    """Embedded values: a list of JSON objects, taken as they are. Anything else (IRIs, a
    lone object) is refused as a mapping was: the lead keeps no values and the fetch asks for
    them separately."""
    if isinstance(value, list | tuple) and all(type(item) is dict for item in value):
        return tuple(value)
    raise ValueError("expected a list of objects")


Unread = Any
"""A lead field the audit never reads: kept as the server sent it, not validated (and so never
a format warning either)."""


class AuditLead(Lead):
    """A lead as the audit reads it: its embedded values (``leadData``) kept as the server
    sent them, not validated one by one as models. A page of leads carries about fifteen
    values per lead and the audit reads three of them by name: validating them all was most
    of the fetch's time.

    The fields `lead_row` never reads are not validated either (`Unread`): the notes' and the
    embedded channel's and QA result's relations (each a model, through a Python validator),
    dates, coordinates and the advertiser's payout were a third of the validation. Every field
    the audit reads keeps the `Lead` validation, and so do the essential ones (id, campaign,
    status, score, capture time): a lead `Lead` refuses is refused here too."""

    lead_data: Annotated[tuple[Mapping[str, Any], ...], PlainValidator(_objects)] = ()  # type: ignore[assignment]
    """The values as the JSON gave them (objects), not copied into a new mapping each."""
    channel: Unread = None
    qa_result: Unread = None
    form_hash: Unread = None
    form_name: Unread = None
    entry_point: Unread = None
    title: Unread = None
    dob: Unread = None
    postcode: Unread = None
    address_line1: Unread = None
    address_line2: Unread = None
    address_line3: Unread = None
    address_line4: Unread = None
    latitude: Unread = None
    longitude: Unread = None
    host: Unread = None
    opt_in: Unread = None
    double_opt_in: Unread = None
    processing_counter: Unread = 0
    suppression_list: Unread = False
    delivered: Unread = False
    over_allocated: Unread = False
    first_delivered_ts: Unread = None
    advertiser_payout: Unread = None
    publisher_billable: Unread = False
    advertiser_billable: Unread = False
    lead_notes: Unread = ()


def _embedded_text(value: object) -> str | None:
    """An embedded value as text, as `LeadDataValue` reads it (a JSON true is "true")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _embedded(lead: Lead) -> dict[str, str | None]:
    """The embedded values the signals read (`LEAD_DATA_NEEDED`), by name."""
    values: dict[str, str | None] = {}
    for item in lead.lead_data:
        # A model (`Lead`) or the JSON object itself (`AuditLead`): the class is checked
        # first, then a dict, as checking for a Mapping (an abstract class) costs more.
        if isinstance(item, LeadDataValue):
            if item.name in LEAD_DATA_NEEDED:
                values[item.name] = item.value
        elif isinstance(item, dict | Mapping):
            name = item.get("name")
            if isinstance(name, str) and name in LEAD_DATA_NEEDED:
                values[name] = _embedded_text(item.get("value"))
    return values


COLUMNS: Final[dict[str, str]] = {
    "lead_id": "int64",
    "campaign_id": "int64",
    "publisher_id": "Int64",
    "sub_id": "string",
    "created_ts": "datetime64[us]",
    "local_ts": "datetime64[us]",
    "local_zone": "string",
    "status": "string",
    "first_name": "string",
    "last_name": "string",
    "company": "string",
    "job_title": "string",
    "email_key": "string",
    "email_domain": "string",
    "domain_disposable": "boolean",
    "bv_disposable": "boolean",
    "nb_result": "string",
    "phone_e164": "string",
    "phone_country": "string",
    "country": "string",
    "ip": "string",
    "ip_kind": "string",
    "ip_country": "string",
    "fingerprint": "string",
    "publisher_payout": "float64",
}
"""The snapshot's `leads` table: column -> pandas dtype (the DuckDB types follow)."""


def _text(value: str | None) -> str | None:
    if value is None or normalise.is_masked(value):
        return None
    text = value.strip()
    return text or None


def email_key(email: str | None, email_hash: str | None) -> str | None:
    """The email hash when the lead carries one, else the sha256 of the normalised email (the
    same rule the API uses), so leads compare whichever the role sees."""
    if email_hash and not normalise.is_masked(email_hash):
        return email_hash.lower()
    address = normalise.normalised_email(email)
    return hashlib.sha256(address.encode()).hexdigest() if address else None


def _bool_text(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    return True if text in {"true", "1", "yes"} else False if text in {"false", "0", "no"} else None


def lead_row(lead: Lead, extra_data: dict[str, str | None] | None = None) -> dict[str, object]:
    """One audit row of a lead; `extra_data` holds lead-data values fetched separately."""
    data = _embedded(lead)
    data.update(extra_data or {})
    country = normalise.country_code(_text(lead.country) or _text(data.get("country")))
    phone = normalise.read_phone(_text(lead.telephone), country)
    ip = _text(lead.ip)
    domain = normalise.email_domain(lead.email)
    created = lead.created_ts.astimezone(dt.UTC).replace(tzinfo=None)
    return {
        "lead_id": lead.id,
        "campaign_id": lead.campaign_id,
        "publisher_id": lead.publisher_id,
        "sub_id": _text(lead.publisher_sub_id),
        "created_ts": created,
        "local_ts": None,
        "local_zone": normalise.local_zone(country, phone[2] if phone else None),
        "status": lead.processr_status,
        "first_name": _text(lead.first_name),
        "last_name": _text(lead.last_name),
        "company": _text(lead.company),
        "job_title": _text(lead.job_title),
        "email_key": email_key(lead.email, lead.email_hash),
        "email_domain": domain,
        "domain_disposable": normalise.is_disposable_domain(domain) if domain else None,
        "bv_disposable": _bool_text(_text(data.get(DISPOSABLE_DATA))),
        "nb_result": (_text(data.get(NEVERBOUNCE_DATA)) or "").lower() or None,
        "phone_e164": phone[0] if phone else None,
        "phone_country": phone[1] or None if phone else None,
        "country": country,
        "ip": ip,
        "ip_kind": normalise.ip_kind(lead.ip),
        "ip_country": None,
        "fingerprint": _text(lead.fingerprint),
        "publisher_payout": float(lead.publisher_payout)
        if lead.publisher_payout is not None
        else None,
    }


def lead_frame(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    """Rows as the `leads` table: typed columns, IP countries and local times filled in."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    # `ip_kind` already said which are public (and `ip` is trimmed): looked up as they are.
    frame["ip_country"] = normalise.public_ip_countries(
        [
            ip if kind == "public" else None
            for ip, kind in zip(frame["ip"], frame["ip_kind"], strict=True)
        ]
    )
    frame = frame.astype(COLUMNS)
    return with_local_time(frame)


def with_local_time(frame: pd.DataFrame) -> pd.DataFrame:
    """`local_ts`: each lead's capture time on the wall clock of its zone (None without one),
    converted a zone at a time (vectorised, not per row)."""
    local = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    utc = frame["created_ts"].dt.tz_localize("UTC")
    for zone, index in frame.groupby("local_zone", dropna=True).groups.items():
        local.loc[index] = utc.loc[index].dt.tz_convert(str(zone)).dt.tz_localize(None)
    frame = frame.copy()
    frame["local_ts"] = local
    return frame
