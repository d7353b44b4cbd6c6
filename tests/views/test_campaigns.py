"""lib/views/campaigns.py: leads per day (and their chart), filters, the list and the KPIs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lib.convertr.models import Campaign, LeadStatisticsChronology, Statistic
from lib.presentation import escape_markdown
from lib.views.campaigns import (
    CampaignFilters,
    campaign_list,
    found_campaigns,
    kpis,
)


def chronology(campaign: int, day: date, total: int) -> LeadStatisticsChronology:
    return LeadStatisticsChronology.model_validate(
        {"id": day.toordinal() * 10 + campaign, "campaign": f"/api/v4/campaigns/{campaign}",
         "date": day, "total": total, "valid": total, "invalid": 0, "caution": 0, "test": 0,
         "delivered": 0}
    )  # fmt: skip


def campaign(campaign_id: int, status: str = "Live", name: str = "") -> Campaign:
    return Campaign.model_validate(
        {"id": campaign_id, "name": name or f"Campaign {campaign_id}", "status": status,
         "currency": "GBP", "maxScore": 100, "capped": False,
         "createdTs": datetime(2026, 1, 1, tzinfo=UTC)}
    )  # fmt: skip


def statistic(campaign_id: int, total: int, valid: int) -> Statistic:
    return Statistic.model_validate(
        {"id": campaign_id, "campaign": f"/api/v4/campaigns/{campaign_id}", "total": total,
         "valid": valid, "caution": 0, "invalid": total - valid, "test": 0, "delivered": 0,
         "billable": valid, "overAllocated": 0}
    )  # fmt: skip


def test_filters_read_the_search_as_text_or_id_and_say_why_nothing_matched() -> None:
    assert CampaignFilters("  ").text is None
    assert CampaignFilters(" 42 ").campaign_id == 42
    assert CampaignFilters("Acme 2").campaign_id is None
    assert CampaignFilters("x").no_match.startswith("No campaigns match this search.")
    assert "and status filter" in CampaignFilters("x", ("Live",)).no_match


def test_a_campaign_found_by_id_comes_first_once_and_only_if_its_status_passes() -> None:
    by_name = [campaign(1), campaign(2)]
    found = found_campaigns(CampaignFilters("3"), by_name, 2, campaign(3))
    assert [item.id for item in found.campaigns] == [3, 1, 2] and found.total == 3
    again = found_campaigns(CampaignFilters("1"), by_name, 2, campaign(1))
    assert [item.id for item in again.campaigns] == [1, 2] and again.total == 2
    paused = found_campaigns(CampaignFilters("3", ("Live",)), by_name, 2, campaign(3, "Paused"))
    assert [item.id for item in paused.campaigns] == [1, 2]


def test_the_list_has_leads_and_valid_per_campaign_and_says_when_it_is_partial() -> None:
    view = campaign_list([campaign(1), campaign(2)], [statistic(1, 10, 7)], total=5)
    assert view.heading == "2 of 5 campaigns"
    assert view.table["Leads"].iloc[0] == 10 and view.table["Valid"].iloc[0] == 7
    assert view.table["Leads"].isna().iloc[1], "no statistics: no figure, not zero"
    assert campaign_list([campaign(1), campaign(2)], [], total=2).heading == "2 campaigns"


def test_kpis_carry_their_share_of_the_total() -> None:
    figures = kpis(statistic(1, 1200, 900))
    assert (figures[0].label, figures[0].value, figures[0].share) == ("Total", "1,200", None)
    assert (figures[1].label, figures[1].share) == ("Valid", "75.0%")
    assert [kpi.label for kpi in figures][-1] == "Billable"


def test_the_caption_escapes_every_text_from_the_api() -> None:
    from lib.views.campaigns import campaign_caption

    campaign = Campaign.model_validate(
        {"id": 3, "name": "C", "advertiser": "[a](https://evil)", "status": "![i](https://evil/i.png)",
         "currency": "<img src=x onerror=alert(1)>", "maxScore": 100, "capped": False,
         "createdTs": datetime(2026, 1, 1, tzinfo=UTC)}
    )  # fmt: skip
    caption = campaign_caption(campaign)
    assert escape_markdown("[a](https://evil)") in caption
    assert escape_markdown("![i](https://evil/i.png)") in caption
    assert r"\<img src=x onerror=alert\(1\)\>" in caption
