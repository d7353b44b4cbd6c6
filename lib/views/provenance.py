"""Where every value on the Profile tab came from, and whether it still matches that source.

For each value: captured from the form, derived by Processr, transformed by which job
(original → transformed), enriched by which provider call, or edited by whom and when (from the
data notes). A value whose current content disagrees with its last recorded source is flagged:
the last data note set something else, the value says it was edited but no note records who,
it changed after capture without a note, or the lead's own field holds another value. Those
are the values someone changed outside the audit trail.

Pure: built from the dossier's lead, values, jobs, provider logs and notes; a part that failed
only makes the answer less specific (a masked user's values still get their source, without
the provider call), never wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final

import pandas as pd

from lib.convertr.dossier import LeadDossier
from lib.convertr.models import CampaignProcessrJob, Lead, LeadData, LeadNote, LogEntry
from lib.presentation import MASKED_VALUE, format_timestamp
from lib.views.lead import DERIVED_SOURCES, PUBLISHER_DATA_FIELDS, label_for
from lib.views.timeline import precise_timestamp

SOURCE_LABELS: Final[Mapping[str, str]] = {
    "captured": "Captured",
    "derived": "Derived",
    "transform": "Transformed",
    "enrichment": "Enriched",
    "edited": "Edited",
}
"""A lead value's `source` as the Profile tab says it; another source is shown as it came."""
LEAD_RECORD: Final = "Lead record"
"""A Publisher Data field held only on the lead itself (no value history)."""
NOT_CAPTURED: Final = "Not captured"
FLAG: Final = "⚠"
DATA_NOTE_TYPE: Final = "data"
TRANSFORM_CATEGORY: Final = "transform"
PROCESSR: Final = "Processr"
CHANGED_LATER: Final = timedelta(seconds=1)
"""A value updated more than this after it was created was changed after it arrived."""

PROVENANCE_COLUMNS: Final = ["Field", "Value", "Source", "By", "When", "Detail", "Flag"]


@dataclass(frozen=True)
class Provenance:
    """Where one value came from."""

    field: str
    """The field's API name (``jobTitle``, ``email.status``)."""
    label: str
    """The field as the Profile tab labels it (``Job Title``)."""
    value: str
    source: str
    """Captured, Derived, Transformed, Enriched, Edited, Lead record or Not captured (or a
    source a real enterprise sends that this list does not know, as it came)."""
    by: str
    """The form, job, provider call or person behind it (empty when unknown)."""
    at: datetime | None
    """When the value got its current content, when known."""
    detail: str
    """The story in a sentence: original → transformed, the provider call, old → new."""
    disagrees: bool = False
    """The value differs from its last recorded source (changed outside the audit trail)."""
    why_flagged: str = ""
    """What disagrees, when `disagrees`."""

    @property
    def badge(self) -> str:
        """A compact cell: ``Enriched · BriteVerify``, ``Edited · Ana Admin``, ``⚠ Edited``."""
        text = (
            f"{self.source} · {self.by}" if self.by and self.source != "Captured" else self.source
        )
        return f"{FLAG} {text}" if self.disagrees else text

    @property
    def hover(self) -> str:
        """The details for a tooltip or a selected row: the story, then the flag."""
        lines = [self.detail]
        if self.disagrees:
            lines.append(f"{FLAG} {self.why_flagged}")
        return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class _Context:
    """What provenance reads besides a value; None where the part failed."""

    lead: Lead
    jobs: Sequence[CampaignProcessrJob]
    provider_logs: Sequence[LogEntry] | None
    data_notes: Mapping[str, LeadNote] | None
    """Field -> its latest data note; None when the notes part failed."""
    zone: tzinfo


def value_provenance(dossier: LeadDossier, zone: tzinfo) -> tuple[Provenance, ...]:
    """Every value on the Profile tab: the Publisher Data fields first (always, as the tab
    shows them), then each other value in the order the API numbered them."""
    lead_data = sorted(dossier.lead_data or [], key=lambda item: item.id)
    context = _Context(
        lead=dossier.lead,
        jobs=sorted(dossier.jobs or [], key=lambda job: (job.position, job.id)),
        provider_logs=dossier.provider_logs,
        data_notes=None if dossier.notes is None else latest_data_notes(dossier.notes),
        zone=zone,
    )
    by_name = {item.name: item for item in lead_data}
    found = []
    for name, label in PUBLISHER_DATA_FIELDS:
        item = by_name.get(name)
        found.append(
            _of_item(item, label, context) if item else _of_lead_field(name, label, context)
        )
    core = {name for name, _ in PUBLISHER_DATA_FIELDS}
    found += [
        _of_item(item, label_for(item.name), context) for item in lead_data if item.name not in core
    ]
    return tuple(found)


def latest_data_notes(notes: Iterable[LeadNote]) -> dict[str, LeadNote]:
    """Field -> the last data note about it (by time, then id)."""
    latest: dict[str, LeadNote] = {}
    for note in sorted(notes, key=lambda item: (item.created_ts, item.id)):
        if note.type.lower() == DATA_NOTE_TYPE and note.field:
            latest[note.field] = note
    return latest


def _when(stamp: datetime | None, zone: tzinfo) -> str:
    return precise_timestamp(stamp, zone) if stamp else "an unknown time"


def _of_lead_field(name: str, label: str, context: _Context) -> Provenance:
    value = context.lead.core_value(name) or ""
    if not value:
        return Provenance(name, label, "", NOT_CAPTURED, "", None, "No value was captured.")
    note = (context.data_notes or {}).get(name)
    if note is not None:
        return _edited(name, label, value, note, context)
    return Provenance(
        name,
        label,
        value,
        LEAD_RECORD,
        "",
        context.lead.created_ts,
        "Held on the lead itself; the API keeps no history of it.",
    )


def _of_item(item: LeadData, label: str, context: _Context) -> Provenance:
    value = item.value or ""
    note = (context.data_notes or {}).get(item.name)
    if item.source == "edited" and note is not None:
        found = _edited(item.name, label, value, note, context)
    else:
        found = _by_source(item, label, context)
    flag = _disagreement(item, note, context)
    if flag:
        return Provenance(
            found.field, found.label, found.value, found.source, found.by, found.at,
            found.detail, disagrees=True, why_flagged=flag,
        )  # fmt: skip
    return found


def _by_source(item: LeadData, label: str, context: _Context) -> Provenance:
    value, source = item.value or "", item.source or ""
    shown = SOURCE_LABELS.get(source, source or "Unknown")
    at = item.created_ts
    when = _when(at, context.zone)
    lead = context.lead
    if source == "captured":
        form = lead.form_name or lead.form_hash or ""
        by = form or lead.channel_name or ""
        detail = f"Captured {f'from the form {form} ' if form else ''}at {when}."
    elif source == "derived":
        origin = DERIVED_SOURCES.get(item.name)
        by = PROCESSR
        detail = f"Derived by Processr{f' from {label_for(origin)}' if origin else ''} at {when}."
    elif source == "transform":
        transformer = transform_job(context.jobs)
        by = transformer.name if transformer else ""
        detail = (
            f"Transformed{f' by {by}' if by else ''} at {when}: "
            f"{item.original_value or '(empty)'} → {value or '(empty)'}."
        )
    elif source == "enrichment":
        call = provider_call(item, context.provider_logs or ())
        provider = item.provider or (call.provider if call else None) or ""
        by = provider
        detail = f"Enriched{f' by {provider}' if provider else ''} at {when}"
        if call is not None:
            for_job = f" for {call.job_name}" if call.job_name else ""
            detail += f", from its answer at {_when(call.created_ts, context.zone)}{for_job}"
        elif context.provider_logs is None and provider:
            detail += f" (the {provider} answer is not in this dossier)"
        detail += "."
    elif source == "edited":
        at = item.updated_ts or item.created_ts
        by = ""
        detail = (
            f"Edited at {_when(at, context.zone)}: {item.original_value or '(empty)'} → "
            f"{value or '(empty)'}"
            + (
                "; the notes could not be read, so who edited it is unknown."
                if context.data_notes is None
                else "."
            )
        )
    else:
        by = ""
        detail = f"Source {source or 'not stated'}, at {when}."
    return Provenance(item.name, label, value, shown, by, at, detail)


def _edited(name: str, label: str, value: str, note: LeadNote, context: _Context) -> Provenance:
    author = note.author or ""
    return Provenance(
        name,
        label,
        value,
        SOURCE_LABELS["edited"],
        author,
        note.created_ts,
        f"Edited by {author or 'someone'} at {_when(note.created_ts, context.zone)}: "
        f"{note.old_value or '(empty)'} → {note.new_value or '(empty)'}.",
    )


def _disagreement(item: LeadData, note: LeadNote | None, context: _Context) -> str:
    """Why the value disagrees with its last recorded source, or "" when it does not (or
    when a masked value makes it impossible to tell)."""
    value = item.value or ""
    if value == MASKED_VALUE:
        return ""
    if note is not None:
        if (note.new_value or "") != value:
            return (
                f"The last recorded edit ({note.author or 'someone'}, "
                f"{_when(note.created_ts, context.zone)}) set {note.new_value or '(empty)'}, "
                "but the value is now different."
            )
    elif context.data_notes is not None:
        if item.source == "edited":
            return "Marked as edited, but no note records who edited it or when."
        changed = item.created_ts and item.updated_ts and item.updated_ts - item.created_ts
        if changed and changed > CHANGED_LATER:
            return (
                f"Changed at {_when(item.updated_ts, context.zone)}, after it arrived, "
                "and no note records the change."
            )
    held = context.lead.core_value(item.name)
    if held and value and held != MASKED_VALUE and held != value:
        return f"The lead itself holds {held}, not this value."
    return ""


def transform_job(jobs: Sequence[CampaignProcessrJob]) -> CampaignProcessrJob | None:
    """The campaign's value-transform job (the first in run order), if it has one."""
    return next((job for job in jobs if (job.category or "").lower() == TRANSFORM_CATEGORY), None)


def provider_call(item: LeadData, logs: Iterable[LogEntry]) -> LogEntry | None:
    """The provider answer an enriched value came from: the same provider's call nearest in
    time to the value (ties: the earlier call)."""
    calls = [entry for entry in logs if item.provider and entry.provider == item.provider]
    if not calls:
        return None
    stamp = item.created_ts
    if stamp is None:
        return min(calls, key=lambda entry: (entry.created_ts, entry.id))
    return min(calls, key=lambda entry: (abs((entry.created_ts - stamp).total_seconds()), entry.id))


def badges_for(labels: Iterable[str], provenance: Iterable[Provenance]) -> list[str]:
    """The badge of each Profile table row by its Field label (a column to add beside it);
    an unknown label gets an empty cell."""
    by_label: dict[str, Provenance] = {}
    for item in provenance:
        by_label.setdefault(item.label, item)
    return [by_label[label].badge if label in by_label else "" for label in labels]


def provenance_frame(provenance: Iterable[Provenance], zone: tzinfo) -> pd.DataFrame:
    """Every value with its source, for the table and the CSV (text stays plain: the CSV
    writer neutralises formulas)."""
    rows = [
        {
            "Field": item.label,
            "Value": item.value,
            "Source": item.source,
            "By": item.by,
            "When": format_timestamp(item.at, zone) if item.at else "",
            "Detail": item.detail,
            "Flag": item.why_flagged,
        }
        for item in provenance
    ]
    return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)


def flagged(provenance: Iterable[Provenance]) -> tuple[Provenance, ...]:
    """The values that disagree with their last recorded source."""
    return tuple(item for item in provenance if item.disagrees)
