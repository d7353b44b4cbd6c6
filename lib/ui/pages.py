"""The app's page scripts, named once: for `st.page_link`, `st.switch_page` and the tests;
and the one way a page reads its query parameters (`read`)."""

from __future__ import annotations

from typing import Final, TypeVar

import streamlit as st

from lib.ui import keys
from lib.views.lead import LEAD_TABS
from lib.views.url_params import PARAM_CAMPAIGN, PARAM_TAB, Param, ReadParam, read_param

T = TypeVar("T")

CAMPAIGNS: Final = "app.py"
"""The Campaigns page, the entry point (`streamlit run app.py`)."""
LEADS: Final = "pages/1_Leads.py"
"""One campaign's leads (`/Leads?campaign=<id>`)."""
LEAD: Final = "pages/2_Lead.py"
"""The Lead Data view of one lead (`/Lead?lead=<id>`)."""
AUDIT: Final = "pages/3_Audit.py"
"""The campaign audit (`/Audit?campaign=<id>`)."""


def leads_link_params(campaign_id: int) -> dict[str, str]:
    """The query of a link to a campaign's leads: the place last seen there (filters, order,
    page), so the Leads page need not rewrite its URL on arrival, which would add a history
    entry that browser Back returns to."""
    place = st.session_state.get(keys.LEADS_PLACES, {}).get(campaign_id)
    if place is None:
        return {PARAM_CAMPAIGN: str(campaign_id)}
    params: dict[str, str] = place.to_params()
    return params


def read(param: Param[T]) -> ReadParam[T]:
    """A query parameter of the page on show (the last value of a repeated one), read by
    `url_params.read_param`: its value, or its default and a note saying why."""
    return read_param(param, st.query_params.get(param.name))


def name_lead_tab(name: str) -> None:
    """Name the Lead page's tab `name` in the URL (`tab`; none for the first), as the user
    opened it: the browser gains a history entry, whose Back returns to the tab before."""
    if name == LEAD_TABS[0]:
        if PARAM_TAB in st.query_params:
            del st.query_params[PARAM_TAB]
    elif st.query_params.get(PARAM_TAB) != name:
        st.query_params[PARAM_TAB] = name
