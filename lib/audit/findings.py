"""What the signals return: findings (leads, a plain sentence, a strength) and signal outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Strength = Literal["strong", "weak"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong: the leads it is about (oldest first), why, and how sure we are."""

    signal: str
    lead_ids: tuple[int, ...]
    reason: str
    strength: Strength
    new: bool = False
    """Not in the previous run of the same audit (set by `run.run_audit`)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "signal": self.signal,
            "lead_ids": list(self.lead_ids),
            "reason": self.reason,
            "strength": self.strength,
        }


@dataclass(frozen=True)
class SignalOutcome:
    """A signal's findings, or why it could not run (`skipped`), and what it could not check."""

    signal: str
    findings: tuple[Finding, ...] = ()
    skipped: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def duration(seconds: float) -> str:
    """A span in words a reader takes in at once: "8 s", "11 min", "3 h 20 min", "4 days"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{round(whole / 60)} min"
    if whole < 2 * 86400:
        hours, rest = divmod(whole, 3600)
        minutes = round(rest / 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{round(whole / 86400)} days"


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"
