"""The demo's fixed tables: users, campaigns, publishers, Processr jobs and editable fields, and
what the seeder draws generated leads from (job behaviours, odds, places, titles, hostile values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

DEMO_PASSWORD = "sandbox"
MFA_USER = "mfa@sandbox.test"
EXPIRED_PASSWORD_USER = "expired@sandbox.test"
SANDBOX_MFA_CODE = "123456"
"""The one code `MFA_USER`'s second step accepts: a sandbox convenience, not a real factor."""

# (email, role, display name); every demo user signs in with DEMO_PASSWORD.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin@sandbox.test", "admin", "Ada Admin"),
    ("analyst@sandbox.test", "analyst", "Ana Lyst"),
    ("viewer@sandbox.test", "viewer", "Vic Viewer"),
    ("masked@sandbox.test", "masked", "Max Masked"),
    (MFA_USER, "analyst", "Mia Factor"),
    (EXPIRED_PASSWORD_USER, "viewer", "Ezra Expired"),
)
MFA_USERS = frozenset({MFA_USER})
"""Demo users whose sign-in asks for a second factor (`SANDBOX_MFA_CODE`)."""
EXPIRED_PASSWORD_USERS = frozenset({EXPIRED_PASSWORD_USER})
"""Demo users whose password has expired: they get a token that every call refuses."""
PASSWORD_SIGN_IN_USERS = tuple(
    user for user in DEMO_USERS if user[0] not in MFA_USERS | EXPIRED_PASSWORD_USERS
)
"""The demo users a password alone signs in, ready to use (one per role)."""

ROLE_ABILITIES: dict[str, str] = {
    "admin": "view everything; edit data on any lead",
    "analyst": "view everything; edit data on leads not yet delivered",
    "viewer": "view everything; edit nothing",
    "masked": "view leads without provider logs; edit nothing",
}
"""What each role may do, in one line (a sign-in page lists it beside each demo user)."""
DEMO_USER_NOTES: dict[str, str] = {
    MFA_USER: "signs in in two steps: password, then an MFA code",
    EXPIRED_PASSWORD_USER: "its password has expired: signed in, it may do nothing",
}
"""What sets a demo user apart from its role, for the users that have something."""

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

# --- signals: the same person elsewhere (docs/api.md, "Showcase leads") -------------------------
# Addresses from the documentation ranges (RFC 5737), so no real network is named.
OFFICE_IP = "198.51.100.23"
"""A shared office IP: Olivia Bennett (100001) and three colleagues (100011-100013)."""
OFFICE_LEAD_IDS = (100_001, 100_011, 100_012, 100_013)
FARM_FINGERPRINT = "5f0c2e9a7b1d4c3e8a6f9b2d1e0c7a44"
"""A device farm: one browser fingerprint on 5 leads (100002, 100007-100010)."""
FARM_LEAD_IDS = (100_002, 100_007, 100_008, 100_009, 100_010)
FARM_IPS = ("203.0.113.41", "203.0.113.42", "203.0.113.44", "203.0.113.47", "203.0.113.49")
FARM_CAMPAIGN_INDEXES = (0, 2, 0, 2, 2)
"""Campaigns 1 and 3 (the hostile lead 100002 is on campaign 1)."""
FARM_STARTED = datetime(2026, 10, 14, 2, 13, 5, tzinfo=UTC)
FARM_SECONDS = (0, 48, 95, 161, 233)
"""When each farm lead came, after FARM_STARTED: all within 4 minutes."""
RECYCLED_LEAD_IDS = (100_014, 100_015, 100_016)
"""A recycled email: one address (so one email hash) on campaigns 2, 6 and 3, weeks apart."""
RECYCLED_CAMPAIGN_INDEXES = (1, 5, 2)
RECYCLED_AT = (
    datetime(2026, 8, 3, 9, 41, 12, tzinfo=UTC),
    datetime(2026, 9, 14, 16, 2, 40, tzinfo=UTC),
    datetime(2026, 10, 26, 11, 27, 3, tzinfo=UTC),
)


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


# --- what the Processr jobs do to a generated lead --------------------------------------------
JobRun = Literal["check", "transforms", "email_validation", "enrichment", "integration"]
"""How a job treats a lead: a pass/fail check at `fail_rate`, the value transforms, the live
email validation (BriteVerify, then NeverBounce), the Full Contact enrichment (never fails),
or the delivery to the advertiser (runs last, and only for a Valid or Test lead)."""


@dataclass(frozen=True)
class JobBehaviour:
    """How a generated lead fares in one Processr job: the seeder's odds, not Convertr's."""

    runs: JobRun
    fail_rate: float = 0.0
    """Chance that a lead fails (a check, or a delivery), unless a showcase lead forces it."""
    failure: str | None = None
    """The result message when the lead fails (an enrichment: when nobody is found)."""
    success: str | None = None
    """The result message when it passes (an enrichment: when somebody is found)."""
    needs: Literal["email", "telephone"] | None = None
    """The job runs (and has a result row) only when the lead has this value."""
    found_rate: float = 0.0
    """For an enrichment: chance that the provider knows the person."""


_DELIVERY = JobBehaviour("integration", fail_rate=0.03)
JOB_BEHAVIOURS: dict[int, JobBehaviour] = {
    JOB_TEST_DATA.job_id: JobBehaviour(
        "check", 0.02, failure="Test data detected: name matches a test pattern"
    ),
    JOB_TRANSFORMS.job_id: JobBehaviour("transforms"),
    JOB_DUPLICATE.job_id: JobBehaviour(
        "check", 0.04, failure="Email already captured on this campaign"
    ),
    JOB_SUPPRESSED_NAME.job_id: JobBehaviour(
        "check", 0.04, failure="Name is on the suppressed names list"
    ),
    JOB_VALIDATION_LIST.job_id: JobBehaviour(
        "check", 0.015, failure="Email found on the advertiser suppression list"
    ),
    JOB_EMAIL.job_id: JobBehaviour("email_validation", needs="email"),
    JOB_HLR.job_id: JobBehaviour(
        "check",
        0.08,
        failure="Number not reachable (HLR: absent subscriber)",
        success="Live",
        needs="telephone",
    ),
    JOB_FULL_CONTACT.job_id: JobBehaviour(
        "enrichment",
        failure="No profile found",
        success="Profile found",
        needs="email",
        found_rate=0.45,
    ),
    JOB_CONDITIONAL.job_id: JobBehaviour(
        "check", 0.05, failure="Condition failed: country not in target list"
    ),
    **{job.job_id: _DELIVERY for job in INTEGRATION_JOBS.values()},
}
"""Job id -> how a generated lead fares in it (every job of `campaign_jobs` has one)."""

# Live email validation: a uniform draw picks the first status whose bound it is below.
BRITEVERIFY_STATUSES: tuple[tuple[str, float], ...] = (("valid", 0.55), ("invalid", 0.60))
BRITEVERIFY_OTHERWISE = "unknown"
"""BriteVerify's status above the last bound: then NeverBounce gets a second opinion."""
BRITEVERIFY_SECONDS = (0.08, 1.6)
NEVERBOUNCE_RESULTS: tuple[tuple[str, float], ...] = (
    ("valid", 0.6),
    ("catchall", 0.75),
    ("invalid", 0.92),
)
"""No "disposable": BriteVerify has already called a disposable domain invalid."""
NEVERBOUNCE_OTHERWISE = "unknown"
NEVERBOUNCE_PASSES = frozenset({"valid", "catchall"})
NEVERBOUNCE_DNS_ONLY_RATE = 0.5
"""Share of invalid or unknown NeverBounce results whose domain has DNS but no mail server."""
NEVERBOUNCE_MILLISECONDS = (90, 900)
ROLE_ACCOUNTS = frozenset({"info", "sales", "admin"})
AVATAR_COLOURS = ("#3b6ea5", "#a5533b", "#3ba57a", "#7a3ba5", "#a59a3b")


# --- what a generated lead is made of -----------------------------------------------------------
@dataclass(frozen=True)
class LeadOdds:
    """How often a generated lead has each trait: the seeder's odds, not Convertr's."""

    returning_person: float = 0.05
    """A person already seen fills in another form (the Associated Campaigns)."""
    becomes_returning: float = 0.05
    """A new person may come back later."""
    returning_pool: int = 2000
    """People remembered for coming back; a newcomer replaces one at random when full."""
    free_mail: float = 0.12
    """The email is at a free mail provider rather than the company's domain."""
    numbered_email: float = 0.3
    """The email's local part ends in a number (1-99)."""
    via_publisher: float = 0.95
    """The lead comes from a publisher's contract (else straight from the advertiser's API)."""
    channel_cum_weights: tuple[int, ...] = (7, 9, 10)
    """Cumulative weights of CHANNELS for a publisher's lead."""
    has_email: float = 0.97
    has_telephone: float = 0.92
    has_address: float = 0.3
    raw_job_title: float = 0.15
    """The job title arrives abbreviated, for the Value Transforms job to normalise."""
    coordinate_jitter: float = 0.03
    """Degrees a lead's latitude and longitude stray from its city's centre."""
    over_allocated: float = 0.03
    """A Valid lead on a capped campaign is held because the publisher's cap is reached."""
    payout_changed: float = 0.01
    """An admin later raised the publisher payout of this lead."""
    payout_raise: str = "2.50"
    has_dob: float = 0.1
    dob_years: tuple[int, int] = (1960, 2000)
    opt_in: float = 0.8
    double_opt_in: float = 0.4
    reprocessed: float = 0.05
    """The lead went through Processr twice (processingCounter 2)."""


LEAD_ODDS = LeadOdds()
CHANNELS = ("form", "link", "api")
LOCALES = ("en_GB", "en_US", "de_DE")
LOCALE_CUM_WEIGHTS = (0.5, 0.85, 1.0)
LOCALE_TLDS = {"en_GB": "co.uk", "en_US": "com", "de_DE": "de"}
SALUTATIONS = ("Mr", "Ms", "Mrs", "Dr", "")
"""A lead's title as captured ("" = none given)."""
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.co.uk", "gmx.de", "icloud.com")

# (city, region, latitude, longitude) per locale; the first is the showcase lead's city.
CITIES: dict[str, tuple[tuple[str, str, float, float], ...]] = {
    "en_GB": (
        ("London", "Greater London", 51.5074, -0.1278),
        ("Manchester", "Greater Manchester", 53.4808, -2.2426),
        ("Birmingham", "West Midlands", 52.4862, -1.8904),
        ("Leeds", "West Yorkshire", 53.8008, -1.5491),
        ("Glasgow", "Scotland", 55.8642, -4.2518),
        ("Bristol", "Bristol", 51.4545, -2.5879),
        ("Edinburgh", "Scotland", 55.9533, -3.1883),
    ),
    "en_US": (
        ("New York", "NY", 40.7128, -74.0060),
        ("San Francisco", "CA", 37.7749, -122.4194),
        ("Chicago", "IL", 41.8781, -87.6298),
        ("Austin", "TX", 30.2672, -97.7431),
        ("Boston", "MA", 42.3601, -71.0589),
        ("Seattle", "WA", 47.6062, -122.3321),
    ),
    "de_DE": (
        ("Berlin", "Berlin", 52.5200, 13.4050),
        ("München", "Bayern", 48.1351, 11.5820),
        ("Hamburg", "Hamburg", 53.5511, 9.9937),
        ("Frankfurt am Main", "Hessen", 50.1109, 8.6821),
        ("Köln", "Nordrhein-Westfalen", 50.9375, 6.9603),
    ),
}
# Raw country values as publishers send them (repeats weight the draw), and the canonical
# name; anything not canonical goes through a transform.
COUNTRY_RAW: dict[str, tuple[tuple[str, ...], str]] = {
    "en_GB": (("United Kingdom", "United Kingdom", "uk", "UK", "gb", "England"), "United Kingdom"),
    "en_US": (("United States", "United States", "usa", "US", "U.S.A."), "United States"),
    "de_DE": (("Germany", "Germany", "de", "Deutschland"), "Germany"),
}
JOB_TITLES = (
    "Chief Information Security Officer",
    "IT Director",
    "Head of Data",
    "Cloud Architect",
    "Security Analyst",
    "Procurement Manager",
    "Head of People",
    "Finance Director",
    "Chief Technology Officer",
    "Marketing Operations Manager",
    "Network Engineer",
    "VP of IT",
    "IT Manager",
    "Supply Chain Director",
    "Customer Experience Lead",
)
# Raw job title -> what the Value Transforms job normalises it to.
JOB_TITLE_TRANSFORMS = {
    "vp it": "VP of IT",
    "cto": "Chief Technology Officer",
    "it mgr": "IT Manager",
    "ciso": "Chief Information Security Officer",
    "fin dir": "Finance Director",
    "head of infosec": "Head of Information Security",
}
HOSTILE_VALUES = (
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C notepad'!A0",
    "Robert'); DROP TABLE leads;--",
    "مرحبا بالعالم 👋🏽",
)
"""Scattered over ordinary leads (see SCATTERED_HOSTILE_EVERY)."""
SCATTERED_HOSTILE_EVERY, SCATTERED_HOSTILE_AT = 997, 500
"""Lead number n (from 0) carries a hostile value when n % 997 == 500."""

# --- what keeps generated leads clean, so that the audit's findings are the stories ----------
# Each locale's leads post from public IPs of its own country (real allocations, the /16s an
# offline IP-to-country table places wholly in that country), so an IP never contradicts the
# stated country unless a story says so.
LOCALE_IP_PREFIXES: dict[str, tuple[str, ...]] = {
    "en_GB": ("31.80", "46.69", "51.14", "62.190", "77.102", "78.146", "80.3", "81.102", "82.3"),
    "en_US": ("24.3", "26.3", "32.3", "34.3", "35.3", "38.3", "44.3", "45.25"),
    "de_DE": ("31.212", "37.80", "46.80", "62.91", "77.3", "78.47", "84.58", "85.25", "88.69"),
}
US_AREA_CODES = ("212", "415", "312", "512", "617", "206")
"""Area codes of the US cities in CITIES (phones are generated, one number per person)."""
SUB_IDS_PER_CONTRACT = 4
"""A publisher sends a campaign's leads under this many sub-IDs (sub-PPNN, PP the publisher)."""
DEMO_DISPOSABLE_DOMAINS = frozenset({"mailinator.com", "guerrillamail.com", "yopmail.com"})
"""Disposable email domains (on the maintained public list): the email validation says so."""
