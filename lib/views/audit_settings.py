"""Saved audit settings, pure: the thresholds an auditor set and the signals they chose, kept
as a saved view (`lib.store`'s saved settings, kind `AUDIT_VIEW_KIND`, not tied to a campaign:
the same thresholds serve every audit).

What is stored is read back with suspicion: a threshold the page no longer has, a number out
of its slider's range or a signal that no longer exists is dropped or brought into range, so
an old or hand-edited view never breaks the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

AUDIT_VIEW_KIND: Final = "audit.settings"
STRENGTHS: Final = ("any", "strong", "weak")
"""The findings table's strength filter."""


@dataclass(frozen=True)
class AuditView:
    """What a saved audit view keeps: thresholds by setting name, the signals shown (empty:
    every one) and the strength shown."""

    thresholds: Mapping[str, int] = field(default_factory=dict)
    signals: tuple[str, ...] = ()
    strength: str = "any"

    def to_json(self) -> dict[str, Any]:
        return {
            "thresholds": dict(self.thresholds),
            "signals": list(self.signals),
            "strength": self.strength,
        }

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any],
        ranges: Mapping[str, tuple[int, int]],
        signals: Sequence[str],
    ) -> AuditView:
        """The view as stored, kept to what the page offers: thresholds among `ranges`
        (name -> inclusive low, high) and brought into range, signals among `signals`."""
        raw = data.get("thresholds")
        thresholds: dict[str, int] = {}
        if isinstance(raw, Mapping):
            for name, value in raw.items():
                if name not in ranges or isinstance(value, bool):
                    continue
                if not isinstance(value, int | float):
                    continue
                low, high = ranges[name]
                thresholds[name] = min(high, max(low, int(value)))
        chosen = data.get("signals")
        kept = (
            tuple(dict.fromkeys(s for s in chosen if isinstance(s, str) and s in signals))
            if isinstance(chosen, list)
            else ()
        )
        strength = data.get("strength")
        return cls(
            thresholds=thresholds,
            signals=kept,
            strength=strength if strength in STRENGTHS else "any",
        )

    def summary(self, defaults: Mapping[str, int]) -> str:
        """One line: what differs from the published defaults, and what is shown."""
        changed = [
            f"{name.replace('_', ' ')} {value}"
            for name, value in self.thresholds.items()
            if defaults.get(name) != value
        ]
        parts = [("thresholds: " + ", ".join(changed)) if changed else "published thresholds"]
        parts.append(f"signals: {', '.join(self.signals)}" if self.signals else "every signal")
        if self.strength != "any":
            parts.append(f"{self.strength} findings only")
        return "; ".join(parts)
