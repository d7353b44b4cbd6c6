"""The lead lists at any size: totals from the kept counts, pages off indexes from either end,
the search through FTS5, and answers identical to a plain COUNT and SELECT over the seed."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.datastructures import MultiDict

from lib.sandbox import create_app, db
from lib.sandbox.auth import User
from lib.sandbox.demo import SHOWCASE_CAUTION_LEAD_ID
from lib.sandbox.query import collection_query, order_sql
from lib.sandbox.resources import RESOURCES_BY_PATH
from tests.support.sandbox import login, make_client

LEADS = RESOURCES_BY_PATH["leads"]
PER_PAGE = 7
ADMIN = User(1, "admin@sandbox.test", "Admin", "admin")

FILTER_COMBINATIONS: dict[str, list[tuple[str, str]]] = {
    "everything": [],
    "one campaign": [("campaign.id", "3")],
    "two campaigns": [("campaign.id[]", "1"), ("campaign.id[]", "3")],
    "status": [("campaign.id", "3"), ("processrStatus", "Valid")],
    "two statuses": [
        ("campaign.id", "3"),
        ("processrStatus[]", "Valid"),
        ("processrStatus[]", "Caution"),
    ],
    "status everywhere": [("processrStatus", "Invalid")],
    "not delivered": [("campaign.id", "1"), ("delivered", "false")],
    "status and delivery": [("campaign.id", "1"), ("processrStatus", "Valid"), ("delivered", "1")],
    "dates": [("campaign.id", "3"), ("createdTs[after]", "2026-08-01")],
    "dates and status": [
        ("campaign.id", "1"),
        ("processrStatus", "Caution"),
        ("createdTs[before]", "2026-10-15"),
    ],
    "search a surname": [("campaign.id", "1"), ("search", "bennett")],
    "search in any case, everywhere": [("search", "BENN")],
    "search a full name": [("search", "Olivia Bennett")],
    "search an email part": [("search", "@gmail.")],
    "search a short term": [("search", "ol")],
    "search a lead id": [("search", str(SHOWCASE_CAUTION_LEAD_ID))],
    "search two terms": [("search", "olivia"), ("search", "harbourline")],
    "search and status": [("search", "an"), ("processrStatus", "Valid")],
    "search with LIKE wildcards": [("search", "%_%")],
    "search a quote": [("search", 'a"b')],
}
"""Filter combinations whose totals and pages must equal a plain query's."""

PLAIN_SEARCH = (
    "(id = ? OR email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\'"
    " OR last_name LIKE ? ESCAPE '\\' OR (first_name || ' ' || last_name) LIKE ? ESCAPE '\\')"
)


def plain_where(pairs: list[tuple[str, str]]) -> tuple[str, list[Any]]:
    """The WHERE clause of a plain query for these filters, written out by hand."""
    args = MultiDict(pairs)
    sql: list[str] = []
    params: list[Any] = []
    columns = {"campaign.id": "campaign_id", "processrStatus": "processr_status"}
    for name, column in columns.items():
        wanted = args.getlist(name) + args.getlist(f"{name}[]")
        if wanted:
            sql.append(f"{column} IN ({', '.join('?' * len(wanted))})")
            params += [int(value) if column == "campaign_id" else value for value in wanted]
    if "delivered" in args:
        sql.append("delivered = ?")
        params.append(int(args["delivered"] in {"true", "1"}))
    if "createdTs[after]" in args:
        sql.append("created_ts >= ?")
        params.append(f"{args['createdTs[after]']}T00:00:00+00:00")
    if "createdTs[before]" in args:
        sql.append("created_ts < date(?, '+1 day') || 'T00:00:00+00:00'")
        params.append(args["createdTs[before]"])
    for term in args.getlist("search"):
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql.append(PLAIN_SEARCH)
        params += [int(term) if term.isdigit() else None, *(pattern,) * 4]
    return (f" WHERE {' AND '.join(sql)}" if sql else ""), params


@pytest.fixture
def db_file(sandbox_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{sandbox_db}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", FILTER_COMBINATIONS)
@pytest.mark.parametrize("way", ["desc", "asc"])
def test_totals_and_pages_equal_a_plain_query(
    tidy_api: httpx.Client, db_file: sqlite3.Connection, name: str, way: str
) -> None:
    pairs = FILTER_COMBINATIONS[name]
    where, params = plain_where(pairs)
    expected_total = db_file.execute(f"SELECT COUNT(*) FROM leads{where}", params).fetchone()[0]
    expected_ids = [
        row[0]
        for row in db_file.execute(
            f"SELECT id FROM leads{where} ORDER BY created_ts {way}, id ASC", params
        )
    ]
    if name.startswith("search a") and "short" not in name and "quote" not in name:
        assert expected_total > 0, f"{name}: the seed should hold a match"
    last = max(1, math.ceil(expected_total / PER_PAGE))
    # The first, the middle (read from the far end when past half) and the last page.
    for page in sorted({1, 2, last // 2 + 1, last - 1 or 1, last, last + 1}):
        query = [*pairs, ("order[createdTs]", way), ("itemsPerPage", str(PER_PAGE))]
        body = tidy_api.get("/api/v4/leads", params=[*query, ("page", str(page))]).json()
        assert body["hydra:totalItems"] == expected_total, (name, page)
        got = [lead["id"] for lead in body["hydra:member"]]
        assert got == expected_ids[(page - 1) * PER_PAGE : page * PER_PAGE], (name, page)


def _counts(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            "SELECT campaign_id, processr_status, delivered, total FROM lead_counts"
            " WHERE total > 0 ORDER BY 1, 2, 3"
        )
    ]


def _grouped(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            "SELECT campaign_id, processr_status, delivered, COUNT(*) FROM leads"
            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
    ]


def _found(connection: sqlite3.Connection, term: str) -> set[int]:
    """The lead ids the search index holds for `term` (whichever campaign)."""
    return {
        row[0]
        for row in connection.execute(
            f"SELECT rowid % {db.CAMPAIGN_STRIDE} FROM {db.SEARCH_TABLE}"
            f" WHERE {db.SEARCH_TABLE} MATCH ?",
            (f'"{term}"',),
        )
    }


def test_the_counts_table_holds_the_seeded_counts(db_file: sqlite3.Connection) -> None:
    kept = _counts(db_file)
    assert kept == _grouped(db_file) and len(kept) > 10


def test_every_lead_write_keeps_counts_and_search_in_its_transaction(writable_db: Path) -> None:
    connection = db.connect(writable_db)
    lead = SHOWCASE_CAUTION_LEAD_ID
    # A status change, a delivery, a move to another campaign, in one transaction.
    with db.atomic(connection, write=True):
        connection.execute(
            "UPDATE leads SET processr_status = 'Valid', delivered = 1, campaign_id = 2"
            " WHERE id = ?",
            (lead,),
        )
    assert _counts(connection) == _grouped(connection)
    # A new lead (copied from another) and a deleted one.
    with db.atomic(connection, write=True):
        connection.execute(
            "INSERT INTO leads SELECT 999999, campaign_id, publisher_id, publisher_sub_id,"
            " channel, form_hash, form_name, entry_point, title, 'Zebedee', 'Quartermaine',"
            " 'zq@example.test', telephone, company, job_title, country, dob, postcode,"
            " address_line1, address_line2, address_line3, address_line4, latitude, longitude,"
            " ip, host, opt_in, double_opt_in, processr_status, score, max_score, hardfail,"
            " processing_counter, suppression_list, delivered, over_allocated, created_ts,"
            " first_delivered_ts, email_hash, fingerprint, publisher_payout, advertiser_payout,"
            " publisher_billable, advertiser_billable FROM leads WHERE id = ?",
            (lead + 2,),
        )
        connection.execute("DELETE FROM leads WHERE id = ?", (lead + 3,))
    assert _counts(connection) == _grouped(connection)
    assert _found(connection, "quartermaine") == {999999}
    assert _found(connection, "zebedee quarter") == {999999}
    # A rolled-back write leaves both as they were.
    before = _counts(connection)
    with pytest.raises(RuntimeError), db.atomic(connection, write=True):
        connection.execute("UPDATE leads SET processr_status = 'Test' WHERE campaign_id = 1")
        connection.execute("UPDATE leads SET first_name = 'Rollback' WHERE id = 999999")
        raise RuntimeError("abandon the write")
    assert _counts(connection) == before and not _found(connection, "rollback")
    connection.close()


def test_a_lead_data_edit_reindexes_the_name_it_changes(writable_db: Path) -> None:
    with make_client(writable_db, dialect="tidy") as client:
        client.headers.update(login(client, "admin"))
        lead_iri = f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}"
        answer = client.post(
            "/api/v4/lead-datas", json={"lead": lead_iri, "name": "lastName", "value": "Okonkwo"}
        )
        assert answer.status_code in {200, 201}, answer.text
        found = client.get("/api/v4/leads", params={"search": "Olivia Okonkwo"}).json()
        assert [lead["id"] for lead in found["hydra:member"]] == [SHOWCASE_CAUTION_LEAD_ID]
        gone = client.get("/api/v4/leads", params={"search": "Olivia Bennett"}).json()
        assert SHOWCASE_CAUTION_LEAD_ID not in [lead["id"] for lead in gone["hydra:member"]]


def test_search_finds_a_lead_by_id_and_by_full_name(tidy_api: httpx.Client) -> None:
    by_id = tidy_api.get("/api/v4/leads", params={"search": f" {SHOWCASE_CAUTION_LEAD_ID} "})
    assert [lead["id"] for lead in by_id.json()["hydra:member"]] == [SHOWCASE_CAUTION_LEAD_ID]
    by_name = tidy_api.get("/api/v4/leads", params={"search": "olivia BENNETT"}).json()
    assert SHOWCASE_CAUTION_LEAD_ID in [lead["id"] for lead in by_name["hydra:member"]]
    assert all(
        (lead["firstName"], lead["lastName"]) == ("Olivia", "Bennett")
        for lead in by_name["hydra:member"]
    )


ORDERS = ("desc", "asc")
PLAN_FILTERS: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "status": [("processrStatus", "Valid")],
    "statuses": [("processrStatus[]", "Valid"), ("processrStatus[]", "Caution")],
    "delivery": [("delivered", "false")],
    "status and delivery": [("processrStatus", "Valid"), ("delivered", "true")],
    "dates": [("createdTs[after]", "2026-09-01"), ("createdTs[before]", "2026-09-30")],
}


@pytest.mark.parametrize("name", PLAN_FILTERS)
@pytest.mark.parametrize("way", ORDERS)
def test_every_order_and_filter_reads_an_index_from_either_end(
    db_file: sqlite3.Connection, name: str, way: str
) -> None:
    args = MultiDict([("campaign.id", "3"), ("order[createdTs]", way), *PLAN_FILTERS[name]])
    query = collection_query(LEADS, args, ADMIN)
    for reverse in (False, True):  # the first pages, and the last ones read backwards
        plan = " | ".join(
            row[3]
            for row in db_file.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM leads{query.where}"
                f" ORDER BY {order_sql(query.order, reverse=reverse)} LIMIT 30 OFFSET 30",
                query.params,
            )
        )
        assert "COVERING INDEX leads_by_campaign" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    count = " ".join(
        row[3]
        for row in db_file.execute(
            f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM leads{query.where}", query.params
        )
    )
    assert "COVERING INDEX" in count, count


def test_a_search_reads_the_full_text_index_not_the_campaign(db_file: sqlite3.Connection) -> None:
    args = MultiDict([("campaign.id", "3"), ("order[createdTs]", "desc"), ("search", "benn")])
    query = collection_query(LEADS, args, ADMIN)
    plan = " | ".join(
        row[3]
        for row in db_file.execute(
            f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM {query.source('leads')}{query.where}",
            query.params,
        )
    )
    assert f"{db.SEARCH_TABLE} VIRTUAL TABLE" in plan and "INTEGER PRIMARY KEY" in plan, plan


def test_a_counted_total_reads_no_lead_rows(
    sandbox_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filters on campaign, status and delivery only: the total comes from lead_counts."""
    statements: list[str] = []
    real_connect = db.connect

    def tracing(path: str | Path) -> sqlite3.Connection:
        connection = real_connect(path)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(db, "connect", tracing)
    app = create_app(sandbox_db, dialect="tidy")
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://x") as client:
        client.headers.update(login(client, "admin"))
        statements.clear()
        client.get("/api/v4/leads?campaign.id=3&processrStatus[]=Valid&delivered=true")
        client.get("/api/v4/leads")
        assert not [s for s in statements if "COUNT(" in s.upper()], statements
        assert sum("FROM lead_counts" in s for s in statements) == 2
        statements.clear()
        client.get("/api/v4/leads?campaign.id=3&createdTs[after]=2026-09-01")
        assert any("COUNT(*) FROM leads" in s for s in statements)


def test_an_old_database_gets_the_lists_when_opened(writable_db: Path) -> None:
    connection = sqlite3.connect(writable_db, isolation_level=None)
    for trigger in ("leads_counted_in", "leads_counted_out", "leads_recounted", "leads_reindexed"):
        connection.execute(f"DROP TRIGGER {trigger}")
    connection.execute("DROP TABLE lead_counts")
    connection.execute(f"DROP TABLE {db.SEARCH_TABLE}")
    connection.execute("DROP INDEX leads_by_campaign_time_desc")
    connection.execute("CREATE INDEX leads_campaign_created ON leads (campaign_id, created_ts, id)")
    connection.close()
    create_app(writable_db)  # migrates
    connection = sqlite3.connect(writable_db)
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"lead_counts", db.SEARCH_TABLE, "leads_by_campaign_time_desc"} <= names
    assert "leads_reindexed" in names
    assert "leads_campaign_created" not in names
    assert _counts(connection) == _grouped(connection)
    assert SHOWCASE_CAUTION_LEAD_ID in _found(connection, "olivia bennett")
    connection.close()


def test_a_search_in_one_campaign_reads_only_that_campaigns_candidates(sandbox_db: Path) -> None:
    """Issue 18: a search's cost must not grow with the matches in other campaigns. The
    search index is read in the campaign's rowid range only (its candidates are that
    campaign's leads), and the answer is the plain search's."""
    import sqlite3

    from werkzeug.datastructures import MultiDict

    from lib.sandbox.auth import User as SandboxUser
    from lib.sandbox.query import collection_query
    from lib.sandbox.resources import RESOURCES_BY_PATH

    user = SandboxUser(1, "analyst@sandbox.test", "Ana Lyst", "analyst")
    leads = RESOURCES_BY_PATH["leads"]
    in_campaign = collection_query(
        leads, MultiDict([("campaign.id", "1"), ("search", "bennett")]), user
    )
    everywhere = collection_query(leads, MultiDict([("search", "bennett")]), user)
    with sqlite3.connect(sandbox_db) as connection:

        def ids(query: Any) -> list[int]:
            sql = f"SELECT id FROM {query.source('leads')}{query.where}"
            return [row[0] for row in connection.execute(sql, query.params)]

        plan = " ".join(
            str(row[3])
            for row in connection.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM {in_campaign.source('leads')}"
                f"{in_campaign.where}",
                in_campaign.params,
            )
        )
        expected = [
            lead_id
            for lead_id, campaign in connection.execute(
                f"SELECT id, campaign_id FROM {everywhere.source('leads')}{everywhere.where}",
                everywhere.params,
            )
            if campaign == 1
        ]
        assert ids(in_campaign) == expected and expected, "the same answer"
        search = next(c for c in in_campaign.conditions if c.by_search_index)
        # The candidates' statement holds no parenthesis of its own.
        candidates_sql = search.sql.split("id IN (", 1)[1].split(")", 1)[0]
        candidates = [
            row[0]
            for row in connection.execute(
                candidates_sql, search.params[: candidates_sql.count("?")]
            )
        ]
        in_other_campaigns = connection.execute(
            f"SELECT COUNT(*) FROM leads WHERE campaign_id != 1"
            f" AND id IN ({', '.join('?' * len(candidates))})",
            candidates,
        ).fetchone()[0]
        found_everywhere = _found(connection, "bennett")
    assert set(expected) <= set(candidates) and in_other_campaigns == 0, candidates
    assert len(found_everywhere) > len(candidates), "other campaigns hold matches too"
    assert f"{db.SEARCH_TABLE} VIRTUAL TABLE" in plan, plan


def test_an_index_by_lead_id_is_replaced_by_the_index_by_campaign(writable_db: Path) -> None:
    """A database whose search index was keyed by lead id alone (before issue 18) gets the
    index by campaign when opened, and its triggers keep the new one."""
    connection = sqlite3.connect(writable_db, isolation_level=None)
    for trigger in db.LISTS_TRIGGER_NAMES:
        connection.execute(f"DROP TRIGGER {trigger}")
    connection.execute(f"DROP TABLE {db.SEARCH_TABLE}")
    connection.execute(
        "CREATE VIRTUAL TABLE lead_search USING fts5("
        " email, first_name, last_name, full_name, content='', tokenize='trigram')"
    )
    connection.close()
    create_app(writable_db)  # migrates
    connection = sqlite3.connect(writable_db, isolation_level=None)
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert db.SEARCH_TABLE in names and "lead_search" not in names
    assert SHOWCASE_CAUTION_LEAD_ID in _found(connection, "olivia bennett")
    connection.execute(
        "UPDATE leads SET first_name = 'Philippa' WHERE id = ?", (SHOWCASE_CAUTION_LEAD_ID,)
    )
    assert SHOWCASE_CAUTION_LEAD_ID in _found(connection, "philippa bennett")
    campaign = connection.execute(
        "SELECT campaign_id FROM leads WHERE id = ?", (SHOWCASE_CAUTION_LEAD_ID,)
    ).fetchone()[0]
    moved_to = campaign % 9 + 1
    connection.execute(
        "UPDATE leads SET campaign_id = ? WHERE id = ?", (moved_to, SHOWCASE_CAUTION_LEAD_ID)
    )
    assert _found_in(connection, "philippa bennett", moved_to) == {SHOWCASE_CAUTION_LEAD_ID}
    assert SHOWCASE_CAUTION_LEAD_ID not in _found_in(connection, "philippa bennett", campaign)
    connection.close()


def _found_in(connection: sqlite3.Connection, term: str, campaign: int) -> set[int]:
    """The lead ids the search index holds for `term` in one campaign's rowid range."""
    first = campaign * db.CAMPAIGN_STRIDE
    return {
        row[0]
        for row in connection.execute(
            f"SELECT rowid % {db.CAMPAIGN_STRIDE} FROM {db.SEARCH_TABLE}"
            f" WHERE {db.SEARCH_TABLE} MATCH ? AND rowid BETWEEN ? AND ?",
            (f'"{term}"', first, first + db.CAMPAIGN_STRIDE - 1),
        )
    }
