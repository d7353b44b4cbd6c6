"""Typed models of the v4 API resources (pydantic v2), as described in docs/api.md.

Models ignore fields they do not know and accept both the camelCase names of the API and the
snake_case attribute names. Closed sets are ``Literal``s: a value outside the set makes the
client raise ``ResponseFormatError`` naming the resource and the field, rather than let a
surprising status flow silently into the analysis. Relations stay IRIs (``campaign``) and are
resolved to ids by properties (``campaign_id``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

_IRI_ID = re.compile(r"/(\d+)/?$")


def iri_id(iri: str) -> int:
    """The numeric id at the end of an IRI such as ``/api/v4/leads/167457``."""
    match = _IRI_ID.search(iri)
    if match is None:
        raise ValueError(f"expected an IRI ending in a numeric id, got {iri!r}")
    return int(match.group(1))


def _optional_iri_id(iri: str | None) -> int | None:
    return None if iri is None else iri_id(iri)


# Closed sets: the public sources state them, or the client's own requests and logic depend on
# them. A value outside them is a ResponseFormatError naming the field.
ProcessrStatus = Literal["Valid", "Invalid", "Caution", "Test"]
JobResult = Literal["passed", "failed"]
LogType = Literal["processr", "provider"]
ContractType = Literal["CPL", "Fixed"]
ContractStatus = Literal["Unsigned", "Active", "Inactive"]

# Open sets: docs/api.md assumed these values, and a real enterprise may send others (another
# provider, a new channel or log level). Any string is accepted, so one unexpected value does
# not hide a whole lead; the comments list the values the sandbox sends.
CampaignStatus = str
"""Live, Paused, Completed, Draft."""
Role = str
"""admin, analyst, viewer, masked (permissions come from `User.permissions`)."""
LeadChannel = str
"""form, api, link."""
LeadDataSource = str
"""captured, derived, enrichment, transform, edited."""
Provider = str
"""BriteVerify, NeverBounce, Full Contact."""
JobCategory = str
"""quality, transform, enrichment, integration."""
LogLevel = str
"""debug, info, warning, error."""
NoteType = str
"""status, delivery, contract, data."""
EditableFieldType = str
"""text, email, number, date, choice; any other type is edited as text."""


class ApiModel(BaseModel):
    """Base of every resource model: tolerant of extra fields, camelCase aliases."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, alias_generator=to_camel, frozen=True
    )


class Resource(ApiModel):
    """An item with an IRI and a numeric id."""

    iri: str | None = Field(default=None, alias="@id")
    """The item's IRI, e.g. ``/api/v4/leads/167457``."""
    id: int


class User(Resource):
    email: str
    name: str
    role: Role
    permissions: tuple[str, ...] = ()
    """``leads.view``, ``leads.edit``, ``leads.edit_delivered``, ``logs.provider.view``."""

    @property
    def can_view_provider_logs(self) -> bool:
        return "logs.provider.view" in self.permissions


class Campaign(Resource):
    name: str
    advertiser: str | None = None
    """The advertiser's name (a plain string in this API)."""
    status: CampaignStatus
    currency: str
    """ISO 4217 code, e.g. ``GBP``."""
    max_score: int
    """Sum of the scoring jobs' points; a lead at 100% of it is Valid."""
    capped: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    created_ts: AwareDatetime


class Publisher(Resource):
    name: str


class LeadDataValue(ApiModel):
    """A current value embedded in a lead (``leadData``): only name and value."""

    iri: str | None = Field(default=None, alias="@id")
    name: str
    value: str | None = None


LEAD_CORE_ATTRIBUTES: Final[Mapping[str, str]] = {
    "title": "title",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "telephone": "telephone",
    "company": "company",
    "jobTitle": "job_title",
    "country": "country",
    "postcode": "postcode",
    "addressLine1": "address_line1",
}
"""Fields a lead carries itself (API name -> attribute), shown when lead-datas holds no value
of that name."""


class Lead(Resource):
    campaign: str
    """IRI of the lead's campaign."""
    publisher: str | None = None
    """IRI of the publisher that generated the lead (the "Generator"), or None."""
    publisher_sub_id: str | None = None
    channel: LeadChannel | None = None
    form_hash: str | None = None
    form_name: str | None = None
    entry_point: str | None = None
    """Landing-page URL of the form, or ``API: <client>``."""
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    telephone: str | None = None
    company: str | None = None
    job_title: str | None = None
    country: str | None = None
    dob: dt.date | None = None
    postcode: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    address_line4: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    ip: str | None = None
    host: str | None = None
    opt_in: bool | None = None
    double_opt_in: bool | None = None
    processr_status: ProcessrStatus
    score: int
    """Points earned: the sum of the lead's job results' scores."""
    max_score: int
    hardfail: bool = False
    """True when a hardfail job failed (the lead is Invalid whatever the score)."""
    processing_counter: int = 0
    """How many times Processr ran over the lead."""
    suppression_list: bool = False
    delivered: bool = False
    over_allocated: bool = False
    """Held back because the publisher's cap was reached."""
    created_ts: AwareDatetime
    first_delivered_ts: AwareDatetime | None = None
    email_hash: str | None = None
    """sha256 hex of the lower-cased email."""
    fingerprint: str | None = None
    publisher_payout: Decimal | None = None
    advertiser_payout: Decimal | None = None
    publisher_billable: bool = False
    advertiser_billable: bool = False
    lead_notes: tuple[str, ...] = ()
    """IRIs of the lead's notes."""
    lead_data: tuple[LeadDataValue, ...] = ()
    """The lead's current values (name and value only; ``lead-datas`` has the detail)."""

    @property
    def campaign_id(self) -> int:
        return iri_id(self.campaign)

    @property
    def publisher_id(self) -> int | None:
        return _optional_iri_id(self.publisher)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def core_value(self, name: str) -> str | None:
        """A core field's value by its API name (``firstName``, ``email``, ...); None when
        the name is not a core field or the lead has no value for it."""
        attribute = LEAD_CORE_ATTRIBUTES.get(name)
        value: str | None = getattr(self, attribute) if attribute else None
        return value


class LeadData(Resource):
    lead: str
    """IRI of the lead."""
    name: str
    value: str | None = None
    source: LeadDataSource | None = None
    """Where the value came from: captured, derived, enrichment, transform or edited."""
    provider: Provider | None = None
    """The enrichment provider, for enrichment values."""
    original_value: str | None = None
    """For transformed or edited values: the value before the first change."""
    created_ts: AwareDatetime | None = None
    updated_ts: AwareDatetime | None = None

    @property
    def lead_id(self) -> int:
        return iri_id(self.lead)


class _CampaignCounts(Resource):
    campaign: str
    total: int
    valid: int
    invalid: int
    caution: int
    test: int
    delivered: int

    @property
    def campaign_id(self) -> int:
        return iri_id(self.campaign)


class Statistic(_CampaignCounts):
    """Lead counts of one campaign."""

    billable: int
    over_allocated: int


class LeadStatisticsChronology(_CampaignCounts):
    """Lead counts of one campaign on one day."""

    date: dt.date


class CampaignPublisher(Resource):
    """A publisher's contract on a campaign."""

    campaign: str
    publisher: str
    publisher_name: str | None = None
    contract_type: ContractType
    status: ContractStatus
    enabled: bool
    payout: Decimal
    """Per lead for CPL contracts."""
    contract_value: Decimal | None = None
    """Fixed contracts only."""
    minimum_leads: int | None = None
    """Fixed contracts only."""
    cap: int | None = None
    required: int | None = None
    allocation: int | None = None
    """Percent of the campaign's leads."""
    processing: int = 0
    on_hold: int = 0
    total: int = 0
    valid: int = 0
    invalid: int = 0
    billable: int = 0
    earnings: Decimal = Decimal(0)
    """payout x billable for CPL, the contract value for Fixed."""

    @property
    def campaign_id(self) -> int:
        return iri_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return iri_id(self.publisher)


class CampaignLink(Resource):
    """A tracking link of a publisher on a campaign."""

    campaign: str
    publisher: str
    name: str
    url: str
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    created_ts: AwareDatetime | None = None

    @property
    def campaign_id(self) -> int:
        return iri_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return iri_id(self.publisher)


class CampaignProcessrJob(Resource):
    """A Processr job configured on a campaign."""

    campaign: str
    job_id: int
    """The platform's job id, e.g. 1001."""
    name: str
    db_ref: str | None = None
    category: JobCategory | None = None
    provider: Provider | None = None
    hardfail: bool = False
    """A failure makes the lead Invalid whatever its score."""
    max_score: int = 0
    """Points this job contributes when it passes."""
    position: int = 0
    """Run order on the campaign."""
    enabled: bool = True

    @property
    def campaign_id(self) -> int:
        return iri_id(self.campaign)


class ProcessrJobLead(Resource):
    """A job's result for a lead; a campaign job with no result did not run."""

    lead: str
    campaign_processr_job: str
    result: JobResult
    score: int = 0
    """Points earned."""
    message: str | None = None
    created_ts: AwareDatetime

    @property
    def lead_id(self) -> int:
        return iri_id(self.lead)

    @property
    def campaign_processr_job_id(self) -> int:
        return iri_id(self.campaign_processr_job)


class LogEntry(Resource):
    """A Processr or provider task log line."""

    lead: str
    type: LogType
    level: LogLevel
    campaign_processr_job: str | None = None
    job_name: str | None = None
    provider: Provider | None = None
    message: str
    """For provider logs the provider's raw answer (usually JSON text), exactly as sent."""
    created_ts: AwareDatetime

    @property
    def campaign_processr_job_id(self) -> int | None:
        return _optional_iri_id(self.campaign_processr_job)


class LeadEditableField(Resource):
    campaign: str
    name: str
    label: str
    type: EditableFieldType
    choices: tuple[str, ...] = ()
    """Allowed values of a ``choice`` field."""
    required: bool = False
    max_length: int | None = None
    editable: bool = True
    position: int = 0


class LeadNote(Resource):
    """A status, delivery, contract or data change in the lead's history."""

    lead: str
    type: NoteType
    message: str
    author: str | None = None
    """A user's name, or "Processr"."""
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    created_ts: AwareDatetime


ItemT = TypeVar("ItemT", bound=ApiModel)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a collection, with the collection's total for server-side paging.

    A plain dataclass rather than a pydantic generic: ``Page[Lead]`` instances must pickle
    (``st.cache_data``), and parametrised pydantic classes do not.
    """

    items: tuple[ItemT, ...]
    total: int
    """Items in the whole collection (``hydra:totalItems``)."""
    page: int
    """1-based page number."""
    items_per_page: int

    @property
    def page_count(self) -> int:
        """Number of pages (at least 1, so an empty collection still has a page to show)."""
        return max(1, math.ceil(self.total / self.items_per_page))
