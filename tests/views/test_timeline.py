"""lib/views/timeline.py and timeline_chart.py: one ordered stream of a lead's story."""

from __future__ import annotations

import pickle
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import datetime
from typing import Any

from lib.charts.timeline import OUTCOME_COLOURS, processing_svg
from lib.convertr.dossier import Part
from lib.convertr.errors import ConvertrError
from lib.presentation import resolve_timezone
from lib.views.lead import LEAD_TABS
from lib.views.timeline import (
    KIND_ORDER,
    TIMELINE_PARTS,
    TimelineEntry,
    build_timeline,
    filter_entries,
    provider_duration_ms,
    single_year,
    timeline_frame,
)
from lib.views.timeline_chart import processing_frame
from tests.support.workbench_models import (
    at,
    log,
    make_dossier,
    make_lead,
    note,
    permission_denied,
    result,
    server_error,
    story_parts,
)

UTC_ZONE = resolve_timezone(None)
SVG = "{http://www.w3.org/2000/svg}"


def titles(dossier: Any) -> list[str]:
    return [entry.title for entry in build_timeline(dossier).entries]


def test_entries_are_in_time_order_whatever_order_the_api_sent() -> None:
    timeline = build_timeline(make_dossier())
    stamps = [entry.at for entry in timeline.entries]
    assert stamps == sorted(stamps)
    reversed_parts: dict[str, Any] = {
        name: list(reversed(items)) for name, items in story_parts().items()
    }
    assert build_timeline(make_dossier(**reversed_parts)) == timeline
    assert timeline.entries[0].kind == "capture"
    assert timeline.entries[0].title == "Lead captured via form (Whitepaper form)"
    assert "2 values captured: firstName, email" in timeline.entries[0].detail


def test_ties_at_one_instant_follow_the_kind_order_then_the_record_id() -> None:
    entries = build_timeline(make_dossier()).entries
    at_nine = [(entry.kind, entry.ref) for entry in entries if entry.at == at(9)]
    # Both provider calls (by id) before the job result they belong to.
    assert at_nine == [("provider", 20), ("provider", 21), ("job", 3)]
    at_twelve = [entry.kind for entry in entries if entry.at == at(12)]
    assert at_twelve == ["log", "status"]
    assert KIND_ORDER.index("provider") < KIND_ORDER.index("job") < KIND_ORDER.index("status")


def test_every_kind_of_event_is_there_and_links_to_a_lead_tab() -> None:
    timeline = build_timeline(make_dossier())
    assert timeline.counts() == {
        "capture": 1,
        "log": 2,
        "provider": 2,
        "enrichment": 2,
        "transform": 1,
        "job": 3,
        "status": 1,
        "edit": 1,
    }
    assert all(entry.tab in LEAD_TABS for entry in timeline.entries)
    tabs = {entry.kind: entry.tab for entry in timeline.entries}
    assert tabs["job"] == "Job Details" and tabs["provider"] == "Provider Logs"
    assert tabs["edit"] == "Notes" and tabs["transform"] == "Profile"
    status = next(entry for entry in timeline.entries if entry.kind == "status")
    assert status.title == "Processr set the status to Caution"
    assert status.detail == "Processr Status: (empty) → Caution"
    edit = next(entry for entry in timeline.entries if entry.kind == "edit")
    assert edit.title == "Ana Admin edited Job Title"
    assert "Job Title: cto → CTO" in edit.detail
    transform = next(entry for entry in timeline.entries if entry.kind == "transform")
    assert (transform.title, transform.detail) == ("Country transformed", "uk → United Kingdom")


def test_a_job_result_folds_in_the_log_line_that_only_repeats_it() -> None:
    entries = build_timeline(make_dossier()).entries
    logs = [entry.title for entry in entries if entry.kind == "log"]
    assert logs == [
        "Lead received via form; processing started",
        "Status set to Caution (score 85/100)",
    ]
    email_job = next(entry for entry in entries if entry.kind == "job" and entry.ref == 3)
    assert email_job.title == "Live Email Validation failed, score 0 of 25"
    assert email_job.detail == "NeverBounce: unknown\nLive Email Validation: failed"
    assert email_job.outcome == "failure"


def test_durations_come_from_the_provider_answer_and_the_gap_between_jobs() -> None:
    entries = build_timeline(make_dossier()).entries
    by_ref = {(entry.kind, entry.ref): entry for entry in entries}
    assert by_ref[("provider", 21)].duration_ms == 4200  # NeverBounce: execution_time in ms
    assert by_ref[("provider", 20)].duration_ms == 500  # BriteVerify: duration in seconds
    assert by_ref[("provider", 21)].title.endswith("failed for Live Email Validation in 4,200 ms")
    # Jobs run one after another: each took the time since the previous one finished.
    assert [by_ref[("job", ref)].duration_ms for ref in (1, 2, 3)] == [2000, 2000, 5000]
    assert by_ref[("job", 1)].started_at == at(0)
    assert provider_duration_ms("not json") is None
    assert provider_duration_ms('{"duration": true}') is None
    assert provider_duration_ms("[1, 2]") is None


def test_a_long_wait_before_a_job_is_not_claimed_as_its_duration() -> None:
    late = result(1, 1, True, 3 * 3600)
    entries = build_timeline(make_dossier(job_results=[late])).entries
    job_entry = next(entry for entry in entries if entry.kind == "job")
    assert job_entry.duration_ms is None and job_entry.started_at == job_entry.at


def test_missing_parts_contribute_nothing_and_are_named() -> None:
    dossier = make_dossier(errors={"provider_logs": permission_denied(), "notes": server_error()})
    timeline = build_timeline(dossier)
    kinds = {entry.kind for entry in timeline.entries}
    assert "provider" not in kinds and "status" not in kinds and "edit" not in kinds
    assert [(item.part, item.permission) for item in timeline.missing] == [
        ("provider_logs", True),
        ("notes", False),
    ]
    caption = timeline.missing_caption or ""
    assert caption.startswith("Not in the timeline: provider calls (Masked users may not")
    assert "notes (status, delivery" in caption
    assert build_timeline(make_dossier()).missing_caption is None


def test_a_dossier_with_only_the_lead_still_has_its_capture() -> None:
    failed: dict[Part, ConvertrError] = {part: server_error() for part in TIMELINE_PARTS}
    assert set(failed) == set(story_parts())
    timeline = build_timeline(make_dossier(errors=failed))
    assert [entry.kind for entry in timeline.entries] == ["capture"]
    assert len(timeline.missing) == len(failed)


def test_an_edit_no_note_records_is_on_the_timeline_as_a_warning() -> None:
    parts = story_parts()
    timeline = build_timeline(make_dossier(notes=parts["notes"][:1]))
    unnoted = [entry for entry in timeline.entries if entry.kind == "edit"]
    assert [(entry.title, entry.outcome, entry.tab) for entry in unnoted] == [
        ("Job Title edited, but no note records who", "warning", "Profile")
    ]
    assert unnoted[0].at == at(3600)


def test_filter_by_kind_and_text_and_newest_first() -> None:
    entries = build_timeline(make_dossier()).entries
    jobs = filter_entries(entries, kinds=["job"])
    assert [entry.ref for entry in jobs] == [1, 2, 3]
    assert filter_entries(entries, kinds=["job"], newest_first=True) == tuple(reversed(jobs))
    assert filter_entries(entries, newest_first=True) == tuple(reversed(entries))
    found = filter_entries(entries, text="  NEVERBOUNCE ")
    assert {entry.kind for entry in found} == {"provider", "job", "enrichment"}
    assert filter_entries(entries, text="") == entries
    assert filter_entries(entries, kinds=[]) == ()
    assert filter_entries(entries, text="no such words") == ()


def test_hostile_values_stay_plain_text_in_the_table_and_inert_in_the_chart() -> None:
    hostile = "<script>alert('x')</script>"
    formula = '=HYPERLINK("http://evil.example","click")'
    parts = story_parts()
    parts["provider_logs"] = [
        log(20, 9, formula, kind="provider", level="info", job_id=3, provider=hostile)
    ]
    parts["notes"] = [
        note(30, 12, "data", formula, author=hostile, field="**bold**", newValue=formula)
    ]
    timeline = build_timeline(make_dossier(**parts))
    frame = timeline_frame(timeline.entries, UTC_ZONE)
    assert f"{hostile} answered" in set(frame["What"].str.slice(0, len(hostile) + 9))
    assert formula in frame["Detail"].tolist()  # the CSV writer neutralises it (see evidence)
    svg = processing_svg(processing_frame(timeline.entries))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ElementTree.fromstring(svg)  # well-formed: the name is text, never markup
    assert any(hostile == (title.text or "") for title in root.iter(f"{SVG}title"))


def test_the_processing_chart_colours_each_job_and_call_by_outcome() -> None:
    timeline = build_timeline(make_dossier())
    frame = processing_frame(timeline.entries)
    assert list(frame["lane"]) == [
        "Job: Test Data Check",
        "Job: Value Transforms",
        "Job: Live Email Validation",  # from 4 s, when Value Transforms ended
        "NeverBounce",  # 4.2 s before 9 s
        "BriteVerify",  # 0.5 s before 9 s
    ]
    root = ElementTree.fromstring(processing_svg(frame))
    bars = list(root.iter(f"{SVG}rect"))
    legend = [bar for bar in bars if bar.find(f"{SVG}title") is None]
    calls = [bar for bar in bars if bar.find(f"{SVG}title") is not None]
    assert {swatch.get("fill") for swatch in legend} == {
        OUTCOME_COLOURS[outcome] for outcome in ("success", "warning", "failure")
    }
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"Passed", "Warning", "Failed"} <= set(texts)
    failed = [bar for bar in calls if bar.get("fill") == OUTCOME_COLOURS["failure"]]
    tips = [(bar.find(f"{SVG}title").text or "").split("\n") for bar in failed]  # type: ignore[union-attr]
    assert [tip[0] for tip in tips] == ["Job: Live Email Validation", "NeverBounce"]
    assert [tip[2].split(", ")[1].split(" (")[0] for tip in tips] == ["5 s", "4.2 s"]
    lanes = [text for text in texts if text and text.startswith(("Job:", "Never", "Brite"))]
    assert lanes[:2] == ["Job: Test Data Check", "Job: Value Transforms"], "first start on top"


def test_a_call_without_a_duration_is_a_marker_and_an_empty_chart_draws() -> None:
    parts = story_parts()
    parts["provider_logs"] = [log(20, 9, "plain text answer", kind="provider", provider="X")]
    frame = processing_frame(build_timeline(make_dossier(**parts)).entries)
    root = ElementTree.fromstring(processing_svg(frame))
    (marker,) = [shape for shape in root.iter(f"{SVG}polygon") if len(shape)]  # has a title
    tip = (marker.find(f"{SVG}title").text or "").split("\n")  # type: ignore[union-attr]
    assert tip[0] == "X" and "duration unknown" in tip[2]
    assert any("(duration unknown)" in (text.text or "") for text in root.iter(f"{SVG}text"))
    empty = ElementTree.fromstring(processing_svg(processing_frame([])))
    assert not list(empty.iter(f"{SVG}rect")) and not list(empty.iter(f"{SVG}polygon"))


def test_two_thousand_log_lines_all_reach_the_timeline_and_its_search() -> None:
    """Every line is an entry the text search finds (how fast: `make bench`, benchmarks/
    timeline.py; a timed assertion here failed on a busy machine)."""
    lines = [
        log(
            100 + index, index * 0.5, f"step {index}: checked", level=("info", "warning")[index % 2]
        )
        for index in range(2000)
    ]
    dossier = make_dossier(processr_logs=lines)
    timeline = build_timeline(dossier)
    frame = timeline_frame(filter_entries(timeline.entries, text="checked"), UTC_ZONE)
    assert len(frame) == 2000
    assert len(filter_entries(timeline.entries, text="step 1999:")) == 1


def test_entries_are_frozen_and_a_timeline_pickles_for_the_cache() -> None:
    timeline = build_timeline(make_dossier(lead=make_lead(channel=None, formName=None)))
    entry = timeline.entries[0]
    assert entry.title == "Lead captured"
    assert replace(entry, title="x").title == "x" and entry.title == "Lead captured"
    assert pickle.loads(pickle.dumps(timeline)) == timeline


def test_the_processing_chart_uses_the_pages_time_zone() -> None:
    from zoneinfo import ZoneInfo

    import pandas as pd

    entries = build_timeline(make_dossier()).entries
    utc = processing_frame(entries)
    new_york = processing_frame(entries, ZoneInfo("America/New_York"))
    london = processing_frame(entries, ZoneInfo("Europe/London"))
    # Wall times, as the rest of the page shows them (a chart would draw a zone-aware time
    # in UTC or the browser's zone): New York is four or five hours behind, London zero or one.
    assert new_york["start"].dt.tz is None and utc["start"].dt.tz is None
    assert {(utc["start"] - new_york["start"]).iloc[0]} <= {
        pd.Timedelta(hours=4),
        pd.Timedelta(hours=5),
    }
    assert (london["start"] - utc["start"]).iloc[0] in {pd.Timedelta(0), pd.Timedelta(hours=1)}
    svg = processing_svg(new_york, "America/New_York")
    first = new_york["start"].iloc[0]
    assert f"from {first:%H:%M:%S}" in svg, "wall times shown as they are, not moved"
    assert "(America/New_York)</text>" in svg, "the axis names the zone"


def _entry_at(when: str) -> TimelineEntry:
    entry = build_timeline(make_dossier()).entries[0]
    return replace(entry, at=datetime.fromisoformat(when))


def test_one_years_entries_show_their_times_without_it_and_the_year_is_named() -> None:
    entries = [_entry_at("2026-07-13T11:19:53+00:00"), _entry_at("2026-12-31T22:00:00+00:00")]
    assert single_year(entries, UTC_ZONE) == 2026
    short = timeline_frame(entries, UTC_ZONE, without_year=True)
    assert list(short["Time"]) == ["13 Jul 11:19:53", "31 Dec 22:00:00"]
    # The CSV's frame keeps every time whole.
    assert list(timeline_frame(entries, UTC_ZONE)["Time"]) == [
        "13 Jul 2026 11:19:53",
        "31 Dec 2026 22:00:00",
    ]


def test_entries_across_new_year_in_the_viewers_zone_keep_their_years() -> None:
    entries = [_entry_at("2026-07-13T11:19:53+00:00"), _entry_at("2026-12-31T22:00:00+00:00")]
    # 22:00 UTC on 31 December is already 2027 in Tokyo.
    assert single_year(entries, resolve_timezone("Asia/Tokyo")) is None
    assert single_year([], UTC_ZONE) is None
