"""The lead dossier: everything the Lead Data dialog shows, loaded concurrently.

Requests start the moment what they depend on has arrived, on the client's shared pool:

- at once: the lead and everything keyed by the lead id (values, job results, processr and
  provider logs, notes); and when ``campaign_id`` and ``email`` are given, also the campaign
  group below;
- when the lead arrives: its campaign, the campaign's jobs, editable fields and contracts,
  and the leads with the same email (all campaigns);
- when those leads arrive: ONE request per resource for all their campaigns (multi-value
  filters; the day-by-day chronologies ask for a page large enough to hold them all).

Three dependent waves from a bare lead id, two when the campaign and email are known. A part
that fails is recorded in ``errors``; parts that need it get a ``DependencyError``. A lead
that cannot be loaded raises its error. The whole load ends by ``ClientConfig.dossier_deadline``:
a part still missing then has a ``RequestTimeoutError``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel

from lib.convertr.client import ConvertrClient
from lib.convertr.errors import (
    APIError,
    ConvertrError,
    DependencyError,
    InternalError,
    RequestTimeoutError,
)
from lib.convertr.models import (
    ApiModel,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    FormatWarning,
    Lead,
    LeadData,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    Statistic,
)
from lib.convertr.requestlog import REQUEST_WAVE

Part = Literal[
    "lead",
    "lead_data",
    "job_results",
    "processr_logs",
    "provider_logs",
    "notes",
    "campaign",
    "jobs",
    "editable_fields",
    "publishers",
    "associated_leads",
    "associated_campaigns",
    "associated_statistics",
    "associated_publishers",
    "associated_links",
    "associated_chronologies",
]
"""A dossier part's name (a field of `LeadDossier`): mypy checks every place that names one."""

LEAD_PARTS: Final[tuple[Part, ...]] = (
    "lead",
    "lead_data",
    "job_results",
    "processr_logs",
    "provider_logs",
    "notes",
)
"""Parts keyed by the lead id: requested at once."""
CAMPAIGN_PARTS: Final[tuple[Part, ...]] = (
    "campaign",
    "jobs",
    "editable_fields",
    "publishers",
    "associated_leads",
)
"""Parts that need the lead's campaign id or email."""
ASSOCIATED_PARTS: Final[tuple[Part, ...]] = (
    "associated_campaigns",
    "associated_statistics",
    "associated_publishers",
    "associated_links",
    "associated_chronologies",
)
"""Parts that need the campaigns of the leads sharing the email."""
PARTS: Final[tuple[Part, ...]] = LEAD_PARTS + CAMPAIGN_PARTS + ASSOCIATED_PARTS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeadDossier:
    """Everything about one lead; a part that failed is None and has an entry in ``errors``.
    The lead itself is always there: `load_dossier` raises when it cannot be loaded."""

    lead_id: int
    lead: Lead
    lead_data: list[LeadData] | None = None
    """Every value held for the lead (captured, derived, enrichment, transform, edited)."""
    campaign: Campaign | None = None
    associated_leads: list[Lead] | None = None
    """Leads with the same email on any campaign, this lead included."""
    associated_campaigns: list[Campaign] | None = None
    """The campaigns of ``associated_leads`` (this lead's campaign included)."""
    associated_statistics: list[Statistic] | None = None
    associated_publishers: list[CampaignPublisher] | None = None
    associated_links: list[CampaignLink] | None = None
    associated_chronologies: list[LeadStatisticsChronology] | None = None
    jobs: list[CampaignProcessrJob] | None = None
    """The Processr jobs of the lead's campaign, in run order."""
    job_results: list[ProcessrJobLead] | None = None
    processr_logs: list[LogEntry] | None = None
    provider_logs: list[LogEntry] | None = None
    editable_fields: list[LeadEditableField] | None = None
    notes: list[LeadNote] | None = None
    publishers: list[CampaignPublisher] | None = None
    """The contracts of the lead's campaign (for the Generator's name)."""
    errors: Mapping[Part, ConvertrError] = field(default_factory=dict)
    """Part name -> why that part is missing."""

    def error_for(self, part: Part) -> ConvertrError | None:
        # Checked at run time too: a caller without type checking (a notebook) learns why.
        if part not in PARTS:
            raise KeyError(f"expected a dossier part ({', '.join(PARTS)}), got {part!r}")
        return self.errors.get(part)

    @property
    def warnings(self) -> tuple[FormatWarning, ...]:
        """Distinct format warnings of every loaded part: fields whose value came in an
        unexpected shape and was kept raw (names and shapes only, never values)."""
        found: dict[FormatWarning, None] = {}
        for part in PARTS:
            value = getattr(self, part)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ApiModel):
                    found.update(dict.fromkeys(item.format_warnings))
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: each part's data (snake_case fields), the errors and the
        format warnings."""
        result: dict[str, Any] = {"lead_id": self.lead_id}
        for part in PARTS:
            result[part] = _jsonable(getattr(self, part))
        result["errors"] = {part: _error_dict(error) for part, error in self.errors.items()}
        result["warnings"] = [str(warning) for warning in self.warnings]
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _jsonable(value: object) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _error_dict(error: ConvertrError) -> dict[str, Any]:
    result: dict[str, Any] = {
        "type": type(error).__name__,
        "message": error.message,
        "user_message": error.user_message,
    }
    if isinstance(error, APIError):
        result["status"] = error.status
    return result


assert {f.name for f in fields(LeadDossier)} == {"lead_id", "errors", *PARTS}
assert set(get_args(Part)) == set(PARTS) and len(PARTS) == len(get_args(Part))


def load_dossier(
    client: ConvertrClient,
    lead_id: int,
    campaign_id: int | None = None,
    email: str | None = None,
) -> LeadDossier:
    """Load every part of a lead's dossier concurrently.

    Signs in first, so a login problem raises once instead of failing every part. If the
    lead itself cannot be loaded, its error is raised (``NotFoundError`` for no such lead):
    without the lead there is no dossier to show. Any other failing part is recorded in
    ``errors``. Give ``campaign_id`` and ``email`` (e.g. from the leads table) to save one
    round trip; hints that contradict the lead (a stale or edited link) are dropped and the
    dossier is loaded again from the bare id, so no part ever belongs to another campaign.
    """
    lead_id = int(lead_id)
    ends_at = time.monotonic() + client.config.dossier_deadline
    client.authenticate()
    dossier = _DossierLoad(client, lead_id, ends_at).run(campaign_id, email)
    if _hints_disagree(dossier, campaign_id, email):
        dossier = _DossierLoad(client, lead_id, ends_at).run(None, None)
    return dossier


def _hints_disagree(dossier: LeadDossier, campaign_id: int | None, email: str | None) -> bool:
    """Whether campaign and email hints (used only together) contradict the loaded lead."""
    lead = dossier.lead
    if campaign_id is None or email is None:
        return False
    return lead.campaign_id != campaign_id or (lead.email or "").lower() != email.lower()


class _DossierLoad:
    def __init__(self, client: ConvertrClient, lead_id: int, ends_at: float) -> None:
        self.client = client
        self.lead_id = lead_id
        self.ends_at = ends_at
        """``time.monotonic()`` by which the dossier is returned, complete or not."""
        self.values: dict[Part, Any] = {}
        self.errors: dict[Part, ConvertrError] = {}
        self.pending: dict[Future[Any], Part] = {}
        self.waves: dict[Part, int] = {}
        self.wave = 1
        """The wave the next submitted part belongs to (tags its requests for the log)."""

    def run(self, campaign_id: int | None, email: str | None) -> LeadDossier:
        client, lead_id = self.client, self.lead_id
        # The client's long-lived workers: no thread start-up on the critical path.
        self.pool = client.executor
        known_early = campaign_id is not None and email is not None
        if known_early:
            # The associated leads head the longest chain: start them first.
            self.start_associated_leads(email)
        self.submit("lead", client.lead, lead_id)
        self.submit("lead_data", client.lead_datas, lead_id)
        self.submit("job_results", client.job_results, lead_id)
        self.submit("processr_logs", client.logs, lead_id, "processr")
        self.submit("provider_logs", client.logs, lead_id, "provider")
        self.submit("notes", client.lead_notes, lead_id)
        if known_early:
            assert campaign_id is not None
            self.start_campaign_parts(int(campaign_id))
        try:
            while self.pending:
                timeout = max(self.ends_at - time.monotonic(), 0.0)
                done, _ = wait(self.pending, timeout=timeout, return_when=FIRST_COMPLETED)
                if not done:
                    self.give_up_at_the_deadline()
                    break
                for future in done:
                    part = self.pending.pop(future)
                    self.record(part, future)
                    self.after(part, known_early)
        except BaseException:
            for future in self.pending:
                future.cancel()
            raise
        return LeadDossier(lead_id=lead_id, errors=self.errors, **self.values)

    def submit(self, part: Part, fetch: Callable[..., Any], *args: Any) -> None:
        # The part's requests run in this context (the caller's, plus the wave), so the
        # client's request log knows who asked and in which wave.
        self.waves[part] = self.wave
        context = contextvars.copy_context()
        context.run(REQUEST_WAVE.set, self.wave)
        self.pending[self.pool.submit(context.run, fetch, *args)] = part

    def record(self, part: Part, future: Future[Any]) -> None:
        error = future.exception()
        if error is None:
            self.values[part] = future.result()
        elif isinstance(error, ConvertrError):
            self.errors[part] = error
        else:
            # The client lets only ConvertrErrors out; anything else is a bug, logged with its
            # traceback, and still only this part's error rather than the end of the dossier.
            logger.error("dossier part %s of lead %s failed", part, self.lead_id, exc_info=error)
            self.errors[part] = InternalError(
                f"{part} of lead {self.lead_id} not loaded: {type(error).__name__}: "
                + " ".join(str(error).split())
            )

    def give_up_at_the_deadline(self) -> None:
        """Every part not loaded yet becomes a timeout; without the lead there is no dossier."""
        seconds = self.client.config.dossier_deadline
        for future in self.pending:
            # Running requests end by their own request deadline; queued ones never start.
            future.cancel()
        self.pending.clear()
        for part in PARTS:
            if part not in self.values and part not in self.errors:
                self.errors[part] = RequestTimeoutError(
                    f"{part} of lead {self.lead_id} not loaded within the {seconds:g} s dossier "
                    "deadline"
                )
        if "lead" in self.errors:
            raise self.errors["lead"]

    def fail_dependants(self, parts: tuple[Part, ...], needed: Part) -> None:
        cause = self.errors[needed]
        for part in parts:
            self.errors[part] = DependencyError(
                f"{part} of lead {self.lead_id} not loaded: it needs {needed}, which failed: "
                f"{cause.message}"
            )

    def after(self, part: Part, known_early: bool) -> None:
        self.wave = self.waves.get(part, 0) + 1
        if part == "lead":
            error = self.errors.get("lead")
            if error is not None:
                raise error
            if known_early:
                return
            lead: Lead = self.values["lead"]
            self.start_associated_leads(lead.email)
            self.start_campaign_parts(lead.campaign_id)
        elif part == "associated_leads":
            if "associated_leads" in self.errors:
                self.fail_dependants(ASSOCIATED_PARTS, "associated_leads")
                return
            leads: list[Lead] = self.values["associated_leads"]
            self.start_associated_parts(sorted({lead.campaign_id for lead in leads}))

    def start_associated_leads(self, email: str | None) -> None:
        if email:
            self.submit("associated_leads", self.client.leads_by_email, email)
        else:
            # No email captured: nothing can be associated, and no request is needed.
            self.values["associated_leads"] = []
            for part in ASSOCIATED_PARTS:
                self.values[part] = []

    def start_campaign_parts(self, campaign_id: int) -> None:
        client = self.client
        self.submit("campaign", client.campaign, campaign_id)
        self.submit("jobs", client.campaign_processr_jobs, [campaign_id])
        self.submit("editable_fields", client.editable_fields, campaign_id)
        self.submit("publishers", client.campaign_contracts, campaign_id)

    def start_associated_parts(self, campaign_ids: list[int]) -> None:
        client = self.client
        # The chronologies carry the most rows, so they start first.
        self.submit("associated_chronologies", client.chronologies, campaign_ids)
        self.submit("associated_campaigns", client.campaigns, campaign_ids)
        self.submit("associated_statistics", client.statistics, campaign_ids)
        self.submit("associated_publishers", client.campaign_publishers, campaign_ids)
        self.submit("associated_links", client.campaign_links, campaign_ids)
