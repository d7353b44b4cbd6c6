"""The Lead page's Timeline: one time-ordered stream of everything that happened to a lead.

Built from the dossier the page already loaded (no request of its own): the capture, each
Processr job result, each provider call with its outcome and duration, value transforms,
enrichment, status, delivery and contract changes, data edits and other notes, and the
Processr log lines that say more than a job's result. A dossier part that failed contributes
nothing, and the timeline names it (`Timeline.missing`), so a reader knows what is absent.

Entries are ordered by time, then by `KIND_ORDER` (within one second a job's provider calls
come before its result, the result before the status it led to), then by the id of the record
they came from, so the order never depends on the order the API sent things in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

import pandas as pd

from lib.convertr.dossier import LeadDossier, Part
from lib.convertr.errors import PermissionDeniedError
from lib.convertr.models import (
    CampaignProcessrJob,
    Lead,
    LeadData,
    LeadNote,
    LogEntry,
    ProcessrJobLead,
)
from lib.presentation import DEFAULT_TIMEZONE, TIMESTAMP_FORMAT
from lib.views.lead import (
    TAB_JOBS,
    TAB_NOTES,
    TAB_PROCESSR_LOGS,
    TAB_PROFILE,
    TAB_PROVIDER_LOGS,
    label_for,
)

TimelineKind = Literal[
    "capture",
    "log",
    "provider",
    "enrichment",
    "transform",
    "job",
    "status",
    "delivery",
    "contract",
    "edit",
    "note",
]
"""What an entry records; the order of this list breaks ties between entries of one instant."""
KIND_ORDER: Final[tuple[TimelineKind, ...]] = get_args(TimelineKind)

KIND_LABELS: Final[Mapping[TimelineKind, str]] = {
    "capture": "Capture",
    "log": "Processr log",
    "provider": "Provider call",
    "enrichment": "Enrichment",
    "transform": "Transform",
    "job": "Job",
    "status": "Status",
    "delivery": "Delivery",
    "contract": "Contract",
    "edit": "Edit",
    "note": "Note",
}
"""Each kind as the filter and the table name it: one or two short words, so the Timeline
table's Kind column holds the longest ("Processr log") beside the Lead Profile panel at
1024 px (`column_widths.COLUMN_FITS["Kind"]`)."""
assert set(KIND_LABELS) == set(KIND_ORDER), "every kind has a label"

Outcome = Literal["success", "warning", "failure", "neutral"]
"""How an entry ended, for its colour: a passed job or a clean provider answer is a success,
a failed job or an error a failure; a note or a capture is neutral."""
OUTCOME_LABELS: Final[Mapping[Outcome, str]] = {
    "success": "Passed",
    "warning": "Warning",
    "failure": "Failed",
    "neutral": "",
}


KIND_TABS: Final[Mapping[TimelineKind, str]] = {
    "capture": TAB_PROFILE,
    "log": TAB_PROCESSR_LOGS,
    "provider": TAB_PROVIDER_LOGS,
    "enrichment": TAB_PROFILE,
    "transform": TAB_PROFILE,
    "job": TAB_JOBS,
    "status": TAB_NOTES,
    "delivery": TAB_NOTES,
    "contract": TAB_NOTES,
    "edit": TAB_NOTES,
    "note": TAB_NOTES,
}
"""The tab that holds the detail of each kind (an edit seen only in the lead's values links to
the Profile instead: see `_unnoted_edits`)."""

NOTE_KINDS: Final[Mapping[str, TimelineKind]] = {
    "status": "status",
    "delivery": "delivery",
    "contract": "contract",
    "data": "edit",
}
"""A note's type -> its kind; a type this list does not know is a plain "note"."""

TIMELINE_PARTS: Final[tuple[Part, ...]] = (
    "lead_data",
    "jobs",
    "job_results",
    "processr_logs",
    "provider_logs",
    "notes",
)
"""The dossier parts the timeline reads besides the lead itself."""
PART_LABELS: Final[Mapping[Part, str]] = {
    "lead_data": "captured, transformed and enriched values",
    "jobs": "the campaign's job names",
    "job_results": "job results",
    "processr_logs": "Processr logs",
    "provider_logs": "provider calls",
    "notes": "notes (status, delivery, contract changes and edits)",
}

PROVIDER_DURATION_KEYS: Final[tuple[tuple[str, float], ...]] = (
    ("duration_ms", 1.0),
    ("execution_time", 1.0),
    ("duration", 1000.0),
)
"""Keys of a provider's JSON answer that say how long the call took, and the factor to
milliseconds: NeverBounce sends ``execution_time`` in ms, BriteVerify ``duration`` in s."""

MAX_INFERRED_JOB_MS: Final = 10 * 60 * 1000
"""A job's duration is inferred as the time since the previous job finished (Processr runs a
campaign's jobs one after another); a longer gap means the lead waited (reprocessing, a queue),
not that the job took that long, so no duration is claimed."""

FAILURE_LEVELS: Final = frozenset({"error", "critical", "alert", "emergency"})
WARNING_LEVELS: Final = frozenset({"warning", "notice"})
SUMMARY_VALUES: Final = 6
"""Values named in an enrichment entry's title line before "and N more"."""


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the lead."""

    at: datetime
    """When it happened (a provider call or a job: when it finished)."""
    kind: TimelineKind
    title: str
    """One line: what happened (lead values in it are plain text, never markup)."""
    detail: str
    """The rest: a job's message, a provider's raw answer, old → new values."""
    outcome: Outcome
    duration_ms: int | None
    """How long it took (provider calls and jobs), when known."""
    tab: str
    """The Lead page tab that holds its detail (one of `views.lead.LEAD_TABS`)."""
    ref: int = 0
    """The id of the record it came from (ties at one instant and kind are ordered by it)."""
    lane: str = ""
    """For the processing chart: the job's or the provider's name (empty for the rest)."""

    @property
    def started_at(self) -> datetime:
        """When it started: `at` less its duration (`at` when the duration is unknown)."""
        return self.at - timedelta(milliseconds=self.duration_ms or 0)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, KIND_ORDER.index(self.kind), self.ref)


@dataclass(frozen=True)
class MissingPart:
    """A dossier part that failed, so the timeline holds nothing of it."""

    part: Part
    label: str
    """What is missing, in words ("provider calls")."""
    reason: str
    """The error's one-line message."""
    permission: bool
    """Whether the user may not see it (a masked user's provider logs) rather than it failed."""


@dataclass(frozen=True)
class Timeline:
    """Every entry, oldest first, and the parts that could not be read."""

    entries: tuple[TimelineEntry, ...]
    missing: tuple[MissingPart, ...] = ()

    @property
    def missing_caption(self) -> str | None:
        """One sentence naming what the timeline lacks, or None when nothing is missing."""
        if not self.missing:
            return None
        parts = "; ".join(f"{item.label} ({item.reason})" for item in self.missing)
        return f"Not in the timeline: {parts}."

    def counts(self) -> dict[TimelineKind, int]:
        """Entries per kind, in `KIND_ORDER`, kinds without entries left out."""
        found: dict[TimelineKind, int] = defaultdict(int)
        for entry in self.entries:
            found[entry.kind] += 1
        return {kind: found[kind] for kind in KIND_ORDER if found[kind]}


# -- building ------------------------------------------------------------------------------


def build_timeline(dossier: LeadDossier) -> Timeline:
    """The lead's timeline from whichever parts of the dossier loaded."""
    lead = dossier.lead
    jobs = {job.id: job for job in dossier.jobs or []}
    results = dossier.job_results or []
    entries: list[TimelineEntry] = [capture_entry(lead, dossier.lead_data or [])]
    entries += value_entries(dossier.lead_data or [])
    entries += job_entries(lead, results, jobs, dossier.processr_logs or [])
    entries += log_entries(dossier.processr_logs or [], results)
    entries += provider_entries(dossier.provider_logs or [])
    entries += note_entries(dossier.notes or [])
    if dossier.notes is not None:
        entries += _unnoted_edits(dossier.lead_data or [], dossier.notes)
    missing = tuple(
        MissingPart(
            part,
            PART_LABELS[part],
            error.user_message,
            isinstance(error, PermissionDeniedError),
        )
        for part in TIMELINE_PARTS
        if (error := dossier.error_for(part)) is not None
    )
    return Timeline(tuple(sorted(entries, key=lambda entry: entry.sort_key)), missing)


def capture_entry(lead: Lead, lead_data: Sequence[LeadData]) -> TimelineEntry:
    """The lead's arrival: channel, form and entry point, and which values came with it."""
    how = " via ".join(part for part in ("Lead captured", lead.channel_name) if part)
    form = lead.form_name or lead.form_hash
    title = f"{how} ({form})" if form else how
    captured = [item.name for item in sorted(lead_data, key=_by_id) if item.source == "captured"]
    lines = []
    if lead.entry_point:
        lines.append(f"Entry point: {lead.entry_point}")
    if captured:
        lines.append(f"{len(captured)} values captured: {', '.join(captured)}")
    return TimelineEntry(
        at=lead.created_ts,
        kind="capture",
        title=title,
        detail="\n".join(lines),
        outcome="neutral",
        duration_ms=None,
        tab=TAB_PROFILE,
        ref=lead.id,
    )


def _by_id(item: LeadData) -> int:
    return item.id


def value_entries(lead_data: Iterable[LeadData]) -> list[TimelineEntry]:
    """One entry per transformed value, one per provider's batch of enriched values."""
    entries: list[TimelineEntry] = []
    batches: dict[tuple[datetime, str], list[LeadData]] = defaultdict(list)
    for item in sorted(lead_data, key=_by_id):
        stamp = item.created_ts
        if stamp is None:
            continue
        if item.source == "transform":
            entries.append(
                TimelineEntry(
                    at=stamp,
                    kind="transform",
                    title=f"{label_for(item.name)} transformed",
                    detail=f"{item.original_value or ''} → {item.value or ''}",
                    outcome="neutral",
                    duration_ms=None,
                    tab=TAB_PROFILE,
                    ref=item.id,
                )
            )
        elif item.source == "enrichment":
            batches[(stamp, item.provider or "")].append(item)
    for (stamp, provider), items in batches.items():
        names = [label_for(item.name) for item in items]
        shown = ", ".join(names[:SUMMARY_VALUES])
        if len(names) > SUMMARY_VALUES:
            shown += f" and {len(names) - SUMMARY_VALUES} more"
        entries.append(
            TimelineEntry(
                at=stamp,
                kind="enrichment",
                title=f"{provider or 'A provider'} added {len(items)} value"
                f"{'' if len(items) == 1 else 's'}: {shown}",
                detail="\n".join(f"{item.name} = {item.value or ''}" for item in items),
                outcome="neutral",
                duration_ms=None,
                tab=TAB_PROFILE,
                ref=items[0].id,
            )
        )
    return entries


def job_name(job_id: int, jobs: Mapping[int, CampaignProcessrJob]) -> str:
    """A campaign job's name, or ``Job #id`` when the jobs part is missing."""
    job = jobs.get(job_id)
    return job.name if job else f"Job #{job_id}"


def _echoes(logs: Iterable[LogEntry], results: Iterable[ProcessrJobLead]) -> set[int]:
    """Ids of Processr log lines that only repeat a job's result: same job, same instant."""
    finished = {(result.campaign_processr_job_id, result.created_ts) for result in results}
    return {
        entry.id
        for entry in logs
        if entry.campaign_processr_job_id is not None
        and (entry.campaign_processr_job_id, entry.created_ts) in finished
    }


def job_entries(
    lead: Lead,
    results: Sequence[ProcessrJobLead],
    jobs: Mapping[int, CampaignProcessrJob],
    processr_logs: Sequence[LogEntry],
) -> list[TimelineEntry]:
    """One entry per job result, its duration inferred from the previous job's end (the
    lead's capture for the first), and the log lines it folds in as its detail."""
    echoes = _echoes(processr_logs, results)
    folded: dict[tuple[int | None, datetime], list[str]] = defaultdict(list)
    for entry in sorted(processr_logs, key=lambda item: (item.created_ts, item.id)):
        if entry.id in echoes:
            folded[(entry.campaign_processr_job_id, entry.created_ts)].append(entry.message)
    entries = []
    previous_end = lead.created_ts
    for result in sorted(results, key=lambda item: (item.created_ts, item.id)):
        job_id = result.campaign_processr_job_id
        job = jobs.get(job_id)
        gap_ms = int((result.created_ts - previous_end).total_seconds() * 1000)
        previous_end = max(previous_end, result.created_ts)
        passed = result.result == "passed"
        name = job_name(job_id, jobs)
        score = f"score {result.score}" + (f" of {job.max_score}" if job else "")
        lines = [line for line in (result.message,) if line]
        lines += folded.get((job_id, result.created_ts), [])
        hardfail = " (hardfail)" if job and job.hardfail and not passed else ""
        entries.append(
            TimelineEntry(
                at=result.created_ts,
                kind="job",
                title=f"{name} {result.result}{hardfail}, {score}",
                detail="\n".join(dict.fromkeys(lines)),
                outcome="success" if passed else "failure",
                duration_ms=gap_ms if 0 <= gap_ms <= MAX_INFERRED_JOB_MS else None,
                tab=TAB_JOBS,
                ref=result.id,
                lane=f"Job: {name}",
            )
        )
    return entries


def level_outcome(level: str) -> Outcome:
    """A log level as an outcome: errors fail, warnings warn, the rest succeed."""
    lowered = level.lower()
    if lowered in FAILURE_LEVELS:
        return "failure"
    if lowered in WARNING_LEVELS:
        return "warning"
    return "success"


def _log_outcome(level: str) -> Outcome:
    # A plain info line is not a success of anything: only warnings and errors get colour.
    outcome = level_outcome(level)
    return "neutral" if outcome == "success" else outcome


def log_entries(
    processr_logs: Iterable[LogEntry], results: Iterable[ProcessrJobLead]
) -> list[TimelineEntry]:
    """The Processr log lines that are not a job result's echo (those are in the job's
    entry): the start of processing, the status decision, retries, warnings."""
    logs = list(processr_logs)
    echoes = _echoes(logs, results)
    return [
        TimelineEntry(
            at=entry.created_ts,
            kind="log",
            title=entry.message.splitlines()[0] if entry.message else "",
            detail=entry.message if "\n" in entry.message else "",
            outcome=_log_outcome(entry.level),
            duration_ms=None,
            tab=TAB_PROCESSR_LOGS,
            ref=entry.id,
        )
        for entry in logs
        if entry.id not in echoes
    ]


def provider_duration_ms(message: str) -> int | None:
    """How long a provider call took, from its JSON answer, or None when it does not say."""
    stripped = message.strip()
    if not stripped.startswith("{"):
        return None
    try:
        answer = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    for key, factor in PROVIDER_DURATION_KEYS:
        raw = answer.get(key)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0:
            return round(raw * factor)
    return None


def provider_entries(provider_logs: Iterable[LogEntry]) -> list[TimelineEntry]:
    """One entry per provider call: who answered, for which job, how it went and how long
    it took; the raw answer is the detail, exactly as sent."""
    entries = []
    for entry in provider_logs:
        provider = entry.provider or "A provider"
        outcome = level_outcome(entry.level)
        verdict = {"success": "answered", "warning": "answered with a warning"}.get(
            outcome, "failed"
        )
        job = f" for {entry.job_name}" if entry.job_name else ""
        duration = provider_duration_ms(entry.message)
        took = f" in {duration:,} ms" if duration is not None else ""
        entries.append(
            TimelineEntry(
                at=entry.created_ts,
                kind="provider",
                title=f"{provider} {verdict}{job}{took}",
                detail=entry.message,
                outcome=outcome,
                duration_ms=duration,
                tab=TAB_PROVIDER_LOGS,
                ref=entry.id,
                lane=provider,
            )
        )
    return entries


def note_entries(notes: Iterable[LeadNote]) -> list[TimelineEntry]:
    """Status, delivery and contract changes, data edits (who, old → new) and other notes."""
    entries = []
    for note in notes:
        kind = NOTE_KINDS.get(note.type.lower(), "note")
        author = note.author or "Someone"
        if kind == "edit" and note.field:
            title = f"{author} edited {label_for(note.field)}"
        elif note.message.startswith(author):
            title = note.message  # "Processr set the status to ...": the author is said
        else:
            title = f"{author}: {note.message}"
        detail = note.message if kind == "edit" else ""
        if note.field and (note.old_value is not None or note.new_value is not None):
            change = f"{label_for(note.field)}: {note.old_value or '(empty)'} → "
            change += note.new_value or "(empty)"
            detail = "\n".join(line for line in (detail, change) if line)
        entries.append(
            TimelineEntry(
                at=note.created_ts,
                kind=kind,
                title=title,
                detail=detail,
                outcome="neutral",
                duration_ms=None,
                tab=KIND_TABS[kind],
                ref=note.id,
            )
        )
    return entries


def _unnoted_edits(lead_data: Iterable[LeadData], notes: Sequence[LeadNote]) -> list[TimelineEntry]:
    """Edited values that no data note records (changed outside the audit trail): they still
    happened, so they are on the timeline, linked to the Profile where the value shows."""
    noted = {note.field for note in notes if note.type.lower() == "data" and note.field}
    return [
        TimelineEntry(
            at=stamp,
            kind="edit",
            title=f"{label_for(item.name)} edited, but no note records who",
            detail=f"{item.original_value or '(empty)'} → {item.value or '(empty)'}",
            outcome="warning",
            duration_ms=None,
            tab=TAB_PROFILE,
            ref=item.id,
        )
        for item in lead_data
        if item.source == "edited"
        and item.name not in noted
        and (stamp := item.updated_ts or item.created_ts) is not None
    ]


# -- filtering and the table ----------------------------------------------------------------


def filter_entries(
    entries: Sequence[TimelineEntry],
    *,
    kinds: Iterable[TimelineKind] | None = None,
    text: str = "",
    newest_first: bool = False,
) -> tuple[TimelineEntry, ...]:
    """The entries of the chosen kinds (all when None) whose title or detail contains
    `text` (case-insensitive; blank matches all), oldest first or newest first. Newest first
    is the exact reverse, so entries of one instant keep their logical order reversed too."""
    wanted = set(KIND_ORDER if kinds is None else kinds)
    needle = text.strip().casefold()
    chosen = [
        entry
        for entry in entries
        if entry.kind in wanted
        and (not needle or needle in entry.title.casefold() or needle in entry.detail.casefold())
    ]
    return tuple(reversed(chosen) if newest_first else chosen)


def precise_timestamp(value: datetime, zone: tzinfo) -> str:
    """`presentation.format_timestamp` to the second (a timeline's steps are seconds apart)."""
    return _in_zone(value, zone).strftime(TIMESTAMP_FORMAT + ":%S")


DAY_TIME_FORMAT: Final = "%d %b %H:%M:%S"
"""A time to the second without its year ("13 Jul 11:19:53")."""


TIMELINE_COLUMNS: Final = ["Time", "Kind", "What", "Outcome", "Duration (ms)", "Detail", "Tab"]


def single_year(entries: Iterable[TimelineEntry], zone: tzinfo) -> int | None:
    """The one year every entry falls in (in the viewer's zone), or None when they span more
    than one (or there are none): a table of one year's entries can leave the year out of
    each time and say it once."""
    years = {_in_zone(entry.at, zone).year for entry in entries}
    return years.pop() if len(years) == 1 else None


def _in_zone(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return value.astimezone(zone)


def timeline_frame(
    entries: Iterable[TimelineEntry], zone: tzinfo, *, without_year: bool = False
) -> pd.DataFrame:
    """The entries as a table (times in the viewer's zone, to the second; `without_year`
    leaves the year out, for a table whose entries fall in one year and say so), for display
    and CSV; text stays plain (the CSV writer neutralises formulas)."""
    rows = [
        {
            "Time": (
                _in_zone(entry.at, zone).strftime(DAY_TIME_FORMAT)
                if without_year
                else precise_timestamp(entry.at, zone)
            ),
            "Kind": KIND_LABELS[entry.kind],
            "What": entry.title,
            "Outcome": OUTCOME_LABELS[entry.outcome],
            "Duration (ms)": entry.duration_ms,
            "Detail": entry.detail,
            "Tab": entry.tab,
        }
        for entry in entries
    ]
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
    # Whole milliseconds, blank when unknown (not a float column with NaN).
    frame["Duration (ms)"] = frame["Duration (ms)"].astype("Int64")
    return frame
