"""The Campaigns page (app.py): list, search, status filter, KPIs and the chart."""

from __future__ import annotations

from lib.convertr import ConvertrClient
from lib.ui import keys
from lib.views.url_params import PARAM_CAMPAIGN
from tests.support.apptest import app_at


def campaign_ids(at: object) -> list[int]:
    frame = at.dataframe[0].value  # type: ignore[attr-defined]
    return [int(value) for value in frame["ID"]]


def test_lists_every_campaign_with_its_figures(api: ConvertrClient) -> None:
    at = app_at().run()
    assert not at.exception
    expected = api.campaigns_page(items_per_page=100)
    assert sorted(campaign_ids(at)) == sorted(campaign.id for campaign in expected.items)
    assert at.title[0].value == "Campaigns"


def test_search_by_name_and_by_id(api: ConvertrClient) -> None:
    campaigns = api.campaigns_page(items_per_page=100).items
    target = campaigns[3]
    at = app_at().run()
    at.text_input(key=keys.CAMPAIGNS_SEARCH).input(target.name[:12].lower()).run()
    assert not at.exception
    assert target.id in campaign_ids(at)
    assert all(
        target.name[:12].lower() in name.lower() for name in at.dataframe[0].value["Campaign"]
    )

    at.text_input(key=keys.CAMPAIGNS_SEARCH).input(str(target.id)).run()
    assert not at.exception
    assert campaign_ids(at)[0] == target.id

    at.text_input(key=keys.CAMPAIGNS_SEARCH).input("no campaign is called this").run()
    assert not at.exception
    assert "No campaigns match" in at.info[0].value


def test_status_filter_keeps_only_that_status(api: ConvertrClient) -> None:
    at = app_at().run()
    at.multiselect(key=keys.CAMPAIGNS_STATUS).select("Completed").run()
    assert not at.exception
    statuses = set(at.dataframe[0].value["Status"])
    assert statuses == {"Completed"}
    expected = api.campaigns_page(items_per_page=100, statuses=("Completed",))
    assert sorted(campaign_ids(at)) == sorted(campaign.id for campaign in expected.items)


def test_kpis_equal_the_campaigns_statistics(api: ConvertrClient) -> None:
    at = app_at(campaign="3").run()
    assert not at.exception
    assert at.selectbox(key=keys.CAMPAIGNS_CHOICE).value == 3
    (statistic,) = api.statistics([3])
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == {
        "Total": f"{statistic.total:,}",
        "Valid": f"{statistic.valid:,}",
        "Caution": f"{statistic.caution:,}",
        "Invalid": f"{statistic.invalid:,}",
        "Test": f"{statistic.test:,}",
        "Delivered": f"{statistic.delivered:,}",
        "Billable": f"{statistic.billable:,}",
    }
    # The leads-per-day chart: a picture drawn on the server, no chart library sent.
    (picture,) = [html.proto.body for html in at.get("html") if "<img" in html.proto.body]
    assert f"Leads per day on {api.campaign(3).name}" in picture
    assert not at.get("vega_lite_chart") and not at.get("plotly_chart")
    assert "Open its leads" in [link.value for link in at.page_link]
    assert at.query_params[PARAM_CAMPAIGN] in ("3", ["3"])


def test_choosing_a_campaign_updates_the_url_and_figures(api: ConvertrClient) -> None:
    at = app_at().run()
    at.selectbox(key=keys.CAMPAIGNS_CHOICE).select(5).run()
    assert not at.exception
    assert at.query_params[PARAM_CAMPAIGN] in ("5", ["5"])
    (statistic,) = api.statistics([5])
    assert at.metric[0].value == f"{statistic.total:,}"


def test_a_rerun_sends_no_request() -> None:
    at = app_at(campaign="1").run()
    first = at.session_state[keys.REQUEST_COUNT]
    at.run()
    assert not at.exception
    assert at.session_state[keys.REQUEST_COUNT] == first


def test_sidebar_shows_the_source_and_switches_demo_users() -> None:
    at = app_at().run()
    sidebar = "\n".join(str(item.value) for item in at.sidebar.markdown)
    assert "Sandbox" in sidebar and "Analyst" in sidebar
    at.selectbox(key=keys.DEMO_USER).select("masked@sandbox.test").run()
    assert not at.exception
    sidebar = "\n".join(str(item.value) for item in at.sidebar.markdown)
    assert "Masked viewer" in sidebar


def test_filtering_says_nothing_about_links_and_keeps_the_choice_in_line() -> None:
    """A search or status filter that hides the campaign shown is no followed link: no
    warning, and nothing drawn inside the choice column above the Campaign box."""
    at = app_at(campaign="4").run()
    at.multiselect(key=keys.CAMPAIGNS_STATUS).select("Completed").run()
    assert not at.exception
    assert not at.warning, [item.value for item in at.warning]
    at.multiselect(key=keys.CAMPAIGNS_STATUS).unselect("Completed").run()
    at.text_input(key=keys.CAMPAIGNS_SEARCH).input("zzzz-no-match-but-typed").run()
    at.text_input(key=keys.CAMPAIGNS_SEARCH).input("a").run()
    assert not at.exception
    assert not at.warning, [item.value for item in at.warning]


def test_a_followed_link_to_a_hidden_campaign_says_so_in_words() -> None:
    at = app_at(campaign="99999").run()
    assert not at.exception
    (warning,) = at.warning
    assert "Campaign #99999 (from the link) is not in this list" in warning.value
    assert "'" not in warning.value.split("Showing")[0]


def test_the_first_visit_opens_the_most_recently_active_campaign(api: ConvertrClient) -> None:
    campaigns = api.campaigns_page(items_per_page=100).items
    at = app_at().run()
    assert not at.exception
    chosen = next(
        item for item in campaigns if item.id == at.selectbox(key=keys.CAMPAIGNS_CHOICE).value
    )
    assert chosen.status == "Live"
    live = [item for item in campaigns if item.status == "Live"]
    latest = max(item.start_date or item.created_ts.date() for item in live)
    assert (chosen.start_date or chosen.created_ts.date()) == latest
