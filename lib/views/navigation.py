"""Moving between leads: a lead id or pasted lead URL read as an id, the Leads page's place
(filters, order, page, selected row) as URL query parameters, and a lead's position in the
list it was opened from (Previous / Next across page boundaries)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from typing import Any, Final, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

from lib.convertr.models import Lead, ProcessrStatus
from lib.presentation import whole_number
from lib.views.leads import (
    ALL_FILTERS,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    ORDERS,
    SORT_FIELDS,
    LeadFilters,
    OfferedFilters,
    lead_filters,
)
from lib.views.url_params import (
    DELIVERY,
    DIRECTION,
    FROM,
    PAGE,
    PARAM_CAMPAIGN,
    PARAM_DELIVERY,
    PARAM_DIRECTION,
    PARAM_FROM,
    PARAM_PAGE,
    PARAM_ROW,
    PARAM_SEARCH,
    PARAM_SIZE,
    PARAM_SORT,
    PARAM_STATUS,
    PARAM_TO,
    PLACE_PARAMS,
    ROW,
    SEARCH,
    SIZE,
    SORT,
    STATUSES,
    TO,
    Param,
    ReadParam,
    positive_id,
    read_param,
)

T = TypeVar("T")

# --- Go to lead -------------------------------------------------------------------------

LEAD_PATH: Final = re.compile(r"/leads?/(\d+)/?$", re.IGNORECASE)
"""A path that ends in `/leads/<id>` (the API's item, Convertr's own pages) or `/lead/<id>`."""
LEAD_QUERY_NAMES: Final = ("lead", "leadId", "lead_id", "id")
"""Query parameters that name a lead in a pasted URL, in the order they are trusted
(`id` only on a `/Lead` or `/leads` page, where it can mean nothing else)."""
GO_TO_LEAD_HELP: Final = (
    "A lead id (102214) or a link to a lead pasted from a ticket "
    "(…/Lead?lead=102214, …/leads/102214)."
)


def parse_lead_reference(text: str) -> int:
    """The lead id a user typed or pasted: digits (a leading `#` allowed), a URL with a
    `lead=` parameter, or a URL or path ending in `/leads/<id>`. Raises ValueError saying what
    was expected and what came, in the user's words."""
    given = text.strip()
    if not given:
        raise ValueError(
            "Type a lead id (such as 102214) or paste a link to a lead, then press Open lead."
        )
    bare = given.removeprefix("#").replace(",", "").replace(" ", "")
    if whole_number(bare) is not None:
        return _positive(bare, given)
    parts = urlsplit(given)
    query = parse_qs(parts.query)
    path = parts.path.rstrip("/")
    for name in LEAD_QUERY_NAMES:
        values = query.get(name)
        if not values:
            continue
        if name == "id" and not re.search(r"/leads?$", path, re.IGNORECASE):
            continue
        return _positive(values[0].strip(), given)
    match = LEAD_PATH.search(parts.path)
    if match:
        return _positive(match.group(1), given)
    raise ValueError(
        f"“{given}” is not a lead id or a link to a lead. A lead id is a number such as "
        f"102214; a link to a lead contains lead=102214 or /leads/102214."
    )


def _positive(digits: str, given: str) -> int:
    try:
        return positive_id(digits)
    except ValueError:
        raise ValueError(
            f"“{given}” is not a lead id: a lead id is a whole number from 1 up, such as 102214."
        ) from None


# --- Sorting on the server ----------------------------------------------------------------

DIRECTION_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "Captured": ("Newest first", "Oldest first"),
    "Lead ID": ("Highest first", "Lowest first"),
    "Score": ("Highest first", "Lowest first"),
    "Payout": ("Highest first", "Lowest first"),
}
"""How the two directions read for a column (descending, ascending); others: Z to A, A to Z."""
TEXT_DIRECTIONS: Final = ("Z to A", "A to Z")


def sortable_columns(advertised: frozenset[str] | None) -> tuple[str, ...]:
    """The Leads columns the server can order by (it advertises `order[<field>]`). Nothing
    advertised: only Captured, the order the client has always sent."""
    if advertised is None:
        return (DEFAULT_SORT,)
    offered = tuple(
        label for label, field in SORT_FIELDS.items() if f"order[{field}]" in advertised
    )
    return offered if DEFAULT_SORT in offered else (DEFAULT_SORT, *offered)


def direction_label(column: str, order_label: str) -> str:
    """The Order widget's option (`ORDERS`' labels, which read for dates) as it reads for the
    column sorted by."""
    descending, ascending = DIRECTION_LABELS.get(column, TEXT_DIRECTIONS)
    return descending if ORDERS[order_label] == "desc" else ascending


def order_caption(column: str, order_label: str) -> str:
    """The current order, shown under the table (a header click sorts on the server)."""
    return (
        f"Sorted by **{column}**, {direction_label(column, order_label).lower()}, across all "
        "pages. Click a column header to sort by it."
    )


# --- The Leads page's place in the URL ---------------------------------------------------


@dataclass(frozen=True)
class LeadsPlace:
    """Where the user is on the Leads page: what the widgets hold, the page, and the row
    last opened. It round-trips through query parameters, so a filtered list is a link."""

    campaign_id: int
    statuses: tuple[ProcessrStatus, ...] = ()
    delivery: str = "Any"
    """A `DELIVERY_CHOICES` label."""
    dates: tuple[date, ...] = ()
    search: str = ""
    sort: str = DEFAULT_SORT
    """A `SORT_FIELDS` column label."""
    order: str = "Newest first"
    """An `ORDERS` label (the direction)."""
    size: int = DEFAULT_PAGE_SIZE
    page: int = 1
    selected: int | None = None
    """The lead last opened from this list (its row is shown selected on the way back)."""

    def to_params(self) -> dict[str, str]:
        """The query parameters (defaults left out, so a plain list is `?campaign=3`)."""
        params = {PARAM_CAMPAIGN: str(self.campaign_id)}
        if self.statuses:
            params[PARAM_STATUS] = ",".join(self.statuses)
        if self.delivery != "Any":
            params[PARAM_DELIVERY] = self.delivery
        if self.dates:
            params[PARAM_FROM] = self.dates[0].isoformat()
            if len(self.dates) > 1:
                params[PARAM_TO] = self.dates[-1].isoformat()
        if self.search.strip():
            params[PARAM_SEARCH] = self.search.strip()
        if self.sort != DEFAULT_SORT:
            params[PARAM_SORT] = SORT_FIELDS[self.sort]
        if self.order != "Newest first":
            params[PARAM_DIRECTION] = ORDERS[self.order]
        if self.size != DEFAULT_PAGE_SIZE:
            params[PARAM_SIZE] = str(self.size)
        if self.page != 1:
            params[PARAM_PAGE] = str(self.page)
        if self.selected is not None:
            params[PARAM_ROW] = str(self.selected)
        return params

    @property
    def has_filters(self) -> bool:
        """Whether a filter narrows the list (an empty list then says "no match", not "no
        leads")."""
        return bool(self.statuses or self.delivery != "Any" or self.dates or self.search.strip())

    def with_selected(self, lead_id: int | None) -> LeadsPlace:
        return replace(self, selected=lead_id)

    def filters(self, zone: tzinfo, offered: OfferedFilters = ALL_FILTERS) -> LeadFilters:
        """The query for this place's page (what `client.leads_page` is asked)."""
        return lead_filters(
            self.campaign_id,
            page=self.page,
            page_size=self.size,
            statuses=self.statuses,
            delivery=self.delivery,
            dates=self.dates,
            search=self.search,
            order=self.order,
            zone=zone,
            offered=offered,
            order_by=SORT_FIELDS[self.sort],
        )

    def at_page(self, page: int) -> LeadsPlace:
        return replace(self, page=page)


@dataclass(frozen=True)
class PlaceFromLink:
    """The place a URL asks for, and a note for each value it held that could not be read
    (that value is left at its default, so an old or hand-edited link still opens)."""

    place: LeadsPlace
    notes: tuple[str, ...] = ()


def place_from_params(campaign_id: int, params: Mapping[str, str]) -> PlaceFromLink:
    """The place a URL asks for, each parameter read by `url_params.read_param`."""
    read = {param.name: read_param(param, params.get(param.name)) for param in PLACE_READERS}
    dates = (read[PARAM_FROM].value, read[PARAM_TO].value)
    place = LeadsPlace(
        campaign_id=campaign_id,
        statuses=_value(read, STATUSES),
        delivery=_value(read, DELIVERY),
        dates=tuple(sorted(day for day in dates if isinstance(day, date))),
        search=_value(read, SEARCH),
        sort=_value(read, SORT),
        order=_value(read, DIRECTION),
        size=_value(read, SIZE),
        page=_value(read, PAGE),
        selected=_value(read, ROW),
    )
    notes = tuple(item.note for item in read.values() if item.note)
    return PlaceFromLink(place, notes)


PLACE_READERS: Final[tuple[Param[Any], ...]] = (
    STATUSES,
    DELIVERY,
    FROM,
    TO,
    SEARCH,
    SORT,
    DIRECTION,
    SIZE,
    PAGE,
    ROW,
)
"""How each of `url_params.PLACE_PARAMS` is read, in the same order."""
assert tuple(param.name for param in PLACE_READERS) == PLACE_PARAMS


def _value(read: Mapping[str, ReadParam[Any]], param: Param[T]) -> T:
    value: T = read[param.name].value
    return value


def past_the_end_note(asked: int, last: int) -> str:
    """Said when a place's page is past the list's last one (a link from when the list was
    longer, or a hand-made one); the last page is shown instead."""
    pages = "1 page" if last == 1 else f"{last} pages"
    return f"This list has no page {asked}: it has {pages}. Showing page {last}, the last."


def empty_page_note(asked: int) -> str:
    """Said when a page past the first is empty and the list's length is unknown (a server
    that sends no total): the list ends before it, and its last page cannot be named."""
    return f"Page {asked} of this list is empty: the list ends before it."


# --- Previous / Next ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListPosition:
    """A lead's place in a list of leads: the list (its place, whose `page` is the lead's
    page), the lead's index on that page, and the list's total when the server gave one."""

    place: LeadsPlace
    index: int
    lead_id: int
    total: int | None = None

    @property
    def number(self) -> int:
        """1-based position in the whole list."""
        return (self.place.page - 1) * self.place.size + self.index + 1

    @property
    def text(self) -> str:
        """ "12 of 158", or "12th" when the total is unknown."""
        if self.total is None:
            return ordinal(self.number)
        return f"{self.number:,} of {self.total:,}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool | None:
        """None when unknown (no total): the next page has to be asked."""
        if self.total is None:
            return None
        return self.number < self.total


def ordinal(number: int) -> str:
    """1 -> "1st", 12 -> "12th", 23 -> "23rd"."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number:,}{suffix}"


Step = Literal[-1, 1]


@dataclass(frozen=True)
class NeighbourLookup:
    """Where the neighbour of a lead is: on the same page (its index) or at an edge of the
    next or previous page (which page and which end)."""

    page: int
    index: int
    """Index on `page`; -1 means the last row of that page (its length is not known yet)."""


def neighbour_lookup(position: ListPosition, step: Step, page_length: int) -> NeighbourLookup:
    """Which page and row hold the lead `step` away (the caller checks it exists)."""
    index = position.index + step
    if 0 <= index < page_length:
        return NeighbourLookup(position.place.page, index)
    if index < 0:
        return NeighbourLookup(position.place.page - 1, -1)
    return NeighbourLookup(position.place.page + 1, 0)


def position_in(
    place: LeadsPlace, lead_ids: Sequence[int], lead_id: int, total: int | None
) -> ListPosition | None:
    """The lead's position if it is on the place's page, else None."""
    if lead_id not in lead_ids:
        return None
    return ListPosition(
        place=place, index=list(lead_ids).index(lead_id), lead_id=lead_id, total=total
    )


def page_of(number: int, size: int) -> int:
    """The page (1-based) that holds the `number`th lead (1-based)."""
    return (max(number, 1) - 1) // size + 1


# --- A lead opened without a list ---------------------------------------------------------

DEEP_LINK_SCAN_PAGES: Final = 3
"""Without a total, a deep-linked lead is looked for on this many newest pages."""


def deep_link_count(lead: Lead) -> LeadFilters:
    """The one-item query whose total counts the leads captured at or after `lead` in its
    campaign: that count is the lead's position in the newest-first list."""
    return LeadFilters(
        campaign_id=lead.campaign_id, items_per_page=1, created_after=lead.created_ts
    )


def deep_link_places(lead: Lead, counted: int | None) -> tuple[LeadsPlace, ...]:
    """The pages of the lead's campaign list (newest first) to look for it on, the likeliest
    first: the page its count falls on, then its neighbours (leads captured in the same
    second may stand on either side); without a count, the newest pages."""
    place = LeadsPlace(campaign_id=lead.campaign_id)
    if counted is None:
        candidates = range(1, DEEP_LINK_SCAN_PAGES + 1)
    else:
        guess = page_of(counted, place.size)
        candidates = range(max(1, guess - 1), guess + 2)
    guessed = page_of(counted or 1, place.size)
    ordered = sorted(candidates, key=lambda number: abs(number - guessed))
    return tuple(place.at_page(number) for number in ordered)
