"""Step 3 of a generated lead: its campaign's Processr jobs run on it, then its status is set.

Each job runs as its `demo.JOB_BEHAVIOURS` entry says (`runs`: check, transforms,
email_validation, enrichment or integration); the enrichments write their lead data as they
go, and their providers' raw answers come back with the result, to be logged in the timeline.
"""

from __future__ import annotations

import base64
import html
import json
import random
from collections.abc import Callable

from lib.sandbox.audit_stories import (
    STORY_CAMPAIGN_ID,
    UNREACHABLE_CONTRACT_INDEX,
    UNREACHABLE_HLR_FAIL_RATE,
)
from lib.sandbox.demo import (
    AVATAR_COLOURS,
    BRITEVERIFY_OTHERWISE,
    BRITEVERIFY_SECONDS,
    BRITEVERIFY_STATUSES,
    DEMO_DISPOSABLE_DOMAINS,
    JOB_BEHAVIOURS,
    JOB_HLR,
    JOB_TEST_DATA,
    JOB_VALIDATION_LIST,
    LEAD_ODDS,
    NEVERBOUNCE_DNS_ONLY_RATE,
    NEVERBOUNCE_MILLISECONDS,
    NEVERBOUNCE_OTHERWISE,
    NEVERBOUNCE_PASSES,
    NEVERBOUNCE_RESULTS,
    ROLE_ACCOUNTS,
    JobBehaviour,
    JobRun,
)
from lib.sandbox.draws import ascii_slug, between, first_below, iso_ts, pick
from lib.sandbox.lead_parts import (
    Captured,
    Identity,
    JobResult,
    Overrides,
    PlannedJob,
    Processing,
    ProviderLog,
    RowBuffer,
)

DELIVERABLE_STATUSES = frozenset({"Valid", "Test"})
# Seconds after the lead's creation at which each enrichment stamps its lead data.
TRANSFORMS_AFTER, EMAIL_VALIDATION_AFTER, ENRICHMENT_AFTER = 2, 4, 5
ALL_DNS_FLAGS = ("has_dns", "has_dns_mx", "smtp_connectable")


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


def _sends_unreachable_numbers(identity: Identity) -> bool:
    """Whether the lead comes through the audit story's publisher whose numbers are often
    unreachable (`audit_stories`)."""
    campaign = identity.campaign
    return (
        campaign.id == STORY_CAMPAIGN_ID
        and identity.contract is not None
        and len(campaign.contracts) > UNREACHABLE_CONTRACT_INDEX
        and identity.contract == campaign.contracts[UNREACHABLE_CONTRACT_INDEX]
    )


JobRunner = Callable[[PlannedJob, JobBehaviour, Identity, Captured, Overrides], JobResult]


class Processr:
    """Runs a campaign's jobs on generated leads, drawing from the seeder's one `rng`."""

    def __init__(self, rng: random.Random, rows: RowBuffer) -> None:
        self.rng = rng
        self.rows = rows
        self.runners: dict[JobRun, JobRunner] = {
            "check": self._check,
            "transforms": self._transforms,
            "email_validation": self._email_validation,
            "enrichment": self._enrichment,
        }
        """How each kind of job runs; the integration runs apart, once the status is known."""

    def run(self, identity: Identity, captured: Captured, overrides: Overrides) -> Processing:
        """Run the jobs in order, set the status, then deliver a Valid or Test lead."""
        results: list[JobResult] = []
        integration: PlannedJob | None = None
        test_data = hardfailed = suppressed = False
        score = 0
        for job in identity.campaign.jobs:
            behaviour = JOB_BEHAVIOURS[job.job_id]
            if (behaviour.needs == "email" and not captured.email) or (
                behaviour.needs == "telephone" and not captured.telephone
            ):
                continue
            if behaviour.runs == "integration":
                integration = job
                continue
            result = self.runners[behaviour.runs](job, behaviour, identity, captured, overrides)
            results.append(result)
            if result.passed:
                score += job.max_score
            else:
                hardfailed = hardfailed or job.hardfail
                test_data = test_data or job.job_id == JOB_TEST_DATA.job_id
                suppressed = suppressed or job.job_id == JOB_VALIDATION_LIST.job_id
        campaign = identity.campaign
        status = status_for(
            test_data=test_data, hardfailed=hardfailed, score=score, max_score=campaign.max_score
        )
        over_allocated = (
            status == "Valid"
            and campaign.spec.capped
            and not overrides.pass_all
            and self.rng.random() < LEAD_ODDS.over_allocated
        )
        delivered = False
        if integration and status in DELIVERABLE_STATUSES and not over_allocated:
            delivery = self._deliver(integration, overrides)
            results.append(delivery)
            delivered = delivery.passed
        return Processing(
            tuple(results), status, score, hardfailed, suppressed, over_allocated, delivered,
            integration,
        )  # fmt: skip

    def _check(
        self,
        job: PlannedJob,
        behaviour: JobBehaviour,
        identity: Identity,
        _captured: Captured,
        overrides: Overrides,
    ) -> JobResult:
        """A pass/fail check that fails at the behaviour's rate (or as the overrides say)."""
        fail_rate = behaviour.fail_rate
        if job.job_id == JOB_HLR.job_id and _sends_unreachable_numbers(identity):
            fail_rate = UNREACHABLE_HLR_FAIL_RATE
        failed = job.job_id in overrides.fail_jobs or (
            not overrides.pass_all and self.rng.random() < fail_rate
        )
        return JobResult(job, not failed, behaviour.failure if failed else behaviour.success)

    def _transforms(
        self,
        job: PlannedJob,
        _behaviour: JobBehaviour,
        identity: Identity,
        captured: Captured,
        _overrides: Overrides,
    ) -> JobResult:
        """Value Transforms: the canonical country and job title, the raw value kept as the
        original. The country is written here even when it needed no transform."""
        lead_id, rows = identity.lead_id, self.rows
        stamp = iso_ts(identity.created + TRANSFORMS_AFTER)
        applied = 0
        if captured.raw_country != captured.country:
            applied += 1
            rows.data(lead_id, "country", captured.country, "transform", stamp,
                      original=captured.raw_country)  # fmt: skip
        else:
            rows.data(lead_id, "country", captured.country, "captured", iso_ts(identity.created))
        if captured.transforms_job_title:
            applied += 1
            rows.data(lead_id, "jobTitle", captured.job_title, "transform", stamp,
                      original=captured.raw_job_title)  # fmt: skip
        message = f"{applied} value transform(s) applied" if applied else "No transforms"
        return JobResult(job, True, message)

    def _email_validation(
        self,
        job: PlannedJob,
        _behaviour: JobBehaviour,
        identity: Identity,
        captured: Captured,
        overrides: Overrides,
    ) -> JobResult:
        """BriteVerify first; when it is unsure, NeverBounce decides."""
        assert captured.email is not None  # the job needs an email
        rng, rows, lead_id, email = self.rng, self.rows, identity.lead_id, captured.email
        stamp = iso_ts(identity.created + EMAIL_VALIDATION_AFTER)
        account, domain = email.split("@", 1)
        role_address = account in ROLE_ACCOUNTS
        if overrides.email_path == "nb_valid":
            first = 1.0
        elif overrides.email_path == "bv_valid":
            first = 0.0
        else:
            first = rng.random()
        bv_status = first_below(first, BRITEVERIFY_STATUSES, BRITEVERIFY_OTHERWISE)
        # The verdict follows the address: only a disposable domain is called disposable (and
        # is always invalid). The draw stays, so the leads after this one keep theirs.
        disposable = domain.lower() in DEMO_DISPOSABLE_DOMAINS
        rng.random()
        if disposable:
            bv_status = "invalid"
        duration = round(rng.uniform(*BRITEVERIFY_SECONDS), 3)
        bv_raw = json.dumps({
            "address": email, "account": account, "domain": domain, "status": bv_status,
            "connected": None, "disposable": disposable, "role_address": role_address,
            "duration": duration,
        })  # fmt: skip
        logs = [ProviderLog("BriteVerify", "info" if bv_status == "valid" else "warning", bv_raw)]
        for name, value in (
            ("email.status", bv_status),
            ("email.disposable", str(disposable).lower()),
            ("email.role_address", str(role_address).lower()),
            ("duration", str(duration)),
        ):
            rows.data(lead_id, name, value, "enrichment", stamp, "BriteVerify")
        if bv_status == "valid":
            return JobResult(job, True, "BriteVerify: valid", tuple(logs))
        if bv_status == "invalid":
            return JobResult(job, False, "BriteVerify: invalid", tuple(logs))
        second = 0.0 if overrides.email_path == "nb_valid" else rng.random()
        result = first_below(second, NEVERBOUNCE_RESULTS, NEVERBOUNCE_OTHERWISE)
        flags = list(ALL_DNS_FLAGS)
        if result in {"invalid", "unknown"} and rng.random() < NEVERBOUNCE_DNS_ONLY_RATE:
            flags = ["has_dns"]
        execution_time = between(rng, *NEVERBOUNCE_MILLISECONDS)
        nb_raw = json.dumps({
            "status": "success", "result": result, "flags": flags,
            "suggested_correction": "", "execution_time": execution_time,
        })  # fmt: skip
        passed = result in NEVERBOUNCE_PASSES
        logs.append(ProviderLog("NeverBounce", "info" if passed else "warning", nb_raw))
        for name, value in (
            ("neverbounce.result", result),
            ("neverbounce.status", "success"),
            ("neverbounce.execution_time", str(execution_time)),
            ("has_dns_mx", "true" if "has_dns_mx" in flags else "false"),
        ):
            rows.data(lead_id, name, value, "enrichment", stamp, "NeverBounce")
        message = f"BriteVerify: unknown; NeverBounce: {result}"
        return JobResult(job, passed, message, tuple(logs))

    def _enrichment(
        self,
        job: PlannedJob,
        behaviour: JobBehaviour,
        identity: Identity,
        captured: Captured,
        overrides: Overrides,
    ) -> JobResult:
        """Full Contact: a profile (photo, social links) for some people; never fails."""
        found = (
            overrides.full_contact
            if overrides.full_contact is not None
            else self.rng.random() < behaviour.found_rate
        )
        message = behaviour.success if found else behaviour.failure
        if not found:
            not_found = json.dumps({"status": 404, "message": "Profile not found"})
            return JobResult(job, True, message, (ProviderLog("Full Contact", "info", not_found),))
        first_name, last_name = captured.first_name, captured.last_name
        company, job_title = captured.company, captured.job_title
        stamp = iso_ts(identity.created + ENRICHMENT_AFTER)
        handle = f"{ascii_slug(first_name)}{ascii_slug(last_name)}"[:24]
        photo = avatar_data_uri(first_name, last_name, pick(self.rng, AVATAR_COLOURS))
        linkedin = f"https://www.linkedin.com/in/{handle}"
        twitter = f"https://twitter.com/{handle}"
        raw = json.dumps({
            "fullName": f"{first_name} {last_name}", "title": job_title,
            "organization": company, "linkedin": linkedin, "twitter": twitter, "avatar": photo,
            "details": {"employment": [{"name": company, "title": job_title, "current": True}]},
        }, ensure_ascii=False)  # fmt: skip
        for name, value in (
            ("fullcontact.photo", photo),
            ("fullcontact.linkedin", linkedin),
            ("fullcontact.twitter", twitter),
            ("fullcontact.fullName", f"{first_name} {last_name}"),
        ):
            self.rows.data(identity.lead_id, name, value, "enrichment", stamp, "Full Contact")
        return JobResult(job, True, message, (ProviderLog("Full Contact", "info", raw),))

    def _deliver(self, integration: PlannedJob, overrides: Overrides) -> JobResult:
        """The integration: delivered to the advertiser's system, or rejected by it."""
        fail_rate = JOB_BEHAVIOURS[integration.job_id].fail_rate
        delivered = overrides.pass_all or self.rng.random() < 1 - fail_rate
        if delivered:
            return JobResult(integration, True, f"Delivered to {integration.name}")
        return JobResult(integration, False, f"{integration.name} rejected the lead: HTTP 400")
