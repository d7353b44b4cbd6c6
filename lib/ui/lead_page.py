"""The Lead page: the Lead Data view (profile panel and seven tabs) from one dossier load."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

from lib.charts import comparison_figure
from lib.convertr import LeadDossier
from lib.convertr.errors import NotFoundError, PermissionDeniedError
from lib.convertr.models import Campaign, Lead
from lib.lead_view import (
    associated_table,
    comparison_frame,
    generator_name,
    job_table,
    log_table,
    note_table,
    profile_tables,
    score_explanation,
    score_fraction,
    social_profile,
    sorted_logs,
)
from lib.presentation import (
    delivery_label,
    escape_markdown,
    format_timestamp,
    parse_positive_id,
    pretty_message,
    role_label,
    safe_link_url,
    shorten,
)
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.edit_tab import render_edit_tab
from lib.ui.frame import Session, guarded

LEAD_TABS: Final = (
    "Profile",
    "Associated Campaigns",
    "Job Details",
    "Processr Logs",
    "Provider Logs",
    "Edit Data",
    "Notes",
)
NO_ASSOCIATED: Final = "No associated campaigns: this email was captured only here."
OUTCOME_COLOURS: Final = {"Passed": "#2E9E5B", "Failed": "#D64545", "Not run": "#8A94A6"}
MAP_HEIGHT: Final = 200


def _back(message: str, given: str | None = None) -> None:
    st.error(message, icon=":material/error:")
    if given is not None:
        # The link's text goes as plain text: in a markdown banner a crafted link would
        # become a clickable link of someone else's choosing.
        st.text(f"The link gave: {shorten(given, 80)!r}")
    st.page_link(pages.CAMPAIGNS, label="Back to the campaigns", icon=":material/arrow_back:")


def _optional_id(name: str) -> int | None:
    raw = st.query_params.get(name)
    try:
        return parse_positive_id(raw, name) if raw else None
    except ValueError:
        return None


def _hint(lead_id: int) -> tuple[int | None, str | None]:
    hint = st.session_state.get(keys.lead_hint(lead_id))
    if isinstance(hint, tuple) and len(hint) == 2 and _optional_id(keys.PARAM_CAMPAIGN) == hint[0]:
        campaign_id, email = hint
        return int(campaign_id), (str(email) if email else None)
    return None, None


def _refresh(lead_id: int) -> None:
    cached_api.clear_lead_cache(lead_id)


def load(session: Session, lead_id: int) -> LeadDossier:
    """The dossier (from cache when fresh). The campaign and email the Leads page knew save a
    wave."""
    campaign_id, email = _hint(lead_id)
    connection = session.connection
    before = connection.client.request_count
    started = time.perf_counter()
    with st.spinner(f"Loading lead {lead_id:,}…".replace(",", "")):
        # load_dossier itself drops hints that contradict the lead.
        dossier = cached_api.lead_dossier(connection, lead_id, campaign_id, email)
    elapsed = time.perf_counter() - started
    sent = connection.client.request_count - before
    if sent:
        st.session_state[keys.lead_loaded(lead_id)] = (elapsed, sent)
    return dossier


def _detail(label: str, value: str) -> None:
    left, right = st.columns([1, 2])
    left.caption(label)
    # Plain text: lead values never pass through Markdown (no links, no formatting).
    right.text(shorten(value) if value else "—")


def _profile_panel(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    social = social_profile(dossier.lead_data or [])
    st.markdown("##### Lead Profile")
    if social.photo_url:
        st.image(social.photo_url, width=96)
    # Lead values are shown with st.text: Markdown would turn URLs in them into links.
    st.text(shorten(lead.full_name or "No name captured"))
    for line in (lead.job_title, lead.company, lead.email):
        if line:
            st.text(shorten(line))
    if social.links:
        columns = st.columns(min(3, len(social.links)))
        for index, (label, url) in enumerate(social.links):
            columns[index % len(columns)].link_button(
                label, url, key=keys.lead_social(index), width="stretch"
            )
    st.markdown("##### Details")
    _detail("Lead ID", str(lead.id))
    left, right = st.columns([1, 2])
    left.caption("Status")
    with right:
        widgets.status_badge(lead.processr_status)
    left, right = st.columns([1, 2])
    left.caption("Delivery")
    right.badge(
        delivery_label(lead.delivered),
        color="green" if lead.delivered else "gray",
        icon=":material/local_shipping:" if lead.delivered else ":material/schedule:",
    )
    _campaign_row(dossier.campaign, lead)
    generator = generator_name(lead, dossier.publishers or [])
    if generator:
        _detail("Generator", generator)
    form = lead.form_name or lead.form_hash or ""
    if lead.form_name and lead.form_hash:
        form = f"{lead.form_name} ({lead.form_hash})"
    _detail("Form", form)
    _detail("Entry Point", lead.entry_point or "")
    _detail("Captured", format_timestamp(lead.created_ts, session.zone))
    st.progress(
        score_fraction(lead.score, lead.max_score),
        text=f"Score {lead.score} / {lead.max_score}",
    )
    if lead.latitude is not None and lead.longitude is not None:
        address = ", ".join(
            part
            for part in (lead.address_line1, lead.address_line2, lead.postcode, lead.country)
            if part
        )
        st.map(
            pd.DataFrame({"lat": [lead.latitude], "lon": [lead.longitude]}),
            zoom=9,
            height=MAP_HEIGHT,
            size=400,
            color="#2F6FED",
        )
        if address:
            st.text(shorten(address))


def _campaign_row(campaign: Campaign | None, lead: Lead) -> None:
    left, right = st.columns([1, 2])
    left.caption("Campaign")
    name = campaign.name if campaign else f"Campaign {lead.campaign_id}"
    with right:
        # A page link does not wrap: the name goes above it as plain text, in full.
        st.text(shorten(name, 120))
        st.page_link(
            pages.CAMPAIGNS,
            label="Open campaign",
            icon=":material/campaign:",
            query_params={keys.PARAM_CAMPAIGN: str(lead.campaign_id)},
        )


def _table(frame: pd.DataFrame, name: str, empty: str, **options: object) -> None:
    widgets.table(
        frame,
        key=keys.lead_download(name),
        file_name=f"lead-{name}",
        empty=empty,
        **options,  # type: ignore[arg-type]
    )


def _profile_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    if widgets.part_failed(dossier, "lead_data"):
        return
    tables = profile_tables(lead, dossier.lead_data or [], session.zone)
    suffix = f"{lead.id}"
    st.markdown("##### Publisher Data")
    _table(tables.publisher_data, f"publisher-data-{suffix}", "No publisher data.")
    for title, frame, name in (
        ("Other captured values", tables.other_captured, "captured"),
        ("Derived values", tables.derived, "derived"),
        ("Enrichment", tables.enrichment, "enrichment"),
        ("Value transforms", tables.transforms, "transforms"),
        ("Edited values", tables.edited, "edited"),
    ):
        if not frame.empty:
            st.markdown(f"##### {title}")
            _table(frame, f"{name}-{suffix}", "")


def _associated_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    if widgets.part_failed(dossier, "associated_leads", "associated_campaigns"):
        return
    campaigns = dossier.associated_campaigns or []
    frame = associated_table(
        lead,
        dossier.associated_leads or [],
        campaigns,
        dossier.associated_statistics or [],
        dossier.associated_publishers or [],
        dossier.associated_links or [],
        session.zone,
    )
    if frame.empty:
        st.info(NO_ASSOCIATED, icon=":material/info:")
        return
    frame["Link"] = [safe_link_url(url) or "" for url in frame["Link"]]
    st.caption(
        f"The email was also captured on {len(frame):,} other "
        f"campaign{'s' if len(frame) != 1 else ''}."
    )
    _table(
        frame,
        f"associated-{lead.id}",
        NO_ASSOCIATED,
        status_columns=("Lead status",),
        column_config={
            "Campaign ID": st.column_config.NumberColumn(format="%d"),
            # Pinned: the table is wide (status, publisher, link, statistics), and the
            # campaign's name stays in view while scrolling to the right.
            "Campaign": st.column_config.TextColumn(pinned=True),
            "Lead ID": st.column_config.NumberColumn(format="%d"),
            "Link": st.column_config.LinkColumn("Tracking link"),
        },
    )
    if widgets.part_failed(dossier, "associated_chronologies"):
        return
    names = {campaign.id: campaign.name for campaign in campaigns}
    shown = {int(value) for value in frame["Campaign ID"]} | {lead.campaign_id}
    chronologies = [
        item for item in dossier.associated_chronologies or [] if item.campaign_id in shown
    ]
    st.markdown("##### Leads per week on these campaigns")
    st.plotly_chart(
        comparison_figure(comparison_frame(chronologies, names)),
        key=keys.lead_associated_chart(lead.id),
        config={"displaylogo": False},
    )


def _jobs_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    if widgets.part_failed(dossier, "jobs", "job_results"):
        return
    jobs = job_table(dossier.jobs or [], dossier.job_results or [], session.zone)
    columns = st.columns(4)
    for column, outcome in zip(columns, ("Passed", "Failed", "Not run"), strict=False):
        column.metric(outcome, f"{jobs.counts.get(outcome, 0):,}")
    columns[3].metric("Score", f"{lead.score} / {lead.max_score}")
    # Plain text: job names come from the campaign's configuration, not from markdown.
    st.text(score_explanation(lead, dossier.jobs or [], dossier.job_results or []))
    frame = jobs.rows
    if frame.empty:
        st.info("No Processr jobs are configured on this campaign.", icon=":material/info:")
        return
    styled = frame.style.map(
        lambda value: (
            f"color: {OUTCOME_COLOURS[value]}; font-weight: 600" if value in OUTCOME_COLOURS else ""
        ),
        subset=["Outcome"],
    )
    st.dataframe(
        styled,
        hide_index=True,
        height=widgets.table_height(len(frame)),
        key=keys.lead_jobs_table(lead.id),
        column_config={
            "#": st.column_config.NumberColumn(width=40),
            "Job": st.column_config.TextColumn(width="medium"),
            "Category": st.column_config.TextColumn(width=90),
            "Hardfail": st.column_config.TextColumn(width=70),
            "Outcome": st.column_config.TextColumn(width=75),
            "Score": st.column_config.TextColumn(width=65),
            "Message": st.column_config.TextColumn(width="large"),
        },
    )
    widgets.download(frame, key=keys.lead_download("jobs"), file_name=f"lead-{lead.id}-jobs")


def _processr_logs_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    if widgets.part_failed(dossier, "processr_logs"):
        return
    _table(
        log_table(dossier.processr_logs or [], session.zone, provider=False),
        f"processr-logs-{lead.id}",
        "No Processr logs for this lead.",
    )


def _provider_logs_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    error = dossier.error_for("provider_logs")
    if isinstance(error, PermissionDeniedError) or not session.user.can_view_provider_logs:
        role = role_label(session.user.role)
        st.info(
            f"Your role ({role}) cannot see provider logs: they may contain unmasked "
            "personal data. Ask an admin or analyst if you need them.",
            icon=":material/lock:",
        )
        return
    if widgets.part_failed(dossier, "provider_logs"):
        return
    logs = sorted_logs(dossier.provider_logs or [])
    if not logs:
        st.info("No provider logs for this lead.", icon=":material/info:")
        return
    st.caption(f"{len(logs):,} provider answers, oldest first, exactly as the provider sent them.")
    for entry in logs:
        with st.container(border=True):
            header = " · ".join(
                part
                for part in (
                    format_timestamp(entry.created_ts, session.zone),
                    entry.level.capitalize(),
                    entry.provider or "",
                    entry.job_name or "",
                )
                if part
            )
            st.caption(escape_markdown(header))
            text, language = pretty_message(entry.message)
            st.code(text, language=language, wrap_lines=True)
    widgets.download(
        log_table(logs, session.zone, provider=True),
        key=keys.lead_download("provider-logs"),
        file_name=f"lead-{lead.id}-provider-logs",
    )


def _notes_tab(session: Session, dossier: LeadDossier, lead: Lead) -> None:
    if widgets.part_failed(dossier, "notes"):
        return
    _table(
        note_table(dossier.notes or [], session.zone),
        f"notes-{lead.id}",
        "No status, delivery, contract or data changes have been noted on this lead.",
    )


def _edit_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "lead_data", "editable_fields"):
        return
    render_edit_tab(session.client, dossier, session.user)


def render(session: Session) -> None:
    raw = st.query_params.get(keys.PARAM_LEAD)
    try:
        lead_id = parse_positive_id(raw, "lead")
    except ValueError:
        _back(
            "This page shows one lead, but the link has no valid lead id (a positive number). "
            "Open a lead from a campaign's leads.",
            given=raw,
        )
        return
    try:
        dossier = load(session, lead_id)
    except NotFoundError:
        _back(f"Lead {lead_id} was not found. It may have been removed, or the link is wrong.")
        return
    lead = dossier.lead
    st.session_state[keys.LAST_LEAD] = lead.id
    st.session_state[keys.LAST_CAMPAIGN] = lead.campaign_id
    title_column, action_column = st.columns([5, 1], vertical_alignment="bottom")
    with title_column:
        st.title(f"Lead {lead.id}")
        loaded = st.session_state.get(keys.lead_loaded(lead.id))
        timing = f" · loaded in {loaded[0]:.2f} s with {loaded[1]} requests" if loaded else ""
        if timing:
            st.caption(timing.removeprefix(" · ").capitalize())
    with action_column:
        st.button(
            "Refresh",
            key=keys.LEAD_REFRESH,
            icon=":material/refresh:",
            on_click=_refresh,
            args=(lead.id,),
            help="Load this lead again from Convertr.",
        )
        st.page_link(
            pages.LEADS,
            label="Campaign leads",
            icon=":material/arrow_back:",
            query_params={keys.PARAM_CAMPAIGN: str(lead.campaign_id)},
        )

    panel, body = st.columns([1.3, 2.7], gap="medium")
    with panel, st.container(border=True):
        _profile_panel(session, dossier, lead)
    with body:
        tabs = st.tabs(list(LEAD_TABS), key=keys.LEAD_TABS)
        renderers: tuple[Callable[[], None], ...] = (
            lambda: _profile_tab(session, dossier, lead),
            lambda: _associated_tab(session, dossier, lead),
            lambda: _jobs_tab(session, dossier, lead),
            lambda: _processr_logs_tab(session, dossier, lead),
            lambda: _provider_logs_tab(session, dossier, lead),
            lambda: _edit_tab(session, dossier),
            lambda: _notes_tab(session, dossier, lead),
        )
        for tab, name, render_tab in zip(tabs, LEAD_TABS, renderers, strict=True):
            # Each tab is guarded on its own, so one failing tab leaves the others usable.
            with tab, guarded(f"the {name} tab"):
                render_tab()
