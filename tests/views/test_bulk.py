"""lib/views/bulk.py: the fields offered, the review (changes, skips and their reasons,
validation as Edit Data validates), conflicts settled, and the summary."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.convertr.edits import SaveResult
from lib.convertr.models import Lead, LeadEditableField, User
from lib.presentation import MASKED_VALUE, csv_bytes
from lib.views.bulk import (
    SKIP_BY_USER,
    SKIP_DELIVERED,
    SKIP_EQUAL,
    SKIP_MASKED,
    SKIP_NOT_FOUND,
    BulkDraft,
    BulkLead,
    BulkRun,
    BulkSpec,
    bulk_review,
    common_fields,
    keep_mine,
    may_bulk_edit,
    merge_page_selection,
    run_with_results,
    selection_caption,
    skip_conflict,
    spec_problems,
    summary_counts,
    summary_frame,
    take_theirs,
)

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
ADMIN = User(
    id=1, email="a@x.test", name="Admin", role="admin",
    permissions=("leads.view", "leads.edit", "leads.edit_delivered"),
)  # fmt: skip
ANALYST = User(
    id=2, email="b@x.test", name="Analyst", role="analyst", permissions=("leads.view", "leads.edit")
)
VIEWER = User(id=3, email="c@x.test", name="Viewer", role="viewer", permissions=("leads.view",))
MASKED = User(id=4, email="d@x.test", name="Masked", role="masked", permissions=("leads.view",))


def field(
    name: str,
    kind: str = "text",
    *,
    campaign: int = 1,
    choices: tuple[str, ...] = (),
    editable: bool = True,
    max_length: int | None = None,
    position: int = 0,
) -> LeadEditableField:
    return LeadEditableField.model_validate(
        {
            "id": campaign * 100 + position,
            "campaign": f"/api/v4/campaigns/{campaign}",
            "name": name,
            "label": name.title(),
            "type": kind,
            "choices": list(choices),
            "maxLength": max_length,
            "editable": editable,
            "position": position,
        }
    )


def lead(lead_id: int, *, campaign: int = 1, delivered: bool = False, **values: object) -> Lead:
    return Lead.model_validate(
        {
            "id": lead_id,
            "campaign": f"/api/v4/campaigns/{campaign}",
            "processrStatus": "Valid",
            "score": 100,
            "maxScore": 100,
            "createdTs": NOW.isoformat(),
            "delivered": delivered,
            **values,
        }
    )


FIELDS = (
    field("jobTitle", position=1),
    field("country", "choice", choices=("United Kingdom", "France"), position=2),
    field("employees", "number", position=3),
    field("email", "email", position=4),
    field("leadSource", editable=False, position=5),
    field("postcode", max_length=8, position=6),
)


def item(lead_id: int, value: str | None, *, delivered: bool = False) -> BulkLead:
    return BulkLead(lead(lead_id, delivered=delivered), FIELDS, value)


def test_only_fields_editable_on_every_campaign_are_offered() -> None:
    first = list(FIELDS)
    second = [field("jobTitle", campaign=2), field("country", "choice", campaign=2)]
    third = [field("jobTitle", campaign=3), field("country", campaign=3, editable=False)]
    assert [item.name for item in common_fields([first, second])] == ["jobTitle", "country"]
    assert [item.name for item in common_fields([first, second, third])] == ["jobTitle"]
    assert "leadSource" not in [item.name for item in common_fields([first])]
    assert common_fields([]) == ()


def test_every_skip_has_its_reason() -> None:
    items = [
        item(1, "Engineer"),
        item(2, "Head of Data"),
        item(3, None, delivered=True),
        item(4, None),  # no lead-data value: becomes a new one
    ]
    other_campaign = BulkLead(
        lead(5, campaign=2), (field("jobTitle", campaign=2, editable=False),), "x"
    )
    review = bulk_review(
        ANALYST, [*items, other_campaign], BulkSpec("jobTitle", value="Head of Data"),
        "Job title", missing=(6,),
    )  # fmt: skip
    assert [
        (change.lead_id, change.old, change.new, change.loaded) for change in review.changes
    ] == [
        (1, "Engineer", "Head of Data", "Engineer"),
        (4, "", "Head of Data", None),
    ]
    reasons = {skip.lead_id: skip.reason for skip in review.skipped}
    assert reasons[2] == SKIP_EQUAL
    assert reasons[3] == SKIP_DELIVERED
    assert "not editable on this lead's campaign (campaign 2)" in reasons[5]
    assert reasons[6] == SKIP_NOT_FOUND
    assert review.confirm_label == "Save 2 changes"
    # The admin may edit delivered leads: lead 3 is changed for them.
    admin_review = bulk_review(ADMIN, items, BulkSpec("jobTitle", value="Head of Data"))
    assert 3 in {change.lead_id for change in admin_review.changes}


def test_a_masked_value_is_never_overwritten_blind() -> None:
    review = bulk_review(
        ADMIN, [item(1, MASKED_VALUE), item(2, "a@b.co")], BulkSpec("email", value="x@y.co")
    )
    assert [change.lead_id for change in review.changes] == [2]
    assert review.skipped[0].reason == SKIP_MASKED


def test_the_lead_own_value_is_the_current_one_when_no_lead_data_holds_it() -> None:
    review = bulk_review(
        ADMIN,
        [BulkLead(lead(1, jobTitle="CTO"), FIELDS, None)],
        BulkSpec("jobTitle", value="CEO"),
    )
    assert [(c.old, c.loaded) for c in review.changes] == [("CTO", None)]


def test_set_values_are_validated_as_edit_data_validates_them() -> None:
    by_name = {item.name: item for item in FIELDS}
    assert spec_problems(BulkSpec("employees", value="many"), by_name["employees"]) == [
        "Expected a number, such as 250 or 12.5."
    ]
    assert spec_problems(BulkSpec("country", value="UK"), by_name["country"]) == [
        "Expected one of United Kingdom, France."
    ]
    assert spec_problems(BulkSpec("postcode", value="123456789"), by_name["postcode"]) == [
        "At most 8 characters, got 9."
    ]
    assert spec_problems(BulkSpec("country", value="France"), by_name["country"]) == []
    assert spec_problems(BulkSpec(""), None) == ["Choose a field."]
    assert spec_problems(BulkSpec("jobTitle", "replace"), by_name["jobTitle"]) == [
        "Type the text to find."
    ]


def test_find_and_replace_checks_each_result_and_skips_leads_without_a_match() -> None:
    spec = BulkSpec("email", "replace", find="@old.example", replace_with="@new example")
    review = bulk_review(ADMIN, [item(1, "ann@old.example"), item(2, "bob@other.example")], spec)
    reasons = {skip.lead_id: skip.reason for skip in review.skipped}
    assert "would be invalid" in reasons[1] and "email address" in reasons[1]
    assert "does not contain '@old.example'" in reasons[2]
    fixed = bulk_review(
        ADMIN,
        [item(1, "ann@old.example")],
        BulkSpec("email", "replace", find="old", replace_with="new"),
    )
    assert [(c.old, c.new) for c in fixed.changes] == [("ann@old.example", "ann@new.example")]


def test_bulk_controls_are_for_roles_that_edit_unmasked() -> None:
    assert may_bulk_edit(ADMIN) and may_bulk_edit(ANALYST)
    assert not may_bulk_edit(VIEWER)
    assert not may_bulk_edit(MASKED)
    masked_editor = User(
        id=5, email="e@x.test", name="M", role="masked", permissions=("leads.view", "leads.edit")
    )
    assert not may_bulk_edit(masked_editor)


def review_of_three() -> BulkRun:
    review = bulk_review(
        ADMIN,
        [item(1, "a"), item(2, "b"), item(3, "c"), item(4, "z")],
        BulkSpec("jobTitle", value="z"),
    )
    return BulkRun(review)


def test_conflicts_are_settled_one_by_one_and_the_summary_says_what_happened() -> None:
    run = review_of_three()
    run = run_with_results(
        run,
        {
            1: SaveResult("jobTitle", "saved", mine="z"),
            2: SaveResult("jobTitle", "conflict", "moved", mine="z", theirs="B"),
            3: SaveResult("jobTitle", "rejected", "Too long.", mine="z"),
        },
    )
    assert [change.lead_id for change, _ in run.conflicts] == [2]
    assert summary_counts(run) == {"saved": 1, "skipped": 1, "conflict": 1, "failed": 1}
    rebased = keep_mine(run.change(2), "B")
    assert (rebased.loaded, rebased.old, rebased.new) == ("B", "B", "z")
    assert not take_theirs(run, 2).conflicts
    skipped = skip_conflict(run, 2)
    assert summary_counts(skipped)["skipped"] == 2
    frame = summary_frame(skipped)
    assert frame.set_index("Lead").at[2, "Reason"] == SKIP_BY_USER
    resent = run_with_results(run, {2: SaveResult("jobTitle", "saved", mine="z")})
    assert summary_counts(resent)["saved"] == 2 and not resent.conflicts


def test_the_summary_csv_neutralises_formulas() -> None:
    review = bulk_review(ADMIN, [item(1, '=HYPERLINK("x")')], BulkSpec("jobTitle", value="@SUM(1)"))
    run = run_with_results(BulkRun(review), {1: SaveResult("jobTitle", "saved", mine="@SUM(1)")})
    text = csv_bytes(summary_frame(run)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text


def test_selection_across_pages_and_the_cap() -> None:
    chosen = merge_page_selection([], [10, 11, 12], [0, 2])
    assert chosen == [10, 12]
    chosen = merge_page_selection(chosen, [20, 21], [1])
    assert chosen == [10, 12, 21]
    assert merge_page_selection(chosen, [10, 11, 12], [1]) == [21, 11]
    assert "at most 500" in selection_caption(501)
    assert selection_caption(3) == "3 leads chosen for bulk edit."


def test_a_draft_keeps_settings_only() -> None:
    draft = BulkDraft((1, 2), BulkSpec("jobTitle", value="CTO"))
    data = draft.to_dict()
    assert data == {
        "lead_ids": [1, 2],
        "spec": {
            "field": "jobTitle",
            "mode": "set",
            "value": "CTO",
            "find": "",
            "replace_with": "",
        },
    }
    assert BulkDraft.from_dict(data) == draft


@pytest.mark.parametrize("value", ["", "   "])
def test_a_required_field_is_never_emptied(value: str) -> None:
    required = LeadEditableField.model_validate(
        {
            "id": 1, "campaign": "/api/v4/campaigns/1", "name": "firstName",
            "label": "First name", "type": "text", "required": True,
        }
    )  # fmt: skip
    assert spec_problems(BulkSpec("firstName", value=value), required) == [
        "First name is required."
    ]
