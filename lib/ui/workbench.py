"""The audit workbench's sections on the Lead page (issue 13), besides the Timeline tab:
where every Profile value came from, the same person elsewhere (signals), and the evidence
pack's download button.

Each is computed once per loaded dossier (`cached_api.lead_provenance`, `lead_signals`) and
only when its section is drawn (the signals' searches are sent when the Associated Campaigns
tab is first opened); drawing them again sends no request. The evidence pack is built only
when the button is pressed, from the dossier in memory and the lead's signals.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

import pandas as pd
import streamlit as st

from lib import signal_search
from lib.convertr import ConvertrClient, LeadDossier
from lib.convertr.errors import ConvertrError
from lib.evidence import PackAuthor, build_evidence_pack
from lib.presentation import escape_markdown, resolve_timezone
from lib.signal_search import SIGNAL_FILTERS, SignalSearch
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.campaigns_page import CAMPAIGN_LIST_SIZE
from lib.ui.frame import Session
from lib.views import column_widths
from lib.views.glossary import GLOSSARY
from lib.views.provenance import (
    FLAG,
    Provenance,
    badges_for,
    flagged,
    provenance_frame,
)
from lib.views.signals import SIGNAL_NOUNS, Signal, Signals, signal_clusters, signals_frame
from lib.views.url_params import PARAM_LEAD

SOURCE_COLUMN: Final = "Source"
SOURCE_HELP: Final = (
    "Where the value came from: captured, derived, transformed (by which job), enriched (by "
    f"which provider) or edited (by whom). {FLAG} marks a value that disagrees with its last "
    "recorded source. Details: 'Where each value came from' below. "
    f"Derived · Processr: {GLOSSARY['Derived · Processr']}"
)
EVIDENCE_MIME: Final = "application/zip"
SOURCES_LABEL: Final = "Where each value came from"
SIGNALS_LABEL: Final = "The same person elsewhere (device, IP address, email, telephone)"
PROVENANCE_COLUMNS: Final = ("Field", "Value", "Source", "When")
SIGNAL_TABLE_COLUMNS: Final = ("Signal", "Lead ID", "Campaign", "Status", "Delivery")

logger = logging.getLogger(__name__)


# -- provenance -----------------------------------------------------------------------------


def provenance_of(session: Session, dossier: LeadDossier) -> tuple[Provenance, ...]:
    lead_id = dossier.lead_id
    return cached_api.lead_provenance(
        dossier,
        session.connection.key,
        lead_id,
        cached_api.lead_generation(lead_id),
        str(session.zone),
    )


def with_sources(frame: pd.DataFrame, provenance: Sequence[Provenance]) -> pd.DataFrame:
    """The Profile table with a compact Source badge after its Field (kept in its CSV)."""
    if frame.empty or "Field" not in frame.columns:
        return frame
    shown = frame.copy()
    shown.insert(1, SOURCE_COLUMN, badges_for(shown["Field"], provenance))
    return shown


def source_column() -> dict[str, object]:
    return {SOURCE_COLUMN: st.column_config.TextColumn(SOURCE_COLUMN, help=SOURCE_HELP)}


def render_provenance_details(
    session: Session, dossier: LeadDossier, provenance: Sequence[Provenance]
) -> None:
    """The flagged values as a warning, then every value's whole story (selectable)."""
    lead_id = dossier.lead_id
    disagreeing = flagged(provenance)
    if disagreeing:
        with st.container(border=True):
            st.markdown(
                f"**{FLAG} {len(disagreeing)} value{'' if len(disagreeing) == 1 else 's'} "
                "changed outside the audit trail**"
            )
            for item in disagreeing:
                # Plain text: the values and names come from the API.
                st.text(f"{item.label}: {item.why_flagged}")
    details = st.expander(
        SOURCES_LABEL,
        icon=":material/source:",
        key=keys.profile_sources_open(lead_id),
        on_change="rerun",  # tracked: the table is built and sent only while it is open
    )
    if not details.open:
        return
    with details:
        frame = provenance_frame(provenance, session.zone)
        event = st.dataframe(
            frame,
            hide_index=True,
            height=widgets.table_height(len(frame)),
            key=keys.profile_source(lead_id),
            on_select="rerun",
            selection_mode="single-row",
            # Four columns fit beside the profile panel at 1024 px; who, the detail and the
            # flag are in the sentence under a selected row, and in the CSV.
            column_order=PROVENANCE_COLUMNS,
            column_config=widgets.fitted(
                PROVENANCE_COLUMNS, column_widths.selectable(column_widths.LEAD_TAB_PX)
            ),
        )
        widgets.download(
            frame,
            key=keys.lead_download(f"provenance-{lead_id}"),
            file_name=f"lead-{lead_id}-provenance",
        )
        rows = event.selection.rows if event is not None else []
        if rows and 0 <= rows[0] < len(provenance):
            st.text(provenance[rows[0]].hover)
        else:
            st.caption("Select a value to read where it came from.")


# -- signals --------------------------------------------------------------------------------


def signals_of(session: Session, dossier: LeadDossier) -> tuple[SignalSearch, Signals]:
    lead_id = dossier.lead_id
    search = cached_api.lead_signals(
        session.client,
        dossier,
        session.connection.key,
        lead_id,
        cached_api.lead_generation(lead_id),
    )
    return search, signal_clusters(dossier.lead, search.leads, not_searched=search.not_searched)


def _nouns(signals: Sequence[Signal]) -> str:
    words = [SIGNAL_NOUNS[signal] for signal in signals]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]


def render_signals_section(session: Session, dossier: LeadDossier) -> None:
    """The same person elsewhere: other leads with the lead's device, IP address, email or
    telephone, in any campaign, cluster by cluster. Tracked: the searches (one request per
    signal) are sent when the section is first opened, never by the first view or a tab
    switch; then they come from the cache."""
    section = st.expander(
        SIGNALS_LABEL,
        icon=":material/fingerprint:",
        key=keys.lead_signals_open(dossier.lead_id),
        on_change="rerun",
    )
    if not section.open:
        return
    with section:
        _signals_section(session, dossier)


def _signals_section(session: Session, dossier: LeadDossier) -> None:
    search, signals = signals_of(session, dossier)
    if search.unsupported:
        filters = ", ".join(f"`{SIGNAL_FILTERS[signal]}`" for signal in search.unsupported)
        st.info(
            f"This Convertr API offers no leads filter for the {_nouns(search.unsupported)} "
            f"({filters}), so other leads were not searched by "
            f"{'it' if len(search.unsupported) == 1 else 'them'}.",
            icon=":material/filter_alt_off:",
        )
    for signal, message in search.failed:
        st.warning(
            f"The search by {SIGNAL_NOUNS[signal]} failed: {escape_markdown(message)}",
            icon=":material/warning:",
        )
    if search.truncated:
        st.caption(
            f"More leads share the {_nouns(search.truncated)} than one page holds: the first "
            "are shown."
        )
    st.text(signals.summary)
    for cluster in signals.clusters:
        with st.container(border=True):
            st.text(cluster.sentence)
            statuses = " · ".join(f"{count} {status}" for status, count in cluster.statuses.items())
            st.caption(f"The other leads: {statuses}." if statuses else "")
    frame = signals_frame(signals, session.zone, _campaign_names(session))
    if frame.empty:
        return
    table_key = keys.lead_download(f"signals-{dossier.lead_id}")
    event = st.dataframe(
        widgets.styled(frame, ("Status",)),
        hide_index=True,
        key=f"{table_key}.table",
        on_select="rerun",
        # A click on any cell of a row opens that lead, as on the Leads page.
        selection_mode=["single-row", "single-cell"],
        height=widgets.table_height(len(frame)),
        # Five columns fit beside the profile panel at 1024 px (the CSV has them all).
        column_order=SIGNAL_TABLE_COLUMNS,
        alt="Other leads of the same person. Click a row to open that lead.",
        column_config=widgets.fitted(
            SIGNAL_TABLE_COLUMNS,
            column_widths.selectable(column_widths.LEAD_TAB_PX),
            {"Lead ID": st.column_config.NumberColumn(format="%d")},
        ),
    )
    st.caption("Click a lead's row to open it.")
    widgets.download(frame, key=table_key, file_name=f"lead-{dossier.lead_id}-signals")
    rows = [int(cell[0]) for cell in event.selection.cells] or list(event.selection.rows)
    if rows:
        other = int(frame.iloc[rows[0]]["Lead ID"])
        st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(other)})


def _campaign_names(session: Session) -> dict[int, str]:
    """Campaign names by id, from the list the Campaigns page loads (cached); {} when it
    cannot be loaded (the table then says "Campaign #id")."""
    connection = session.connection
    try:
        page = cached_api.campaigns_page(
            connection.client, connection.key, 1, CAMPAIGN_LIST_SIZE, None, ()
        )
    except ConvertrError:
        return {}
    return {campaign.id: campaign.name for campaign in page.items}


# -- evidence pack --------------------------------------------------------------------------


def _pack(
    dossier: LeadDossier, signals: Signals | None, author: PackAuthor, source: str, zone: str
) -> bytes:
    return build_evidence_pack(
        dossier,
        author=author,
        source=source,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        zone=resolve_timezone(zone),
        signals=signals,
    )


def evidence_file_name(lead_id: int) -> str:
    return f"lead-{lead_id}-evidence.zip"


def _signals_for_pack(client: ConvertrClient, dossier: LeadDossier) -> Signals | None:
    """The signals searched when the pack is asked for (the first view does not search
    them: their section may never be opened); the pack says "no signals" if they fail."""
    try:
        search = signal_search.search_signals(client, dossier.lead, dossier.associated_leads or [])
    except Exception:  # the pack says "no signals" rather than failing
        logger.exception("signal search for the evidence pack failed")
        return None
    return signal_clusters(dossier.lead, search.leads, not_searched=search.not_searched)


def _pack_when_pressed(
    client: ConvertrClient, dossier: LeadDossier, author: PackAuthor, source: str, zone: str
) -> bytes:
    return _pack(dossier, _signals_for_pack(client, dossier), author, source, zone)


def evidence_button(session: Session, dossier: LeadDossier) -> None:
    """The evidence pack's download: built when pressed, from the dossier this page already
    holds and the lead's signals (searched then, not on every view)."""
    st.download_button(
        "Evidence pack",
        data=functools.partial(
            _pack_when_pressed,
            session.client,
            dossier,
            PackAuthor.of(session.user),
            session.client.base_url_display,
            str(session.zone),
        ),
        file_name=evidence_file_name(dossier.lead_id),
        mime=EVIDENCE_MIME,
        key=keys.LEAD_EVIDENCE,
        icon=":material/folder_zip:",
        on_click="ignore",
        help=(
            "A ZIP with a printable report (profile, status, timeline, jobs, logs, provider "
            "answers, notes, signals), the dossier JSON, a CSV per table and a manifest of "
            "SHA-256 hashes (python -m lib.convertr verify FILE checks it)."
        ),
    )
