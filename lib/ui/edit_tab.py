"""The Edit Data tab (first, read-only version): the campaign's editable fields and the
lead's current values. The editing version replaces this module with the same entry point."""

from __future__ import annotations

import streamlit as st

from lib.convertr import ConvertrClient, LeadDossier
from lib.convertr.models import User
from lib.lead_view import editable_field_table


def render_edit_tab(client: ConvertrClient, dossier: LeadDossier, user: User) -> None:  # noqa: ARG001
    """Show the editable fields with their current values; editing comes later."""
    lead = dossier.lead
    if lead is None:
        st.info("The lead is not loaded, so its values cannot be shown.")
        return
    frame = editable_field_table(dossier.editable_fields or [], lead, dossier.lead_data or [])
    if frame.empty:
        st.info("No fields on this campaign are editable.", icon=":material/info:")
        return
    st.caption("The values the campaign lets people edit (read-only in this version).")
    st.data_editor(
        frame,
        hide_index=True,
        disabled=True,
        key=f"lead.edit.{lead.id}.table",
    )
