"""The parts a generated lead is built from, and the buffer its rows wait in before insertion.

The seeder makes each lead in steps, each producing one part (see `leads.LeadFactory.lead`):

    Identity (campaign, person, contract, form)  ->  Captured (the values the form captured)
    ->  Processing (the Processr job results and the status)  ->  timeline (logs and notes,
    straight into the RowBuffer)  ->  LeadRow (the `leads` table row)
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Literal

from lib.sandbox.demo import CampaignSpec

ContractKind = Literal["CPL", "Fixed"]


@dataclass(frozen=True, slots=True)
class Person:
    """Somebody filling in forms; may turn up on several campaigns."""

    locale: str
    first_name: str
    last_name: str
    email: str
    company: str
    telephone: str


@dataclass(frozen=True, slots=True)
class Contract:
    """A signed publisher contract a lead may arrive through."""

    publisher_id: int
    kind: ContractKind
    payout: str
    """What the publisher earns per lead (decimal string)."""


@dataclass(frozen=True, slots=True)
class Form:
    """A campaign's landing-page form."""

    hash: str
    name: str
    landing_url: str


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """A Processr job as configured on one campaign (a `campaign_processr_jobs` row)."""

    row_id: int
    name: str
    job_id: int
    hardfail: bool
    max_score: int


@dataclass(frozen=True)
class CampaignPlan:
    """What the lead factory needs to know of a seeded campaign."""

    id: int
    spec: CampaignSpec
    jobs: tuple[PlannedJob, ...]
    max_score: int
    contracts: tuple[Contract, ...]
    """The contracts leads may arrive through (not the unsigned one)."""
    forms: tuple[Form, ...]
    window: tuple[int, int]
    """Epoch seconds the leads' creation falls between."""


@dataclass(frozen=True)
class Overrides:
    """Draws fixed in advance, for the documented showcase leads and the hostile ones."""

    campaign_index: int | None = None
    person: Person | None = None
    fail_jobs: frozenset[int] = frozenset()
    """Job ids the lead fails."""
    pass_all: bool = False
    """Every other job passes, and nothing random happens to the lead afterwards."""
    email_path: Literal["nb_valid", "bv_valid"] | None = None
    """Email validation: BriteVerify unknown then NeverBounce valid, or BriteVerify valid."""
    full_contact: bool | None = None
    address: bool | None = None
    """True: an address in the locale's first city."""
    raw_country: str | None = None
    raw_job_title: str | None = None
    hostile: dict[str, str] | None = None
    """Captured values replaced ("firstName", "city", ...); "data:<name>" adds a lead data."""
    telephone: bool | None = None
    created: int | None = None
    """When the lead came (epoch seconds), instead of a moment drawn in the campaign."""
    ip: str | None = None
    fingerprint: str | None = None
    """The device's IP and browser fingerprint, instead of drawn ones (the signal clusters)."""
    contract_index: int | None = None
    """The campaign's signed contract (by position) the lead comes through, instead of a drawn
    one (the audit stories: a publisher's recycled contacts, a sub-ID's script)."""
    sub_id: str | None = None
    """The publisher's sub-ID, instead of a drawn one."""


NO_OVERRIDES = Overrides()


@dataclass(frozen=True, slots=True)
class Identity:
    """Step 1: where the lead comes from and who it is."""

    lead_id: int
    campaign: CampaignPlan
    person: Person
    created: int
    """Epoch seconds."""
    contract: Contract | None
    channel: str
    form_hash: str | None
    form_name: str | None
    entry_point: str

    @property
    def publisher_id(self) -> int | None:
        return self.contract.publisher_id if self.contract else None


@dataclass(frozen=True, slots=True)
class Captured:
    """Step 2: the values the form captured (hostile overrides applied), before transforms."""

    title: str | None
    first_name: str
    last_name: str
    email: str | None
    telephone: str | None
    company: str
    raw_job_title: str
    job_title: str
    """After the Value Transforms job (or the hostile value, which it leaves alone)."""
    raw_country: str
    country: str
    """Canonical; the Value Transforms job maps `raw_country` to it."""
    has_address: bool
    street: str | None
    postcode: str | None
    city: str | None
    region: str | None
    latitude: float | None
    longitude: float | None
    hostile: dict[str, str]

    @property
    def transforms_job_title(self) -> bool:
        """Whether the Value Transforms job rewrites the job title."""
        return self.raw_job_title != self.job_title and "jobTitle" not in self.hostile


@dataclass(frozen=True, slots=True)
class ProviderLog:
    """A provider's raw answer, logged under the job that called it."""

    provider: str
    level: str
    message: str


@dataclass(frozen=True, slots=True)
class JobResult:
    """One job's result on the lead (a `processr_job_leads` row)."""

    job: PlannedJob
    passed: bool
    message: str | None
    provider_logs: tuple[ProviderLog, ...] = ()


@dataclass(frozen=True, slots=True)
class Processing:
    """Step 3: what Processr made of the lead."""

    results: tuple[JobResult, ...]
    """In run order; the integration's last, if it ran."""
    status: str
    score: int
    hardfailed: bool
    suppressed: bool
    """Found on the advertiser's suppression list."""
    over_allocated: bool
    delivered: bool
    integration: PlannedJob | None


@dataclass(frozen=True, slots=True)
class LeadRow:
    """The last step: a `leads` row; the field names are the table's columns."""

    id: int
    campaign_id: int
    publisher_id: int | None
    publisher_sub_id: str | None
    channel: str
    form_hash: str | None
    form_name: str | None
    entry_point: str
    title: str | None
    first_name: str
    last_name: str
    email: str | None
    telephone: str | None
    company: str
    job_title: str
    country: str
    dob: str | None
    postcode: str | None
    address_line1: str | None
    address_line2: str | None
    address_line3: str | None
    address_line4: str | None
    latitude: float | None
    longitude: float | None
    ip: str
    host: str
    opt_in: bool
    double_opt_in: bool
    processr_status: str
    score: int
    max_score: int
    hardfail: bool
    processing_counter: int
    suppression_list: bool
    delivered: bool
    over_allocated: bool
    created_ts: str
    first_delivered_ts: str | None
    email_hash: str | None
    fingerprint: str
    publisher_payout: str
    advertiser_payout: str
    publisher_billable: bool
    advertiser_billable: bool


LEAD_ROW_COLUMNS = tuple(f.name for f in fields(LeadRow))
_lead_values = attrgetter(*LEAD_ROW_COLUMNS)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERT_LEAD = _insert("leads", LEAD_ROW_COLUMNS)
INSERT_LEAD_DATA = _insert(
    "lead_datas",
    ("id", "lead_id", "name", "value", "source", "provider", "original_value", "created_ts",
     "updated_ts"),
)  # fmt: skip
INSERT_JOB_RESULT = _insert(
    "processr_job_leads",
    ("id", "lead_id", "campaign_processr_job_id", "result", "score", "message", "created_ts"),
)
INSERT_LOG = _insert(
    "logs",
    ("id", "lead_id", "type", "level", "campaign_processr_job_id", "job_name", "provider",
     "message", "created_ts"),
)  # fmt: skip
INSERT_NOTE = _insert(
    "lead_notes",
    ("id", "lead_id", "type", "message", "author", "field", "old_value", "new_value",
     "created_ts"),
)  # fmt: skip


@dataclass
class RowCounts:
    """Rows made so far; each is also the id of the latest row of its table."""

    lead_datas: int = 0
    job_results: int = 0
    logs: int = 0
    notes: int = 0


@dataclass
class RowBuffer:
    """Rows of generated leads waiting to be inserted, numbered as they are made.

    The rows of other tables stay tuples in their INSERT's column order: they are most of a
    big seed's rows, and a tuple costs least to make and to bind.
    """

    counts: RowCounts = field(default_factory=RowCounts)
    leads: list[LeadRow] = field(default_factory=list)
    _datas: list[tuple[object, ...]] = field(default_factory=list)
    _results: list[tuple[object, ...]] = field(default_factory=list)
    _logs: list[tuple[object, ...]] = field(default_factory=list)
    _notes: list[tuple[object, ...]] = field(default_factory=list)

    def restamp_data(self, lead_id: int, source: str, providers: frozenset[str], ts: str) -> None:
        """Stamp `lead_id`'s lead data of `source` (and, for enrichment, of one of
        `providers`) with `ts`: a job's data are written when the job answers, not before."""
        for index in range(len(self._datas) - 1, -1, -1):
            row = self._datas[index]
            if row[1] != lead_id:
                break  # a lead's data are written together, last
            if row[4] == source and (source != "enrichment" or row[5] in providers):
                self._datas[index] = (*row[:7], ts, ts)

    def data(
        self,
        lead_id: int,
        name: str,
        value: str | None,
        source: str,
        ts: str,
        provider: str | None = None,
        original: str | None = None,
    ) -> None:
        self.counts.lead_datas += 1
        self._datas.append(
            (self.counts.lead_datas, lead_id, name, value, source, provider, original, ts, ts)
        )

    def result(self, lead_id: int, result: JobResult, ts: str) -> None:
        self.counts.job_results += 1
        job = result.job
        self._results.append(
            (self.counts.job_results, lead_id, job.row_id, "passed" if result.passed else "failed",
             job.max_score if result.passed else 0, result.message, ts)
        )  # fmt: skip

    def log(
        self,
        lead_id: int,
        kind: Literal["processr", "provider"],
        level: str,
        job: PlannedJob | None,
        provider: str | None,
        message: str,
        ts: str,
    ) -> None:
        self.counts.logs += 1
        self._logs.append(
            (self.counts.logs, lead_id, kind, level, job.row_id if job else None,
             job.name if job else None, provider, message, ts)
        )  # fmt: skip

    def note(
        self,
        lead_id: int,
        kind: str,
        message: str,
        author: str,
        ts: str,
        field_name: str | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.counts.notes += 1
        self._notes.append(
            (self.counts.notes, lead_id, kind, message, author, field_name, old, new, ts)
        )

    def flush(self, conn: sqlite3.Connection) -> None:
        """Insert every waiting row and forget them (the counts go on)."""
        conn.executemany(INSERT_LEAD, map(_lead_values, self.leads))
        conn.executemany(INSERT_LEAD_DATA, self._datas)
        conn.executemany(INSERT_JOB_RESULT, self._results)
        conn.executemany(INSERT_LOG, self._logs)
        conn.executemany(INSERT_NOTE, self._notes)
        for pending in (self.leads, self._datas, self._results, self._logs, self._notes):
            pending.clear()
