"""The Campaigns page: find a campaign, see its figures and daily leads, open its leads."""

from __future__ import annotations

from datetime import date
from typing import Final

import pandas as pd
import streamlit as st

from lib.charts import chronology_figure
from lib.convertr.errors import NotFoundError
from lib.convertr.models import Campaign, CampaignStatus, Statistic
from lib.lead_view import campaign_table, chronology_frame, statistic_figures
from lib.presentation import escape_markdown, format_date, format_percent
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.frame import Session

CAMPAIGN_STATUSES: Final[tuple[CampaignStatus, ...]] = ("Live", "Paused", "Completed", "Draft")
CAMPAIGN_LIST_SIZE: Final = 200
"""Campaigns fetched for the list (one page; an enterprise has tens to hundreds)."""


def find_campaigns(
    session: Session, search: str, statuses: tuple[CampaignStatus, ...]
) -> tuple[list[Campaign], int]:
    """Campaigns whose name contains `search` or whose id is `search`, with the total."""
    connection = session.connection
    text = search.strip()
    page = cached_api.campaigns_page(
        connection.client, connection.key, 1, CAMPAIGN_LIST_SIZE, text or None, statuses
    )
    found = list(page.items)
    total = page.total
    if text.isdigit():
        try:
            by_id = cached_api.campaign(connection.client, connection.key, int(text))
        except NotFoundError:
            by_id = None
        if (
            by_id is not None
            and all(item.id != by_id.id for item in found)
            and (not statuses or by_id.status in statuses)
        ):
            found.insert(0, by_id)
            total += 1
    return found, total


def _choose_campaign(campaigns: list[Campaign]) -> Campaign:
    """The campaign picked in the selectbox, starting from the URL's `campaign`."""
    by_id = {campaign.id: campaign for campaign in campaigns}
    wanted = st.session_state.get(keys.CAMPAIGNS_CHOICE)
    if wanted not in by_id:
        raw = st.query_params.get(keys.PARAM_CAMPAIGN, "")
        wanted = int(raw) if raw.isdigit() and int(raw) in by_id else campaigns[0].id
        st.session_state[keys.CAMPAIGNS_CHOICE] = wanted
    chosen: int = st.selectbox(
        "Campaign",
        list(by_id),
        format_func=lambda campaign_id: f"{by_id[campaign_id].name} (#{campaign_id})",
        key=keys.CAMPAIGNS_CHOICE,
    )
    st.query_params[keys.PARAM_CAMPAIGN] = str(chosen)
    st.session_state[keys.LAST_CAMPAIGN] = chosen
    return by_id[chosen]


def _campaign_list(campaigns: list[Campaign], statistics: list[Statistic], total: int) -> None:
    by_campaign = {statistic.campaign_id: statistic for statistic in statistics}
    frame = campaign_table(campaigns)
    frame["Leads"] = [by_campaign[c.id].total if c.id in by_campaign else None for c in campaigns]
    frame["Valid"] = [by_campaign[c.id].valid if c.id in by_campaign else None for c in campaigns]
    shown = f"{len(campaigns):,} of {total:,}" if total > len(campaigns) else f"{total:,}"
    with st.expander(f"{shown} campaigns", expanded=True, icon=":material/list:"):
        widgets.table(
            frame,
            key=keys.CAMPAIGNS_TABLE,
            file_name="campaigns",
            empty="No campaigns.",
            column_config={
                "ID": st.column_config.NumberColumn(format="%d", width="small"),
                "Leads": st.column_config.NumberColumn(format="localized"),
                "Valid": st.column_config.NumberColumn(format="localized"),
            },
        )


def _kpis(statistic: Statistic | None) -> None:
    if statistic is None:
        st.info("No statistics for this campaign yet.", icon=":material/info:")
        return
    columns = st.columns(7)
    for column, (label, value) in zip(columns, statistic_figures(statistic), strict=True):
        share = (
            None
            if label == "Total"
            else format_percent(getattr(statistic, label.lower()), statistic.total)
        )
        column.metric(label, value, delta=share, delta_color="off", delta_arrow="off")


def _chronology(session: Session, campaign: Campaign) -> None:
    connection = session.connection
    days = cached_api.chronologies(connection.client, connection.key, (campaign.id,))
    full = chronology_frame(days, campaign.id)
    st.markdown("#### Leads per day")
    if full.empty:
        st.info("No leads have been captured on this campaign yet.", icon=":material/info:")
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
    start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple) and chosen else (first, last)
    frame = chronology_frame(days, campaign.id, start=start, end=end)
    st.plotly_chart(
        chronology_figure(frame),
        key=keys.campaigns_chart(campaign.id),
        config={"displaylogo": False},
    )
    widgets.download(
        pd.DataFrame(frame.drop(columns=["campaign_id"])),
        key=keys.campaigns_chronology(campaign.id),
        file_name=f"campaign-{campaign.id}-leads-per-day",
    )


def render(session: Session) -> None:
    st.title("Campaigns")
    search_column, status_column, choice_column = st.columns([2, 2, 3])
    search = search_column.text_input(
        "Search", key=keys.CAMPAIGNS_SEARCH, placeholder="Campaign name or ID"
    )
    statuses = tuple(
        status_column.multiselect(
            "Campaign status", CAMPAIGN_STATUSES, key=keys.CAMPAIGNS_STATUS, placeholder="Any"
        )
    )
    campaigns, total = find_campaigns(session, search, statuses)
    if not campaigns:
        st.info(
            "No campaigns match this search"
            + (" and status filter." if statuses else ".")
            + " Clear the search to see every campaign.",
            icon=":material/search_off:",
        )
        return
    connection = session.connection
    statistics = cached_api.statistics(
        connection.client, connection.key, cached_api.ids([campaign.id for campaign in campaigns])
    )
    with choice_column:
        campaign = _choose_campaign(campaigns)

    heading, action = st.columns([4, 1], vertical_alignment="bottom")
    with heading:
        st.subheader(escape_markdown(campaign.name))
        period = f"{format_date(campaign.start_date)} to {format_date(campaign.end_date)}"
        advertiser = escape_markdown(campaign.advertiser or "no advertiser")
        st.caption(
            f"#{campaign.id} · {advertiser} · {campaign.status} · {campaign.currency} · "
            f"{period} · max score {campaign.max_score}"
        )
    with action:
        st.page_link(
            pages.LEADS,
            label="Open its leads",
            icon=":material/table_rows:",
            query_params={keys.PARAM_CAMPAIGN: str(campaign.id)},
        )
    statistic = next((item for item in statistics if item.campaign_id == campaign.id), None)
    _kpis(statistic)
    _chronology(session, campaign)
    st.divider()
    _campaign_list(campaigns, statistics, total)
