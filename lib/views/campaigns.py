"""The Campaigns page's view models: the campaign list, the KPIs and the leads per day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

from lib.convertr.models import Campaign, CampaignStatus, LeadStatisticsChronology, Statistic
from lib.presentation import (
    LEAD_STATUSES,
    escape_markdown,
    format_count,
    format_date,
    format_percent,
    whole_number,
)

CAMPAIGN_STATUSES: Final[tuple[CampaignStatus, ...]] = ("Live", "Paused", "Completed", "Draft")
"""The statuses the filter offers, in this order."""
NO_STATISTICS: Final = "No statistics for this campaign yet."
NO_LEADS_YET: Final = "No leads have been captured on this campaign yet."


@dataclass(frozen=True)
class CampaignFilters:
    """What the user chose on the Campaigns page: a name or id, and campaign statuses."""

    search: str = ""
    statuses: tuple[CampaignStatus, ...] = ()

    @property
    def text(self) -> str | None:
        """The search as sent to the API (None: no search)."""
        return self.search.strip() or None

    @property
    def campaign_id(self) -> int | None:
        """The search read as a campaign id, when it is all (ASCII) digits."""
        return whole_number(self.search.strip())

    def admits(self, campaign: Campaign) -> bool:
        """Whether the status filter lets `campaign` through."""
        return not self.statuses or campaign.status in self.statuses

    @property
    def no_match(self) -> str:
        """What to say when nothing matches."""
        return (
            "No campaigns match this search"
            + (" and status filter." if self.statuses else ".")
            + " Clear the search to see every campaign."
        )


@dataclass(frozen=True)
class FoundCampaigns:
    """The campaigns a search found (the one whose id was typed first) and how many match."""

    campaigns: tuple[Campaign, ...]
    total: int


def found_campaigns(
    filters: CampaignFilters,
    by_name: Sequence[Campaign],
    total: int | None,
    by_id: Campaign | None,
) -> FoundCampaigns:
    """The name search's page, with the campaign whose id was typed put first when the page
    does not hold it already and its status passes the filter. Without a total (partial
    pagination) the count is what was found."""
    found = list(by_name)
    if total is None:
        total = len(found)
    if by_id is not None and all(item.id != by_id.id for item in found) and filters.admits(by_id):
        return FoundCampaigns((by_id, *found), total + 1)
    return FoundCampaigns(tuple(found), total)


_STATUS_ACTIVITY: Final[dict[str, int]] = {"Live": 0, "Paused": 1, "Completed": 2, "Draft": 3}


def most_recently_active(campaigns: Sequence[Campaign]) -> Campaign:
    """The campaign a first visit opens: a Live one before a paused, completed or draft one,
    and among those the one that started (or was created) last; never merely the first by
    name."""

    def activity(campaign: Campaign) -> tuple[int, date]:
        started = campaign.start_date or campaign.created_ts.date()
        return -_STATUS_ACTIVITY.get(campaign.status, len(_STATUS_ACTIVITY)), started

    return max(campaigns, key=activity)


def campaign_caption(campaign: Campaign) -> str:
    """The line under the campaign's name (markdown: every text from the API is escaped)."""
    period = f"{format_date(campaign.start_date)} to {format_date(campaign.end_date)}"
    advertiser = escape_markdown(campaign.advertiser or "no advertiser")
    status, currency = escape_markdown(campaign.status), escape_markdown(campaign.currency)
    return (
        f"#{campaign.id} · {advertiser} · {status} · {currency} · "
        f"{period} · max score {campaign.max_score}"
    )


def campaign_choice_label(campaign: Campaign) -> str:
    return f"{campaign.name} (#{campaign.id})"


@dataclass(frozen=True)
class Kpi:
    """One figure over the chart: its label, the count, and its share of the total."""

    label: str
    value: str
    share: str | None
    """None for the total itself."""


def kpis(statistic: Statistic) -> tuple[Kpi, ...]:
    """The campaign's figures in the order the page shows them, each with its share."""
    return tuple(
        Kpi(
            label,
            value,
            None
            if label == "Total"
            else format_percent(getattr(statistic, label.lower()), statistic.total),
        )
        for label, value in statistic_figures(statistic)
    )


@dataclass(frozen=True)
class CampaignList:
    """The list under the chart: every campaign found, with its leads and valid leads."""

    table: pd.DataFrame
    heading: str
    """"12 campaigns", "1 campaign", or "200 of 340 campaigns" when the list holds only
    part."""


CAMPAIGN_LIST_COLUMNS: Final = (
    "ID",
    "Campaign",
    "Status",
    "Leads",
    "Valid",
    "Advertiser",
    "Start",
    "End",
    "Currency",
)
"""What an analyst scans first comes first; the currency, rarely read, last."""


def campaign_list(
    campaigns: Sequence[Campaign], statistics: Iterable[Statistic], total: int
) -> CampaignList:
    by_campaign = {statistic.campaign_id: statistic for statistic in statistics}
    table = campaign_table(campaigns)
    table["Leads"] = [
        by_campaign[item.id].total if item.id in by_campaign else None for item in campaigns
    ]
    table["Valid"] = [
        by_campaign[item.id].valid if item.id in by_campaign else None for item in campaigns
    ]
    shown = f"{len(campaigns):,} of {total:,}" if total > len(campaigns) else f"{total:,}"
    noun = "campaign" if total == 1 else "campaigns"
    return CampaignList(table[list(CAMPAIGN_LIST_COLUMNS)], f"{shown} {noun}")


def chart_range(chosen: object, first: date, last: date) -> tuple[date, date]:
    """The range the date input gives (one end while the user picks the other), else the
    whole span."""
    if isinstance(chosen, tuple) and chosen:
        return chosen[0], chosen[-1]
    return first, last


def chronology_frame(
    chronologies: Iterable[LeadStatisticsChronology],
    campaign_id: int | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Per-day counts by status (lower-case columns) for one campaign or all of them,
    optionally limited to `start`..`end` (inclusive)."""
    columns = ["date", *(status.lower() for status in LEAD_STATUSES), "total", "campaign_id"]
    rows = [
        {
            "date": item.date,
            "valid": item.valid,
            "caution": item.caution,
            "invalid": item.invalid,
            "test": item.test,
            "total": item.total,
            "campaign_id": item.campaign_id,
        }
        for item in chronologies
        if (campaign_id is None or item.campaign_id == campaign_id)
        and (start is None or item.date >= start)
        and (end is None or item.date <= end)
    ]
    return pd.DataFrame(rows, columns=columns).sort_values("date", kind="stable")


def statistic_figures(statistic: Statistic) -> list[tuple[str, str]]:
    """KPI label and formatted value pairs, in the order the Campaigns page shows them."""
    return [
        ("Total", format_count(statistic.total)),
        ("Valid", format_count(statistic.valid)),
        ("Caution", format_count(statistic.caution)),
        ("Invalid", format_count(statistic.invalid)),
        ("Test", format_count(statistic.test)),
        ("Delivered", format_count(statistic.delivered)),
        ("Billable", format_count(statistic.billable)),
    ]


def campaign_table(campaigns: Iterable[Campaign]) -> pd.DataFrame:
    """The campaign list as a table."""
    rows = [
        {
            "ID": campaign.id,
            "Campaign": campaign.name,
            "Advertiser": campaign.advertiser or "",
            "Status": campaign.status,
            "Currency": campaign.currency,
            "Start": format_date(campaign.start_date),
            "End": format_date(campaign.end_date),
        }
        for campaign in campaigns
    ]
    return pd.DataFrame(
        rows, columns=["ID", "Campaign", "Advertiser", "Status", "Currency", "Start", "End"]
    )
