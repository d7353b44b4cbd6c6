"""Saved views of the Leads page, pure: what a view keeps of a `LeadsPlace` (filters, sort,
page size, columns; never the page, the selected row or any lead value), how it becomes the
Leads page's query again, and how the picker names it.

A view's settings are the query parameters of its place, so opening one is opening a link:
`views.url_params` reads each value as a link's, and a value that no longer reads (a status
renamed) is left out with a note rather than breaking the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lib.views.navigation import LeadsPlace
from lib.views.url_params import (
    PARAM_CAMPAIGN,
    PARAM_DELIVERY,
    PARAM_DIRECTION,
    PARAM_FROM,
    PARAM_SEARCH,
    PARAM_SIZE,
    PARAM_SORT,
    PARAM_STATUS,
    PARAM_TO,
    PARAM_VIEW,
)

VIEW_KIND: Final = "leads.view"
"""The `kind` of the Leads page's saved settings (the Audit page uses its own)."""
VIEW_PARAMS: Final = (
    PARAM_STATUS,
    PARAM_DELIVERY,
    PARAM_FROM,
    PARAM_TO,
    PARAM_SEARCH,
    PARAM_SORT,
    PARAM_DIRECTION,
    PARAM_SIZE,
)
"""What a view keeps of the place: not the page nor the selected row (those are where a
person is, not what they look at)."""
NO_VIEW: Final = "(no saved view)"


@dataclass(frozen=True)
class ViewSettings:
    params: Mapping[str, str]
    columns: tuple[str, ...] = ()
    """The table's columns in their order (empty: the page's default)."""

    def to_json(self) -> dict[str, Any]:
        return {"params": dict(self.params), "columns": list(self.columns)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ViewSettings:
        """Settings as stored; anything unexpected in them is dropped, never trusted."""
        raw = data.get("params")
        params = (
            {
                name: value
                for name, value in raw.items()
                if name in VIEW_PARAMS and isinstance(value, str)
            }
            if isinstance(raw, Mapping)
            else {}
        )
        columns = data.get("columns")
        kept = (
            tuple(column for column in columns if isinstance(column, str))
            if isinstance(columns, list)
            else ()
        )
        return cls(params=params, columns=kept)


def view_settings(place: LeadsPlace, columns: Sequence[str] = ()) -> ViewSettings:
    params = place.to_params()
    return ViewSettings(
        params={name: params[name] for name in VIEW_PARAMS if name in params},
        columns=tuple(columns),
    )


def view_query(campaign_id: int, settings: ViewSettings) -> dict[str, str]:
    """The Leads page's query for a view on a campaign (read like any link)."""
    return {PARAM_CAMPAIGN: str(campaign_id), **settings.params}


def view_link_query(campaign_id: int, view_id: str) -> dict[str, str]:
    """A view's link: anyone who may open it (its owner, or anyone when shared) and may see
    the campaign gets the same list."""
    return {PARAM_CAMPAIGN: str(campaign_id), PARAM_VIEW: view_id}


def view_label(name: str, *, own: bool, shared: bool, owner_name: str, default: bool) -> str:
    """How the picker and the sidebar name a view: whose, shared or not, the default."""
    parts = [name]
    if not own:
        parts.append(f"shared by {owner_name or 'a colleague'}")
    elif shared:
        parts.append("shared")
    if default:
        parts.append("default")
    return " · ".join(parts)
