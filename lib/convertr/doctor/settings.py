"""The settings the doctor checks: the app's own, so Streamlit's secrets files too."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from lib.convertr.errors import (
    ConfigurationError,
)

SECRETS_FILES: Final = (
    Path.home() / ".streamlit" / "secrets.toml",
    Path(".streamlit") / "secrets.toml",
)
"""Where Streamlit reads secrets from, in the order it merges them (the project's file wins)."""


def read_secrets_files(paths: Iterable[Path] = SECRETS_FILES) -> dict[str, Any]:
    """The settings of Streamlit's ``secrets.toml`` files that exist (later files win), so the
    doctor checks the same settings as the app."""
    merged: dict[str, Any] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigurationError(
                f"{path}: expected a readable TOML secrets file, got {type(error).__name__}: "
                f"{error}"
            ) from None
    return merged
