"""The Leads page: one campaign's leads, paged and filtered on the server.

Settings -> view model -> draw: `_filters` reads the widgets into a `LeadFilters`, the cached
API returns that page, `leads_page_view` makes the table and texts, `_leads` draws them.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from lib.convertr.errors import ConvertrError, NotFoundError
from lib.convertr.models import Campaign, Lead, Page
from lib.presentation import LEAD_STATUSES, escape_markdown, parse_positive_id, shorten
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.frame import Session
from lib.views.leads import (
    DEFAULT_PAGE_SIZE,
    DELIVERY_CHOICES,
    FILTER_LABELS,
    LEADS_PATH,
    NO_LEADS,
    ORDERS,
    PAGE_SIZES,
    LeadFilters,
    LeadsPage,
    OfferedFilters,
    campaign_caption,
    lead_filters,
    leads_page_view,
)

LINK_ECHO_LIMIT: Final = 80
"""Characters of a malformed link echoed back to the user."""


def _back_to_campaigns(message: str, given: str | None = None) -> None:
    st.error(message, icon=":material/error:")
    if given is not None:
        # Plain text, never inside the markdown banner (a crafted link would become a link).
        st.text(f"The link gave: {shorten(given, LINK_ECHO_LIMIT)!r}")
    st.page_link(pages.CAMPAIGNS, label="Choose a campaign", icon=":material/arrow_back:")


def _first_page() -> None:
    st.session_state[keys.LEADS_PAGE] = 1


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
    except ConvertrError as error:
        widgets.load_failed(f"campaign {campaign_id}", error, key=keys.LEADS_RETRY)
        return None


def _heading(campaign: Campaign) -> None:
    st.title("Leads")
    st.caption(campaign_caption(campaign))
    st.page_link(
        pages.CAMPAIGNS,
        label="Back to the campaign",
        icon=":material/arrow_back:",
        query_params={keys.PARAM_CAMPAIGN: str(campaign.id)},
    )


def _offered(session: Session) -> OfferedFilters:
    """The filters the server advertises on its leads. Not knowing (the question failed) is
    treated as not advertised: every filter is offered, as before the server was asked."""
    connection = session.connection
    try:
        advertised = cached_api.supported_filters(connection.client, connection.key, LEADS_PATH)
    except ConvertrError:
        advertised = None
    return OfferedFilters(advertised)


def _filters(session: Session, campaign: Campaign) -> LeadFilters:
    """Read the filter widgets (any change returns to the first page). A filter the server
    does not advertise is greyed out with the reason as its help, and not sent."""
    offered = _offered(session)
    first, second, third = st.columns([2, 1, 2])
    statuses = first.multiselect(
        FILTER_LABELS["status"],
        LEAD_STATUSES,
        key=keys.LEADS_STATUS,
        placeholder="Any status",
        on_change=_first_page,
        disabled=not offered.offers("status"),
        help=offered.reason("status"),
    )
    delivery = second.selectbox(
        FILTER_LABELS["delivery"],
        list(DELIVERY_CHOICES),
        key=keys.LEADS_DELIVERY,
        on_change=_first_page,
        disabled=not offered.offers("delivery"),
        help=offered.reason("delivery"),
    )
    dates = third.date_input(
        FILTER_LABELS["dates"],
        value=[],
        key=keys.LEADS_DATES,
        format="DD/MM/YYYY",
        on_change=_first_page,
        disabled=not offered.offers("dates"),
        help=offered.reason("dates"),
    )
    fourth, fifth, sixth = st.columns([3, 1, 1])
    search = fourth.text_input(
        FILTER_LABELS["search"],
        key=keys.LEADS_SEARCH,
        placeholder="Email or name",
        on_change=_first_page,
        disabled=not offered.offers("search"),
        help=offered.reason("search"),
    )
    order = fifth.selectbox(
        FILTER_LABELS["order"],
        list(ORDERS),
        key=keys.LEADS_ORDER,
        on_change=_first_page,
        disabled=not offered.offers("order"),
        help=offered.reason("order"),
    )
    page_size = sixth.selectbox(
        "Rows per page",
        PAGE_SIZES,
        index=PAGE_SIZES.index(DEFAULT_PAGE_SIZE),
        key=keys.LEADS_PAGE_SIZE,
        on_change=_first_page,
    )
    if offered.caption:
        st.caption(offered.caption)
    return lead_filters(
        campaign.id,
        page=int(st.session_state.get(keys.LEADS_PAGE, 1)),
        page_size=int(page_size),
        statuses=statuses,
        delivery=str(delivery),
        dates=dates,
        search=search,
        order=str(order),
        zone=session.zone,
        offered=offered,
    )


def _fetch(session: Session, filters: LeadFilters) -> Page[Lead]:
    """The page of leads; when the filters shrank the result under the current page, the
    last page instead (one rerun)."""
    connection = session.connection
    page = cached_api.leads_page(connection.client, connection.key, filters)
    if page.page_count is not None and filters.page > page.page_count:
        st.session_state[keys.LEADS_PAGE] = page.page_count
        st.rerun()
    return page


def _step_page(step: int) -> None:
    page = int(st.session_state.get(keys.LEADS_PAGE, 1))
    st.session_state[keys.LEADS_PAGE] = max(1, page + step)


def _pager(view: LeadsPage) -> None:
    count_column, pager_column = st.columns([3, 1], vertical_alignment="bottom")
    count_column.markdown(view.count)
    if view.page_count is None:
        # No total from the server (partial pagination): go by the next link, never cap.
        previous, following = pager_column.columns(2)
        previous.button(
            "Previous",
            key=keys.LEADS_PREVIOUS,
            disabled=not view.has_previous,
            on_click=_step_page,
            args=(-1,),
            icon=":material/chevron_left:",
            width="stretch",
        )
        following.button(
            "Next",
            key=keys.LEADS_NEXT,
            disabled=not view.has_next,
            on_click=_step_page,
            args=(1,),
            icon=":material/chevron_right:",
            width="stretch",
        )
        return
    pager_column.number_input(
        view.pager_label,
        min_value=1,
        max_value=view.page_count,
        step=1,
        key=keys.LEADS_PAGE,
    )


def _leads(view: LeadsPage) -> int | None:
    """The table, its caption and download; returns the selected row's index."""
    event = st.dataframe(
        widgets.styled(view.table, ("Status",)),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=keys.LEADS_TABLE,
        height=widgets.table_height(len(view.table)),
        column_config={"Lead ID": st.column_config.NumberColumn(format="%d", width="small")},
    )
    st.caption(view.showing)
    if view.derived_note:
        st.caption(escape_markdown(view.derived_note))
    widgets.download(view.table, key=keys.LEADS_DOWNLOAD, file_name=view.file_name)
    rows = event.selection.rows
    return rows[0] if rows else None


def _open_lead(campaign: Campaign, lead: Lead) -> None:
    # The campaign and email save the dossier one wave; kept in the session, not the URL.
    st.session_state[keys.lead_hint(lead.id)] = (campaign.id, lead.email)
    params = {keys.PARAM_LEAD: str(lead.id), keys.PARAM_CAMPAIGN: str(campaign.id)}
    st.switch_page(pages.LEAD, query_params=params)


def render(session: Session) -> None:
    campaign = _campaign(session)
    if campaign is None:
        return
    st.session_state[keys.LAST_CAMPAIGN] = campaign.id
    _heading(campaign)
    filters = _filters(session, campaign)
    try:
        page = _fetch(session, filters)
    except ConvertrError as error:
        widgets.load_failed("this page of leads", error, key=keys.LEADS_RETRY)
        return
    view = leads_page_view(campaign, page, session.zone)
    _pager(view)
    if not page.items:
        st.info(NO_LEADS, icon=":material/search_off:")
        return
    selected = _leads(view)
    if selected is not None:
        _open_lead(campaign, page.items[selected])
