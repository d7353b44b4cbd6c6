"""The Leads page: one campaign's leads, paged and filtered on the server."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Final

import streamlit as st

from lib.convertr.errors import NotFoundError
from lib.convertr.models import Campaign, ProcessrStatus
from lib.lead_view import lead_table
from lib.presentation import LEAD_STATUSES, escape_markdown, parse_positive_id, shorten
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.frame import Session

PAGE_SIZES: Final = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE: Final = 50
DELIVERY_CHOICES: Final = {"Any": None, "Delivered": True, "Undelivered": False}
ORDERS: Final = {"Newest first": "desc", "Oldest first": "asc"}


def _back_to_campaigns(message: str, given: str | None = None) -> None:
    st.error(message, icon=":material/error:")
    if given is not None:
        # Plain text, never inside the markdown banner (a crafted link would become a link).
        st.text(f"The link gave: {shorten(given, 80)!r}")
    st.page_link(pages.CAMPAIGNS, label="Choose a campaign", icon=":material/arrow_back:")


def _first_page() -> None:
    st.session_state[keys.LEADS_PAGE] = 1


def range_bounds(chosen: tuple[date, ...], zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """A date range picked in the viewer's zone as inclusive datetimes (start of the first
    day, end of the last)."""
    if not chosen:
        return None, None
    start = datetime.combine(chosen[0], time.min, tzinfo=zone)
    end = datetime.combine(chosen[-1], time.max, tzinfo=zone) if len(chosen) > 1 else None
    return start, end


def _campaign(session: Session) -> Campaign | None:
    raw = st.query_params.get(keys.PARAM_CAMPAIGN)
    if raw is None and st.session_state.get(keys.LAST_CAMPAIGN) is not None:
        # Opened from the sidebar or without a campaign: return to the last one seen.
        raw = str(st.session_state[keys.LAST_CAMPAIGN])
        st.query_params[keys.PARAM_CAMPAIGN] = raw
    try:
        campaign_id = parse_positive_id(raw, "campaign")
    except ValueError:
        _back_to_campaigns(
            "Open this page from a campaign: the link has no valid campaign id "
            "(a positive number).",
            given=raw,
        )
        return None
    try:
        return cached_api.campaign(session.connection.client, session.connection.key, campaign_id)
    except NotFoundError:
        _back_to_campaigns(f"Campaign {campaign_id} was not found.")
        return None


def render(session: Session) -> None:
    campaign = _campaign(session)
    if campaign is None:
        return
    st.session_state[keys.LAST_CAMPAIGN] = campaign.id
    st.title("Leads")
    st.caption(
        f"{escape_markdown(campaign.name)} · #{campaign.id} · "
        f"{escape_markdown(campaign.advertiser or 'no advertiser')}"
    )
    st.page_link(
        pages.CAMPAIGNS,
        label="Back to the campaign",
        icon=":material/arrow_back:",
        query_params={keys.PARAM_CAMPAIGN: str(campaign.id)},
    )

    first, second, third = st.columns([2, 1, 2])
    statuses: list[ProcessrStatus] = first.multiselect(
        "Status",
        LEAD_STATUSES,
        key=keys.LEADS_STATUS,
        placeholder="Any status",
        on_change=_first_page,
    )
    delivery = second.selectbox(
        "Delivery", list(DELIVERY_CHOICES), key=keys.LEADS_DELIVERY, on_change=_first_page
    )
    dates = third.date_input(
        "Captured between",
        value=[],
        key=keys.LEADS_DATES,
        format="DD/MM/YYYY",
        on_change=_first_page,
    )
    fourth, fifth, sixth = st.columns([3, 1, 1])
    search = fourth.text_input(
        "Search",
        key=keys.LEADS_SEARCH,
        placeholder="Email or name",
        on_change=_first_page,
    )
    order = fifth.selectbox("Order", list(ORDERS), key=keys.LEADS_ORDER, on_change=_first_page)
    page_size = sixth.selectbox(
        "Rows per page",
        PAGE_SIZES,
        index=PAGE_SIZES.index(DEFAULT_PAGE_SIZE),
        key=keys.LEADS_PAGE_SIZE,
        on_change=_first_page,
    )

    chosen_dates = tuple(dates) if isinstance(dates, (tuple, list)) else (dates,)
    after, before = range_bounds(chosen_dates, session.zone)
    page_number = int(st.session_state.get(keys.LEADS_PAGE, 1))
    connection = session.connection
    page = cached_api.leads_page(
        connection.client,
        connection.key,
        campaign.id,
        page_number,
        int(page_size),
        tuple(statuses),
        DELIVERY_CHOICES[delivery],
        after,
        before,
        search.strip() or None,
        ORDERS[order],
    )
    if page_number > page.page_count:
        # Filters shrank the result under the current page: show the last page instead.
        st.session_state[keys.LEADS_PAGE] = page.page_count
        st.rerun()

    count_column, pager_column = st.columns([3, 1], vertical_alignment="bottom")
    noun = "lead" if page.total == 1 else "leads"
    count_column.markdown(f"**{page.total:,} {noun}**")
    pager_column.number_input(
        f"Page (of {page.page_count:,})",
        min_value=1,
        max_value=page.page_count,
        step=1,
        key=keys.LEADS_PAGE,
    )
    if not page.items:
        st.info(
            "No leads match these filters. Widen the date range or clear the search.",
            icon=":material/search_off:",
        )
        return
    frame = lead_table(page.items, session.zone, campaign.currency)
    event = st.dataframe(
        widgets.styled(frame, ("Status",)),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=keys.LEADS_TABLE,
        height=widgets.table_height(len(frame)),
        column_config={"Lead ID": st.column_config.NumberColumn(format="%d", width="small")},
    )
    first_shown = (page.page - 1) * page.items_per_page + 1
    st.caption(
        f"Showing {first_shown:,} to {first_shown + len(frame) - 1:,} of {page.total:,}. "
        "Select a row to open the lead."
    )
    widgets.download(
        frame, key=keys.LEADS_DOWNLOAD, file_name=f"campaign-{campaign.id}-leads-page-{page.page}"
    )
    rows = event.selection.rows
    if rows:
        lead = page.items[rows[0]]
        params = {keys.PARAM_LEAD: str(lead.id), keys.PARAM_CAMPAIGN: str(campaign.id)}
        st.session_state[keys.lead_hint(lead.id)] = (campaign.id, lead.email)
        st.switch_page(pages.LEAD, query_params=params)
