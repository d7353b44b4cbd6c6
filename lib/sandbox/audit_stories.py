"""The audit stories: leads planted in campaign 1 that a campaign audit must find, and only they.

The generated leads are clean for the audit (one phone per person, IPs from the person's own
country, providers calling an address disposable only when its domain is, a person never
returning to the same campaign), so that everything the audit of campaign 1 finds is one of
these stories or one of the showcase leads' (the device farm, the hostile values):

- a click farm: six people posting from one IP and one device, seconds apart (ip_velocity,
  shared_device, one identity cluster);
- recycled contacts: three people each sold by three publishers within days, their phone
  written differently each time (duplicate_email, duplicate_phone, three clusters);
- a disposable-domain burst: five addresses at mailinator.com within 40 minutes
  (disposable_email);
- phones that do not match the country: four leads stating the United Kingdom with Nigerian
  phones, posted from Nigerian IPs (geo_mismatch, strong);
- a night script: a sub-ID posting every 12 seconds at 2 am (machine_cadence, off_hours);
- a publisher whose numbers are often unreachable: its HLR check fails half the time, so its
  Caution share stands out against the campaign's (the scorecard, not a finding).

Every story lead is a `lead_parts.Overrides`, made in the order of `STORY_OVERRIDES`; their ids
follow the showcase leads' (`STORY_FIRST_LEAD_ID`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Final

from lib.sandbox.demo import FIRST_LEAD_ID, US_AREA_CODES
from lib.sandbox.draws import telephone_for
from lib.sandbox.lead_parts import Overrides, Person

STORY_CAMPAIGN_INDEX: Final = 0
"""Campaign 1 ("Q3 Cloud Security Whitepaper") holds every story."""
STORY_CAMPAIGN_ID: Final = STORY_CAMPAIGN_INDEX + 1
SHOWCASE_LEADS: Final = 16
"""The documented showcase leads come first (100001-100016); the stories follow."""
STORY_FIRST_LEAD_ID: Final = FIRST_LEAD_ID + SHOWCASE_LEADS
STORY_PHONE_SERIAL: Final = 50_000_000
"""Story people's numbers come from a block the generated people never reach."""
UNREACHABLE_CONTRACT_INDEX: Final = 2
"""The campaign's third signed contract: the publisher whose numbers are often unreachable."""
UNREACHABLE_HLR_FAIL_RATE: Final = 0.5
"""Its leads' HLR check fails this often (others: JOB_BEHAVIOURS' 8%)."""


def _epoch(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class _Crowd:
    """People made for a story: names at one company domain, numbers from the story block."""

    locale: str
    domain: str
    company: str


def _people(crowd: _Crowd, names: tuple[str, ...], serial: int) -> tuple[Person, ...]:
    people = []
    for offset, name in enumerate(names):
        first, last = name.split()
        people.append(
            Person(
                crowd.locale, first, last, f"{first.lower()}.{last.lower()}@{crowd.domain}",
                crowd.company,
                telephone_for(crowd.locale, STORY_PHONE_SERIAL + serial + offset, US_AREA_CODES),
            )
        )  # fmt: skip
    return tuple(people)


# --- a click farm: one IP, one device, six people, seconds apart --------------------------------
CLICK_FARM_IP: Final = "57.36.140.9"
"""A public IP in the United Kingdom (the people say they are British)."""
CLICK_FARM_FINGERPRINT: Final = "9e4b1f0a6c2d48e7b3a5f1c0d2e9b7a1"
CLICK_FARM_SUB_ID: Final = "sub-9002"
CLICK_FARM_STARTED: Final = _epoch(2026, 11, 17, 14, 20, 5)
CLICK_FARM_SECONDS: Final = (0, 22, 41, 67, 90, 118)
CLICK_FARM_PEOPLE: Final = _people(
    _Crowd("en_GB", "ashgrove-it.co.uk", "Ashgrove IT Services Ltd"),
    ("Callum Reid", "Megan Shaw", "Rhys Morgan", "Chloe Hart", "Owen Price", "Jade Walsh"),
    serial=0,
)

# --- recycled contacts: each sold by three publishers within days -------------------------------
RECYCLED_CONTACTS: Final = (
    Person("en_GB", "Hannah", "Price", "hannah.price@fernbrook-consulting.co.uk",
           "Fernbrook Consulting", "+44 7450 118245"),
    Person("en_US", "Daniel", "Ortega", "daniel.ortega@ridgeline-mfg.com",
           "Ridgeline Manufacturing", "+1 312-284-7716"),
    Person("de_DE", "Lena", "Hoffmann", "lena.hoffmann@kranich-logistik.de",
           "Kranich Logistik GmbH", "+49 160 55120934"),
)  # fmt: skip
RECYCLED_PHONE_WRITINGS: Final = (
    ("+44 7450 118245", "07450 118245", "0044 (0) 7450-118-245"),
    ("+1 312-284-7716", "(312) 284-7716", "312.284.7716"),
    ("+49 160 55120934", "0160 55120934", "0160/551 209 34"),
)
"""How each publisher wrote the contact's number (one number in E.164 each time)."""
RECYCLED_MOMENTS: Final = (
    (_epoch(2026, 11, 3, 10, 12), _epoch(2026, 11, 5, 15, 40), _epoch(2026, 11, 8, 9, 5)),
    (_epoch(2026, 11, 4, 13, 30), _epoch(2026, 11, 6, 11, 2), _epoch(2026, 11, 10, 16, 45)),
    (_epoch(2026, 11, 4, 8, 50), _epoch(2026, 11, 7, 14, 15), _epoch(2026, 11, 11, 10, 20)),
)
"""When each contact came, through contracts 0, 1 and 2 in turn."""

# --- a disposable-domain burst --------------------------------------------------------------------
DISPOSABLE_DOMAIN: Final = "mailinator.com"
DISPOSABLE_SUB_ID: Final = "sub-9003"
DISPOSABLE_STARTED: Final = _epoch(2026, 11, 12, 15, 5)
DISPOSABLE_MINUTES: Final = (0, 7, 15, 26, 38)
DISPOSABLE_PEOPLE: Final = _people(
    _Crowd("en_US", DISPOSABLE_DOMAIN, "Independent"),
    ("Kyle Benson", "Tara Quinn", "Mason Reed", "Brooke Ellis", "Wyatt Cole"),
    serial=100,
)

# --- phones that do not match the country ---------------------------------------------------------
MISMATCH_PHONES: Final = ("+234 803 412 7781", "+234 806 219 4410", "+234 813 775 0293",
                          "+234 805 630 1187")  # fmt: skip
MISMATCH_IPS: Final = ("105.113.18.77", "41.58.102.9", "105.113.201.44", "41.58.7.230")
"""Public IPs in Nigeria."""
MISMATCH_MOMENTS: Final = (
    _epoch(2026, 11, 6, 11, 31), _epoch(2026, 11, 8, 13, 4), _epoch(2026, 11, 11, 9, 47),
    _epoch(2026, 11, 14, 15, 18),
)  # fmt: skip
MISMATCH_PEOPLE: Final = tuple(
    Person("en_GB", first, last, f"{first.lower()}.{last.lower()}@{domain}", company, phone)
    for (first, last, domain, company), phone in zip(
        (
            ("George", "Allen", "brightwell-energy.co.uk", "Brightwell Energy"),
            ("Emily", "Clarke", "tamesis-legal.co.uk", "Tamesis Legal LLP"),
            ("Harry", "Wood", "northgate-retail.co.uk", "Northgate Retail Group"),
            ("Sophie", "Turner", "kestrel-health.co.uk", "Kestrel Health"),
        ),
        MISMATCH_PHONES,
        strict=True,
    )
)

# --- a night script: a sub-ID posting every 12 seconds at 2 am ------------------------------------
NIGHT_SUB_ID: Final = "sub-9001"
NIGHT_STARTED: Final = _epoch(2026, 11, 15, 2, 10)
"""02:10 in London (GMT in November): the people say they are British."""
NIGHT_GAPS: Final = (12, 11, 13, 12, 12, 13, 11, 12, 12, 12, 13, 12, 11, 12)
NIGHT_PEOPLE: Final = _people(
    _Crowd("en_GB", "outlook.com", "Freelance"),
    (
        "Liam Baker", "Ava Hughes", "Noah Green", "Isla Hall", "Jack Lewis", "Mia Young",
        "Leo King", "Ella Wright", "Finn Scott", "Ruby Adams", "Alfie Mitchell", "Grace Lee",
        "Oscar Ward", "Lily Cooper", "Theo Bell",
    ),
    serial=200,
)  # fmt: skip


_story: Final = partial(Overrides, campaign_index=STORY_CAMPAIGN_INDEX, telephone=True)


def _night_moments() -> tuple[int, ...]:
    moments = [NIGHT_STARTED]
    for gap in NIGHT_GAPS:
        moments.append(moments[-1] + gap)
    return tuple(moments)


STORY_OVERRIDES: Final[tuple[Overrides, ...]] = (
    *(
        _story(person=person, created=CLICK_FARM_STARTED + seconds, ip=CLICK_FARM_IP,
               fingerprint=CLICK_FARM_FINGERPRINT, contract_index=1, sub_id=CLICK_FARM_SUB_ID)
        for person, seconds in zip(CLICK_FARM_PEOPLE, CLICK_FARM_SECONDS, strict=True)
    ),
    *(
        _story(person=Person(contact.locale, contact.first_name, contact.last_name,
                             contact.email, contact.company, writing),
               created=moment, contract_index=publisher)
        for contact, writings, moments in zip(
            RECYCLED_CONTACTS, RECYCLED_PHONE_WRITINGS, RECYCLED_MOMENTS, strict=True
        )
        for publisher, (writing, moment) in enumerate(zip(writings, moments, strict=True))
    ),
    *(
        _story(person=person, created=DISPOSABLE_STARTED + minutes * 60, contract_index=2,
               sub_id=DISPOSABLE_SUB_ID)
        for person, minutes in zip(DISPOSABLE_PEOPLE, DISPOSABLE_MINUTES, strict=True)
    ),
    *(
        _story(person=person, created=moment, ip=ip, contract_index=0)
        for person, moment, ip in zip(MISMATCH_PEOPLE, MISMATCH_MOMENTS, MISMATCH_IPS,
                                      strict=True)
    ),
    *(
        _story(person=person, created=moment, contract_index=0, sub_id=NIGHT_SUB_ID)
        for person, moment in zip(NIGHT_PEOPLE, _night_moments(), strict=True)
    ),
)  # fmt: skip


def _ids(start: int, count: int) -> tuple[int, ...]:
    return tuple(range(STORY_FIRST_LEAD_ID + start, STORY_FIRST_LEAD_ID + start + count))


CLICK_FARM_LEAD_IDS: Final = _ids(0, 6)
RECYCLED_CONTACT_LEAD_IDS: Final = tuple(_ids(6 + 3 * index, 3) for index in range(3))
"""Per contact, its three leads (oldest first)."""
DISPOSABLE_LEAD_IDS: Final = _ids(15, 5)
MISMATCH_LEAD_IDS: Final = _ids(20, 4)
NIGHT_LEAD_IDS: Final = _ids(24, 15)
STORY_LEADS: Final = 39
