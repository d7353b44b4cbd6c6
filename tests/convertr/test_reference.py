"""Reference data shared per (source, role): a campaign's own parts are read once for
everyone of that role, never errors, and they expire."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.convertr import ConvertrClient, load_dossier
from lib.convertr.errors import TransportError
from lib.convertr.reference import ReferenceData

SHOWCASE = 100001
REFERENCE_PATHS = ("/campaigns/", "campaign-processr-jobs", "lead-editable-fields")
"""The campaign, its jobs and editable fields; its contracts are `campaign-publishers` by the
single-value filter (the associated campaigns' ask with `campaign.id[]`)."""
SECOND_ANALYST = "second.analyst@sandbox.test"


def test_kept_answers_expire_and_errors_are_never_kept() -> None:
    now = [0.0]
    reference = ReferenceData(ttl=10, clock=lambda: now[0])
    calls: list[int] = []

    def fetch() -> str:
        calls.append(1)
        return "campaign"

    assert reference.get("campaign", 1, fetch) == "campaign"
    assert reference.get("campaign", 1, fetch) == "campaign"
    assert len(calls) == 1
    now[0] = 11
    reference.get("campaign", 1, fetch)
    assert len(calls) == 2, "expired after its TTL"

    def failing() -> str:
        raise TransportError("the server is unreachable")

    for _ in range(2):
        with pytest.raises(TransportError):
            reference.get("campaign", 2, failing)
    assert reference.lookup("campaign", 2) == (False, None)
    reference.clear()
    assert reference.lookup("campaign", 1) == (False, None)


def _second_analyst(db: Path) -> ConvertrClient:
    from lib.sandbox import DEMO_PASSWORD
    from lib.sandbox.auth import hash_password

    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO users (email, role, name, password_hash, mfa_required, password_expired)"
            " VALUES (?, 'analyst', 'Sam Second', ?, 0, 0)",
            (SECOND_ANALYST, hash_password(DEMO_PASSWORD, secrets.token_hex(8))),
        )
    return connect(sandbox_config(SECOND_ANALYST), transport_factory=sandbox_at(db))


def _reference_requests(client: ConvertrClient) -> list[str]:
    return [
        f"{record.path}?{record.query}"
        for record in client.request_log.records()
        if any(part in record.path for part in REFERENCE_PATHS)
        or (record.path.endswith("campaign-publishers") and "%5B%5D" not in record.query)
    ]


def test_a_second_visitor_of_the_same_role_reads_no_reference_data_again(
    writable_db: Path,
) -> None:
    first = connect(sandbox_config(), transport_factory=sandbox_at(writable_db))
    campaign_id = first.lead(SHOWCASE).campaign_id
    other_lead = next(
        lead.id for lead in first.leads_page(campaign_id, items_per_page=5).items
        if lead.id != SHOWCASE
    )  # fmt: skip
    reference = ReferenceData()
    load_dossier(first, SHOWCASE, reference=reference)
    assert len(_reference_requests(first)) == len(REFERENCE_PATHS) + 1, "the first reads them"

    second = _second_analyst(writable_db)
    shared = load_dossier(second, other_lead, reference=reference)
    assert second.current_user().id != first.current_user().id
    assert _reference_requests(second) == [], "the second visitor of the role reads none"
    plain = load_dossier(second, other_lead)
    for part in ("campaign", "jobs", "editable_fields", "publishers"):
        assert getattr(shared, part) == getattr(plain, part), part
    assert not shared.errors
