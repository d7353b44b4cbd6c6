"""Deterministic demo data: campaigns, contracts, jobs and leads with their whole history.

`seed_database` runs the steps: the catalogue (users, publishers, campaigns with their jobs,
contracts, links, forms and editable fields; `demo` holds the tables), then the leads, made
one at a time by `leads.LeadFactory` and streamed into SQLite in batches (so a million leads
need no more memory than a few thousand), then the indexes, then the statistics,
chronologies and contract counts, computed from the lead rows so that they add up, and the
lists' counts and search index (`db.build_lists`), with the triggers that keep them right.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from lib.sandbox import db
from lib.sandbox.auth import hash_password
from lib.sandbox.demo import (
    CAMPAIGNS,
    DEMO_PASSWORD,
    DEMO_USERS,
    EDITABLE_FIELDS,
    EXPIRED_PASSWORD_USERS,
    FIRST_LEAD_ID,
    MFA_USERS,
    PUBLISHERS,
    CampaignSpec,
    campaign_jobs,
)
from lib.sandbox.draws import SECONDS_PER_DAY, ascii_slug, between, iso_ts, pick
from lib.sandbox.hashing import new_email_hash_key, store_email_hash_key
from lib.sandbox.lead_parts import CampaignPlan, Contract, ContractKind, Form, PlannedJob, RowBuffer

if TYPE_CHECKING:
    from lib.sandbox.leads import LeadFactory

DEFAULT_LEADS = 5000
DEFAULT_SEED = 42
BATCH_LEADS = 5000
# The seed's "now": fixed so that a seed always yields the same database.
SEED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEADS_PER_CAP_STEP = 5000
"""Contract caps grow with the number of leads: one step per this many."""
TRACKING_URL = "https://trk.cvtr.io/click"


@dataclass(frozen=True)
class SeedReport:
    """What a seed produced and how long it took."""

    db_path: Path
    campaigns: int
    publishers: int
    leads: int
    lead_datas: int
    job_results: int
    logs: int
    notes: int
    elapsed_seconds: float


def _write_users_and_publishers(conn: sqlite3.Connection) -> None:
    conn.executemany(
        "INSERT INTO users (id, email, role, name, password_hash, mfa_required,"
        " password_expired) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (i, email, role, name, hash_password(DEMO_PASSWORD, f"salt{i}"),
             int(email in MFA_USERS), int(email in EXPIRED_PASSWORD_USERS))
            for i, (email, role, name) in enumerate(DEMO_USERS, start=1)
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO publishers (id, name) VALUES (?, ?)",
        list(enumerate(PUBLISHERS, start=1)),
    )


@dataclass
class _RowIds:
    """The last id given in each catalogue table (ids run on across campaigns)."""

    job: int = 0
    contract: int = 0
    link: int = 0
    field: int = 0


def _write_jobs(
    conn: sqlite3.Connection, campaign_id: int, spec: CampaignSpec, ids: _RowIds
) -> tuple[PlannedJob, ...]:
    jobs: list[PlannedJob] = []
    for position, job in enumerate(campaign_jobs(spec), start=1):
        ids.job += 1
        jobs.append(PlannedJob(ids.job, job.name, job.job_id, job.hardfail, job.max_score))
        conn.execute(
            "INSERT INTO campaign_processr_jobs (id, campaign_id, job_id, name, db_ref,"
            " category, provider, hardfail, max_score, position, enabled)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (ids.job, campaign_id, job.job_id, job.name, job.db_ref, job.category,
             job.provider, int(job.hardfail), job.max_score, position),
        )  # fmt: skip
    return tuple(jobs)


def _write_contracts(
    conn: sqlite3.Connection,
    rng: random.Random,
    campaign_id: int,
    spec: CampaignSpec,
    created: str,
    leads: int,
    ids: _RowIds,
) -> tuple[Contract, ...]:
    """4-7 publisher contracts, each with its tracking link; returns the signed ones.

    The last contract is Unsigned and the third Inactive; an uncapped campaign's second is a
    Fixed-price contract.
    """
    publisher_ids = sorted(rng.sample(range(1, len(PUBLISHERS) + 1), between(rng, 4, 7)))
    contracts: list[Contract] = []
    for index, publisher_id in enumerate(publisher_ids):
        ids.contract += 1
        fixed = not spec.capped and index == 1
        kind: ContractKind = "Fixed" if fixed else "CPL"
        status = "Active"
        if index == len(publisher_ids) - 1:
            status = "Unsigned"
        elif index == 2:
            status = "Inactive"
        payout = f"{rng.uniform(12, 45):.2f}"
        contract_value = f"{between(rng, 20, 80) * 250}.00" if fixed else None
        minimum_leads = between(rng, 1, 6) * 100 if fixed else None
        cap = (
            pick(rng, (250, 500, 1000, 2000)) * max(1, leads // LEADS_PER_CAP_STEP)
            if spec.capped
            else None
        )
        required = cap // 2 if cap else None
        allocation = pick(rng, (10, 15, 20, 25, 30)) if spec.capped else None
        conn.execute(
            "INSERT INTO campaign_publishers (id, campaign_id, publisher_id, contract_type,"
            " status, enabled, payout, contract_value, minimum_leads, cap, required,"
            " allocation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ids.contract, campaign_id, publisher_id, kind, status,
             int(status != "Inactive"), payout, contract_value, minimum_leads, cap,
             required, allocation),
        )  # fmt: skip
        if status != "Unsigned":
            contracts.append(Contract(publisher_id, kind, payout))
        ids.link += 1
        conn.execute(
            "INSERT INTO campaign_links (id, campaign_id, publisher_id, name, url,"
            " created_ts) VALUES (?, ?, ?, ?, ?, ?)",
            (ids.link, campaign_id, publisher_id,
             f"{PUBLISHERS[publisher_id - 1]} - {spec.name}",
             f"{TRACKING_URL}?lid={ids.link}&pid={publisher_id}"
             f"&sid={campaign_id}{publisher_id:02d}{between(rng, 100, 999)}",
             created),
        )  # fmt: skip
    return tuple(contracts)


def _forms(rng: random.Random, spec: CampaignSpec) -> tuple[Form, ...]:
    """The campaign's main and short landing-page forms."""
    slug = "-".join(ascii_slug(word) for word in spec.name.split()[:4])
    return tuple(
        Form(f"{rng.getrandbits(32):08x}", f"{spec.name} - {kind}",
             f"https://{spec.landing_host}/{slug}{suffix}")
        for kind, suffix in (("Main form", ""), ("Short form", "-short"))
    )  # fmt: skip


def _write_editable_fields(conn: sqlite3.Connection, campaign_id: int, ids: _RowIds) -> None:
    for position, (name, label, kind, choices, required, max_length, editable) in enumerate(
        EDITABLE_FIELDS, start=1
    ):
        ids.field += 1
        conn.execute(
            "INSERT INTO lead_editable_fields (id, campaign_id, name, label, type, choices,"
            " required, max_length, editable, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ids.field, campaign_id, name, label, kind, json.dumps(list(choices)),
             int(required), max_length, int(editable), position),
        )  # fmt: skip


def _window(spec: CampaignSpec) -> tuple[int, int]:
    """Epoch seconds from the campaign's start to its end (or the seed's now, if earlier)."""
    start_epoch = int(datetime.combine(spec.start, datetime.min.time(), UTC).timestamp())
    end_date = spec.end or SEED_NOW.date()
    end_epoch = int(datetime.combine(end_date, datetime.max.time(), UTC).timestamp())
    return start_epoch, min(int(SEED_NOW.timestamp()), end_epoch)


def _write_catalogue(
    conn: sqlite3.Connection, rng: random.Random, leads: int
) -> list[CampaignPlan]:
    """Users, publishers and the campaigns with everything configured on them."""
    _write_users_and_publishers(conn)
    campaigns: list[CampaignPlan] = []
    ids = _RowIds()
    for campaign_id, spec in enumerate(CAMPAIGNS, start=1):
        jobs = _write_jobs(conn, campaign_id, spec, ids)
        max_score = sum(job.max_score for job in jobs)
        window = _window(spec)
        # Set up 5-20 days before it started.
        created = iso_ts(
            window[0] - SECONDS_PER_DAY * between(rng, 5, 20) + between(rng, 0, SECONDS_PER_DAY - 1)
        )
        conn.execute(
            "INSERT INTO campaigns (id, name, advertiser, status, currency, max_score, capped,"
            " start_date, end_date, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, spec.name, spec.advertiser, spec.status, spec.currency, max_score,
             int(spec.capped), spec.start.isoformat(),
             spec.end.isoformat() if spec.end else None, created),
        )  # fmt: skip
        contracts = _write_contracts(conn, rng, campaign_id, spec, created, leads, ids)
        forms = _forms(rng, spec)
        _write_editable_fields(conn, campaign_id, ids)
        campaigns.append(CampaignPlan(campaign_id, spec, jobs, max_score, contracts, forms, window))
    return campaigns


def _stream_leads(conn: sqlite3.Connection, factory: LeadFactory, leads: int) -> None:
    from lib.sandbox.leads import overrides_for

    """Make and insert leads batch by batch, so memory stays flat however many there are.

    (A writer thread was tried: inserting holds the GIL while binding parameters, so it
    overlapped little and only raised peak memory.)
    """
    for index in range(leads):
        factory.lead(FIRST_LEAD_ID + index, overrides_for(index))
        if len(factory.rows.leads) >= BATCH_LEADS:
            factory.rows.flush(conn)
    factory.rows.flush(conn)


def _aggregate(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Statistics, chronologies, contract counts and link funnels, from the lead rows."""
    counts = (
        "COUNT(l.id), COALESCE(SUM(l.processr_status = 'Valid'), 0),"
        " COALESCE(SUM(l.processr_status = 'Invalid'), 0),"
        " COALESCE(SUM(l.processr_status = 'Caution'), 0),"
        " COALESCE(SUM(l.processr_status = 'Test'), 0), COALESCE(SUM(l.delivered), 0)"
    )
    conn.execute(
        "INSERT INTO statistics (campaign_id, total, valid, invalid, caution, test, delivered,"
        f" billable, over_allocated) SELECT c.id, {counts},"
        " COALESCE(SUM(l.advertiser_billable), 0), COALESCE(SUM(l.over_allocated), 0)"
        " FROM campaigns c LEFT JOIN leads l ON l.campaign_id = c.id GROUP BY c.id ORDER BY c.id"
    )
    conn.execute(
        "INSERT INTO lead_statistics_chronologies (campaign_id, date, total, valid, invalid,"
        f" caution, test, delivered) SELECT l.campaign_id, substr(l.created_ts, 1, 10), {counts}"
        " FROM leads l GROUP BY l.campaign_id, substr(l.created_ts, 1, 10)"
        " ORDER BY l.campaign_id, substr(l.created_ts, 1, 10)"
    )
    per_contract = {
        (row[0], row[1]): row[2:]
        for row in conn.execute(
            "SELECT campaign_id, publisher_id, COUNT(*), SUM(processr_status = 'Valid'),"
            " SUM(processr_status = 'Invalid'), SUM(publisher_billable),"
            " SUM(processr_status = 'Caution'), SUM(over_allocated), SUM(channel = 'link')"
            " FROM leads WHERE publisher_id IS NOT NULL GROUP BY campaign_id, publisher_id"
        )
    }
    contracts = conn.execute(
        "SELECT id, campaign_id, publisher_id, contract_type, payout, contract_value"
        " FROM campaign_publishers ORDER BY id"
    ).fetchall()
    for contract_id, campaign_id, publisher_id, kind, payout, contract_value in contracts:
        total, valid, invalid, billable, caution, held, _links = per_contract.get(
            (campaign_id, publisher_id), (0, 0, 0, 0, 0, 0, 0)
        )
        earnings = (
            Decimal(contract_value) if kind == "Fixed" else Decimal(payout) * billable
        ).quantize(Decimal("0.01"))
        conn.execute(
            "UPDATE campaign_publishers SET processing = ?, on_hold = ?, total = ?, valid = ?,"
            " invalid = ?, billable = ?, earnings = ? WHERE id = ?",
            (caution, held, total, valid, invalid, billable, str(earnings), contract_id),
        )
    links = conn.execute(
        "SELECT id, campaign_id, publisher_id FROM campaign_links ORDER BY id"
    ).fetchall()
    for link_id, campaign_id, publisher_id in links:
        conversions = per_contract.get((campaign_id, publisher_id), (0,) * 7)[6]
        clicks = conversions * between(rng, 3, 9) + between(rng, 0, 40)
        impressions = clicks * between(rng, 12, 40) + between(rng, 0, 500)
        conn.execute(
            "UPDATE campaign_links SET impressions = ?, clicks = ?, conversions = ? WHERE id = ?",
            (impressions, clicks, conversions, link_id),
        )


def _count(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # table names are ours
    return int(row[0])


def seed_database(
    db_path: str | Path,
    *,
    leads: int = DEFAULT_LEADS,
    seed: int = DEFAULT_SEED,
    email_hash_key: bytes | None = None,
) -> SeedReport:
    """(Re)create the demo database at `db_path`: built in a temp file, then renamed in place.

    `email_hash_key` is the enterprise's secret for `emailHash` (`hashing`): random unless
    given (a test that compares two seeds gives both the same)."""
    key = new_email_hash_key() if email_hash_key is None else email_hash_key
    if leads < 0:
        raise ValueError(f"expected a non-negative number of leads, got {leads}")
    started = time.perf_counter()
    target = Path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{time.time_ns()}.tmp")
    rng = random.Random(seed)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            # Nothing reads the temp file until it is renamed, so durability can wait.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            conn.executescript(db.SCHEMA)
            conn.executescript(db.SIGN_IN_SCHEMA)
            conn.execute("BEGIN")
            store_email_hash_key(conn, key)
            campaigns = _write_catalogue(conn, rng, leads)
            rows = RowBuffer()
            # Imported here: the lead factory brings Faker (0.1 s), and a server that only
            # checks the database exists (ensure_database) never needs it.
            from lib.sandbox.leads import LeadFactory, build_pools

            factory = LeadFactory(rng, build_pools(seed), campaigns, rows, key)
            _stream_leads(conn, factory, leads)
            conn.execute("COMMIT")
            conn.executescript(db.INDEXES)
            conn.execute("BEGIN")
            _aggregate(conn, rng)
            db.build_lists(conn)
            conn.execute("COMMIT")
            conn.execute("ANALYZE")
            report = SeedReport(
                db_path=target,
                campaigns=_count(conn, "campaigns"),
                publishers=_count(conn, "publishers"),
                leads=_count(conn, "leads"),
                lead_datas=rows.counts.lead_datas,
                job_results=rows.counts.job_results,
                logs=rows.counts.logs,
                notes=rows.counts.notes,
                elapsed_seconds=0.0,
            )
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return SeedReport(**{**report.__dict__, "elapsed_seconds": time.perf_counter() - started})


def ensure_database(db_path: str | Path | None = None) -> Path:
    """Seed the demo database with defaults unless it exists; safe when processes race."""
    target = Path(db_path) if db_path is not None else db.default_db_path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.with_name(target.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():  # another process may have seeded while we waited
                seed_database(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target
