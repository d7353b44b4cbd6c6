"""The glossary: every term the app explains has its section in docs/glossary.md."""

from __future__ import annotations

from pathlib import Path

from lib.views.glossary import GLOSSARY, GLOSSARY_FILE, help_for

ROOT = Path(__file__).resolve().parents[2]


def test_every_term_has_its_section_in_the_docs() -> None:
    text = (ROOT / GLOSSARY_FILE).read_text(encoding="utf-8")
    for term in GLOSSARY:
        assert f"## {term}\n" in text, term


def test_help_names_each_term() -> None:
    assert help_for("HLR", "Hardfail").startswith("**HLR**: Home Location Register")
