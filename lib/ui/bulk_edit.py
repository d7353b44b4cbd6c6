"""Bulk edit: one change to many leads, with the review, permissions, conflicts and audit
trail of a single edit.

Any page that lists leads can offer it: the Leads page chooses rows (or every lead matching
its filters), the Audit page can pass its findings' lead ids to `choose_leads`. Then
`render_panel` draws the three stages of a `BulkDraft`, kept in session state per `scope`
(so it survives a page switch):

1. choose: a field editable on every chosen lead's campaign, and a new value or a
   find-and-replace, checked as Edit Data checks it;
2. review: every lead with `current → new`, the skipped ones with the reason; nothing is sent
   until the user confirms the count;
3. done: the save ran (bounded concurrency, a progress bar); the summary, the conflicts to
   settle (keep mine, take theirs, skip) and the CSV.

What is decided is pure (`lib.views.bulk`); what is sent, `lib.convertr.bulk`.
"""

# Cache-key parameters (client_key) are used only by Streamlit's hashing.
# ruff: noqa: ARG001

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

import streamlit as st

from lib.convertr import ConvertrClient
from lib.convertr.bulk import load_for_review, load_leads, save_bulk
from lib.convertr.edits import SaveResult
from lib.convertr.errors import ConvertrError
from lib.convertr.models import LeadEditableField, User
from lib.convertr.session import SignedIn
from lib.presentation import escape_markdown
from lib.ui import cached_api, keys, widgets
from lib.ui.frame import Session
from lib.ui.kept import kept_drafts
from lib.views.bulk import (
    BULK_CAP,
    MODE_LABELS,
    BulkChange,
    BulkDraft,
    BulkLead,
    BulkRun,
    BulkSpec,
    EditMode,
    bulk_review,
    common_fields,
    keep_mine,
    may_bulk_edit,
    run_with_results,
    selection_caption,
    skip_conflict,
    spec_problems,
    summary_counts,
    summary_frame,
    summary_line,
    take_theirs,
)
from lib.views.edit import MAX_VALUE_LENGTH, allowed_hint
from lib.views.leads import LeadFilters

FIELDS_TTL_SECONDS: Final = 120
CONFLICTS_SHOWN: Final = 20
"""Conflicts listed one by one; the rest are settled with the "for all" buttons."""
OPEN_HINT: Final = "Click a lead's row to open it."
"""The Leads table's caption on what a row click does, replaced in bulk mode by TICK_HINT."""
TICK_HINT: Final = "Tick rows to choose them for the bulk edit (ticks on other pages stay)."
PROGRESS_STEPS: Final = 50
"""How often the progress bar is redrawn during a save (each redraw is a message to the
browser; 500 of them would cost more than the save)."""


def may_use(user: User) -> bool:
    """Whether `user` sees the bulk controls at all (viewers and masked roles never do)."""
    return may_bulk_edit(user)


# -- selection ---------------------------------------------------------------------------------


def chosen(scope: str) -> list[int]:
    return list(st.session_state.get(keys.bulk_selection(scope), []))


def choose_leads(scope: str, lead_ids: Sequence[int]) -> None:
    """Make these leads the selection of `scope` (the Audit page's findings, "all matching").
    A pending review of another selection is dropped; one already saved stays on show."""
    ids = list(dict.fromkeys(int(value) for value in lead_ids))
    st.session_state[keys.bulk_selection(scope)] = ids
    generation = keys.bulk_selection_generation(scope)
    st.session_state[generation] = int(st.session_state.get(generation, 0)) + 1
    draft = _draft(scope)
    if draft.stage == "review" and list(draft.lead_ids) != ids:
        _store(scope, replace(draft, review=None))


def selection_generation(scope: str) -> int:
    return int(st.session_state.get(keys.bulk_selection_generation(scope), 0))


def set_selection(scope: str, lead_ids: Sequence[int]) -> None:
    """The selection from a table's rows (no new generation: the table already shows it)."""
    st.session_state[keys.bulk_selection(scope)] = list(lead_ids)


# -- state -----------------------------------------------------------------------------------


def _person() -> str | None:
    """Whose drafts these are: the signed-in person's cache identity (where, who, which
    role). None for the shared account, whose sessions are different people."""
    state = st.session_state.get(keys.IDENTITY)
    if not isinstance(state, SignedIn) or state.identity.shared:
        return None
    return state.identity.cache_key


def _draft(scope: str) -> BulkDraft:
    draft = st.session_state.get(keys.bulk_draft(scope))
    if isinstance(draft, BulkDraft):
        return draft
    person = _person()
    kept = kept_drafts().get(person, scope) if person else None
    if kept is not None:
        # A new browser session of the same person (a reload): their pending bulk edit.
        st.session_state[keys.bulk_draft(scope)] = kept
        if kept.lead_ids and not chosen(scope):
            st.session_state[keys.bulk_selection(scope)] = list(kept.lead_ids)
        return kept
    return BulkDraft()


def _store(scope: str, draft: BulkDraft) -> None:
    st.session_state[keys.bulk_draft(scope)] = draft
    person = _person()
    if person:
        kept_drafts().put(person, scope, draft)


def _reset(scope: str) -> None:
    st.session_state.pop(keys.bulk_draft(scope), None)
    person = _person()
    if person:
        kept_drafts().put(person, scope, None)


@st.cache_data(ttl=FIELDS_TTL_SECONDS, show_spinner=False)
def _fields(
    _client: ConvertrClient, client_key: str, campaign_ids: tuple[int, ...]
) -> tuple[LeadEditableField, ...]:
    """The fields editable on every one of these campaigns."""
    return common_fields([_client.editable_fields(campaign) for campaign in campaign_ids])


@st.cache_data(ttl=FIELDS_TTL_SECONDS, show_spinner=False)
def _campaigns_of(
    _client: ConvertrClient, client_key: str, lead_ids: tuple[int, ...]
) -> tuple[int, ...]:
    return tuple(sorted({lead.campaign_id for lead in load_leads(_client, lead_ids)}))


# -- drawing ---------------------------------------------------------------------------------


def render_panel(
    session: Session,
    scope: str,
    lead_ids: Sequence[int],
    campaign_ids: Sequence[int] | None = None,
) -> None:
    """The bulk panel for these leads (the campaigns they belong to, when the caller knows
    them). Draws nothing for a role that may not use it."""
    if not may_use(session.user):
        return
    draft = _draft(scope)
    with st.container(border=True, key=keys.bulk_widget(scope, "panel")):
        st.markdown("## Bulk edit")
        if draft.stage == "done":
            _done(session, scope, draft)
        elif draft.stage == "review":
            _review(session, scope, draft)
        else:
            _choose(session, scope, list(lead_ids), campaign_ids)


def _choose(
    session: Session, scope: str, lead_ids: list[int], campaign_ids: Sequence[int] | None
) -> None:
    count = len(lead_ids)
    st.markdown(escape_markdown(selection_caption(count)))
    if not count:
        st.caption("Choose rows in the table, or every lead matching the filters.")
        return
    if count > BULK_CAP:
        st.warning(
            f"Bulk edit takes at most {BULK_CAP} leads at a time: choose fewer.",
            icon=":material/block:",
        )
        return
    connection = session.connection
    try:
        campaigns = (
            tuple(sorted(set(campaign_ids)))
            if campaign_ids
            else _campaigns_of(connection.client, connection.key, tuple(lead_ids))
        )
        fields = _fields(connection.client, connection.key, campaigns)
    except ConvertrError as error:
        widgets.load_failed(
            "the fields of these leads", error, key=keys.bulk_widget(scope, "retry")
        )
        return
    if not fields:
        st.info("No field is editable on every chosen lead's campaign.", icon=":material/info:")
        return
    by_name = {item.name: item for item in fields}
    draft = _draft(scope)
    if draft.spec is not None:
        _restore_widgets(scope, draft.spec)
    spec = _spec_widgets(scope, fields)
    if spec != draft.spec:
        # Kept as typed, so a page switch or a reload finds the change being prepared.
        _store(scope, replace(draft, spec=spec))
    definition = by_name.get(spec.field)
    problems = spec_problems(spec, definition)
    for problem in problems:
        st.caption(f"⚠ {problem}")
    review = st.button(
        f"Review the change on {count} {'lead' if count == 1 else 'leads'}",
        key=keys.bulk_widget(scope, "review"),
        type="primary",
        icon=":material/fact_check:",
        disabled=bool(problems),
    )
    if review and not problems:
        _make_review(session, scope, lead_ids, spec, definition.label if definition else "")


def _restore_widgets(scope: str, spec: BulkSpec) -> None:
    """Put a kept change back into its widgets when they lost their state (they do while
    another page shows, and in a new browser session)."""
    state = st.session_state
    if keys.bulk_widget(scope, "field") in state:
        return
    state[keys.bulk_widget(scope, "field")] = spec.field
    state[keys.bulk_widget(scope, "mode")] = spec.mode
    if spec.mode == "replace":
        state[keys.bulk_widget(scope, "find")] = spec.find
        state[keys.bulk_widget(scope, "replace")] = spec.replace_with
    elif spec.value:
        state[keys.bulk_widget(scope, "value")] = spec.value
        state[keys.bulk_widget(scope, f"choice.{spec.field}")] = spec.value


def _spec_widgets(scope: str, fields: Sequence[LeadEditableField]) -> BulkSpec:
    names = [item.name for item in fields]
    labels = {item.name: item.label for item in fields}
    field_key = keys.bulk_widget(scope, "field")
    if st.session_state.get(field_key) not in names:
        st.session_state.pop(field_key, None)
    left, right = st.columns([1, 2])
    name = left.selectbox(
        "Field",
        names,
        key=field_key,
        format_func=lambda value: f"{labels[value]} ({value})",
        help="Only fields editable on every chosen lead's campaign are offered.",
    )
    mode: EditMode = right.radio(
        "Change",
        list(MODE_LABELS),
        key=keys.bulk_widget(scope, "mode"),
        format_func=lambda value: MODE_LABELS[value],
        horizontal=True,
    )
    definition = next(item for item in fields if item.name == name)
    if mode == "replace":
        find_column, with_column = st.columns(2)
        find = find_column.text_input(
            "Find", key=keys.bulk_widget(scope, "find"), max_chars=MAX_VALUE_LENGTH
        )
        replacement = with_column.text_input(
            "Replace with", key=keys.bulk_widget(scope, "replace"), max_chars=MAX_VALUE_LENGTH
        )
        st.caption(f"Case-sensitive. {definition.label} accepts {allowed_hint(definition)}.")
        return BulkSpec(str(name), "replace", find=find or "", replace_with=replacement or "")
    if definition.type == "choice":
        value = st.selectbox(
            "New value", definition.choices, key=keys.bulk_widget(scope, f"choice.{name}")
        )
    else:
        value = st.text_input(
            "New value",
            key=keys.bulk_widget(scope, "value"),
            max_chars=MAX_VALUE_LENGTH,
            help=f"{definition.label} accepts {allowed_hint(definition)}.",
        )
    return BulkSpec(str(name), "set", value=str(value or ""))


def _make_review(
    session: Session, scope: str, lead_ids: list[int], spec: BulkSpec, label: str
) -> None:
    client = session.connection.client
    try:
        with st.spinner(f"Reading {len(lead_ids)} leads…"):
            load = load_for_review(client, lead_ids, spec.field)
    except ConvertrError as error:
        st.error(
            f"Could not read the leads to review, so nothing was changed: "
            f"{escape_markdown(error.user_message)}",
            icon=":material/error:",
        )
        return
    items = [
        BulkLead(lead, load.fields.get(lead.campaign_id, ()), load.values.get(lead.id))
        for lead in load.leads
    ]
    review = bulk_review(session.user, items, spec, label, load.missing)
    _store(scope, BulkDraft(tuple(lead_ids), spec, review))
    st.rerun()


def _review(session: Session, scope: str, draft: BulkDraft) -> None:
    review = draft.review
    assert review is not None  # the stage says so
    st.markdown(f"**{escape_markdown(review.heading)}**")
    if review.changes:
        st.dataframe(
            review.frame(),
            hide_index=True,
            key=keys.bulk_widget(scope, "review_table"),
            height=widgets.table_height(min(len(review.changes), 12)),
            column_config={"Lead": st.column_config.NumberColumn(format="%d")},
            alt="The leads to change: lead, field, current value, new value",
        )
    if review.skipped:
        with st.expander(f"{len(review.skipped)} skipped, and why"):
            st.dataframe(
                review.skipped_frame(),
                hide_index=True,
                key=keys.bulk_widget(scope, "skipped_table"),
                column_config={"Lead": st.column_config.NumberColumn(format="%d")},
                alt="The leads left out of the change, with the reason",
            )
    count = len(review.changes)
    confirmed = False
    if count:
        confirmed = st.checkbox(
            f"I have reviewed these {count} changes: send them.",
            key=keys.bulk_widget(scope, "confirm"),
        )
    else:
        st.info("Nothing to change: every chosen lead is skipped.", icon=":material/info:")
    save_column, back_column = st.columns(2)
    save = save_column.button(
        review.confirm_label,
        key=keys.bulk_widget(scope, "save"),
        type="primary",
        icon=":material/save:",
        disabled=not (count and confirmed),
        width="stretch",
    )
    back = back_column.button(
        "Back (send nothing)",
        key=keys.bulk_widget(scope, "back"),
        icon=":material/undo:",
        width="stretch",
    )
    if back:
        _store(scope, replace(draft, review=None))
        st.rerun()
    if save and count and confirmed:
        _save(session, scope, draft, list(review.changes))


def _save(session: Session, scope: str, draft: BulkDraft, changes: list[BulkChange]) -> None:
    review = draft.review
    assert review is not None
    run = draft.run or BulkRun(review)
    total = len(changes)
    bar = st.progress(0.0, text=f"Saving 0 of {total}…")
    done = 0
    step = max(1, total // PROGRESS_STEPS)

    def progress(_lead_id: int, _change: BulkChange, _result: SaveResult) -> None:
        nonlocal done
        done += 1
        if done % step == 0 or done == total:
            bar.progress(done / total, text=f"Saving {done} of {total}…")

    results = save_bulk(
        session.connection.client,
        [(change.lead_id, change) for change in changes],
        on_result=progress,
    )
    for lead_id, result in results.items():
        if result.status == "saved":
            cached_api.clear_lead_cache(lead_id)
    _store(scope, replace(draft, run=run_with_results(run, results)))
    st.rerun()


def _done(session: Session, scope: str, draft: BulkDraft) -> None:
    run = draft.run
    assert run is not None
    counts = summary_counts(run)
    st.markdown(f"**{escape_markdown(run.review.heading)}**")
    saved, skipped, conflicts, failed = st.columns(4)
    saved.metric("Saved", counts["saved"])
    skipped.metric("Skipped", counts["skipped"])
    conflicts.metric("Conflicts", counts["conflict"])
    failed.metric("Failed", counts["failed"])
    st.caption(summary_line(run))
    _conflicts(session, scope, draft, run)
    frame = summary_frame(run)
    st.dataframe(
        frame,
        hide_index=True,
        key=keys.bulk_widget(scope, "summary_table"),
        height=widgets.table_height(min(len(frame), 12)),
        column_config={"Lead": st.column_config.NumberColumn(format="%d")},
        alt="Every chosen lead with its outcome and the reason",
    )
    widgets.download(frame, key=keys.bulk_widget(scope, "summary"), file_name="bulk edit summary")
    if st.button(
        "Start a new bulk edit", key=keys.bulk_widget(scope, "new"), icon=":material/restart_alt:"
    ):
        _reset(scope)
        st.rerun()


def _conflicts(session: Session, scope: str, draft: BulkDraft, run: BulkRun) -> None:
    pending = run.conflicts
    if not pending:
        return
    st.warning(
        f"{len(pending)} {'lead was' if len(pending) == 1 else 'leads were'} changed by someone "
        "else after the review: nothing was overwritten. Choose for each which value to keep.",
        icon=":material/sync_problem:",
    )
    mine_all, theirs_all, skip_all = st.columns(3)
    if mine_all.button("Keep mine for all", key=keys.bulk_widget(scope, "mine_all")):
        _resend(session, scope, draft, run, [(change, result) for change, result in pending])
    if theirs_all.button("Take theirs for all", key=keys.bulk_widget(scope, "theirs_all")):
        for change, _ in pending:
            run = take_theirs(run, change.lead_id)
            cached_api.clear_lead_cache(change.lead_id)
        _store(scope, replace(draft, run=run))
        st.rerun()
    if skip_all.button("Skip all", key=keys.bulk_widget(scope, "skip_all")):
        for change, _ in pending:
            run = skip_conflict(run, change.lead_id)
        _store(scope, replace(draft, run=run))
        st.rerun()
    for change, result in pending[:CONFLICTS_SHOWN]:
        lead, mine, theirs, keep, take, skip = st.columns([1, 2, 2, 1, 1, 1])
        lead.markdown(f"Lead **{change.lead_id}**")
        mine.caption("Yours")
        mine.text(change.new or "(empty)")
        theirs.caption("On the server now")
        theirs.text(result.theirs or "(empty)")
        if keep.button("Keep mine", key=keys.bulk_conflict(scope, change.lead_id, "mine")):
            _resend(session, scope, draft, run, [(change, result)])
        if take.button("Take theirs", key=keys.bulk_conflict(scope, change.lead_id, "theirs")):
            cached_api.clear_lead_cache(change.lead_id)
            _store(scope, replace(draft, run=take_theirs(run, change.lead_id)))
            st.rerun()
        if skip.button("Skip", key=keys.bulk_conflict(scope, change.lead_id, "skip")):
            _store(scope, replace(draft, run=skip_conflict(run, change.lead_id)))
            st.rerun()
    if len(pending) > CONFLICTS_SHOWN:
        st.caption(f"…and {len(pending) - CONFLICTS_SHOWN} more: use the buttons above.")


def _resend(
    session: Session,
    scope: str,
    draft: BulkDraft,
    run: BulkRun,
    conflicts: list[tuple[BulkChange, SaveResult]],
) -> None:
    """Keep mine: send again against the value someone else saved (still a conflict if it
    moved once more)."""
    rebased = [keep_mine(change, result.theirs) for change, result in conflicts]
    results = save_bulk(session.connection.client, [(change.lead_id, change) for change in rebased])
    for lead_id, result in results.items():
        if result.status == "saved":
            cached_api.clear_lead_cache(lead_id)
    _store(scope, replace(draft, run=run_with_results(run, results)))
    st.rerun()


# -- the Leads page's part -------------------------------------------------------------------


def leads_scope(campaign_id: int) -> str:
    """The selection and draft of one campaign's Leads page."""
    return f"campaign.{int(campaign_id)}"


def leads_mode(user: User, campaign_id: int) -> bool:
    """The "Bulk edit" toggle above the Leads table (not drawn for a role that may not use
    it); True when rows are to be ticked for a bulk edit. On when a bulk edit of this
    campaign is pending (after a reload too)."""
    if not may_use(user):
        st.session_state.pop(keys.BULK_MODE, None)
        return False
    if keys.BULK_MODE not in st.session_state:
        # A widget's state is dropped while another page shows: the mode is kept apart.
        pending = _draft(leads_scope(campaign_id)).stage != "choose"
        st.session_state[keys.BULK_MODE] = pending or bool(
            st.session_state.get(keys.BULK_MODE_KEPT)
        )
    widgets.hold(keys.BULK_MODE)
    on = bool(
        st.toggle(
            "Bulk edit",
            key=keys.BULK_MODE,
            help="Tick rows (on any page) or take every lead matching the filters, then "
            "change one field on all of them, with a review before anything is sent.",
        )
    )
    st.session_state[keys.BULK_MODE_KEPT] = on
    return on


def leads_page_panel(session: Session, filters: LeadFilters, total: int | None) -> None:
    """Under the Leads table in bulk mode: the selection, "all N matching", the panel."""
    scope = leads_scope(filters.campaign_id)
    ids = chosen(scope)
    left, right = st.columns([3, 1], vertical_alignment="center")
    if total is not None and total > BULK_CAP:
        left.caption(
            f"{total} leads match these filters: more than bulk edit takes ({BULK_CAP}). "
            "Narrow the filters to take them all, or tick rows."
        )
    else:
        shown = f"all {total}" if total is not None else f"every (up to {BULK_CAP})"
        if left.button(
            f"Choose {shown} leads matching these filters",
            key=keys.bulk_widget(scope, "all"),
            icon=":material/select_all:",
        ):
            _choose_matching(session, scope, filters)
    if ids and right.button(
        "Clear selection", key=keys.bulk_widget(scope, "clear"), icon=":material/deselect:"
    ):
        choose_leads(scope, [])
        st.rerun()
    render_panel(session, scope, ids, (filters.campaign_id,))


def _choose_matching(session: Session, scope: str, filters: LeadFilters) -> None:
    connection = session.connection
    every = replace(filters, page=1, items_per_page=BULK_CAP)
    try:
        page = cached_api.leads_page(connection.client, connection.key, every)
    except ConvertrError as error:
        st.error(
            f"Could not list the matching leads: {escape_markdown(error.user_message)}",
            icon=":material/error:",
        )
        return
    if page.has_next or (page.total or 0) > BULK_CAP:
        st.warning(
            f"More than {BULK_CAP} leads match: narrow the filters.", icon=":material/block:"
        )
        return
    choose_leads(scope, [lead.id for lead in page.items])
    st.rerun()


# -- the Audit page's part -------------------------------------------------------------------

AUDIT_SCOPE: Final = "audit"


def audit_findings_panel(session: Session, lead_ids: Sequence[int]) -> None:
    """Under the Audit page's findings: take the leads of the findings shown (their current
    filters) into a bulk edit. Draws nothing for a role that may not use it."""
    if not may_use(session.user):
        return
    ids = list(dict.fromkeys(int(value) for value in lead_ids))
    draft = _draft(AUDIT_SCOPE)
    selection = chosen(AUDIT_SCOPE)
    with st.expander(
        f"Bulk edit the leads of these findings ({len(ids)})",
        expanded=draft.stage != "choose" or bool(selection),
    ):
        if ids and selection != ids and len(ids) <= BULK_CAP:
            if st.button(
                f"Choose these {len(ids)} leads",
                key=keys.bulk_widget(AUDIT_SCOPE, "findings"),
                icon=":material/select_all:",
            ):
                choose_leads(AUDIT_SCOPE, ids)
                st.rerun()
        elif len(ids) > BULK_CAP:
            st.caption(
                f"{len(ids)} leads: more than bulk edit takes ({BULK_CAP}). Narrow the "
                "findings with the filters above."
            )
        render_panel(session, AUDIT_SCOPE, selection)
