"""The Edit Data tab: edit a lead's values in a grid, add a field, review, save without ever
losing an edit or overwriting someone else's silently.

Grid design. One ``st.data_editor`` column cannot change type per row, and a lead's fields
mix text, emails, numbers, dates and choice lists. So the grid has one editable **Value**
column of text (the API stores every value as a string anyway) and, beside it, disabled
columns saying what each row accepts: **Type**, **Allowed** (the choice list, the date format,
the length limit) and **Required**. Each row is checked on every rerun with the same rules the
API applies (`lib.views.edit`), and the disabled **Check** column, next to the value, says what is
wrong or what the server answered. Separate grouped editors per type (a SelectboxColumn for
choice fields) were rejected: they split one lead's fields across several grids and break the
campaign's field order. Fields the campaign marks not editable are listed read-only below.

State. The grid's index is the field name and its rows never reorder, so an edit lands on the
row the user changed. Every grid edit is copied at once into pending changes kept in session
state per lead (they survive tab switches, other widgets and page changes); the grid shows the
pending value over the server's. After a save or a discard the grid's key changes (a new
generation), so it starts again from the server's values plus whatever is still pending.

This module reads widgets and session state and draws; what a save, a discard or a choice
makes of the tab's state is decided by pure functions in `lib.views.edit`, and the changes are
sent by `lib.convertr.edits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

import streamlit as st

from lib.convertr import ConvertrClient, LeadDossier
from lib.convertr.edits import SaveResult, save_changes, send_change
from lib.convertr.errors import ConvertrError
from lib.convertr.models import Lead, User
from lib.presentation import escape_markdown, resolve_timezone
from lib.ui import cached_api, keys, widgets
from lib.views.column_widths import LEAD_TAB_PX, Fit
from lib.views.edit import (
    COLUMN_ALLOWED,
    COLUMN_CHECK,
    COLUMN_FIELD,
    COLUMN_REQUIRED,
    COLUMN_TYPE,
    COLUMN_VALUE,
    MAX_NAME_LENGTH,
    MAX_VALUE_LENGTH,
    ConflictChoice,
    EditorModel,
    EditState,
    Notice,
    PendingChange,
    add_field,
    add_field_example,
    add_notice,
    apply_grid_edits,
    conflict_author,
    conflict_choices,
    discarded_state,
    edit_permission,
    edit_review,
    editor_frame,
    editor_model,
    keep_mine,
    read_only_frame,
    read_only_grid,
    state_after_edit,
    state_after_failed_save,
    state_after_save,
    state_after_taking_theirs,
)

GRID_COLUMNS: Final = (COLUMN_FIELD, COLUMN_VALUE, COLUMN_ALLOWED, COLUMN_CHECK, COLUMN_REQUIRED)
"""The grid's columns: what the caption points at comes first (the value, what it allows,
then the check). The field's type is in what it allows, and in the CSV."""
READ_ONLY_GRID_COLUMNS: Final = (COLUMN_FIELD, COLUMN_VALUE, COLUMN_ALLOWED, COLUMN_REQUIRED)
GRID_FITS: Final = {
    COLUMN_FIELD: Fit(90, 150),
    COLUMN_VALUE: Fit(100, 260),
    COLUMN_ALLOWED: Fit(132, 260),
    COLUMN_CHECK: Fit(76, 200),
    COLUMN_REQUIRED: Fit(70, 75),
}
"""Five columns in the width beside the profile panel at 1024 px, what a field allows the
widest (a list of choices takes four lines)."""
GRID_ROW_PX: Final = 104
"""Five lines a row: a field's name, its value and what it allows wrap, read whole (the
longest, a choice of six countries, takes five lines at 1024 px)."""


def _grid_height(rows: int) -> int:
    """Every field's row, with no inner scrollbar (a campaign edits a dozen fields or so)."""
    return widgets.TABLE_ROW_HEIGHT + GRID_ROW_PX * rows + 3


# -- session state (per lead) ---------------------------------------------------------------


def current_table_key(state: Mapping[str, Any], lead_id: int) -> str:
    """The grid's key now, from a session state (tests pass AppTest's)."""
    key = keys.edit_generation(lead_id)
    return keys.edit_table(lead_id, int(state[key]) if key in state else 0)


def _state(lead_id: int) -> EditState:
    session = st.session_state
    pending = session.get(keys.edit_pending(lead_id))
    return EditState(
        pending=dict(pending) if isinstance(pending, dict) else {},
        messages=dict(session.get(keys.edit_messages(lead_id), {})),
        conflicts=dict(session.get(keys.edit_conflicts(lead_id), {})),
        report=tuple(session.get(keys.edit_report(lead_id), ())),
    )


def _store(lead_id: int, state: EditState) -> None:
    session = st.session_state
    session[keys.edit_pending(lead_id)] = dict(state.pending)
    session[keys.edit_messages(lead_id)] = dict(state.messages)
    session[keys.edit_conflicts(lead_id)] = dict(state.conflicts)
    session[keys.edit_report(lead_id)] = state.report


def _generation(lead_id: int) -> int:
    return int(st.session_state.get(keys.edit_generation(lead_id), 0))


def _reset_grid(lead_id: int) -> None:
    old = keys.edit_table(lead_id, _generation(lead_id))
    st.session_state[keys.edit_generation(lead_id)] = _generation(lead_id) + 1
    st.session_state.pop(old, None)


def _show(notice: Notice) -> None:
    getattr(st, notice.level)(escape_markdown(notice.text))


# -- drawing ---------------------------------------------------------------------------------


def render_edit_tab(client: ConvertrClient, dossier: LeadDossier, user: User) -> None:
    """The Edit Data tab of one lead: read-only with the reason, or the editor."""
    lead = dossier.lead
    state = _state(lead.id)
    model = editor_model(
        dossier.editable_fields or [], lead, dossier.lead_data or [], state.pending
    )
    permission = edit_permission(user, lead)
    if not permission.allowed:
        st.info(permission.reason, icon=":material/lock:")
        _read_only_grid(model, lead)
        return
    for notice in state.report:
        _show(notice)
    grid_area = st.container()
    _add_form(lead.id, model)
    with grid_area:
        state = _grid(lead.id, model, state)
    _conflicts(client, lead, state)
    _review(client, lead, model, state)
    _read_only_fields(model)


def _read_only_grid(model: EditorModel, lead: Lead) -> None:
    frame = read_only_grid(model)
    if frame.empty:
        st.caption("No fields on this campaign are editable.")
    else:
        st.dataframe(
            frame,
            key=keys.edit_read_only_table(lead.id),
            hide_index=True,
            # Every row shown (no inner scrollbar hiding the last ones), the columns as the
            # editing grid has them, fitted beside the profile panel at 1024 px.
            row_height=GRID_ROW_PX,
            height=_grid_height(len(frame)),
            column_order=READ_ONLY_GRID_COLUMNS,
            column_config=widgets.fitted(READ_ONLY_GRID_COLUMNS, LEAD_TAB_PX, fits=GRID_FITS),
            alt="The lead's editable fields and their values (read-only)",
        )
    _read_only_fields(model)


def _read_only_fields(model: EditorModel) -> None:
    if not model.read_only:
        return
    st.markdown("## Not editable")
    frame = read_only_frame(model)
    st.dataframe(
        frame,
        hide_index=True,
        key=keys.EDIT_NOT_EDITABLE,
        height=widgets.table_height(len(frame)),
        column_config=widgets.fitted(frame.columns, LEAD_TAB_PX),
        alt="Fields the campaign does not let anyone edit",
    )


def _grid(lead_id: int, model: EditorModel, state: EditState) -> EditState:
    """Show the grid and fold its edits into the pending changes; returns the new state."""
    shown = editor_frame(model, state.pending, state.field_messages())
    if shown.empty:
        st.info("No fields on this campaign are editable.", icon=":material/info:")
        return state
    st.caption(
        "Double-click a value to edit it. Each field accepts what its Allowed column says; "
        "Check shows problems before anything is sent."
    )
    edited = st.data_editor(
        shown,
        key=keys.edit_table(lead_id, _generation(lead_id)),
        num_rows="fixed",
        row_height=GRID_ROW_PX,
        height=_grid_height(len(shown)),
        # What the caption points at comes first: the value, what it allows, then the
        # check; the field's label as in Notes and Profile ("Budget Range"), its API name
        # (the index) kept in the data and the CSV, not shown twice.
        hide_index=True,
        column_order=GRID_COLUMNS,
        disabled=[COLUMN_FIELD, COLUMN_TYPE, COLUMN_ALLOWED, COLUMN_REQUIRED, COLUMN_CHECK],
        column_config=widgets.fitted(
            GRID_COLUMNS,
            LEAD_TAB_PX,
            {
                COLUMN_VALUE: st.column_config.TextColumn(COLUMN_VALUE, max_chars=MAX_VALUE_LENGTH),
                COLUMN_REQUIRED: st.column_config.CheckboxColumn(COLUMN_REQUIRED),
                COLUMN_ALLOWED: st.column_config.TextColumn(COLUMN_ALLOWED),
                COLUMN_CHECK: st.column_config.TextColumn(COLUMN_CHECK),
            },
            GRID_FITS,
        ),
        alt="The lead's editable fields: edit the Value column",
    )
    updated = apply_grid_edits(model, shown, edited, state.pending)
    if updated != state.pending:
        _store(lead_id, state_after_edit(state, updated))
        # Once more, so the grid's Check column and the review judge the new value; the
        # next run finds the grid equal to the pending values and does not rerun again.
        st.rerun()
    return state


def _on_add(lead_id: int, model: EditorModel) -> None:
    """Add button: stage New Fieldname = New Value (runs before the page script)."""
    name = str(st.session_state.get(keys.EDIT_NEW_NAME) or "")
    value = str(st.session_state.get(keys.EDIT_NEW_VALUE) or "")
    result = add_field(_state(lead_id).pending, model, name, value)
    st.session_state[keys.edit_add_feedback(lead_id)] = add_notice(result, name)
    if result.outcome == "invalid":
        return
    st.session_state[keys.edit_pending(lead_id)] = result.pending
    st.session_state[keys.EDIT_NEW_NAME] = ""
    st.session_state[keys.EDIT_NEW_VALUE] = ""


def _add_form(lead_id: int, model: EditorModel) -> None:
    st.markdown("## Add a field")
    with st.form(keys.EDIT_ADD_FORM, border=True):
        left, right = st.columns(2)
        left.text_input(
            "New Fieldname",
            key=keys.EDIT_NEW_NAME,
            max_chars=MAX_NAME_LENGTH,
            placeholder=add_field_example(model),
            help="Letters, digits, '_' and '.', starting with a letter. A name the lead "
            "already has becomes an edit of that field.",
        )
        right.text_input("New Value", key=keys.EDIT_NEW_VALUE, max_chars=MAX_VALUE_LENGTH)
        st.form_submit_button(
            "Add",
            key=keys.EDIT_ADD,
            icon=":material/add:",
            on_click=_on_add,
            args=(lead_id, model),
        )
    feedback = st.session_state.pop(keys.edit_add_feedback(lead_id), None)
    if isinstance(feedback, Notice):
        _show(feedback)


def _ask_to_save(lead_id: int) -> None:
    st.session_state[keys.edit_save_asked(lead_id)] = True


def _review(client: ConvertrClient, lead: Lead, model: EditorModel, state: EditState) -> None:
    review = edit_review(state, model)
    # The press is kept in state by the button's callback and taken only where it is acted
    # on: a run stopped for a newer one (the grid sending its value as the click blurs it)
    # must leave the press for the run that replaces it, not lose it.
    asked = keys.edit_save_asked(lead.id)
    save = bool(st.session_state.get(asked, False))
    if review is None:
        st.session_state.pop(asked, None)
        st.caption("No unsaved changes.")
        return
    with st.container(border=True):
        st.markdown(f"## {review.heading}")
        for line in review.lines:
            # st.text, not markdown: even escaped, markdown turns emails and URLs into links.
            st.text(f"• {line.change}")
            for problem in line.problems:
                st.text(f"   ⚠ {problem}")
        if review.invalid_warning:
            st.warning(review.invalid_warning, icon=":material/error:")
        save_column, discard_column = st.columns([1, 1])
        save_column.button(
            "Save",
            key=keys.EDIT_SAVE,
            type="primary",
            icon=":material/save:",
            disabled=bool(review.invalid),
            width="stretch",
            on_click=_ask_to_save,
            args=(lead.id,),
        )
        discard = discard_column.button(
            "Discard", key=keys.EDIT_DISCARD, icon=":material/undo:", width="stretch"
        )
    if discard:
        _store(lead.id, discarded_state())
        _reset_grid(lead.id)
        st.rerun()
    if save:
        # From here to the request no element is drawn, so no newer run can stop this one.
        st.session_state.pop(asked, None)
        # Checked again here: a disabled button is the hint, this is the rule.
        if review.invalid:
            st.error("Nothing was sent: fix the invalid changes first.")
            return
        results, failure = save_changes(client, lead.id, list(state.pending.values()))
        if failure:
            _store(lead.id, state_after_failed_save(state, failure))
            st.rerun()
        _finish(lead.id, state, results)


def _finish(lead_id: int, state: EditState, results: list[SaveResult]) -> None:
    """Record the results, reload the lead when anything was saved, rerun."""
    outcome = state_after_save(state, results)
    _store(lead_id, outcome.state)
    if outcome.reload:
        cached_api.clear_lead_cache(lead_id)
    _reset_grid(lead_id)
    st.rerun()


def _authors(client: ConvertrClient, lead_id: int, state: EditState) -> dict[str, str | None]:
    """Who saved each conflicting value and when, read once from the lead's notes (one
    request when a conflict appears, none on a rerun); {} entries when the notes fail."""
    key = keys.edit_conflict_authors(lead_id)
    known: dict[str, str | None] = st.session_state.get(key, {})
    missing = [name for name in state.conflicts if name not in known]
    if missing:
        try:
            notes = client.lead_notes(lead_id)
        except ConvertrError:
            notes = []
        zone = resolve_timezone(st.context.timezone)
        for name in missing:
            known[name] = conflict_author(notes, name, state.conflicts[name].theirs, zone)
        st.session_state[key] = known
    return known


def _conflicts(client: ConvertrClient, lead: Lead, state: EditState) -> None:
    authors = _authors(client, lead.id, state) if state.conflicts else {}
    for choice in conflict_choices(state):
        keep, take = _conflict_box(choice, authors.get(choice.name))
        if keep:
            change: PendingChange = keep_mine(state.pending[choice.name], choice.theirs_value)
            resent = replace(state, pending={**state.pending, choice.name: change})
            _finish(lead.id, resent, [send_change(client, lead.id, change)])
        if take:
            _store(lead.id, state_after_taking_theirs(state, choice.name))
            cached_api.clear_lead_cache(lead.id)
            _reset_grid(lead.id)
            st.rerun()


def _conflict_box(choice: ConflictChoice, author: str | None) -> tuple[bool, bool]:
    """Both values side by side; returns whether Keep mine or Take theirs was pressed."""
    who = escape_markdown(author) if author else "someone else"
    with st.container(border=True):
        st.markdown(
            f"**{escape_markdown(choice.label)}** was changed by {who} after you "
            "loaded it. Which value should the lead keep?"
        )
        mine, theirs = st.columns(2)
        mine.caption("Yours")
        mine.text(choice.mine)
        theirs.caption("On the server now")
        theirs.text(choice.theirs)
        keep = mine.button("Keep mine", key=keys.edit_keep_mine(choice.name), type="primary")
        take = theirs.button("Take theirs", key=keys.edit_take_theirs(choice.name))
    return keep, take
