"""Bulk edit's view models: which fields may be changed on every chosen lead, the review of
one change applied to many leads (what each lead gets, and which are skipped and why), the
per-lead results of a save, and the summary a data team downloads.

Pure: nothing here talks to the API or imports Streamlit. `lib/convertr/bulk.py` loads the
leads and sends the changes; `lib/ui/bulk_edit.py` draws these values. Every rule a single
edit obeys is reused from `lib.views.edit` (`edit_permission`, `validate_value`), never
copied, so a bulk change is refused exactly where the same change in Edit Data would be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import pandas as pd

from lib.convertr.edits import SaveResult
from lib.convertr.models import Lead, LeadEditableField, User
from lib.presentation import is_masked
from lib.views.edit import (
    EDIT_PERMISSION,
    EMPTY_VALUE,
    edit_permission,
    review_text,
    validate_value,
)
from lib.views.leads import sees_masked

BULK_CAP: Final = 500
"""The most leads one bulk edit takes (a larger selection is refused, never cut silently)."""

EditMode = Literal["set", "replace"]
MODE_LABELS: Final[Mapping[EditMode, str]] = {
    "set": "Set a new value",
    "replace": "Find and replace in the value",
}

# Why a lead is left out of the change (the review's and the summary's reasons).
SKIP_DELIVERED: Final = "Delivered, and your role may not edit delivered leads."
SKIP_NOT_EDITABLE: Final = "{label} is not editable on this lead's campaign ({campaign})."
SKIP_EQUAL: Final = "Already holds this value."
SKIP_NO_MATCH: Final = "The value does not contain {find!r}."
SKIP_MASKED: Final = "The value is masked for your role: it cannot be reviewed, so not changed."
SKIP_INVALID: Final = "The new value would be invalid: {problems}"
SKIP_NOT_FOUND: Final = "Lead not found (deleted, or not visible to your role)."
SKIP_BY_USER: Final = "Skipped by you after a conflict."
TOOK_THEIRS: Final = "Conflict: kept the value someone else saved ({theirs})."

Outcome = Literal["saved", "skipped", "conflict", "failed"]
OUTCOME_LABELS: Final[Mapping[Outcome, str]] = {
    "saved": "Saved",
    "skipped": "Skipped",
    "conflict": "Conflict",
    "failed": "Failed",
}

REVIEW_COLUMNS: Final = ("Lead", "Field", "Current", "New")
SKIPPED_COLUMNS: Final = ("Lead", "Reason")
SUMMARY_COLUMNS: Final = ("Lead", "Field", "Current", "New", "Outcome", "Reason")


# -- what the user asks for -------------------------------------------------------------------


@dataclass(frozen=True)
class BulkSpec:
    """One change for many leads: a field and either a new value or a find-and-replace."""

    field: str
    mode: EditMode = "set"
    value: str = ""
    """The new value (mode "set")."""
    find: str = ""
    """The text to find in each lead's value (mode "replace"; case-sensitive)."""
    replace_with: str = ""

    def new_value(self, current: str) -> str:
        if self.mode == "replace":
            return current.replace(self.find, self.replace_with) if self.find else current
        return self.value

    def describe(self, label: str) -> str:
        if self.mode == "replace":
            return f"{label}: replace {self.find!r} with {self.replace_with!r}"
        return f"{label}: set to {self.value!r}"

    def to_dict(self) -> dict[str, str]:
        """Plain settings (no lead values), for the session or the app's store."""
        return {
            "field": self.field,
            "mode": self.mode,
            "value": self.value,
            "find": self.find,
            "replace_with": self.replace_with,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BulkSpec:
        mode = data.get("mode")
        return cls(
            field=str(data.get("field", "")),
            mode="replace" if mode == "replace" else "set",
            value=str(data.get("value", "")),
            find=str(data.get("find", "")),
            replace_with=str(data.get("replace_with", "")),
        )


def spec_problems(spec: BulkSpec, field_definition: LeadEditableField | None) -> list[str]:
    """What is wrong with the change before any lead is looked at (empty: review it). A set
    value is checked against the field as Edit Data checks it; a replacement is checked per
    lead, since its result depends on each lead's value."""
    if not spec.field:
        return ["Choose a field."]
    if spec.mode == "replace":
        return [] if spec.find else ["Type the text to find."]
    return validate_value(spec.value, field_definition)


# -- the leads, as loaded for a review -------------------------------------------------------


@dataclass(frozen=True)
class BulkLead:
    """One chosen lead as loaded for the review: the lead, its campaign's fields, and the
    value its lead-datas hold for the chosen field (None when none)."""

    lead: Lead
    fields: tuple[LeadEditableField, ...]
    value: str | None
    campaign_name: str = ""

    def definition(self, name: str) -> LeadEditableField | None:
        return next((item for item in self.fields if item.name == name), None)


def current_value(item: BulkLead, name: str) -> str:
    """The value Edit Data shows for `name`: the lead-data value, else the lead's own."""
    if item.value is not None:
        return item.value
    return item.lead.core_value(name) or ""


def common_fields(
    field_sets: Sequence[Sequence[LeadEditableField]],
) -> tuple[LeadEditableField, ...]:
    """The fields editable on every given campaign, in the first campaign's order. The
    definition kept is the strictest one only in so far as the first campaign's is shown; each
    lead is still validated against its own campaign's definition in the review."""
    if not field_sets:
        return ()
    editable_names = [{item.name for item in fields if item.editable} for fields in field_sets]
    shared = set.intersection(*editable_names)
    first = sorted(field_sets[0], key=lambda item: (item.position, item.id))
    return tuple(item for item in first if item.name in shared)


def may_bulk_edit(user: User) -> bool:
    """Whether the bulk controls are offered: the role edits, and sees values unmasked (a
    masked role cannot review what it would overwrite)."""
    return EDIT_PERMISSION in user.permissions and not sees_masked(user.role)


# -- the review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkChange:
    """One lead's part of the change, as reviewed. ``loaded`` is the lead-data value the
    review read (None: no lead-data value), sent as ``previousValue`` so that a lead changed
    meanwhile is a conflict, never overwritten."""

    lead_id: int
    name: str
    label: str
    old: str
    new: str
    loaded: str | None


@dataclass(frozen=True)
class Skip:
    lead_id: int
    reason: str


@dataclass(frozen=True)
class BulkReview:
    """Every chosen lead, either with its change or with the reason it is left out."""

    spec: BulkSpec
    label: str
    changes: tuple[BulkChange, ...]
    skipped: tuple[Skip, ...]

    @property
    def heading(self) -> str:
        count = len(self.changes)
        return (
            f"{self.spec.describe(self.label)} — {count} {_leads(count)} to change, "
            f"{len(self.skipped)} skipped"
        )

    @property
    def confirm_label(self) -> str:
        count = len(self.changes)
        return f"Save {count} {_changes(count)}"

    def frame(self) -> pd.DataFrame:
        rows = [
            {
                "Lead": change.lead_id,
                "Field": change.label,
                "Current": change.old or EMPTY_VALUE,
                "New": change.new or EMPTY_VALUE,
            }
            for change in self.changes
        ]
        return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))

    def skipped_frame(self) -> pd.DataFrame:
        rows = [{"Lead": skip.lead_id, "Reason": skip.reason} for skip in self.skipped]
        return pd.DataFrame(rows, columns=list(SKIPPED_COLUMNS))


def _leads(count: int) -> str:
    return "lead" if count == 1 else "leads"


def _changes(count: int) -> str:
    return "change" if count == 1 else "changes"


def lead_skip_reason(user: User, item: BulkLead, spec: BulkSpec) -> str | None:
    """Why this lead cannot take the change (None: it can)."""
    lead = item.lead
    if not edit_permission(user, lead).allowed:
        return SKIP_DELIVERED if lead.delivered else edit_permission(user, lead).reason
    definition = item.definition(spec.field)
    if definition is None or not definition.editable:
        label = definition.label if definition else spec.field
        campaign = item.campaign_name or f"campaign {lead.campaign_id}"
        return SKIP_NOT_EDITABLE.format(label=label, campaign=campaign)
    current = current_value(item, spec.field)
    if is_masked(current):
        return SKIP_MASKED
    if spec.mode == "replace" and spec.find not in current:
        return SKIP_NO_MATCH.format(find=spec.find)
    new = spec.new_value(current)
    if new == current:
        return SKIP_EQUAL
    problems = validate_value(new, definition)
    if problems:
        return SKIP_INVALID.format(problems=" ".join(problems))
    return None


def bulk_review(
    user: User,
    items: Sequence[BulkLead],
    spec: BulkSpec,
    label: str = "",
    missing: Sequence[int] = (),
) -> BulkReview:
    """The review of `spec` over the loaded leads (in the order given); `missing` are chosen
    ids the server did not return."""
    changes: list[BulkChange] = []
    skipped: list[Skip] = []
    for item in items:
        reason = lead_skip_reason(user, item, spec)
        if reason is not None:
            skipped.append(Skip(item.lead.id, reason))
            continue
        current = current_value(item, spec.field)
        definition = item.definition(spec.field)
        changes.append(
            BulkChange(
                lead_id=item.lead.id,
                name=spec.field,
                label=definition.label if definition else spec.field,
                old=current,
                new=spec.new_value(current),
                loaded=item.value,
            )
        )
    skipped += [Skip(lead_id, SKIP_NOT_FOUND) for lead_id in missing]
    return BulkReview(spec, label or spec.field, tuple(changes), tuple(skipped))


# -- saving, conflicts and the summary --------------------------------------------------------


@dataclass(frozen=True)
class BulkRun:
    """A bulk edit after (part of) its save: each sent lead's last result, and the leads
    whose conflict the user settled without sending (taken theirs or skipped)."""

    review: BulkReview
    results: Mapping[int, SaveResult] = field(default_factory=dict)
    settled: Mapping[int, str] = field(default_factory=dict)
    """Lead id -> what the user chose instead of sending (the summary's reason)."""

    def change(self, lead_id: int) -> BulkChange:
        for change in self.review.changes:
            if change.lead_id == lead_id:
                return change
        raise KeyError(f"expected a lead of this bulk edit, got {lead_id}")

    @property
    def conflicts(self) -> tuple[tuple[BulkChange, SaveResult], ...]:
        """Leads someone else changed meanwhile, still waiting for a choice."""
        return tuple(
            (self.change(lead_id), result)
            for lead_id, result in self.results.items()
            if result.status == "conflict" and lead_id not in self.settled
        )

    @property
    def finished(self) -> bool:
        return len(self.results) + len(
            [lead for lead in self.settled if lead not in self.results]
        ) >= len(self.review.changes)


def run_with_results(run: BulkRun, results: Mapping[int, SaveResult]) -> BulkRun:
    """The run with new results (a resend replaces the lead's earlier result)."""
    settled = {lead: why for lead, why in run.settled.items() if lead not in results}
    return replace(run, results={**run.results, **results}, settled=settled)


def keep_mine(change: BulkChange, theirs: str | None) -> BulkChange:
    """The change rebased on the value someone else saved, to send again against it."""
    return replace(change, old=theirs or "", loaded=theirs)


def take_theirs(run: BulkRun, lead_id: int) -> BulkRun:
    result = run.results[lead_id]
    theirs = review_text(result.theirs or "") or EMPTY_VALUE
    return replace(run, settled={**run.settled, lead_id: TOOK_THEIRS.format(theirs=theirs)})


def skip_conflict(run: BulkRun, lead_id: int) -> BulkRun:
    return replace(run, settled={**run.settled, lead_id: SKIP_BY_USER})


def outcome(result: SaveResult | None, settled: str | None) -> tuple[Outcome, str]:
    """A lead's outcome in the summary, with its reason."""
    if settled is not None:
        return "skipped", settled
    if result is None:
        return "failed", "Not sent (the save was interrupted)."
    if result.status == "saved":
        return "saved", result.message
    if result.status == "conflict":
        theirs = review_text(result.theirs or "") or EMPTY_VALUE
        return "conflict", f"Changed by someone else meanwhile (now {theirs}): not overwritten."
    return "failed", result.message or result.status


def summary_frame(run: BulkRun) -> pd.DataFrame:
    """Every chosen lead with its outcome and reason: changed ones first, then skipped."""
    rows: list[dict[str, object]] = []
    for change in run.review.changes:
        kind, reason = outcome(run.results.get(change.lead_id), run.settled.get(change.lead_id))
        rows.append(
            {
                "Lead": change.lead_id,
                "Field": change.label,
                "Current": change.old,
                "New": change.new,
                "Outcome": OUTCOME_LABELS[kind],
                "Reason": reason,
            }
        )
    for skip in run.review.skipped:
        rows.append(
            {
                "Lead": skip.lead_id,
                "Field": run.review.label,
                "Current": "",
                "New": "",
                "Outcome": OUTCOME_LABELS["skipped"],
                "Reason": skip.reason,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def summary_counts(run: BulkRun) -> dict[Outcome, int]:
    counts: dict[Outcome, int] = {"saved": 0, "skipped": len(run.review.skipped), "conflict": 0}
    counts["failed"] = 0
    for change in run.review.changes:
        kind, _ = outcome(run.results.get(change.lead_id), run.settled.get(change.lead_id))
        counts[kind] += 1
    return counts


def summary_line(run: BulkRun) -> str:
    counts = summary_counts(run)
    return (
        f"{counts['saved']} saved, {counts['skipped']} skipped, "
        f"{counts['conflict']} {'conflict' if counts['conflict'] == 1 else 'conflicts'}, "
        f"{counts['failed']} failed."
    )


def selection_caption(count: int, cap: int = BULK_CAP) -> str:
    """What the selection holds, said before anything happens."""
    if count == 0:
        return "No leads chosen for bulk edit."
    if count > cap:
        return f"{count} leads chosen: bulk edit takes at most {cap}. Narrow the filters."
    return f"{count} {_leads(count)} chosen for bulk edit."


@dataclass(frozen=True)
class BulkDraft:
    """A bulk edit between runs: the leads and change chosen, the review once made (frozen:
    what was reviewed is what is sent), and the run once saving started."""

    lead_ids: tuple[int, ...] = ()
    spec: BulkSpec | None = None
    review: BulkReview | None = None
    run: BulkRun | None = None

    @property
    def stage(self) -> Literal["choose", "review", "done"]:
        if self.run is not None:
            return "done"
        return "review" if self.review is not None else "choose"

    def to_dict(self) -> dict[str, Any]:
        """The settings of a pending review (ids and the change, never lead values): enough
        to review again after a reload, against the values then on the server."""
        return {
            "lead_ids": list(self.lead_ids),
            "spec": self.spec.to_dict() if self.spec else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BulkDraft:
        raw_ids = data.get("lead_ids") or []
        ids = tuple(
            int(value) for value in raw_ids if str(value).isascii() and str(value).isdigit()
        )
        spec = data.get("spec")
        return cls(ids, BulkSpec.from_dict(spec) if isinstance(spec, Mapping) else None)


def merge_page_selection(
    chosen: Sequence[int], page_ids: Sequence[int], selected_rows: Sequence[int]
) -> list[int]:
    """The selection after the table of one page changed: ids of other pages stay (in order),
    this page's are those whose rows are now selected."""
    on_page = set(page_ids)
    picked = [page_ids[row] for row in selected_rows if 0 <= row < len(page_ids)]
    kept = [value for value in chosen if value not in on_page]
    return kept + [value for value in picked if value not in kept]
