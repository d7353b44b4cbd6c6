"""The request inspector's view model: the API requests behind a view, and the dossier's
waterfall.

Built from the client's `RequestRecord`s (`lib.convertr.requestlog`), which hold no header and
no body, only method, path, query (secret-looking values already redacted), status, timing,
size, wave and scope. Which records belong to a view, and which of them this run answered from
the cache, is decided in `lib/ui/inspector.py`; here they become a table and the waterfall's
frame (`lib.charts.requests` draws it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from lib.convertr.requestlog import FAILED_STATUS, RequestRecord, is_secret_name
from lib.presentation import chart_label

REQUEST_COLUMNS: Final = [
    "#",
    "Method",
    "Path",
    "Query",
    "Status",
    "Duration (ms)",
    "Size (bytes)",
    "From cache",
    "Wave",
]
SIGN_IN: Final = "sign-in / outside a dossier"
QUERY_LIMIT: Final = 60
"""Characters of a query a waterfall row's label shows (the table has it whole)."""


@dataclass(frozen=True)
class ViewRequest:
    """One request behind the view, and whether this run got its answer from the cache."""

    record: RequestRecord
    cached: bool


@dataclass(frozen=True)
class RequestSummary:
    """The inspector's heading figures."""

    total: int
    sent: int
    """Sent by this run (the rest came from the cache)."""
    elapsed_ms: float
    """From the first request's start to the last one's end."""
    waves: int

    @property
    def heading(self) -> str:
        if not self.total:
            return "API requests behind this view: none"
        cached = self.total - self.sent
        parts = [f"{self.total} API request{'' if self.total == 1 else 's'} behind this view"]
        if cached:
            parts.append(f"{cached} from the cache")
        return " · ".join(parts)


def has_no_secret(record: RequestRecord) -> bool:
    """Whether the record's query holds no unredacted secret-looking parameter (the log
    redacts them; the inspector checks again before it shows anything)."""
    for pair in record.query.split("&") if record.query else ():
        name, _, value = pair.partition("=")
        if is_secret_name(name) and value not in ("", "%5Bredacted%5D", "[redacted]"):
            return False
    return True


def summary(requests: Sequence[ViewRequest]) -> RequestSummary:
    records = [request.record for request in requests]
    if not records:
        return RequestSummary(0, 0, 0.0, 0)
    start = min(record.started for record in records)
    end = max(record.started + record.elapsed_ms / 1000 for record in records)
    waves = len({record.wave for record in records if record.wave is not None})
    sent = sum(1 for request in requests if not request.cached)
    return RequestSummary(len(records), sent, (end - start) * 1000, waves)


def status_text(status: int) -> str:
    return "no answer" if status == FAILED_STATUS else str(status)


def requests_frame(requests: Iterable[ViewRequest]) -> pd.DataFrame:
    """The requests in the order they were sent, as the inspector's table and CSV."""
    rows = [
        {
            "#": request.record.seq,
            "Method": request.record.method,
            "Path": request.record.path,
            "Query": request.record.query,
            "Status": status_text(request.record.status),
            "Duration (ms)": round(request.record.elapsed_ms, 1),
            "Size (bytes)": request.record.size,
            "From cache": "yes" if request.cached else "no",
            "Wave": "" if request.record.wave is None else str(request.record.wave),
        }
        for request in sorted(requests, key=lambda item: item.record.seq)
        if has_no_secret(request.record)
    ]
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)


def dossier_requests(records: Sequence[RequestRecord]) -> tuple[RequestRecord, ...]:
    """The records of the last dossier load among `records`: the run of waved requests that
    ends with the last waved one, with the sign-in just before it (if any)."""
    waved = [index for index, record in enumerate(records) if record.wave is not None]
    if not waved:
        return ()
    last = waved[-1]
    first = last
    # Walk back over the load's requests: waved ones, and the sign-in right before wave 1.
    while first > 0 and records[first - 1].wave is not None:
        first -= 1
    if first > 0 and records[first - 1].method == "POST":
        first -= 1
    return tuple(records[first : last + 1])


def wave_label(wave: int | None) -> str:
    return SIGN_IN if wave is None else f"wave {wave}"


def _row_label(record: RequestRecord) -> str:
    query = f"?{record.query}" if record.query else ""
    if len(query) > QUERY_LIMIT:
        query = query[: QUERY_LIMIT - 1] + "…"
    return chart_label(f"#{record.seq} {record.method} {record.path}{query}")


WATERFALL_COLUMNS: Final = ["label", "base_ms", "elapsed_ms", "wave", "wave_name", "hover"]


def waterfall_frame(records: Sequence[RequestRecord]) -> pd.DataFrame:
    """One row per request in the order they started: its label, its start and length in ms
    since the first request started, its wave (0: sign-in, outside a dossier) and the text
    shown on hover (`lib.charts.requests.waterfall_figure` draws it)."""
    ordered = sorted(records, key=lambda record: (record.started, record.seq))
    start = ordered[0].started if ordered else 0.0
    rows = [
        {
            "label": _row_label(record),
            "base_ms": (record.started - start) * 1000,
            "elapsed_ms": record.elapsed_ms,
            "wave": record.wave or 0,
            "wave_name": wave_label(record.wave),
            "hover": chart_label(
                f"{record.method} {record.path} · {status_text(record.status)} · "
                f"{record.elapsed_ms:,.0f} ms · {record.size:,} bytes"
            ),
        }
        for record in ordered
    ]
    return pd.DataFrame(rows, columns=WATERFALL_COLUMNS)
