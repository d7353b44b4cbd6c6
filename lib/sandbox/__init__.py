"""The embedded Convertr v4 sandbox: a Werkzeug WSGI app over SQLite, with seeded demo data."""

from __future__ import annotations

from lib.sandbox.app import create_app, shared_app
from lib.sandbox.db import default_db_path
from lib.sandbox.demo import DEMO_PASSWORD, DEMO_USERS
from lib.sandbox.seed import SeedReport, ensure_database, seed_database

DEFAULT_DB_PATH = default_db_path()

__all__ = [
    "DEFAULT_DB_PATH",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SeedReport",
    "create_app",
    "default_db_path",
    "ensure_database",
    "seed_database",
    "shared_app",
]
