"""A masked user sees no personal value of a lead in anything the app builds from their
dossier: the evidence pack (every file), the timeline, the Profile's tables and their
provenance. The personal values are read as an admin sees them, so the test knows what to
look for without trusting the masking it checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.convertr import ConvertrClient, load_dossier
from lib.convertr.dossier import LeadDossier
from lib.evidence import PackAuthor, evidence_files
from lib.views.lead import profile_tables
from lib.views.timeline import build_timeline, timeline_frame

WHEN = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SHOWCASE_LEADS = (100001, 100002, 100014)
"""Olivia (office IP, full enrichment), the device farm, the recycled email."""
PERSONAL_DATA = frozenset(
    {"email", "telephone", "ip", "postcode", "emailDomain", "notes", "comments", "referrer"}
    | {"fullcontact.linkedin", "fullcontact.twitter", "fullcontact.photo"}
)
"""Lead-data names whose values are the person's (or derived from their email, or typed by
them). Names and the company stay visible to a masked role (docs/api.md)."""
SHORTEST = 5
"""Shorter values ("UK", "n/a") could appear in a pack for other reasons."""


@pytest.fixture
def client_for(sandbox_db: Path) -> Iterator[Callable[[str], ConvertrClient]]:
    clients: list[ConvertrClient] = []

    def build(username: str) -> ConvertrClient:
        client = connect(sandbox_config(username), transport_factory=sandbox_at(sandbox_db))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def personal_values(dossier: LeadDossier) -> set[str]:
    """What a masked user must not learn about this lead, as an admin reads it."""
    lead = dossier.lead
    values = {
        lead.email,
        lead.telephone,
        lead.ip,
        lead.postcode,
        lead.address_line1,
        lead.address_line2,
    }
    if lead.email and "@" in lead.email:
        local, domain = lead.email.split("@", 1)
        values |= {local, domain}
    if lead.telephone:
        values.add("".join(character for character in lead.telephone if character.isdigit()))
    for item in dossier.lead_data or ():
        if item.name in PERSONAL_DATA and isinstance(item.value, str):
            values.add(item.value)
    return {value for value in values if value and len(value) >= SHORTEST}


def leaks(text: str, secrets: set[str]) -> list[str]:
    folded = text.casefold()
    return sorted(value for value in secrets if value.casefold() in folded)


@pytest.mark.parametrize("lead_id", SHOWCASE_LEADS)
def test_nothing_built_for_a_masked_user_holds_a_personal_value(
    client_for: Callable[[str], ConvertrClient], lead_id: int
) -> None:
    admin = load_dossier(client_for("admin@sandbox.test"), lead_id)
    secrets = personal_values(admin)
    assert admin.lead.email and admin.lead.email in secrets
    # The check can fail: the admin's own pack holds the values it looks for.
    admin_pack = evidence_files(
        admin,
        author=PackAuthor("admin@sandbox.test", "Ada Admin", "admin"),
        source="Sandbox",
        generated_at=WHEN,
    )
    assert leaks(admin_pack["report.html"].decode(), secrets)

    masked_client = client_for("masked@sandbox.test")
    masked = load_dossier(masked_client, lead_id)
    files = evidence_files(
        masked,
        author=PackAuthor.of(masked_client.current_user()),
        source="Sandbox",
        generated_at=WHEN,
    )
    for name, content in files.items():
        assert leaks(content.decode("utf-8", "replace"), secrets) == [], name

    timeline = timeline_frame(build_timeline(masked).entries, UTC)
    assert leaks(timeline.to_csv(), secrets) == []

    tables = profile_tables(masked.lead, masked.lead_data or [], UTC)
    for field, frame in vars(tables).items():
        if hasattr(frame, "to_csv"):
            assert leaks(frame.to_csv(), secrets) == [], field
