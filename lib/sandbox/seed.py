"""Deterministic demo data: campaigns, contracts, jobs and leads with their whole history.

Leads are generated one at a time from pools of names built once with Faker, and streamed into
SQLite in batches, so a million leads need no more memory than a few thousand. Statistics,
chronologies and contract counts are computed from the lead rows at the end, so they add up.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import html
import itertools
import json
import os
import random
import sqlite3
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from faker import Faker

from lib.sandbox import db
from lib.sandbox.auth import hash_password
from lib.sandbox.demo import (
    CAMPAIGNS,
    DEMO_PASSWORD,
    DEMO_USERS,
    EDITABLE_FIELDS,
    FIRST_LEAD_ID,
    INTEGRATION_JOBS,
    JOB_CONDITIONAL,
    JOB_DUPLICATE,
    JOB_EMAIL,
    JOB_FULL_CONTACT,
    JOB_HLR,
    JOB_SUPPRESSED_NAME,
    JOB_TEST_DATA,
    JOB_TRANSFORMS,
    JOB_VALIDATION_LIST,
    PUBLISHERS,
    CampaignSpec,
    campaign_jobs,
)

DEFAULT_LEADS = 5000
DEFAULT_SEED = 42
BATCH_LEADS = 5000
# The seed's "now": fixed so that a seed always yields the same database.
SEED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POOL_SIZE = 300
CHANNELS = ("form", "link", "api")
T = TypeVar("T")
LEAD_COLUMNS = 44

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
LOCALES = ("en_GB", "en_US", "de_DE")
LOCALE_CUM_WEIGHTS = (0.5, 0.85, 1.0)
# Raw country values as publishers send them; anything not canonical goes through a transform.
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
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.co.uk", "gmx.de", "icloud.com")
AVATAR_COLOURS = ("#3b6ea5", "#a5533b", "#3ba57a", "#7a3ba5", "#a59a3b")


@dataclass(frozen=True)
class SeedReport:
    """What a seed produced and how long it took."""

    db_path: Path
    campaigns: int
    publishers: int
    leads: int
    lead_datas: int
    job_results: int
    logs: int
    notes: int
    elapsed_seconds: float


@dataclass(frozen=True)
class Person:
    """Somebody filling in forms; may turn up on several campaigns."""

    locale: str
    first_name: str
    last_name: str
    email: str
    company: str
    telephone: str


@dataclass
class _Pools:
    first_names: dict[str, list[str]] = field(default_factory=dict)
    last_names: dict[str, list[str]] = field(default_factory=dict)
    companies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    streets: dict[str, list[str]] = field(default_factory=dict)
    postcodes: dict[str, list[str]] = field(default_factory=dict)
    phones: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    row_id: int
    spec_name: str
    job_id: int
    hardfail: bool
    max_score: int


@dataclass
class _Campaign:
    id: int
    spec: CampaignSpec
    jobs: list[_Job]
    max_score: int
    contracts: list[tuple[int, str, str]]  # (publisher_id, contract type, payout)
    forms: list[tuple[str, str, str]]  # (hash, name, landing url)
    window: tuple[int, int]  # epoch seconds lead creation may fall in


@dataclass
class _Batch:
    leads: list[tuple[Any, ...]] = field(default_factory=list)
    datas: list[tuple[Any, ...]] = field(default_factory=list)
    results: list[tuple[Any, ...]] = field(default_factory=list)
    logs: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class _Counters:
    data: int = 0
    result: int = 0
    log: int = 0
    note: int = 0


_DAY_PREFIX: dict[int, str] = {}


def iso_ts(epoch: int) -> str:
    """Format whole epoch seconds as ISO 8601 UTC with offset, fast (the day part is cached)."""
    day, second = divmod(epoch, 86_400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
        _DAY_PREFIX[day] = prefix
    hours, rest = divmod(second, 3600)
    return f"{prefix}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00"


@lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    normalised = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in normalised if c.isascii() and (c.isalnum() or c in "-."))
    return kept.lower() or "x"


def _pick(rng: random.Random, options: Sequence[T]) -> T:
    """rng.choice without its rejection sampling: plenty uniform for demo data, and faster."""
    return options[int(rng.random() * len(options))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint(low, high), faster (see _pick)."""
    return low + int(rng.random() * (high - low + 1))


def avatar_data_uri(first_name: str, last_name: str, colour: str) -> str:
    """An inline SVG initials avatar standing in for the Full Contact photo (no network)."""
    # Escaped: a name is whatever the lead typed ("<script>" gives "<<"), and a bare "<"
    # would make the SVG invalid.
    initials = html.escape((first_name[:1] + last_name[:1]).upper() or "?")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='96' height='96'>"
        f"<rect width='96' height='96' rx='48' fill='{colour}'/>"
        "<text x='50%' y='54%' font-family='Helvetica,Arial,sans-serif' font-size='38' "
        f"fill='#ffffff' text-anchor='middle' dominant-baseline='middle'>{initials}</text></svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _build_pools(seed: int) -> _Pools:
    pools = _Pools()
    for offset, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + offset)
        pools.first_names[locale] = [fake.first_name() for _ in range(POOL_SIZE)]
        pools.last_names[locale] = [fake.last_name() for _ in range(POOL_SIZE)]
        companies = []
        for _ in range(POOL_SIZE // 3):
            company = fake.company()
            slug = "-".join(_ascii(part) for part in company.replace(",", " ").split()[:2])
            tld = {"en_GB": "co.uk", "en_US": "com", "de_DE": "de"}[locale]
            companies.append((company, f"{slug}.{tld}"))
        pools.companies[locale] = companies
        pools.streets[locale] = [fake.street_address().replace("\n", ", ") for _ in range(100)]
        pools.postcodes[locale] = [fake.postcode() for _ in range(100)]
        pools.phones[locale] = [fake.phone_number() for _ in range(POOL_SIZE)]
    return pools


def _new_person(rng: random.Random, pools: _Pools) -> Person:
    locale = rng.choices(LOCALES, cum_weights=LOCALE_CUM_WEIGHTS)[0]
    first = _pick(rng, pools.first_names[locale])
    last = _pick(rng, pools.last_names[locale])
    company, domain = _pick(rng, pools.companies[locale])
    if rng.random() < 0.12:
        domain = _pick(rng, FREE_MAIL)
    email = f"{_ascii(first)}.{_ascii(last)}{_between(rng, 1, 99) if rng.random() < 0.3 else ''}"
    return Person(
        locale, first, last, f"{email}@{domain}", company, _pick(rng, pools.phones[locale])
    )


def _write_catalogue(conn: sqlite3.Connection, rng: random.Random, leads: int) -> list[_Campaign]:
    now = int(SEED_NOW.timestamp())
    conn.executemany(
        "INSERT INTO users (id, email, role, name, password_hash) VALUES (?, ?, ?, ?, ?)",
        [
            (i, email, role, name, hash_password(DEMO_PASSWORD, f"salt{i}"))
            for i, (email, role, name) in enumerate(DEMO_USERS, start=1)
        ],
    )
    conn.executemany(
        "INSERT INTO publishers (id, name) VALUES (?, ?)",
        list(enumerate(PUBLISHERS, start=1)),
    )
    campaigns: list[_Campaign] = []
    job_row = contract_row = link_row = field_row = 0
    for campaign_id, spec in enumerate(CAMPAIGNS, start=1):
        jobs: list[_Job] = []
        for position, job in enumerate(campaign_jobs(spec), start=1):
            job_row += 1
            jobs.append(_Job(job_row, job.name, job.job_id, job.hardfail, job.max_score))
            conn.execute(
                "INSERT INTO campaign_processr_jobs (id, campaign_id, job_id, name, db_ref,"
                " category, provider, hardfail, max_score, position, enabled)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (job_row, campaign_id, job.job_id, job.name, job.db_ref, job.category,
                 job.provider, int(job.hardfail), job.max_score, position),
            )  # fmt: skip
        max_score = sum(job.max_score for job in jobs)
        start_epoch = int(datetime.combine(spec.start, datetime.min.time(), UTC).timestamp())
        end_date = spec.end or SEED_NOW.date()
        end_epoch = min(now, int(datetime.combine(end_date, datetime.max.time(), UTC).timestamp()))
        created = iso_ts(start_epoch - 86_400 * _between(rng, 5, 20) + _between(rng, 0, 86_399))
        conn.execute(
            "INSERT INTO campaigns (id, name, advertiser, status, currency, max_score, capped,"
            " start_date, end_date, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, spec.name, spec.advertiser, spec.status, spec.currency, max_score,
             int(spec.capped), spec.start.isoformat(),
             spec.end.isoformat() if spec.end else None, created),
        )  # fmt: skip
        publisher_ids = sorted(rng.sample(range(1, len(PUBLISHERS) + 1), _between(rng, 4, 7)))
        contracts: list[tuple[int, str, str]] = []
        for index, publisher_id in enumerate(publisher_ids):
            contract_row += 1
            fixed = not spec.capped and index == 1
            status = "Active"
            if index == len(publisher_ids) - 1:
                status = "Unsigned"
            elif index == 2:
                status = "Inactive"
            payout = f"{rng.uniform(12, 45):.2f}"
            contract_value = f"{_between(rng, 20, 80) * 250}.00" if fixed else None
            minimum_leads = _between(rng, 1, 6) * 100 if fixed else None
            cap = (
                _pick(rng, (250, 500, 1000, 2000)) * max(1, leads // 5000) if spec.capped else None
            )
            required = cap // 2 if cap else None
            allocation = _pick(rng, (10, 15, 20, 25, 30)) if spec.capped else None
            conn.execute(
                "INSERT INTO campaign_publishers (id, campaign_id, publisher_id, contract_type,"
                " status, enabled, payout, contract_value, minimum_leads, cap, required,"
                " allocation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (contract_row, campaign_id, publisher_id, "Fixed" if fixed else "CPL", status,
                 int(status != "Inactive"), payout, contract_value, minimum_leads, cap,
                 required, allocation),
            )  # fmt: skip
            if status != "Unsigned":
                contracts.append((publisher_id, "Fixed" if fixed else "CPL", payout))
            link_row += 1
            conn.execute(
                "INSERT INTO campaign_links (id, campaign_id, publisher_id, name, url,"
                " created_ts) VALUES (?, ?, ?, ?, ?, ?)",
                (link_row, campaign_id, publisher_id,
                 f"{PUBLISHERS[publisher_id - 1]} - {spec.name}",
                 f"https://trk.cvtr.io/click?lid={link_row}&pid={publisher_id}"
                 f"&sid={campaign_id}{publisher_id:02d}{_between(rng, 100, 999)}",
                 created),
            )  # fmt: skip
        slug = "-".join(_ascii(word) for word in spec.name.split()[:4])
        forms = [
            (f"{rng.getrandbits(32):08x}", f"{spec.name} - {kind}",
             f"https://{spec.landing_host}/{slug}{suffix}")
            for kind, suffix in (("Main form", ""), ("Short form", "-short"))
        ]  # fmt: skip
        for position, (name, label, kind, choices, required, max_length, editable) in enumerate(
            EDITABLE_FIELDS, start=1
        ):
            field_row += 1
            conn.execute(
                "INSERT INTO lead_editable_fields (id, campaign_id, name, label, type, choices,"
                " required, max_length, editable, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (field_row, campaign_id, name, label, kind, json.dumps(list(choices)),
                 int(required), max_length, int(editable), position),
            )  # fmt: skip
        campaigns.append(
            _Campaign(
                campaign_id, spec, jobs, max_score, contracts, forms, (start_epoch, end_epoch)
            )
        )
    return campaigns


def status_for(*, test_data: bool, hardfailed: bool, score: int, max_score: int) -> str:
    """The Processr status rule: Test, hardfail, then 100% Valid / 80% Caution / Invalid."""
    if test_data:
        return "Test"
    if hardfailed:
        return "Invalid"
    if score >= max_score:
        return "Valid"
    if score * 5 >= max_score * 4:
        return "Caution"
    return "Invalid"


@dataclass
class _Forced:
    """Overrides for the showcase leads."""

    campaign_index: int | None = None
    person: Person | None = None
    fail_jobs: frozenset[int] = frozenset()
    pass_all: bool = False
    email_path: str | None = None
    full_contact: bool | None = None
    address: bool | None = None
    raw_country: str | None = None
    raw_job_title: str | None = None
    hostile: dict[str, str] | None = None
    telephone: bool | None = None


class _LeadFactory:
    def __init__(self, rng: random.Random, pools: _Pools, campaigns: list[_Campaign]) -> None:
        self.rng = rng
        self.pools = pools
        self.campaigns = campaigns
        self.cum_weights = list(itertools.accumulate(c.spec.weight for c in campaigns))
        self.recurring: list[Person] = []
        self.counters = _Counters()

    def _pick_person(self) -> Person:
        rng = self.rng
        if self.recurring and rng.random() < 0.05:
            return _pick(rng, self.recurring)
        person = _new_person(rng, self.pools)
        if rng.random() < 0.05:
            if len(self.recurring) < 2000:
                self.recurring.append(person)
            else:
                self.recurring[rng.randrange(2000)] = person
        return person

    def _data(
        self,
        batch: _Batch,
        lead_id: int,
        name: str,
        value: str | None,
        source: str,
        ts: str,
        provider: str | None = None,
        original: str | None = None,
    ) -> None:
        self.counters.data += 1
        batch.datas.append(
            (self.counters.data, lead_id, name, value, source, provider, original, ts, ts)
        )

    def _log(
        self,
        batch: _Batch,
        lead_id: int,
        kind: str,
        level: str,
        job: _Job | None,
        provider: str | None,
        message: str,
        ts: str,
    ) -> None:
        self.counters.log += 1
        batch.logs.append(
            (self.counters.log, lead_id, kind, level, job.row_id if job else None,
             job.spec_name if job else None, provider, message, ts)
        )  # fmt: skip

    def _note(
        self,
        batch: _Batch,
        lead_id: int,
        kind: str,
        message: str,
        author: str,
        ts: str,
        field_name: str | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.counters.note += 1
        batch.notes.append(
            (self.counters.note, lead_id, kind, message, author, field_name, old, new, ts)
        )

    def lead(self, lead_id: int, batch: _Batch, forced: _Forced) -> None:
        rng = self.rng
        if forced.campaign_index is not None:
            campaign = self.campaigns[forced.campaign_index]
        else:
            campaign = rng.choices(self.campaigns, cum_weights=self.cum_weights)[0]
        spec = campaign.spec
        person = forced.person or self._pick_person()
        locale = person.locale
        created = _between(rng, *campaign.window)
        created_ts = iso_ts(created)
        hostile = forced.hostile or {}

        contract = _pick(rng, campaign.contracts) if rng.random() < 0.95 else None
        publisher_id = contract[0] if contract else None
        channel = "api" if contract is None else rng.choices(CHANNELS, cum_weights=(7, 9, 10))[0]
        form_hash, form_name, landing = _pick(rng, campaign.forms)
        if channel == "api":
            client = PUBLISHERS[publisher_id - 1] if publisher_id else spec.advertiser
            entry_point = f"API: {client} connector"
            form_hash_value: str | None = None
            form_name_value: str | None = None
        else:
            entry_point = landing
            form_hash_value, form_name_value = form_hash, form_name

        has_email = forced.pass_all or forced.person is not None or rng.random() < 0.97
        has_phone = forced.telephone if forced.telephone is not None else rng.random() < 0.92
        has_address = forced.address if forced.address is not None else rng.random() < 0.3
        raw_country = forced.raw_country or _pick(rng, COUNTRY_RAW[locale][0])
        country = COUNTRY_RAW[locale][1]
        if forced.raw_job_title:
            raw_title = forced.raw_job_title
        elif rng.random() < 0.15:
            raw_title = _pick(rng, tuple(JOB_TITLE_TRANSFORMS))
        else:
            raw_title = _pick(rng, JOB_TITLES)
        job_title = JOB_TITLE_TRANSFORMS.get(raw_title, raw_title)
        title = _pick(rng, ("Mr", "Ms", "Mrs", "Dr", ""))
        first_name = hostile.get("firstName", person.first_name)
        last_name = hostile.get("lastName", person.last_name)
        company = hostile.get("company", person.company)
        job_title = hostile.get("jobTitle", job_title)
        email = person.email if has_email else None
        telephone = person.telephone if has_phone else None
        street = postcode = city = region = None
        latitude = longitude = None
        if has_address:
            city_row = CITIES[locale][0] if forced.address else _pick(rng, CITIES[locale])
            city, region, lat, lon = city_row
            latitude = round(lat + rng.uniform(-0.03, 0.03), 6)
            longitude = round(lon + rng.uniform(-0.03, 0.03), 6)
            street = _pick(rng, self.pools.streets[locale])
            postcode = _pick(rng, self.pools.postcodes[locale])
        city = hostile.get("city", city)

        # --- captured values, derived values and transforms ------------------------------
        step = created + 1
        captured: list[tuple[str, str | None]] = [
            ("title", title or None),
            ("firstName", first_name),
            ("lastName", last_name),
            ("email", email),
            ("telephone", telephone),
            ("company", company),
            ("jobTitle", job_title if job_title == raw_title or "jobTitle" in hostile else None),
            ("country", None),
        ]
        for name, value in captured:
            if value is not None:
                self._data(batch, lead_id, name, value, "captured", created_ts)
        if has_address:
            self._data(batch, lead_id, "postcode", postcode, "captured", created_ts)
            self._data(batch, lead_id, "addressLine1", street, "captured", created_ts)
            self._data(batch, lead_id, "city", city, "captured", created_ts)
        for name, value in hostile.items():
            if name.startswith("data:"):
                self._data(batch, lead_id, name[5:], value, "captured", created_ts)
        if email:
            self._data(
                batch, lead_id, "emailDomain", "@" + email.split("@", 1)[1], "derived", created_ts
            )

        results: list[tuple[_Job, bool, str | None]] = []
        test_data = False
        hardfailed = False
        score = 0
        extra_logs: list[tuple[str, str, str]] = []  # (provider, level, message)
        integration: _Job | None = None
        transforms_ts = iso_ts(step + 1)
        for job in campaign.jobs:
            forced_fail = job.job_id in forced.fail_jobs
            if job.job_id == JOB_TEST_DATA.job_id:
                failed = forced_fail or (not forced.pass_all and rng.random() < 0.02)
                test_data = failed
                message = "Test data detected: name matches a test pattern" if failed else None
            elif job.job_id == JOB_TRANSFORMS.job_id:
                applied = 0
                if raw_country != country:
                    applied += 1
                    self._data(batch, lead_id, "country", country, "transform", transforms_ts,
                               original=raw_country)  # fmt: skip
                else:
                    self._data(batch, lead_id, "country", country, "captured", created_ts)
                if raw_title != job_title and "jobTitle" not in hostile:
                    applied += 1
                    self._data(batch, lead_id, "jobTitle", job_title, "transform", transforms_ts,
                               original=raw_title)  # fmt: skip
                failed = False
                message = f"{applied} value transform(s) applied" if applied else "No transforms"
            elif job.job_id == JOB_EMAIL.job_id:
                if not email:
                    continue
                failed, message = self._email_validation(
                    batch, lead_id, email, step + 3, forced.email_path, extra_logs
                )
            elif job.job_id == JOB_HLR.job_id:
                if not telephone:
                    continue
                failed = forced_fail or (not forced.pass_all and rng.random() < 0.08)
                message = "Number not reachable (HLR: absent subscriber)" if failed else "Live"
            elif job.job_id == JOB_FULL_CONTACT.job_id:
                if not email:
                    continue
                found = (
                    forced.full_contact if forced.full_contact is not None else rng.random() < 0.45
                )
                failed = False
                message = "Profile found" if found else "No profile found"
                self._full_contact(
                    batch, lead_id, first_name, last_name, company, job_title, found,
                    step + 4, extra_logs,
                )  # fmt: skip
            elif job.job_id in {j.job_id for j in INTEGRATION_JOBS.values()}:
                integration = job
                continue
            else:
                probability = {
                    JOB_DUPLICATE.job_id: 0.04,
                    JOB_SUPPRESSED_NAME.job_id: 0.04,
                    JOB_VALIDATION_LIST.job_id: 0.015,
                    JOB_CONDITIONAL.job_id: 0.05,
                }[job.job_id]
                failed = forced_fail or (not forced.pass_all and rng.random() < probability)
                message = {
                    JOB_DUPLICATE.job_id: "Email already captured on this campaign",
                    JOB_SUPPRESSED_NAME.job_id: "Name is on the suppressed names list",
                    JOB_VALIDATION_LIST.job_id: "Email found on the advertiser suppression list",
                    JOB_CONDITIONAL.job_id: "Condition failed: country not in target list",
                }[job.job_id] if failed else None  # fmt: skip
            if failed and job.hardfail:
                hardfailed = True
            if not failed:
                score += job.max_score
            results.append((job, not failed, message))

        suppression = any(j.job_id == JOB_VALIDATION_LIST.job_id and not ok for j, ok, _ in results)
        status = status_for(
            test_data=test_data, hardfailed=hardfailed, score=score, max_score=campaign.max_score
        )
        over_allocated = (
            status == "Valid" and spec.capped and not forced.pass_all and rng.random() < 0.03
        )
        delivered = False
        if integration and status in ("Valid", "Test") and not over_allocated:
            ok = forced.pass_all or rng.random() < 0.97
            results.append(
                (integration, ok, f"Delivered to {integration.spec_name}" if ok
                 else f"{integration.spec_name} rejected the lead: HTTP 400")
            )  # fmt: skip
            delivered = ok

        # --- results, logs and notes in time order -------------------------------------
        ts = step
        self._log(batch, lead_id, "processr", "debug", None, None,
                  f"Lead received via {channel}; processing started", iso_ts(created))  # fmt: skip
        for job, ok, message in results:
            ts += _between(rng, 1, 3)
            stamp = iso_ts(ts)
            self.counters.result += 1
            batch.results.append(
                (self.counters.result, lead_id, job.row_id, "passed" if ok else "failed",
                 job.max_score if ok else 0, message, stamp)
            )  # fmt: skip
            if job.job_id == JOB_EMAIL.job_id or job.job_id == JOB_FULL_CONTACT.job_id:
                for provider, level, raw in extra_logs:
                    wanted = "Full Contact" if job.job_id == JOB_FULL_CONTACT.job_id else None
                    if (provider == "Full Contact") == (wanted is not None):
                        self._log(batch, lead_id, "provider", level, job, provider, raw, stamp)
            level = "info" if ok else ("error" if job.hardfail else "warning")
            text = f"{job.spec_name}: {'passed' if ok else 'failed'}"
            if message:
                text += f" ({message})"
            self._log(batch, lead_id, "processr", level, job, None, text, stamp)
        ts += 1
        status_ts = iso_ts(ts)
        self._log(batch, lead_id, "processr", "info", None, None,
                  f"Status set to {status} (score {score}/{campaign.max_score})",
                  status_ts)  # fmt: skip
        self._note(batch, lead_id, "status",
                   f"Processr set the status to {status}: score {score}/{campaign.max_score}",
                   "Processr", status_ts, "processrStatus", None, status)  # fmt: skip
        first_delivered = None
        if delivered and integration:
            ts += _between(rng, 30, 600)
            first_delivered = iso_ts(ts)
            self._note(batch, lead_id, "delivery",
                       f"Delivered to {spec.advertiser} via {integration.spec_name}",
                       "Processr", first_delivered, "delivered", "false", "true")  # fmt: skip
        if over_allocated:
            self._note(batch, lead_id, "delivery",
                       "Held as over-allocated: the publisher's cap is reached", "Processr",
                       status_ts, "overAllocated", "false", "true")  # fmt: skip
        payout = contract[2] if contract and contract[1] == "CPL" else "0.00"
        if contract and not forced.pass_all and rng.random() < 0.01:
            new_payout = f"{Decimal(payout) + Decimal('2.50'):.2f}"
            self._note(batch, lead_id, "contract",
                       f"Publisher payout changed from {payout} to {new_payout}",
                       "Ada Admin", iso_ts(ts + 3600), "publisherPayout", payout,
                       new_payout)  # fmt: skip
            payout = new_payout
        billable = status == "Valid" and delivered
        batch.leads.append((
            lead_id, campaign.id, publisher_id,
            f"sub-{_between(rng, 100, 999)}" if publisher_id else None, channel,
            form_hash_value, form_name_value, entry_point, title or None, first_name, last_name,
            email, telephone, company, job_title, country,
            f"{_between(rng, 1960, 2000)}-{_between(rng, 1, 12):02d}-{_between(rng, 1, 28):02d}"
            if rng.random() < 0.1 else None,
            postcode, street, None, city, region if has_address else None, latitude, longitude,
            f"{_between(rng, 11, 223)}.{_between(rng, 0, 255)}.{_between(rng, 0, 255)}."
            f"{_between(rng, 1, 254)}",
            spec.landing_host, int(rng.random() < 0.8), int(rng.random() < 0.4), status, score,
            campaign.max_score, int(hardfailed), 2 if rng.random() < 0.05 else 1,
            int(suppression), int(delivered), int(over_allocated), created_ts, first_delivered,
            hashlib.sha256(email.lower().encode()).hexdigest() if email else None,
            f"{rng.getrandbits(128):032x}", payout, spec.price, int(billable), int(billable),
        ))  # fmt: skip

    def _email_validation(
        self,
        batch: _Batch,
        lead_id: int,
        email: str,
        at: int,
        forced_path: str | None,
        logs: list[tuple[str, str, str]],
    ) -> tuple[bool, str]:
        rng = self.rng
        stamp = iso_ts(at)
        account, domain = email.split("@", 1)
        role_address = account in {"info", "sales", "admin"}
        if forced_path == "nb_valid":
            first = 1.0
        elif forced_path == "bv_valid":
            first = 0.0
        else:
            first = rng.random()
        bv_status = "valid" if first < 0.55 else ("invalid" if first < 0.60 else "unknown")
        disposable = bv_status == "invalid" and rng.random() < 0.3
        duration = round(rng.uniform(0.08, 1.6), 3)
        bv_raw = json.dumps({
            "address": email, "account": account, "domain": domain, "status": bv_status,
            "connected": None, "disposable": disposable, "role_address": role_address,
            "duration": duration,
        })  # fmt: skip
        logs.append(("BriteVerify", "info" if bv_status == "valid" else "warning", bv_raw))
        self._data(batch, lead_id, "email.status", bv_status, "enrichment", stamp, "BriteVerify")
        self._data(batch, lead_id, "email.disposable", str(disposable).lower(), "enrichment",
                   stamp, "BriteVerify")  # fmt: skip
        self._data(batch, lead_id, "email.role_address", str(role_address).lower(),
                   "enrichment", stamp, "BriteVerify")  # fmt: skip
        self._data(batch, lead_id, "duration", str(duration), "enrichment", stamp, "BriteVerify")
        if bv_status == "valid":
            return False, "BriteVerify: valid"
        if bv_status == "invalid":
            return True, "BriteVerify: invalid"
        second = 0.0 if forced_path == "nb_valid" else rng.random()
        if second < 0.6:
            result = "valid"
        elif second < 0.75:
            result = "catchall"
        elif second < 0.87:
            result = "invalid"
        elif second < 0.92:
            result = "disposable"
        else:
            result = "unknown"
        flags = ["has_dns", "has_dns_mx", "smtp_connectable"]
        if result in {"invalid", "unknown"} and rng.random() < 0.5:
            flags = ["has_dns"]
        execution_time = _between(rng, 90, 900)
        nb_raw = json.dumps({
            "status": "success", "result": result, "flags": flags,
            "suggested_correction": "", "execution_time": execution_time,
        })  # fmt: skip
        passed = result in {"valid", "catchall"}
        logs.append(("NeverBounce", "info" if passed else "warning", nb_raw))
        for name, value in (
            ("neverbounce.result", result),
            ("neverbounce.status", "success"),
            ("neverbounce.execution_time", str(execution_time)),
            ("has_dns_mx", "true" if "has_dns_mx" in flags else "false"),
        ):
            self._data(batch, lead_id, name, value, "enrichment", stamp, "NeverBounce")
        return (not passed), f"BriteVerify: unknown; NeverBounce: {result}"

    def _full_contact(
        self,
        batch: _Batch,
        lead_id: int,
        first_name: str,
        last_name: str,
        company: str,
        job_title: str,
        found: bool,
        at: int,
        logs: list[tuple[str, str, str]],
    ) -> None:
        stamp = iso_ts(at)
        if not found:
            logs.append(
                (
                    "Full Contact",
                    "info",
                    json.dumps({"status": 404, "message": "Profile not found"}),
                )
            )
            return
        handle = f"{_ascii(first_name)}{_ascii(last_name)}"[:24]
        photo = avatar_data_uri(first_name, last_name, _pick(self.rng, AVATAR_COLOURS))
        linkedin = f"https://www.linkedin.com/in/{handle}"
        twitter = f"https://twitter.com/{handle}"
        raw = json.dumps({
            "fullName": f"{first_name} {last_name}", "title": job_title,
            "organization": company, "linkedin": linkedin, "twitter": twitter, "avatar": photo,
            "details": {"employment": [{"name": company, "title": job_title, "current": True}]},
        }, ensure_ascii=False)  # fmt: skip
        logs.append(("Full Contact", "info", raw))
        for name, value in (
            ("fullcontact.photo", photo),
            ("fullcontact.linkedin", linkedin),
            ("fullcontact.twitter", twitter),
            ("fullcontact.fullName", f"{first_name} {last_name}"),
        ):
            self._data(batch, lead_id, name, value, "enrichment", stamp, "Full Contact")


def _showcase(index: int) -> _Forced:
    """Overrides for the documented showcase leads (ids 100001-100006) and hostile leads."""
    olivia = Person(
        "en_GB", "Olivia", "Bennett", "olivia.bennett@harbourline-analytics.co.uk",
        "Harbourline Analytics Ltd", "+44 20 7946 0321",
    )  # fmt: skip
    if index == 0:
        return _Forced(
            campaign_index=0, person=olivia, fail_jobs=frozenset({JOB_HLR.job_id}),
            pass_all=True, email_path="nb_valid", full_contact=True, address=True,
            raw_country="uk", raw_job_title="vp it", telephone=True,
        )  # fmt: skip
    if index == 1:
        return _Forced(
            campaign_index=0, fail_jobs=frozenset({JOB_DUPLICATE.job_id}), pass_all=True,
            hostile={
                "firstName": "<script>alert('x')</script>",
                "lastName": "<img src=x onerror=alert(1)>",
                "company": '=HYPERLINK("http://evil.example","click")',
                "jobTitle": "A" * 4991 + " Director",
                "city": "مرحبا بالعالم 👋🏽",
                "data:notes": "مرحبا بالعالم 👋🏽 — right-to-left and emoji",
                "data:promoCode": "@SUM(1+1)",
                "data:referrer": "+cmd|' /C calc'!A0",
            },
            address=True, telephone=True,
        )  # fmt: skip
    if index == 2:
        return _Forced(campaign_index=0, pass_all=True, email_path="bv_valid", telephone=True)
    if 3 <= index <= 5:
        return _Forced(
            campaign_index=index - 2, person=olivia, pass_all=True, email_path="bv_valid",
            telephone=True,
        )  # fmt: skip
    if index % 997 == 500:
        value = HOSTILE_VALUES[(index // 997) % len(HOSTILE_VALUES)]
        return _Forced(hostile={"firstName": value, "data:comments": value})
    return _Forced()


def _insert_batch(conn: sqlite3.Connection, batch: _Batch) -> None:
    conn.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * LEAD_COLUMNS)})", batch.leads)
    conn.executemany("INSERT INTO lead_datas VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch.datas)
    conn.executemany("INSERT INTO processr_job_leads VALUES (?, ?, ?, ?, ?, ?, ?)", batch.results)
    conn.executemany("INSERT INTO logs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch.logs)
    conn.executemany("INSERT INTO lead_notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch.notes)


def _stream_leads(conn: sqlite3.Connection, factory: _LeadFactory, leads: int) -> None:
    """Generate and insert leads batch by batch, so memory stays flat however many there are.

    (A writer thread was tried: inserting holds the GIL while binding parameters, so it
    overlapped little and only raised peak memory.)
    """
    batch = _Batch()
    for index in range(leads):
        factory.lead(FIRST_LEAD_ID + index, batch, _showcase(index))
        if len(batch.leads) >= BATCH_LEADS:
            _insert_batch(conn, batch)
            batch = _Batch()
    _insert_batch(conn, batch)


def _aggregate(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Statistics, chronologies, contract counts and link funnels, from the lead rows."""
    counts = (
        "COUNT(l.id), COALESCE(SUM(l.processr_status = 'Valid'), 0),"
        " COALESCE(SUM(l.processr_status = 'Invalid'), 0),"
        " COALESCE(SUM(l.processr_status = 'Caution'), 0),"
        " COALESCE(SUM(l.processr_status = 'Test'), 0), COALESCE(SUM(l.delivered), 0)"
    )
    conn.execute(
        "INSERT INTO statistics (campaign_id, total, valid, invalid, caution, test, delivered,"
        f" billable, over_allocated) SELECT c.id, {counts},"
        " COALESCE(SUM(l.advertiser_billable), 0), COALESCE(SUM(l.over_allocated), 0)"
        " FROM campaigns c LEFT JOIN leads l ON l.campaign_id = c.id GROUP BY c.id ORDER BY c.id"
    )
    conn.execute(
        "INSERT INTO lead_statistics_chronologies (campaign_id, date, total, valid, invalid,"
        f" caution, test, delivered) SELECT l.campaign_id, substr(l.created_ts, 1, 10), {counts}"
        " FROM leads l GROUP BY l.campaign_id, substr(l.created_ts, 1, 10)"
        " ORDER BY l.campaign_id, substr(l.created_ts, 1, 10)"
    )
    per_contract = {
        (row[0], row[1]): row[2:]
        for row in conn.execute(
            "SELECT campaign_id, publisher_id, COUNT(*), SUM(processr_status = 'Valid'),"
            " SUM(processr_status = 'Invalid'), SUM(publisher_billable),"
            " SUM(processr_status = 'Caution'), SUM(over_allocated), SUM(channel = 'link')"
            " FROM leads WHERE publisher_id IS NOT NULL GROUP BY campaign_id, publisher_id"
        )
    }
    contracts = conn.execute(
        "SELECT id, campaign_id, publisher_id, contract_type, payout, contract_value"
        " FROM campaign_publishers ORDER BY id"
    ).fetchall()
    for contract_id, campaign_id, publisher_id, kind, payout, contract_value in contracts:
        total, valid, invalid, billable, caution, held, _links = per_contract.get(
            (campaign_id, publisher_id), (0, 0, 0, 0, 0, 0, 0)
        )
        earnings = (
            Decimal(contract_value) if kind == "Fixed" else Decimal(payout) * billable
        ).quantize(Decimal("0.01"))
        conn.execute(
            "UPDATE campaign_publishers SET processing = ?, on_hold = ?, total = ?, valid = ?,"
            " invalid = ?, billable = ?, earnings = ? WHERE id = ?",
            (caution, held, total, valid, invalid, billable, str(earnings), contract_id),
        )
    links = conn.execute(
        "SELECT id, campaign_id, publisher_id FROM campaign_links ORDER BY id"
    ).fetchall()
    for link_id, campaign_id, publisher_id in links:
        conversions = per_contract.get((campaign_id, publisher_id), (0,) * 7)[6]
        clicks = conversions * _between(rng, 3, 9) + _between(rng, 0, 40)
        impressions = clicks * _between(rng, 12, 40) + _between(rng, 0, 500)
        conn.execute(
            "UPDATE campaign_links SET impressions = ?, clicks = ?, conversions = ? WHERE id = ?",
            (impressions, clicks, conversions, link_id),
        )


def _count(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # table names are ours
    return int(row[0])


def seed_database(
    db_path: str | Path, *, leads: int = DEFAULT_LEADS, seed: int = DEFAULT_SEED
) -> SeedReport:
    """(Re)create the demo database at `db_path`: built in a temp file, then renamed in place."""
    if leads < 0:
        raise ValueError(f"expected a non-negative number of leads, got {leads}")
    started = time.perf_counter()
    target = Path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{time.time_ns()}.tmp")
    rng = random.Random(seed)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            # Nothing reads the temp file until it is renamed, so durability can wait.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            conn.executescript(db.SCHEMA)
            conn.execute("BEGIN")
            campaigns = _write_catalogue(conn, rng, leads)
            pools = _build_pools(seed)
            factory = _LeadFactory(rng, pools, campaigns)
            _stream_leads(conn, factory, leads)
            conn.execute("COMMIT")
            conn.executescript(db.INDEXES)
            conn.execute("BEGIN")
            _aggregate(conn, rng)
            conn.execute("COMMIT")
            conn.execute("ANALYZE")
            report = SeedReport(
                db_path=target,
                campaigns=_count(conn, "campaigns"),
                publishers=_count(conn, "publishers"),
                leads=_count(conn, "leads"),
                lead_datas=factory.counters.data,
                job_results=factory.counters.result,
                logs=factory.counters.log,
                notes=factory.counters.note,
                elapsed_seconds=0.0,
            )
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return SeedReport(**{**report.__dict__, "elapsed_seconds": time.perf_counter() - started})


def ensure_database(db_path: str | Path | None = None) -> Path:
    """Seed the demo database with defaults unless it exists; safe when processes race."""
    target = Path(db_path) if db_path is not None else db.default_db_path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.with_name(target.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():  # another process may have seeded while we waited
                seed_database(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target
