"""The v4 resources, one model per concept (``docs/api.md``): users, campaigns, publishers,
leads and their values, statistics, contracts, links, jobs, logs, editable fields, notes, and
``Page`` of a collection."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import (
    Any,
    Final,
    Generic,
    Literal,
    Self,
    TypeVar,
)

from pydantic import (
    AwareDatetime,
    Field,
    PrivateAttr,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from lib.convertr.models.statuses import (
    DEFAULT_STATUS_CODES,
    PROCESSR_STATUSES,
    ProcessrStatus,
    StatusCodes,
    StatusLabel,
    status_code_of,
    status_from_text,
)
from lib.convertr.models.tolerant import (
    STATUS_CODES_CONTEXT,
    ApiModel,
    EmbeddedName,
    IdRelation,
    Relation,
    Resource,
    Text,
    optional_relation_id,
    relation_id,
)

# Closed sets: the public sources state them, or the client's own requests and logic depend on
# them. A value outside them is a ResponseFormatError naming the field.
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
"""form, api, link (the sandbox's plain channel names; a real lead embeds a Channel)."""
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
    advertiser: EmbeddedName = None
    """The advertiser's name (a plain string, or the name of an embedded advertiser)."""
    status: CampaignStatus
    currency: str
    """ISO 4217 code, e.g. ``GBP``."""
    max_score: int
    """Sum of the scoring jobs' points (points, not a percentage); a lead with all of them is
    Valid."""
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
    value: Text = None


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
    campaign: IdRelation
    """The lead's campaign (essential: a lead without a readable campaign fails)."""
    publisher: Relation | None = None
    """The publisher that generated the lead (the "Generator"), or None."""
    publisher_sub_id: str | None = None
    channel: Relation | LeadChannel | None = Field(default=None, union_mode="left_to_right")
    """An embedded Channel (``{"@id", "@type": "Channel", "name": "Network"}``) on a real
    enterprise, a plain name (``form``) from the sandbox; ``channel_name`` reads both."""
    qa_result: Relation | None = None
    """The lead's QA result (embedded on a real enterprise; its keys are in ``model_extra``)."""
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
    processr_status_raw: int | str = Field(alias="processrStatus")
    """``processrStatus`` as sent: an integer code (``1000`` in the published example) or a
    label. ``processr_status`` and ``status`` give the label."""
    score: int
    """Points earned (not a percentage): the sum of the lead's job results' scores."""
    max_score: int
    """The campaign's maximum points at the time (``score`` of ``max_score``)."""
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
    lead_notes: tuple[Relation, ...] = ()
    """The lead's notes (IRIs, or embedded notes)."""
    lead_data: tuple[LeadDataValue, ...] = ()
    """The lead's current values (name and value only; ``lead-datas`` has the detail)."""

    _status: StatusLabel | None = PrivateAttr(default=None)

    @field_validator("processr_status_raw")
    @classmethod
    def _a_code_or_a_label(cls, value: int | str) -> int | str:
        if status_code_of(value) is None and status_from_text(str(value)) is None:
            raise ValueError(
                f"expected an integer status code or one of {', '.join(PROCESSR_STATUSES)}"
            )
        return value

    @model_validator(mode="after")
    def _resolve_status(self, info: ValidationInfo) -> Self:
        context = info.context if isinstance(info.context, dict) else {}
        codes = context.get(STATUS_CODES_CONTEXT)
        table = codes if isinstance(codes, StatusCodes) else DEFAULT_STATUS_CODES
        self._status = table.resolve(
            self.processr_status_raw,
            score=self.score,
            max_score=self.max_score,
            hardfail=self.hardfail,
        )
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> StatusLabel:
        """The status label and where it came from (known, assumed, configured, derived)."""
        # Read from the private mapping itself: `self._status` goes through pydantic's
        # `__getattr__`, several times slower, and the audit reads it for every lead.
        private = self.__pydantic_private__
        status: StatusLabel | None = private.get("_status") if private else None
        assert status is not None, "set by the model validator"
        return status

    @property
    def processr_status(self) -> ProcessrStatus:
        """The status label (Valid, Invalid, Caution, Test), however the server sent it."""
        return self.status.label

    @property
    def campaign_id(self) -> int:
        return relation_id(self.campaign)

    @property
    def publisher_id(self) -> int | None:
        return optional_relation_id(self.publisher)

    @property
    def channel_name(self) -> str | None:
        """The channel's name: an embedded Channel's ``name``, or the plain name sent."""
        if isinstance(self.channel, Relation):
            return self.channel.name
        return self.channel

    @property
    def score_share(self) -> float:
        """``score`` as a share of ``max_score`` (0.0 to 1.0; 1.0 when there are no points)."""
        if self.max_score <= 0:
            return 1.0
        return min(1.0, max(0.0, self.score / self.max_score))

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
    lead: IdRelation
    """The lead."""
    name: str
    value: Text = None
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
        return relation_id(self.lead)


class _CampaignCounts(Resource):
    campaign: IdRelation
    total: int
    valid: int
    invalid: int
    caution: int
    test: int
    delivered: int

    @property
    def campaign_id(self) -> int:
        return relation_id(self.campaign)


class Statistic(_CampaignCounts):
    """Lead counts of one campaign."""

    billable: int
    over_allocated: int


class LeadStatisticsChronology(_CampaignCounts):
    """Lead counts of one campaign on one day."""

    date: dt.date


class CampaignPublisher(Resource):
    """A publisher's contract on a campaign."""

    campaign: IdRelation
    publisher: IdRelation
    publisher_name: str | None = None
    """The publisher's name (from an embedded publisher when the field itself is absent)."""
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

    @model_validator(mode="before")
    @classmethod
    def _name_from_embedded_publisher(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("publisherName"):
            publisher = data.get("publisher")
            if isinstance(publisher, Mapping) and isinstance(publisher.get("name"), str):
                return {**data, "publisherName": publisher["name"]}
        return data

    @property
    def campaign_id(self) -> int:
        return relation_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return relation_id(self.publisher)


class CampaignLink(Resource):
    """A tracking link of a publisher on a campaign."""

    campaign: IdRelation
    publisher: IdRelation
    name: str
    url: str
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    created_ts: AwareDatetime | None = None

    @property
    def campaign_id(self) -> int:
        return relation_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return relation_id(self.publisher)


class CampaignProcessrJob(Resource):
    """A Processr job configured on a campaign."""

    campaign: IdRelation
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
        return relation_id(self.campaign)


class ProcessrJobLead(Resource):
    """A job's result for a lead; a campaign job with no result did not run."""

    lead: IdRelation
    campaign_processr_job: IdRelation
    result: JobResult
    score: int = 0
    """Points earned."""
    message: str | None = None
    created_ts: AwareDatetime

    @property
    def lead_id(self) -> int:
        return relation_id(self.lead)

    @property
    def campaign_processr_job_id(self) -> int:
        return relation_id(self.campaign_processr_job)


class LogEntry(Resource):
    """A Processr or provider task log line."""

    lead: IdRelation
    type: LogType
    level: LogLevel
    campaign_processr_job: Relation | None = None
    job_name: str | None = None
    provider: Provider | None = None
    message: str
    """For provider logs the provider's raw answer (usually JSON text), exactly as sent."""
    created_ts: AwareDatetime

    @property
    def campaign_processr_job_id(self) -> int | None:
        return optional_relation_id(self.campaign_processr_job)


class LeadEditableField(Resource):
    campaign: IdRelation
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

    lead: IdRelation
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
    """One page of a collection, with the collection's total when the server counts it.

    With API Platform's partial pagination there is no total: ``total`` and ``page_count``
    are None, and ``has_next`` comes from the page's ``next`` link. Nothing caps a page number
    at a count that is not known.

    A plain dataclass rather than a pydantic generic: ``Page[Lead]`` instances must pickle
    (``st.cache_data``), and parametrised pydantic classes do not.
    """

    items: tuple[ItemT, ...]
    total: int | None
    """Items in the whole collection (``totalItems``), or None when the server does not say."""
    page: int
    """1-based page number."""
    items_per_page: int
    next_link: str | None = None
    """The page's ``next`` link (``view.next``), when the server gave one."""

    @property
    def page_count(self) -> int | None:
        """Number of pages (at least 1, so an empty collection still has a page to show), or
        None when the total is unknown."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.items_per_page))

    @property
    def has_next(self) -> bool:
        """Whether a later page exists: by the count when known, else by the ``next`` link."""
        if self.total is not None:
            return self.page * self.items_per_page < self.total
        return self.next_link is not None

    @property
    def has_previous(self) -> bool:
        return self.page > 1
