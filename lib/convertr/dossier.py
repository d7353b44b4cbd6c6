"""The lead dossier: everything the Lead Data dialog shows, loaded concurrently.

Requests start the moment what they depend on has arrived, on the client's shared pool:

- at once: the lead and everything keyed by the lead id (values, job results, processr and
  provider logs, notes); and when ``campaign_id`` and ``email`` are given, also the campaign
  group below;
- when the lead arrives: its campaign, the campaign's jobs, editable fields and contracts,
  and the leads with the same email (all campaigns);
- when those leads arrive: ONE request per resource for all their campaigns (multi-value
  filters; the day-by-day chronologies ask for a page large enough to hold them all).

Three dependent waves from a bare lead id, two when the campaign and email are known. The
longest chain (the lead, the leads with its email, their chronologies: the largest answer)
runs in one worker that sends each of its requests first and the next the moment the answer
arrives, with no hand-off between threads; the other requests of a wave start the moment the
chain's request is sent (written, on the network: `client.on_send`). A part that fails is
recorded in ``errors``; parts that need it get a ``DependencyError``. A lead that cannot be
loaded raises its error.
The whole load ends by ``ClientConfig.dossier_deadline``: a part still missing then has a
``RequestTimeoutError``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel

from lib.convertr.client import ConvertrClient, on_send
from lib.convertr.errors import (
    APIError,
    ConvertrError,
    DependencyError,
    EmailNotSearchableError,
    InternalError,
    RequestTimeoutError,
    single_line,
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
from lib.convertr.reference import ReferenceData
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
    *,
    reference: ReferenceData | None = None,
) -> LeadDossier:
    """Load every part of a lead's dossier concurrently.

    Signs in first, so a login problem raises once instead of failing every part. If the
    lead itself cannot be loaded, its error is raised (``NotFoundError`` for no such lead):
    without the lead there is no dossier to show. Any other failing part is recorded in
    ``errors``. Give ``campaign_id`` and ``email`` (e.g. from the leads table) to save one
    round trip; hints that contradict the lead (a stale or edited link) are dropped and the
    dossier is loaded again from the bare id, so no part ever belongs to another campaign.
    ``reference`` (kept per source and role by the caller) answers the campaign's own parts
    (campaign, jobs, editable fields, contracts) it already holds, without a request.
    """
    lead_id = int(lead_id)
    ends_at = time.monotonic() + client.config.dossier_deadline
    client.authenticate()
    dossier = _DossierLoad(client, lead_id, ends_at, reference).run(campaign_id, email)
    if _hints_disagree(dossier, campaign_id, email):
        dossier = _DossierLoad(client, lead_id, ends_at, reference).run(None, None)
    return dossier


MASKED_TOKEN: Final = "[masked]"
"""What the API sends for a value the role may not see (as `lib.presentation.MASKED_VALUE`)."""
SameEmailFilter = tuple[Literal["email", "emailHash"], str]
"""The `leads` filter that finds the leads with a lead's email: the email, or its hash."""


def _is_masked(value: str) -> bool:
    return value.strip() == MASKED_TOKEN


def same_email_filter(lead: Lead) -> SameEmailFilter | EmailNotSearchableError | None:
    """How to find the leads with `lead`'s email: by the email itself; by its hash when the
    role sees the email masked (a filter on a masked value is refused, and searching for the
    literal mask would find nothing and say so falsely); None when no email was captured."""
    if not lead.email:
        return None
    if not _is_masked(lead.email):
        return ("email", lead.email)
    if lead.email_hash and not _is_masked(lead.email_hash):
        return ("emailHash", lead.email_hash)
    return EmailNotSearchableError(
        "Your role sees this lead's email masked and the lead has no email hash: the leads"
        " with the same email cannot be looked up"
    )


def _hints_disagree(dossier: LeadDossier, campaign_id: int | None, email: str | None) -> bool:
    """Whether campaign and email hints (used only together) contradict the loaded lead."""
    lead = dossier.lead
    if campaign_id is None or email is None:
        return False
    return lead.campaign_id != campaign_id or (lead.email or "").lower() != email.lower()


class _DossierLoad:
    """One load of a dossier. The longest chain of dependent requests (lead -> associated
    leads -> chronologies) runs in one worker, which sends each next request itself the
    moment what it needs has arrived: no hand-off to another thread on the critical path.
    Each request of the chain goes out before its siblings, which start the moment it is
    sent. The main thread records every part as it arrives."""

    def __init__(
        self,
        client: ConvertrClient,
        lead_id: int,
        ends_at: float,
        reference: ReferenceData | None = None,
    ) -> None:
        self.client = client
        self.reference = reference
        """Reference answers shared by the caller's role (None: every part is requested)."""
        self.lead_id = lead_id
        self.ends_at = ends_at
        """``time.monotonic()`` by which the dossier is returned, complete or not."""
        self.values: dict[Part, Any] = {}
        self.errors: dict[Part, ConvertrError] = {}
        self.pending: dict[Future[Any], Part] = {}
        self.lock = threading.Lock()
        """Guards ``pending``, ``chained`` and ``closed``: the chain adds parts while the main
        thread waits for them."""
        self.closed = False
        """Set when the main thread stops waiting (all loaded, the deadline, an error): the
        chain then starts nothing more."""
        self.chained: list[Future[Any]] = []
        """The parts the chain loads itself (not through the pool)."""
        self.known_early = False
        """Campaign and email given: one wave less (tags the requests' waves for the log)."""

    def run(self, campaign_id: int | None, email: str | None) -> LeadDossier:
        # The client's long-lived workers: no thread start-up on the critical path.
        self.pool = self.client.executor
        # A masked email cannot be searched for (the server refuses a filter on it): the
        # lead, and its email hash, must come first.
        usable_email = email if email is not None and not _is_masked(email) else None
        self.known_early = campaign_id is not None and usable_email is not None
        if campaign_id is not None and usable_email is not None:
            known_campaign = int(campaign_id)

            def the_rest() -> None:
                self.start_lead_parts(with_lead=True)
                self.start_campaign_parts(known_campaign)

            # The associated leads head the longest chain: they go out first, the rest the
            # moment they are sent.
            self.start_associated_leads(("email", usable_email), then=the_rest)
        else:
            # The lead heads the longest chain (lead -> associated leads -> chronologies).
            lead_part = self.register("lead")
            # The caller's context (the UI's request scope) goes with the chain.
            self.pool.submit(contextvars.copy_context().run, self.lead_chain, lead_part)
        try:
            while True:
                with self.lock:
                    waiting = list(self.pending)
                if not waiting:
                    break
                timeout = max(self.ends_at - time.monotonic(), 0.0)
                done, _ = wait(waiting, timeout=timeout, return_when=FIRST_COMPLETED)
                if not done:
                    self.give_up_at_the_deadline()
                    break
                for future in done:
                    with self.lock:
                        part = self.pending.pop(future)
                    self.record(part, future)
                    self.after(part)
        finally:
            with self.lock:
                self.closed = True
                for future in self.pending:
                    future.cancel()
        return LeadDossier(lead_id=self.lead_id, errors=self.errors, **self.values)

    # -- parts the main thread waits for ----------------------------------------------------

    def submit(self, part: Part, fetch: Callable[..., Any], *args: Any) -> None:
        """A part loaded by a worker of the pool."""
        context = contextvars.copy_context()
        context.run(REQUEST_WAVE.set, self.wave_of(part))
        with self.lock:
            if not self.closed:
                self.pending[self.pool.submit(context.run, fetch, *args)] = part

    def wave_of(self, part: Part) -> int:
        """The dependent wave a part's request belongs to (the request log shows it)."""
        if part in ASSOCIATED_PARTS:
            return 2 if self.known_early else 3
        if part in CAMPAIGN_PARTS and not self.known_early:
            return 2
        return 1

    def register(self, part: Part) -> Future[Any]:
        """A part the chain loads itself (``call``); already cancelled if the load is over."""
        future: Future[Any] = Future()
        with self.lock:
            if self.closed:
                future.cancel()
            else:
                self.pending[future] = part
                self.chained.append(future)
        return future

    def settle(self, part: Part, value: Any = None, error: Exception | None = None) -> None:
        """A part known without a request (no email: nothing associated; or a failed need)."""
        future = self.register(part)
        if future.set_running_or_notify_cancel():
            self.publish(future, _Outcome(value, error))

    @staticmethod
    def call(
        future: Future[Any],
        fetch: Callable[..., Any],
        *args: Any,
        then: Callable[[], None] | None = None,
    ) -> _Outcome | None:
        """Load a registered part in this thread (None if the load is over); ``then`` runs
        the moment its request is sent (`client.on_send`). The main thread sees the outcome
        only once ``publish``ed, so the chain registers what follows first and the main
        thread never finds nothing pending while the chain still has parts to load."""
        if not future.set_running_or_notify_cancel():
            return None
        try:
            with on_send(then or _nothing):
                return _Outcome(value=fetch(*args))
        except Exception as error:
            return _Outcome(error=error)

    @staticmethod
    def publish(future: Future[Any], outcome: _Outcome) -> None:
        if future.done():
            return
        if outcome.error is None:
            future.set_result(outcome.value)
        else:
            future.set_exception(outcome.error)

    def fail_unfinished(self, error: BaseException) -> None:
        """A bug in the chain: its unfinished parts fail with it rather than wait for the
        dossier deadline."""
        with self.lock:
            chained = list(self.chained)
        for future in chained:
            if not future.done():
                future.set_exception(error)

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
                + single_line(error)
            )

    def give_up_at_the_deadline(self) -> None:
        """Every part not loaded yet becomes a timeout; without the lead there is no dossier."""
        seconds = self.client.config.dossier_deadline
        with self.lock:
            self.closed = True
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

    def dependency_error(self, part: Part, needed: Part, cause: Exception) -> DependencyError:
        message = cause.message if isinstance(cause, ConvertrError) else str(cause)
        return DependencyError(
            f"{part} of lead {self.lead_id} not loaded: it needs {needed}, which failed: {message}"
        )

    def after(self, part: Part) -> None:
        if part == "lead" and "lead" in self.errors:
            raise self.errors["lead"]

    # -- the chain --------------------------------------------------------------------------

    def lead_chain(self, lead_part: Future[Any]) -> None:
        """From a bare id: the lead, then its associated leads, then their chronologies."""
        try:
            REQUEST_WAVE.set(self.wave_of("lead"))  # this chain runs in a context of its own
            outcome = self.call(
                lead_part, self.client.lead, self.lead_id, then=self.start_lead_parts
            )
            if outcome is None:
                return
            lead = outcome.value
            if not isinstance(lead, Lead):
                self.publish(lead_part, outcome)  # the main thread raises the lead's error
                return
            campaign_id = lead.campaign_id
            self.start_associated_leads(
                same_email_filter(lead),
                then=lambda: self.start_campaign_parts(campaign_id),
                before=lambda: self.publish(lead_part, outcome),
            )
        except BaseException as error:
            self.fail_unfinished(error)
            raise

    def start_lead_parts(self, *, with_lead: bool = False) -> None:
        client, lead_id = self.client, self.lead_id
        if with_lead:
            self.submit("lead", client.lead, lead_id)
        self.submit("lead_data", client.lead_datas, lead_id)
        self.submit("job_results", client.job_results, lead_id)
        self.submit("processr_logs", client.logs, lead_id, "processr")
        self.submit("provider_logs", client.logs, lead_id, "provider")
        self.submit("notes", client.lead_notes, lead_id)

    def start_associated_leads(
        self,
        email: SameEmailFilter | Exception | None,
        *,
        then: Callable[[], None],
        before: Callable[[], None] | None = None,
    ) -> None:
        """The associated leads and, once they arrive, their chronologies: in this chain
        when it is already running (``before`` runs once they are registered), else in a
        worker of their own. ``then`` runs once their request is sent. ``email`` is the
        filter that finds them (`same_email_filter`), or why they cannot be found."""
        if isinstance(email, Exception):
            # The role sees the email masked and there is no hash to search by: the leads
            # with the same email are unknown, not none (saying none would be false).
            self.settle("associated_leads", error=email)
            for part in ASSOCIATED_PARTS:
                self.settle(part, error=self.dependency_error(part, "associated_leads", email))
            then()
            if before is not None:
                before()
            return
        if not email:
            # No email captured: nothing can be associated, and no request is needed.
            self.settle("associated_leads", [])
            for part in ASSOCIATED_PARTS:
                self.settle(part, [])
            then()
            if before is not None:
                before()
            return
        future = self.register("associated_leads")
        if before is None:
            self.pool.submit(
                contextvars.copy_context().run, self.associated_chain, future, email, then
            )
            return
        before()
        self.associated_chain(future, email, then)

    def associated_chain(
        self, future: Future[Any], email: SameEmailFilter, then: Callable[[], None]
    ) -> None:
        try:
            REQUEST_WAVE.set(self.wave_of("associated_leads"))
            by, value = email
            find = self.client.leads_by_email if by == "email" else self.client.leads_by_email_hash
            outcome = self.call(future, find, value, then=then)
            if outcome is None:
                return
            if outcome.error is not None:
                for part in ASSOCIATED_PARTS:
                    error = self.dependency_error(part, "associated_leads", outcome.error)
                    self.settle(part, error=error)
                self.publish(future, outcome)
                return
            leads: list[Lead] = outcome.value
            campaign_ids = sorted({lead.campaign_id for lead in leads})
            chronologies = self.register("associated_chronologies")
            self.publish(future, outcome)
            self.start_associated_parts(campaign_ids, chronologies)
        except BaseException as error:
            self.fail_unfinished(error)
            raise

    def start_campaign_parts(self, campaign_id: int) -> None:
        client = self.client
        self.submit_reference("campaign", campaign_id, client.campaign, campaign_id)
        self.submit_reference("jobs", campaign_id, client.campaign_processr_jobs, [campaign_id])
        self.submit_reference("editable_fields", campaign_id, client.editable_fields, campaign_id)
        self.submit_reference("publishers", campaign_id, client.campaign_contracts, campaign_id)

    def submit_reference(
        self, part: Part, campaign_id: int, fetch: Callable[..., Any], *args: Any
    ) -> None:
        """A campaign's own part: from the reference data when it holds it (no request),
        else requested and then kept there."""
        if self.reference is None:
            self.submit(part, fetch, *args)
            return
        found, value = self.reference.lookup(part, campaign_id)
        if found:
            self.settle(part, value)
            return
        self.submit(part, self.reference.fetching(part, campaign_id, lambda: fetch(*args)))

    def start_associated_parts(self, campaign_ids: list[int], chronologies: Future[Any]) -> None:
        client = self.client

        def the_rest() -> None:
            self.submit("associated_campaigns", client.campaigns, campaign_ids)
            self.submit("associated_statistics", client.statistics, campaign_ids)
            self.submit("associated_publishers", client.campaign_publishers, campaign_ids)
            self.submit("associated_links", client.campaign_links, campaign_ids)

        # The chronologies carry the most rows (the last answer to arrive), so the chain
        # loads them itself and sends them first; the other four follow at once.
        REQUEST_WAVE.set(self.wave_of("associated_chronologies"))
        outcome = self.call(chronologies, client.chronologies, campaign_ids, then=the_rest)
        if outcome is not None:
            self.publish(chronologies, outcome)


@dataclass(frozen=True)
class _Outcome:
    """A part's value, or the error that stopped it."""

    value: Any = None
    error: Exception | None = None


def _nothing() -> None:
    pass
