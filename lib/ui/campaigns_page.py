"""The Campaigns page: find a campaign, see its figures and daily leads, open its leads.

Settings -> view model -> draw: `_filters` reads the search into `CampaignFilters`, the cached
API finds the campaigns, `lib.views.campaigns` builds the list, KPIs and chart data, and the
functions here draw them.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Final

import pandas as pd
import streamlit as st

from lib.charts import chronology_html
from lib.convertr.errors import ConvertrError, NotFoundError
from lib.convertr.models import Campaign, Statistic
from lib.presentation import escape_markdown
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.frame import Session
from lib.views import column_widths
from lib.views.campaigns import (
    CAMPAIGN_STATUSES,
    NO_LEADS_YET,
    NO_STATISTICS,
    CampaignFilters,
    FoundCampaigns,
    campaign_caption,
    campaign_choice_label,
    campaign_list,
    chart_range,
    chronology_frame,
    found_campaigns,
    kpis,
    most_recently_active,
)
from lib.views.column_widths import Fit
from lib.views.url_params import CAMPAIGNS_CAMPAIGN, PARAM_CAMPAIGN

CAMPAIGN_LIST_SIZE: Final = 200
CAMPAIGN_TABLE_COLUMNS: Final = (
    "ID",
    "Campaign",
    "Advertiser",
    "Status",
    "Start",
    "End",
    "Leads",
    "Valid",
)
CAMPAIGN_FITS: Final = {
    "Campaign": Fit(142, 230),
    "Advertiser": Fit(96, 160),
    "Status": Fit(82, 90),
    "Start": Fit(88, 100),
    "End": Fit(88, 100),
}
"""At 1024 px a campaign's name takes at most two of a row's three lines ("Customer
Experience / Summit Registrations"), an advertiser's three; a status is one word
("Completed")."""
"""Campaigns fetched for the list (one page; an enterprise has tens to hundreds)."""


def _filters() -> tuple[CampaignFilters, st.delta_generator.DeltaGenerator]:
    """Read the search and status filter; returns them and the column for the choice."""
    search_column, status_column, choice_column = st.columns([2, 2, 3])
    search = search_column.text_input(
        "Search", key=keys.CAMPAIGNS_SEARCH, placeholder="Campaign name or ID"
    )
    statuses = status_column.multiselect(
        "Campaign status", CAMPAIGN_STATUSES, key=keys.CAMPAIGNS_STATUS, placeholder="Any"
    )
    return CampaignFilters(search, tuple(statuses)), choice_column


def find_campaigns(session: Session, filters: CampaignFilters) -> FoundCampaigns:
    """Campaigns whose name contains the search or whose id is the search, with the total."""
    connection = session.connection
    page = cached_api.campaigns_page(
        connection.client, connection.key, 1, CAMPAIGN_LIST_SIZE, filters.text, filters.statuses
    )
    by_id = None
    if filters.campaign_id is not None:
        try:
            by_id = cached_api.campaign(connection.client, connection.key, filters.campaign_id)
        except NotFoundError:
            by_id = None
    return found_campaigns(filters, page.items, page.total, by_id)


def _choose_campaign(campaigns: tuple[Campaign, ...]) -> tuple[Campaign, list[str]]:
    """The campaign picked in the selectbox, starting from the URL's `campaign`; with what to
    say about a followed link that named another campaign (drawn by the caller under the
    filters, so the choice box stays in line with them)."""
    by_id = {campaign.id: campaign for campaign in campaigns}
    wanted = st.session_state.get(keys.CAMPAIGNS_CHOICE)
    notes: list[str] = []
    if wanted not in by_id:
        linked = pages.read(CAMPAIGNS_CAMPAIGN)
        asked = linked.value
        last = st.session_state.get(keys.LAST_CAMPAIGN)
        # The URL holds what this page wrote itself when it names the campaign last looked
        # at: a search or status filter hiding it is no followed link to complain about.
        followed = asked is not None and asked != last
        if asked is None and not linked.note and last in by_id:
            # The sidebar's Campaigns link: back to the campaign last looked at.
            asked = last
        wanted = asked if asked in by_id else most_recently_active(campaigns).id
        if linked.note:
            notes.append(escape_markdown(linked.note))
        if followed and asked != wanted:
            # Never silently show another campaign than the link named.
            notes.append(
                f"Campaign #{asked} (from the link) is not in this list: no such campaign, or "
                f"the search or status filter hides it. Showing "
                f"{escape_markdown(campaign_choice_label(by_id[wanted]))} instead."
            )
        st.session_state[keys.CAMPAIGNS_CHOICE] = wanted
    widgets.hold(keys.CAMPAIGNS_CHOICE)
    chosen: int = st.selectbox(
        "Campaign",
        list(by_id),
        format_func=lambda campaign_id: campaign_choice_label(by_id[campaign_id]),
        key=keys.CAMPAIGNS_CHOICE,
    )
    st.query_params[PARAM_CAMPAIGN] = str(chosen)
    st.session_state[keys.LAST_CAMPAIGN] = chosen
    return by_id[chosen], notes


def _heading(campaign: Campaign) -> None:
    st.header(escape_markdown(campaign.name))
    # One wrapping row, never a narrow column: at 1024 px the link is not cut.
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(campaign_caption(campaign))
        st.page_link(
            pages.LEADS,
            label="Open its leads",
            icon=":material/table_rows:",
            query_params=pages.leads_link_params(campaign.id),
        )
        st.page_link(
            pages.AUDIT,
            label="Audit it",
            icon=":material/fact_check:",
            query_params={PARAM_CAMPAIGN: str(campaign.id)},
        )


def _statistics(session: Session, found: FoundCampaigns) -> list[Statistic] | None:
    """The found campaigns' statistics, or None (with the error and a Retry shown where the
    figures go) when they could not be loaded: the chart and the list still show."""
    connection = session.connection
    try:
        return cached_api.statistics(
            connection.client,
            connection.key,
            cached_api.ids([item.id for item in found.campaigns]),
        )
    except ConvertrError as error:
        widgets.load_failed("the statistics", error, key=keys.CAMPAIGNS_RETRY_STATISTICS)
        return None


def _kpis(statistic: Statistic | None) -> None:
    if statistic is None:
        st.info(NO_STATISTICS, icon=":material/info:")
        return
    figures = kpis(statistic)
    for column, kpi in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(kpi.label, kpi.value, delta=kpi.share, delta_color="off", delta_arrow="off")


def _chronology(session: Session, campaign: Campaign) -> None:
    connection = session.connection
    st.markdown("### Leads per day")
    try:
        days = cached_api.chronologies(connection.client, connection.key, (campaign.id,))
    except ConvertrError as error:
        widgets.load_failed("the leads per day", error, key=keys.CAMPAIGNS_RETRY_CHRONOLOGY)
        return
    full = chronology_frame(days, campaign.id)
    if full.empty:
        st.info(NO_LEADS_YET, icon=":material/info:")
        return
    first: date = full["date"].min()
    last: date = full["date"].max()
    range_column, _ = st.columns([2, 3])
    chosen = range_column.date_input(
        "Date range",
        value=(first, last),
        min_value=first,
        max_value=last,
        key=keys.campaigns_dates(campaign.id),
        format="DD/MM/YYYY",
    )
    start, end = chart_range(chosen, first, last)
    frame = chronology_frame(days, campaign.id, start=start, end=end)
    # A static picture drawn on the server (as the Lead page's charts): none of Vega-Lite's
    # 775 KB of JavaScript on the app's first page. Each day's leads show as the browser's
    # own tooltip; the campaign's name is escaped (st.html sanitises it again).
    st.html(chronology_html(frame, campaign.name))
    widgets.download(
        pd.DataFrame(frame.drop(columns=["campaign_id"])),
        key=keys.campaigns_chronology(campaign.id),
        file_name=f"campaign-{campaign.id}-leads-per-day",
    )


def _choose_row(table_key: str, campaign_ids: tuple[int, ...]) -> None:
    """A click on a campaign's row chooses that campaign (as the selectbox above does)."""
    state = st.session_state.get(table_key)
    rows = list(state["selection"]["rows"]) if state else []
    if rows:
        st.session_state[keys.CAMPAIGNS_CHOICE] = campaign_ids[rows[0]]


def _campaign_list(found: FoundCampaigns, statistics: list[Statistic], chosen: Campaign) -> None:
    view = campaign_list(found.campaigns, statistics, found.total)
    ids = tuple(campaign.id for campaign in found.campaigns)
    # Keyed by the chosen campaign, so its row starts selected and a click is a change.
    table_key = f"{keys.CAMPAIGNS_TABLE}.rows.{chosen.id}"
    with st.expander(view.heading, expanded=True, icon=":material/list:"):
        st.dataframe(
            view.table,
            hide_index=True,
            key=table_key,
            on_select=functools.partial(_choose_row, table_key, ids),
            selection_mode="single-row",
            selection_default={"selection": {"rows": [ids.index(chosen.id)]}},
            # Three lines a row: a campaign's and an advertiser's name wrap, read whole.
            row_height=column_widths.THREE_LINE_ROW_PX,
            height=widgets.table_height(len(view.table), column_widths.THREE_LINE_ROW_PX),
            alt=f"Campaigns: {view.heading}. Select a row to choose the campaign.",
            # Fitted in the main column at 1024 px; the currency is in the CSV.
            column_order=CAMPAIGN_TABLE_COLUMNS,
            column_config=widgets.fitted(
                CAMPAIGN_TABLE_COLUMNS,
                column_widths.selectable(column_widths.EXPANDER_PX),
                {
                    "ID": st.column_config.NumberColumn(format="%d"),
                    "Leads": st.column_config.NumberColumn(format="localized"),
                    "Valid": st.column_config.NumberColumn(format="localized"),
                },
                CAMPAIGN_FITS,
            ),
        )
        st.caption("Select a row to choose that campaign.")
        widgets.download(view.table, key=keys.CAMPAIGNS_TABLE, file_name="campaigns")


def render(session: Session) -> None:
    st.title("Campaigns")
    filters, choice_column = _filters()
    try:
        found = find_campaigns(session, filters)
    except ConvertrError as error:
        widgets.load_failed("the campaigns", error, key=keys.CAMPAIGNS_RETRY)
        return
    if not found.campaigns:
        st.info(filters.no_match, icon=":material/search_off:")
        return
    with choice_column:
        campaign, notes = _choose_campaign(found.campaigns)
    for note in notes:
        st.warning(note, icon=":material/link_off:")
    _heading(campaign)
    statistics = _statistics(session, found)
    if statistics is not None:
        _kpis(next((item for item in statistics if item.campaign_id == campaign.id), None))
    _chronology(session, campaign)
    st.divider()
    _campaign_list(found, statistics or [], campaign)
