"""lib/views/leads.py: the Leads page's filters and one page of leads as the page shows it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lib.convertr.models import Campaign, Lead, Page
from lib.views.leads import LeadFilters, lead_filters, leads_page_view, range_bounds

LONDON = ZoneInfo("Europe/London")


def test_a_date_range_is_inclusive_in_the_viewers_zone() -> None:
    start, end = range_bounds((date(2026, 6, 1), date(2026, 6, 2)), LONDON)
    assert start == datetime(2026, 6, 1, tzinfo=LONDON)
    assert end is not None and (end.date(), end.hour, end.minute) == (date(2026, 6, 2), 23, 59)
    assert range_bounds((date(2026, 6, 1),), LONDON)[1] is None, "one end picked so far"
    assert range_bounds((), LONDON) == (None, None)


def test_the_widgets_values_become_one_query() -> None:
    filters = lead_filters(
        3,
        page=2,
        page_size=25,
        statuses=["Caution"],
        delivery="Undelivered",
        dates=(date(2026, 6, 1),),
        search="  Olivia ",
        order="Oldest first",
        zone=LONDON,
    )
    assert filters == LeadFilters(
        campaign_id=3,
        page=2,
        items_per_page=25,
        statuses=("Caution",),
        delivered=False,
        created_after=datetime(2026, 6, 1, tzinfo=LONDON),
        search="Olivia",
        order="asc",
    )
    default = lead_filters(
        3, page=1, page_size=50, statuses=[], delivery="Any", dates=(), search=" ",
        order="Newest first", zone=LONDON,
    )  # fmt: skip
    assert default == LeadFilters(campaign_id=3)


def test_a_page_says_how_many_and_which_rows() -> None:
    campaign = Campaign.model_validate(
        {"id": 3, "name": "C", "status": "Live", "currency": "GBP", "maxScore": 100,
         "capped": False, "createdTs": datetime(2026, 1, 1, tzinfo=UTC)}
    )  # fmt: skip
    leads = [
        Lead.model_validate(
            {"id": 100 + index, "campaign": "/api/v4/campaigns/3", "processrStatus": "Valid",
             "score": 100, "maxScore": 100, "createdTs": datetime(2026, 6, 1, tzinfo=UTC),
             "publisherPayout": "12.5"}
        )
        for index in range(2)
    ]  # fmt: skip
    page = Page(items=tuple(leads), total=52, page=2, items_per_page=50)
    view = leads_page_view(campaign, page, LONDON)
    assert view.count == "**52 leads**"
    assert view.showing.startswith("Showing 51 to 52 of 52.")
    assert list(view.table["Payout"]) == ["£12.50", "£12.50"]
    assert view.file_name == "campaign-3-leads-page-2"
