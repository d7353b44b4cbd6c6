"""Recent and pinned leads, per user, across sessions (`lib.store` lead marks): noted when a
lead is shown, pinned from the Lead page, listed under the Go to lead box (a picker that
opens one) and in a short sidebar list. Only ids and campaigns are kept, never lead values.
"""

from __future__ import annotations

import logging
from typing import Final

import streamlit as st

from lib.store import LeadMark, Owner, StoreError
from lib.ui import keys, pages
from lib.ui.layout import RECENT_LEADS_KEY
from lib.ui.workspace import Workspace
from lib.views.url_params import PARAM_LEAD

logger = logging.getLogger(__name__)

SIDEBAR_LEADS: Final = 5
"""Pinned and recent leads listed in the sidebar (the picker has the last 20)."""
NOTED: Final = "frame.lead_marks.noted"
"""The lead last noted as opened in this session (a rerun of the same lead writes nothing)."""
PICK_A_LEAD: Final = "Recent and pinned leads"


def note_opened(workspace: Workspace, owner: Owner | None, lead_id: int, campaign_id: int) -> None:
    """Note that the user opened the lead (once per visit, not per rerun)."""
    if owner is None or workspace.store is None or st.session_state.get(NOTED) == lead_id:
        return
    st.session_state[NOTED] = lead_id
    try:
        workspace.store.marks.opened(owner, lead_id, campaign_id)
    except StoreError as error:
        logger.warning("recent lead not kept: %s", error)


def _pinned_ids(workspace: Workspace, owner: Owner) -> set[int]:
    if workspace.store is None:
        return set()
    try:
        return {mark.lead_id for mark in workspace.store.marks.pinned(owner)}
    except StoreError:
        return set()


def _toggle_pin(workspace: Workspace, owner: Owner, lead_id: int, campaign_id: int) -> None:
    if workspace.store is None:
        return
    try:
        if lead_id in _pinned_ids(workspace, owner):
            workspace.store.marks.unpin(owner, lead_id)
        else:
            workspace.store.marks.pin(owner, lead_id, campaign_id)
    except StoreError as error:
        logger.warning("pin not kept: %s", error)


def pin_button(workspace: Workspace, owner: Owner | None, lead_id: int, campaign_id: int) -> None:
    """Pin or unpin the lead (kept for this user in every session)."""
    if owner is None or workspace.store is None:
        return
    pinned = lead_id in _pinned_ids(workspace, owner)
    st.button(
        "Unpin" if pinned else "Pin",
        key=keys.LEAD_PIN,
        icon=":material/keep_off:" if pinned else ":material/keep:",
        on_click=_toggle_pin,
        args=(workspace, owner, lead_id, campaign_id),
        help="Pinned leads stay in the sidebar and under Go to lead, in every session.",
    )


def _marks(workspace: Workspace, owner: Owner) -> tuple[tuple[LeadMark, ...], tuple[LeadMark, ...]]:
    if workspace.store is None:
        return (), ()
    try:
        return workspace.store.marks.pinned(owner), workspace.store.marks.recent(owner)
    except StoreError as error:
        logger.warning("recent leads not read: %s", error)
        return (), ()


def _label(mark: LeadMark, pinned: bool) -> str:
    where = f" · campaign {mark.campaign_id}" if mark.campaign_id is not None else ""
    return f"{'📌 ' if pinned else ''}Lead {mark.lead_id}{where}"


def _go() -> None:
    chosen = st.session_state.get(keys.GO_TO_LEAD_RECENT)
    if isinstance(chosen, int):
        st.session_state[keys.GO_TO_LEAD_RECENT] = None
        st.session_state[NOTED + ".go"] = chosen


def suggestions(workspace: Workspace, owner: Owner | None) -> None:
    """Under the Go to lead box: the pinned, then the recent leads; choosing one opens it."""
    if owner is None or workspace.store is None:
        return
    pinned, recent = _marks(workspace, owner)
    pinned_ids = [mark.lead_id for mark in pinned]
    labels = {mark.lead_id: _label(mark, True) for mark in pinned}
    for mark in recent:
        labels.setdefault(mark.lead_id, _label(mark, False))
    go = st.session_state.pop(NOTED + ".go", None)
    if isinstance(go, int):
        st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(go)})
    if not labels:
        return
    st.selectbox(
        PICK_A_LEAD,
        [*pinned_ids, *(lead for lead in labels if lead not in pinned_ids)],
        index=None,
        key=keys.GO_TO_LEAD_RECENT,
        format_func=lambda lead_id: labels.get(lead_id, f"Lead {lead_id}"),
        placeholder="Choose a lead",
        on_change=_go,
    )


def sidebar_list(workspace: Workspace, owner: Owner | None) -> None:
    """A short list: pinned leads first, then the latest opened."""
    if owner is None or workspace.store is None:
        return
    pinned, recent = _marks(workspace, owner)
    shown = [(mark, True) for mark in pinned[:SIDEBAR_LEADS]]
    seen = {mark.lead_id for mark, _ in shown}
    shown += [(mark, False) for mark in recent if mark.lead_id not in seen][:SIDEBAR_LEADS]
    if not shown:
        return
    st.caption("Pinned and recent leads")
    # Keyed: Streamlit marks every link to the Lead page as the page shown, whatever its lead;
    # the stylesheet draws these as plain links (the navigation's "Lead N" marks the one open).
    with st.container(key=RECENT_LEADS_KEY):
        for mark, is_pinned in shown:
            st.page_link(
                pages.LEAD,
                label=f"{'Pinned' if is_pinned else 'Recent'} lead {mark.lead_id}",
                icon=":material/keep:" if is_pinned else ":material/history:",
                query_params={PARAM_LEAD: str(mark.lead_id)},
            )
