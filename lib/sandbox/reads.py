"""Answering GET: one item, or one page of a collection with its Hydra view."""

from __future__ import annotations

import math
import sqlite3
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lib.sandbox import db
from lib.sandbox.auth import User, require_provider_logs
from lib.sandbox.query import CollectionQuery, collection_query, is_row_id, order_sql
from lib.sandbox.resources import API_PREFIX, TABLE_SOURCES, Resource, iri
from lib.sandbox.responses import ApiError, json_response


def fetch(connection: sqlite3.Connection, resource: Resource, ids: list[int]) -> list[sqlite3.Row]:
    """The rows with these ids, in the order of `ids` (missing ones left out)."""
    if not ids:
        return []
    source = TABLE_SOURCES.get(resource.table, resource.table)
    marks = ", ".join("?" * len(ids))
    rows = connection.execute(f"SELECT * FROM {source} WHERE id IN ({marks})", ids).fetchall()
    position = {item_id: index for index, item_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row["id"]])


def serialize(
    connection: sqlite3.Connection, resource: Resource, rows: list[sqlite3.Row]
) -> list[dict[str, Any]]:
    """The JSON-LD items of `rows` (leads with their lead data and note IRIs embedded)."""
    path, kind, to_json = resource.path, resource.type, resource.serialize
    items = [
        {"@id": iri(path, row["id"]), "@type": kind, "id": row["id"], **to_json(row)}
        for row in rows
    ]
    if resource.path == "leads" and items:
        _embed_lead_children(connection, items)
    return items


def _embed_lead_children(connection: sqlite3.Connection, items: list[dict[str, Any]]) -> None:
    by_id = {item["id"]: item for item in items}
    marks = ", ".join("?" * len(by_id))
    for row in connection.execute(
        f"SELECT id, lead_id, name, value FROM lead_datas WHERE lead_id IN ({marks})"
        " ORDER BY lead_id, id",
        list(by_id),
    ):
        by_id[row["lead_id"]]["leadData"].append(
            {
                "@id": iri("lead-datas", row["id"]),
                "@type": "LeadData",
                "name": row["name"],
                "value": row["value"],
            }
        )
    for row in connection.execute(
        f"SELECT id, lead_id FROM lead_notes WHERE lead_id IN ({marks})"
        " ORDER BY lead_id, created_ts, id",
        list(by_id),
    ):
        by_id[row["lead_id"]]["leadNotes"].append(iri("lead-notes", row["id"]))


def item(connection: sqlite3.Connection, user: User, resource: Resource, raw_id: str) -> Response:
    """`GET /api/v4/<path>/<id>`."""
    if not is_row_id(raw_id):
        raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id!r}")
    with db.atomic(connection, write=False):
        rows = fetch(connection, resource, [int(raw_id)])
        if not rows:
            raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id}")
        if resource.path == "logs" and rows[0]["type"] == "provider":
            require_provider_logs(user)
        found = serialize(connection, resource, rows)[0]
    return json_response({"@context": f"/api/v4/contexts/{resource.type}", **found})


def _page_ids(
    connection: sqlite3.Connection, resource: Resource, query: CollectionQuery, total: int
) -> list[int]:
    """The ids on the asked page, picked from the index before any row is read."""
    if query.offset >= total:
        return []
    # The order ends with id, so it is total: a page in the second half is read from the
    # other end in reverse, which halves how far OFFSET must walk.
    limit = min(query.items_per_page, total - query.offset)
    from_end = query.offset > total // 2
    skip = total - query.offset - limit if from_end else query.offset
    ids = [
        row[0]
        for row in connection.execute(
            f"SELECT id FROM {resource.table}{query.where}"
            f" ORDER BY {order_sql(query.order, reverse=from_end)} LIMIT ? OFFSET ?",
            [*query.params, limit, skip],
        )
    ]
    if from_end:
        ids.reverse()
    return ids


def _page_link(path: str, args: MultiDict[str, str], page: int) -> str:
    pairs = [(key, value) for key, value in args.items(multi=True) if key != "page"]
    pairs.append(("page", str(page)))
    return f"{path}?{urlencode(pairs, safe='[]/:')}"


def _view(path: str, args: MultiDict[str, str], page: int, last: int) -> dict[str, Any]:
    """The `hydra:view`: links to this, the first, the last and the neighbouring pages."""
    view: dict[str, Any] = {
        "@id": _page_link(path, args, page),
        "@type": "hydra:PartialCollectionView",
        "hydra:first": _page_link(path, args, 1),
        "hydra:last": _page_link(path, args, last),
    }
    if page > 1:
        view["hydra:previous"] = _page_link(path, args, min(page - 1, last))
    if page < last:
        view["hydra:next"] = _page_link(path, args, page + 1)
    return view


def collection(
    connection: sqlite3.Connection, user: User, resource: Resource, args: MultiDict[str, str]
) -> Response:
    """`GET /api/v4/<path>?<filters, order, page>`: one page and the total, from one snapshot."""
    query = collection_query(resource, args, user)
    with db.atomic(connection, write=False):
        total = int(
            connection.execute(
                f"SELECT COUNT(*) FROM {resource.table}{query.where}", query.params
            ).fetchone()[0]
        )
        ids = _page_ids(connection, resource, query, total)
        members = serialize(connection, resource, fetch(connection, resource, ids))
    path = f"{API_PREFIX}/{resource.path}"
    last = max(1, math.ceil(total / query.items_per_page))
    return json_response(
        {
            "@context": f"/api/v4/contexts/{resource.type}",
            "@id": path,
            "@type": "hydra:Collection",
            "hydra:member": members,
            "hydra:totalItems": total,
            "hydra:view": _view(path, args, query.page, last),
        }
    )
