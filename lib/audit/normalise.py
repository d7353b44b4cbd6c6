"""Values made comparable: emails, E.164 phones, country codes, IP countries, local time zones.

Each function is total: a value it cannot read gives None (never an exception), so one odd lead
never stops an audit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import iptocc
import phonenumbers
from disposable_email_domains import blocklist as _DISPOSABLE_DOMAINS
from phonenumbers import PhoneMetadata, PhoneNumberType, is_number_type_geographical
from phonenumbers import timezone as phone_timezone
from phonenumbers.phonenumberutil import _number_type_helper, national_significant_number
from phonenumbers.timezone import _country_level_time_zones_for_number

MASK: Final = "[masked]"
"""How the API writes a value a masked role may not see."""

COUNTRY_ALIASES: Final[dict[str, str]] = {
    "united kingdom": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "america": "US",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "ireland": "IE",
    "netherlands": "NL",
    "the netherlands": "NL",
    "holland": "NL",
    "spain": "ES",
    "italy": "IT",
    "canada": "CA",
    "australia": "AU",
    "india": "IN",
    "brazil": "BR",
    "nigeria": "NG",
    "south africa": "ZA",
    "singapore": "SG",
    "japan": "JP",
    "china": "CN",
    "russia": "RU",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "poland": "PL",
    "portugal": "PT",
    "mexico": "MX",
    "vietnam": "VN",
    "philippines": "PH",
    "pakistan": "PK",
    "bangladesh": "BD",
}
"""Country names as publishers send them -> ISO 3166-1 alpha-2 (two-letter codes pass as
they are). Names not listed give None: an unknown country is never a mismatch."""

COUNTRY_TIMEZONES: Final[dict[str, str]] = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "AT": "Europe/Vienna",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "IN": "Asia/Kolkata",
    "SG": "Asia/Singapore",
    "JP": "Asia/Tokyo",
    "ZA": "Africa/Johannesburg",
    "NG": "Africa/Lagos",
}
"""A country's time zone when the phone does not pin one (a country spanning zones takes its
most populous)."""


def is_masked(value: object) -> bool:
    return value == MASK


def normalised_email(email: str | None) -> str | None:
    """Lower-cased, trimmed; None for an empty, masked or address-less value."""
    if not email or is_masked(email):
        return None
    text = email.strip().lower()
    return text if "@" in text.strip("@") else None


def email_domain(email: str | None) -> str | None:
    text = normalised_email(email)
    return text.rsplit("@", 1)[1] if text else None


@lru_cache(maxsize=65536)
def is_disposable_domain(domain: str | None) -> bool:
    """Whether the domain (or a parent domain) is on the maintained disposable list."""
    if not domain:
        return False
    parts = domain.lower().split(".")
    return any(".".join(parts[index:]) in _DISPOSABLE_DOMAINS for index in range(len(parts) - 1))


@lru_cache(maxsize=4096)
def country_code(country: str | None) -> str | None:
    """ISO alpha-2 of a stated country ("uk", "United Kingdom", "GB" -> "GB"), else None."""
    if not country or is_masked(country):
        return None
    text = country.strip()
    if len(text) == 2 and text.isalpha():
        code = text.upper()
        return "GB" if code == "UK" else code
    return COUNTRY_ALIASES.get(text.lower())


@lru_cache(maxsize=65536)
def read_phone(telephone: str | None, region: str | None) -> tuple[str, str, str | None] | None:
    """The number in E.164, its country and its time zone when it has exactly one (a US area
    code, a UK number), read once with the lead's country as the default region; None when
    it is not a possible number (junk, masked, empty).

    What ``time_zones_for_number``, ``is_valid_number_for_region`` and
    ``region_code_for_number`` would answer (the tests hold it to them), with the number's own
    region and type worked out once instead of up to three times: they are most of the cost
    of a lead's row, and a fetch meets each number once."""
    if not telephone or is_masked(telephone):
        return None
    try:
        number = phonenumbers.parse(telephone, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # As `number_type` does (time_zones_for_number starts with it): the number's own region
    # (the first of its code's regions it is valid in), then its type in that region.
    own = phonenumbers.region_code_for_number(number)
    # None when the code has no region: passed on as number_type passes it.
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, own)  # type: ignore[arg-type]
    kind = (
        PhoneNumberType.UNKNOWN
        if metadata is None
        else _number_type_helper(national_significant_number(number), metadata)
    )
    # As time_zones_for_number goes on from that type.
    found: Sequence[str]
    if kind == PhoneNumberType.UNKNOWN:
        found = (phone_timezone.UNKNOWN_TIMEZONE,)
    elif not is_number_type_geographical(kind, number.country_code):  # type: ignore[arg-type]
        found = _country_level_time_zones_for_number(number)
    else:
        found = phone_timezone.time_zones_for_geographical_number(number)
    zones = [zone for zone in found if zone != phone_timezone.UNKNOWN_TIMEZONE]
    zone = zones[0] if len(zones) == 1 else None
    # A number valid in the stated region is from there (most leads). When the stated region
    # is its own, it is valid there exactly when its type is known (the same metadata, the
    # same test as is_valid_number_for_region); otherwise that region is asked.
    if region and (
        kind != PhoneNumberType.UNKNOWN
        if region == own
        else phonenumbers.is_valid_number_for_region(number, region)
    ):
        return formatted, region, zone
    return formatted, own or "", zone


def e164(telephone: str | None, region: str | None) -> tuple[str, str] | None:
    """The number in E.164 and its country (see `read_phone`)."""
    phone = read_phone(telephone, region)
    return (phone[0], phone[1]) if phone else None


@lru_cache(maxsize=65536)
def ip_kind(ip: str | None) -> str:
    """ "public", or why an IP is not placed: "missing", "masked", "invalid", "private" (private,
    loopback, link-local, documentation, reserved: anything not globally routable)."""
    if not ip:
        return "missing"
    if is_masked(ip):
        return "masked"
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "invalid"
    return "public" if address.is_global else "private"


def ip_countries(ips: list[str | None]) -> list[str | None]:
    """Each public IP's country from the offline table; None for anything else or unknown."""
    return public_ip_countries(
        [ip.strip() if ip and ip_kind(ip) == "public" else None for ip in ips]
    )


def public_ip_countries(public: list[str | None]) -> list[str | None]:
    """`ip_countries` of IPs already known to be public and trimmed (None: no IP)."""
    looked_up = iptocc.country_code([ip for ip in public if ip])
    answers = iter(looked_up)
    return [next(answers) if ip else None for ip in public]


def local_zone(country: str | None, phone_zone: str | None) -> str | None:
    """The lead's time zone: the phone's own zone (`read_phone`) when it has one, else the
    country's."""
    return phone_zone or COUNTRY_TIMEZONES.get(country or "")
