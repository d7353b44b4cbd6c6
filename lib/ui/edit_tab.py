"""The Edit Data tab: edit a lead's values in a grid, add a field, review, save without ever
losing an edit or overwriting someone else's silently.

Grid design. One ``st.data_editor`` column cannot change type per row, and a lead's fields
mix text, emails, numbers, dates and choice lists. So the grid has one editable **Value**
column of text (the API stores every value as a string anyway) and, beside it, disabled
columns saying what each row accepts: **Type**, **Allowed** (the choice list, the date format,
the length limit) and **Required**. Each row is checked on every rerun with the same rules the
API applies (`lib.editing`), and the disabled **Check** column, next to the value, says what is
wrong or what the server answered. Separate grouped editors per type (a SelectboxColumn for
choice fields) were rejected: they split one lead's fields across several grids and break the
campaign's field order. Fields the campaign marks not editable are listed read-only below.

State. The grid's index is the field name and its rows never reorder, so an edit lands on the
row the user changed. Every grid edit is copied at once into pending changes kept in session
state per lead (they survive tab switches, other widgets and page changes); the grid shows the
pending value over the server's. After a save or a discard the grid's key changes (a new
generation), so it starts again from the server's values plus whatever is still pending.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from lib.convertr import ConvertrClient, LeadDossier
from lib.convertr.models import Lead, User
from lib.editing import (
    COLUMN_ALLOWED,
    COLUMN_CHECK,
    COLUMN_FIELD,
    COLUMN_REQUIRED,
    COLUMN_TYPE,
    COLUMN_VALUE,
    MAX_VALUE_LENGTH,
    EditorModel,
    PendingChange,
    SaveResult,
    add_field,
    after_save,
    apply_grid_edits,
    change_problems,
    edit_permission,
    editor_frame,
    editor_model,
    keep_mine,
    save_changes,
    send_change,
    shorten,
)
from lib.presentation import escape_markdown
from lib.ui import cached_api, widgets

# Widget keys (one lead is shown per page, so widgets need no lead id).
NEW_NAME: Final = "lead.edit.new_name"
NEW_VALUE: Final = "lead.edit.new_value"
ADD: Final = "lead.edit.add"
ADD_FORM: Final = "lead.edit.add_form"
SAVE: Final = "lead.edit.save"
DISCARD: Final = "lead.edit.discard"
KEEP_MINE_PREFIX: Final = "lead.edit.keep."
"""Followed by the field name: resend my value over a conflicting one."""
TAKE_THEIRS_PREFIX: Final = "lead.edit.take."
"""Followed by the field name: drop my change and keep the server's value."""

CONFLICT_CHECK: Final = "Changed on the server meanwhile: keep yours or take theirs (below)."
DISCARD_NOTE: Final = "Discarded every unsaved change."
MESSAGE_LEVELS: Final = ("success", "info", "warning", "error")
_SAVED_WORD: Final = {True: "change", False: "changes"}


# -- session-state keys (per lead) ----------------------------------------------------------


def pending_key(lead_id: int) -> str:
    """Session-state key of the lead's pending changes (field name → PendingChange)."""
    return f"lead.edit.{lead_id}.pending"


def generation_key(lead_id: int) -> str:
    return f"lead.edit.{lead_id}.generation"


def table_key(lead_id: int, generation: int = 0) -> str:
    """Key of the grid: a new generation after each save or discard resets the grid."""
    return f"lead.edit.{lead_id}.table.{generation}"


def current_table_key(state: Any, lead_id: int) -> str:
    """The grid's key now, from a session state (tests pass AppTest's)."""
    key = generation_key(lead_id)
    return table_key(lead_id, int(state[key]) if key in state else 0)


def messages_key(lead_id: int) -> str:
    """Server answers per field: name → (the value they concern, messages)."""
    return f"lead.edit.{lead_id}.messages"


def conflicts_key(lead_id: int) -> str:
    return f"lead.edit.{lead_id}.conflicts"


def report_key(lead_id: int) -> str:
    """The last save's summary: a list of (level, text)."""
    return f"lead.edit.{lead_id}.report"


def _feedback_key(lead_id: int) -> str:
    return f"lead.edit.{lead_id}.add_feedback"


def _pending(lead_id: int) -> dict[str, PendingChange]:
    value = st.session_state.get(pending_key(lead_id))
    return dict(value) if isinstance(value, dict) else {}


def _generation(lead_id: int) -> int:
    return int(st.session_state.get(generation_key(lead_id), 0))


def _reset_grid(lead_id: int) -> None:
    old = table_key(lead_id, _generation(lead_id))
    st.session_state[generation_key(lead_id)] = _generation(lead_id) + 1
    st.session_state.pop(old, None)


def _field_messages(lead_id: int, pending: Mapping[str, PendingChange]) -> dict[str, list[str]]:
    """Server messages still about the value pending now (a new value makes them stale)."""
    stored: dict[str, tuple[str, tuple[str, ...]]] = st.session_state.get(messages_key(lead_id), {})
    return {
        name: list(messages)
        for name, (value, messages) in stored.items()
        if name in pending and pending[name].new == value
    }


# -- rendering ------------------------------------------------------------------------------


def render_edit_tab(client: ConvertrClient, dossier: LeadDossier, user: User) -> None:
    """The Edit Data tab of one lead: read-only with the reason, or the editor."""
    lead = dossier.lead
    pending = _pending(lead.id)
    model = editor_model(dossier.editable_fields or [], lead, dossier.lead_data or [], pending)
    permission = edit_permission(user, lead)
    if not permission.allowed:
        st.info(permission.reason, icon=":material/lock:")
        _read_only_grid(model, lead)
        return
    _show_report(lead.id)
    grid_area = st.container()
    _add_form(lead.id, model)
    with grid_area:
        pending = _grid(lead.id, model)
    _conflicts(client, lead, pending)
    _review(client, lead, model, pending)
    _read_only_fields(model)


def _read_only_grid(model: EditorModel, lead: Lead) -> None:
    frame = editor_frame(model, {}).drop(columns=[COLUMN_CHECK])
    if frame.empty:
        st.caption("No fields on this campaign are editable.")
    else:
        st.dataframe(
            frame,
            key=f"lead.edit.{lead.id}.readonly",
            column_config={"_index": st.column_config.TextColumn("Name")},
            alt="The lead's editable fields and their values (read-only)",
        )
    _read_only_fields(model)


def _read_only_fields(model: EditorModel) -> None:
    if not model.read_only:
        return
    st.markdown("##### Not editable")
    st.dataframe(
        pd.DataFrame(
            [{"Field": row.label, "Name": row.name, "Value": row.shown} for row in model.read_only]
        ),
        hide_index=True,
        key="lead.edit.not_editable",
        alt="Fields the campaign does not let anyone edit",
    )


def _grid(lead_id: int, model: EditorModel) -> dict[str, PendingChange]:
    """Show the grid and fold its edits into the pending changes; returns them."""
    pending = _pending(lead_id)
    shown = editor_frame(model, pending, _field_messages(lead_id, pending))
    if shown.empty:
        st.info("No fields on this campaign are editable.", icon=":material/info:")
        return pending
    st.caption(
        "Double-click a value to edit it. Each field accepts what its Allowed column says; "
        "Check shows problems before anything is sent."
    )
    edited = st.data_editor(
        shown,
        key=table_key(lead_id, _generation(lead_id)),
        num_rows="fixed",
        height=widgets.table_height(len(shown)),
        column_order=(
            COLUMN_FIELD,
            COLUMN_VALUE,
            COLUMN_CHECK,
            COLUMN_ALLOWED,
            COLUMN_TYPE,
            COLUMN_REQUIRED,
        ),
        disabled=[COLUMN_FIELD, COLUMN_TYPE, COLUMN_ALLOWED, COLUMN_REQUIRED, COLUMN_CHECK],
        column_config={
            "_index": st.column_config.TextColumn("Name", disabled=True),
            COLUMN_VALUE: st.column_config.TextColumn(
                COLUMN_VALUE, max_chars=MAX_VALUE_LENGTH, width="medium"
            ),
            COLUMN_REQUIRED: st.column_config.CheckboxColumn(COLUMN_REQUIRED, width="small"),
            COLUMN_CHECK: st.column_config.TextColumn(COLUMN_CHECK, width="large"),
        },
        alt="The lead's editable fields: edit the Value column",
    )
    updated = apply_grid_edits(model, shown, edited, pending)
    if updated != pending:
        st.session_state[pending_key(lead_id)] = updated
        st.session_state.pop(report_key(lead_id), None)  # about the last save, not this edit
        # Once more, so the grid's Check column and the review judge the new value; the
        # next run finds the grid equal to the pending values and does not rerun again.
        st.rerun()
    return updated


def _on_add(lead_id: int, model: EditorModel) -> None:
    """Add button: stage New Fieldname = New Value (runs before the page script)."""
    name = str(st.session_state.get(NEW_NAME) or "")
    value = str(st.session_state.get(NEW_VALUE) or "")
    result = add_field(_pending(lead_id), model, name, value)
    if result.outcome == "invalid":
        st.session_state[_feedback_key(lead_id)] = ("error", result.messages)
        return
    st.session_state[pending_key(lead_id)] = result.pending
    if result.outcome == "edit":
        st.session_state[_feedback_key(lead_id)] = ("info", result.messages)
    else:
        st.session_state[_feedback_key(lead_id)] = (
            "success",
            (f'Added "{name.strip()}" to the changes to review. Save to send it.',),
        )
    st.session_state[NEW_NAME] = ""
    st.session_state[NEW_VALUE] = ""


def _add_form(lead_id: int, model: EditorModel) -> None:
    st.markdown("##### Add a field")
    with st.form(ADD_FORM, border=True):
        left, right = st.columns(2)
        left.text_input(
            "New Fieldname",
            key=NEW_NAME,
            max_chars=64,
            placeholder="e.g. leadSource",
            help="Letters, digits, '_' and '.', starting with a letter. A name the lead "
            "already has becomes an edit of that field.",
        )
        right.text_input("New Value", key=NEW_VALUE, max_chars=MAX_VALUE_LENGTH)
        st.form_submit_button(
            "Add", key=ADD, icon=":material/add:", on_click=_on_add, args=(lead_id, model)
        )
    feedback = st.session_state.pop(_feedback_key(lead_id), None)
    if feedback:
        level, messages = feedback
        text = " ".join(escape_markdown(message) for message in messages)
        getattr(st, level)(text)


def _review(
    client: ConvertrClient, lead: Lead, model: EditorModel, pending: dict[str, PendingChange]
) -> None:
    if not pending:
        st.caption("No unsaved changes.")
        return
    fields = model.fields
    messages = _field_messages(lead.id, pending)
    problems = {name: change_problems(change, fields) for name, change in pending.items()}
    invalid = sum(1 for found in problems.values() if found)
    with st.container(border=True):
        st.markdown(f"##### Review {len(pending)} unsaved {_SAVED_WORD[len(pending) == 1]}")
        for name, change in pending.items():
            # st.text, not markdown: even escaped, markdown turns emails and URLs into links.
            st.text(f"• {change.review_line}")
            for message in problems[name] + messages.get(name, []):
                st.text(f"   ⚠ {message}")
        if invalid:
            st.warning(
                f"{invalid} of these {'is' if invalid == 1 else 'are'} not valid: fix "
                f"{'it' if invalid == 1 else 'them'} in the grid (see Check). Nothing is sent "
                "while a change is invalid.",
                icon=":material/error:",
            )
        save_column, discard_column = st.columns([1, 1])
        save = save_column.button(
            "Save",
            key=SAVE,
            type="primary",
            icon=":material/save:",
            disabled=bool(invalid),
            width="stretch",
        )
        discard = discard_column.button(
            "Discard", key=DISCARD, icon=":material/undo:", width="stretch"
        )
    if discard:
        for key in (pending_key, messages_key, conflicts_key, report_key):
            st.session_state.pop(key(lead.id), None)
        st.session_state[report_key(lead.id)] = [("info", DISCARD_NOTE)]
        _reset_grid(lead.id)
        st.rerun()
    if save:
        # Checked again here: a disabled button is the hint, this is the rule.
        if invalid:
            st.error("Nothing was sent: fix the invalid changes first.")
            return
        results, failure = save_changes(client, lead.id, list(pending.values()))
        if failure:
            st.session_state[report_key(lead.id)] = [("error", failure)]
            st.rerun()
        _finish(lead.id, pending, results)


def _finish(
    lead_id: int, pending: Mapping[str, PendingChange], results: Sequence[SaveResult]
) -> None:
    """Record the results, reload the lead when anything was saved, rerun."""
    remaining = after_save(pending, results)
    stored: dict[str, tuple[str, tuple[str, ...]]] = dict(
        st.session_state.get(messages_key(lead_id), {})
    )
    conflicts: dict[str, SaveResult] = dict(st.session_state.get(conflicts_key(lead_id), {}))
    report: list[tuple[str, str]] = []
    saved = [result for result in results if result.status == "saved"]
    for result in results:
        stored.pop(result.name, None)
        conflicts.pop(result.name, None)
        if result.status == "conflict":
            conflicts[result.name] = result
            stored[result.name] = (result.mine, (CONFLICT_CHECK,))
        elif result.status != "saved":
            stored[result.name] = (result.mine, (result.message,))
    if saved:
        names = ", ".join(result.label for result in saved)
        report.append(("success", f"Saved {len(saved)} {_SAVED_WORD[len(saved) == 1]}: {names}."))
    for result in results:
        if result.status == "conflict":
            report.append(("warning", f"{result.label}: not saved. {result.message}"))
        elif result.status == "uncertain":
            report.append(("warning", f"{result.label}: {result.message}."))
        elif result.status != "saved":
            report.append(("error", f"{result.label}: not saved. {result.message}"))
    if len(remaining):
        report.append(
            ("info", f"{len(remaining)} unsaved {_SAVED_WORD[len(remaining) == 1]} kept below.")
        )
    st.session_state[pending_key(lead_id)] = remaining
    st.session_state[messages_key(lead_id)] = stored
    st.session_state[conflicts_key(lead_id)] = conflicts
    st.session_state[report_key(lead_id)] = report
    if saved:
        cached_api.clear_lead_cache(lead_id)
    _reset_grid(lead_id)
    st.rerun()


def _show_report(lead_id: int) -> None:
    for level, text in st.session_state.get(report_key(lead_id), []):
        if level in MESSAGE_LEVELS:
            getattr(st, level)(escape_markdown(text))


def _conflicts(client: ConvertrClient, lead: Lead, pending: dict[str, PendingChange]) -> None:
    conflicts: dict[str, SaveResult] = st.session_state.get(conflicts_key(lead.id), {})
    for name, conflict in list(conflicts.items()):
        change = pending.get(name)
        if change is None or change.new != conflict.mine:
            continue
        with st.container(border=True):
            st.markdown(
                f"**{escape_markdown(conflict.label)}** was changed by someone else after you "
                "loaded it. Which value should the lead keep?"
            )
            mine, theirs = st.columns(2)
            mine.caption("Yours")
            mine.text(shorten(conflict.mine, 255) or "(empty)")
            theirs.caption("On the server now")
            theirs.text(shorten(conflict.theirs or "", 255) or "(empty)")
            keep = mine.button("Keep mine", key=f"{KEEP_MINE_PREFIX}{name}", type="primary")
            take = theirs.button("Take theirs", key=f"{TAKE_THEIRS_PREFIX}{name}")
        if keep:
            rebased = keep_mine(change, conflict.theirs)
            pending[name] = rebased
            _finish(lead.id, pending, [send_change(client, lead.id, rebased)])
        if take:
            pending.pop(name, None)
            conflicts.pop(name, None)
            st.session_state[pending_key(lead.id)] = pending
            st.session_state[report_key(lead.id)] = [
                ("info", f"{conflict.label}: kept the server's value; your change was dropped.")
            ]
            cached_api.clear_lead_cache(lead.id)
            _reset_grid(lead.id)
            st.rerun()
