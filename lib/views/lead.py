"""The Lead page's view models: the profile panel, and each tab's tables from the dossier.

Each function turns API models into display-ready values (times in the viewer's zone, statuses
by name, money with its currency, unsafe URLs dropped), so `lib/ui/lead_page.py` only draws and
the rules (which rows show, in which order) are tested without Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from typing import Final

import pandas as pd

from lib.convertr.constants import STATUS_CAUTION_SHARE
from lib.convertr.dossier import LeadDossier
from lib.convertr.models import (
    LEAD_CORE_ATTRIBUTES,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    FormatWarning,
    Lead,
    LeadData,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    ProcessrStatus,
    Publisher,
    Statistic,
)
from lib.presentation import (
    MASKED_LABEL,
    delivery_label,
    derived_status_help,
    derived_statuses_note,
    display_text,
    escape_markdown,
    format_timestamp,
    pretty_message,
    role_label,
    safe_image_url,
    safe_link_url,
    shorten,
    shown_value,
    status_text,
)

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


PUBLISHER_DATA_LABELS: Final[Mapping[str, str]] = {"addressLine1": "Address Line 1"}
"""Labels `label_for` cannot guess (it keeps the digit on its word: "Address Line1")."""

PUBLISHER_DATA_FIELDS: Final[tuple[tuple[str, str], ...]] = tuple(
    (name, PUBLISHER_DATA_LABELS.get(name) or label_for(name)) for name in LEAD_CORE_ATTRIBUTES
)
"""The "Publisher Data" rows shown on every lead, even when empty, in this order: the fields a
lead carries itself (`models.LEAD_CORE_ATTRIBUTES`), with their labels."""


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
            return shown_value(current[name].value)
        return shown_value(display_text(lead.core_value(name)))

    publisher_rows = [
        {"Field": label, "Value": current_value(name)} for name, label in PUBLISHER_DATA_FIELDS
    ]
    default_names = {name for name, _ in PUBLISHER_DATA_FIELDS}
    other_rows = [
        {"Field": label_for(item.name), "Value": shown_value(item.value)}
        for item in _values_by_source(lead_data, "captured")
        if item.name not in default_names
    ]
    derived_rows = [
        {"Field": label_for(item.name), "Value": shown_value(item.value)}
        for item in _values_by_source(lead_data, "derived")
        if DERIVED_SOURCES.get(item.name) is None
        or DERIVED_SOURCES[item.name] in captured_names
        or current_value(DERIVED_SOURCES[item.name])
    ]
    enrichment_rows = [
        {
            "Provider": item.provider or "",
            "Field": label_for(item.name),
            "Value": shown_value(item.value),
        }
        for item in _values_by_source(lead_data, "enrichment")
    ]
    transform_rows = [
        {
            "Field": label_for(item.name),
            "Original value": shown_value(item.original_value),
            "Transformed value": shown_value(item.value),
        }
        for item in _values_by_source(lead_data, "transform")
    ]
    edited_rows = [
        {
            "Field": label_for(item.name),
            "Original value": shown_value(item.original_value),
            "Current value": shown_value(item.value),
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
        "Caution": (
            f"Caution is {STATUS_CAUTION_SHARE:.0%} up to (not including) 100% and waits "
            f"for a person"
        ),
        "Invalid": f"under {STATUS_CAUTION_SHARE:.0%} is Invalid",
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
            "Old value": shown_value(note.old_value),
            "New value": shown_value(note.new_value),
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
                "Lead status": status_text(other.status),
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


# -- the page: tabs, the profile panel and each tab's view ----------------------------------

TAB_PROFILE: Final = "Profile"
TAB_ASSOCIATED: Final = "Associated Campaigns"
TAB_JOBS: Final = "Job Details"
TAB_PROCESSR_LOGS: Final = "Processr Logs"
TAB_PROVIDER_LOGS: Final = "Provider Logs"
TAB_EDIT: Final = "Edit Data"
TAB_NOTES: Final = "Notes"
TAB_TIMELINE: Final = "Timeline"
LEAD_TABS: Final = (
    TAB_PROFILE,
    TAB_ASSOCIATED,
    TAB_JOBS,
    TAB_PROCESSR_LOGS,
    TAB_PROVIDER_LOGS,
    TAB_EDIT,
    TAB_NOTES,
    TAB_TIMELINE,
)
NO_ASSOCIATED: Final = "No associated campaigns: this email was captured only here."
NO_NAME: Final = "No name captured"
MISSING_VALUE: Final = "—"


def load_caption(seconds: float, requests: int) -> str:
    """What the last load of the lead cost, for the caption under its title."""
    return f"Loaded in {seconds:.2f} s with {requests} requests"


@dataclass(frozen=True)
class DetailRow:
    """A label and its value in the panel's Details, the value already shortened."""

    label: str
    value: str


@dataclass(frozen=True)
class Location:
    """Where the lead was captured, for the panel's map."""

    latitude: float
    longitude: float
    address: str
    """The lead's address in one line (empty when none was captured)."""


@dataclass(frozen=True)
class ProfilePanel:
    """The Lead Profile panel beside the tabs: who the lead is and its key facts, every value
    already formatted and shortened (lead values are shown as plain text)."""

    photo_url: str | None
    name: str
    headline: tuple[str, ...]
    """Job title, company and email, those captured."""
    social_links: tuple[tuple[str, str], ...]
    """(label, https URL) pairs."""
    lead_id: DetailRow
    status: ProcessrStatus
    """The label, for the badge's colour and icon."""
    status_text: str
    """The badge's text: the label, marked "(derived)" when the client derived it."""
    status_help: str | None
    """Why a derived status is marked (None when the server sent a known status)."""
    delivered: bool
    delivery: str
    campaign_id: int
    campaign_name: str
    details: tuple[DetailRow, ...]
    """Generator (when known), Form, Entry Point and Captured, in this order."""
    score_fraction: float
    score_text: str
    location: Location | None


def _detail(label: str, value: str) -> DetailRow:
    return DetailRow(label, shorten(value) if value else MISSING_VALUE)


def _form_label(lead: Lead) -> str:
    if lead.form_name and lead.form_hash:
        return f"{lead.form_name} ({lead.form_hash})"
    return lead.form_name or lead.form_hash or ""


def _location(lead: Lead) -> Location | None:
    if lead.latitude is None or lead.longitude is None:
        return None
    parts = (lead.address_line1, lead.address_line2, lead.postcode, lead.country)
    shown = [shown_value(part) for part in parts if part]
    if MASKED_LABEL in shown:
        # Several masked lines say "masked" once, before what was not masked.
        shown = [MASKED_LABEL, *(part for part in shown if part != MASKED_LABEL)]
    address = ", ".join(shown)
    return Location(lead.latitude, lead.longitude, shorten(address) if address else "")


def profile_panel(dossier: LeadDossier, zone: tzinfo) -> ProfilePanel:
    """The panel of the dossier's lead."""
    lead = dossier.lead
    social = social_profile(dossier.lead_data or [])
    campaign = dossier.campaign
    details = [
        DetailRow("Generator", shorten(generator))
        for generator in (generator_name(lead, dossier.publishers or []),)
        if generator
    ]
    details += [
        _detail("Form", _form_label(lead)),
        _detail("Entry Point", lead.entry_point or ""),
        _detail("Captured", format_timestamp(lead.created_ts, zone)),
    ]
    return ProfilePanel(
        photo_url=social.photo_url,
        name=shorten(lead.full_name or NO_NAME),
        headline=tuple(
            shorten(shown_value(line))
            for line in (lead.job_title, lead.company, lead.email)
            if line
        ),
        social_links=social.links,
        lead_id=_detail("Lead ID", str(lead.id)),
        status=lead.processr_status,
        status_text=status_text(lead.status),
        status_help=derived_status_help(lead.status),
        delivered=bool(lead.delivered),
        delivery=delivery_label(lead.delivered),
        campaign_id=lead.campaign_id,
        campaign_name=shorten(campaign.name if campaign else f"Campaign {lead.campaign_id}"),
        details=tuple(details),
        score_fraction=score_fraction(lead.score, lead.max_score),
        score_text=f"Score {lead.score} / {lead.max_score}",
        location=_location(lead),
    )


PROFILE_BLOCKS: Final = (
    ("Other captured values", "other_captured", "captured"),
    ("Derived values", "derived", "derived"),
    ("Enrichment", "enrichment", "enrichment"),
    ("Value transforms", "transforms", "transforms"),
    ("Edited values", "edited", "edited"),
)
"""The Profile tab's blocks after Publisher Data: title, `ProfileTables` field, table slug."""


def profile_blocks(tables: ProfileTables) -> list[tuple[str, pd.DataFrame, str]]:
    """The Profile tab's blocks that have rows: (title, frame, slug), in order."""
    blocks = [(title, getattr(tables, name), slug) for title, name, slug in PROFILE_BLOCKS]
    return [(title, frame, slug) for title, frame, slug in blocks if not frame.empty]


@dataclass(frozen=True)
class AssociatedCampaigns:
    """The Associated Campaigns tab: the other campaigns (links safe) and their weekly leads."""

    table: pd.DataFrame
    caption: str
    weekly: pd.DataFrame
    """Leads per week of the shown campaigns and the lead's own (`comparison_frame`)."""
    derived_note: str | None = None
    """Why some statuses are marked "(derived)", when some are."""


def associated_campaigns(dossier: LeadDossier, zone: tzinfo) -> AssociatedCampaigns:
    lead = dossier.lead
    campaigns = dossier.associated_campaigns or []
    table = associated_table(
        lead,
        dossier.associated_leads or [],
        campaigns,
        dossier.associated_statistics or [],
        dossier.associated_publishers or [],
        dossier.associated_links or [],
        zone,
    )
    table["Link"] = [safe_link_url(url) or "" for url in table["Link"]]
    count = len(table)
    caption = f"The email was also captured on {count:,} other campaign{'s' if count != 1 else ''}."
    names = {campaign.id: campaign.name for campaign in campaigns}
    shown = {int(value) for value in table["Campaign ID"]} | {lead.campaign_id}
    chronologies = [
        item for item in dossier.associated_chronologies or [] if item.campaign_id in shown
    ]
    shown_leads = [
        other
        for other in dossier.associated_leads or []
        if other.id != lead.id and other.campaign_id != lead.campaign_id
    ]
    return AssociatedCampaigns(
        table,
        caption,
        comparison_frame(chronologies, names),
        derived_statuses_note(other.status for other in shown_leads),
    )


@dataclass(frozen=True)
class JobDetails:
    """The Job Details tab: outcome counts and the score, why the lead has its status, and
    one row per campaign job."""

    figures: tuple[tuple[str, str], ...]
    """(label, value): Passed, Failed, Not run, Score."""
    explanation: str
    rows: pd.DataFrame


def job_details(dossier: LeadDossier, zone: tzinfo) -> JobDetails:
    lead = dossier.lead
    jobs, results = dossier.jobs or [], dossier.job_results or []
    table = job_table(jobs, results, zone)
    figures = [(outcome, f"{table.counts.get(outcome, 0):,}") for outcome in JOB_OUTCOMES]
    figures.append(("Score", f"{lead.score} / {lead.max_score}"))
    return JobDetails(tuple(figures), score_explanation(lead, jobs, results), table.rows)


@dataclass(frozen=True)
class ProviderAnswer:
    """One provider log entry: a header line and the message as the provider sent it."""

    header: str
    message: str
    language: str
    """"json" when the message is a JSON document (shown indented), else "text"."""


def provider_answers(logs: Iterable[LogEntry], zone: tzinfo) -> list[ProviderAnswer]:
    """Provider logs oldest first, each message pretty-printed when it is JSON."""
    answers = []
    for entry in sorted_logs(logs):
        parts = (
            format_timestamp(entry.created_ts, zone),
            entry.level.capitalize(),
            entry.provider or "",
            entry.job_name or "",
        )
        message, language = pretty_message(entry.message)
        answers.append(
            ProviderAnswer(" · ".join(part for part in parts if part), message, language)
        )
    return answers


def provider_logs_caption(count: int) -> str:
    return f"{count:,} provider answers, oldest first, exactly as the provider sent them."


def provider_logs_hidden(role: str) -> str:
    """Why a role sees no provider logs (markdown: the role is escaped)."""
    return (
        f"Your role ({escape_markdown(role_label(role))}) cannot see provider logs: they may "
        "contain unmasked personal data. Ask an admin or analyst if you need them."
    )


@dataclass(frozen=True)
class FormatWarnings:
    """Fields the API sent in a shape the models did not expect (kept as sent), for a small
    expander on the Lead page. Names and shapes only, never values."""

    heading: str
    lines: tuple[str, ...]
    """One "Model.field: expected X, got Y" per field."""


def format_warnings(warnings: Sequence[FormatWarning]) -> FormatWarnings | None:
    """The dossier's format warnings as the expander shows them, or None when there are none."""
    if not warnings:
        return None
    count = len(warnings)
    heading = f"The API sent {count:,} field{'s' if count != 1 else ''} in an unexpected shape"
    lines = tuple(
        f"{item.model}.{item.field}: expected {item.expected}, got {item.got}" for item in warnings
    )
    return FormatWarnings(heading, lines)
