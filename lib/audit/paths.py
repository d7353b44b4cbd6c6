"""Where audit snapshots live and what each file is called: light (no DuckDB), so a page can
ask whether a user has a snapshot without importing the audit engine."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_DIRECTORY: Final = PROJECT_ROOT / ".data" / "audit"
DIRECTORY_ENV_VAR: Final = "LEADLENS_AUDIT_DIR"
"""Where snapshots live instead of `.data/audit` (tests, a server's private volume)."""


def audit_directory(env: Mapping[str, str]) -> Path:
    """The snapshot folder: ``$LEADLENS_AUDIT_DIR`` or the project's `.data/audit`."""
    override = env.get(DIRECTORY_ENV_VAR)
    return Path(override) if override else DEFAULT_DIRECTORY


def snapshot_name(source: str, username: str) -> str:
    """The file name for a source and user: a hash, so the folder names nobody."""
    digest = hashlib.sha256(f"{source}\0{username}".encode()).hexdigest()[:24]
    return f"audit-{digest}.duckdb"
