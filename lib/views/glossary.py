"""Words of Convertr's trade the app uses, each with the short help shown where it first
appears; `docs/glossary.md` says the same at length (a test keeps the two in step)."""

from __future__ import annotations

from typing import Final

GLOSSARY: Final[dict[str, str]] = {
    "Processr": "Convertr's validation engine: it runs the campaign's jobs on every lead, "
    "scores it and sets its status (Valid, Caution, Invalid, Test).",
    "Job": "One check Processr runs on a lead (an email or phone check, a blocklist, an "
    "enrichment); it passes or fails, and a passed job adds its points to the score.",
    "Hardfail": "A job marked hardfail makes the lead Invalid when it fails, whatever the score.",
    "HLR": "Home Location Register lookup: asks the mobile network whether a phone number "
    "exists and is switched on.",
    "Derived · Processr": "A value Processr worked out from others (a country from the "
    "telephone, say) rather than one the form captured.",
    "Wave": "The app loads a lead in waves: requests that need nothing else go together, "
    "then the ones that need their answers.",
}
"""Term -> one or two sentences, plain words."""

GLOSSARY_FILE: Final = "docs/glossary.md"


def help_for(*terms: str) -> str:
    """The help text of one or more terms, each on its own line ("**Term**: ...")."""
    return "\n\n".join(f"**{term}**: {GLOSSARY[term]}" for term in terms)
