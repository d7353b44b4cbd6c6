"""The lead search answers what its definition says, whichever way the sandbox finds it: each
term a substring of the email, a name or "first last" in any ASCII case (SQLite's LIKE), or the
lead id. The search index folds Unicode case where LIKE folds ASCII only, so the answers are
checked against a plain LIKE scan of the rows, for ASCII and non-ASCII terms and values (a
KELVIN SIGN, a LONG S, accented capitals), in several orders, filters and pages."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.sandbox import db
from lib.sandbox.query import FOLDED_FROM_BEYOND_ASCII, MAX_PARAMETER_VALUES, index_decides
from tests.support.sandbox import copy_database, login, make_client

KELVIN, LONG_S, DOTLESS_I = "\u212a", "\u017f", "\u0131"
TRICKY_PEOPLE: tuple[tuple[str | None, str | None, str | None], ...] = (
    # (first name, last name, email): values where the index's case folding and LIKE's differ.
    (f"{KELVIN}ate", "Bennett", "kelvin.sign@example.test"),
    ("Kate", "Bennett", "KATE.BENNETT@EXAMPLE.TEST"),
    ("kate", "BENNETT", "kate@bennett.test"),
    (f"Ro{LONG_S}e", f"Ma{LONG_S}on", f"ro{LONG_S}e@mason.test"),
    ("Rose", "MASON", "rose.mason@example.test"),
    ("Élodie", "Bénnett", "elodie@bennett.test"),
    ("ÉLODIE", "BÉNNETT", "ÉLODIE@BÉNNETT.TEST"),
    ("İlker", f"Y{DOTLESS_I}ld{DOTLESS_I}z", "ilker@yildiz.test"),
    ("Straße", "STRASSE", "strasse@example.test"),
    ("Zoë", "O'Brien", "zoe.o'brien@example.test"),
    ("100%", "under_score", "pct_100%@example.test"),
    ("back\\slash", 'quo"te', 'quo"te@example.test'),
    (None, "Bennett", "nobody@bennett.test"),
    ("Kate", None, None),
    ("😀Kate", "Smiley", "smiley@example.test"),
    ("SKY", "skies", f"S{KELVIN}Y@example.test"),
)
TRICKY_CAMPAIGNS = (3, 1)
"""The tricky people are written over leads of these campaigns, in turn."""
ORDERS = {
    "createdTs": "created_ts",
    "id": "id",
    "score": "score",
    "lastName": "last_name",
    "processrStatus": "processr_status",
}
"""The orders tried (the Leads page's columns) and the column each sorts by."""
RECASINGS: tuple[Callable[[str], str], ...] = (str.__str__, str.lower, str.upper, str.swapcase)
"""How a piece of a value is recased into a term (Python's case mappings are Unicode's:
"\u017f".upper() is "S", "\u212a".lower() is "k")."""
LEAD_ID = re.compile(r"[0-9]{1,18}")
PLAIN_SEARCH = (
    "(id = ? OR email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\'"
    " OR last_name LIKE ? ESCAPE '\\' OR (first_name || ' ' || last_name) LIKE ? ESCAPE '\\')"
)
"""The search's definition, written out by hand: the lead id, or a LIKE on each value."""


@pytest.fixture(scope="module")
def tricky_db(sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database with the tricky people written over some leads (the triggers
    index them, in new segments of the search index)."""
    path = copy_database(sandbox_db, tmp_path_factory.mktemp("search") / "search.sqlite")
    connection = sqlite3.connect(path, isolation_level=None)
    for index, (first, last, email) in enumerate(TRICKY_PEOPLE * 2):
        campaign = TRICKY_CAMPAIGNS[index % len(TRICKY_CAMPAIGNS)]
        connection.execute(
            "UPDATE leads SET first_name = ?, last_name = ?, email = ? WHERE id = ("
            " SELECT id FROM leads WHERE campaign_id = ? ORDER BY id LIMIT 1 OFFSET ?)",
            (first, last, email, campaign, index * 3),
        )
    connection.close()
    return path


@pytest.fixture(scope="module")
def admin(tricky_db: Path) -> Iterator[httpx.Client]:
    with make_client(tricky_db, dialect="tidy") as client:
        client.headers.update(login(client, "admin"))
        yield client


@pytest.fixture(scope="module")
def rows(tricky_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{tricky_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def _values(connection: sqlite3.Connection) -> list[str]:
    """Every search value of the tricky people and of some seeded leads."""
    seeded = connection.execute(
        "SELECT email, first_name, last_name FROM leads ORDER BY id LIMIT 40"
    ).fetchall()
    people = [*TRICKY_PEOPLE, *seeded]
    return sorted({value for person in people for value in person if value})


def plain_ids(
    connection: sqlite3.Connection,
    terms: list[str],
    filters: list[tuple[str, Any]],
    order: list[tuple[str, str]],
) -> list[int]:
    """The ids the search should answer, in order: a plain LIKE scan over every lead row."""
    where = [f"{column} = ?" for column, _ in filters]
    params: list[Any] = [value for _, value in filters]
    for term in terms:
        text = term.strip()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(PLAIN_SEARCH)
        params += [int(text) if LEAD_ID.fullmatch(text) else None, *(pattern,) * 4]
    terms_sql = [f"{ORDERS[name]} {way.upper()}" for name, way in order]
    if not any(name == "id" for name, _ in order):
        terms_sql.append("id ASC")
    sql = (
        f"SELECT id FROM leads NOT INDEXED WHERE {' AND '.join(where)}"
        f" ORDER BY {', '.join(terms_sql)}"
    )
    return [row[0] for row in connection.execute(sql, params)]


@st.composite
def search_terms(draw: st.DrawFn, values: list[str], lead_ids: list[int]) -> str:
    """A term likely to match: a piece of a stored value in a changed case, a lead id, or
    text from an alphabet of the characters whose folding differs."""
    kind = draw(st.sampled_from(["piece", "piece", "id", "text"]))
    if kind == "id":
        return f" {draw(st.sampled_from(lead_ids))} "
    if kind == "text":
        alphabet = st.sampled_from(list(f'kKsSaeEtTbn{KELVIN}{LONG_S}éÉİ{DOTLESS_I}ß%_\\" @.1'))
        return draw(st.text(alphabet, max_size=6))
    value = draw(st.sampled_from(values))
    start = draw(st.integers(0, len(value) - 1))
    piece = value[start : start + draw(st.integers(1, 8))]
    return draw(st.sampled_from(RECASINGS))(piece)


@given(data=st.data())
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_a_search_answers_the_plain_like_scan(
    admin: httpx.Client, rows: sqlite3.Connection, data: st.DataObject
) -> None:
    values = _values(rows)
    lead_ids = [row[0] for row in rows.execute("SELECT id FROM leads ORDER BY id LIMIT 30")]
    terms = data.draw(st.lists(search_terms(values, lead_ids), min_size=1, max_size=2))
    filters: list[tuple[str, Any]] = []
    query: list[tuple[str, str]] = []
    campaign = data.draw(st.sampled_from([3, 1, None]))
    if campaign is not None:
        filters.append(("campaign_id", campaign))
        query.append(("campaign.id", str(campaign)))
    if data.draw(st.booleans()):
        filters.append(("processr_status", "Valid"))
        query.append(("processrStatus", "Valid"))
    order = data.draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(ORDERS)), st.sampled_from(["asc", "desc"])),
            max_size=2,
            unique_by=lambda term: term[0],
        )
    )
    per_page = data.draw(st.sampled_from([1, 3, 10, 30]))
    expected = plain_ids(rows, terms, filters, order)
    last = max(1, -(-len(expected) // per_page))
    page = data.draw(st.integers(1, last + 1))
    query += [(f"order[{name}]", way) for name, way in order]
    query += [("search", term) for term in terms]
    query += [("itemsPerPage", str(per_page)), ("page", str(page))]

    answer = admin.get("/api/v4/leads", params=tuple(query))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["hydra:totalItems"] == len(expected), (terms, query)
    on_page = expected[(page - 1) * per_page : page * per_page]
    assert [lead["id"] for lead in body["hydra:member"]] == on_page, (terms, query)
    if on_page:
        # Every field: the same leads as the list of those ids answers them (no search).
        by_id = [("id[]", str(lead_id)) for lead_id in on_page[:MAX_PARAMETER_VALUES]]
        listed = admin.get("/api/v4/leads", params=[*by_id, ("itemsPerPage", "30")]).json()
        members = {lead["id"]: lead for lead in listed["hydra:member"]}
        assert body["hydra:member"] == [members[lead_id] for lead_id in on_page]


TRICKY_TERMS = {
    "the KELVIN SIGN's folding is the index's, not LIKE's": "kate",
    "an ASCII K is not a KELVIN SIGN for LIKE": f"{KELVIN}ATE",
    "the LONG S's folding is the index's, not LIKE's": "rose",
    "an accented capital folds in the index only": "élodie",
    "a dotted capital I": "İlk",
    "a term of two characters": "ké",
    "a LIKE wildcard taken literally": "0%@",
    "an underscore taken literally": "r_s",
    "a quote and a backslash": 'k\\s"',
    "a full name": "kate bennett",
    "a lead id": "100001",
    "no match": "zzzqqq",
}


@pytest.mark.parametrize("name", TRICKY_TERMS)
@pytest.mark.parametrize("order", ["createdTs", "id", "lastName"])
@pytest.mark.parametrize("way", ["asc", "desc"])
def test_tricky_terms_answer_the_plain_like_scan(
    admin: httpx.Client, rows: sqlite3.Connection, name: str, order: str, way: str
) -> None:
    term = TRICKY_TERMS[name]
    for campaign in (3, None):
        filters = [("campaign_id", campaign)] if campaign else []
        expected = plain_ids(rows, [term], filters, [(order, way)])
        for page in (1, 2, 3):
            query: dict[str, str | int] = {
                "search": term,
                f"order[{order}]": way,
                "itemsPerPage": 2,
                "page": page,
            }
            if campaign:
                query["campaign.id"] = campaign
            body = admin.get("/api/v4/leads", params=query).json()
            assert body["hydra:totalItems"] == len(expected), (name, campaign)
            got = [lead["id"] for lead in body["hydra:member"]]
            assert got == expected[(page - 1) * 2 : page * 2], (name, campaign, page)


def test_the_tricky_values_are_where_the_index_and_like_differ(rows: sqlite3.Connection) -> None:
    """The fixture holds what the tests need: the index finds leads for "kate" and "rose"
    that LIKE does not (a KELVIN SIGN, a LONG S), and LIKE finds some too."""
    for term in ("kate", "rose"):
        found = {
            row[0]
            for row in rows.execute(
                f"SELECT rowid % {db.CAMPAIGN_STRIDE} FROM {db.SEARCH_TABLE}"
                f" WHERE {db.SEARCH_TABLE} MATCH ?",
                (f'"{term}"',),
            )
        }
        liked = set(plain_ids(rows, [term], [], []))
        assert liked and liked < found, term


def test_the_letters_other_characters_fold_to_are_the_ones_named() -> None:
    """FOLDED_FROM_BEYOND_ASCII is what this SQLite's trigram tokenizer does: every code
    point beyond ASCII, tripled, indexed, and looked up as each ASCII character tripled."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, content='', tokenize='trigram')")
    connection.executemany(
        "INSERT INTO t (rowid, x) VALUES (?, ?)",
        (
            (point, chr(point) * 3)
            for point in range(0x80, 0x110000)
            if not 0xD800 <= point <= 0xDFFF  # surrogates are no characters
        ),
    )
    folded_to = {
        letter.lower()
        for letter in map(chr, range(0x20, 0x7F))
        if connection.execute(
            "SELECT 1 FROM t WHERE t MATCH ?", ('"' + (letter * 3).replace('"', '""') + '"',)
        ).fetchone()
    }
    connection.close()
    assert folded_to == set(FOLDED_FROM_BEYOND_ASCII)


def test_the_index_matches_each_ascii_character_as_like_does() -> None:
    """Between ASCII characters the index's folding is LIKE's: each character (whitespace and
    controls too) matches itself and its other ASCII case only."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, content='', tokenize='trigram')")
    characters = [chr(point) for point in range(1, 0x80)]
    connection.executemany(
        "INSERT INTO t (rowid, x) VALUES (?, ?)",
        ((point, f"a{character}b") for point, character in enumerate(characters, 1)),
    )
    for point, character in enumerate(characters, 1):
        phrase = '"' + f"a{character}b".replace('"', '""') + '"'
        found = {
            row[0] for row in connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (phrase,))
        }
        same = {
            other_point
            for other_point, other in enumerate(characters, 1)
            if other.lower() == character.lower()
        }
        assert found == same, (character, point)
    connection.close()


@pytest.mark.parametrize(
    ("term", "decides"),
    [
        ("bennett", True),
        ("Olivia Bennett", True),
        ("smith", False),  # an s: a LONG S folds to it
        ("kate", False),  # a k: a KELVIN SIGN folds to it
        ("élodie", False),  # beyond ASCII: the index folds its case, LIKE does not
        ("@gmail.", True),
        ("100%_", True),
    ],
)
def test_the_index_decides_only_where_like_would_agree(term: str, decides: bool) -> None:
    assert index_decides(term) is decides


@pytest.mark.parametrize("term", ["bennett", f"{KELVIN}ate", "ab", " "])
def test_a_masked_user_may_not_search(tricky_db: Path, term: str) -> None:
    """Masking's rule holds on every path: a search matches emails, so a masked role's search
    is refused, whatever the term, rather than answered by the index."""
    with make_client(tricky_db, dialect="tidy") as client:
        client.headers.update(login(client, "masked"))
        answer = client.get("/api/v4/leads", params={"search": term, "campaign.id": "3"})
    assert answer.status_code == 403, answer.text
    assert "search" in answer.json()["hydra:description"]
