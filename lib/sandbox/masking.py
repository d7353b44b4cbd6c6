"""Masked roles: a masked user's personal values are replaced by `MASK` in every resource the
sandbox returns to them (docs/api.md, "Masked users").

The platform hides provider logs from masked roles because it cannot filter their raw
answers; everywhere else it filters. Which values count as personal is ASSUMED:
`MASKED_FIELDS` on the lead, `MASKED_DATA_NAMES` in lead-datas and in lead notes about them.
Filters still work on the real values (a masked user may search by an email they know); the
matching items come back masked.
"""

from __future__ import annotations

from typing import Any, Final

from lib.sandbox.auth import User

MASK: Final = "[masked]"
"""What a masked value reads as: one token a client can recognise and show as "masked"."""
MASKED_ROLES: Final = frozenset({"masked"})
MASKED_FIELDS: Final = frozenset(
    {"email", "telephone", "addressLine1", "addressLine2", "addressLine3", "addressLine4", "ip"}
)
"""ASSUMED: the personal values masked, as lead fields and as lead-data names."""
MASKED_DATA_NAMES: Final = MASKED_FIELDS | {"city"}
"""Lead-data names masked: the lead's fields, and `city`, the name under which the lead's
town (its `addressLine3`) is captured."""


def is_masked(user: User) -> bool:
    """Whether `user`'s role sees personal values masked."""
    return user.role in MASKED_ROLES


def _masked(value: Any) -> Any:
    # An empty value stays empty: there is nothing to hide, and "masked" would suggest a value.
    return MASK if value not in (None, "") else value


def _lead(item: dict[str, Any]) -> None:
    for name in MASKED_FIELDS:
        if name in item:
            item[name] = _masked(item[name])
    for data in item.get("leadData", ()):
        if data.get("name") in MASKED_DATA_NAMES:
            data["value"] = _masked(data.get("value"))


def _lead_data(item: dict[str, Any]) -> None:
    if item.get("name") in MASKED_DATA_NAMES:
        item["value"] = _masked(item.get("value"))
        item["originalValue"] = _masked(item.get("originalValue"))


def _note(item: dict[str, Any]) -> None:
    if item.get("field") not in MASKED_DATA_NAMES:
        return
    message = item.get("message")
    for name in ("oldValue", "newValue"):
        value = item.get(name)
        if isinstance(message, str) and value not in (None, ""):
            # The note's text quotes the values it records.
            message = message.replace(str(value), MASK)
        item[name] = _masked(value)
    item["message"] = message


MASKERS = {"leads": _lead, "lead-datas": _lead_data, "lead-notes": _note}
"""Collection path -> how its items are masked (other resources hold no personal values;
provider logs are refused to masked roles instead)."""


def mask(path: str, item: dict[str, Any]) -> None:
    """Mask the personal values of one serialized item of the collection at `path`."""
    masker = MASKERS.get(path)
    if masker is not None:
        masker(item)
