"""The Leads page: server-side paging, filters, order and the way back on bad input."""

from __future__ import annotations

from typing import Any

from lib.convertr import ConvertrClient
from lib.ui import keys, pages
from tests.ui.conftest import app_at

LEADS = pages.LEADS


def lead_ids(at: Any) -> list[int]:
    return [int(value) for value in at.dataframe[0].value["Lead ID"]]


def count_text(at: Any) -> str:
    return str(next(m.value for m in at.markdown if m.value.endswith(("leads**", "lead**"))))


def test_pages_on_the_server_and_shows_the_total(api: ConvertrClient) -> None:
    at = app_at(LEADS, campaign="3").run()
    assert not at.exception
    total = api.leads_page(3, items_per_page=1).total
    assert count_text(at) == f"**{total:,} leads**"
    first_page = lead_ids(at)
    assert len(first_page) == 50
    expected = api.leads_page(3, page=1, items_per_page=50, order="desc")
    assert first_page == [lead.id for lead in expected.items]

    at.number_input(key=keys.LEADS_PAGE).set_value(2).run()
    assert not at.exception
    second_page = lead_ids(at)
    assert second_page and not set(second_page) & set(first_page)
    expected_second = api.leads_page(3, page=2, items_per_page=50, order="desc")
    assert second_page == [lead.id for lead in expected_second.items]


def test_page_size_and_order(api: ConvertrClient) -> None:
    at = app_at(LEADS, campaign="3").run()
    at.selectbox(key=keys.LEADS_PAGE_SIZE).select(25).run()
    assert len(lead_ids(at)) == 25
    at.selectbox(key=keys.LEADS_ORDER).select("Oldest first").run()
    assert not at.exception
    oldest = api.leads_page(3, items_per_page=25, order="asc")
    assert lead_ids(at) == [lead.id for lead in oldest.items]


def test_status_delivery_and_search_filters(api: ConvertrClient) -> None:
    at = app_at(LEADS, campaign="3").run()
    at.multiselect(key=keys.LEADS_STATUS).select("Caution").run()
    assert not at.exception
    assert set(at.dataframe[0].value["Status"]) == {"Caution"}
    caution_total = api.leads_page(3, items_per_page=1, statuses=("Caution",)).total
    assert count_text(at).startswith(f"**{caution_total:,} lead")

    at.selectbox(key=keys.LEADS_DELIVERY).select("Undelivered").run()
    assert set(at.dataframe[0].value["Delivery"]) <= {"Undelivered"}

    at.multiselect(key=keys.LEADS_STATUS).set_value([]).run()
    at.selectbox(key=keys.LEADS_DELIVERY).select("Any").run()
    someone = api.leads_page(3, items_per_page=5).items[2]
    assert someone.email
    at.text_input(key=keys.LEADS_SEARCH).input(someone.email.upper()).run()
    assert not at.exception
    assert someone.id in lead_ids(at)


def test_a_filter_change_returns_to_the_first_page() -> None:
    at = app_at(LEADS, campaign="3").run()
    at.number_input(key=keys.LEADS_PAGE).set_value(3).run()
    at.multiselect(key=keys.LEADS_STATUS).select("Valid").run()
    assert not at.exception
    assert at.number_input(key=keys.LEADS_PAGE).value == 1


def test_missing_or_unknown_campaign_offers_the_way_back() -> None:
    at = app_at(LEADS).run()
    assert not at.exception
    assert "no valid campaign id" in at.error[0].value
    assert "Choose a campaign" in [link.value for link in at.page_link]

    at = app_at(LEADS, campaign="4242").run()
    assert not at.exception
    assert "Campaign 4242 was not found" in at.error[0].value


def test_a_rerun_sends_no_request() -> None:
    at = app_at(LEADS, campaign="1").run()
    first = at.session_state[keys.REQUEST_COUNT]
    at.run()
    assert at.session_state[keys.REQUEST_COUNT] == first
