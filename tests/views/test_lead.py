"""lib/views/lead.py: the Lead page's panel and tables, from hand-built models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lib.charts import weekly_leads_svg
from lib.convertr.models import (
    CampaignProcessrJob,
    Lead,
    LeadData,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
)
from lib.presentation import resolve_timezone
from lib.views.lead import (
    associated_table,
    comparison_frame,
    job_table,
    log_table,
    note_table,
    profile_tables,
    score_explanation,
    social_profile,
)

UTC_ZONE = resolve_timezone(None)
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def make_lead(lead_id: int = 1, campaign: int = 1, **fields: Any) -> Lead:
    values: dict[str, Any] = {
        "id": lead_id,
        "campaign": f"/api/v4/campaigns/{campaign}",
        "processrStatus": "Valid",
        "score": 100,
        "maxScore": 100,
        "createdTs": T0,
    }
    values.update(fields)
    return Lead.model_validate(values)


def value(item_id: int, name: str, text: str | None, source: str, **fields: Any) -> LeadData:
    return LeadData.model_validate(
        {"id": item_id, "lead": "/api/v4/leads/1", "name": name, "value": text, "source": source}
        | fields
    )


def test_publisher_data_rows_show_even_when_empty_and_derived_rows_need_their_source() -> None:
    lead = make_lead(firstName="Ana")
    data = [
        value(1, "firstName", "Ana", "captured"),
        value(2, "city", "Leeds", "captured"),
        value(3, "emailDomain", "@x.test", "derived"),
        value(4, "country", "United Kingdom", "transform", originalValue="uk"),
        value(5, "fullcontact.linkedin", "https://linkedin.com/in/a", "enrichment",
              provider="Full Contact"),
    ]  # fmt: skip
    tables = profile_tables(lead, data, UTC_ZONE)
    rows = dict(zip(tables.publisher_data["Field"], tables.publisher_data["Value"], strict=True))
    assert rows["First Name"] == "Ana"
    assert rows["Email"] == "" and rows["Title"] == "", "default rows show when empty"
    assert list(tables.other_captured["Field"]) == ["City"]
    assert tables.derived.empty, "email domain is hidden: no email was captured"
    assert tables.transforms.to_dict("records") == [
        {"Field": "Country", "Original value": "uk", "Transformed value": "United Kingdom"}
    ]
    assert list(tables.enrichment["Provider"]) == ["Full Contact"]

    with_email = [*data, value(6, "email", "ana@x.test", "captured")]
    assert list(profile_tables(lead, with_email, UTC_ZONE).derived["Value"]) == ["@x.test"]


def test_social_profile_keeps_only_safe_urls() -> None:
    data = [
        value(1, "fullcontact.photo", "javascript:alert(1)", "enrichment", provider="Full Contact"),
        value(2, "fullcontact.photo", "data:image/svg+xml;base64,AA", "enrichment",
              provider="Full Contact"),
        value(3, "fullcontact.twitter", "javascript:alert(1)", "enrichment",
              provider="Full Contact"),
        value(4, "fullcontact.linkedin", "https://www.linkedin.com/in/a", "enrichment",
              provider="Full Contact"),
        value(5, "website", "https://example.test", "captured"),
    ]  # fmt: skip
    social = social_profile(data)
    assert social.photo_url == "data:image/svg+xml;base64,AA"
    assert social.links == (("LinkedIn", "https://www.linkedin.com/in/a"),)


def test_job_table_marks_jobs_without_a_result_as_not_run() -> None:
    jobs = [
        CampaignProcessrJob.model_validate(
            {"id": job_id, "campaign": "/api/v4/campaigns/1", "jobId": 1000 + job_id,
             "name": name, "hardfail": hardfail, "maxScore": 10, "position": job_id}
        )
        for job_id, name, hardfail in ((1, "Duplicate Email Check", True), (2, "HLR", False),
                                       (3, "Eloqua", False))
    ]  # fmt: skip
    results = [
        ProcessrJobLead.model_validate(
            {"id": 10 + job_id, "lead": "/api/v4/leads/1",
             "campaignProcessrJob": f"/api/v4/campaign-processr-jobs/{job_id}",
             "result": result, "score": score, "message": message, "createdTs": T0}
        )
        for job_id, result, score, message in ((2, "failed", 0, "Number not reachable"),
                                                (1, "passed", 10, None))
    ]  # fmt: skip
    table = job_table(jobs, results, UTC_ZONE)
    assert list(table.rows["Outcome"]) == ["Passed", "Failed", "Not run"]
    assert list(table.rows["Hardfail"]) == ["Yes", "No", "No"]
    assert list(table.rows["Score"]) == ["10 / 10", "0 / 10", ""]
    assert table.rows["Message"][1] == "Number not reachable"
    assert table.counts == {"Passed": 1, "Failed": 1, "Not run": 1}


def test_logs_and_notes_are_in_time_order_and_times_in_the_viewer_zone() -> None:
    def log(log_id: int, hour: int) -> LogEntry:
        return LogEntry.model_validate(
            {"id": log_id, "lead": "/api/v4/leads/1", "type": "provider", "level": "info",
             "provider": "NeverBounce", "message": '{"result":"valid"}',
             "createdTs": T0.replace(hour=hour)}
        )  # fmt: skip

    table = log_table([log(2, 11), log(1, 10)], resolve_timezone("Europe/London"), provider=True)
    assert list(table["Time"]) == ["01 May 2026 11:00", "01 May 2026 12:00"]
    assert table["Message"][0] == '{"result":"valid"}', "kept exactly"

    notes = [
        LeadNote.model_validate(
            {"id": note_id, "lead": "/api/v4/leads/1", "type": kind, "message": text,
             "author": "Processr", "createdTs": T0.replace(hour=hour)}
        )
        for note_id, kind, text, hour in ((1, "delivery", "Delivered", 12),
                                          (2, "status", "Valid", 9))
    ]  # fmt: skip
    assert list(note_table(notes, UTC_ZONE)["Type"]) == ["Status", "Delivery"]


def test_associated_table_lists_only_other_campaigns() -> None:
    lead = make_lead(1, campaign=1, email="a@x.test")
    same_campaign = make_lead(2, campaign=1, email="a@x.test")
    elsewhere = make_lead(3, campaign=2, email="a@x.test", processrStatus="Caution")
    frame = associated_table(lead, [lead, same_campaign, elsewhere], [], [], [], [], UTC_ZONE)
    assert list(frame["Campaign ID"]) == [2]
    assert list(frame["Lead status"]) == ["Caution"]
    assert frame["Campaign"][0] == "Campaign 2"


def chronology(campaign: int, day: date, total: int) -> LeadStatisticsChronology:
    return LeadStatisticsChronology.model_validate(
        {"id": day.toordinal() * 10 + campaign, "campaign": f"/api/v4/campaigns/{campaign}",
         "date": day, "total": total, "valid": total, "invalid": 0, "caution": 0, "test": 0,
         "delivered": 0}
    )  # fmt: skip


def test_comparison_is_weekly_and_labels_are_escaped() -> None:
    days = [
        chronology(1, date(2026, 6, 1), 2),  # Monday
        chronology(1, date(2026, 6, 3), 3),
        chronology(1, date(2026, 6, 8), 1),
        chronology(2, date(2026, 6, 2), 4),
    ]
    frame = comparison_frame(days, {1: "<img src=x onerror=alert(1)>", 2: "Two"})
    weekly = {(row.campaign, row.date): row.total for row in frame.itertuples()}
    assert weekly[("<img src=x onerror=alert(1)> (#1)", date(2026, 6, 1))] == 5
    assert weekly[("<img src=x onerror=alert(1)> (#1)", date(2026, 6, 8))] == 1
    assert weekly[("Two (#2)", date(2026, 6, 1))] == 4
    picture = weekly_leads_svg(frame)
    assert "<img" not in picture
    assert "&lt;img src=x onerror=alert(1)&gt; (#1)" in picture


def _scoring(*outcomes: tuple[str, bool, str, int]) -> tuple[list[Any], list[Any]]:
    """Jobs of 10 points each and this lead's results: (name, hardfail, result, score)."""
    jobs = [
        CampaignProcessrJob.model_validate(
            {"id": index, "campaign": "/api/v4/campaigns/1", "jobId": 1000 + index,
             "name": name, "hardfail": hardfail, "maxScore": 10, "position": index}
        )
        for index, (name, hardfail, _, _) in enumerate(outcomes, start=1)
    ]  # fmt: skip
    results = [
        ProcessrJobLead.model_validate(
            {"id": index, "lead": "/api/v4/leads/1",
             "campaignProcessrJob": f"/api/v4/campaign-processr-jobs/{index}",
             "result": result, "score": score, "createdTs": T0}
        )
        for index, (_, _, result, score) in enumerate(outcomes, start=1)
    ]  # fmt: skip
    return jobs, results


def test_score_explanation_names_the_rule_and_the_jobs_that_cost_points() -> None:
    jobs, results = _scoring(
        ("Duplicate Email Check", True, "passed", 10),
        ("HLR", False, "failed", 0),
        *[(f"Check {n}", False, "passed", 10) for n in range(8)],
    )
    caution = make_lead(processrStatus="Caution", score=90, maxScore=100)
    assert score_explanation(caution, jobs, results) == (
        "Caution: 90 of 100 points (90%); Caution is 80% up to (not including) 100% and "
        "waits for a person. "
        "Points lost: HLR (-10)."
    )
    valid = make_lead(processrStatus="Valid", score=100, maxScore=100)
    jobs, results = _scoring(("A", False, "passed", 10))
    assert score_explanation(valid, jobs, results).startswith("Valid: 100 of 100 points")


def test_score_explanation_of_a_failed_hardfail_ignores_the_score() -> None:
    jobs, results = _scoring(
        ("Duplicate Email Check", True, "failed", 0),
        *[(f"Check {n}", False, "passed", 10) for n in range(9)],
    )
    invalid = make_lead(processrStatus="Invalid", score=90, maxScore=100, hardfail=True)
    assert score_explanation(invalid, jobs, results) == (
        "Invalid whatever the score: the hardfail job Duplicate Email Check failed "
        "(90 of 100 points)."
    )


def test_the_profile_panel_is_formatted_and_shortened_for_plain_text() -> None:
    from lib.convertr.dossier import LeadDossier
    from lib.views.lead import DetailRow, profile_panel

    lead = make_lead(
        firstName="Olivia",
        lastName="Bennett",
        company="C" * 300,
        email="olivia@example.com",
        formName="Webinar",
        formHash="ab12",
        latitude=51.5,
        longitude=-0.1,
        postcode="N1 9GU",
        country="GB",
        delivered=True,
    )
    dossier = LeadDossier(
        lead_id=lead.id,
        lead=lead,
        lead_data=[value(1, "fullcontact.photo", "javascript:alert(1)", "enrichment")],
    )
    panel = profile_panel(dossier, resolve_timezone("Europe/London"))
    assert panel.name == "Olivia Bennett"
    assert panel.headline[0].endswith("…") and len(panel.headline[0]) == 120
    assert panel.headline[1] == "olivia@example.com"
    assert panel.photo_url is None, "only safe images"
    assert panel.lead_id == DetailRow("Lead ID", "1")
    assert (panel.status, panel.delivered, panel.delivery) == ("Valid", True, "Delivered")
    assert panel.campaign_name == "Campaign 1", "the campaign part failed: its id is shown"
    assert [row.label for row in panel.details] == ["Form", "Entry Point", "Captured"]
    assert panel.details[0].value == "Webinar (ab12)"
    assert panel.details[1].value == "—"
    assert panel.details[2].value == "01 May 2026 10:00", "in the viewer's zone"
    assert (panel.score_fraction, panel.score_text) == (1.0, "Score 100 / 100")
    assert panel.location is not None and panel.location.address == "N1 9GU, GB"
    assert (
        profile_panel(LeadDossier(lead_id=1, lead=make_lead()), UTC_ZONE).name == "No name captured"
    )


UNKNOWN_CODE = 1500
"""A status code in no table: the client derives the label from the score."""


def test_a_derived_status_is_marked_in_the_panel_and_the_associated_table() -> None:
    from lib.convertr.dossier import LeadDossier
    from lib.views.lead import associated_campaigns, profile_panel

    lead = make_lead(1, 1, processrStatus=UNKNOWN_CODE, score=85, maxScore=100)
    other = make_lead(2, 2, processrStatus=UNKNOWN_CODE, score=10, maxScore=100)
    known = make_lead(3, 3, processrStatus="Valid")
    panel = profile_panel(LeadDossier(lead_id=1, lead=lead), UTC_ZONE)
    assert (panel.status, panel.status_text) == ("Caution", "Caution (derived)")
    assert panel.status_help is not None and "status code 1500" in panel.status_help
    dossier = LeadDossier(lead_id=1, lead=lead, associated_leads=[lead, other, known])
    view = associated_campaigns(dossier, UTC_ZONE)
    assert list(view.table["Lead status"]) == ["Invalid (derived)", "Valid"]
    assert view.derived_note is not None and "(1500)" in view.derived_note
    plain = profile_panel(LeadDossier(lead_id=3, lead=known), UTC_ZONE)
    assert (plain.status_text, plain.status_help) == ("Valid", None)
    no_derived = associated_campaigns(
        LeadDossier(lead_id=1, lead=lead, associated_leads=[known]), UTC_ZONE
    )
    assert no_derived.derived_note is None


def test_masked_values_are_shown_as_masked_in_the_panel_and_the_profile() -> None:
    from lib.convertr.dossier import LeadDossier
    from lib.presentation import MASKED_LABEL, MASKED_VALUE
    from lib.views.lead import profile_panel

    lead = make_lead(
        firstName="Ana",
        email=MASKED_VALUE,
        telephone=MASKED_VALUE,
        addressLine1=MASKED_VALUE,
        addressLine2=MASKED_VALUE,
        postcode="N1 9GU",
        ip=MASKED_VALUE,
        latitude=51.5,
        longitude=-0.1,
    )
    data = [value(1, "email", MASKED_VALUE, "captured"), value(2, "city", "London", "captured")]
    panel = profile_panel(LeadDossier(lead_id=1, lead=lead, lead_data=data), UTC_ZONE)
    assert panel.headline == (MASKED_LABEL,)
    assert panel.location is not None
    assert panel.location.address == f"{MASKED_LABEL}, N1 9GU"
    tables = profile_tables(lead, data, UTC_ZONE)
    shown = dict(zip(tables.publisher_data["Field"], tables.publisher_data["Value"], strict=True))
    assert shown["Email"] == MASKED_LABEL
    assert shown["Telephone"] == MASKED_LABEL
    assert shown["Address Line 1"] == MASKED_LABEL
    assert shown["First Name"] == "Ana"
    assert MASKED_VALUE not in set(tables.publisher_data["Value"])


def test_format_warnings_are_listed_only_when_there_are_some() -> None:
    from lib.convertr.models import FormatWarning
    from lib.views.lead import format_warnings

    assert format_warnings(()) is None
    view = format_warnings(
        (
            FormatWarning("Lead", "publisherPayout", "a decimal number or null", "an object"),
            FormatWarning("Campaign", "endDate", "a date or null", "an integer"),
        )
    )
    assert view is not None
    assert view.heading == "The API sent 2 fields in an unexpected shape"
    assert view.lines == (
        "Lead.publisherPayout: expected a decimal number or null, got an object",
        "Campaign.endDate: expected a date or null, got an integer",
    )
    one = format_warnings((FormatWarning("Lead", "dob", "a date or null", "a string"),))
    assert one is not None and one.heading == "The API sent 1 field in an unexpected shape"
