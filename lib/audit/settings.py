"""The audit's thresholds: named settings with the published defaults (docs: shared/audit.md).

A frozen dataclass is the contract between the engine and whoever sets it (the page's sliders,
the CLI, a saved view later): `replace(settings, rapid_post_seconds=60)` makes a variant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

SIGNALS: Final = (
    "duplicate_email",
    "duplicate_phone",
    "shared_device",
    "ip_velocity",
    "disposable_email",
    "geo_mismatch",
    "junk_values",
    "machine_cadence",
    "off_hours",
)
"""Every signal's name, as the CLI's JSON and the findings table spell it."""


@dataclass(frozen=True)
class AuditSettings:
    """Thresholds of every signal, the clusters, the scorecard, the fetch and the snapshot."""

    duplicate_window_days: int = 30
    """Two leads with the same email or phone this close are duplicates (Convertr: a rolling
    30 days on billable leads; buyers' dispute windows are about 14 days)."""
    rapid_post_seconds: int = 30
    """The same IP twice within this many seconds is a "rapid post" (Convertr: 30 s)."""
    ip_hour_count: int = 3
    """The same IP this many times within `ip_hour_seconds` (Convertr "unique IP": 1 h)."""
    ip_hour_seconds: int = 3600
    shared_ip_people: int = 8
    """An IP seen for at least this many different people ..."""
    shared_ip_span_hours: int = 72
    """... over at least this many hours is an office or a VPN exit: its flags are weak and it
    never joins a cluster on its own."""
    device_window_hours: int = 12
    """One fingerprint behind different emails within this span (Jornaya reports 5 min, 1 h
    and 12 h; no cut-off is published)."""
    junk_repeat: int = 4
    """A character repeated this many times in a row is junk ("aaaa")."""
    junk_min_length: int = 2
    """A name shorter than this is junk."""
    junk_short_fields: int = 3
    """This many name/company/title fields under 4 characters is junk (Convertr QA: several)."""
    cadence_min_leads: int = 10
    """A publisher or sub-ID needs this many leads before its cadence is judged."""
    cadence_max_cv: float = 0.15
    """Gaps whose coefficient of variation is at most this are machine-regular (people arrive
    as a Poisson process, CV near 1)."""
    off_hours_start: int = 0
    off_hours_end: int = 5
    """Night in the lead's local time: from start (inclusive) to end (exclusive) hour."""
    off_hours_min_burst: int = 5
    """A publisher or sub-ID with at least this many night leads within one hour is a burst."""
    cluster_ip_minutes: int = 10
    """Two leads on the same (not shared) IP this close join the same identity cluster."""
    min_publisher_count: int = 30
    """A publisher or sub-ID is judged against the baseline only from this many leads."""
    sub_windows: int = 4
    """Date sub-windows fetched at once."""
    lookback_days: int = 7
    """A refresh re-reads this many days before the newest lead (status and delivery change
    after capture)."""
    snapshot_ttl_hours: float = 24.0
    """A snapshot older than this is removed."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditSettings:
        """Settings from a saved dict; unknown names are refused, missing ones take defaults."""
        names = {field.name: field for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"expected audit settings among {sorted(names)}, got {unknown}")
        values: dict[str, Any] = {}
        for name, raw in data.items():
            default = getattr(cls(), name)
            kind = type(default)
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ValueError(f"expected a number for {name}, got {raw!r}")
            values[name] = kind(raw)
            if values[name] < 0:
                raise ValueError(f"expected a number >= 0 for {name}, got {raw!r}")
        return cls(**values)


DEFAULT_SETTINGS: Final = AuditSettings()
