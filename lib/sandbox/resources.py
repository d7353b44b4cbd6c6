"""The v4 resources the sandbox serves: tables, filters, orderings and JSON-LD shapes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

API_PREFIX = "/api/v4"

FilterKind = Literal["id", "relation", "exact", "iexact", "partial", "bool", "datetime", "date"]


def iri(path: str, item_id: int | None) -> str | None:
    """The IRI of an item of the collection at `path`, or None for no item."""
    return None if item_id is None else f"{API_PREFIX}/{path}/{item_id}"


@dataclass(frozen=True)
class Filter:
    """A query filter: API parameter name, how it matches and the SQL column it applies to."""

    param: str
    kind: FilterKind
    column: str
    target: str | None = None
    """For relations: the collection path the IRIs point into (e.g. "campaigns")."""


Serializer = Callable[[sqlite3.Row], dict[str, Any]]


MAX_ITEMS_PER_PAGE = 500
"""API Platform's `paginationMaximumItemsPerPage` for most collections (assumed)."""
CHRONOLOGY_MAX_ITEMS_PER_PAGE = 5000
"""Lead statistics chronologies allow larger pages than other collections (assumed)."""


@dataclass(frozen=True)
class Resource:
    """A collection served at `/api/v4/<path>` with items at `/api/v4/<path>/<id>`."""

    path: str
    type: str
    table: str
    serialize: Serializer
    filters: tuple[Filter, ...] = ()
    orders: dict[str, str] = field(default_factory=dict)
    writable: bool = False
    max_items_per_page: int = MAX_ITEMS_PER_PAGE
    """API Platform's per-resource `paginationMaximumItemsPerPage` (assumed values)."""


def _bool(value: Any) -> bool:
    return bool(value)


def _campaign(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "name": row["name"],
        "advertiser": row["advertiser"],
        "status": row["status"],
        "currency": row["currency"],
        "maxScore": row["max_score"],
        "capped": _bool(row["capped"]),
        "startDate": row["start_date"],
        "endDate": row["end_date"],
        "createdTs": row["created_ts"],
    }


def _publisher(row: sqlite3.Row) -> dict[str, Any]:
    return {"name": row["name"]}


LEAD_COLUMNS: dict[str, str] = {
    "publisherSubId": "publisher_sub_id",
    "channel": "channel",
    "formHash": "form_hash",
    "formName": "form_name",
    "entryPoint": "entry_point",
    "title": "title",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "telephone": "telephone",
    "company": "company",
    "jobTitle": "job_title",
    "country": "country",
    "dob": "dob",
    "postcode": "postcode",
    "addressLine1": "address_line1",
    "addressLine2": "address_line2",
    "addressLine3": "address_line3",
    "addressLine4": "address_line4",
    "latitude": "latitude",
    "longitude": "longitude",
    "ip": "ip",
    "host": "host",
    "processrStatus": "processr_status",
    "score": "score",
    "maxScore": "max_score",
    "processingCounter": "processing_counter",
    "createdTs": "created_ts",
    "firstDeliveredTs": "first_delivered_ts",
    "emailHash": "email_hash",
    "fingerprint": "fingerprint",
    "publisherPayout": "publisher_payout",
    "advertiserPayout": "advertiser_payout",
}
LEAD_BOOLEANS: dict[str, str] = {
    "optIn": "opt_in",
    "doubleOptIn": "double_opt_in",
    "hardfail": "hardfail",
    "suppressionList": "suppression_list",
    "delivered": "delivered",
    "overAllocated": "over_allocated",
    "publisherBillable": "publisher_billable",
    "advertiserBillable": "advertiser_billable",
}
# Lead-data names that are also columns of the lead (an edit updates both).
CORE_FIELDS: dict[str, str] = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "telephone": "telephone",
    "company": "company",
    "jobTitle": "job_title",
    "country": "country",
    "title": "title",
    "postcode": "postcode",
}


def _lead(row: sqlite3.Row) -> dict[str, Any]:
    item: dict[str, Any] = {
        "campaign": iri("campaigns", row["campaign_id"]),
        "publisher": iri("publishers", row["publisher_id"]),
    }
    for name, column in LEAD_COLUMNS.items():
        item[name] = row[column]
    for name, column in LEAD_BOOLEANS.items():
        item[name] = _bool(row[column])
    # leadNotes and leadData are embedded by the application (they need other tables).
    item["leadNotes"] = []
    item["leadData"] = []
    return item


def _lead_data(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "lead": iri("leads", row["lead_id"]),
        "name": row["name"],
        "value": row["value"],
        "source": row["source"],
        "provider": row["provider"],
        "originalValue": row["original_value"],
        "createdTs": row["created_ts"],
        "updatedTs": row["updated_ts"],
    }


def _counts(row: sqlite3.Row, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in names}


def _statistic(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        **_counts(row, ("total", "valid", "invalid", "caution", "test", "delivered", "billable")),
        "overAllocated": row["over_allocated"],
    }


def _chronology(row: sqlite3.Row) -> dict[str, Any]:
    # Spelled out rather than through _counts: the largest collection a dossier reads.
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        "date": row["date"],
        "total": row["total"],
        "valid": row["valid"],
        "invalid": row["invalid"],
        "caution": row["caution"],
        "test": row["test"],
        "delivered": row["delivered"],
    }


def _campaign_publisher(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        "publisher": iri("publishers", row["publisher_id"]),
        "publisherName": row["publisher_name"],
        "contractType": row["contract_type"],
        "status": row["status"],
        "enabled": _bool(row["enabled"]),
        "payout": row["payout"],
        "contractValue": row["contract_value"],
        "minimumLeads": row["minimum_leads"],
        "cap": row["cap"],
        "required": row["required"],
        "allocation": row["allocation"],
        "processing": row["processing"],
        "onHold": row["on_hold"],
        **_counts(row, ("total", "valid", "invalid", "billable")),
        "earnings": row["earnings"],
    }


def _campaign_link(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        "publisher": iri("publishers", row["publisher_id"]),
        "name": row["name"],
        "url": row["url"],
        **_counts(row, ("impressions", "clicks", "conversions")),
        "createdTs": row["created_ts"],
    }


def _campaign_job(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        "jobId": row["job_id"],
        "name": row["name"],
        "dbRef": row["db_ref"],
        "category": row["category"],
        "provider": row["provider"],
        "hardfail": _bool(row["hardfail"]),
        "maxScore": row["max_score"],
        "position": row["position"],
        "enabled": _bool(row["enabled"]),
    }


def _job_result(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "lead": iri("leads", row["lead_id"]),
        "campaignProcessrJob": iri("campaign-processr-jobs", row["campaign_processr_job_id"]),
        "result": row["result"],
        "score": row["score"],
        "message": row["message"],
        "createdTs": row["created_ts"],
    }


def _log(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "lead": iri("leads", row["lead_id"]),
        "type": row["type"],
        "level": row["level"],
        "campaignProcessrJob": iri("campaign-processr-jobs", row["campaign_processr_job_id"]),
        "jobName": row["job_name"],
        "provider": row["provider"],
        "message": row["message"],
        "createdTs": row["created_ts"],
    }


def _editable_field(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "campaign": iri("campaigns", row["campaign_id"]),
        "name": row["name"],
        "label": row["label"],
        "type": row["type"],
        "choices": json.loads(row["choices"]),
        "required": _bool(row["required"]),
        "maxLength": row["max_length"],
        "editable": _bool(row["editable"]),
        "position": row["position"],
    }


def _note(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "lead": iri("leads", row["lead_id"]),
        "type": row["type"],
        "message": row["message"],
        "author": row["author"],
        "field": row["field"],
        "oldValue": row["old_value"],
        "newValue": row["new_value"],
        "createdTs": row["created_ts"],
    }


def _campaign_filter() -> Filter:
    return Filter("campaign", "relation", "campaign_id", "campaigns")


def _publisher_filter() -> Filter:
    return Filter("publisher", "relation", "publisher_id", "publishers")


def _lead_filter() -> Filter:
    return Filter("lead", "relation", "lead_id", "leads")


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "campaigns", "Campaign", "campaigns", _campaign,
        (Filter("id", "id", "id", "campaigns"), Filter("name", "partial", "name"),
         Filter("status", "exact", "status"), Filter("advertiser", "partial", "advertiser")),
        {"name": "name", "createdTs": "created_ts", "id": "id"},
    ),
    Resource("publishers", "Publisher", "publishers", _publisher,
             (Filter("id", "id", "id", "publishers"),), {"name": "name", "id": "id"}),
    Resource(
        "leads", "Lead", "leads", _lead,
        (Filter("id", "id", "id", "leads"), _campaign_filter(), _publisher_filter(),
         Filter("email", "iexact", "email"), Filter("emailHash", "exact", "email_hash"),
         # The same person elsewhere (assumed filters): exact values, indexed.
         Filter("ip", "exact", "ip"), Filter("fingerprint", "exact", "fingerprint"),
         Filter("telephone", "exact", "telephone"),
         Filter("processrStatus", "exact", "processr_status"),
         Filter("delivered", "bool", "delivered"), Filter("createdTs", "datetime", "created_ts")),
        # The Leads table sorts on the server by these (order[...]); others are not sortable.
        {"createdTs": "created_ts", "id": "id", "score": "score",
         "publisherPayout": "publisher_payout", "processrStatus": "processr_status",
         "delivered": "delivered", "lastName": "last_name"},
    ),
    Resource(
        "lead-datas", "LeadData", "lead_datas", _lead_data,
        (_lead_filter(), Filter("name", "exact", "name"), Filter("source", "exact", "source")),
        {"id": "id", "name": "name"},
        writable=True,
    ),
    Resource("statistics", "Statistic", "statistics", _statistic, (_campaign_filter(),),
             {"id": "id"}),
    Resource(
        "lead-statistics-chronologies", "LeadStatisticsChronology",
        "lead_statistics_chronologies", _chronology,
        (_campaign_filter(), Filter("date", "date", "date")), {"date": "date", "id": "id"},
        # A row per campaign and day: a few years of several campaigns fit one page, so
        # a chart of several campaigns is one request.
        max_items_per_page=CHRONOLOGY_MAX_ITEMS_PER_PAGE,
    ),
    Resource(
        "campaign-publishers", "CampaignPublisher", "campaign_publishers", _campaign_publisher,
        (_campaign_filter(), _publisher_filter(), Filter("status", "exact", "status")),
        {"id": "id"},
    ),
    Resource("campaign-links", "CampaignLink", "campaign_links", _campaign_link,
             (_campaign_filter(), _publisher_filter()), {"id": "id"}),
    Resource("campaign-processr-jobs", "CampaignProcessrJob", "campaign_processr_jobs",
             _campaign_job, (_campaign_filter(),), {"position": "position", "id": "id"}),
    Resource(
        "processr-job-leads", "ProcessrJobLead", "processr_job_leads", _job_result,
        (_lead_filter(),
         Filter("campaignProcessrJob", "relation", "campaign_processr_job_id",
                "campaign-processr-jobs"),
         Filter("result", "exact", "result")),
        {"createdTs": "created_ts", "id": "id"},
    ),
    Resource(
        "logs", "Log", "logs", _log,
        (_lead_filter(), Filter("type", "exact", "type"), Filter("level", "exact", "level"),
         Filter("createdTs", "datetime", "created_ts")),
        {"createdTs": "created_ts", "id": "id"},
    ),
    Resource("lead-editable-fields", "LeadEditableField", "lead_editable_fields",
             _editable_field, (_campaign_filter(),), {"position": "position", "id": "id"}),
    Resource(
        "lead-notes", "LeadNote", "lead_notes", _note,
        (_lead_filter(), Filter("type", "exact", "type")),
        {"createdTs": "created_ts", "id": "id"},
    ),
)  # fmt: skip

RESOURCES_BY_PATH: dict[str, Resource] = {resource.path: resource for resource in RESOURCES}

# campaign-publishers shows the publisher's name next to the contract.
TABLE_SOURCES: dict[str, str] = {
    "campaign_publishers": (
        "(SELECT cp.*, p.name AS publisher_name FROM campaign_publishers cp"
        " JOIN publishers p ON p.id = cp.publisher_id)"
    ),
}
