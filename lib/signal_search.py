"""Finding the other leads that share a lead's signals: one `leads` request per signal the
enterprise can filter on, all at once on the client's pool.

The filters (`ip`, `fingerprint`, `telephone`, `emailHash`; `docs/api.md` marks them assumed)
are used only when the `leads` collection advertises them: an unknown filter is ignored by
API Platform, and the answer would be any leads at all. A signal that cannot be searched, or
whose search failed, is reported (`SignalSearch.not_searched`, `failed`) and only compared
among the leads found otherwise (`views.signals.signal_clusters(not_searched=...)`). The
dossier's leads with the same email always take part.

No Streamlit: `lib/ui/cached_api.lead_signals` caches the answer with the dossier.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

from lib.convertr import ConvertrClient
from lib.convertr.endpoints import Filter
from lib.convertr.errors import ConvertrError
from lib.convertr.models import Lead, Page
from lib.views.leads import LEADS_PATH
from lib.views.signals import SIGNALS, Signal, signal_value

SIGNAL_FILTERS: Final[Mapping[Signal, str]] = {
    "fingerprint": Filter.FINGERPRINT,
    "ip": Filter.IP,
    "email_hash": Filter.EMAIL_HASH,
    "telephone": Filter.TELEPHONE,
}
"""Each signal's `leads` filter (assumed: see docs/api.md)."""
SIGNAL_PAGE_SIZE: Final = 100
"""Leads read per signal: a cluster bigger than this is shown by its first page."""


@dataclass(frozen=True)
class SignalSearch:
    """The leads found by the lead's signals, and what could not be searched."""

    leads: tuple[Lead, ...]
    not_searched: tuple[Signal, ...]
    """Signals the enterprise does not filter on (or whose search failed)."""
    unsupported: tuple[Signal, ...]
    """Signals with a value whose filter the `leads` collection does not advertise."""
    failed: tuple[tuple[Signal, str], ...]
    """Signals whose search failed, with the error's one-line message."""
    truncated: tuple[Signal, ...] = ()
    """Signals with more matching leads than one page holds."""


def _raw_value(lead: Lead, signal: Signal) -> str | None:
    raw = {
        "fingerprint": lead.fingerprint,
        "ip": lead.ip,
        "email_hash": lead.email_hash,
        "telephone": lead.telephone,
    }[signal]
    return raw.strip() if raw else None


def supports(filters: frozenset[str] | None, name: str) -> bool:
    return filters is not None and (name in filters or f"{name}[]" in filters)


def search_signals(client: ConvertrClient, lead: Lead, same_email: Sequence[Lead]) -> SignalSearch:
    """The leads sharing any of `lead`'s signals (`same_email`, the dossier's associated leads,
    included), one concurrent request per searchable signal."""
    try:
        filters = client.supported_filters(LEADS_PATH)
    except ConvertrError as error:
        failed = [(signal, error.user_message) for signal in SIGNALS]
        return SignalSearch(tuple(same_email), SIGNALS, (), tuple(failed))
    unsupported: list[Signal] = []
    pending: dict[Signal, Future[Page[Lead]]] = {}
    searchable = [signal for signal in SIGNALS if signal_value(lead, signal) is not None]
    for signal in searchable:
        name, value = SIGNAL_FILTERS[signal], _raw_value(lead, signal)
        if not supports(filters, name) or value is None:
            unsupported.append(signal)
            continue
        # Each request runs in this context, so the request log knows who asked.
        context = contextvars.copy_context()
        pending[signal] = client.executor.submit(
            context.run, client.page, Lead, LEADS_PATH, [(name, value)],
            items_per_page=SIGNAL_PAGE_SIZE,
        )  # fmt: skip
    found: list[Lead] = list(same_email)
    failed = []
    truncated = []
    for signal, future in pending.items():
        try:
            page = future.result()
        except ConvertrError as error:
            failed.append((signal, error.user_message))
            continue
        found.extend(page.items)
        if page.next_link is not None or (page.total or 0) > len(page.items):
            truncated.append(signal)
    not_searched = tuple(
        signal
        for signal in SIGNALS
        if signal in unsupported or signal in {name for name, _ in failed}
    )
    return SignalSearch(
        tuple(found), not_searched, tuple(unsupported), tuple(failed), tuple(truncated)
    )
