"""lib/views/provenance.py: where each Profile value came from, and the ones that disagree."""

from __future__ import annotations

from lib.presentation import csv_bytes, resolve_timezone
from lib.views.lead import PUBLISHER_DATA_FIELDS, profile_tables
from lib.views.provenance import (
    Provenance,
    badges_for,
    flagged,
    provenance_frame,
    value_provenance,
)
from tests.support.workbench_models import (
    at,
    make_dossier,
    make_lead,
    note,
    permission_denied,
    server_error,
    story_parts,
    value,
)

UTC_ZONE = resolve_timezone(None)


def by_field(provenance: tuple[Provenance, ...]) -> dict[str, Provenance]:
    return {item.field: item for item in provenance}


def test_each_source_says_who_and_how() -> None:
    found = by_field(value_provenance(make_dossier(), UTC_ZONE))
    first = found["firstName"]
    assert (first.source, first.by, first.badge) == ("Captured", "Whitepaper form", "Captured")
    assert first.detail == "Captured from the form Whitepaper form at 01 May 2026 09:00:00."
    country = found["country"]
    assert (country.source, country.by) == ("Transformed", "Value Transforms")
    assert "uk → United Kingdom" in country.detail
    assert country.badge == "Transformed · Value Transforms"
    status = found["email.status"]
    assert (status.source, status.by, status.badge) == (
        "Enriched",
        "BriteVerify",
        "Enriched · BriteVerify",
    )
    assert "from its answer at 01 May 2026 09:00:09 for Live Email Validation" in status.detail
    title = found["jobTitle"]
    assert (title.source, title.by, title.at) == ("Edited", "Ana Admin", at(3600))
    assert title.detail == "Edited by Ana Admin at 01 May 2026 10:00:00: cto → CTO."
    assert title.badge == "Edited · Ana Admin" and not title.disagrees
    assert flagged(value_provenance(make_dossier(), UTC_ZONE)) == ()


def test_publisher_data_comes_first_and_always_even_when_empty() -> None:
    lead = make_lead(company="Acme Ltd")
    provenance = value_provenance(make_dossier(lead), UTC_ZONE)
    assert [item.field for item in provenance[: len(PUBLISHER_DATA_FIELDS)]] == [
        name for name, _ in PUBLISHER_DATA_FIELDS
    ]
    found = by_field(provenance)
    assert (found["company"].source, found["company"].value) == ("Lead record", "Acme Ltd")
    assert "no history" in found["company"].detail
    assert (found["telephone"].source, found["telephone"].value) == ("Not captured", "")
    assert [item.field for item in provenance[len(PUBLISHER_DATA_FIELDS) :]] == [
        "email.status",
        "neverbounce.result",
    ]


def test_a_value_edited_outside_the_audit_trail_is_flagged() -> None:
    parts = story_parts()
    parts["lead_data"] = [
        # The last note set "CTO", but the value now says something else.
        value(4, "jobTitle", "Chief Taster", "edited", originalValue="cto", updated=at(7200)),
        # Marked edited, no note at all.
        value(7, "city", "Leeds", "edited", originalValue="York", updated=at(50)),
        # Still "captured", but changed an hour after capture, with no note.
        value(8, "postcode", "LS1 1AA", "captured", updated=at(3600)),
        # The lead's own field holds another value.
        value(9, "email", "ana@example.com", "captured"),
    ]
    lead = make_lead(email="someone@else.test")
    found = by_field(value_provenance(make_dossier(lead, **parts), UTC_ZONE))
    assert found["jobTitle"].disagrees
    assert "set CTO, but the value is now different" in found["jobTitle"].why_flagged
    assert (
        found["city"].why_flagged == "Marked as edited, but no note records who edited it or when."
    )
    assert "after it arrived, and no note records the change" in found["postcode"].why_flagged
    assert found["email"].why_flagged == "The lead itself holds someone@else.test, not this value."
    assert found["city"].badge == "⚠ Edited"
    assert found["email"].badge == "⚠ Captured"
    assert found["email"].hover.endswith(
        "⚠ The lead itself holds someone@else.test, not this value."
    )


def test_masked_values_are_never_flagged() -> None:
    parts = story_parts()
    parts["lead_data"] = [value(2, "email", "[masked]", "captured", updated=at(3600))]
    lead = make_lead(email="[masked]")
    found = by_field(value_provenance(make_dossier(lead, **parts), UTC_ZONE))
    assert not found["email"].disagrees
    parts["lead_data"] = [value(2, "email", "ana@example.com", "captured")]
    found = by_field(value_provenance(make_dossier(lead, **parts), UTC_ZONE))
    assert not found["email"].disagrees


def test_without_the_notes_nothing_is_flagged_and_the_editor_is_unknown() -> None:
    dossier = make_dossier(errors={"notes": server_error()})
    found = by_field(value_provenance(dossier, UTC_ZONE))
    title = found["jobTitle"]
    assert (title.source, title.by, title.disagrees) == ("Edited", "", False)
    assert title.detail.endswith("the notes could not be read, so who edited it is unknown.")


def test_without_provider_logs_the_enrichment_names_only_its_provider() -> None:
    dossier = make_dossier(errors={"provider_logs": permission_denied()})
    status = by_field(value_provenance(dossier, UTC_ZONE))["email.status"]
    assert status.by == "BriteVerify"
    assert status.detail.endswith("(the BriteVerify answer is not in this dossier).")


def test_a_data_note_gives_an_edited_lead_field_its_editor() -> None:
    lead = make_lead(company="Acme Ltd")
    notes = [note(40, 60, "data", "company set", author="Ed", field="company", newValue="Acme Ltd")]
    found = by_field(value_provenance(make_dossier(lead, notes=notes), UTC_ZONE))
    assert (found["company"].source, found["company"].by) == ("Edited", "Ed")


def test_badges_line_up_with_the_profile_tables_rows() -> None:
    dossier = make_dossier()
    provenance = value_provenance(dossier, UTC_ZONE)
    tables = profile_tables(dossier.lead, dossier.lead_data or [], UTC_ZONE)
    publisher = badges_for(tables.publisher_data["Field"], provenance)
    assert publisher[:2] == ["Not captured", "Captured"]  # no title; first name captured
    assert badges_for(tables.enrichment["Field"], provenance) == [
        "Enriched · BriteVerify",
        "Enriched · NeverBounce",
    ]
    assert badges_for(["No Such Field"], provenance) == [""]


def test_the_table_keeps_hostile_values_plain_and_its_csv_neutralises_formulas() -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    parts = story_parts()
    parts["lead_data"] = [value(2, "company", formula, "captured")]
    frame = provenance_frame(value_provenance(make_dossier(**parts), UTC_ZONE), UTC_ZONE)
    assert formula in frame["Value"].tolist()
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
