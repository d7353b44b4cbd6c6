"""The Lead Data view as tables: the pure step between the dossier's models and the page.

Each function turns API models into a pandas frame with display-ready text columns (times in
the viewer's zone, statuses by name, money with its currency), so the page only renders and the
rules (which rows show, in which order) are tested without Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Final

import pandas as pd

from lib.convertr.models import (
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    Lead,
    LeadData,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    Publisher,
    Statistic,
)
from lib.presentation import (
    LEAD_STATUSES,
    delivery_label,
    display_text,
    format_count,
    format_date,
    format_money,
    format_timestamp,
    safe_image_url,
    safe_link_url,
)

PUBLISHER_DATA_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("title", "Title"),
    ("firstName", "First Name"),
    ("lastName", "Last Name"),
    ("email", "Email"),
    ("telephone", "Telephone"),
    ("company", "Company"),
    ("jobTitle", "Job Title"),
    ("country", "Country"),
    ("postcode", "Postcode"),
    ("addressLine1", "Address Line 1"),
)
"""The "Publisher Data" rows shown on every lead, even when empty, in this order."""

DERIVED_SOURCES: Final[Mapping[str, str]] = {
    "emailDomain": "email",
    "email_domain": "email",
    "fullName": "firstName",
    "telephoneCountry": "telephone",
    "countryCode": "country",
}
"""A derived value shows only when the captured field it is derived from has a value."""

JOB_OUTCOMES: Final = ("Passed", "Failed", "Not run")

FULL_CONTACT: Final = "Full Contact"
_PHOTO_HINTS: Final = ("photo", "avatar", "image")
_SOCIAL_NAMES: Final[Mapping[str, str]] = {
    "linkedin": "LinkedIn",
    "twitter": "Twitter",
    "x.com": "X",
    "facebook": "Facebook",
    "github": "GitHub",
    "instagram": "Instagram",
}

PROFILE_COLUMNS: Final = ["Field", "Value"]
ENRICHMENT_COLUMNS: Final = ["Provider", "Field", "Value"]
TRANSFORM_COLUMNS: Final = ["Field", "Original value", "Transformed value"]
EDITED_COLUMNS: Final = ["Field", "Original value", "Current value", "Edited"]
JOB_COLUMNS: Final = ["#", "Job", "Outcome", "Score", "Hardfail", "Message", "Category", "Run at"]
LOG_COLUMNS: Final = ["Time", "Level", "Job", "Message"]
PROVIDER_LOG_COLUMNS: Final = ["Time", "Level", "Provider", "Job", "Message"]
NOTE_COLUMNS: Final = ["Time", "Type", "Author", "Message", "Field", "Old value", "New value"]
ASSOCIATED_COLUMNS: Final = [
    "Campaign ID",
    "Campaign",
    "Advertiser",
    "Lead ID",
    "Lead status",
    "Delivery",
    "Captured",
    "Publisher",
    "Link",
    "Total",
    "Valid",
    "Caution",
    "Invalid",
    "Delivered",
]


def label_for(name: str) -> str:
    """`"jobTitle"` → `"Job Title"`, `"neverbounce.result"` → `"Neverbounce Result"`."""
    words: list[str] = []
    current = ""
    for char in name.replace(".", " ").replace("_", " "):
        if char == " ":
            if current:
                words.append(current)
            current = ""
        elif char.isupper() and current and not current[-1].isupper():
            words.append(current)
            current = char
        else:
            current += char
    if current:
        words.append(current)
    return " ".join(word[:1].upper() + word[1:] for word in words)


@dataclass(frozen=True)
class ProfileTables:
    """The Profile tab's blocks, each a frame (possibly empty)."""

    publisher_data: pd.DataFrame
    other_captured: pd.DataFrame
    derived: pd.DataFrame
    enrichment: pd.DataFrame
    transforms: pd.DataFrame
    edited: pd.DataFrame


def _values_by_source(lead_data: Iterable[LeadData], source: str) -> list[LeadData]:
    return sorted((item for item in lead_data if item.source == source), key=lambda item: item.id)


def profile_tables(lead: Lead, lead_data: Sequence[LeadData], zone: tzinfo) -> ProfileTables:
    """Publisher Data (default rows always), other captured values, derived values whose
    source was captured, enrichment values with their provider, transforms and edits."""
    current = {item.name: item for item in lead_data}
    captured_names = {item.name for item in lead_data if item.source == "captured" and item.value}

    def current_value(name: str) -> str:
        if name in current and current[name].value is not None:
            return current[name].value or ""
        return display_text(lead.core_value(name))

    publisher_rows = [
        {"Field": label, "Value": current_value(name)} for name, label in PUBLISHER_DATA_FIELDS
    ]
    default_names = {name for name, _ in PUBLISHER_DATA_FIELDS}
    other_rows = [
        {"Field": label_for(item.name), "Value": item.value or ""}
        for item in _values_by_source(lead_data, "captured")
        if item.name not in default_names
    ]
    derived_rows = [
        {"Field": label_for(item.name), "Value": item.value or ""}
        for item in _values_by_source(lead_data, "derived")
        if DERIVED_SOURCES.get(item.name) is None
        or DERIVED_SOURCES[item.name] in captured_names
        or current_value(DERIVED_SOURCES[item.name])
    ]
    enrichment_rows = [
        {"Provider": item.provider or "", "Field": label_for(item.name), "Value": item.value or ""}
        for item in _values_by_source(lead_data, "enrichment")
    ]
    transform_rows = [
        {
            "Field": label_for(item.name),
            "Original value": item.original_value or "",
            "Transformed value": item.value or "",
        }
        for item in _values_by_source(lead_data, "transform")
    ]
    edited_rows = [
        {
            "Field": label_for(item.name),
            "Original value": item.original_value or "",
            "Current value": item.value or "",
            "Edited": format_timestamp(item.updated_ts or item.created_ts, zone),
        }
        for item in _values_by_source(lead_data, "edited")
    ]
    return ProfileTables(
        publisher_data=pd.DataFrame(publisher_rows, columns=PROFILE_COLUMNS),
        other_captured=pd.DataFrame(other_rows, columns=PROFILE_COLUMNS),
        derived=pd.DataFrame(derived_rows, columns=PROFILE_COLUMNS),
        enrichment=pd.DataFrame(enrichment_rows, columns=ENRICHMENT_COLUMNS),
        transforms=pd.DataFrame(transform_rows, columns=TRANSFORM_COLUMNS),
        edited=pd.DataFrame(edited_rows, columns=EDITED_COLUMNS),
    )


@dataclass(frozen=True)
class SocialProfile:
    """Photo and social links from Full Contact enrichment (only safe URLs)."""

    photo_url: str | None = None
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(label, https URL) pairs."""


def social_profile(lead_data: Iterable[LeadData]) -> SocialProfile:
    """The Full Contact photo and social links; URLs that are not safe are left out."""
    photo: str | None = None
    links: list[tuple[str, str]] = []
    for item in sorted(lead_data, key=lambda value: value.id):
        if item.provider != FULL_CONTACT or not item.value:
            continue
        lowered = item.name.lower()
        if any(hint in lowered for hint in _PHOTO_HINTS):
            photo = photo or safe_image_url(item.value)
            continue
        url = safe_link_url(item.value)
        if url is None:
            continue
        label = next(
            (nice for key, nice in _SOCIAL_NAMES.items() if key in lowered or key in url),
            label_for(item.name.split(".")[-1]),
        )
        links.append((label, url))
    return SocialProfile(photo_url=photo, links=tuple(links))


def score_fraction(score: int, max_score: int) -> float:
    """Score as a 0..1 fraction for a progress bar (clamped; 0 when there is no maximum)."""
    if max_score <= 0:
        return 0.0
    return min(1.0, max(0.0, score / max_score))


def generator_name(lead: Lead, publishers: Iterable[CampaignPublisher | Publisher]) -> str | None:
    """The publisher's name for the lead's Generator row, or None when it has none."""
    publisher_id = lead.publisher_id
    if publisher_id is None:
        return None
    for item in publishers:
        if isinstance(item, CampaignPublisher):
            if item.publisher_id == publisher_id:
                return item.publisher_name or f"Publisher {publisher_id}"
        elif item.id == publisher_id:
            return item.name
    return f"Publisher {publisher_id}"


@dataclass(frozen=True)
class JobTable:
    """The Job Details tab: one row per campaign job, and the outcome counts."""

    rows: pd.DataFrame
    counts: Mapping[str, int]


def job_table(
    jobs: Sequence[CampaignProcessrJob], results: Sequence[ProcessrJobLead], zone: tzinfo
) -> JobTable:
    """Every job on the campaign in run order, with Passed / Failed / Not run for the lead."""
    by_job = {result.campaign_processr_job_id: result for result in results}
    rows = []
    counts: Counter[str] = Counter({outcome: 0 for outcome in JOB_OUTCOMES})
    for job in sorted(jobs, key=lambda item: (item.position, item.id)):
        result = by_job.get(job.id)
        outcome = "Not run" if result is None else result.result.capitalize()
        counts[outcome] += 1
        score = "" if result is None else f"{result.score} / {job.max_score}"
        rows.append(
            {
                "#": job.position,
                "Job": f"{job.name} ({job.job_id})",
                "Category": (job.category or "").capitalize(),
                "Hardfail": "Yes" if job.hardfail else "No",
                "Outcome": outcome,
                "Score": score,
                "Message": (result.message or "") if result else "",
                "Run at": format_timestamp(result.created_ts, zone) if result else "",
            }
        )
    return JobTable(rows=pd.DataFrame(rows, columns=JOB_COLUMNS), counts=dict(counts))


CAUTION_SHARE: Final = 0.8
"""From 80% of the maximum score up to (not including) 100%, a lead is Caution (domain brief)."""


def score_explanation(
    lead: Lead, jobs: Sequence[CampaignProcessrJob], results: Sequence[ProcessrJobLead]
) -> str:
    """Why the lead has its status, in one or two plain sentences: the scoring rule applied
    to this lead's job results, naming the jobs that cost it points."""
    by_job = {result.campaign_processr_job_id: result for result in results}
    ordered = sorted(jobs, key=lambda item: (item.position, item.id))
    hardfails = [
        job.name
        for job in ordered
        if job.hardfail and job.id in by_job and by_job[job.id].result == "failed"
    ]
    lost = [
        f"{job.name} (-{job.max_score - by_job[job.id].score})"
        for job in ordered
        if job.id in by_job and by_job[job.id].score < job.max_score
    ]
    points = f"{lead.score} of {lead.max_score} points"
    share = lead.score / lead.max_score if lead.max_score else 0.0
    status = lead.processr_status
    if status == "Test":
        return f"Test: the lead was flagged as test data ({points}); it is never billable."
    if hardfails:
        return (
            f"Invalid whatever the score: the hardfail job {', '.join(hardfails)} failed "
            f"({points})."
        )
    if status == "Valid" and share >= 1:
        return f"Valid: {points}, every scoring job passed."
    rule = {
        "Caution": f"Caution is {CAUTION_SHARE:.0%} up to 100% and waits for a person",
        "Invalid": f"under {CAUTION_SHARE:.0%} is Invalid",
    }.get(status, "")
    explanation = f"{status}: {points} ({share:.0%})"
    if rule:
        explanation += f"; {rule}"
    if lost:
        explanation += f". Points lost: {', '.join(lost)}"
    return explanation + "."


def sorted_logs(logs: Iterable[LogEntry]) -> list[LogEntry]:
    """Logs in time order (ties by id, as the API orders them)."""
    return sorted(logs, key=lambda entry: (entry.created_ts, entry.id))


def log_table(logs: Iterable[LogEntry], zone: tzinfo, *, provider: bool) -> pd.DataFrame:
    """Processr or provider logs as a table; the message is kept exactly."""
    rows = []
    for entry in sorted_logs(logs):
        row = {
            "Time": format_timestamp(entry.created_ts, zone),
            "Level": entry.level.capitalize(),
            "Job": entry.job_name or "",
            "Message": entry.message,
        }
        if provider:
            row["Provider"] = entry.provider or ""
        rows.append(row)
    return pd.DataFrame(rows, columns=PROVIDER_LOG_COLUMNS if provider else LOG_COLUMNS)


def note_table(notes: Iterable[LeadNote], zone: tzinfo) -> pd.DataFrame:
    """Status, delivery, contract and data changes in time order, with their author."""
    rows = [
        {
            "Time": format_timestamp(note.created_ts, zone),
            "Type": note.type.capitalize(),
            "Author": note.author or "",
            "Message": note.message,
            "Field": label_for(note.field) if note.field else "",
            "Old value": note.old_value or "",
            "New value": note.new_value or "",
        }
        for note in sorted(notes, key=lambda item: (item.created_ts, item.id))
    ]
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)


def associated_table(
    lead: Lead,
    associated_leads: Iterable[Lead],
    campaigns: Iterable[Campaign],
    statistics: Iterable[Statistic],
    publishers: Iterable[CampaignPublisher],
    links: Iterable[CampaignLink],
    zone: tzinfo,
) -> pd.DataFrame:
    """Every other campaign where the lead's email was captured, with the lead's status
    there, the campaign's publisher and tracking link and its statistics."""
    campaign_by_id = {campaign.id: campaign for campaign in campaigns}
    statistic_by_campaign = {statistic.campaign_id: statistic for statistic in statistics}
    rows = []
    for other in sorted(associated_leads, key=lambda item: (item.created_ts, item.id)):
        if other.id == lead.id or other.campaign_id == lead.campaign_id:
            continue
        campaign = campaign_by_id.get(other.campaign_id)
        statistic = statistic_by_campaign.get(other.campaign_id)
        contract = next(
            (
                item
                for item in publishers
                if item.campaign_id == other.campaign_id and item.publisher == other.publisher
            ),
            None,
        )
        link = next(
            (
                item
                for item in links
                if item.campaign_id == other.campaign_id and item.publisher == other.publisher
            ),
            None,
        )
        rows.append(
            {
                "Campaign ID": other.campaign_id,
                "Campaign": campaign.name if campaign else f"Campaign {other.campaign_id}",
                "Advertiser": (campaign.advertiser or "") if campaign else "",
                "Lead ID": other.id,
                "Lead status": other.processr_status,
                "Delivery": delivery_label(other.delivered),
                "Captured": format_timestamp(other.created_ts, zone),
                "Publisher": (contract.publisher_name or "") if contract else "",
                "Link": link.url if link else "",
                "Total": statistic.total if statistic else None,
                "Valid": statistic.valid if statistic else None,
                "Caution": statistic.caution if statistic else None,
                "Invalid": statistic.invalid if statistic else None,
                "Delivered": statistic.delivered if statistic else None,
            }
        )
    return pd.DataFrame(rows, columns=ASSOCIATED_COLUMNS)


def chronology_frame(
    chronologies: Iterable[LeadStatisticsChronology],
    campaign_id: int | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Per-day counts by status (lower-case columns) for one campaign or all of them,
    optionally limited to `start`..`end` (inclusive)."""
    columns = ["date", *(status.lower() for status in LEAD_STATUSES), "total", "campaign_id"]
    rows = [
        {
            "date": item.date,
            "valid": item.valid,
            "caution": item.caution,
            "invalid": item.invalid,
            "test": item.test,
            "total": item.total,
            "campaign_id": item.campaign_id,
        }
        for item in chronologies
        if (campaign_id is None or item.campaign_id == campaign_id)
        and (start is None or item.date >= start)
        and (end is None or item.date <= end)
    ]
    return pd.DataFrame(rows, columns=columns).sort_values("date", kind="stable")


def comparison_frame(
    chronologies: Iterable[LeadStatisticsChronology], names: Mapping[int, str]
) -> pd.DataFrame:
    """Weekly lead totals of several campaigns (weeks start on Monday), labelled
    `"<name> (#id)"`, for the comparison chart: daily counts of small campaigns are too
    spiky to compare."""
    rows = [
        {
            "date": item.date - timedelta(days=item.date.weekday()),
            "campaign": f"{names.get(item.campaign_id, 'Campaign')} (#{item.campaign_id})",
            "total": item.total,
        }
        for item in chronologies
    ]
    frame = pd.DataFrame(rows, columns=["date", "campaign", "total"])
    weekly = frame.groupby(["campaign", "date"], as_index=False, sort=True)["total"].sum()
    return pd.DataFrame(weekly, columns=["date", "campaign", "total"])


def statistic_figures(statistic: Statistic) -> list[tuple[str, str]]:
    """KPI label and formatted value pairs, in the order the Campaigns page shows them."""
    return [
        ("Total", format_count(statistic.total)),
        ("Valid", format_count(statistic.valid)),
        ("Caution", format_count(statistic.caution)),
        ("Invalid", format_count(statistic.invalid)),
        ("Test", format_count(statistic.test)),
        ("Delivered", format_count(statistic.delivered)),
        ("Billable", format_count(statistic.billable)),
    ]


def campaign_table(campaigns: Iterable[Campaign]) -> pd.DataFrame:
    """The campaign list as a table."""
    rows = [
        {
            "ID": campaign.id,
            "Campaign": campaign.name,
            "Advertiser": campaign.advertiser or "",
            "Status": campaign.status,
            "Currency": campaign.currency,
            "Start": format_date(campaign.start_date),
            "End": format_date(campaign.end_date),
        }
        for campaign in campaigns
    ]
    return pd.DataFrame(
        rows, columns=["ID", "Campaign", "Advertiser", "Status", "Currency", "Start", "End"]
    )


def lead_table(leads: Iterable[Lead], zone: tzinfo, currency: str | None) -> pd.DataFrame:
    """One page of a campaign's leads as a table."""
    rows = [
        {
            "Lead ID": lead.id,
            "Captured": format_timestamp(lead.created_ts, zone),
            "Status": lead.processr_status,
            "Delivery": delivery_label(lead.delivered),
            "Name": lead.full_name,
            "Email": lead.email or "",
            "Company": lead.company or "",
            "Score": f"{lead.score} / {lead.max_score}",
            "Payout": format_money(lead.publisher_payout, currency)
            if lead.publisher_payout is not None
            else "",
        }
        for lead in leads
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "Lead ID",
            "Captured",
            "Status",
            "Delivery",
            "Name",
            "Email",
            "Company",
            "Score",
            "Payout",
        ],
    )
