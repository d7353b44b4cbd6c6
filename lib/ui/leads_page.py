"""The Leads page: one campaign's leads, paged and filtered on the server.

Settings -> view model -> draw: `_filters` reads the widgets into a `LeadFilters`, the cached
API returns that page, `leads_page_view` makes the table and texts, `_leads` draws them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Final

import streamlit as st

from lib.convertr.errors import ConvertrError, NotFoundError
from lib.convertr.models import Campaign, Lead, Page
from lib.presentation import LEAD_STATUSES, escape_markdown, shorten, whole_number
from lib.ui import bulk_edit, cached_api, keys, pages, saved_views, widgets, workspace
from lib.ui.frame import Session
from lib.views.bulk import merge_page_selection
from lib.views.column_widths import PAGE_PX, Fit, fit_widths, selectable
from lib.views.leads import (
    DEFAULT_SORT,
    DELIVERY_CHOICES,
    FILTER_LABELS,
    NO_LEADS,
    NO_LEADS_YET,
    ORDERS,
    PAGE_SIZES,
    LeadsPage,
    OfferedFilters,
    campaign_caption,
    leads_page_view,
    sees_masked,
)
from lib.views.navigation import (
    LeadsPlace,
    ListPosition,
    PlaceFromLink,
    direction_label,
    empty_page_note,
    order_caption,
    past_the_end_note,
    place_from_params,
    sortable_columns,
)
from lib.views.url_params import (
    LEADS_CAMPAIGN,
    PARAM_CAMPAIGN,
    PARAM_LEAD,
    PLACE_PARAMS,
    read_param,
)

PAGER_WIDTH_PX: Final = 250
"""The page number box: a five-digit number, the "Press Enter to apply" hint and the -/+."""
KEYBOARD_HINT: Final = "By keyboard: Tab into the table, arrows to a row, Shift+Space opens it."
"""The grid's own row selection key (checked in Chromium), said where the table is."""


def _first_page() -> None:
    st.session_state[keys.LEADS_PAGE] = 1


def _campaign(session: Session) -> Campaign | None:
    if PARAM_LEAD in st.query_params:
        # A Leads URL never names a lead (`row` marks the one last opened).
        del st.query_params[PARAM_LEAD]
    raw = st.query_params.get(PARAM_CAMPAIGN)
    if raw is None and st.session_state.get(keys.LAST_CAMPAIGN) is not None:
        # Opened from the sidebar or without a campaign: return to the last one seen.
        raw = str(st.session_state[keys.LAST_CAMPAIGN])
        st.query_params[PARAM_CAMPAIGN] = raw
    campaign_id = read_param(LEADS_CAMPAIGN, raw).value
    if campaign_id is None:
        widgets.way_back(
            "Open this page from a campaign: the link has no valid campaign id "
            "(a positive number).",
            given=raw,
            label="Choose a campaign",
        )
        return None
    try:
        return cached_api.campaign(session.connection.client, session.connection.key, campaign_id)
    except NotFoundError:
        widgets.way_back(f"Campaign {campaign_id} was not found.", label="Choose a campaign")
        return None
    except ConvertrError as error:
        widgets.load_failed(f"campaign {campaign_id}", error, key=keys.LEADS_RETRY)
        return None


def _heading(campaign: Campaign) -> None:
    st.title("Leads")
    st.caption(campaign_caption(campaign))
    with st.container(horizontal=True):
        widgets.back_link(
            pages.CAMPAIGNS,
            "Back to the campaign",
            query_params={PARAM_CAMPAIGN: str(campaign.id)},
        )
        st.page_link(
            pages.AUDIT,
            label="Audit this campaign",
            icon=":material/fact_check:",
            query_params={PARAM_CAMPAIGN: str(campaign.id)},
        )


def _offered(session: Session) -> OfferedFilters:
    offered = cached_api.offered_lead_filters(session.client, session.connection.key)
    return replace(offered, masked=sees_masked(session.user.role))


def _url_params() -> dict[str, str]:
    return {name: st.query_params[name] for name in st.query_params}


WIDGET_KEYS: Final = (
    keys.LEADS_STATUS,
    keys.LEADS_DELIVERY,
    keys.LEADS_DATES,
    keys.LEADS_SEARCH,
    keys.LEADS_SORT,
    keys.LEADS_ORDER,
    keys.LEADS_PAGE_SIZE,
)


def _restore_place(campaign_id: int) -> PlaceFromLink:
    """The place to show. The URL wins when it came from outside (a link, browser Back or
    Forward, a fresh visit), with a note for each value it held that could not be read; a
    bare `?campaign=` (the sidebar, "Campaign leads", "Open its leads") restores the place
    last seen on that campaign. Otherwise the widgets hold it."""
    url = _url_params()
    ours = st.session_state.get(keys.LEADS_URL)
    widgets_alive = all(key in st.session_state for key in WIDGET_KEYS if key != keys.LEADS_DATES)
    linked = place_from_params(campaign_id, url)
    if url == ours and widgets_alive:
        return PlaceFromLink(linked.place)
    remembered: dict[int, LeadsPlace] = st.session_state.get(keys.LEADS_PLACES, {})
    place = linked.place
    if not any(name in url for name in PLACE_PARAMS) and campaign_id in remembered:
        place = remembered[campaign_id]
    st.session_state[keys.LEADS_STATUS] = list(place.statuses)
    st.session_state[keys.LEADS_DELIVERY] = place.delivery
    if place.dates:
        st.session_state[keys.LEADS_DATES] = place.dates
    else:
        # Left to the widget's own empty default (setting it too would log a warning).
        st.session_state.pop(keys.LEADS_DATES, None)
    st.session_state[keys.LEADS_SEARCH] = place.search
    st.session_state[keys.LEADS_SORT] = place.sort
    st.session_state[keys.LEADS_ORDER] = place.order
    st.session_state[keys.LEADS_PAGE_SIZE] = place.size
    st.session_state[keys.LEADS_PAGE] = place.page
    return PlaceFromLink(place, linked.notes)


def _keep_place(place: LeadsPlace) -> None:
    """Write the place to the URL (a new history entry when it changed) and remember it."""
    params = place.to_params()
    if _url_params() != params:
        st.query_params.from_dict(params)
    st.session_state[keys.LEADS_URL] = params
    remembered: dict[int, LeadsPlace] = dict(st.session_state.get(keys.LEADS_PLACES, {}))
    remembered[place.campaign_id] = place
    st.session_state[keys.LEADS_PLACES] = remembered


def _hold_widget_values() -> None:
    """Every filter's value sent to the browser in every run (`widgets.hold`), so that a
    linked filter is never dropped. The empty date range stays the widget's own default
    (setting it too would log a warning)."""
    widgets.hold(
        *(key for key in WIDGET_KEYS if key != keys.LEADS_DATES or st.session_state.get(key))
    )


def _filters(session: Session, campaign: Campaign, restored: LeadsPlace) -> LeadsPlace:
    """Read the filter widgets (any change returns to the first page) into the place. A
    filter the server does not advertise is greyed out with the reason as its help, and not
    sent."""
    offered = _offered(session)
    _hold_widget_values()
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
    fourth, fifth, sixth, seventh = st.columns([2.6, 1.2, 1.6, 1])
    search = fourth.text_input(
        FILTER_LABELS["search"],
        key=keys.LEADS_SEARCH,
        placeholder="Email, name or lead id",
        on_change=_first_page,
        disabled=not offered.offers("search"),
        help=offered.reason("search"),
    )
    sortable = sortable_columns(offered.advertised)
    if st.session_state.get(keys.LEADS_SORT) not in sortable:
        st.session_state[keys.LEADS_SORT] = DEFAULT_SORT
    sort = fifth.selectbox(
        "Sort by",
        sortable,
        key=keys.LEADS_SORT,
        on_change=_first_page,
        disabled=not offered.offers("order"),
        help="The server sorts the whole list (every page), not just the rows on screen.",
    )
    order = sixth.selectbox(
        FILTER_LABELS["order"],
        list(ORDERS),
        key=keys.LEADS_ORDER,
        format_func=lambda label: direction_label(str(sort), label),
        on_change=_first_page,
        disabled=not offered.offers("order"),
        help=offered.reason("order"),
    )
    page_size = seventh.selectbox(
        "Rows per page", PAGE_SIZES, key=keys.LEADS_PAGE_SIZE, on_change=_first_page
    )
    if offered.caption:
        st.caption(offered.caption)
    chosen = tuple(dates) if isinstance(dates, tuple | list) else ((dates,) if dates else ())
    return LeadsPlace(
        campaign_id=campaign.id,
        statuses=tuple(statuses),
        delivery=str(delivery),
        dates=chosen,
        search=search or "",
        sort=str(sort),
        order=str(order),
        size=int(page_size),
        page=int(st.session_state.get(keys.LEADS_PAGE, 1)),
        selected=restored.selected,
    )


def _fetch(
    session: Session, place: LeadsPlace, offered: OfferedFilters
) -> tuple[LeadsPlace, Page[Lead], str | None]:
    """The place's page of leads. A page past the last one (a link from when the list was
    longer, `page=9999`) is the last page instead, with a note saying so: asked for at once,
    never by a rerun (a rerun reads the same link again, and again)."""
    connection = session.connection
    page = cached_api.leads_page(
        connection.client, connection.key, place.filters(session.zone, offered)
    )
    last = page.page_count
    if last is None or place.page <= last:
        return place, page, None
    note = past_the_end_note(place.page, last)
    place = place.at_page(last)
    # The pager is drawn after this, so its state may still be set in this run.
    st.session_state[keys.LEADS_PAGE] = last
    page = cached_api.leads_page(
        connection.client, connection.key, place.filters(session.zone, offered)
    )
    return place, page, note


def _step_page(step: int) -> None:
    page = int(st.session_state.get(keys.LEADS_PAGE, 1))
    st.session_state[keys.LEADS_PAGE] = max(1, page + step)


def _pager(view: LeadsPage) -> None:
    # One row: the count on the left, the pager on the right at its own width (columns gave
    # it a quarter of the window: too narrow at 1024 px for its number and hint).
    row = st.container(
        horizontal=True, horizontal_alignment="distribute", vertical_alignment="bottom"
    )
    count_column, pager_column = row.container(), row.container(width=PAGER_WIDTH_PX)
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
    # The page the list shows, in every run (`widgets.hold`): a browser that mounted the box
    # from a later run's message showed 1 and sent it back with the next click on a row, and
    # the list went to page 1 instead of opening the lead.
    st.session_state[keys.LEADS_PAGE] = view.page
    with pager_column:
        # Wide enough at every window width for a five-digit page number and Streamlit's
        # "Press Enter to apply" beside it (in a narrower box the hint covered the number).
        st.number_input(
            view.pager_label,
            min_value=1,
            max_value=view.page_count,
            step=1,
            key=keys.LEADS_PAGE,
        )


def _sort_by_header(table_key: str, place: LeadsPlace, sortable: tuple[str, ...]) -> None:
    """A header click selects the column (Streamlit then sorts nothing on screen): sort the
    whole list by it on the server, or say that the server cannot."""
    state = st.session_state.get(table_key)
    columns = list(state["selection"]["columns"]) if state else []
    if not columns:
        return
    column = str(columns[0])
    if column not in sortable:
        st.session_state[keys.LEADS_SORT_MESSAGE] = (
            f"The server cannot sort leads by {column}; it can sort by {', '.join(sortable)}."
        )
        return
    if column == place.sort:
        flipped = "Oldest first" if ORDERS[place.order] == "desc" else "Newest first"
        st.session_state[keys.LEADS_ORDER] = flipped
    else:
        st.session_state[keys.LEADS_SORT] = column
        st.session_state[keys.LEADS_ORDER] = next(iter(ORDERS))
    st.session_state[keys.LEADS_PAGE] = 1


def _table_key(place: LeadsPlace) -> str:
    """One table per list and page, so a new list starts with its own selection (the row
    last opened, restored, and no stale column selection)."""
    listed = sorted(place.to_params().items())
    digest = hashlib.sha1(repr(listed).encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{keys.LEADS_TABLE}.{digest}"


def _bulk_rows(
    table_key: str, place: LeadsPlace, sortable: tuple[str, ...], page_ids: list[int]
) -> None:
    """Bulk mode: the rows ticked on this page join (or leave) the bulk selection."""
    _sort_by_header(table_key, place, sortable)
    state = st.session_state.get(table_key)
    rows = [int(row) for row in state["selection"]["rows"]] if state else []
    scope = bulk_edit.leads_scope(place.campaign_id)
    bulk_edit.set_selection(scope, merge_page_selection(bulk_edit.chosen(scope), page_ids, rows))


def _leads(
    view: LeadsPage,
    place: LeadsPlace,
    sortable: tuple[str, ...],
    selected_row: int | None,
    bulk_page_ids: list[int] | None = None,
) -> tuple[int | None, bool]:
    """The table, its caption and download; returns the newly selected row's index, and
    whether the restored row was unselected. With `bulk_page_ids` (bulk mode), rows are
    ticked for a bulk edit instead of opened."""
    table_key = _table_key(place)
    default: Any = {"selection": {"rows": [selected_row] if selected_row is not None else []}}
    on_select: Any = functools.partial(_sort_by_header, table_key, place, sortable)
    # A click on any cell of a row opens its lead (the checkbox column selects the row too).
    selection_mode: Any = ["single-row", "single-column", "single-cell"]
    if bulk_page_ids is not None:
        scope = bulk_edit.leads_scope(place.campaign_id)
        table_key = f"{table_key}.bulk.{bulk_edit.selection_generation(scope)}"
        ticked = set(bulk_edit.chosen(scope))
        rows = [row for row, lead_id in enumerate(bulk_page_ids) if lead_id in ticked]
        default = {"selection": {"rows": rows}}
        on_select = functools.partial(_bulk_rows, table_key, place, sortable, bulk_page_ids)
        selection_mode = ["multi-row", "single-column"]
    event = st.dataframe(
        widgets.styled(view.table, ("Status",)),
        hide_index=True,
        # Column selection turns Streamlit's on-screen sorting off: a header click selects
        # the column, and the server sorts every page by it.
        on_select=on_select,
        selection_mode=selection_mode,
        selection_default=default,
        key=table_key,
        height=widgets.table_height(len(view.table)),
        column_config=_lead_columns(sortable),
        column_order=LEAD_COLUMN_ORDER,
        alt=f"Leads, {view.count.replace('*', '')}, page {view.page}",
    )
    showing = view.showing
    if bulk_page_ids is not None:
        showing = showing.replace(bulk_edit.OPEN_HINT, bulk_edit.TICK_HINT)
    st.caption(f"{showing} {order_caption(place.sort, place.order)} {KEYBOARD_HINT}")
    message = st.session_state.pop(keys.LEADS_SORT_MESSAGE, None)
    if message:
        st.warning(message, icon=":material/sort:")
    if view.derived_note:
        st.caption(escape_markdown(view.derived_note))
    widgets.download(view.table, key=keys.LEADS_DOWNLOAD, file_name=view.file_name)
    rows = event.selection.rows
    if bulk_page_ids is not None:
        return None, False
    cells = event.selection.cells
    if cells:
        # Even on the row restored as selected: a click on one of its cells is a request.
        return int(cells[0][0]), False
    if not rows:
        return None, selected_row is not None
    if rows[0] == selected_row:
        return None, False
    return int(rows[0]), False


LEAD_COLUMN_ORDER: Final = (
    "Lead ID",
    "Name",
    "Status",
    "Score",
    "Captured",
    "Delivery",
)
"""What an analyst scans to triage a lead, each value whole at 1024x768: the id, who, the
status, the score, when and whether delivered. Company, email and payout would each cut
their values at that width (eight columns need about 740 px, the grid has 641): they are in
the lead a click opens and in the CSV (which keeps every column), and the search finds a
lead by its email."""
LEAD_COLUMN_FITS: Final = {
    "Lead ID": Fit(60, 70),
    # Most names are under 110 px; the rest of the width goes to the name.
    "Name": Fit(142, 330),
    # "Caution (derived)" in the bold status text, whole.
    "Status": Fit(122, 126),
    "Score": Fit(70, 76),  # "100 / 100"
    "Captured": Fit(124, 132),  # "20 Nov 2026 00:14"
    "Delivery": Fit(90, 96),  # "Undelivered"
}
LEAD_COLUMN_WIDTHS: Final[dict[str, int]] = fit_widths(
    LEAD_COLUMN_ORDER, selectable(PAGE_PX), LEAD_COLUMN_FITS
)
"""Pixels that fit the table in the main column at 1024 px with every value whole; a wider
window grows every column by the same amount."""


def _lead_columns(sortable: tuple[str, ...]) -> dict[str, Any]:
    """Widths that show values whole; each header says whether the server can sort by it."""
    config: dict[str, Any] = {}
    for column, width in LEAD_COLUMN_WIDTHS.items():
        how = (
            "Click to sort every page by this column."
            if column in sortable
            else "The server cannot sort by this column."
        )
        if column == "Lead ID":
            config[column] = st.column_config.NumberColumn(format="%d", width=width, help=how)
        else:
            config[column] = st.column_config.TextColumn(width=width, help=how)
    return config


def _open_lead(place: LeadsPlace, leads: Sequence[Lead], index: int, total: int | None) -> None:
    lead = leads[index]
    # The campaign and email save the dossier one wave; kept in the session, not the URL.
    st.session_state[keys.lead_hint(lead.id)] = (place.campaign_id, lead.email)
    opened_from = ListPosition(place=place, index=index, lead_id=lead.id, total=total)
    st.session_state[keys.LEAD_POSITION] = opened_from
    # The way back (browser Back) returns to this row, shown selected.
    _keep_place(place.with_selected(lead.id))
    params = {PARAM_LEAD: str(lead.id), PARAM_CAMPAIGN: str(place.campaign_id)}
    st.switch_page(pages.LEAD, query_params=params)


def _id_match(session: Session, place: LeadsPlace) -> None:
    """A search that is a lead id: that lead, with a button to open it (the server's search
    matches names and emails)."""
    lead_id = whole_number(place.search.strip().removeprefix("#"))
    if lead_id is None:
        return
    try:
        lead = cached_api.lead(session.client, session.connection.key, lead_id)
    except ConvertrError:
        # Not found, or not readable now: the search below still runs.
        st.caption(f"No lead has the id {lead_id}.")
        return
    where = "" if lead.campaign_id == place.campaign_id else f" (campaign {lead.campaign_id})"
    label = f"Open lead {lead.id}: {shorten(lead.full_name or '', 40)}{where}"
    if st.button(label, key=keys.LEADS_ID_MATCH, icon=":material/person_search:"):
        st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(lead.id)})


def _no_leads(place: LeadsPlace) -> None:
    """An empty page: past the end of a list of unknown length (say so, and offer page 1),
    or a list with nothing in it."""
    if place.page > 1:
        st.info(empty_page_note(place.page), icon=":material/search_off:")
        st.button(
            "Go to the first page",
            key=keys.LEADS_FIRST_PAGE,
            on_click=_first_page,
            icon=":material/first_page:",
        )
        return
    message = NO_LEADS if place.has_filters else NO_LEADS_YET
    st.info(message, icon=":material/search_off:")


def render(session: Session) -> None:
    campaign = _campaign(session)
    if campaign is None:
        return
    st.session_state[keys.LAST_CAMPAIGN] = campaign.id
    kept = workspace.open_workspace(session.connection.config)
    owner = saved_views.owner_of(session.identity)
    view_note = saved_views.arrive(kept, owner, campaign.id)
    restored = _restore_place(campaign.id)
    _heading(campaign)
    widgets.link_notes([view_note, *restored.notes])
    views_bar = st.container()
    place = _filters(session, campaign, restored.place)
    with views_bar:
        saved_views.render(kept, owner, campaign.id, place)
    offered = _offered(session)
    _id_match(session, place)
    try:
        place, page, past_the_end = _fetch(session, place, offered)
    except ConvertrError as error:
        widgets.load_failed("this page of leads", error, key=keys.LEADS_RETRY)
        return
    widgets.link_notes([past_the_end])
    view = leads_page_view(campaign, page, session.zone)
    _pager(view)
    # Only once every widget the place was restored into exists: a run cut short before
    # that restores it from the URL again.
    _keep_place(place)
    if not page.items:
        _no_leads(place)
        return
    ids = [lead.id for lead in page.items]
    selected_row = ids.index(place.selected) if place.selected in ids else None
    bulk = bulk_edit.leads_mode(session.user, campaign.id)
    chosen, cleared = _leads(
        view, place, sortable_columns(offered.advertised), selected_row, ids if bulk else None
    )
    if bulk:
        bulk_edit.leads_page_panel(session, place.filters(session.zone, offered), page.total)
    if chosen is not None:
        _open_lead(place, page.items, chosen, page.total)
    elif cleared:
        # The restored row was unselected: the next click on it opens it again.
        _keep_place(place.with_selected(None))
        st.rerun()
