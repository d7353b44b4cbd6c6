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


def telephone_for(locale: str, serial: int, area_codes: Sequence[str]) -> str:
    """The `serial`-th person's number in `locale`: one number per serial, valid in its
    country (a GB or DE mobile, a US number in one of `area_codes`), written in one of the
    ways people write it (international, national, run together)."""
    style = serial % 3
    if locale == "en_US":
        area = area_codes[serial % len(area_codes)]
        rest = serial // len(area_codes)
        exchange, line = 200 + rest // 10_000 % 700, rest % 10_000
        return (
            f"+1 {area}-{exchange}-{line:04d}",
            f"({area}) {exchange}-{line:04d}",
            f"{area}.{exchange}.{line:04d}",
        )[style]
    if locale == "de_DE":
        prefix, line = 151 + serial // 10**8 % 9, serial % 10**8
        return (f"+49 {prefix} {line:08d}", f"0{prefix} {line:08d}", f"0{prefix}/{line:08d}")[style]
    block, line = 7400 + serial // 10**6 % 100, serial % 10**6
    return (f"+44 {block} {line:06d}", f"0{block} {line:06d}", f"0{block}{line:06d}")[style]
