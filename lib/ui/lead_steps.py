"""Previous / Next lead on the Lead page, within the list the lead was opened from (its
filters and order, across page boundaries), with the lead's position in that list. A lead
opened without a list (a link, Go to lead) steps through its campaign, newest first."""

from __future__ import annotations

from typing import Final

import streamlit as st

from lib.convertr.errors import ConvertrError
from lib.convertr.models import Lead, Page
from lib.ui import cached_api, keys
from lib.ui.frame import Session
from lib.views.leads import LeadFilters
from lib.views.navigation import (
    ListPosition,
    Step,
    deep_link_count,
    deep_link_places,
    neighbour_lookup,
    position_in,
)
from lib.views.url_params import PARAM_CAMPAIGN, PARAM_LEAD

PREVIOUS_SHORTCUT: Final = "K"
NEXT_SHORTCUT: Final = "J"
"""As in mail readers: J moves down the list (older, by default), K up. Alt+arrows are the
browser's own Back / Forward, and C and R are reserved by Streamlit."""


def position(session: Session, lead: Lead) -> ListPosition | None:
    """The lead's position in the list it came from, else in its campaign (newest first);
    None when it cannot be found (the list changed, or the server failed)."""
    stored = st.session_state.get(keys.LEAD_POSITION)
    if isinstance(stored, ListPosition) and stored.lead_id == lead.id:
        return stored
    try:
        found = _position_from_deep_link(session, lead)
    except ConvertrError:
        return None
    if found is not None:
        st.session_state[keys.LEAD_POSITION] = found
    return found


def _list_page(session: Session, filters: LeadFilters) -> Page[Lead]:
    """A page of a list (the Leads page's own cache, so a page seen there is not asked again)."""
    return cached_api.leads_page(session.client, session.connection.key, filters)


def _position_from_deep_link(session: Session, lead: Lead) -> ListPosition | None:
    """The lead's position in its campaign's list, newest first, for a lead opened without a
    list (a link, Go to lead): one small request counts the leads captured at or after it,
    which names its page (`navigation.deep_link_places`)."""
    counted = _list_page(session, deep_link_count(lead))
    for place in deep_link_places(lead, counted.total):
        page = _list_page(session, place.filters(session.zone))
        found = position_in(place, [item.id for item in page.items], lead.id, page.total)
        if found is not None:
            return found
    return None


def neighbour(session: Session, at: ListPosition, step: Step) -> tuple[ListPosition, Lead] | None:
    """The lead `step` away in the list and its position, fetching the next or previous page
    at an edge; None past either end."""
    offered = cached_api.offered_lead_filters(session.client, session.connection.key)
    current = _list_page(session, at.place.filters(session.zone, offered))
    lookup = neighbour_lookup(at, step, len(current.items))
    if lookup.page < 1:
        return None
    place = at.place.at_page(lookup.page)
    page = (
        current
        if lookup.page == at.place.page
        else _list_page(session, place.filters(session.zone, offered))
    )
    index = len(page.items) - 1 if lookup.index < 0 else lookup.index
    if not 0 <= index < len(page.items):
        return None
    lead = page.items[index]
    total = page.total if page.total is not None else at.total
    return ListPosition(place=place, index=index, lead_id=lead.id, total=total), lead


def _go(session: Session, at: ListPosition, step: Step) -> None:
    try:
        found = neighbour(session, at, step)
    except ConvertrError as error:
        st.toast(f"Could not load the neighbouring lead: {error.user_message}")
        return
    if found is None:
        st.toast("This is the last lead of the list." if step > 0 else "This is the first lead.")
        return
    moved, lead = found
    st.session_state[keys.LEAD_POSITION] = moved
    st.session_state[keys.lead_hint(lead.id)] = (lead.campaign_id, lead.email)
    # In place, not a page switch: the query keeps the open tab's parameter, so the next
    # lead opens on the same tab, and the browser's history gains one entry, whose Back
    # returns to this lead on its tab.
    st.query_params.update({PARAM_LEAD: str(lead.id), PARAM_CAMPAIGN: str(lead.campaign_id)})
    st.rerun()


def render(session: Session, lead: Lead) -> ListPosition | None:
    """Previous, Next and the position, in the current (horizontal) container."""
    at = position(session, lead)
    if at is None:
        st.caption("Open this lead from a list of leads to step through it.")
        return None
    previous = st.button(
        "Previous",
        key=keys.LEAD_PREVIOUS,
        icon=":material/chevron_left:",
        disabled=not at.has_previous,
        shortcut=PREVIOUS_SHORTCUT,
        help=f"The previous lead of the list (shortcut {PREVIOUS_SHORTCUT}).",
    )
    following = st.button(
        "Next",
        key=keys.LEAD_NEXT,
        icon=":material/chevron_right:",
        icon_position="right",
        disabled=at.has_next is False,
        shortcut=NEXT_SHORTCUT,
        help=f"The next lead of the list (shortcut {NEXT_SHORTCUT}).",
    )
    st.markdown(f"Lead **{at.text}**")
    if previous:
        _go(session, at, -1)
    elif following:
        _go(session, at, 1)
    return at


def back_params(lead: Lead, at: ListPosition | None) -> dict[str, str]:
    """The Leads page the lead came from (its filters, order and page, the lead's row
    selected), else its campaign's list."""
    if at is None:
        return {PARAM_CAMPAIGN: str(lead.campaign_id)}
    return at.place.with_selected(lead.id).to_params()
