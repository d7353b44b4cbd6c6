"""The Audit page under AppTest: settings, a run, an empty window, a failing fetch, a masked
user; the links that carry the campaign."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.sandbox.audit_stories import CLICK_FARM_LEAD_IDS
from lib.sandbox.demo import SHOWCASE_DELIVERED_LEAD_ID
from lib.ui import keys, pages
from tests.support.apptest import AppTransport, app_at, hydra_error, is_request

OLD_WINDOW = (dt.date(2000, 1, 1), dt.date.today())


@pytest.fixture(autouse=True)
def _private_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLENS_AUDIT_DIR", str(tmp_path / "audit"))


def audit_app(**query: str) -> AppTest:
    at = app_at(pages.AUDIT, **query)
    at.run()
    return at


def run_audit(at: AppTest, window: tuple[dt.date, dt.date] = OLD_WINDOW) -> AppTest:
    at.date_input(key=keys.AUDIT_WINDOW).set_value(window).run()
    at.button(key=keys.AUDIT_RUN).click().run()
    return at


def open_thresholds(at: AppTest) -> AppTest:
    """Open the Thresholds expander (its sliders are drawn only while it is open)."""
    at.session_state[keys.AUDIT_THRESHOLDS] = True
    at.run()
    return at


def texts(at: AppTest) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [i.value for i in at.info]
        + [w.value for w in at.warning]
        + [e.value for e in at.error]
    )


def test_a_campaign_link_preselects_it_and_a_run_shows_figures_and_findings() -> None:
    at = audit_app(campaign="1")
    assert not at.exception
    assert at.multiselect(key=keys.AUDIT_CAMPAIGNS).value == [1]
    run_audit(at)
    assert not at.exception
    labels = [metric.label for metric in at.metric]
    assert labels == ["Leads audited", "Flagged", "Payout at risk", "Identity clusters"]
    assert int(at.metric[0].value.replace(",", "")) > 0
    findings = at.dataframe(key=keys.AUDIT_FINDINGS).value
    assert {"Signal", "Lead", "Why", "Strength"} <= set(findings.columns)
    assert "Snapshot of" in texts(at)


def test_thresholds_show_their_impact_at_once() -> None:
    at = open_thresholds(run_audit(audit_app(campaign="1")))
    at.slider(key=keys.audit_threshold("duplicate_window_days")).set_value(1).run()
    assert not at.exception
    assert "With these thresholds:" in texts(at)


def test_closed_thresholds_draw_no_slider_and_keep_what_was_set() -> None:
    at = run_audit(audit_app(campaign="1"))
    assert not at.slider  # closed: nothing inside is drawn
    assert "With these thresholds:" not in texts(at)
    open_thresholds(at)
    at.slider(key=keys.audit_threshold("duplicate_window_days")).set_value(1).run()
    impact = [i.value for i in at.info if "With these thresholds:" in i.value]
    assert impact
    at.session_state[keys.AUDIT_THRESHOLDS] = False
    at.run()
    assert not at.exception and not at.slider
    # Closing the panel keeps the audit under the thresholds set, and reopening shows them.
    assert [i.value for i in at.info if "With these thresholds:" in i.value] == impact
    open_thresholds(at)
    assert at.slider(key=keys.audit_threshold("duplicate_window_days")).value == 1


def test_sections_draw_only_the_open_one() -> None:
    at = run_audit(audit_app(campaign="1"))
    at.segmented_control(key=keys.AUDIT_SECTION).set_value("Publishers").run()
    assert not at.exception
    table = at.dataframe(key=keys.AUDIT_PUBLISHERS).value
    assert {"Publisher", "Flagged %", "95% interval", "Flagged vs baseline"} <= set(table.columns)
    at.segmented_control(key=keys.AUDIT_SECTION).set_value("Clusters").run()
    assert not at.exception


def test_an_empty_window_says_so() -> None:
    at = run_audit(audit_app(campaign="1"), (dt.date(2001, 1, 1), dt.date(2001, 1, 2)))
    assert not at.exception
    assert "No lead was captured in this window." in texts(at)


def test_a_failing_fetch_keeps_the_page_and_names_the_window(
    app_transport: AppTransport,
) -> None:
    at = audit_app(campaign="1")
    app_transport.answer = lambda request: (
        hydra_error(404, "gone") if is_request(request, "GET", "leads") else None
    )
    run_audit(at)
    assert not at.exception
    assert "could not be read" in texts(at)


def test_a_masked_user_audits_on_hashes() -> None:
    at = audit_app(campaign="1")
    at.selectbox(key=keys.DEMO_USER).select("masked@sandbox.test").run()
    at = run_audit(at)
    assert not at.exception
    shown = texts(at)
    assert "Masked: the audit runs on hashes." in shown
    assert "duplicate_phone** did not run" in shown


def test_forget_removes_the_snapshot(tmp_path: Path) -> None:
    at = run_audit(audit_app(campaign="1"))
    assert list((tmp_path / "audit").glob("audit-*.duckdb"))
    at.run()
    at.button(key=keys.AUDIT_FORGET).click().run()
    assert not at.exception
    assert not list((tmp_path / "audit").glob("audit-*.duckdb"))


def test_a_finding_opens_its_lead_which_steps_to_the_next_finding() -> None:
    at = run_audit(audit_app(campaign="1"))
    table = at.dataframe(key=keys.AUDIT_FINDINGS).value
    leads = list(dict.fromkeys(int(lead) for lead in table["Lead"]))
    assert len(leads) >= 2
    # AppTest cannot click a dataframe row: open the first finding's lead as the row would.
    at.switch_page(pages.LEAD)
    at.query_params["lead"] = str(leads[0])
    at.run()
    assert not at.exception
    assert f"Finding 1 of {len(leads)}" in texts(at)
    assert at.button(key=keys.AUDIT_PREVIOUS).disabled
    at.button(key=keys.AUDIT_NEXT).click().run()
    assert not at.exception
    assert at.query_params["lead"] == str(leads[1])
    assert f"Finding 2 of {len(leads)}" in texts(at)


def test_audit_settings_saved_as_a_view_open_in_a_new_session() -> None:
    at = open_thresholds(run_audit(audit_app(campaign="1")))
    at.slider(key=keys.audit_threshold("rapid_post_seconds")).set_value(60).run()
    at.multiselect(key=keys.AUDIT_SIGNALS).set_value(["ip_velocity", "shared_device"]).run()
    at.text_input(key=keys.AUDIT_VIEW_NAME).input("Farm hunt").run()
    at.toggle(key=keys.AUDIT_VIEW_SHARED).set_value(True).run()
    at.button(key=keys.AUDIT_VIEW_SAVE).click().run()
    assert not at.exception
    assert "Saved 'Farm hunt' (shared)." in texts(at)
    # A new session of the same user: the view is offered, and opening it sets both the
    # thresholds and the chosen signals.
    later = open_thresholds(run_audit(audit_app(campaign="1")))
    assert later.slider(key=keys.audit_threshold("rapid_post_seconds")).value == 30
    picker = later.selectbox(key=keys.AUDIT_VIEW_PICKER)
    labels = list(picker.options)
    assert labels[0] == "(no saved view)" and "Farm hunt · shared" in labels
    picker.select_index(labels.index("Farm hunt · shared")).run()
    assert not later.exception
    assert later.slider(key=keys.audit_threshold("rapid_post_seconds")).value == 60
    assert later.multiselect(key=keys.AUDIT_SIGNALS).value == ["ip_velocity", "shared_device"]
    shown = set(later.dataframe(key=keys.AUDIT_FINDINGS).value["Signal"])
    assert shown <= {"ip_velocity", "shared_device"} and shown
    assert "thresholds: rapid post seconds 60; signals: ip_velocity, shared_device" in texts(later)
    assert "Opened 'Farm hunt'." in texts(later)
    # The same name again is refused, saying why; the owner may delete it.
    later.text_input(key=keys.AUDIT_VIEW_NAME).input("farm hunt").run()
    later.button(key=keys.AUDIT_VIEW_SAVE).click().run()
    assert "already have a view named 'farm hunt'" in texts(later)
    later.button(key=keys.AUDIT_VIEW_DELETE).click().run()
    assert "Deleted 'Farm hunt'." in texts(later)
    assert list(later.selectbox(key=keys.AUDIT_VIEW_PICKER).options) == ["(no saved view)"]


def test_a_new_session_shows_a_leads_flags_from_the_stored_snapshot() -> None:
    run_audit(audit_app(campaign="1"))  # an audit in one session, which then ends
    later = app_at(pages.LEAD, lead=str(CLICK_FARM_LEAD_IDS[0]))
    later.run()
    assert not later.exception
    shown = texts(later)
    assert "Flags from your audit of" in shown
    assert "**shared_device** (:red[strong]): One device behind 6 different emails" in shown
    assert "**ip_velocity** (:red[strong]): The same IP on 6 leads" in shown
    assert "Finding 1 of" not in shown  # stepping belongs to the session that ran the audit
    clean = app_at(pages.LEAD, lead=str(SHOWCASE_DELIVERED_LEAD_ID))
    clean.run()
    assert not clean.exception
    assert "Flags from your audit" not in texts(clean)


def test_without_a_snapshot_the_lead_page_opens_none(tmp_path: Path) -> None:
    at = app_at(pages.LEAD, lead=str(CLICK_FARM_LEAD_IDS[0]))
    at.run()
    assert not at.exception
    assert "Flags from your audit" not in texts(at)
    assert not (tmp_path / "audit").exists() or not any((tmp_path / "audit").iterdir())


def test_a_chosen_order_sorts_the_findings_and_the_finding_steps() -> None:
    """What a header click chooses (`_sort_findings_by_header`): the whole table in that
    order, said under it, and Previous / Next on the Lead page step through it."""
    at = run_audit(audit_app(campaign="1"))
    at.session_state[keys.AUDIT_FINDINGS_SORT] = ("Lead", True)
    at.run()
    assert not at.exception
    leads = list(at.dataframe(key=f"{keys.AUDIT_FINDINGS}.('Lead', True)").value["Lead"])
    assert len(set(leads)) > 1 and leads == sorted(leads, reverse=True)
    assert "Sorted by Lead, highest first (every page)." in texts(at)
    steps = at.session_state[keys.AUDIT_FINDING_LEADS]
    assert list(steps) == sorted(steps, reverse=True)


def test_the_linked_campaign_reaches_the_browser_in_every_run() -> None:
    """Each run sends the linked campaign with the Campaigns box (`widgets.hold`): a browser
    that mounted the box from a later run's message showed it empty and sent that back with
    the click on Run audit, which then asked for a campaign (seen once in the browser test)."""
    at = audit_app(campaign="1")
    at.run()
    assert not at.exception
    box = at.multiselect(key=keys.AUDIT_CAMPAIGNS).proto
    assert box.set_value and len(box.raw_values) == 1
