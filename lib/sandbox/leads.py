"""The lead factory: makes one demo lead at a time, with its whole history, in named steps.

identity -> captured values -> jobs (`processr`) -> timeline -> lead row; the parts are the
frozen dataclasses of `lead_parts`. Every draw comes from one `random.Random` in a fixed
order, so a seed always makes the same leads. Names, companies and addresses come from pools
built once with Faker (drawing from Faker per lead would be far slower).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from faker import Faker

from lib.sandbox.audit_stories import SHOWCASE_LEADS, STORY_OVERRIDES
from lib.sandbox.demo import (
    CHANNELS,
    CITIES,
    COUNTRY_RAW,
    DEMO_USERS,
    FARM_CAMPAIGN_INDEXES,
    FARM_FINGERPRINT,
    FARM_IPS,
    FARM_SECONDS,
    FARM_STARTED,
    FREE_MAIL,
    HOSTILE_VALUES,
    JOB_BEHAVIOURS,
    JOB_DUPLICATE,
    JOB_HLR,
    JOB_TITLE_TRANSFORMS,
    JOB_TITLES,
    LEAD_ODDS,
    LOCALE_CUM_WEIGHTS,
    LOCALE_IP_PREFIXES,
    LOCALE_TLDS,
    LOCALES,
    OFFICE_IP,
    PUBLISHERS,
    RECYCLED_AT,
    RECYCLED_CAMPAIGN_INDEXES,
    SALUTATIONS,
    SCATTERED_HOSTILE_AT,
    SCATTERED_HOSTILE_EVERY,
    SUB_IDS_PER_CONTRACT,
    US_AREA_CODES,
)
from lib.sandbox.draws import ascii_slug, between, iso_ts, pick, telephone_for
from lib.sandbox.hashing import email_hash
from lib.sandbox.lead_parts import (
    NO_OVERRIDES,
    CampaignPlan,
    Captured,
    Identity,
    LeadRow,
    Overrides,
    Person,
    Processing,
    RowBuffer,
)
from lib.sandbox.processr import Processr

POOL_SIZE = 300
"""First names and last names per locale (a third as many companies)."""
PLACES_POOL_SIZE = 100
"""Streets and postcodes per locale."""
PROCESSR_AUTHOR = "Processr"
"""The author of the notes Processr writes."""
PAYOUT_EDITOR = DEMO_USERS[0][2]
"""The admin who changes a publisher payout now and then."""
SECONDS_PER_HOUR = 3600


@dataclass
class Pools:
    """Faker-made values per locale, drawn from for every lead."""

    first_names: dict[str, list[str]] = field(default_factory=dict)
    last_names: dict[str, list[str]] = field(default_factory=dict)
    companies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """(company name, email domain)."""
    streets: dict[str, list[str]] = field(default_factory=dict)
    postcodes: dict[str, list[str]] = field(default_factory=dict)


def build_pools(seed: int) -> Pools:
    pools = Pools()
    for offset, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + offset)
        pools.first_names[locale] = [fake.first_name() for _ in range(POOL_SIZE)]
        pools.last_names[locale] = [fake.last_name() for _ in range(POOL_SIZE)]
        companies = []
        for _ in range(POOL_SIZE // 3):
            company = fake.company()
            slug = "-".join(ascii_slug(part) for part in company.replace(",", " ").split()[:2])
            companies.append((company, f"{slug}.{LOCALE_TLDS[locale]}"))
        pools.companies[locale] = companies
        pools.streets[locale] = [
            fake.street_address().replace("\n", ", ") for _ in range(PLACES_POOL_SIZE)
        ]
        pools.postcodes[locale] = [fake.postcode() for _ in range(PLACES_POOL_SIZE)]
    return pools


# --- the documented showcase leads (docs/api.md) ------------------------------------------------
OLIVIA = Person(
    "en_GB", "Olivia", "Bennett", "olivia.bennett@harbourline-analytics.co.uk",
    "Harbourline Analytics Ltd", "+44 20 7946 0321",
)  # fmt: skip
OFFICE_COLLEAGUES = (
    Person("en_GB", "James", "Whitfield", "james.whitfield@harbourline-analytics.co.uk",
           "Harbourline Analytics Ltd", "+44 20 7946 0388"),
    Person("en_GB", "Priya", "Raman", "priya.raman@harbourline-analytics.co.uk",
           "Harbourline Analytics Ltd", "+44 20 7946 0412"),
    Person("en_GB", "Tom", "Adeyemi", "tom.adeyemi@harbourline-analytics.co.uk",
           "Harbourline Analytics Ltd", "+44 20 7946 0175"),
)  # fmt: skip
RECYCLED = Person(
    "en_US", "Marcus", "Lindqvist", "marcus.lindqvist@gmail.com", "Brightwater Freight Inc",
    "+1 312 555 0147",
)  # fmt: skip
FARM_STARTED_EPOCH = int(FARM_STARTED.timestamp())


def _farm(index: int, base: Overrides | None = None) -> Overrides:
    """The `index`-th lead of the device farm: one fingerprint, neighbouring IPs, minutes apart."""
    return replace(
        base or Overrides(campaign_index=FARM_CAMPAIGN_INDEXES[index]),
        created=FARM_STARTED_EPOCH + FARM_SECONDS[index],
        ip=FARM_IPS[index],
        fingerprint=FARM_FINGERPRINT,
    )


SHOWCASE: tuple[Overrides, ...] = (
    # 100001: Caution (HLR failed), Full Contact profile, transforms, NeverBounce valid; signed
    # up from her office's IP, as three colleagues did (100011-100013).
    Overrides(
        campaign_index=0, person=OLIVIA, fail_jobs=frozenset({JOB_HLR.job_id}), pass_all=True,
        email_path="nb_valid", full_contact=True, address=True, raw_country="uk",
        raw_job_title="vp it", telephone=True, ip=OFFICE_IP,
    ),
    # 100002: hostile values; Invalid (duplicate, a hardfail on campaign 1), not delivered; the
    # first lead of the device farm (100007-100010).
    _farm(0, Overrides(
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
    )),
    # 100003: Valid and delivered.
    Overrides(campaign_index=0, pass_all=True, email_path="bv_valid", telephone=True),
    # 100004-100006: Olivia again on campaigns 2-4 (her Associated Campaigns).
    *(
        Overrides(
            campaign_index=index, person=OLIVIA, pass_all=True, email_path="bv_valid",
            telephone=True,
        )
        for index in (1, 2, 3)
    ),
    # 100007-100010: the rest of the device farm, on campaigns 1 and 3.
    *(_farm(index) for index in range(1, len(FARM_SECONDS))),
    # 100011-100013: Olivia's colleagues, from the same office IP (different people).
    *(
        Overrides(campaign_index=index, person=person, ip=OFFICE_IP, telephone=True)
        for index, person in zip((0, 2, 6), OFFICE_COLLEAGUES, strict=True)
    ),
    # 100014-100016: one email recycled on campaigns 2, 6 and 3, weeks apart.
    *(
        Overrides(campaign_index=index, person=RECYCLED, created=int(moment.timestamp()))
        for index, moment in zip(RECYCLED_CAMPAIGN_INDEXES, RECYCLED_AT, strict=True)
    ),
)  # fmt: skip


assert len(SHOWCASE) == SHOWCASE_LEADS, "the audit stories' lead ids follow the showcase"
PLANTED: tuple[Overrides, ...] = SHOWCASE + STORY_OVERRIDES
"""The showcase leads, then the audit stories (`audit_stories`)."""


def overrides_for(index: int) -> Overrides:
    """What is fixed in advance for the `index`-th lead (from 0): usually nothing."""
    if index < len(PLANTED):
        return PLANTED[index]
    if index % SCATTERED_HOSTILE_EVERY == SCATTERED_HOSTILE_AT:
        value = HOSTILE_VALUES[(index // SCATTERED_HOSTILE_EVERY) % len(HOSTILE_VALUES)]
        return Overrides(hostile={"firstName": value, "data:comments": value})
    return NO_OVERRIDES


class LeadFactory:
    """Makes leads one at a time into a RowBuffer; all draws come from `rng`, in order."""

    def __init__(
        self,
        rng: random.Random,
        pools: Pools,
        campaigns: Sequence[CampaignPlan],
        rows: RowBuffer,
        email_hash_key: bytes,
    ) -> None:
        self.rng = rng
        self.email_hash_key = email_hash_key
        self.pools = pools
        self.campaigns = list(campaigns)
        self.rows = rows
        self.cum_weights = list(itertools.accumulate(c.spec.weight for c in campaigns))
        self.returning: list[tuple[Person, set[int]]] = []
        """People who may come back, with the campaigns they came to."""
        self.people = 0
        """People made so far: the next one's serial (its own phone number)."""
        self.processr = Processr(rng, rows)

    def lead(self, lead_id: int, overrides: Overrides) -> None:
        """Make one lead: its lead row, lead data, job results, logs and notes."""
        identity = self._identity(lead_id, overrides)
        captured = self._captured(identity, overrides)
        self._write_captured(identity, captured)
        processing = self.processr.run(identity, captured, overrides)
        first_delivered, payout = self._timeline(identity, processing, overrides)
        self.rows.leads.append(
            self._lead_row(identity, captured, processing, first_delivered, payout, overrides)
        )

    # --- step 1: identity ----------------------------------------------------------------------
    def _identity(self, lead_id: int, overrides: Overrides) -> Identity:
        rng = self.rng
        if overrides.campaign_index is not None:
            campaign = self.campaigns[overrides.campaign_index]
        else:
            campaign = rng.choices(self.campaigns, cum_weights=self.cum_weights)[0]
        person = overrides.person or self._person(campaign.id)
        created = between(rng, *campaign.window)
        if overrides.created is not None:
            created = overrides.created
        contract = pick(rng, campaign.contracts) if rng.random() < LEAD_ODDS.via_publisher else None
        if overrides.contract_index is not None:
            contract = campaign.contracts[overrides.contract_index]
        channel = (
            "api"
            if contract is None
            else rng.choices(CHANNELS, cum_weights=LEAD_ODDS.channel_cum_weights)[0]
        )
        form = pick(rng, campaign.forms)
        if channel == "api":
            client = PUBLISHERS[contract.publisher_id - 1] if contract else campaign.spec.advertiser
            return Identity(
                lead_id, campaign, person, created, contract, channel, None, None,
                f"API: {client} connector",
            )  # fmt: skip
        return Identity(
            lead_id, campaign, person, created, contract, channel, form.hash, form.name,
            form.landing_url,
        )  # fmt: skip

    def _person(self, campaign_id: int) -> Person:
        """Usually somebody new; now and then somebody seen before on another campaign
        (Associated Campaigns): never again on the same one, which would be a duplicate the
        audit rightly flags, and the demo's duplicates are its stories."""
        rng = self.rng
        if self.returning and rng.random() < LEAD_ODDS.returning_person:
            returning, seen_on = pick(rng, self.returning)
            if campaign_id not in seen_on:
                seen_on.add(campaign_id)
                return returning
        person = self._new_person()
        if rng.random() < LEAD_ODDS.becomes_returning:
            entry = (person, {campaign_id})
            if len(self.returning) < LEAD_ODDS.returning_pool:
                self.returning.append(entry)
            else:
                self.returning[rng.randrange(LEAD_ODDS.returning_pool)] = entry
        return person

    def _new_person(self) -> Person:
        rng, pools = self.rng, self.pools
        locale = rng.choices(LOCALES, cum_weights=LOCALE_CUM_WEIGHTS)[0]
        first = pick(rng, pools.first_names[locale])
        last_names = pools.last_names[locale]
        last = pick(rng, last_names)
        if last.casefold() == first.casefold():  # "Morgan Morgan" reads as junk to an audit
            last = last_names[(last_names.index(last) + 1) % len(last_names)]
        company, domain = pick(rng, pools.companies[locale])
        if rng.random() < LEAD_ODDS.free_mail:
            domain = pick(rng, FREE_MAIL)
        number = between(rng, 1, 99) if rng.random() < LEAD_ODDS.numbered_email else ""
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{number}@{domain}"
        # One number per person: a shared pool would make strangers share phones, which the
        # audit rightly flags.
        telephone = telephone_for(locale, self.people, US_AREA_CODES)
        self.people += 1
        return Person(locale, first, last, email, company, telephone)

    # --- step 2: captured values ---------------------------------------------------------------
    def _captured(self, identity: Identity, overrides: Overrides) -> Captured:
        rng, odds = self.rng, LEAD_ODDS
        person = identity.person
        locale = person.locale
        has_email = (
            overrides.pass_all or overrides.person is not None or rng.random() < odds.has_email
        )
        has_phone = (
            overrides.telephone
            if overrides.telephone is not None
            else rng.random() < odds.has_telephone
        )
        has_address = (
            overrides.address if overrides.address is not None else rng.random() < odds.has_address
        )
        raw_countries, country = COUNTRY_RAW[locale]
        raw_country = overrides.raw_country or pick(rng, raw_countries)
        if overrides.raw_job_title:
            raw_title = overrides.raw_job_title
        elif rng.random() < odds.raw_job_title:
            raw_title = pick(rng, tuple(JOB_TITLE_TRANSFORMS))
        else:
            raw_title = pick(rng, JOB_TITLES)
        title = pick(rng, SALUTATIONS)
        hostile = overrides.hostile or {}
        street = postcode = city = region = None
        latitude = longitude = None
        if has_address:
            city, region, lat, lon = (
                CITIES[locale][0] if overrides.address else pick(rng, CITIES[locale])
            )
            jitter = odds.coordinate_jitter
            latitude = round(lat + rng.uniform(-jitter, jitter), 6)
            longitude = round(lon + rng.uniform(-jitter, jitter), 6)
            street = pick(rng, self.pools.streets[locale])
            postcode = pick(rng, self.pools.postcodes[locale])
        return Captured(
            title=title or None,
            first_name=hostile.get("firstName", person.first_name),
            last_name=hostile.get("lastName", person.last_name),
            email=person.email if has_email else None,
            telephone=person.telephone if has_phone else None,
            company=hostile.get("company", person.company),
            raw_job_title=raw_title,
            job_title=hostile.get("jobTitle", JOB_TITLE_TRANSFORMS.get(raw_title, raw_title)),
            raw_country=raw_country,
            country=country,
            has_address=has_address,
            street=street,
            postcode=postcode,
            city=hostile.get("city", city),
            region=region,
            latitude=latitude,
            longitude=longitude,
            hostile=hostile,
        )

    def _write_captured(self, identity: Identity, captured: Captured) -> None:
        """The captured lead data (the country and a raw job title come with the transforms)."""
        lead_id, created_ts, rows = identity.lead_id, iso_ts(identity.created), self.rows
        values: tuple[tuple[str, str | None], ...] = (
            ("title", captured.title),
            ("firstName", captured.first_name),
            ("lastName", captured.last_name),
            ("email", captured.email),
            ("telephone", captured.telephone),
            ("company", captured.company),
            ("jobTitle", None if captured.transforms_job_title else captured.job_title),
        )
        if captured.has_address:
            values += (
                ("postcode", captured.postcode),
                ("addressLine1", captured.street),
                ("city", captured.city),
            )
        for name, value in values:
            if value is not None:
                rows.data(lead_id, name, value, "captured", created_ts)
        for name, value in captured.hostile.items():
            if name.startswith("data:"):
                rows.data(lead_id, name.removeprefix("data:"), value, "captured", created_ts)
        if captured.email:
            domain = "@" + captured.email.split("@", 1)[1]
            rows.data(lead_id, "emailDomain", domain, "derived", created_ts)

    # --- step 4: timeline ----------------------------------------------------------------------
    def _timeline(
        self, identity: Identity, processing: Processing, overrides: Overrides
    ) -> tuple[str | None, str]:
        """Job results, logs and notes, a second or so apart; returns when the lead was
        first delivered (or None) and the publisher payout it ended with."""
        rng, rows, lead_id = self.rng, self.rows, identity.lead_id
        campaign = identity.campaign
        rows.log(lead_id, "processr", "debug", None, None,
                 f"Lead received via {identity.channel}; processing started",
                 iso_ts(identity.created))  # fmt: skip
        ts = identity.created + 1
        for result in processing.results:
            ts += between(rng, 1, 3)
            stamp = iso_ts(ts)
            job = result.job
            rows.result(lead_id, result, stamp)
            # Causes before effects: the job's lead data are stamped when it answered (its
            # provider logs' time), never before the provider was asked.
            runs = JOB_BEHAVIOURS[job.job_id].runs if job.job_id in JOB_BEHAVIOURS else None
            if runs == "transforms":
                rows.restamp_data(lead_id, "transform", frozenset(), stamp)
            elif result.provider_logs:
                providers = frozenset(log.provider for log in result.provider_logs)
                rows.restamp_data(lead_id, "enrichment", providers, stamp)
            for log in result.provider_logs:
                rows.log(lead_id, "provider", log.level, job, log.provider, log.message, stamp)
            level = "info" if result.passed else ("error" if job.hardfail else "warning")
            text = f"{job.name}: {'passed' if result.passed else 'failed'}"
            if result.message:
                text += f" ({result.message})"
            rows.log(lead_id, "processr", level, job, None, text, stamp)
        ts += 1
        status_ts = iso_ts(ts)
        status, score = processing.status, processing.score
        rows.log(lead_id, "processr", "info", None, None,
                 f"Status set to {status} (score {score}/{campaign.max_score})",
                 status_ts)  # fmt: skip
        rows.note(lead_id, "status",
                  f"Processr set the status to {status}: score {score}/{campaign.max_score}",
                  PROCESSR_AUTHOR, status_ts, "processrStatus", None, status)  # fmt: skip
        first_delivered = None
        if processing.delivered and processing.integration:
            ts += between(rng, 30, 600)
            first_delivered = iso_ts(ts)
            rows.note(lead_id, "delivery",
                      f"Delivered to {campaign.spec.advertiser} via {processing.integration.name}",
                      PROCESSR_AUTHOR, first_delivered, "delivered", "false", "true")  # fmt: skip
        if processing.over_allocated:
            rows.note(lead_id, "delivery",
                      "Held as over-allocated: the publisher's cap is reached", PROCESSR_AUTHOR,
                      status_ts, "overAllocated", "false", "true")  # fmt: skip
        contract = identity.contract
        payout = contract.payout if contract and contract.kind == "CPL" else "0.00"
        if contract and not overrides.pass_all and rng.random() < LEAD_ODDS.payout_changed:
            new_payout = f"{Decimal(payout) + Decimal(LEAD_ODDS.payout_raise):.2f}"
            rows.note(lead_id, "contract",
                      f"Publisher payout changed from {payout} to {new_payout}", PAYOUT_EDITOR,
                      iso_ts(ts + SECONDS_PER_HOUR), "publisherPayout", payout,
                      new_payout)  # fmt: skip
            payout = new_payout
        return first_delivered, payout

    # --- step 5: the lead row ------------------------------------------------------------------
    def _lead_row(
        self,
        identity: Identity,
        captured: Captured,
        processing: Processing,
        first_delivered: str | None,
        payout: str,
        overrides: Overrides,
    ) -> LeadRow:
        # The draws happen in this order; keep it, or every later lead of a seed changes.
        rng, odds, spec = self.rng, LEAD_ODDS, identity.campaign.spec
        sub_draw = between(rng, 1, SUB_IDS_PER_CONTRACT) if identity.publisher_id else 0
        publisher_sub_id = (
            overrides.sub_id or f"sub-{identity.publisher_id:02d}{sub_draw:02d}"
            if identity.publisher_id
            else None
        )
        dob = (
            f"{between(rng, *odds.dob_years)}-{between(rng, 1, 12):02d}-{between(rng, 1, 28):02d}"
            if rng.random() < odds.has_dob
            else None
        )
        # From a block of the person's own country: an IP abroad is the geo-mismatch story's.
        prefix = pick(rng, LOCALE_IP_PREFIXES[identity.person.locale])
        ip = f"{prefix}.{between(rng, 0, 255)}.{between(rng, 1, 254)}"
        opt_in = rng.random() < odds.opt_in
        double_opt_in = rng.random() < odds.double_opt_in
        processing_counter = 2 if rng.random() < odds.reprocessed else 1
        fingerprint = f"{rng.getrandbits(128):032x}"
        # Drawn all the same, so a cluster lead leaves the draws of the leads after it alone.
        ip = overrides.ip or ip
        fingerprint = overrides.fingerprint or fingerprint
        email = captured.email
        billable = processing.status == "Valid" and processing.delivered
        return LeadRow(
            id=identity.lead_id,
            campaign_id=identity.campaign.id,
            publisher_id=identity.publisher_id,
            publisher_sub_id=publisher_sub_id,
            channel=identity.channel,
            form_hash=identity.form_hash,
            form_name=identity.form_name,
            entry_point=identity.entry_point,
            title=captured.title,
            first_name=captured.first_name,
            last_name=captured.last_name,
            email=email,
            telephone=captured.telephone,
            company=captured.company,
            job_title=captured.job_title,
            country=captured.country,
            dob=dob,
            postcode=captured.postcode,
            address_line1=captured.street,
            address_line2=None,
            address_line3=captured.city,
            address_line4=captured.region,
            latitude=captured.latitude,
            longitude=captured.longitude,
            ip=ip,
            host=spec.landing_host,
            opt_in=opt_in,
            double_opt_in=double_opt_in,
            processr_status=processing.status,
            score=processing.score,
            max_score=identity.campaign.max_score,
            hardfail=processing.hardfailed,
            processing_counter=processing_counter,
            suppression_list=processing.suppressed,
            delivered=processing.delivered,
            over_allocated=processing.over_allocated,
            created_ts=iso_ts(identity.created),
            first_delivered_ts=first_delivered,
            email_hash=email_hash(email, self.email_hash_key) if email else None,
            fingerprint=fingerprint,
            publisher_payout=payout,
            advertiser_payout=spec.price,
            publisher_billable=billable,
            advertiser_billable=billable,
        )
