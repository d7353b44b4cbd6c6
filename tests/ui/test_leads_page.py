"""The Leads page: server-side paging, filters, order and the way back on bad input."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import httpx

from lib.connect import sandbox_transport
from lib.convertr import ConvertrClient
from lib.ui import keys, pages
from tests.support.apptest import AppTransport, app_at, is_request

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


def sandbox_rewriting(
    ui_env: Any, rewrite: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[httpx.Request], httpx.Response | None]:
    """An answer for `AppTransport`: leads collections come from the sandbox, rewritten (as
    another API Platform server would send them); every other request goes through."""
    sandbox = sandbox_transport(ui_env)

    def answer(request: httpx.Request) -> httpx.Response | None:
        if not is_request(request, "GET", "leads"):
            return None
        response = sandbox.handle_request(request)
        response.read()
        body = rewrite(json.loads(response.content))
        return httpx.Response(response.status_code, json=body, headers=response.headers)

    return answer


def advertising(*variables: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    search = {
        "@type": "hydra:IriTemplate",
        "hydra:template": "/api/v4/leads{?" + ",".join(variables) + "}",
        "hydra:variableRepresentation": "BasicRepresentation",
        "hydra:mapping": [
            {"@type": "IriTemplateMapping", "variable": name, "property": name, "required": False}
            for name in variables
        ],
    }
    return lambda body: body | {"hydra:search": search}


def test_only_the_filters_the_server_advertises_are_offered(
    ui_env: Any, app_transport: AppTransport
) -> None:
    app_transport.answer = sandbox_rewriting(
        ui_env, advertising("campaign", "processrStatus", "processrStatus[]", "order[createdTs]")
    )
    at = app_at(LEADS, campaign="3").run()
    assert not at.exception
    assert not at.multiselect(key=keys.LEADS_STATUS).disabled
    assert not at.selectbox(key=keys.LEADS_ORDER).disabled
    for widget in (
        at.selectbox(key=keys.LEADS_DELIVERY),
        at.date_input(key=keys.LEADS_DATES),
        at.text_input(key=keys.LEADS_SEARCH),
    ):
        assert widget.disabled, widget.label
        assert "does not advertise" in widget.help
    assert any("Not offered: Delivery" in item.value for item in at.caption)
    at.multiselect(key=keys.LEADS_STATUS).select("Caution").run()
    assert set(at.dataframe[0].value["Status"]) == {"Caution"}, "an offered filter still works"


def test_without_a_total_later_pages_are_reached_by_next(
    ui_env: Any, app_transport: AppTransport, api: ConvertrClient
) -> None:
    """Partial pagination (no totalItems, only the next link): page 3 is reachable."""

    def partial(body: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in body.items() if not name.endswith("totalItems")}

    app_transport.answer = sandbox_rewriting(ui_env, partial)
    at = app_at(LEADS, campaign="3").run()
    assert not at.exception
    assert at.button(key=keys.LEADS_PREVIOUS).disabled
    for _ in range(2):
        at.button(key=keys.LEADS_NEXT).click().run()
        assert not at.exception
    expected = api.leads_page(3, page=3, items_per_page=50, order="desc")
    assert lead_ids(at) == [lead.id for lead in expected.items]
    assert any(item.value.startswith("**Page 3**") for item in at.markdown)
    assert not at.button(key=keys.LEADS_PREVIOUS).disabled


def test_a_derived_status_is_marked_and_never_hides_the_lead(
    writable_db: Any, monkeypatch: Any, api: ConvertrClient
) -> None:
    first = api.leads_page(3, items_per_page=1).items[0]
    with sqlite3.connect(writable_db) as db:
        db.execute(
            "UPDATE leads SET processr_status = '1500', score = max_score, hardfail = 0"
            " WHERE id = ?",
            (first.id,),
        )
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    at = app_at(LEADS, campaign="3").run()
    assert not at.exception
    table = at.dataframe[0].value
    statuses = dict(zip(table["Lead ID"], table["Status"], strict=True))
    assert statuses[first.id] == "Valid (derived)"
    assert any("(1500)" in item.value.replace("\\", "") for item in at.caption), "the note"


RUN_BOUND_SECONDS = 15
"""A run of the Leads page takes about a second; one that reruns forever hits this."""
RUN_BOUND = 2
"""Script runs one open of a page may take (the first, and at most one rerun)."""


def counting_runs(monkeypatch: Any) -> list[int]:
    """Counts the runs of the Leads page's body (the page script looks it up on each run)."""
    from lib.ui import leads_page

    runs: list[int] = []
    render = leads_page.render

    def counted(session: Any) -> None:
        runs.append(1)
        if len(runs) > RUN_BOUND * 5:
            # A loop: stop it here rather than burn the core until the timeout.
            raise RuntimeError(f"the Leads page ran {len(runs)} times in one open")
        render(session)

    monkeypatch.setattr(leads_page, "render", counted)
    return runs


def test_a_page_past_the_last_one_shows_the_last_page_and_says_so(
    api: ConvertrClient, monkeypatch: Any
) -> None:
    runs = counting_runs(monkeypatch)
    at = app_at(LEADS, campaign="3")
    at.query_params["page"] = "9999"
    at.run(timeout=RUN_BOUND_SECONDS)
    assert not at.exception
    assert len(runs) <= RUN_BOUND
    last = api.leads_page(3, items_per_page=50).page_count
    assert last is not None and last > 1
    assert at.number_input(key=keys.LEADS_PAGE).value == last
    expected = api.leads_page(3, page=last, items_per_page=50, order="desc")
    assert lead_ids(at) == [lead.id for lead in expected.items]
    notes = " ".join(str(item.value) for item in at.warning)
    assert "no page 9999" in notes and f"Showing page {last}, the last" in notes
    assert at.query_params["page"] == str(last)

    runs.clear()
    at.run(timeout=RUN_BOUND_SECONDS)
    assert not at.exception
    assert len(runs) == 1
    assert at.number_input(key=keys.LEADS_PAGE).value == last


def test_a_masked_user_is_not_offered_the_search_and_a_linked_search_is_not_sent(
    app_transport: AppTransport,
) -> None:
    sent: list[httpx.Request] = []
    app_transport.answer = lambda request: sent.append(request)
    # A search matches emails: for a role that sees them masked, its counts would answer
    # guesses. The box is greyed out with the reason, and a search in a shared link is not
    # sent (the sandbox would refuse it with 403).
    at = app_at(LEADS, campaign="3", search="olivia")
    at.session_state[keys.DEMO_USER] = "masked@sandbox.test"
    at.run()
    assert not at.exception
    box = at.text_input(key=keys.LEADS_SEARCH)
    assert box.disabled
    assert "Your role sees emails masked" in (box.help or "")
    assert not any(
        is_request(request, "GET", "leads") and "search" in request.url.params for request in sent
    )
    assert any(is_request(request, "GET", "leads") for request in sent)
    assert lead_ids(at)  # the list is shown, unsearched


def test_without_a_total_a_page_past_the_end_says_so_and_offers_the_first(
    ui_env: Any, app_transport: AppTransport, monkeypatch: Any
) -> None:
    """Partial pagination: the last page is unknown, so a page past it cannot be replaced by
    the last one; it must not claim the campaign has no leads."""

    def partial(body: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in body.items() if not name.endswith("totalItems")}

    app_transport.answer = sandbox_rewriting(ui_env, partial)
    runs = counting_runs(monkeypatch)
    at = app_at(LEADS, campaign="3")
    at.query_params["page"] = "9999"
    at.run(timeout=RUN_BOUND_SECONDS)
    assert not at.exception
    assert len(runs) <= RUN_BOUND
    shown = " ".join(str(item.value) for item in at.info)
    assert "no leads yet" not in shown
    assert "Page 9999 of this list is empty" in shown
    at.button(key=keys.LEADS_FIRST_PAGE).click().run()
    assert not at.exception
    assert lead_ids(at), "the first page, with its leads"
    assert "page" not in at.query_params


def test_a_header_click_on_a_column_the_server_cannot_sort_says_so_and_keeps_the_order(
    monkeypatch: Any,
) -> None:
    """The grid's columns are all sortable in the sandbox, so the browser cannot reach this:
    a server that advertises fewer orders (a real Convertr may) gets the sentence."""
    from types import SimpleNamespace

    from lib.ui import leads_page
    from lib.views.navigation import LeadsPlace

    state: dict[str, Any] = {"grid": {"selection": {"rows": [], "columns": ["Name"]}}}
    monkeypatch.setattr(leads_page, "st", SimpleNamespace(session_state=state))
    leads_page._sort_by_header("grid", LeadsPlace(campaign_id=3), ("Captured", "Score"))
    assert state[keys.LEADS_SORT_MESSAGE] == (
        "The server cannot sort leads by Name; it can sort by Captured, Score."
    )
    assert keys.LEADS_SORT not in state and keys.LEADS_PAGE not in state, "the order stays"


def shown_page(at: Any) -> int:
    """The page number the browser's box shows when it mounts: the value the server set,
    else the box's default (a browser that never saw an earlier run's value)."""
    proto = at.number_input(key=keys.LEADS_PAGE).proto
    return int(proto.value if proto.set_value else proto.default)


def test_a_linked_page_reaches_the_browser_in_every_run(monkeypatch: Any) -> None:
    """A link naming page 2: the page box as any run sends it says 2, so a browser that
    mounts the box only from a later run's message still shows 2 and the next click on a row
    does not send the list back to page 1 (it did in the browser tests, 3 of 9 loaded runs:
    the sign-in cookie's rerun comes right after the first run, and a busy browser had not
    drawn the box yet). Also after a first run cut short between the fetch and the box."""
    import streamlit as st

    from lib.views.leads import leads_page_view as drawn

    cut: list[bool] = []

    def cut_short_once(*args: Any, **kwargs: Any) -> Any:
        if not cut:
            cut.append(True)
            st.rerun()
        return drawn(*args, **kwargs)

    monkeypatch.setattr("lib.ui.leads_page.leads_page_view", cut_short_once)
    at = app_at(LEADS, campaign="3", size="25")
    at.query_params["page"] = "2"
    at.run()
    assert not at.exception and cut
    assert shown_page(at) == 2
    at.run()
    assert shown_page(at) == 2, "and in every later run"
    assert at.query_params["page"] == "2"


def test_linked_filters_reach_the_browser_in_every_run() -> None:
    """As the page box: each filter a link set is sent with its value in later runs too (a
    browser mounting the widget from a later message would otherwise show and send back the
    default, and the list would lose the filter)."""
    at = app_at(LEADS, campaign="3", size="25")
    at.query_params["status"] = "Caution"
    at.query_params["dir"] = "asc"
    at.run()
    at.run()
    assert not at.exception and not at.warning
    status = at.multiselect(key=keys.LEADS_STATUS).proto
    assert status.set_value and list(status.raw_values) == ["Caution"]
    order = at.selectbox(key=keys.LEADS_ORDER).proto
    assert order.set_value and order.raw_value == "Oldest first"
    size = at.selectbox(key=keys.LEADS_PAGE_SIZE).proto
    assert size.set_value and size.raw_value == "25"
