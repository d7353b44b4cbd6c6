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


def test_derived_statuses_and_masked_emails_in_the_table() -> None:
    from lib.presentation import MASKED_LABEL, MASKED_VALUE

    campaign = Campaign.model_validate(
        {"id": 3, "name": "C", "status": "Live", "currency": "GBP", "maxScore": 100,
         "capped": False, "createdTs": datetime(2026, 1, 1, tzinfo=UTC)}
    )  # fmt: skip
    leads = [
        Lead.model_validate(
            {"id": 100 + index, "campaign": "/api/v4/campaigns/3", "processrStatus": status,
             "score": 90, "maxScore": 100, "createdTs": datetime(2026, 6, 1, tzinfo=UTC),
             "email": email}
        )
        for index, (status, email) in enumerate(
            [(1500, MASKED_VALUE), ("Valid", "ana@example.com")]
        )
    ]  # fmt: skip
    view = leads_page_view(
        campaign, Page(items=tuple(leads), total=2, page=1, items_per_page=50), LONDON
    )
    assert list(view.table["Status"]) == ["Caution (derived)", "Valid"], "never hidden"
    assert list(view.table["Email"]) == [MASKED_LABEL, "ana@example.com"]
    assert view.derived_note is not None and "1500" in view.derived_note


def test_only_the_filters_the_server_advertises_are_offered_and_sent() -> None:
    from lib.views.leads import OfferedFilters

    everything = OfferedFilters(None)
    assert everything.missing == () and everything.caption is None
    assert everything.reason("status") is None
    some = OfferedFilters(frozenset({"processrStatus", "createdTs[after]", "order[createdTs]"}))
    assert some.offers("status"), "either spelling of an exact filter"
    assert not some.offers("dates"), "a range needs both ends"
    assert some.missing == ("delivery", "dates", "search")
    assert some.caption is not None and "Delivery, Captured between, Search" in some.caption
    reason = some.reason("search")
    assert reason is not None and "search" in reason
    filters = lead_filters(
        3, page=1, page_size=50, statuses=["Caution"], delivery="Delivered",
        dates=(date(2026, 6, 1), date(2026, 6, 2)), search="Olivia", order="Oldest first",
        zone=LONDON, offered=some,
    )  # fmt: skip
    assert filters == LeadFilters(campaign_id=3, statuses=("Caution",), order="asc")
