"""Bulk edit's API work: load many leads for a review, and send one change per lead with
bounded concurrency.

Loading asks by id in chunks (the API takes at most `IDS_PER_REQUEST` values of one filter):
the leads, the chosen field's lead-datas of those leads, and each campaign's editable fields,
all at once on a few threads. Saving sends each lead's change once, with the value the review
read as ``previousValue`` (`lib.convertr.edits.send_change`), so a lead someone changed
meanwhile comes back as a conflict and is never overwritten. Each lead's outcome is a
`SaveResult`; a refused, failed or even crashed send never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Final, TypeVar

from lib.convertr.client import ConvertrClient
from lib.convertr.edits import ChangeToSave, SaveResult, send_change
from lib.convertr.endpoints import LEAD_DATAS, LEADS, Filter
from lib.convertr.models import Lead, LeadData, LeadEditableField

BULK_CONCURRENCY: Final = 8
"""Changes in flight at once: enough to hide latency, few enough not to flood the API."""
LOAD_CONCURRENCY: Final = 6
"""Requests in flight while loading leads for a review."""
IDS_PER_REQUEST: Final = 50
"""Ids per filter in one request (the API refuses more values of one parameter)."""
CRASH_MESSAGE: Final = "Not saved: an unexpected error ({kind}); the other leads went on."

Change = TypeVar("Change", bound=ChangeToSave)


@dataclass(frozen=True)
class BulkLoad:
    """What a review needs of the chosen leads."""

    leads: tuple[Lead, ...]
    """The leads found, in the order chosen."""
    values: dict[int, str | None]
    """Lead id -> its lead-data value of the field (absent: no lead-data value)."""
    fields: dict[int, tuple[LeadEditableField, ...]]
    """Campaign id -> its editable-field definitions."""
    missing: tuple[int, ...]
    """Chosen ids the API did not return."""


def _chunks(ids: Sequence[int], size: int = IDS_PER_REQUEST) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _leads(client: ConvertrClient, ids: list[int]) -> list[Lead]:
    return client.fetch_all(Lead, LEADS.path, [(Filter.ID_IN, value) for value in ids])


def _values(client: ConvertrClient, ids: list[int], name: str) -> list[LeadData]:
    params: list[tuple[str, str | int]] = [(Filter.LEAD_IN, value) for value in ids]
    params.append((Filter.NAME, name))
    return client.fetch_all(LeadData, LEAD_DATAS.path, params)


def load_leads(client: ConvertrClient, lead_ids: Sequence[int]) -> list[Lead]:
    """The leads with these ids that the API returns, in the order given."""
    unique = list(dict.fromkeys(int(value) for value in lead_ids))
    with ThreadPoolExecutor(LOAD_CONCURRENCY) as pool:
        chunks = list(pool.map(lambda chunk: _leads(client, chunk), _chunks(unique)))
    found = {lead.id: lead for chunk in chunks for lead in chunk}
    return [found[value] for value in unique if value in found]


def campaign_fields(
    client: ConvertrClient, campaign_ids: Sequence[int]
) -> dict[int, tuple[LeadEditableField, ...]]:
    """Each campaign's editable-field definitions."""
    unique = sorted(set(campaign_ids))
    with ThreadPoolExecutor(LOAD_CONCURRENCY) as pool:
        loaded = pool.map(client.editable_fields, unique)
        return {campaign: tuple(fields) for campaign, fields in zip(unique, loaded, strict=True)}


def load_for_review(client: ConvertrClient, lead_ids: Sequence[int], name: str) -> BulkLoad:
    """The chosen leads, their value of `name` and their campaigns' fields. Raises
    ConvertrError when a request fails (then nothing is reviewed, nothing sent)."""
    unique = list(dict.fromkeys(int(value) for value in lead_ids))
    with ThreadPoolExecutor(LOAD_CONCURRENCY) as pool:
        lead_chunks = [pool.submit(_leads, client, chunk) for chunk in _chunks(unique)]
        value_chunks = [pool.submit(_values, client, chunk, name) for chunk in _chunks(unique)]
        found = {lead.id: lead for future in lead_chunks for lead in future.result()}
        values: dict[int, str | None] = {}
        for future in value_chunks:
            for item in future.result():
                if item.name == name:
                    values[item.lead_id] = item.value
    leads = tuple(found[value] for value in unique if value in found)
    fields = campaign_fields(client, [lead.campaign_id for lead in leads])
    missing = tuple(value for value in unique if value not in found)
    return BulkLoad(leads, values, fields, missing)


def _send(client: ConvertrClient, lead_id: int, change: ChangeToSave) -> SaveResult:
    try:
        return send_change(client, lead_id, change)
    except Exception as error:  # a bug in one lead's send must not stop the others
        return SaveResult(
            change.name,
            "failed",
            CRASH_MESSAGE.format(kind=type(error).__name__),
            mine=change.new,
        )


def save_bulk(
    client: ConvertrClient,
    changes: Sequence[tuple[int, Change]],
    *,
    concurrency: int = BULK_CONCURRENCY,
    on_result: Callable[[int, Change, SaveResult], None] | None = None,
) -> dict[int, SaveResult]:
    """Send each (lead id, change) once, at most `concurrency` at a time; returns each lead's
    result. `on_result` is called on the calling thread as each one arrives (a progress bar)."""
    if concurrency < 1:
        raise ValueError(f"expected a concurrency of at least 1, got {concurrency}")
    results: dict[int, SaveResult] = {}
    if not changes:
        return results
    with ThreadPoolExecutor(min(concurrency, len(changes))) as pool:
        futures = {
            pool.submit(_send, client, lead_id, change): (lead_id, change)
            for lead_id, change in changes
        }
        for future in as_completed(futures):
            lead_id, change = futures[future]
            result = future.result()
            results[lead_id] = result
            if on_result is not None:
                on_result(lead_id, change, result)
    return results
