"""Each signal on planted leads: the story it must catch, and the clean leads it must not."""

from __future__ import annotations

import datetime as dt

from lib.audit.findings import Finding
from lib.audit.settings import AuditSettings
from lib.audit.signals import (
    AuditContext,
    disposable_email,
    duplicate_email,
    duplicate_phone,
    geo_mismatch,
    ip_velocity,
    junk_values,
    machine_cadence,
    off_hours,
    shared_device,
)
from tests.audit.planting import START, Planter, seconds

CONTEXT = AuditContext(AuditSettings())


def flagged(findings: tuple[Finding, ...]) -> set[int]:
    return {lead for finding in findings for lead in finding.lead_ids}


def test_a_clean_crowd_raises_no_flag_at_all() -> None:
    planter = Planter()
    planter.crowd(300)
    db = planter.db()
    for signal in (
        duplicate_email,
        duplicate_phone,
        shared_device,
        ip_velocity,
        disposable_email,
        geo_mismatch,
        junk_values,
        machine_cadence,
    ):
        outcome = signal(db, CONTEXT)
        assert outcome.findings == (), (signal.__name__, outcome.findings[:2])


def test_duplicate_email_across_campaigns_says_how_far_apart() -> None:
    planter = Planter()
    clean = planter.crowd(20)
    ring = [
        planter.lead(START + dt.timedelta(hours=hours), campaign=campaign, email=email)
        for hours, campaign, email in (
            (1, 1, "Ring@Example.org"),
            (5, 2, " ring@example.org"),
            (26, 3, "RING@example.org"),
        )
    ]
    outcome = duplicate_email(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(ring)]
    finding = outcome.findings[0]
    assert finding.strength == "strong"
    assert "3 campaigns (1, 2, 3)" in finding.reason
    assert "4 h apart" in finding.reason
    assert not flagged(outcome.findings) & set(clean)


def test_duplicate_email_outside_the_window_is_not_a_duplicate() -> None:
    planter = Planter()
    planter.lead(START, email="again@example.org")
    planter.lead(START + dt.timedelta(days=31), email="again@example.org")
    assert duplicate_email(planter.db(), CONTEXT).findings == ()


def test_duplicate_phone_matches_whatever_the_format_in_e164() -> None:
    planter = Planter()
    planter.crowd(10)
    same = [
        planter.lead(START + seconds(60 * index), telephone=phone, country=country)
        for index, (phone, country) in enumerate(
            (
                ("020 7946 0958", "United Kingdom"),
                ("+44 (0)20 7946-0958", "uk"),
                ("0044 20 79460958", "GB"),
            )
        )
    ]
    other = planter.lead(START, telephone="(212) 555-0142", country="United States")
    outcome = duplicate_phone(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(same)]
    assert other not in flagged(outcome.findings)
    assert "3 different emails" in outcome.findings[0].reason


def test_shared_device_needs_different_emails() -> None:
    planter = Planter()
    planter.crowd(10)
    device = [planter.lead(START + seconds(60 * i), fingerprint="fp-shared") for i in range(3)]
    # One person coming back on their own device is not a shared device.
    for i in range(2):
        planter.lead(START + seconds(90 * i), fingerprint="fp-own", email="own@example.org")
    outcome = shared_device(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(device)]
    assert "3 different emails" in outcome.findings[0].reason


def test_ip_velocity_exactly_30_seconds_is_a_rapid_post_and_31_is_not() -> None:
    planter = Planter()
    rapid = [planter.lead(START, ip="5.62.60.1"), planter.lead(START + seconds(30), ip="5.62.60.1")]
    planter.lead(START, ip="5.62.60.2")
    planter.lead(START + seconds(31), ip="5.62.60.2")
    outcome = ip_velocity(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(rapid)]
    assert "30 s apart (a rapid post)" in outcome.findings[0].reason


def test_ip_velocity_three_within_the_hour_inclusive() -> None:
    planter = Planter()
    hour = [planter.lead(START + seconds(s), ip="5.62.60.3") for s in (0, 1800, 3600)]
    for s in (0, 1800, 3601):
        planter.lead(START + seconds(s), ip="5.62.60.4")
    outcome = ip_velocity(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(hour)]
    assert outcome.findings[0].strength == "strong"


def test_an_office_ip_is_weak() -> None:
    planter = Planter()
    office = [
        planter.lead(START + dt.timedelta(hours=10 * day, seconds=20 * i), ip="81.2.69.160")
        for day in range(10)
        for i in range(2)
    ]
    outcome = ip_velocity(planter.db(), CONTEXT)
    assert flagged(outcome.findings) == set(office)
    assert {finding.strength for finding in outcome.findings} == {"weak"}
    assert "office or a VPN exit" in outcome.findings[0].reason


def test_disposable_domain_and_provider_verdicts() -> None:
    planter = Planter()
    planter.crowd(10, lead_data={"email.disposable": "false", "neverbounce.result": "valid"})
    listed = [planter.lead(email=f"throw{i}@mailinator.com") for i in range(3)]
    told = planter.lead(email="quiet@example-corp.net", lead_data={"email.disposable": "true"})
    bounced = planter.lead(lead_data={"neverbounce.result": "disposable"})
    outcome = disposable_email(planter.db(), CONTEXT)
    assert flagged(outcome.findings) == {*listed, told, bounced}
    assert "mailinator.com" in outcome.findings[0].reason


def test_geo_mismatch_ignores_private_documentation_and_unknown_ips() -> None:
    planter = Planter()
    planter.crowd(10)
    nigeria_ip = [planter.lead(ip="41.58.0.1", country="United Kingdom") for _ in range(2)]
    us_phone = planter.lead(telephone="+1 212 555 0142", country="United Kingdom")
    quiet = [
        planter.lead(ip=ip, country="United Kingdom")
        for ip in ("10.1.2.3", "192.168.0.9", "203.0.113.7", "2001:db8::1", "not-an-ip", "")
    ]
    outcome = geo_mismatch(planter.db(), CONTEXT)
    assert flagged(outcome.findings) == {*nigeria_ip, us_phone}
    by_leads = {finding.lead_ids: finding for finding in outcome.findings}
    assert by_leads[tuple(nigeria_ip)].strength == "weak"
    assert "IP in NG" in by_leads[tuple(nigeria_ip)].reason
    assert by_leads[(us_phone,)].strength == "strong"
    assert not flagged(outcome.findings) & set(quiet)


def test_junk_values_rules() -> None:
    planter = Planter()
    clean = planter.crowd(20)
    same = planter.lead(first_name="Smith", last_name="smith")
    test = planter.lead(company="Test")
    repeat = planter.lead(last_name="Baaaaker")
    keyboard = planter.lead(first_name="Qwerty")
    tiny = planter.lead(first_name="J")
    # Three repeated letters are a name ("Brenn" "Jo" "Lee" are names too): not junk.
    fine = [planter.lead(last_name="Baaker"), planter.lead(first_name="Lee", last_name="Ng")]
    outcome = junk_values(planter.db(), CONTEXT)
    reasons = {finding.lead_ids[0]: finding for finding in outcome.findings}
    assert set(reasons) == {same, test, repeat, keyboard, tiny}
    assert reasons[same].reason.startswith("First name equals last name")
    assert reasons[tiny].strength == "weak"
    assert not set(reasons) & {*clean, *fine}


def test_machine_cadence_every_12_seconds_but_not_people() -> None:
    planter = Planter()
    people = planter.crowd(60, publisher=8)
    machine = [
        planter.lead(START + seconds(12 * i), publisher=9, publisher_sub_id="night-7")
        for i in range(40)
    ]
    outcome = machine_cadence(planter.db(), CONTEXT)
    assert [finding.lead_ids for finding in outcome.findings] == [tuple(machine)]
    assert "every 12 s" in outcome.findings[0].reason
    assert not flagged(outcome.findings) & set(people)


def test_off_hours_burst_in_local_time() -> None:
    planter = Planter()
    # 02:00 in New York is 07:00 UTC: night there, morning in London.
    night = START.replace(hour=7)
    burst = [
        planter.lead(
            night + seconds(120 * i), publisher=9, country="US", telephone="+1 212 555 0142"
        )
        for i in range(6)
    ]
    london_morning = [planter.lead(night + seconds(120 * i), publisher=10) for i in range(6)]
    outcome = off_hours(planter.db(), CONTEXT)
    assert flagged(outcome.findings) == set(burst)
    assert "America/New_York" in outcome.findings[0].reason
    assert not flagged(outcome.findings) & set(london_morning)


def test_masked_signals_say_they_cannot_run_and_hashes_still_match() -> None:
    planter = Planter()
    planter.crowd(5, telephone="[masked]", ip="[masked]", email="[masked]")
    twice = [
        planter.lead(
            START + seconds(60 * i),
            email="[masked]",
            email_hash="ab" * 32,
            telephone="[masked]",
            ip="[masked]",
        )
        for i in range(2)
    ]
    db = planter.db()
    masked = AuditContext(AuditSettings(), masked=True)
    assert duplicate_email(db, masked).findings[0].lead_ids == tuple(twice)
    for signal in (duplicate_phone, ip_velocity, geo_mismatch):
        outcome = signal(db, masked)
        assert outcome.skipped and "masked" in outcome.skipped
    assert db.execute(
        "SELECT count(*) FROM leads WHERE ip IS NOT NULL OR phone_e164 IS NOT NULL"
    ).fetchone() == (0,)
