"""The email hash the sandbox serves (`emailHash`): keyed, so a masked user cannot recompute
it from a guessed email.

A plain SHA-256 of the email can be reversed offline by anyone who can guess candidates (the
lead's names and email domain give most of them away). The hash is HMAC-SHA256 of the
lower-cased email under a secret of the enterprise (ASSUMED: the platform's own hash is not
documented; docs/api.md, "Masked users"). The sandbox serves one enterprise per database file:
its secret is drawn at random when the file is seeded (or first migrated) and stays in the
file, in `enterprise_secrets`, which no route reads.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from typing import Final

EMAIL_HASH_KEY_BYTES: Final = 32
EMAIL_HASH_KEY_NAME: Final = "email_hash_key"
SECRETS_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS enterprise_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
)


def new_email_hash_key() -> bytes:
    return secrets.token_bytes(EMAIL_HASH_KEY_BYTES)


def email_hash(email: str, key: bytes) -> str:
    """The keyed hash of an email (any case), as lowercase hex."""
    return hmac.new(
        key, email.strip().lower().encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def store_email_hash_key(connection: sqlite3.Connection, key: bytes) -> None:
    connection.execute(SECRETS_SCHEMA)
    connection.execute(
        "INSERT OR REPLACE INTO enterprise_secrets (name, value) VALUES (?, ?)",
        (EMAIL_HASH_KEY_NAME, key),
    )


def email_hash_key(connection: sqlite3.Connection) -> bytes:
    """The database's secret (raises LookupError when the file has none: migrate it)."""
    row = connection.execute(
        "SELECT value FROM enterprise_secrets WHERE name = ?", (EMAIL_HASH_KEY_NAME,)
    ).fetchone()
    if row is None:
        raise LookupError("the sandbox database has no email hash key: open it with the app")
    return bytes(row[0])


def ensure_email_hash_key(connection: sqlite3.Connection) -> None:
    """Give a database seeded before the hash was keyed a secret, and rehash its emails
    (inside the caller's write transaction)."""
    connection.execute(SECRETS_SCHEMA)
    present = connection.execute(
        "SELECT 1 FROM enterprise_secrets WHERE name = ?", (EMAIL_HASH_KEY_NAME,)
    ).fetchone()
    if present is not None:
        return
    key = new_email_hash_key()
    store_email_hash_key(connection, key)
    connection.create_function(
        "leadlens_email_hash", 1, lambda email: email_hash(email, key), deterministic=True
    )
    connection.execute(
        "UPDATE leads SET email_hash = leadlens_email_hash(email)"
        " WHERE email IS NOT NULL AND email != ''"
    )
