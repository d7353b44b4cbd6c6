"""Fixed demo catalogue: users, campaigns, publishers, Processr jobs and editable fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEMO_PASSWORD = "sandbox"

# (email, role, display name); every demo user signs in with DEMO_PASSWORD.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin@sandbox.test", "admin", "Ada Admin"),
    ("analyst@sandbox.test", "analyst", "Ana Lyst"),
    ("viewer@sandbox.test", "viewer", "Vic Viewer"),
    ("masked@sandbox.test", "masked", "Max Masked"),
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": ("leads.view", "leads.edit", "leads.edit_delivered", "logs.provider.view"),
    "analyst": ("leads.view", "leads.edit", "logs.provider.view"),
    "viewer": ("leads.view", "logs.provider.view"),
    "masked": ("leads.view",),
}

FIRST_LEAD_ID = 100_001
SHOWCASE_CAUTION_LEAD_ID = 100_001
SHOWCASE_HOSTILE_LEAD_ID = 100_002
SHOWCASE_DELIVERED_LEAD_ID = 100_003


@dataclass(frozen=True)
class CampaignSpec:
    """A demo campaign and the knobs that shape its leads."""

    name: str
    advertiser: str
    status: str
    currency: str
    capped: bool
    start: date
    end: date | None
    weight: float
    """Share of all generated leads that land on this campaign."""
    integration: str
    has_hlr: bool
    has_full_contact: bool
    duplicate_hardfail: bool
    price: str
    """What the advertiser pays per lead (decimal string)."""
    landing_host: str


CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "Q3 Cloud Security Whitepaper",
        "Northwind Systems",
        "Live",
        "GBP",
        True,
        date(2026, 6, 1),
        date(2026, 12, 31),
        0.20,
        "Eloqua",
        True,
        True,
        True,
        "48.00",
        "offers.northwind-systems.com",
    ),
    CampaignSpec(
        "Zero Trust Buyer's Guide 2026",
        "Northwind Systems",
        "Live",
        "GBP",
        False,
        date(2026, 5, 12),
        None,
        0.10,
        "Salesforce",
        False,
        True,
        False,
        "42.50",
        "offers.northwind-systems.com",
    ),
    CampaignSpec(
        "Data Platform Modernisation Webinar",
        "Contoso Analytics",
        "Live",
        "USD",
        True,
        date(2026, 4, 1),
        date(2026, 12, 15),
        0.28,
        "HTTP Post",
        True,
        False,
        True,
        "55.00",
        "events.contoso-analytics.com",
    ),
    CampaignSpec(
        "AI in Financial Services Research Report",
        "Fabrikam Financial Software",
        "Paused",
        "USD",
        False,
        date(2026, 3, 2),
        date(2026, 12, 31),
        0.08,
        "Salesforce",
        True,
        True,
        False,
        "61.25",
        "research.fabrikamfs.com",
    ),
    CampaignSpec(
        "HR Tech Benchmark 2026",
        "Tailspin HR Cloud",
        "Completed",
        "EUR",
        True,
        date(2026, 2, 2),
        date(2026, 9, 30),
        0.09,
        "Eloqua",
        False,
        False,
        True,
        "38.00",
        "content.tailspin-hr.de",
    ),
    CampaignSpec(
        "Supply Chain Visibility eBook",
        "Wingtip Logistics",
        "Live",
        "EUR",
        False,
        date(2026, 6, 15),
        None,
        0.07,
        "HTTP Post",
        True,
        True,
        False,
        "36.40",
        "lp.wingtip-logistics.eu",
    ),
    CampaignSpec(
        "Customer Experience Summit Registrations",
        "Adventure Works CX",
        "Live",
        "USD",
        True,
        date(2026, 7, 1),
        date(2026, 11, 30),
        0.06,
        "Salesforce",
        True,
        False,
        True,
        "29.90",
        "summit.adventureworks-cx.com",
    ),
    CampaignSpec(
        "SD-WAN Migration Playbook",
        "Litware Networks",
        "Completed",
        "GBP",
        True,
        date(2026, 1, 12),
        date(2026, 6, 30),
        0.05,
        "Eloqua",
        False,
        True,
        True,
        "44.00",
        "go.litware.net",
    ),
    CampaignSpec(
        "Endpoint Management Free Trial",
        "Northwind Systems",
        "Live",
        "GBP",
        False,
        date(2026, 8, 3),
        None,
        0.07,
        "HTTP Post",
        True,
        False,
        False,
        "27.50",
        "trial.northwind-systems.com",
    ),
    CampaignSpec(
        "Sustainability Reporting Whitepaper",
        "Proseware ESG",
        "Draft",
        "EUR",
        False,
        date(2026, 12, 1),
        date(2027, 3, 31),
        0.0,
        "Eloqua",
        False,
        True,
        False,
        "40.00",
        "esg.proseware.eu",
    ),
)

PUBLISHERS: tuple[str, ...] = (
    "Demand Harbour",
    "Intent Signal Co",
    "Whitepaper Central",
    "SyndicateIQ",
    "Pipeline Forge",
    "ContentBridge Media",
    "Northstar Demand",
    "Apex B2B Leads",
    "ClearFunnel",
    "BrightLane Digital",
    "Meridian Data Partners",
    "Orbit Lead Services",
)


@dataclass(frozen=True)
class JobSpec:
    """A Processr job as configured on a campaign."""

    job_id: int
    name: str
    db_ref: str | None
    category: str
    provider: str | None
    hardfail: bool
    max_score: int


JOB_TEST_DATA = JobSpec(1003, "Test Data Check", "job.test_data", "quality", None, False, 10)
JOB_TRANSFORMS = JobSpec(
    1090, "Value Transforms", "job.value_transforms", "transform", None, False, 0
)
JOB_DUPLICATE = JobSpec(
    1001, "Duplicate Email Check", "job.duplicate_email", "quality", None, False, 20
)
JOB_SUPPRESSED_NAME = JobSpec(
    1002, "Suppressed Name Check", "job.invalid_name", "quality", None, False, 10
)
JOB_VALIDATION_LIST = JobSpec(
    1118, "Validation List Check", "job.suppression_list", "quality", None, True, 10
)
# Job ids 1120/1130 and the integration ids are assumed; the public sources name the jobs only.
JOB_EMAIL = JobSpec(
    1120, "Live Email Validation", "job.email_validation", "enrichment", "BriteVerify", False, 25
)
JOB_HLR = JobSpec(1110, "HLR Live Telephone Check", None, "quality", None, False, 15)
JOB_FULL_CONTACT = JobSpec(
    1130, "Full Contact Enrichment", "job.fullcontact", "enrichment", "Full Contact", False, 0
)
JOB_CONDITIONAL = JobSpec(1115, "Simple Conditional Validation", None, "quality", None, False, 10)
INTEGRATION_JOBS: dict[str, JobSpec] = {
    "Eloqua": JobSpec(2010, "Eloqua", "integration.eloqua", "integration", None, False, 0),
    "Salesforce": JobSpec(
        2020, "Salesforce", "integration.salesforce", "integration", None, False, 0
    ),
    "HTTP Post": JobSpec(2030, "HTTP Post", "integration.http_post", "integration", None, False, 0),
}


def campaign_jobs(spec: CampaignSpec) -> list[JobSpec]:
    """The campaign's jobs in run order."""
    jobs = [JOB_TEST_DATA, JOB_TRANSFORMS]
    duplicate = JOB_DUPLICATE
    if spec.duplicate_hardfail:
        duplicate = JobSpec(**{**duplicate.__dict__, "hardfail": True})
    jobs += [duplicate, JOB_SUPPRESSED_NAME, JOB_VALIDATION_LIST, JOB_EMAIL]
    if spec.has_hlr:
        jobs.append(JOB_HLR)
    if spec.has_full_contact:
        jobs.append(JOB_FULL_CONTACT)
    jobs += [JOB_CONDITIONAL, INTEGRATION_JOBS[spec.integration]]
    return jobs


COUNTRIES = ("United Kingdom", "United States", "Germany", "France", "Ireland", "Netherlands")
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof")

# (name, label, type, choices, required, maxLength, editable)
EDITABLE_FIELDS: tuple[tuple[str, str, str, tuple[str, ...], bool, int | None, bool], ...] = (
    ("title", "Title", "choice", TITLES, False, None, True),
    ("firstName", "First Name", "text", (), True, 100, True),
    ("lastName", "Last Name", "text", (), True, 100, True),
    ("email", "Email", "email", (), True, 254, True),
    ("telephone", "Telephone", "text", (), False, 30, True),
    ("company", "Company", "text", (), False, 120, True),
    ("jobTitle", "Job Title", "text", (), False, 255, True),
    ("country", "Country", "choice", COUNTRIES, False, None, True),
    ("postcode", "Postcode", "text", (), False, 12, True),
    ("employees", "Company Size (employees)", "number", (), False, None, True),
    ("consentDate", "Consent Date", "date", (), False, None, True),
    ("emailDomain", "Email Domain", "text", (), False, None, False),
    ("leadSource", "Lead Source", "text", (), False, 64, False),
)
