"""Cached look-ups for moving between leads: a lead by id (the Leads search's id match) and
the pages of a list around a lead (Previous / Next, a deep link's position)."""

# Cache-key parameters (client_key) are used only by Streamlit's hashing.
# ruff: noqa: ARG001

from __future__ import annotations

from typing import Final

import streamlit as st

from lib.convertr import ConvertrClient
from lib.convertr.errors import ConvertrError, NotFoundError
from lib.convertr.models import Lead, Page
from lib.ui import cached_api
from lib.ui.frame import Session
from lib.views.leads import LeadFilters
from lib.views.navigation import LeadsPlace, ListPosition, page_of, position_in

LOOKUP_TTL_SECONDS: Final = 120
DEEP_LINK_SCAN_PAGES: Final = 3
"""Without a total, a deep-linked lead is looked for on this many newest pages."""


@st.cache_data(ttl=LOOKUP_TTL_SECONDS, show_spinner=False)
def _lead(_client: ConvertrClient, client_key: str, lead_id: int) -> Lead:
    return _client.lead(lead_id)


def lead_or_none(session: Session, lead_id: int) -> Lead | None:
    """The lead with this id, or None when there is none (or it cannot be read now)."""
    try:
        return _lead(session.client, session.connection.key, lead_id)
    except (NotFoundError, ConvertrError):
        return None


def list_page(session: Session, filters: LeadFilters) -> Page[Lead]:
    """A page of a list (the Leads page's own cache, so a page seen there is not asked again)."""
    return cached_api.leads_page(session.client, session.connection.key, filters)


def position_from_deep_link(session: Session, lead: Lead) -> ListPosition | None:
    """The lead's position in its campaign's list, newest first, for a lead opened without a
    list (a link, Go to lead). Counting the leads captured at or after it (one small request)
    gives its page; ties on the same second are found on the neighbouring page."""
    place = LeadsPlace(campaign_id=lead.campaign_id)
    counted = list_page(
        session,
        LeadFilters(campaign_id=lead.campaign_id, items_per_page=1, created_after=lead.created_ts),
    )
    if counted.total is None:
        candidates = range(1, DEEP_LINK_SCAN_PAGES + 1)
    else:
        guess = page_of(counted.total, place.size)
        candidates = range(max(1, guess - 1), guess + 2)
    # The guessed page first, then its neighbours.
    ordered = sorted(
        candidates, key=lambda number: abs(number - page_of(counted.total or 1, place.size))
    )
    for number in ordered:
        at = place.at_page(number)
        page = list_page(session, at.filters(session.zone))
        found = position_in(at, [item.id for item in page.items], lead.id, page.total)
        if found is not None:
            return found
    return None
