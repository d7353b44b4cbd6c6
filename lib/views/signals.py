"""Signals: the same person (or the same device) elsewhere, beyond the same email.

Given a lead and OTHER leads found by its IP, device fingerprint, email hash or telephone (from
any campaign; the page fetches them), each signal the lead shares with at least one other lead
is a cluster: the leads, their status and capture time, and one plain sentence ("3 leads from
the same device within 4 minutes on 2 campaigns").

A signal only clusters on a real value: no value, a blank one or the literal ``[masked]`` a
masked user sees never matches anything (two masked IPs are not the same IP). The lead itself
in the list is ignored, and a lead found twice counts once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final, Literal, get_args

import pandas as pd

from lib.convertr.models import Lead, ProcessrStatus
from lib.presentation import LEAD_STATUSES, MASKED_VALUE, delivery_label, format_timestamp

Signal = Literal["fingerprint", "ip", "email_hash", "telephone"]
SIGNALS: Final[tuple[Signal, ...]] = get_args(Signal)

MIN_TELEPHONE_DIGITS: Final = 6
"""Fewer digits than this is not a telephone number worth matching ("0", "123")."""

SIGNAL_LABELS: Final[Mapping[Signal, str]] = {
    "fingerprint": "Device",
    "ip": "IP address",
    "email_hash": "Email",
    "telephone": "Telephone",
}
SIGNAL_NOUNS: Final[Mapping[Signal, str]] = {
    "fingerprint": "device",
    "ip": "IP address",
    "email_hash": "email",
    "telephone": "telephone",
}
"""Each signal inside a sentence ("this lead's device, IP address or email")."""
SIGNAL_PHRASES: Final[Mapping[Signal, str]] = {
    "fingerprint": "from the same device",
    "ip": "from the same IP address",
    "email_hash": "with the same email address",
    "telephone": "with the same telephone number",
}
"""How the cluster's sentence says what the leads share."""

SIGNAL_COLUMNS: Final = [
    "Signal",
    "Lead ID",
    "Campaign",
    "Status",
    "Delivery",
    "Captured",
    "Campaign ID",
]


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    if not stripped or stripped.casefold() == MASKED_VALUE:
        return None
    return stripped


def _lowered(value: str | None) -> str | None:
    text = _text(value)
    return text.casefold() if text else None


def _telephone(value: str | None) -> str | None:
    """Digits only (``+44 20 7946 0321`` and ``+442079460321`` are one number)."""
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= MIN_TELEPHONE_DIGITS else None


SIGNAL_KEYS: Final[Mapping[Signal, Callable[[Lead], str | None]]] = {
    "fingerprint": lambda lead: _lowered(lead.fingerprint),
    "ip": lambda lead: _lowered(lead.ip),
    "email_hash": lambda lead: _lowered(lead.email_hash),
    "telephone": lambda lead: _telephone(lead.telephone),
}
"""Each signal's comparable value of a lead, or None when it has none to compare."""


def signal_value(lead: Lead, signal: Signal) -> str | None:
    """The lead's value for `signal`, normalised, or None (missing, blank or masked)."""
    return SIGNAL_KEYS[signal](lead)


@dataclass(frozen=True)
class ClusterMember:
    """One lead of a cluster, as the section lists it."""

    lead_id: int
    campaign_id: int
    status: ProcessrStatus
    delivered: bool
    captured: datetime
    is_this_lead: bool


@dataclass(frozen=True)
class Cluster:
    """The leads sharing one signal with the lead (the lead included), oldest first."""

    signal: Signal
    members: tuple[ClusterMember, ...]
    sentence: str

    @property
    def others(self) -> tuple[ClusterMember, ...]:
        return tuple(member for member in self.members if not member.is_this_lead)

    @property
    def statuses(self) -> dict[ProcessrStatus, int]:
        """How many of the OTHER leads have each status, in the usual status order."""
        counts = Counter(member.status for member in self.others)
        return {status: counts[status] for status in LEAD_STATUSES if counts[status]}


@dataclass(frozen=True)
class Signals:
    """The lead's clusters, and which signals had nothing to compare or were not searched."""

    clusters: tuple[Cluster, ...]
    without_value: tuple[Signal, ...]
    """Signals the lead has no value for (or only a masked one): nothing can match."""
    not_searched: tuple[Signal, ...] = ()
    """Signals the caller could not search for (the enterprise lacks the filter): they were
    compared only among the leads found by the other signals."""

    @property
    def summary(self) -> str:
        """One sentence for the section when there is no cluster (or above them)."""
        if self.clusters:
            count = len(self.clusters)
            shares = f"This lead shares {count} signal{'' if count == 1 else 's'} with other leads."
            return shares + self.partial_search
        searched = [
            SIGNAL_NOUNS[signal]
            for signal in SIGNALS
            if signal not in self.without_value and signal not in self.not_searched
        ]
        if not searched:
            return "No signal could be compared: the lead has no value for any that was searched."
        return f"No other lead shares this lead's {_join(searched)}." + self.partial_search

    @property
    def partial_search(self) -> str:
        """What was not searched for, as a sentence (empty when everything was)."""
        if not self.not_searched:
            return ""
        names = _join([SIGNAL_NOUNS[signal] for signal in self.not_searched], "and")
        return (
            f" The {names} {'was' if len(self.not_searched) == 1 else 'were'} not searched "
            "for, only compared among the leads found otherwise."
        )


def _join(words: Sequence[str], last: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {last} " + words[-1]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def span_text(span: timedelta) -> str:
    """A cluster's time span as the sentence says it: ``within 4 minutes``."""
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "in the same second"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            return f"within {_plural(-(-seconds // size), unit)}"
    return f"within {_plural(seconds, 'second')}"


def cluster_sentence(signal: Signal, members: Sequence[ClusterMember]) -> str:
    """``3 leads from the same device within 4 minutes on 2 campaigns``."""
    times = [member.captured for member in members]
    campaigns = len({member.campaign_id for member in members})
    return (
        f"{_plural(len(members), 'lead')} {SIGNAL_PHRASES[signal]} "
        f"{span_text(max(times) - min(times))} on {_plural(campaigns, 'campaign')}"
    )


def _member(lead: Lead, *, is_this_lead: bool) -> ClusterMember:
    return ClusterMember(
        lead_id=lead.id,
        campaign_id=lead.campaign_id,
        status=lead.processr_status,
        delivered=bool(lead.delivered),
        captured=lead.created_ts,
        is_this_lead=is_this_lead,
    )


def signal_clusters(
    lead: Lead, others: Iterable[Lead], *, not_searched: Iterable[Signal] = ()
) -> Signals:
    """The lead's clusters: for each signal it has a real value for, the other leads with
    the same value (the lead itself and duplicates ignored), in the order of `SIGNALS`."""
    distinct: dict[int, Lead] = {}
    for other in others:
        if other.id != lead.id:
            distinct.setdefault(other.id, other)
    skipped = tuple(signal for signal in SIGNALS if signal in set(not_searched))
    clusters = []
    without_value = []
    for signal in SIGNALS:
        value = signal_value(lead, signal)
        if value is None:
            without_value.append(signal)
            continue
        matches = [other for other in distinct.values() if signal_value(other, signal) == value]
        if not matches:
            continue
        members = sorted(
            [_member(lead, is_this_lead=True)]
            + [_member(other, is_this_lead=False) for other in matches],
            key=lambda member: (member.captured, member.lead_id),
        )
        clusters.append(Cluster(signal, tuple(members), cluster_sentence(signal, members)))
    return Signals(tuple(clusters), tuple(without_value), skipped)


def signals_frame(
    signals: Signals, zone: tzinfo, campaign_names: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Every cluster's other leads as one table (for display and CSV), each with its
    campaign's name where known (else "Campaign #id")."""
    names = campaign_names or {}
    rows = [
        {
            "Signal": SIGNAL_LABELS[cluster.signal],
            "Lead ID": member.lead_id,
            "Campaign": names.get(member.campaign_id, f"Campaign #{member.campaign_id}"),
            "Campaign ID": member.campaign_id,
            "Status": member.status,
            "Delivery": delivery_label(member.delivered),
            "Captured": format_timestamp(member.captured, zone),
        }
        for cluster in signals.clusters
        for member in cluster.others
    ]
    return pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
