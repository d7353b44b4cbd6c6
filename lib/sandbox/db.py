"""The sandbox's SQLite schema, connection settings, database location, transactions and the
format its timestamps are stored in."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from lib.sandbox.hashing import ensure_email_hash_key

DB_PATH_ENV_VAR = "LEADLENS_SANDBOX_DB"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUSY_TIMEOUT_MS = 10_000
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"
"""Stored timestamps: whole seconds, UTC, with the offset the real API writes. All have the
same width, so comparing them as text compares the moments."""

SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
    name TEXT NOT NULL, password_hash TEXT NOT NULL,
    mfa_required INTEGER NOT NULL DEFAULT 0, password_expired INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, advertiser TEXT NOT NULL, status TEXT NOT NULL,
    currency TEXT NOT NULL, max_score INTEGER NOT NULL, capped INTEGER NOT NULL,
    start_date TEXT NOT NULL, end_date TEXT, created_ts TEXT NOT NULL
);
CREATE TABLE publishers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE campaign_publishers (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, publisher_id INTEGER NOT NULL,
    contract_type TEXT NOT NULL, status TEXT NOT NULL, enabled INTEGER NOT NULL,
    payout TEXT NOT NULL, contract_value TEXT, minimum_leads INTEGER, cap INTEGER,
    required INTEGER, allocation INTEGER, processing INTEGER NOT NULL DEFAULT 0,
    on_hold INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    valid INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0,
    billable INTEGER NOT NULL DEFAULT 0, earnings TEXT NOT NULL DEFAULT '0.00'
);
CREATE TABLE campaign_links (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, publisher_id INTEGER NOT NULL,
    name TEXT NOT NULL, url TEXT NOT NULL, impressions INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0, conversions INTEGER NOT NULL DEFAULT 0,
    created_ts TEXT NOT NULL
);
CREATE TABLE campaign_processr_jobs (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, job_id INTEGER NOT NULL,
    name TEXT NOT NULL, db_ref TEXT, category TEXT NOT NULL, provider TEXT,
    hardfail INTEGER NOT NULL, max_score INTEGER NOT NULL, position INTEGER NOT NULL,
    enabled INTEGER NOT NULL
);
CREATE TABLE leads (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, publisher_id INTEGER,
    publisher_sub_id TEXT, channel TEXT NOT NULL, form_hash TEXT, form_name TEXT,
    entry_point TEXT, title TEXT, first_name TEXT, last_name TEXT, email TEXT,
    telephone TEXT, company TEXT, job_title TEXT, country TEXT, dob TEXT, postcode TEXT,
    address_line1 TEXT, address_line2 TEXT, address_line3 TEXT, address_line4 TEXT,
    latitude REAL, longitude REAL, ip TEXT, host TEXT, opt_in INTEGER NOT NULL,
    double_opt_in INTEGER NOT NULL, processr_status TEXT NOT NULL, score INTEGER NOT NULL,
    max_score INTEGER NOT NULL, hardfail INTEGER NOT NULL, processing_counter INTEGER NOT NULL,
    suppression_list INTEGER NOT NULL, delivered INTEGER NOT NULL,
    over_allocated INTEGER NOT NULL, created_ts TEXT NOT NULL, first_delivered_ts TEXT,
    email_hash TEXT, fingerprint TEXT, publisher_payout TEXT NOT NULL,
    advertiser_payout TEXT NOT NULL, publisher_billable INTEGER NOT NULL,
    advertiser_billable INTEGER NOT NULL
);
CREATE TABLE lead_datas (
    id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, name TEXT NOT NULL, value TEXT,
    source TEXT NOT NULL, provider TEXT, original_value TEXT, created_ts TEXT NOT NULL,
    updated_ts TEXT NOT NULL
);
CREATE TABLE processr_job_leads (
    id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, campaign_processr_job_id INTEGER NOT NULL,
    result TEXT NOT NULL, score INTEGER NOT NULL, message TEXT, created_ts TEXT NOT NULL
);
CREATE TABLE logs (
    id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, type TEXT NOT NULL, level TEXT NOT NULL,
    campaign_processr_job_id INTEGER, job_name TEXT, provider TEXT, message TEXT NOT NULL,
    created_ts TEXT NOT NULL
);
CREATE TABLE lead_editable_fields (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, name TEXT NOT NULL,
    label TEXT NOT NULL, type TEXT NOT NULL, choices TEXT NOT NULL, required INTEGER NOT NULL,
    max_length INTEGER, editable INTEGER NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE lead_notes (
    id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
    author TEXT NOT NULL, field TEXT, old_value TEXT, new_value TEXT, created_ts TEXT NOT NULL
);
CREATE TABLE statistics (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, total INTEGER NOT NULL,
    valid INTEGER NOT NULL, invalid INTEGER NOT NULL, caution INTEGER NOT NULL,
    test INTEGER NOT NULL, delivered INTEGER NOT NULL, billable INTEGER NOT NULL,
    over_allocated INTEGER NOT NULL
);
CREATE TABLE lead_statistics_chronologies (
    id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, date TEXT NOT NULL,
    total INTEGER NOT NULL, valid INTEGER NOT NULL, invalid INTEGER NOT NULL,
    caution INTEGER NOT NULL, test INTEGER NOT NULL, delivered INTEGER NOT NULL
);
"""

# Created after the bulk insert: building an index once is much faster than maintaining it
# row by row while millions of rows stream in.
#
# The lead lists (`reads.collection`): every order the app asks for (createdTs either way,
# then id ascending) inside a campaign, alone or filtered by status or delivery, has an index
# in that order, so a page is read off the index without sorting, from either end (a page in
# the second half is read backwards). Each carries the other filter's column too, so a page
# filtered by both, or by several statuses, skips entries of the index only, never table rows.
INDEXES = """
CREATE INDEX IF NOT EXISTS leads_by_campaign ON leads (campaign_id);
CREATE INDEX IF NOT EXISTS leads_by_campaign_time
    ON leads (campaign_id, created_ts, id, processr_status, delivered);
CREATE INDEX IF NOT EXISTS leads_by_campaign_time_desc
    ON leads (campaign_id, created_ts DESC, id, processr_status, delivered);
CREATE INDEX IF NOT EXISTS leads_by_campaign_status_time
    ON leads (campaign_id, processr_status, created_ts, id, delivered);
CREATE INDEX IF NOT EXISTS leads_by_campaign_status_time_desc
    ON leads (campaign_id, processr_status, created_ts DESC, id, delivered);
CREATE INDEX IF NOT EXISTS leads_by_campaign_delivered_time
    ON leads (campaign_id, delivered, created_ts, id, processr_status);
CREATE INDEX IF NOT EXISTS leads_by_campaign_delivered_time_desc
    ON leads (campaign_id, delivered, created_ts DESC, id, processr_status);
CREATE INDEX IF NOT EXISTS leads_by_time ON leads (created_ts, id);
CREATE INDEX IF NOT EXISTS leads_by_time_desc ON leads (created_ts DESC, id);
CREATE INDEX IF NOT EXISTS leads_email ON leads (email COLLATE NOCASE);
-- The same person elsewhere: a handful of leads each, found without a scan.
CREATE INDEX IF NOT EXISTS leads_email_hash ON leads (email_hash);
CREATE INDEX IF NOT EXISTS leads_ip ON leads (ip);
CREATE INDEX IF NOT EXISTS leads_fingerprint ON leads (fingerprint);
CREATE INDEX IF NOT EXISTS leads_telephone ON leads (telephone);
CREATE UNIQUE INDEX IF NOT EXISTS lead_datas_lead_name ON lead_datas (lead_id, name);
CREATE INDEX IF NOT EXISTS processr_job_leads_lead ON processr_job_leads (lead_id, created_ts);
CREATE INDEX IF NOT EXISTS processr_job_leads_job
    ON processr_job_leads (campaign_processr_job_id);
CREATE INDEX IF NOT EXISTS logs_lead ON logs (lead_id, created_ts);
CREATE INDEX IF NOT EXISTS lead_notes_lead ON lead_notes (lead_id, created_ts);
CREATE INDEX IF NOT EXISTS campaign_publishers_campaign ON campaign_publishers (campaign_id);
CREATE INDEX IF NOT EXISTS campaign_links_campaign ON campaign_links (campaign_id);
CREATE INDEX IF NOT EXISTS campaign_processr_jobs_campaign
    ON campaign_processr_jobs (campaign_id, position);
CREATE INDEX IF NOT EXISTS lead_editable_fields_campaign
    ON lead_editable_fields (campaign_id, position);
CREATE INDEX IF NOT EXISTS statistics_campaign ON statistics (campaign_id);
CREATE INDEX IF NOT EXISTS chronologies_campaign_date
    ON lead_statistics_chronologies (campaign_id, date);
"""
OBSOLETE_INDEXES = (
    "leads_campaign_created",
    "leads_campaign_created_people",
    "leads_campaign_status_created",
    "leads_campaign_delivered_created",
    "leads_created",
)
"""Lead indexes of databases seeded before the lists had theirs (dropped by `migrate`)."""

COUNTED_COLUMNS = ("campaign_id", "processr_status", "delivered")
"""The lead columns `lead_counts` counts by: a list filtered by these only is not counted."""

LEAD_SEARCH_COLUMNS = ("email", "first_name", "last_name", "full_name")
"""What the lead search looks in (`full_name` is first_name, a space and last_name)."""

SEARCH_TABLE = "campaign_lead_search"
"""The lead search index (FTS5). Its rowid is the lead's campaign and id in one number,
`campaign_id * CAMPAIGN_STRIDE + id`, so the leads of one campaign are one rowid range that
FTS5 seeks to: a search in a campaign reads that campaign's part of the index only, whatever
the other campaigns hold (issue 18)."""
CAMPAIGN_STRIDE = 2**32
"""ASSUMED: lead ids below 2**32 and campaign ids below 2**31 (the sandbox's are six-digit
and one-digit), so `rowid % CAMPAIGN_STRIDE` is the lead id and the rowid fits SQLite's."""
OBSOLETE_SEARCH_TABLES = ("lead_search",)
"""Search indexes of older databases (rowid = lead id), replaced by SEARCH_TABLE."""
LISTS_TRIGGER_NAMES = (
    "leads_counted_in",
    "leads_counted_out",
    "leads_recounted",
    "leads_reindexed",
)

LISTS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lead_counts ("
    " campaign_id INTEGER NOT NULL, processr_status TEXT NOT NULL, delivered INTEGER NOT NULL,"
    " total INTEGER NOT NULL, PRIMARY KEY (campaign_id, processr_status, delivered)"
    ") WITHOUT ROWID",
    # Trigrams find any substring of 3 characters or more, as the search's LIKE does.
    # Contentless: the leads table holds the values, so it costs the index only.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
    " email, first_name, last_name, full_name, content='', tokenize='trigram')",
)
"""Kept in step with `leads` by LISTS_TRIGGERS, in the same transaction as every write:
`lead_counts` (leads per campaign, status and delivery) answers a list's total without
counting, and SEARCH_TABLE (FTS5) finds the leads a search term may match."""

_SEARCH_VALUES = "{0}.email, {0}.first_name, {0}.last_name, {0}.first_name || ' ' || {0}.last_name"
_SEARCH_ROWID = f"{{0}}.campaign_id * {CAMPAIGN_STRIDE} + {{0}}.id"
_COUNT_UP = (
    "INSERT INTO lead_counts (campaign_id, processr_status, delivered, total)"
    " VALUES (new.campaign_id, new.processr_status, new.delivered, 1)"
    " ON CONFLICT DO UPDATE SET total = total + 1;"
)
_COUNT_DOWN = (
    "UPDATE lead_counts SET total = total - 1 WHERE campaign_id = old.campaign_id"
    " AND processr_status = old.processr_status AND delivered = old.delivered;"
)
_INDEX_NEW = (
    f"INSERT INTO {SEARCH_TABLE} (rowid, email, first_name, last_name, full_name)"
    f" VALUES ({_SEARCH_ROWID.format('new')}, {_SEARCH_VALUES.format('new')});"
)
# A contentless table forgets a row when told the values it indexed.
_INDEX_OLD = (
    f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, email, first_name, last_name,"
    f" full_name) VALUES ('delete', {_SEARCH_ROWID.format('old')},"
    f" {_SEARCH_VALUES.format('old')});"
)
LISTS_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS leads_counted_in AFTER INSERT ON leads BEGIN
    {_COUNT_UP}
    {_INDEX_NEW}
END;
CREATE TRIGGER IF NOT EXISTS leads_counted_out AFTER DELETE ON leads BEGIN
    {_COUNT_DOWN}
    {_INDEX_OLD}
END;
CREATE TRIGGER IF NOT EXISTS leads_recounted
AFTER UPDATE OF campaign_id, processr_status, delivered ON leads BEGIN
    {_COUNT_DOWN}
    {_COUNT_UP}
END;
CREATE TRIGGER IF NOT EXISTS leads_reindexed
AFTER UPDATE OF id, campaign_id, email, first_name, last_name ON leads BEGIN
    {_INDEX_OLD}
    {_INDEX_NEW}
END;
"""
"""Triggers, so any write to `leads` (the lead-data edit, a future status change, a delete)
keeps the counts and the search index right in its own transaction; created after a seed's
bulk insert, which fills both in one pass (`build_lists`)."""


def build_lists(connection: sqlite3.Connection) -> None:
    """Create and fill the counts and the search index from the lead rows, then the triggers
    that keep them in step; the caller holds the write transaction. Replaces older versions
    of the index and its triggers."""
    for trigger in LISTS_TRIGGER_NAMES:
        connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in OBSOLETE_SEARCH_TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in LISTS_SCHEMA:
        connection.execute(statement)
    connection.execute("DELETE FROM lead_counts")
    connection.execute(
        "INSERT INTO lead_counts (campaign_id, processr_status, delivered, total)"
        " SELECT campaign_id, processr_status, delivered, COUNT(*) FROM leads"
        " GROUP BY campaign_id, processr_status, delivered"
    )
    connection.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('delete-all')")
    connection.execute(
        f"INSERT INTO {SEARCH_TABLE} (rowid, email, first_name, last_name, full_name)"
        f" SELECT {_SEARCH_ROWID.format('leads')}, {_SEARCH_VALUES.format('leads')} FROM leads"
    )
    merge_search_index(connection)
    for statement in _statements(LISTS_TRIGGERS):
        connection.execute(statement)


def merge_search_index(connection: sqlite3.Connection) -> None:
    """Merge the search index into one segment (FTS5's 'optimize'). A bulk fill leaves it in
    many (16 for 200k leads), and a search reads every segment's list of each trigram: merged,
    the index finds a campaign's 470 'bennett' among 56k leads in about a third less time. An
    index already in one segment is left as it is at once (under a millisecond); one written to
    since is rewritten whole (about 1.5 s for 200k leads)."""
    connection.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('optimize')")


def _statements(script: str) -> list[str]:
    """The CREATE TRIGGER statements of a script (each ends with END;)."""
    return [f"{part.strip()} END" for part in script.split("END;") if part.strip()]


SIGN_IN_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL, revoked_at REAL,
    refresh_hash TEXT UNIQUE, refresh_expires_at REAL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_expiry ON tokens (expires_at);
CREATE TABLE IF NOT EXISTS mfa_challenges (
    token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    username TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start REAL NOT NULL,
    locked_until REAL
);
"""
"""Sign-in state: a session per sign-in (revoked by logout, renewed by its refresh token), its
access tokens, pending MFA challenges and failed-login counts. Tokens are stored as SHA-256
digests, so reading the file does not hand out live tokens. Every statement is idempotent:
`migrate` runs it on any database file, new or old."""
USER_FLAG_COLUMNS = ("mfa_required", "password_expired")
"""Columns added to `users` after the first databases were seeded."""


def migrate(connection: sqlite3.Connection) -> None:
    """Bring an existing database file up to the current schema; safe to repeat.

    Files seeded before sessions were stored had a `tokens` table of clear tokens: it is
    replaced, so those tokens stop working (sign in again). Files seeded before the lists had
    their counts, search index and indexes get them (once; seconds for a million leads),
    files whose search index is not by campaign get that one, and a search index in several
    segments (seeded before they were merged, or written to since) is merged into one.
    """
    with atomic(connection, write=True):
        token_columns = _columns(connection, "tokens")
        if token_columns and "token_hash" not in token_columns:
            connection.execute("DROP TABLE tokens")
        user_columns = _columns(connection, "users")
        for column in USER_FLAG_COLUMNS:
            if column not in user_columns:
                connection.execute(
                    f"ALTER TABLE users ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0"
                )
        for statement in SIGN_IN_SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        if _columns(connection, "leads"):
            ensure_email_hash_key(connection)
        if not _columns(connection, "lead_counts"):
            for name in OBSOLETE_INDEXES:
                connection.execute(f"DROP INDEX IF EXISTS {name}")
            for statement in INDEXES.split(";"):
                if statement.strip():
                    connection.execute(statement)
            build_lists(connection)
            connection.execute("ANALYZE")
        elif not _columns(connection, SEARCH_TABLE):
            build_lists(connection)  # the search index by campaign (issue 18)
        else:
            merge_search_index(connection)


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    """The column names of `table` (none if it does not exist); the names are ours."""
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def default_db_path() -> Path:
    """The demo database: `$LEADLENS_SANDBOX_DB` if set, else `<project>/.data/sandbox.sqlite`."""
    override = os.environ.get(DB_PATH_ENV_VAR)
    if override:
        return Path(override)
    return PROJECT_ROOT / ".data" / "sandbox.sqlite"


def stamp(moment: datetime) -> str:
    """A UTC datetime as a stored timestamp (see STAMP_FORMAT)."""
    # strftime writes years before 1000 without leading zeros; the width must not change.
    return f"{moment.year:04d}{moment.strftime(STAMP_FORMAT[2:])}"


PAGE_CACHE_KIB = 16 * 1024
"""Each connection's page cache (SQLite's default is 2 MiB): a large database's search index
and lead rows stay in memory rather than being read again from the file on every search."""


def connect(db_path: str | Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode; transactions are begun explicitly."""
    # mode=rw: a missing file is an error, not a silently created empty database.
    uri = Path(db_path).resolve().as_uri() + "?mode=rw"
    connection = sqlite3.connect(
        uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    return connection


@contextmanager
def atomic(connection: sqlite3.Connection, *, write: bool) -> Iterator[sqlite3.Connection]:
    """Run a block in one transaction, committed on success and rolled back on any error.

    Writers take the write lock up front (`BEGIN IMMEDIATE`) so two writers never both read
    and then fail to upgrade; readers use a deferred transaction for a consistent snapshot
    (a count and its page agree).
    """
    connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
