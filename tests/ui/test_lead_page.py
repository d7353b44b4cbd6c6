"""The Lead page: profile panel, every tab for the showcase lead, roles, errors, caching."""

from __future__ import annotations

import base64
import contextlib
import re
from collections import Counter
from html import unescape
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from lib.convertr import ConvertrClient
from lib.palette import STATUS_BADGE_COLOURS
from lib.ui import keys, lead_page, pages
from lib.views.lead import LEAD_TABS, NO_ASSOCIATED
from lib.views.url_params import PARAM_TAB
from tests.support.apptest import (
    PROJECT_ROOT,
    AppTransport,
    app_at,
    hydra_error,
    is_request,
    tab,
    tab_without_opening,
    texts,
)

LEAD = pages.LEAD
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SHOWCASE = "100001"


def test_deep_link_opens_the_lead_with_its_profile_panel(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    lead = api.lead(int(SHOWCASE))
    assert at.title[0].value == f"Lead {SHOWCASE}"
    assert [item.label for item in at.tabs] == list(LEAD_TABS)
    panel = texts(at.main)
    assert lead.first_name and lead.first_name in panel
    assert lead.company and lead.company in panel.replace("\\", "")
    assert "Details" in panel and "Lead ID" in panel and "Entry Point" in panel
    colour = STATUS_BADGE_COLOURS[lead.processr_status]
    assert any(
        element.value.startswith(f":{colour}-badge[")
        and element.value.endswith(f" {lead.processr_status}]")
        for element in at.markdown
    ), "the status is a badge in the status colour"
    assert at.get("image"), "the Full Contact photo is shown"
    assert len(at.get("link_button")) >= 2, "the social links are shown"
    assert _maps(at), "a map of the capture place"
    (progress,) = at.progress
    assert progress.value == round(100 * lead.score / lead.max_score)


def test_profile_tab_shows_publisher_data_enrichment_and_transforms(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    profile = tab(at, "Profile")
    publisher = profile.dataframe[0].value
    assert list(publisher["Field"][:4]) == ["Title", "First Name", "Last Name", "Email"]
    (chooser,) = profile.get("button_group")
    assert len(profile.dataframe) == 2, "Publisher Data and one further block: two grids"
    values = list(api.lead_datas(int(SHOWCASE)))
    transformed = [item for item in values if item.source == "transform"]
    frames = {}
    for option in chooser.options:
        title, count = option.rsplit(" · ", 1)
        at.button_group(key=chooser.key).set_value(title).run()
        frame = tab(at, "Profile").dataframe[1].value
        assert len(frame) == int(count), f"{title}: the count its option shows"
        frames[title] = frame
    assert {"Enrichment", "Value transforms"} <= set(frames)
    assert "Full Contact" in set(frames["Enrichment"]["Provider"])
    transforms = frames["Value transforms"]
    shown = {(row["Original value"], row["Transformed value"]) for _, row in transforms.iterrows()}
    assert len(transforms) == len(transformed) >= 2, "country and job title, at least"
    assert ("vp it", "VP of IT") in shown and ("uk", "United Kingdom") in shown


def test_the_profile_block_chosen_is_kept_while_another_tab_is_open() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    key = keys.lead_profile_block(int(SHOWCASE))
    at.button_group(key=key).set_value("Enrichment").run()
    tab(at, "Notes")
    profile = tab(at, "Profile")
    assert at.button_group(key=key).value == "Enrichment"
    assert "Provider" in profile.dataframe[1].value.columns, "its table shown again"


def test_associated_campaigns_tab(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    associated = tab(at, "Associated Campaigns")
    lead = api.lead(int(SHOWCASE))
    assert lead.email
    others = {item.campaign_id for item in api.leads_by_email(lead.email)} - {lead.campaign_id}
    assert len(others) >= 3
    other_leads = {item.id for item in api.leads_by_email(lead.email)} - {lead.id}
    table = associated.dataframe[0]
    frame = table.value
    assert set(frame["Lead ID"]) == other_leads
    assert set(frame["Campaign"]) == {api.campaign(campaign).name for campaign in others}
    from lib.views.lead import ASSOCIATED_COLUMNS
    from lib.views.reading import ASSOCIATED_DEFAULT_COLUMNS

    assert list(table.proto.column_order) == list(ASSOCIATED_DEFAULT_COLUMNS), "shown first"
    assert list(frame.columns) == list(ASSOCIATED_COLUMNS), (
        "the other columns are sent, to be shown from the table's column menu"
    )
    (picture,) = [html for html in associated.get("html") if "<img" in html.proto.body]
    assert "data:image/svg+xml;base64," in picture.proto.body and "title=" in picture.proto.body
    assert not at.get("vega_lite_chart"), "the weekly chart is a picture, no Vega-Lite"


def test_associated_campaigns_empty_state(api: ConvertrClient) -> None:
    lonely = next(
        lead
        for lead in api.leads_page(1, items_per_page=100).items
        if lead.email and len(api.leads_by_email(lead.email)) == 1
    )
    at = app_at(LEAD, lead=str(lonely.id)).run()
    assert not at.exception
    assert NO_ASSOCIATED in texts(tab(at, "Associated Campaigns"))


def test_job_details_tab_counts_outcomes(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    jobs = tab(at, "Job Details")
    frame = jobs.dataframe[0].value
    lead = api.lead(int(SHOWCASE))
    assert len(frame) == len(api.campaign_processr_jobs([lead.campaign_id]))
    assert not jobs.metric, "the figures are one HTML row, not the metric's JavaScript"
    metrics = _figures(jobs)
    for outcome in ("Passed", "Failed", "Not run"):
        assert metrics[outcome] == str((frame["Outcome"] == outcome).sum())
    assert metrics["Score"] == f"{lead.score} / {lead.max_score}"
    why = " ".join(text.value for text in jobs.text)
    assert why.startswith(f"Caution: {lead.score} of {lead.max_score} points")
    assert "HLR Live Telephone Check (-15)" in why


def _figures(element: Any) -> dict[str, str]:
    """The figures of the `lead_extras.figures_html` rows in `element`, label to value."""
    (body,) = [html.proto.body for html in element.get("html") if "lead-figures" in html.proto.body]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body)
    return {unescape(label): unescape(value) for label, value in pairs}


def test_figures_are_escaped_text() -> None:
    from lib.ui.lead_extras import figures_html

    body = figures_html(
        [("<b>Passed</b>", '<img src=x onerror="alert(1)">'), ("Score", "85 / 100")]
    )
    assert "<b>" not in body and "<img" not in body
    assert re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", body)[1] == ("Score", "85 / 100")
    assert unescape(re.findall(r"<dd>(.*?)</dd>", body)[0]) == '<img src=x onerror="alert(1)">'


def _payloads(element: Any) -> list[str]:
    return [html.proto.body for html in element.get("html") if "lead-payload" in html.proto.body]


def test_a_provider_payload_is_escaped_text() -> None:
    from lib.ui.lead_extras import payload_html

    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & "q"'
    assert payload_html(hostile) == (
        '<pre class="lead-payload"><code>&lt;script&gt;alert(1)&lt;/script&gt;'
        "&lt;img src=x onerror=alert(2)&gt; &amp; &quot;q&quot;</code></pre>"
    )


def test_log_tabs_and_notes() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    processr = tab(at, "Processr Logs").dataframe[0].value
    assert len(processr) > 0 and list(processr.columns)[:3] == ["Time", "Level", "Job"]
    provider = tab(at, "Provider Logs")
    blocks = _payloads(provider)
    assert blocks, "each provider answer is shown as a code block"
    assert any(block.startswith('<pre class="lead-payload"><code>{\n  ') for block in blocks)
    assert not provider.code, "no st.code: its syntax highlighter is 1.5 MB of JavaScript"
    notes = tab(at, "Notes").dataframe[0].value
    assert len(notes) > 0 and set(notes.columns) >= {"Time", "Type", "Author", "Message"}
    edit = tab(at, "Edit Data")
    assert edit.get("arrow_data_frame") or edit.dataframe


def test_masked_user_is_told_provider_logs_are_hidden() -> None:
    at = app_at(LEAD, lead=SHOWCASE)
    at.session_state[keys.DEMO_USER] = "masked@sandbox.test"
    at.run()
    assert not at.exception
    provider = tab(at, "Provider Logs")
    assert "cannot see provider logs" in texts(provider)
    assert not provider.code and not _payloads(provider)
    assert tab(at, "Processr Logs").dataframe, "other tabs still work"


def test_unknown_and_malformed_lead_ids() -> None:
    at = app_at(LEAD, lead="999999999").run()
    assert not at.exception
    assert "Lead 999999999 was not found" in at.error[0].value
    assert "Back to the campaigns" in [link.value for link in at.page_link]

    at = app_at(LEAD, lead="abc").run()
    assert not at.exception
    assert "no valid lead id" in at.error[0].value
    assert "The link gave: 'abc'" in [text.value for text in at.text]

    at = app_at(LEAD).run()
    assert not at.exception
    assert "no valid lead id" in at.error[0].value


def test_a_crafted_lead_link_is_echoed_as_text_never_as_markdown() -> None:
    crafted = "[Sign in again](https://evil.example/login)"
    at = app_at(LEAD, lead=crafted).run()
    assert not at.exception
    assert "evil.example" not in at.error[0].value
    assert f"The link gave: {crafted!r}" in [text.value for text in at.text]


def test_a_failed_part_shows_in_its_tab_with_retry_and_the_rest_works(
    app_transport: AppTransport,
) -> None:
    app_transport.answer = lambda request: (
        hydra_error(500) if is_request(request, "GET", "lead-notes") else None
    )
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert "Could not load this tab" in tab(at, "Notes").error[0].value
    assert tab(at, "Job Details").dataframe, "the other tabs are filled"
    app_transport.answer = None
    tab(at, "Notes").button(key=keys.lead_retry("notes", "Notes")).click().run()
    assert not at.exception
    assert tab(at, "Notes").dataframe, "after Retry the notes load"


def test_unreachable_api_shows_one_banner(monkeypatch: Any) -> None:
    monkeypatch.setenv("CONVERTR_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CONVERTR_USERNAME", "someone@example.test")
    monkeypatch.setenv("CONVERTR_PASSWORD", "not-shown-anywhere")
    monkeypatch.setenv("CONVERTR_SHARED_LOGIN", "true")  # else each visitor signs in
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    (banner,) = at.error
    assert "Cannot load data from Convertr" in banner.value
    assert "127.0.0.1:9" in banner.value
    assert "not-shown-anywhere" not in texts(at.main) + texts(at.sidebar)


def test_switching_tabs_and_rerunning_sends_no_request() -> None:
    at = app_at(LEAD, lead=SHOWCASE, campaign="1").run()
    first = at.session_state[keys.REQUEST_COUNT]
    at.run()
    assert not at.exception
    assert at.session_state[keys.REQUEST_COUNT] == first


def test_refresh_loads_the_lead_again() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    first = at.session_state[keys.REQUEST_COUNT]
    at.button(key=keys.LEAD_REFRESH).click().run()
    assert not at.exception
    assert at.session_state[keys.REQUEST_COUNT] > first


def test_an_unexpected_failure_in_one_tab_never_shows_a_traceback() -> None:
    with patch("lib.views.lead.job_table", side_effect=RuntimeError("boom")):
        at = app_at(LEAD, lead=SHOWCASE).run()
        jobs = tab(at, "Job Details")
    assert not at.exception
    assert "Something went wrong while showing the Job Details tab" in jobs.error[0].value
    assert "boom" not in texts(at.main)
    assert tab(at, "Notes").dataframe, "the other tabs are filled"


def test_times_are_shown_in_the_viewers_zone(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE)
    at.context = {"timezone": "America/New_York"}
    at.run()
    assert not at.exception
    assert "Times shown in America/New_York." in [item.value for item in at.sidebar.caption]
    lead = api.lead(int(SHOWCASE))
    local = lead.created_ts.astimezone(ZoneInfo("America/New_York")).strftime("%d %b %Y %H:%M")
    assert local in [item.value for item in at.text]


def test_derived_status_masked_values_and_format_warnings_are_shown_for_what_they_are(
    writable_db: Any, monkeypatch: Any
) -> None:
    """A lead as a real enterprise may send it: a status code in no table, masked personal
    values and a field in an unexpected shape. The lead still shows, each marked."""
    import sqlite3

    from lib.presentation import MASKED_LABEL, MASKED_VALUE

    with sqlite3.connect(writable_db) as db:
        db.execute(
            "UPDATE leads SET processr_status = '1500', score = 85, max_score = 100,"
            " hardfail = 0, email = ?, telephone = ?, address_line1 = ?, ip = ?, dob = 'soon'"
            " WHERE id = ?",
            (MASKED_VALUE, MASKED_VALUE, MASKED_VALUE, MASKED_VALUE, int(SHOWCASE)),
        )
        db.execute(
            "UPDATE lead_datas SET value = ? WHERE lead_id = ? AND name IN ('email', 'telephone')",
            (MASKED_VALUE, int(SHOWCASE)),
        )
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    badges = [item.value for item in at.markdown if "-badge[" in item.value]
    assert any(value.endswith(" Caution (derived)]") for value in badges), badges
    assert any("status code 1500" in item.value for item in at.caption), "the note beside it"
    # Masked values: never the token, never empty; muted in the panel.
    assert MASKED_LABEL in [item.value for item in at.caption]
    assert MASKED_VALUE not in texts(at.main)
    publisher = tab(at, "Profile").dataframe[0].value
    shown = dict(zip(publisher["Field"], publisher["Value"], strict=True))
    assert shown["Email"] == shown["Telephone"] == MASKED_LABEL
    # The field the API sent in an unexpected shape, listed in a small expander.
    (expander,) = [item for item in at.expander if "unexpected shape" in item.label]
    assert expander.label == "The API sent 1 field in an unexpected shape"
    assert "Lead.dob: expected a date or null, got a string" in [t.value for t in expander.text]


# -- lazy tabs (issue 18): only the open tab's body runs and is sent ---------------------------


def _counting_bodies(monkeypatch: Any) -> Counter[str]:
    """Count each tab body's calls (the page looks its bodies up on every run)."""
    from lib.ui import lead_page

    calls: Counter[str] = Counter()

    def counted(name: str, body: Any) -> Any:
        def run(*args: Any) -> None:
            calls[name] += 1
            body(*args)

        return run

    monkeypatch.setattr(
        lead_page,
        "TAB_BODIES",
        tuple(
            counted(name, body) for name, body in zip(LEAD_TABS, lead_page.TAB_BODIES, strict=True)
        ),
    )
    return calls


def test_a_closed_tabs_body_does_not_run(monkeypatch: Any) -> None:
    calls = _counting_bodies(monkeypatch)
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert calls == Counter({"Profile": 1}), "the first view runs the Profile tab only"
    assert not tab_without_opening(at, "Notes").dataframe, "a closed tab sends nothing"
    for name in ("Job Details", "Timeline", "Profile"):
        calls.clear()
        tab(at, name)
        assert calls == Counter({name: 1}), f"opening {name} runs its body alone"


def test_a_link_opens_the_tab_it_names_and_the_url_follows_the_open_tab(
    monkeypatch: Any,
) -> None:
    calls = _counting_bodies(monkeypatch)
    at = app_at(LEAD, lead=SHOWCASE, tab="Job Details").run()
    assert not at.exception
    assert calls == Counter({"Job Details": 1}), "a link to a tab runs that tab's body alone"
    assert at.query_params[PARAM_TAB] == "Job Details"
    tab(at, "Profile")
    assert PARAM_TAB not in at.query_params, "the first tab needs no parameter"


def test_a_tab_the_page_does_not_know_opens_profile() -> None:
    for asked in ("", "job details", "<img src=x onerror=alert(1)>", "Profile", "Notes!"):
        at = app_at(LEAD, lead=SHOWCASE, tab=asked).run()
        assert not at.exception, repr(asked)
        assert tab_without_opening(at, "Profile").children, repr(asked)
        assert at.query_params[PARAM_TAB] == asked, "left as given: a rewrite adds a history entry"
        assert "onerror" not in texts(at.main), "the unknown name is not shown back"


def test_another_lead_opens_on_the_tab_its_link_names_not_the_last_one_open() -> None:
    at = app_at(LEAD, lead=SHOWCASE, tab="Timeline").run()
    assert tab_without_opening(at, "Timeline").children
    # The same session opens another lead from a link without a tab (the sidebar, a row).
    at.query_params.clear()
    at.query_params["lead"] = "100002"
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Lead 100002")
    assert tab_without_opening(at, "Profile").children, "a link without a tab opens Profile"
    assert PARAM_TAB not in at.query_params
    at.query_params["lead"] = SHOWCASE
    at.query_params[PARAM_TAB] = "Notes"
    at.run()
    assert tab_without_opening(at, "Notes").children, "a link naming Notes opens Notes"


def test_a_tab_switch_sends_no_request_and_draws_from_the_cache() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    sent = at.session_state[keys.REQUEST_COUNT]
    for name in LEAD_TABS:
        opened = tab(at, name)
        assert not at.exception
        assert opened.children, f"{name} is drawn"
        assert at.session_state[keys.REQUEST_COUNT] == sent, f"opening {name} sent a request"


def test_the_first_view_builds_no_figure_of_a_closed_tab(monkeypatch: Any) -> None:
    from lib.ui import lead_page, timeline_tab

    built: Counter[str] = Counter()
    for module, name in ((lead_page, "weekly_leads_html"), (timeline_tab, "processing_html")):
        original = getattr(module, name)

        def counted(*args: Any, _name: str = name, _original: Any = original) -> Any:
            built[_name] += 1
            return _original(*args)

        monkeypatch.setattr(module, name, counted)
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert not built, "no figure of a closed tab is built"
    assert not at.get("plotly_chart") and not at.get("vega_lite_chart"), "no chart is sent"
    assert _maps(at), "the panel's map is"
    tab(at, "Associated Campaigns")
    assert built == Counter({"weekly_leads_html": 1})
    for name in ("Timeline", "Profile", "Associated Campaigns", "Timeline"):
        tab(at, name)
    again = app_at(LEAD, lead=SHOWCASE).run()  # the same person's next browser session
    tab(again, "Timeline")
    tab(again, "Associated Campaigns")
    assert built == Counter({"weekly_leads_html": 1, "processing_html": 1}), (
        "each figure built once per loaded dossier, not per run or per session"
    )


def test_no_lead_tab_draws_a_chart_library() -> None:
    """Every Lead picture is drawn on the server (map, weekly leads, processing): no tab
    makes the browser load Vega-Lite's or plotly's JavaScript (issue 18)."""
    at = app_at(LEAD, lead=SHOWCASE).run()
    for name in LEAD_TABS:
        opened = tab(at, name)
        assert not at.exception
        assert not opened.get("vega_lite_chart") and not opened.get("plotly_chart"), name
    assert any("data:image/svg+xml" in str(part.proto) for part in tab(at, "Timeline").get("html"))


def test_a_closed_tabs_choices_are_kept() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    lead_id = int(SHOWCASE)
    tab(at, "Timeline")
    at.text_input(key=keys.timeline_search(lead_id)).input("Full Contact").run()
    at.segmented_control(key=keys.timeline_newest(lead_id)).set_value("Newest first").run()
    tab(at, "Profile")
    tab(at, "Timeline")
    assert at.text_input(key=keys.timeline_search(lead_id)).value == "Full Contact"
    assert at.segmented_control(key=keys.timeline_newest(lead_id)).value == "Newest first"


def test_a_second_visitor_of_the_same_role_reads_no_reference_data_again(
    app_transport: AppTransport, api: ConvertrClient
) -> None:
    sent: list[str] = []

    def record(request: Any) -> None:
        sent.append(f"{request.url.path}?{request.url.query.decode()}")

    app_transport.answer = record
    campaign_id = api.lead(int(SHOWCASE)).campaign_id
    other = next(
        lead.id
        for lead in api.leads_page(campaign_id, items_per_page=5).items
        if lead.id != int(SHOWCASE)
    )
    reference = (
        f"/api/v4/campaigns/{campaign_id}?",
        "/api/v4/campaign-processr-jobs?",
        "/api/v4/lead-editable-fields?",
        f"/api/v4/campaign-publishers?campaign.id={campaign_id}",
    )
    assert not app_at(LEAD, lead=SHOWCASE).run().exception
    assert all(any(url.startswith(start) for url in sent) for start in reference)
    sent.clear()
    second = app_at(LEAD, lead=str(other)).run()  # a new browser session, the same role
    assert not second.exception
    assert f"/api/v4/leads/{other}?" in sent, "its own lead is loaded"
    assert not [url for url in sent if url.startswith(reference)], "no reference data again"
    assert tab(second, "Edit Data").dataframe, "the editable fields are there"


def test_no_csv_is_built_until_its_download_is_pressed(monkeypatch: Any) -> None:
    from lib.presentation import csv_bytes

    built: list[int] = []

    def counted(frame: Any) -> bytes:
        built.append(len(frame))
        return csv_bytes(frame)

    monkeypatch.setattr("lib.ui.widgets.csv_bytes", counted)
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert at.get("download_button"), "the tables offer their CSV"
    assert not built, "built only when pressed"


def test_the_lead_page_imports_no_audit_engine() -> None:
    """Cold start (issue 18): the Lead page of a session that ran no audit never imports the
    audit engine (half a second of imports)."""
    import subprocess
    import sys

    code = (
        "import sys, lib.ui.lead_page; "
        "print(sorted(m for m in sys.modules if m.startswith(('lib.audit', 'duckdb'))))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    ).stdout.strip()
    assert shown == "[]"


def _maps(at: Any) -> list[str]:
    """The SVG of each map picture the page sent."""
    return [
        base64.b64decode(picture.url.partition(",")[2]).decode()
        for image in at.get("image")
        for picture in image.proto.imgs
        if picture.alt == lead_page.MAP_ALT
    ]


def test_the_capture_place_is_mapped_from_the_apps_own_outlines_and_said_in_words() -> None:
    """The map is a picture drawn from the country outlines the app ships (never a CDN or a
    tile server, and no plotly on the first view), and the place is said in words too."""
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    (svg,) = _maps(at)
    assert svg.startswith("<svg") and "http" not in svg.replace(SVG_NAMESPACE, "")
    (land, borders) = re.findall(r'<path d="([^"]*)"', svg)
    assert land.count("M") > 20 and borders.count("M") > 10, "the land and borders around it"
    assert "<circle" in svg, "a dot on the place"
    assert "Where the lead was captured:" in [item.value for item in at.main.caption]


def test_notes_and_timeline_share_one_order_control() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    lead_id = int(SHOWCASE)
    tab(at, "Notes")
    notes = at.segmented_control(key=keys.LEAD_NOTES_ORDER)
    tab(at, "Timeline")
    timeline = at.segmented_control(key=keys.timeline_newest(lead_id))
    assert (notes.label, list(notes.options)) == (timeline.label, list(timeline.options))
    assert list(notes.options) == ["Newest first", "Oldest first"]
    assert (notes.value, timeline.value) == ("Newest first", "Oldest first"), (
        "notes read newest first, the timeline as the lead's story"
    )


class _Rerun(Exception):
    """What the fake `st.rerun` raises, with the scope it was asked for."""


def _confirm_with(
    monkeypatch: Any, fragment_ids: list[str], state: object, session: Any
) -> list[str]:
    """Run `frame.confirm_signed_in` as in a run with these fragment ids, the sign-in check
    answering `state`; the scopes of the reruns it asked for."""
    from types import SimpleNamespace

    from lib.ui import frame

    checked: list[str] = []
    reruns: list[str] = []

    def state_for_this_run(_settings: object, _config: object) -> object:
        checked.append("checked")
        return state

    def rerun(*, scope: str = "app") -> None:
        reruns.append(scope)
        raise _Rerun(scope)

    monkeypatch.setattr(
        frame, "get_script_run_ctx", lambda: SimpleNamespace(fragment_ids_this_run=fragment_ids)
    )
    monkeypatch.setattr(frame, "_settings", lambda: (None, None))
    monkeypatch.setattr(frame, "_state_for_this_run", state_for_this_run)
    monkeypatch.setattr("streamlit.rerun", rerun)
    with contextlib.suppress(_Rerun):
        frame.confirm_signed_in(session)
    return checked + reruns


def test_the_tabs_are_a_fragment_whose_own_rerun_checks_the_sign_in(monkeypatch: Any) -> None:
    """A tab switch reruns the tabs alone (a fragment); such a rerun checks the idle
    timeout and the sign-in as a page's run does, and reruns the whole page unless the same
    person is still signed in."""
    from lib.convertr.session import SignedIn, SignedOut
    from lib.ui.frame import Session

    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    signed_in = at.session_state[keys.IDENTITY]
    assert isinstance(signed_in, SignedIn)
    session = Session(
        connection=None,  # type: ignore[arg-type]
        user=signed_in.identity.user,
        zone=ZoneInfo("UTC"),
        identity=signed_in.identity,
    )
    assert hasattr(lead_page._tabs_part, "__wrapped__"), "the tabs are drawn by a fragment"
    # A whole page's run has just checked: nothing is checked twice.
    assert _confirm_with(monkeypatch, [], signed_in, session) == []
    # The tabs' own rerun, the same person still signed in: the tabs are drawn.
    assert _confirm_with(monkeypatch, ["tabs"], signed_in, session) == ["checked"]
    # Idle, or signed out in another tab: the whole page runs again (the sign-in page).
    signed_out = SignedOut(email=signed_in.identity.email, reason="idle")
    assert _confirm_with(monkeypatch, ["tabs"], signed_out, session) == ["checked", "app"]
