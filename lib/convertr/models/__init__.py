"""Typed models of the v4 API resources (pydantic v2), as described in docs/api.md.

Models ignore fields they do not know and accept both the camelCase names of the API and the
snake_case attribute names. They read what real API Platform servers send, not only a tidy
reading of the docs (``docs/api.md``, "Real responses"):

- every relation is a ``Relation``: an IRI string or an embedded object with ``@id`` (its
  ``@type``, ``name`` and other keys kept), or null; id properties (``lead.campaign_id``)
  work either way;
- ``""`` counts as no value: None where a field is optional, the default where it has one;
- a field that is not essential (it has a default) and arrives in an unexpected shape does not
  fail the item: its value is kept raw (``model.unparsed``) and a ``FormatWarning`` (names and
  shapes only, never the value) is recorded (``model.format_warnings``). A required field
  (``id``, a lead's ``campaign``) in the wrong shape is a ``ResponseFormatError``;
- a lead's ``processrStatus`` is kept raw (an integer code or a label) and resolved to a label
  in ONE place, ``StatusCodes.resolve``.

Closed sets the public sources state are ``Literal``s; the sets docs/api.md assumed are open.

Its rooms: `tolerant` (the validation machinery every model is built on), `statuses` (lead
statuses and their codes) and `resources` (one model per v4 resource); this package hands on
every public name, so ``from lib.convertr.models import Lead`` works as before.
"""

from __future__ import annotations

from lib.convertr.models.resources import (
    LEAD_CORE_ATTRIBUTES,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    CampaignStatus,
    ContractStatus,
    ContractType,
    EditableFieldType,
    ItemT,
    JobCategory,
    JobResult,
    Lead,
    LeadChannel,
    LeadData,
    LeadDataSource,
    LeadDataValue,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    LogLevel,
    LogType,
    NoteType,
    Page,
    ProcessrJobLead,
    Provider,
    Publisher,
    Role,
    Statistic,
    User,
)
from lib.convertr.models.statuses import (
    ASSUMED_STATUS_CODES,
    DEFAULT_STATUS_CODES,
    PROCESSR_STATUSES,
    PUBLIC_STATUS_CODES,
    ProcessrStatus,
    StatusCodes,
    StatusLabel,
    StatusSource,
    derive_status,
    parse_context,
    status_from_text,
)
from lib.convertr.models.tolerant import (
    FORMAT_WARNINGS_CONTEXT,
    STATUS_CODES_CONTEXT,
    ApiModel,
    ApiModelT,
    EmbeddedName,
    FormatWarning,
    IdRelation,
    Relation,
    Resource,
    Text,
    describe_shape,
    describe_type,
    iri_id,
    validate_strictly,
    without_top_level_blanks,
)

__all__ = [
    "ASSUMED_STATUS_CODES",
    "DEFAULT_STATUS_CODES",
    "FORMAT_WARNINGS_CONTEXT",
    "LEAD_CORE_ATTRIBUTES",
    "PROCESSR_STATUSES",
    "PUBLIC_STATUS_CODES",
    "STATUS_CODES_CONTEXT",
    "ApiModel",
    "ApiModelT",
    "Campaign",
    "CampaignLink",
    "CampaignProcessrJob",
    "CampaignPublisher",
    "CampaignStatus",
    "ContractStatus",
    "ContractType",
    "EditableFieldType",
    "EmbeddedName",
    "FormatWarning",
    "IdRelation",
    "ItemT",
    "JobCategory",
    "JobResult",
    "Lead",
    "LeadChannel",
    "LeadData",
    "LeadDataSource",
    "LeadDataValue",
    "LeadEditableField",
    "LeadNote",
    "LeadStatisticsChronology",
    "LogEntry",
    "LogLevel",
    "LogType",
    "NoteType",
    "Page",
    "ProcessrJobLead",
    "ProcessrStatus",
    "Provider",
    "Publisher",
    "Relation",
    "Resource",
    "Role",
    "Statistic",
    "StatusCodes",
    "StatusLabel",
    "StatusSource",
    "Text",
    "User",
    "derive_status",
    "describe_shape",
    "describe_type",
    "iri_id",
    "parse_context",
    "status_from_text",
    "validate_strictly",
    "without_top_level_blanks",
]
