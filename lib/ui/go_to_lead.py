"""The sidebar's Go to lead box: a lead id, or a lead link pasted from a ticket, opens the
Lead page (an unknown id gets the Lead page's own not-found message)."""

from __future__ import annotations

import streamlit as st

from lib.presentation import escape_markdown
from lib.ui import keys, pages
from lib.views.navigation import GO_TO_LEAD_HELP, parse_lead_reference
from lib.views.url_params import PARAM_LEAD


def render() -> None:
    """Draw the box in the sidebar; on submit open the lead (or say why the input is not one)."""
    with st.sidebar.form(keys.GO_TO_LEAD_FORM, clear_on_submit=False, border=False):
        text = st.text_input(
            "Go to lead",
            key=keys.GO_TO_LEAD,
            placeholder="Lead id or link",
            help=GO_TO_LEAD_HELP,
        )
        submitted = st.form_submit_button(
            "Open lead", key=keys.GO_TO_LEAD_SUBMIT, icon=":material/person_search:"
        )
    if submitted:
        try:
            lead_id = parse_lead_reference(text or "")
        except ValueError as error:
            st.session_state[keys.GO_TO_LEAD_ERROR] = str(error)
        else:
            st.session_state.pop(keys.GO_TO_LEAD_ERROR, None)
            st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(lead_id)})
    message = st.session_state.pop(keys.GO_TO_LEAD_ERROR, None)
    if message:
        # The entry stays in the box (no clear on submit), so a typo can be fixed; the message
        # quotes what was typed, escaped so it stays text.
        st.sidebar.error(escape_markdown(message), icon=":material/error:")
