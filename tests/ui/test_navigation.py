"""Moving between leads in the app: Go to lead, the Leads page's place in the URL and every
way back to it, server-side sorting, the id search, and Previous / Next on the Lead page."""

from __future__ import annotations

import sqlite3
from typing import Any

from lib.convertr import ConvertrClient
from lib.ui import keys, pages
from lib.views.leads import NO_LEADS, NO_LEADS_YET
from tests.support.apptest import app_at, open_tab_name, tab, tab_without_opening

LEADS = pages.LEADS
LEAD = pages.LEAD


def lead_ids(at: Any) -> list[int]:
    return [int(value) for value in at.dataframe[0].value["Lead ID"]]


def go_to(at: Any, text: str) -> Any:
    at.sidebar.text_input(key=keys.GO_TO_LEAD).input(text)
    return at.sidebar.button(key=keys.GO_TO_LEAD_SUBMIT).click().run()


def test_go_to_lead_takes_an_id_or_a_pasted_link_on_any_page() -> None:
    at = app_at().run()
    go_to(at, "100002")
    assert not at.exception
    assert at.title[0].value == "Lead 100002"
    go_to(at, "https://leadlens.example/Lead?lead=100001&campaign=1")
    assert at.title[0].value == "Lead 100001"
    assert at.query_params["lead"] == "100001"


def test_go_to_lead_says_why_an_input_is_not_a_lead() -> None:
    at = app_at().run()
    go_to(at, "https://example.com/campaigns/3")
    assert not at.exception
    assert at.title[0].value == "Campaigns", "stays on the page"
    assert "is not a lead id or a link to a lead" in at.sidebar.error[0].value
    assert "expected" not in at.sidebar.error[0].value
    assert at.sidebar.text_input(key=keys.GO_TO_LEAD).value == "https://example.com/campaigns/3", (
        "the rejected entry stays in the box to be fixed"
    )


def test_an_unknown_id_gets_the_deep_links_message() -> None:
    at = app_at().run()
    go_to(at, "999999999")
    assert not at.exception
    by_link = app_at(LEAD, lead="999999999").run()
    assert at.error[0].value == by_link.error[0].value
    assert "999999999 was not found" in at.error[0].value


def test_the_place_goes_to_the_url_and_a_link_restores_it(api: ConvertrClient) -> None:
    at = app_at(LEADS, campaign="3").run()
    at.multiselect(key=keys.LEADS_STATUS).select("Invalid").run()
    at.selectbox(key=keys.LEADS_PAGE_SIZE).select(25).run()
    at.number_input(key=keys.LEADS_PAGE).set_value(2).run()
    assert not at.exception
    params = dict(at.query_params)
    assert params == {"campaign": "3", "status": "Invalid", "size": "25", "page": "2"}
    shown = lead_ids(at)

    shared = app_at(LEADS)
    shared.query_params.update(params)
    shared.run()
    assert not shared.exception
    assert shared.multiselect(key=keys.LEADS_STATUS).value == ["Invalid"]
    assert shared.number_input(key=keys.LEADS_PAGE).value == 2
    assert lead_ids(shared) == shown
    expected = api.leads_page(3, page=2, items_per_page=25, statuses=("Invalid",))
    assert shown == [lead.id for lead in expected.items]


def test_a_bare_campaign_link_returns_to_the_last_place_and_never_names_a_lead() -> None:
    at = app_at(LEADS, campaign="3").run()
    at.multiselect(key=keys.LEADS_STATUS).select("Invalid").run()
    at.selectbox(key=keys.LEADS_PAGE_SIZE).select(25).run()
    at.number_input(key=keys.LEADS_PAGE).set_value(2).run()
    shown = lead_ids(at)
    at.switch_page(pages.CAMPAIGNS).run()
    # The sidebar's Leads link, "Open its leads" and "Campaign leads" give only the campaign.
    at.switch_page(LEADS)
    at.query_params.clear()
    at.query_params.update({"campaign": "3", "lead": "100001"})
    at.run()
    assert not at.exception
    assert at.multiselect(key=keys.LEADS_STATUS).value == ["Invalid"]
    assert lead_ids(at) == shown
    assert "lead" not in at.query_params
    assert at.query_params["page"] == "2"


def test_sorting_is_the_servers_across_every_page(api: ConvertrClient) -> None:
    at = app_at(LEADS, campaign="3").run()
    assert "Email" not in at.selectbox(key=keys.LEADS_SORT).options, "the API cannot order by it"
    at.selectbox(key=keys.LEADS_SORT).select("Score").run()
    at.selectbox(key=keys.LEADS_ORDER).select("Oldest first").run()
    assert not at.exception
    expected = api.leads_page(3, items_per_page=50, order="asc", order_by="score")
    assert lead_ids(at) == [lead.id for lead in expected.items]
    assert at.query_params["sort"] == "score" and at.query_params["dir"] == "asc"
    assert any("Sorted by **Score**, lowest first" in item.value for item in at.caption)


def test_a_lead_id_in_the_search_offers_that_lead(api: ConvertrClient) -> None:
    lead = api.leads_page(3, items_per_page=1).items[0]
    at = app_at(LEADS, campaign="3").run()
    at.text_input(key=keys.LEADS_SEARCH).input(str(lead.id)).run()
    assert not at.exception
    button = at.button(key=keys.LEADS_ID_MATCH)
    assert str(lead.id) in button.label
    button.click().run()
    assert at.title[0].value == f"Lead {lead.id}"


def test_previous_and_next_cross_a_page_boundary(api: ConvertrClient) -> None:
    """From a bare deep link the lead steps through its campaign, newest first."""
    newest = api.leads_page(3, page=1, items_per_page=50).items
    second_page = api.leads_page(3, page=2, items_per_page=50)
    last_of_first = newest[-1]
    at = app_at(LEAD, lead=str(last_of_first.id)).run()
    assert not at.exception
    total = second_page.total
    assert total is not None
    assert any(item.value == f"Lead **50 of {total:,}**" for item in at.markdown)
    at.button(key=keys.LEAD_NEXT).click().run()
    assert not at.exception
    assert at.title[0].value == f"Lead {second_page.items[0].id}"
    assert any(item.value == f"Lead **51 of {total:,}**" for item in at.markdown)
    at.button(key=keys.LEAD_PREVIOUS).click().run()
    assert at.title[0].value == f"Lead {last_of_first.id}"


def test_previous_and_next_keep_the_open_tab_and_its_link(api: ConvertrClient) -> None:
    first, second = api.leads_page(3, items_per_page=2).items
    at = app_at(LEAD, lead=str(first.id), tab="Job Details").run()
    at.button(key=keys.LEAD_NEXT).click().run()
    assert not at.exception
    assert at.title[0].value == f"Lead {second.id}"
    assert open_tab_name(at) == "Job Details"
    assert tab_without_opening(at, "Job Details").children, "the same tab, on the next lead"
    assert dict(at.query_params) == {
        "lead": str(second.id),
        "campaign": str(second.campaign_id),
        "tab": "Job Details",
    }


def test_the_first_lead_has_no_previous(api: ConvertrClient) -> None:
    first = api.leads_page(3, items_per_page=1).items[0]
    at = app_at(LEAD, lead=str(first.id)).run()
    assert at.button(key=keys.LEAD_PREVIOUS).disabled
    assert not at.button(key=keys.LEAD_NEXT).disabled


def test_notes_are_newest_first_with_a_toggle(api: ConvertrClient, ui_env: Any) -> None:
    with sqlite3.connect(ui_env) as db:
        (lead_id,) = db.execute(
            "SELECT lead_id FROM lead_notes GROUP BY lead_id HAVING count(*) > 2 LIMIT 1"
        ).fetchone()
    at = app_at(LEAD, lead=str(lead_id)).run()
    notes_tab = tab(at, "Notes")
    times = notes_tab.dataframe[0].value
    order = [note.created_ts for note in api.lead_notes(lead_id)]
    assert len(times) == len(order) > 1
    first_shown = times["Time"].iloc[0]
    at.segmented_control(key=keys.LEAD_NOTES_ORDER).set_value("Oldest first").run()
    notes_tab = next(item for item in at.tabs if item.label == "Notes")
    assert notes_tab.dataframe[0].value["Time"].iloc[-1] == first_shown


def test_a_campaign_link_outside_the_list_says_so() -> None:
    at = app_at(pages.CAMPAIGNS, campaign="99999").run()
    assert not at.exception
    assert "Campaign #99999 (from the link) is not in this list" in at.warning[0].value


def test_the_sidebar_campaigns_link_returns_to_the_last_campaign() -> None:
    at = app_at(LEADS, campaign="3").run()
    at.switch_page(pages.CAMPAIGNS)
    at.query_params.clear()
    at.run()
    assert not at.exception
    assert at.selectbox(key=keys.CAMPAIGNS_CHOICE).value == 3


def test_an_empty_campaign_says_it_has_no_leads_yet_not_no_match(api: ConvertrClient) -> None:
    draft = next(
        campaign
        for campaign in api.campaigns_page(items_per_page=50).items
        if api.leads_page(campaign.id, items_per_page=1).total == 0
    )
    at = app_at(LEADS, campaign=str(draft.id)).run()
    assert not at.exception
    assert at.info[0].value == NO_LEADS_YET
    at.text_input(key=keys.LEADS_SEARCH).input("nobody").run()
    assert at.info[0].value == NO_LEADS


def sidebar_links(at: Any) -> list[str]:
    return [str(getattr(link, "label", "")) for link in at.sidebar.get("page_link")]


def test_the_lead_not_found_page_has_a_heading_and_no_stale_lead_link() -> None:
    at = app_at(LEAD, lead="100002").run()
    assert "Lead 100002" in sidebar_links(at)
    go_to(at, "999999999")
    assert not at.exception
    assert at.title[0].value == "Lead not found"
    labels = sidebar_links(at)
    assert "Lead 100002" not in labels, "the last lead is not highlighted as the page on show"
    at.switch_page(pages.CAMPAIGNS).run()
    assert "Lead 100002" in sidebar_links(at)


def test_the_sidebar_help_explains_the_words_of_the_trade() -> None:
    at = app_at().run()
    assert not at.exception
    shown = "\n".join(str(item.value) for item in at.sidebar.markdown)
    for words in ("#### Processr", "#### Hardfail", "Home Location Register", "#### Wave"):
        assert words in shown, words
    assert "# Glossary" not in shown.replace("#### ", ""), "no second page title"
