"""Convertr's published lead shape (`Dialect.published_shape`): status codes, embedded channel
and QA result, `""` for empty text, timestamps in the enterprise's zone.

Handlers serialize the tidy shape (`resources`); `publish` rewrites one serialized item in
place. `status_filter_labels` reads status codes in a request's filters back as labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from lib.sandbox.resources import API_PREFIX

STATUS_CODES: Final[Mapping[str, int]] = {
    "Valid": 1000,
    "Invalid": 1001,
    "Caution": 1002,
    "Test": 1003,
}
"""Label -> `processrStatus` code. Only 1000 (Valid) is public; 1001-1003 are ASSUMED. The
same table as the client's (`lib.convertr.models`: PUBLIC_STATUS_CODES and
ASSUMED_STATUS_CODES); a test checks they agree."""
LABELS_BY_CODE: Final[Mapping[str, str]] = {
    str(code): label for label, code in STATUS_CODES.items()
}
STATUS_FILTERS: Final = ("processrStatus", "processrStatus[]")


@dataclass(frozen=True)
class Channel:
    """A lead channel as the published lead embeds it (ids and names ASSUMED)."""

    id: int
    name: str


CHANNELS: Final[Mapping[str, Channel]] = {
    "form": Channel(1, "Web Form"),
    "link": Channel(2, "Tracking Link"),
    "api": Channel(3, "API"),
}
"""The sandbox's channel -> its embedded Channel (the published example shows only
`/api/v4/channels/9` "Network")."""
QA_PENDING: Final = "Pending"
QA_NOT_REQUIRED: Final = "Not required"
"""QA result names (ASSUMED): a Caution lead waits for a person's review."""

BLANK_LEAD_FIELDS: Final = (
    "publisherSubId", "formHash", "formName", "entryPoint", "title", "firstName", "lastName",
    "email", "telephone", "company", "jobTitle", "country", "postcode", "addressLine1",
    "addressLine2", "addressLine3", "addressLine4", "ip", "host",
)  # fmt: skip
"""The lead's optional text fields: `""` rather than null when empty, as in the example."""
TIMESTAMP_SUFFIX: Final = "Ts"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(stamp: str, zone: str) -> str:
    """A stored UTC timestamp with the offset of `zone` at that moment (same instant)."""
    return datetime.fromisoformat(stamp).astimezone(_zone(zone)).isoformat()


def _channel(name: object) -> object:
    channel = CHANNELS.get(str(name))
    if channel is None:
        return name
    return {"@id": f"{API_PREFIX}/channels/{channel.id}", "@type": "Channel", "name": channel.name}


def _lead(item: dict[str, Any]) -> None:
    label = item["processrStatus"]
    item["processrStatus"] = STATUS_CODES.get(label, label)
    item["channel"] = _channel(item["channel"])
    item["qaResult"] = {
        "@id": f"{API_PREFIX}/qa-results/{item['id']}",
        "@type": "QaResult",
        "name": QA_PENDING if label == "Caution" else QA_NOT_REQUIRED,
    }
    for name in BLANK_LEAD_FIELDS:
        if item.get(name) is None:
            item[name] = ""


def publish(path: str, item: dict[str, Any], zone: str | None) -> None:
    """Rewrite one serialized item of the collection at `path` in the published shape."""
    publish_all(path, [item], zone)


def publish_all(path: str, items: list[dict[str, Any]], zone: str | None) -> None:
    """Rewrite serialized items of the collection at `path` in the published shape. The
    timestamp keys are found once per set of keys (a page's items share theirs), not per
    item: a page of 800 chronologies has none."""
    keys: set[str] | None = None
    stamps: tuple[str, ...] = ()
    for item in items:
        if zone is not None:
            if item.keys() != keys:
                keys = set(item)
                stamps = tuple(key for key in keys if key.endswith(TIMESTAMP_SUFFIX))
            for key in stamps:
                value = item[key]
                if isinstance(value, str):
                    item[key] = local_time(value, zone)
        if path == "leads":
            _lead(item)


def status_filter_labels(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The query with status codes (`processrStatus[]=1002`) read as their labels; labels
    and unknown codes pass as they are (an unknown code then matches nothing)."""
    if not any(name in args for name in STATUS_FILTERS):
        return args
    return MultiDict(
        [
            (key, LABELS_BY_CODE.get(value.strip(), value) if key in STATUS_FILTERS else value)
            for key, value in args.items(multi=True)
        ]
    )
