"""The Leads page's view models: the filters the user chose and one page of leads as a table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Final, Literal

import pandas as pd

from lib.convertr.endpoints import LEADS, Filter
from lib.convertr.models import Campaign, Lead, Page, ProcessrStatus
from lib.presentation import (
    delivery_label,
    derived_statuses_note,
    escape_markdown,
    format_money,
    format_timestamp,
    shown_value,
    status_text,
)

PAGE_SIZES: Final = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE: Final = 50
DELIVERY_CHOICES: Final[dict[str, bool | None]] = {
    "Any": None,
    "Delivered": True,
    "Undelivered": False,
}
ORDERS: Final[dict[str, str]] = {"Newest first": "desc", "Oldest first": "asc"}
"""Order label -> the API's order of `createdTs`."""
SORT_FIELDS: Final[Mapping[str, str]] = {
    "Captured": "createdTs",
    "Lead ID": "id",
    "Status": "processrStatus",
    "Delivery": "delivered",
    "Name": "lastName",
    "Email": "email",
    "Company": "company",
    "Score": "score",
    "Payout": "publisherPayout",
}
"""Leads table column -> the lead property an `order[...]` parameter sorts it by."""
DEFAULT_SORT: Final = "Captured"
NO_LEADS: Final = "No leads match these filters. Widen the date range or clear the search."
NO_LEADS_YET: Final = "This campaign has no leads yet."
"""Shown instead of `NO_LEADS` when no filter is set (a new or draft campaign)."""


LEADS_PATH: Final = LEADS.path
"""The collection whose advertised filters (`hydra:search`) decide which filters are offered."""

LeadFilterName = Literal["status", "delivery", "dates", "search", "order"]

FILTER_LABELS: Final[Mapping[LeadFilterName, str]] = {
    "status": "Status",
    "delivery": "Delivery",
    "dates": "Captured between",
    "search": "Search",
    "order": "Order",
}
"""Each filter widget's label, as the page shows it."""

FILTER_PARAMETERS: Final[Mapping[LeadFilterName, tuple[tuple[str, ...], ...]]] = {
    "status": ((Filter.LEAD_STATUS_IN, Filter.LEAD_STATUS),),
    "delivery": ((Filter.DELIVERED,),),
    "dates": ((Filter.CREATED_AFTER,), (Filter.CREATED_BEFORE,)),
    "search": ((Filter.SEARCH,),),
    "order": ((Filter.order("createdTs"),),),
}
"""The query parameters each filter sends (`ConvertrClient.leads_page`): a filter is offered
when the server advertises, for every group, one of its spellings (API Platform advertises an
exact filter both as `processrStatus` and `processrStatus[]`)."""


MASKED_ROLES: Final = frozenset({"masked"})
"""Roles that see personal values masked (the sandbox's `masked`; assumed for Convertr)."""
MASKED_ROLE_WITHHELD: Final[Mapping[LeadFilterName, str]] = {
    "search": (
        "Your role sees emails masked. A search matches emails, so its answers would reveal"
        " them a guess at a time: Lead Lens does not offer it (the server refuses it too)."
    ),
}
"""Filters a masked role is not offered, with the reason shown on the greyed-out widget."""


def sees_masked(role: str) -> bool:
    return role in MASKED_ROLES


@dataclass(frozen=True)
class OfferedFilters:
    """Which Leads filters the server supports, from the `hydra:search` mapping it
    advertises; `advertised` None (nothing advertised) offers every filter."""

    advertised: frozenset[str] | None = None
    masked: bool = False
    """The role sees personal values masked: the filters that match them are withheld."""

    def offers(self, name: LeadFilterName) -> bool:
        if self.masked and name in MASKED_ROLE_WITHHELD:
            return False
        if self.advertised is None:
            return True
        advertised = self.advertised
        return all(
            any(spelling in advertised for spelling in group) for group in FILTER_PARAMETERS[name]
        )

    def reason(self, name: LeadFilterName) -> str | None:
        """Why a filter is greyed out (for its help), or None when it is offered."""
        if self.offers(name):
            return None
        if self.masked and name in MASKED_ROLE_WITHHELD:
            return MASKED_ROLE_WITHHELD[name]
        wanted = " and ".join(" or ".join(group) for group in FILTER_PARAMETERS[name])
        return (
            f"This server does not advertise the {wanted} filter on its leads, so Lead Lens "
            "does not offer it (the server would ignore or refuse it)."
        )

    @property
    def missing(self) -> tuple[LeadFilterName, ...]:
        return tuple(name for name in FILTER_PARAMETERS if not self.offers(name))

    @property
    def caption(self) -> str | None:
        """One line under the filters when some are greyed out, else None."""
        if not self.missing:
            return None
        names = ", ".join(FILTER_LABELS[name] for name in self.missing)
        return f"Not offered: {names}. Hover a greyed-out filter to see why."


ALL_FILTERS: Final = OfferedFilters()


def range_bounds(chosen: tuple[date, ...], zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """A date range picked in the viewer's zone as inclusive datetimes (start of the first
    day, end of the last)."""
    if not chosen:
        return None, None
    start = datetime.combine(chosen[0], time.min, tzinfo=zone)
    end = datetime.combine(chosen[-1], time.max, tzinfo=zone) if len(chosen) > 1 else None
    return start, end


@dataclass(frozen=True)
class LeadFilters:
    """What the user chose on the Leads page: the query for one page of a campaign's leads
    (the arguments of `ConvertrClient.leads_page`)."""

    campaign_id: int
    page: int = 1
    items_per_page: int = DEFAULT_PAGE_SIZE
    statuses: tuple[ProcessrStatus, ...] = ()
    delivered: bool | None = None
    """None: delivered or not."""
    created_after: datetime | None = None
    created_before: datetime | None = None
    search: str | None = None
    order: str = "desc"
    order_by: str = "createdTs"
    """The lead property sorted by (`order[<order_by>]`); ties fall back to newest first."""


def lead_filters(
    campaign_id: int,
    *,
    page: int,
    page_size: int,
    statuses: Sequence[ProcessrStatus],
    delivery: str,
    dates: date | Sequence[date] | None,
    search: str,
    order: str,
    zone: tzinfo,
    offered: OfferedFilters = ALL_FILTERS,
    order_by: str = "createdTs",
) -> LeadFilters:
    """The query from the widgets' values (labels as the widgets show them; the date input
    gives one date, a range, or nothing). A filter the server does not offer is not sent,
    whatever its widget still holds."""
    if dates is None:
        chosen: tuple[date, ...] = ()
    elif isinstance(dates, date):
        chosen = (dates,)
    else:
        chosen = tuple(dates)
    after, before = range_bounds(chosen, zone) if offered.offers("dates") else (None, None)
    return LeadFilters(
        campaign_id=campaign_id,
        page=page,
        items_per_page=int(page_size),
        statuses=tuple(statuses) if offered.offers("status") else (),
        delivered=DELIVERY_CHOICES[delivery] if offered.offers("delivery") else None,
        created_after=after,
        created_before=before,
        search=(search.strip() or None) if offered.offers("search") else None,
        # The client always sends an order; not offered, it stays the default (newest first).
        order=ORDERS[order] if offered.offers("order") else ORDERS[next(iter(ORDERS))],
        order_by=order_by if offered.offers("order") else "createdTs",
    )


def campaign_caption(campaign: Campaign) -> str:
    """The line under the title: which campaign (markdown-escaped, it is shown as markdown)."""
    advertiser = escape_markdown(campaign.advertiser or "no advertiser")
    return f"{escape_markdown(campaign.name)} · #{campaign.id} · {advertiser}"


@dataclass(frozen=True)
class LeadsPage:
    """One page of leads as the page shows it."""

    count: str
    """The total, as bold markdown ("**1,234 leads**"); without a total (partial
    pagination) the page number and whether more follow ("**Page 3** · more leads follow")."""
    page: int
    page_count: int | None
    """None when the server sends no total: the pager then goes by Previous / Next."""
    has_previous: bool
    has_next: bool
    table: pd.DataFrame
    showing: str
    """Which rows of the total these are, and what a click does."""
    file_name: str
    derived_note: str | None = None
    """Why some statuses on this page are marked "(derived)", when some are."""

    @property
    def pager_label(self) -> str:
        if self.page_count is None:
            return f"Page {self.page:,}"
        return f"Page (of {self.page_count:,})"


def leads_page_view(campaign: Campaign, page: Page[Lead], zone: tzinfo) -> LeadsPage:
    table = lead_table(page.items, zone, campaign.currency)
    first_shown = (page.page - 1) * page.items_per_page + 1
    last_shown = first_shown + len(table) - 1
    if page.total is None:
        more = "more leads follow" if page.has_next else "the last page"
        count = f"**Page {page.page:,}** · {more}"
        of_total = ""
    else:
        noun = "lead" if page.total == 1 else "leads"
        count = f"**{page.total:,} {noun}**"
        of_total = f" of {page.total:,}"
    showing = (
        f"Showing {first_shown:,} to {last_shown:,}{of_total}. Click a lead's row to open it."
        if len(table)
        else "No leads on this page."
    )
    return LeadsPage(
        count=count,
        page=page.page,
        page_count=page.page_count,
        has_previous=page.has_previous,
        has_next=page.has_next,
        table=table,
        showing=showing,
        file_name=f"campaign-{campaign.id}-leads-page-{page.page}",
        derived_note=derived_statuses_note(lead.status for lead in page.items),
    )


def lead_table(leads: Iterable[Lead], zone: tzinfo, currency: str | None) -> pd.DataFrame:
    """One page of a campaign's leads as a table."""
    rows = [
        {
            "Lead ID": lead.id,
            "Captured": format_timestamp(lead.created_ts, zone),
            "Status": status_text(lead.status),
            "Delivery": delivery_label(lead.delivered),
            "Name": lead.full_name,
            "Email": shown_value(lead.email),
            "Company": lead.company or "",
            "Score": f"{lead.score} / {lead.max_score}",
            "Payout": format_money(lead.publisher_payout, currency)
            if lead.publisher_payout is not None
            else "",
        }
        for lead in leads
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "Lead ID",
            "Captured",
            "Status",
            "Delivery",
            "Name",
            "Email",
            "Company",
            "Score",
            "Payout",
        ],
    )
