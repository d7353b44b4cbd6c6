"""The audit workbench on the Lead page (issue 13): the Timeline tab, value sources on the
Profile, the same person elsewhere, the evidence pack, and the request inspector on every
page; each with a part that failed."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from lib.connect import SANDBOX_PASSWORD as DEMO_PASSWORD
from lib.convertr import ConvertrClient, LeadDossier, load_dossier
from lib.convertr.models import LogEntry
from lib.evidence import PackAuthor, verify_pack
from lib.ui import cached_api, keys, pages, workbench
from lib.views.lead import LEAD_TABS, TAB_TIMELINE
from lib.views.url_params import PARAM_TAB
from tests.support.apptest import (
    AppTransport,
    app_at,
    hydra_error,
    is_request,
    tab,
    tab_without_opening,
    texts,
)

LEAD = pages.LEAD
SHOWCASE = "100001"
LOG_LINES = 2_000


def _patch_dossier(monkeypatch: pytest.MonkeyPatch, change: Callable[[LeadDossier], Any]) -> None:
    """Every dossier the page loads passes through `change` (which returns the new one)."""

    def load(client: ConvertrClient, lead_id: int, **hints: Any) -> LeadDossier:
        dossier: LeadDossier = change(load_dossier(client, lead_id, **hints))
        return dossier

    monkeypatch.setattr(cached_api, "load_dossier", load)


def _with_many_logs(dossier: LeadDossier) -> LeadDossier:
    """The dossier with `LOG_LINES` more Processr log lines, a second apart."""
    lead = dossier.lead
    extra = [
        LogEntry.model_validate(
            {
                "id": 900_000 + index,
                "lead": f"/api/v4/leads/{lead.id}",
                "type": "processr",
                "level": "warning" if index % 10 == 0 else "info",
                "message": f"Retry {index}: <b>provider</b> queue busy",
                "createdTs": lead.created_ts + timedelta(seconds=index),
            }
        )
        for index in range(LOG_LINES)
    ]
    return dataclasses.replace(dossier, processr_logs=[*(dossier.processr_logs or []), *extra])


# -- Timeline -------------------------------------------------------------------------------


def test_the_timeline_tab_follows_notes_with_its_chart_and_stream() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    assert list(LEAD_TABS).index(TAB_TIMELINE) == list(LEAD_TABS).index("Notes") + 1
    timeline = tab(at, TAB_TIMELINE)
    (chart,) = [html for html in timeline.get("html") if "<img" in html.proto.body]
    assert "data:image/svg+xml;base64," in chart.proto.body, "the processing chart is drawn"
    (frame,) = [item.value for item in timeline.dataframe]
    kinds = set(frame["Kind"])
    assert {"Capture", "Job", "Provider call", "Status"} <= kinds
    assert set(frame["Tab"]) <= set(LEAD_TABS), "each entry names the tab holding its detail"
    assert list(frame["Time"]) == sorted(frame["Time"]), "oldest first by default"
    assert f"{len(frame)} of {len(frame)} entries" in texts(timeline)
    # Each kind a toggle with its count, none chosen (every kind shown).
    (kinds_control,) = [
        group for group in timeline.get("button_group") if "Kinds" in group.proto.label
    ]
    shown = [option.content for option in kinds_control.proto.options]
    assert sorted(shown) == sorted(f"{k} · {n}" for k, n in Counter(frame["Kind"]).items())
    assert not kinds_control.proto.default


def test_the_timeline_filters_by_kind_and_text_and_turns_newest_first() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    lead_id = int(SHOWCASE)
    tab(at, TAB_TIMELINE)
    at.button_group(key=keys.timeline_kinds(lead_id)).set_value(["job"]).run()
    frame = tab(at, TAB_TIMELINE).dataframe[0].value
    assert set(frame["Kind"]) == {"Job"}
    at.segmented_control(key=keys.timeline_newest(lead_id)).set_value("Newest first").run()
    newest = tab(at, TAB_TIMELINE).dataframe[0].value
    assert list(newest["What"]) == list(reversed(list(frame["What"])))
    at.text_input(key=keys.timeline_search(lead_id)).input("no such text anywhere").run()
    assert not at.exception
    assert "No entry matches these filters." in texts(tab(at, TAB_TIMELINE))


def test_a_failed_part_is_named_on_the_timeline_and_the_rest_shows(
    app_transport: AppTransport,
) -> None:
    app_transport.answer = lambda request: (
        hydra_error(500)
        if is_request(request, "GET", "logs") and request.url.params.get("type") == "provider"
        else None
    )
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    timeline = tab(at, TAB_TIMELINE)
    (warning,) = timeline.warning
    assert "Not in the timeline: provider calls" in warning.value.replace("\\", "")
    frame = timeline.dataframe[0].value
    assert "Provider call" not in set(frame["Kind"]) and "Job" in set(frame["Kind"])


def test_opening_an_entrys_tab_selects_that_tab() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    tab(at, TAB_TIMELINE)
    at.session_state[keys.timeline_table(int(SHOWCASE))] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    button = at.button(key=keys.timeline_open(int(SHOWCASE)))
    assert button.label == "Open the Profile tab", "the first entry is the capture"
    button.click().run()
    assert not at.exception
    assert at.session_state[keys.LEAD_TABS] == "Profile"
    assert "Publisher Data" in texts(tab(at, "Profile")), "the Profile tab is drawn"
    assert not tab_without_opening(at, TAB_TIMELINE).dataframe, "the Timeline no longer is"


def test_an_entrys_tab_opened_from_the_timeline_is_written_to_the_url() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    (frame,) = [item.value for item in tab(at, TAB_TIMELINE).dataframe]
    row = list(frame["Tab"]).index("Job Details")
    at.session_state[keys.timeline_table(int(SHOWCASE))] = {
        "selection": {"rows": [row], "columns": [], "cells": []}
    }
    at.run()
    assert at.query_params[PARAM_TAB] == TAB_TIMELINE
    at.button(key=keys.timeline_open(int(SHOWCASE))).click().run()
    assert not at.exception
    assert tab_without_opening(at, "Job Details").children, "the Job Details tab is drawn"
    assert at.query_params[PARAM_TAB] == "Job Details", "a reload opens it again"


def test_a_lead_with_2000_log_lines_shows_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_dossier(monkeypatch, _with_many_logs)
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    frame = tab(at, TAB_TIMELINE).dataframe[0].value
    assert (frame["Kind"] == "Processr log").sum() >= LOG_LINES
    assert "<b>provider</b>" in set(frame["What"]) or any(
        "<b>provider</b>" in text for text in frame["What"]
    ), "text stays plain"


# -- Provenance -----------------------------------------------------------------------------


def _unrecorded_edit(dossier: LeadDossier) -> LeadDossier:
    """The job title marked edited, with no note recording who did it."""
    values = [
        item.model_copy(update={"source": "edited"}) if item.name == "jobTitle" else item
        for item in dossier.lead_data or []
    ]
    return dataclasses.replace(dossier, lead_data=values)


def test_profile_values_show_their_source_and_a_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_dossier(monkeypatch, _unrecorded_edit)
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    profile = tab(at, "Profile")
    publisher = profile.dataframe[0].value
    assert list(publisher.columns[:2]) == ["Field", "Source"]
    assert publisher.set_index("Field").loc["First Name", "Source"] == "Captured"
    assert publisher.set_index("Field").loc["Job Title", "Source"].startswith("⚠ Edited")
    shown = texts(profile)
    assert "1 value changed outside the audit trail" in shown
    assert "Job Title: Marked as edited, but no note records who edited it or when." in shown
    (details,) = [item for item in profile.expander if item.label == "Where each value came from"]
    assert not details.children, "closed: the table is not built"
    at.session_state[keys.profile_sources_open(int(SHOWCASE))] = True
    at.run()
    (details,) = [item for item in at.expander if item.label == "Where each value came from"]
    assert {"Source", "By", "Detail", "Flag"} <= set(details.dataframe[0].value.columns)


# -- Signals --------------------------------------------------------------------------------


def signals_section(at: Any) -> Any:
    """The Associated Campaigns tab with its signals section opened."""
    tab(at, "Associated Campaigns")
    at.session_state[keys.lead_signals_open(int(SHOWCASE))] = True
    at.run()
    return tab(at, "Associated Campaigns")


def test_signals_show_clusters_with_their_sentence() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    associated = signals_section(at)
    section = texts(associated)
    assert any(item.label.startswith("The same person elsewhere") for item in associated.expander)
    assert "leads with the same email address within" in section
    frames = [item.value for item in associated.dataframe]
    signals = next(frame for frame in frames if "Signal" in frame.columns)
    assert {"Lead ID", "Campaign ID", "Status", "Captured"} <= set(signals.columns)
    assert int(SHOWCASE) not in set(signals["Lead ID"]), "the lead itself is not listed"


def test_a_signal_the_api_cannot_filter_on_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    from lib import signal_search

    monkeypatch.setattr(signal_search, "supports", lambda _filters, name: name != "ip")
    at = app_at(LEAD, lead=SHOWCASE).run()
    section = texts(signals_section(at))
    assert "offers no leads filter for the IP address (`ip`)" in section


def test_a_failed_signal_search_is_said_and_the_rest_shows(app_transport: AppTransport) -> None:
    app_transport.answer = lambda request: (
        hydra_error(500)
        if is_request(request, "GET", "leads") and "emailHash" in request.url.params
        else None
    )
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    associated = signals_section(at)
    assert any("The search by email failed" in item.value for item in associated.warning)
    assert "leads with the same email address" in texts(associated), (
        "the same-email leads of the dossier still cluster"
    )


# -- Evidence pack --------------------------------------------------------------------------


def test_the_first_view_searches_no_signal(app_transport: AppTransport) -> None:
    searched: list[str] = []

    def record(request: Any) -> None:
        if is_request(request, "GET", "leads") and set(request.url.params) & {
            "ip",
            "fingerprint",
            "emailHash",
            "telephone",
        }:
            searched.append(str(request.url))

    app_transport.answer = record
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    tab(at, "Associated Campaigns")
    assert not searched, "signals are searched when their section is first opened"
    signals_section(at)
    assert searched
    sent = len(searched)
    tab(at, "Profile")
    signals_section(at)
    assert len(searched) == sent, "then they come from the cache"


def test_the_evidence_pack_searches_the_signals_when_pressed(api: ConvertrClient) -> None:
    dossier = load_dossier(api, int(SHOWCASE))
    pack = workbench._pack_when_pressed(
        api, dossier, PackAuthor.of(api.current_user()), "Sandbox", "Europe/London"
    )
    assert verify_pack(pack).ok
    report = zipfile.ZipFile(io.BytesIO(pack)).read("report.html").decode()
    assert "same email address" in report


def test_the_evidence_pack_button_builds_a_pack_that_verifies(api: ConvertrClient) -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not at.exception
    button = at.get("download_button")
    assert any(item.proto.id and "Evidence pack" in item.proto.label for item in button)
    assert workbench.evidence_file_name(int(SHOWCASE)) == "lead-100001-evidence.zip"
    dossier = load_dossier(api, int(SHOWCASE))
    pack = workbench._pack(
        dossier, None, PackAuthor.of(api.current_user()), "Sandbox", "Europe/London"
    )
    assert verify_pack(pack).ok
    names = zipfile.ZipFile(io.BytesIO(pack)).namelist()
    assert "report.html" in names and "manifest.json" in names


# -- Request inspector ----------------------------------------------------------------------


def _inspector(at: Any) -> Any:
    return next(item for item in at.expander if item.label == "Request inspector")


@pytest.mark.parametrize(
    ("page", "query", "path"),
    [
        (None, {}, "/api/v4/campaigns"),
        (pages.LEADS, {"campaign": "1"}, "/api/v4/leads"),
        (LEAD, {"lead": SHOWCASE}, f"/api/v4/leads/{SHOWCASE}"),
    ],
)
def test_every_page_has_the_inspector(page: str | None, query: dict[str, str], path: str) -> None:
    at = app_at(page, **query)
    at.session_state[keys.INSPECTOR_EXPANDER] = True  # opened (its content is built only then)
    at.run()
    assert not at.exception
    inspector = _inspector(at)
    frame = inspector.dataframe[0].value
    assert path in set(frame["Path"])
    assert set(frame["From cache"]) == {"no"}
    assert "API requests since start" not in texts(at.sidebar), "the old counter is gone"
    at.run()
    again = _inspector(at)
    assert any("from the cache" in item.value for item in at.caption), "the figures under it"
    assert set(again.dataframe[0].value["From cache"]) == {"yes"}, "a rerun sends nothing"


def test_after_a_user_switch_the_inspector_shows_only_this_identitys_requests() -> None:
    email = "olivia.bennett%40harbourline-analytics.co.uk"  # as the query spells it
    at = app_at(LEAD, lead=SHOWCASE)
    at.session_state[keys.INSPECTOR_EXPANDER] = True
    at.run()
    before = _inspector(at).dataframe[0].value
    assert any(email in query for query in before["Query"]), "the analyst's own requests"
    at.selectbox(key=keys.DEMO_USER).select("masked@sandbox.test").run()
    assert not at.exception
    frame = _inspector(at).dataframe[0].value
    shown = frame.to_csv()
    assert email not in shown and "olivia" not in shown.lower()
    assert frame["#"].is_unique, "one client's numbers, not two identities' mixed"
    assert "emailHash" in " ".join(frame["Query"]), "the masked user's own search, by the hash"


def test_a_masked_users_inspector_never_shows_a_personal_value_in_a_query() -> None:
    from lib.ui.inspector import masked_query

    assert masked_query("email=a%40b.example&campaign.id=3&search%5B%5D=olivia") == (
        "email=%5Bmasked%5D&campaign.id=3&search%5B%5D=%5Bmasked%5D"
    )
    assert masked_query("") == ""


def test_the_closed_inspector_builds_nothing_and_opening_it_sends_nothing() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    assert not _inspector(at).children, "closed: no table, no waterfall"
    sent = at.session_state[keys.REQUEST_COUNT]
    at.session_state[keys.INSPECTOR_EXPANDER] = True
    at.run()
    inspector = _inspector(at)
    assert inspector.dataframe and inspector.get("plotly_chart")
    assert at.session_state[keys.REQUEST_COUNT] == sent


def test_the_lead_inspector_shows_the_waves_and_no_secret() -> None:
    at = app_at(LEAD, lead=SHOWCASE)
    at.session_state[keys.INSPECTOR_EXPANDER] = True
    at.run()
    inspector = _inspector(at)
    frame = inspector.dataframe[0].value
    assert {"1", "2", "3"} <= set(frame["Wave"])
    assert inspector.get("plotly_chart"), "the waterfall"
    shown = frame.to_csv() + texts(inspector) + inspector.label
    assert DEMO_PASSWORD not in shown
    assert "Bearer" not in shown and "authorization" not in shown.lower()
    token = cached_api.connection_of(
        at.session_state[keys.IDENTITY].identity
    ).client.auth.bearer_token()
    assert token not in shown + texts(at.main) + texts(at.sidebar)
    for query in frame["Query"]:
        assert "token" not in query.lower() and "password" not in query.lower()


def test_switching_tabs_sends_no_request() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    first = at.session_state[keys.REQUEST_COUNT]
    for name in (TAB_TIMELINE, "Associated Campaigns", "Profile"):
        assert tab(at, name).children, f"{name} is drawn"
        assert not at.exception
        assert at.session_state[keys.REQUEST_COUNT] == first, f"switching to {name}"


def test_a_click_on_a_same_person_row_opens_that_lead_and_names_its_campaign() -> None:
    at = app_at(LEAD, lead=SHOWCASE).run()
    associated = signals_section(at)
    signals = next(item.value for item in associated.dataframe if "Signal" in item.value.columns)
    assert not any(str(name).startswith("Campaign #") for name in signals["Campaign"]), (
        "the campaign's name, not its id"
    )
    other = int(signals["Lead ID"].iloc[0])
    at.session_state[f"{keys.lead_download(f'signals-{SHOWCASE}')}.table"] = {
        "selection": {"rows": [], "columns": [], "cells": [[0, "Campaign"]]}
    }
    at.run()
    assert not at.exception
    assert at.title[0].value == f"Lead {other}"
