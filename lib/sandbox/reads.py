"""Answering GET: one item, or one page of a collection with its Hydra view and search.

Items are serialized in the tidy shape (`serialize`, shared with `writes`), then `present`ed:
masked for a masked user (`masking`), rewritten in the published shape when the dialect
speaks it (`published`), and spelled as the dialect spells Hydra.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lib.sandbox import db, masking, published
from lib.sandbox.auth import User, require_provider_logs
from lib.sandbox.dialects import TIDY, Dialect
from lib.sandbox.query import (
    MAX_SQLITE_INT,
    CollectionQuery,
    collection_query,
    is_row_id,
    order_sql,
)
from lib.sandbox.resources import (
    API_PREFIX,
    RESOURCES_BY_PATH,
    TABLE_SOURCES,
    Filter,
    Resource,
    iri,
)
from lib.sandbox.responses import ApiError, json_response

DATE_BOUNDS = ("before", "strictly_before", "after", "strictly_after")
LEAD_SEARCH_PARAM = "search"


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


def present(
    items: list[dict[str, Any]], resource: Resource, dialect: Dialect, user: User
) -> list[dict[str, Any]]:
    """Serialized items as `user` may see them, in `dialect`'s shape (rewritten in place)."""
    # Masked before published: an empty value stays empty and then reads as "".
    if masking.is_masked(user):
        for entry in items:
            masking.mask(resource.path, entry)
    if dialect.published_shape:
        published.publish_all(resource.path, items, dialect.zone)
    return items


def restyle(response: Response, resource: Resource, dialect: Dialect, user: User) -> Response:
    """A handler's tidy JSON item answer (e.g. a write's) as `user` sees it in `dialect`."""
    if response.status_code >= 300 or (dialect == TIDY and not masking.is_masked(user)):
        return response
    body = json.loads(response.get_data(as_text=True))
    present([body], resource, dialect, user)
    response.set_data(dialect.encode(body))
    return response


def item(
    connection: sqlite3.Connection,
    user: User,
    resource: Resource,
    raw_id: str,
    dialect: Dialect = TIDY,
) -> Response:
    """`GET /api/v4/<path>/<id>`."""
    if not is_row_id(raw_id):
        raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id!r}")
    with db.atomic(connection, write=False):
        rows = fetch(connection, resource, [int(raw_id)])
        if not rows:
            raise ApiError(404, f"Not Found: no {resource.type} with id {raw_id}")
        if resource.path == "logs" and rows[0]["type"] == "provider":
            require_provider_logs(user)
        found = present(serialize(connection, resource, rows), resource, dialect, user)[0]
    body = {"@context": f"/api/v4/contexts/{resource.type}", **found}
    return json_response(body, dialect=dialect)


def _total(connection: sqlite3.Connection, resource: Resource, query: CollectionQuery) -> int:
    """How many items the query matches. A lead list filtered by campaign, status and delivery
    only (or not at all) reads it from the counts the writes keep, whatever the campaign's
    size; any other filter counts, over an index."""
    counted = resource.path == "leads" and all(
        condition.equals_column in db.COUNTED_COLUMNS for condition in query.conditions
    )
    sql = (
        f"SELECT COALESCE(SUM(total), 0) FROM lead_counts{query.where}"
        if counted
        else f"SELECT COUNT(*) FROM {query.source(resource.table)}{query.where}"
    )
    return int(connection.execute(sql, query.params).fetchone()[0])


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
            f"SELECT id FROM {query.source(resource.table)}{query.where}"
            f" ORDER BY {order_sql(query.order, reverse=from_end)} LIMIT ? OFFSET ?",
            [*query.params, limit, skip],
        )
    ]
    if from_end:
        ids.reverse()
    return ids


def _matches_and_page(
    connection: sqlite3.Connection, resource: Resource, query: CollectionQuery
) -> tuple[int, list[int]]:
    """The total and the ids on the asked page. A search found by the index reads both in one
    statement (`_search_page`); any other list counts and then reads its page."""
    if any(condition.by_search_index for condition in query.conditions):
        return _search_page(connection, resource, query)
    total = _total(connection, resource, query)
    return total, _page_ids(connection, resource, query, total)


def _search_page(
    connection: sqlite3.Connection, resource: Resource, query: CollectionQuery
) -> tuple[int, list[int]]:
    """A search's page and total from one pass over its matches: the matches (their ids and
    the columns they are ordered by) are found and read once into a temporary table, counted
    there, and only the page's ids come back with the count (a count and then a page would
    find and read every candidate twice; a window count sorts every match, not just enough
    for the page). A page past the last has no row to carry the count: it counts."""
    columns = ", ".join(dict.fromkeys(["id", *(column for column, _ in query.order)]))
    if query.offset <= MAX_SQLITE_INT:
        page = connection.execute(
            f"WITH matches AS MATERIALIZED"
            f" (SELECT {columns} FROM {query.source(resource.table)}{query.where})"
            f" SELECT id, (SELECT COUNT(*) FROM matches) FROM matches"
            f" ORDER BY {order_sql(query.order)} LIMIT ? OFFSET ?",
            [*query.params, query.items_per_page, query.offset],
        ).fetchall()
        if page:
            return int(page[0][1]), [row[0] for row in page]
        if query.offset == 0:
            return 0, []
    return _total(connection, resource, query), []


def _first_page_at_once(resource: Resource, query: CollectionQuery) -> bool:
    """Whether the page is read rows and all in one statement: the first page of a plain
    table (a dossier's chronologies: 800 rows, read a third faster than ids and then rows).
    Lead pages keep picking their ids off the covering indexes first (a filtered page skips
    index entries, never table rows), and a joined source keeps its lookup by id."""
    return query.offset == 0 and resource.path != "leads" and resource.table not in TABLE_SOURCES


def _first_page_rows(
    connection: sqlite3.Connection, resource: Resource, query: CollectionQuery
) -> list[sqlite3.Row]:
    return connection.execute(
        f"SELECT * FROM {query.source(resource.table)}{query.where}"
        f" ORDER BY {order_sql(query.order)} LIMIT ?",
        [*query.params, query.items_per_page],
    ).fetchall()


def _page_links(path: str, args: MultiDict[str, str]) -> Callable[[int], str]:
    """The link to a page of the query in `args`: its other terms as sent, then the page.
    They are encoded once for the up to five links of a view (`page` comes last, so a
    link is the encoded terms and `&page=N`: what encoding them all each time gives)."""
    pairs = [(key, value) for key, value in args.items(multi=True) if key != "page"]
    terms = urlencode(pairs, safe="[]/:")
    prefix = f"{path}?{terms}&page=" if terms else f"{path}?page="
    return lambda page: f"{prefix}{page}"


def _view(
    path: str, args: MultiDict[str, str], page: int, last: int | None, dialect: Dialect
) -> dict[str, Any]:
    """The `hydra:view`: links to this, the first, the last and the neighbouring pages.

    With partial pagination (`last` None) there is no first or last, and `next` is given
    while the page is full (the caller passes `last = page` for a page that is not).
    """
    key = dialect.key
    page_link = _page_links(path, args)
    view: dict[str, Any] = {
        "@id": page_link(page),
        "@type": key("PartialCollectionView"),
    }
    if not dialect.partial_pagination:
        view[key("first")] = page_link(1)
        view[key("last")] = page_link(last or 1)
    if page > 1:
        view[key("previous")] = page_link(min(page - 1, last or page))
    if last is None or page < last:
        view[key("next")] = page_link(page + 1)
    return view


def _filter_variables(spec: Filter) -> list[tuple[str, str]]:
    """(variable, property) pairs a filter answers to, as API Platform lists them."""
    name = spec.param
    if spec.kind in {"datetime", "date"}:
        return [(f"{name}[{bound}]", name) for bound in DATE_BOUNDS]
    if spec.kind == "bool":
        return [(name, name)]
    names = [name, f"{name}.id"] if spec.kind == "relation" else [name]
    return [(variable, each) for each in names for variable in (each, f"{each}[]")]


def search_template(resource: Resource, dialect: Dialect) -> dict[str, Any]:
    """The collection's `hydra:search` IriTemplate: every filter variable it really reads.
    Made once per collection and dialect and shared by every answer: never changed."""
    return _search_template(resource.path, dialect)


@functools.cache
def _search_template(path: str, dialect: Dialect) -> dict[str, Any]:
    resource = RESOURCES_BY_PATH[path]
    variables = [pair for spec in resource.filters for pair in _filter_variables(spec)]
    if resource.path == "leads":
        variables.append((LEAD_SEARCH_PARAM, LEAD_SEARCH_PARAM))
    variables += [(f"order[{name}]", name) for name in resource.orders]
    key = dialect.key
    names = ",".join(variable for variable, _ in variables)
    return {
        "@type": key("IriTemplate"),
        key("template"): f"{API_PREFIX}/{path}{{?{names}}}",
        key("variableRepresentation"): "BasicRepresentation",
        key("mapping"): [
            {"@type": "IriTemplateMapping", "variable": variable, "property": prop,
             "required": False}
            for variable, prop in variables
        ],
    }  # fmt: skip


def _partial_page_ids(
    connection: sqlite3.Connection, resource: Resource, query: CollectionQuery
) -> list[int]:
    """The ids on the asked page, without counting the collection (partial pagination)."""
    if query.offset > MAX_SQLITE_INT:
        # No table holds that many rows, and SQLite cannot even take the number.
        return []
    return [
        row[0]
        for row in connection.execute(
            f"SELECT id FROM {query.source(resource.table)}{query.where}"
            f" ORDER BY {order_sql(query.order)} LIMIT ? OFFSET ?",
            [*query.params, query.items_per_page, query.offset],
        )
    ]


def collection(
    connection: sqlite3.Connection,
    user: User,
    resource: Resource,
    args: MultiDict[str, str],
    dialect: Dialect = TIDY,
) -> Response:
    """`GET /api/v4/<path>?<filters, order, page>`: one page and the total, from one snapshot
    (no total with partial pagination)."""
    # Status codes are read as labels; the view's links keep the query as sent.
    asked = args
    if dialect.published_shape and resource.path == "leads":
        asked = published.status_filter_labels(args)
    query = collection_query(resource, asked, user)
    total: int | None = None
    with db.atomic(connection, write=False):
        if dialect.partial_pagination:
            rows = fetch(connection, resource, _partial_page_ids(connection, resource, query))
        elif _first_page_at_once(resource, query):
            total = _total(connection, resource, query)
            rows = _first_page_rows(connection, resource, query) if total else []
        else:
            total, ids = _matches_and_page(connection, resource, query)
            rows = fetch(connection, resource, ids)
        members = serialize(connection, resource, rows)
    present(members, resource, dialect, user)
    path = f"{API_PREFIX}/{resource.path}"
    key = dialect.key
    body: dict[str, Any] = {
        "@context": f"/api/v4/contexts/{resource.type}",
        "@id": path,
        "@type": key("Collection"),
        key("member"): members,
    }
    if total is None:
        full = len(members) == query.items_per_page
        last = None if full else query.page
    else:
        body[key("totalItems")] = total
        last = max(1, math.ceil(total / query.items_per_page))
    body[key("view")] = _view(path, args, query.page, last, dialect)
    body[key("search")] = search_template(resource, dialect)
    return json_response(body, dialect=dialect)
