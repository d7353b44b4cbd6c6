"""Fast deterministic draws for the seeder, and the stamps and slugs its rows are written with."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")
SECONDS_PER_DAY = 86_400

_DAY_PREFIX: dict[int, str] = {}


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """rng.choice without its rejection sampling: plenty uniform for demo data, and faster."""
    return options[int(rng.random() * len(options))]


def between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint(low, high), faster (see pick)."""
    return low + int(rng.random() * (high - low + 1))


def first_below(draw: float, bounds: Sequence[tuple[str, float]], otherwise: str) -> str:
    """The first outcome whose cumulative bound `draw` is below, else `otherwise`."""
    return next((outcome for outcome, bound in bounds if draw < bound), otherwise)


def iso_ts(epoch: int) -> str:
    """Format whole epoch seconds as ISO 8601 UTC with offset, fast (the day part is cached)."""
    day, second = divmod(epoch, SECONDS_PER_DAY)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * SECONDS_PER_DAY, UTC).strftime("%Y-%m-%d")
        _DAY_PREFIX[day] = prefix
    hours, rest = divmod(second, 3600)
    return f"{prefix}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00"


@lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters, digits, '-' and '.' of `text` (accents dropped), or "x"."""
    normalised = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in normalised if c.isascii() and (c.isalnum() or c in "-."))
    return kept.lower() or "x"
