"""Masked roles: a masked user's personal values are replaced by `MASK` in every resource the
sandbox returns to them (docs/api.md, "Masked users").

The platform hides provider logs from masked roles because it cannot filter their raw
answers; everywhere else it filters. Which values count as personal is ASSUMED:
`MASKED_FIELDS` on the lead, `MASKED_DATA_NAMES` in lead-datas and in lead notes about them.
A masked user may not infer a value either: a filter or a search on a masked value would
answer guesses (a count of 1 or 0, an email a character at a time), so the sandbox refuses
them with 403 and a reason (`refuse_masked_filters`); values derived from a masked one (the
email domain, enrichment that repeats the person, the coordinates of the address) and
free text (notes, comments, referrer) are masked as well; a note about a masked field is
masked whole, its message rebuilt without either value. The `emailHash` is keyed
(`hashing`), so it finds the same email without revealing it.
"""

from __future__ import annotations

from typing import Any, Final

from werkzeug.datastructures import MultiDict

from lib.sandbox.auth import User
from lib.sandbox.responses import ApiError

MASK: Final = "[masked]"
"""What a masked value reads as: one token a client can recognise and show as "masked"."""
MASKED_ROLES: Final = frozenset({"masked"})
MASKED_FIELDS: Final = frozenset(
    {"email", "telephone", "addressLine1", "addressLine2", "addressLine3", "addressLine4", "ip",
     "postcode", "dob", "latitude", "longitude"}
)  # fmt: skip
"""ASSUMED: the personal values masked, as lead fields and as lead-data names (the
coordinates are the address's, so they are masked with it)."""
MASKED_DATA_NAMES: Final = MASKED_FIELDS | {
    # The lead's town (its addressLine3) is captured as `city`.
    "city",
    # Derived from the email: with the names, the domain gives most emails away.
    "emailDomain",
    # Enrichment that repeats the person (handles and a photo found by their email).
    "fullcontact.linkedin",
    "fullcontact.twitter",
    "fullcontact.photo",
    # Free text a person typed: it holds whatever they wrote, their details included.
    "notes",
    "comments",
    "referrer",
}
"""Lead-data names masked: the lead's masked fields, what derives from them, free text."""
MASKED_FILTERS: Final = {
    "leads": {
        "email": "email",
        "telephone": "telephone",
        "ip": "ip",
        "search": "email",
    },
}
"""Per collection, each query parameter that matches a masked value, and the field it would
reveal (`search` matches emails). `emailHash` is not among them: the hash is keyed."""
MASKED_FILTER_STATUS: Final = 403


def is_masked(user: User) -> bool:
    """Whether `user`'s role sees personal values masked."""
    return user.role in MASKED_ROLES


def _masked(value: Any) -> Any:
    # An empty value stays empty: there is nothing to hide, and "masked" would suggest a value.
    return MASK if value not in (None, "") else value


MASKED_NUMBERS: Final = frozenset({"latitude", "longitude", "dob"})
"""Masked fields that are numbers or dates: sent as null (unknown) rather than the text token,
which a client's model would refuse."""


def _lead(item: dict[str, Any]) -> None:
    for name in MASKED_FIELDS:
        if name in item:
            item[name] = None if name in MASKED_NUMBERS else _masked(item[name])
    for data in item.get("leadData", ()):
        if data.get("name") in MASKED_DATA_NAMES:
            data["value"] = _masked(data.get("value"))


def _lead_data(item: dict[str, Any]) -> None:
    if item.get("name") in MASKED_DATA_NAMES:
        item["value"] = _masked(item.get("value"))
        item["originalValue"] = _masked(item.get("originalValue"))


def _note(item: dict[str, Any]) -> None:
    field = item.get("field")
    if field not in MASKED_DATA_NAMES:
        return
    old, new = _masked(item.get("oldValue")), _masked(item.get("newValue"))
    item["oldValue"], item["newValue"] = old, new
    # Rebuilt, not searched and replaced: a value may be spelled differently in the text, and
    # replacing one value can leave fragments of the other ("+44 [masked][masked]00 900").
    if old in (None, ""):
        item["message"] = f'{field} set to "{new}"'
    else:
        item["message"] = f'{field} changed from "{old}" to "{new}"'


def refuse_masked_filters(path: str, args: MultiDict[str, str], user: User) -> None:
    """403 when a masked user filters or searches a collection on a value their role cannot
    see: the answer's count would tell them whether their guess was right."""
    if not is_masked(user):
        return
    for param, field in MASKED_FILTERS.get(path, {}).items():
        sent = [value for value in args.getlist(param) + args.getlist(f"{param}[]") if value]
        if sent:
            raise ApiError(
                MASKED_FILTER_STATUS,
                f'Your role cannot filter by "{param}": it sees {field} masked, and a filter'
                f" on it would reveal the value (use emailHash to find the same email)",
            )


MASKERS = {"leads": _lead, "lead-datas": _lead_data, "lead-notes": _note}
"""Collection path -> how its items are masked (other resources hold no personal values;
provider logs are refused to masked roles instead)."""


def mask(path: str, item: dict[str, Any]) -> None:
    """Mask the personal values of one serialized item of the collection at `path`."""
    masker = MASKERS.get(path)
    if masker is not None:
        masker(item)
