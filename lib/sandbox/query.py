"""Query strings to SQL: a collection's filters, search, ordering and page, checked on the way.

Each filter kind (`resources.FilterKind`) has one entry in `FILTER_KINDS`: a function that
reads the kind's query parameters, parses them (a malformed value is a 400 naming the
parameter) and returns the SQL conditions, with `?` placeholders only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from lib.sandbox.auth import PROVIDER_LOGS_FORBIDDEN, User
from lib.sandbox.db import CAMPAIGN_STRIDE, SEARCH_TABLE, stamp
from lib.sandbox.masking import refuse_masked_filters
from lib.sandbox.resources import API_PREFIX, Filter, FilterKind, Resource
from lib.sandbox.responses import ApiError

ITEMS_PER_PAGE = 30
MAX_SQLITE_INT = 2**63 - 1
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
DIGITS = re.compile(r"[0-9]{1,19}")
ORDER_PARAM = re.compile(r"order\[([A-Za-z.]+)\]")
DATE_BOUNDS = ("after", "before", "strictly_after", "strictly_before")
# An unencoded "+00:00" offset arrives as " 00:00" (a "+" in a query string is a space).
SPACED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
DATETIME_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")
SMALLEST_DAY, LARGEST_DAY = date(1, 1, 2), date(9999, 12, 30)
"""The date range of date filters (assumed): days whose neighbours still exist, so a whole-day
bound can step one day either way and any offset still lands on a real day."""
MAX_PARAMETER_LENGTH = 255
"""The longest query parameter name or value, a search term included (assumed limit)."""
MAX_PARAMETER_VALUES = 50
"""The most values one query parameter may repeat (`status[]=...` N times; assumed limit)."""
MAX_QUERY_TERMS = 100
"""The most `name=value` terms one query string may hold (assumed limit)."""
LEAD_SEARCH_SQL = (
    "(email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\'"
    " OR last_name LIKE ? ESCAPE '\\'"
    " OR (first_name || ' ' || last_name) LIKE ? ESCAPE '\\')"
)
"""What a search term must match: a substring of the email, a name or the full name, in any
ASCII case (SQLite's LIKE). This decides the answer; the search index only narrows the rows
it is tried on."""
TRIGRAM = 3
"""The shortest term the trigram search index can look up; shorter ones scan the rows."""
FOLDED_FROM_BEYOND_ASCII = frozenset("ks")
"""The ASCII letters some other character folds to in the search index's case folding (the
trigram tokenizer folds Unicode case: KELVIN SIGN to k, LONG S to s), where LIKE folds ASCII
only. An ASCII term without them finds exactly the rows LIKE finds (`index_decides`)."""
SEARCH_CANDIDATES_SQL = (
    f"SELECT rowid % {CAMPAIGN_STRIDE} FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?"
)
"""The lead ids the search index finds for a term (its rowid holds the campaign too)."""
CAMPAIGN_RANGE_SQL = " AND rowid BETWEEN ? AND ?"
"""The search's candidates of one campaign: its rowid range, which FTS5 seeks to."""


@dataclass(frozen=True)
class Condition:
    """One SQL condition of a WHERE clause and the values of its placeholders."""

    sql: str
    params: tuple[Any, ...]
    equals_column: str | None = field(default=None, compare=False)
    """The column this condition compares for equality (`=` or `IN`), if that is all it does:
    lets a list whose conditions are all on counted columns read its total from the counts.
    Not compared: it says what the SQL already says."""
    by_search_index: bool = field(default=False, compare=False)
    """Whether the condition's candidates come from the search index (see `source`)."""


@dataclass(frozen=True)
class CollectionQuery:
    """What a collection request asks for: its page, its conditions and its order."""

    page: int
    items_per_page: int
    conditions: tuple[Condition, ...]
    order: tuple[tuple[str, str], ...]
    """(column, ASC|DESC) terms, ending with id so the order is total."""

    @property
    def where(self) -> str:
        """` WHERE a AND b`, or nothing without conditions."""
        if not self.conditions:
            return ""
        return f" WHERE {' AND '.join(condition.sql for condition in self.conditions)}"

    def source(self, table: str) -> str:
        """The FROM clause. A search by the index reads the rows it names by id (NOT INDEXED
        still lets SQLite look rows up by id): otherwise, for a page, SQLite may prefer to walk
        the whole campaign in order and try each lead against the search."""
        if any(condition.by_search_index for condition in self.conditions):
            return f"{table} NOT INDEXED"
        return table

    @property
    def params(self) -> list[Any]:
        return [value for condition in self.conditions for value in condition.params]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.items_per_page


def values(args: MultiDict[str, str], name: str) -> list[str]:
    """Every value sent for `name`, also spelled `name[]`."""
    return args.getlist(name) + args.getlist(f"{name}[]")


def positive_int(args: MultiDict[str, str], name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not DIGITS.fullmatch(raw) or int(raw) < 1:
        raise ApiError(400, f'Invalid value for "{name}": expected a positive integer, got {raw!r}')
    return int(raw)


def is_row_id(raw: str) -> bool:
    """Whether `raw` is a decimal id SQLite can store (1 to 2**63 - 1)."""
    return bool(DIGITS.fullmatch(raw)) and 0 < int(raw) <= MAX_SQLITE_INT


def parse_id(raw: str, name: str, target: str | None) -> int:
    """An id given bare ("3") or as an IRI into `target` ("/api/v4/campaigns/3")."""
    text = raw
    if target and text.startswith(f"{API_PREFIX}/{target}/"):
        text = text[len(API_PREFIX) + len(target) + 2 :]
    if is_row_id(text):
        return int(text)
    example = f"{API_PREFIX}/{target}/1" if target else "1"
    raise ApiError(
        400, f'Invalid value for "{name}": expected an id or an IRI like {example}, got {raw!r}'
    )


def parse_bool(raw: str, name: str) -> bool:
    lowered = raw.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise ApiError(400, f'Invalid value for "{name}": expected true or false, got {raw!r}')


def parse_moment(raw: str, name: str) -> tuple[datetime, bool]:
    """A date or datetime filter value as a UTC datetime, and whether it was a bare date."""
    text = SPACED_OFFSET.sub(r"\1+\2", raw.strip())
    bare = bool(DATE_PATTERN.fullmatch(text))
    try:
        if bare:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or not (bare or DATETIME_START.match(text)):
        raise ApiError(
            400,
            f'Invalid value for "{name}": expected a date (YYYY-MM-DD) or an ISO 8601 '
            f"datetime, got {raw!r}",
        )
    if not SMALLEST_DAY <= moment.date() <= LARGEST_DAY:
        raise _out_of_range(raw, name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), bare


def _out_of_range(raw: str, name: str) -> ApiError:
    return ApiError(
        400,
        f'Invalid value for "{name}": expected a date from {SMALLEST_DAY.isoformat()} to '
        f"{LARGEST_DAY.isoformat()}, got {raw!r}",
    )


def escape_like(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _datetime_condition(column: str, bound: str, raw: str, name: str) -> Condition:
    """SQL condition for a createdTs[bound] filter; stored stamps are whole UTC seconds.

    A bare date covers the whole day: `after` and `before` include it, the strict bounds
    exclude it.
    """
    moment, bare = parse_moment(raw, name)
    whole = moment.replace(microsecond=0)
    ceiling = whole if moment.microsecond == 0 else whole + timedelta(seconds=1)
    if bare:
        next_day = moment + timedelta(days=1)
        operator, value = {
            "after": (">=", moment),
            "strictly_after": (">=", next_day),
            "before": ("<", next_day),
            "strictly_before": ("<", moment),
        }[bound]
    else:
        operator, value = {
            "after": (">=", ceiling),
            "strictly_after": (">", whole),
            "before": ("<=", whole),
            "strictly_before": ("<", ceiling),
        }[bound]
    return Condition(f"{column} {operator} ?", (stamp(value),))


def _date_condition(column: str, bound: str, raw: str, name: str) -> Condition:
    moment, _bare = parse_moment(raw, name)
    operator = {"after": ">=", "before": "<=", "strictly_after": ">", "strictly_before": "<"}
    return Condition(f"{column} {operator[bound]} ?", (moment.date().isoformat(),))


def _one_of(column: str, matches: list[Any]) -> list[Condition]:
    """`column = ?` for one value, `column IN (...)` for several, nothing for none."""
    if not matches:
        return []
    if len(matches) == 1:
        return [Condition(f"{column} = ?", (matches[0],), column)]
    marks = ", ".join("?" * len(matches))
    return [Condition(f"{column} IN ({marks})", tuple(matches), column)]


def _ids(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    # A relation is also filtered as "campaign.id"; both spellings take ids and IRIs.
    names = [spec.param, f"{spec.param}.id"] if spec.kind == "relation" else [spec.param]
    ids = {parse_id(raw, name, spec.target) for name in names for raw in values(args, name)}
    return _one_of(spec.column, sorted(ids))


def _exact(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    return _one_of(spec.column, values(args, spec.param))


def _iexact(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    return _one_of(f"{spec.column} COLLATE NOCASE", values(args, spec.param))


def _partial(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    # Each value must match (AND), as API Platform's partial search strategy does.
    return [
        Condition(f"{spec.column} LIKE ? ESCAPE '\\'", (escape_like(value),))
        for value in values(args, spec.param)
    ]


def _bool(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    flags = {int(parse_bool(value, spec.param)) for value in values(args, spec.param)}
    return _one_of(spec.column, sorted(flags))


def _bounds(
    condition: Callable[[str, str, str, str], Condition],
) -> Callable[[Filter, MultiDict[str, str]], list[Condition]]:
    """A date-like filter: one condition per `param[bound]` value, e.g. createdTs[after]."""

    def conditions(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
        return [
            condition(spec.column, bound, raw, f"{spec.param}[{bound}]")
            for bound in DATE_BOUNDS
            for raw in args.getlist(f"{spec.param}[{bound}]")
        ]

    return conditions


FilterTranslation = Callable[[Filter, MultiDict[str, str]], list[Condition]]

FILTER_KINDS: dict[FilterKind, FilterTranslation] = {
    "id": _ids,
    "relation": _ids,
    "exact": _exact,
    "iexact": _iexact,
    "partial": _partial,
    "bool": _bool,
    "datetime": _bounds(_datetime_condition),
    "date": _bounds(_date_condition),
}
"""Filter kind -> how its query parameters become SQL conditions."""


def filter_conditions(spec: Filter, args: MultiDict[str, str]) -> list[Condition]:
    """The SQL conditions one API filter's query parameters ask for (none if absent)."""
    return FILTER_KINDS[spec.kind](spec, args)


def _one_value(conditions: list[Condition], column: str) -> int | None:
    """The one value `column` must equal, if a condition says so."""
    for condition in conditions:
        if condition.equals_column == column and len(condition.params) == 1:
            value = condition.params[0]
            return value if isinstance(value, int) else None
    return None


def _lead_search(args: MultiDict[str, str], campaign_id: int | None = None) -> list[Condition]:
    """`search=` on leads: each term must match the lead id, an email, a name or the full name
    (assumed). The FTS5 trigram index picks the candidates (every lead whose values hold the
    term in any case), then LEAD_SEARCH_SQL decides, so the answer is the plain LIKE's; where
    the index's answer is LIKE's already (`index_decides`), no row is tried with LIKE. In one
    campaign, the index is read in that campaign's rowid range only (`db.SEARCH_TABLE`): a
    search costs what its campaign's matches cost, whatever other campaigns hold."""
    conditions = []
    for term in values(args, "search"):
        text = term.strip()
        pattern = escape_like(text)
        matches = LEAD_SEARCH_SQL
        params: tuple[Any, ...] = (pattern,) * 4
        if is_row_id(text):
            matches, params = f"(id = ? OR {matches})", (int(text), *params)
        if len(text) < TRIGRAM or "\x00" in text:
            conditions.append(Condition(matches, params))
            continue
        candidates = SEARCH_CANDIDATES_SQL
        found: tuple[Any, ...] = (_phrase(text),)
        if campaign_id is not None and 0 <= campaign_id < CAMPAIGN_STRIDE // 2:
            first = campaign_id * CAMPAIGN_STRIDE
            candidates += CAMPAIGN_RANGE_SQL
            found = (*found, first, first + CAMPAIGN_STRIDE - 1)
        if is_row_id(text):
            candidates, found = f"{candidates} UNION ALL SELECT ?", (*found, int(text))
        if index_decides(text):
            conditions.append(Condition(f"id IN ({candidates})", found, by_search_index=True))
            continue
        sql = f"(id IN ({candidates}) AND {matches})"
        conditions.append(Condition(sql, (*found, *params), by_search_index=True))
    return conditions


def index_decides(text: str) -> bool:
    """Whether the search index's candidates for `text` are exactly LEAD_SEARCH_SQL's matches,
    so no row need be tried with LIKE. The index finds the values holding `text` in Unicode's
    case folding, LIKE in ASCII's: they agree when `text` is ASCII (a non-ASCII term folds
    more in the index, e.g. "É" finds "é") and holds no letter that a non-ASCII character
    folds to (a value spelled with a KELVIN SIGN holds "k" for the index, not for LIKE)."""
    return text.isascii() and not FOLDED_FROM_BEYOND_ASCII & set(text.lower())


def _phrase(text: str) -> str:
    """An FTS5 query for `text` as one phrase: its trigrams in a row, i.e. the substring."""
    return '"' + text.replace('"', '""') + '"'


def _log_visibility(args: MultiDict[str, str], user: User) -> list[Condition]:
    """A role without provider logs sees processr logs only, and may not ask for others."""
    if "logs.provider.view" in user.permissions:
        return []
    types = values(args, "type")
    if "provider" in types:
        raise ApiError(403, PROVIDER_LOGS_FORBIDDEN)
    return [] if types else [Condition("type = ?", ("processr",))]


def order_terms(resource: Resource, args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """(column, ASC|DESC) from order[field]=asc|desc in query order, then id ascending."""
    terms: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, raw in args.items(multi=True):
        match = ORDER_PARAM.fullmatch(key)
        if not match:
            continue
        direction = raw.lower()
        if direction not in {"asc", "desc"}:
            raise ApiError(400, f'Invalid value for "{key}": expected asc or desc, got {raw!r}')
        column = resource.orders.get(match.group(1))
        if column is None or column in seen:
            continue  # API Platform ignores orderings it does not offer
        seen.add(column)
        terms.append((column, direction.upper()))
    if "id" not in seen:
        terms.append(("id", "ASC"))
    return terms


def order_sql(terms: tuple[tuple[str, str], ...], *, reverse: bool = False) -> str:
    """The ORDER BY list; `reverse` flips every term (to read a page from the far end)."""
    flip = {"ASC": "DESC", "DESC": "ASC"}
    return ", ".join(f"{column} {flip[way] if reverse else way}" for column, way in terms)


def check_query_size(args: MultiDict[str, str]) -> None:
    """400 naming the parameter when a query string passes a size limit: too many terms, too
    many values of one parameter, or a name or value too long (SQLite refuses very long LIKE
    patterns and very deep expressions; nobody searches for a page of text)."""
    terms = list(args.items(multi=True))
    if len(terms) > MAX_QUERY_TERMS:
        raise ApiError(
            400,
            f"Too many query parameters: expected at most {MAX_QUERY_TERMS} terms,"
            f" got {len(terms)}",
        )
    for name, value in terms:
        if len(name) > MAX_PARAMETER_LENGTH:
            raise ApiError(
                400,
                f"Query parameter name too long: expected at most {MAX_PARAMETER_LENGTH}"
                f" characters, got {len(name)} ({name[:40]!r}...)",
            )
        if len(value) > MAX_PARAMETER_LENGTH:
            raise ApiError(
                400,
                f'Invalid value for "{name}": expected at most {MAX_PARAMETER_LENGTH}'
                f" characters, got {len(value)}",
            )
    for name, sent in args.lists():
        if len(sent) > MAX_PARAMETER_VALUES:
            raise ApiError(
                400,
                f'Too many values for "{name}": expected at most {MAX_PARAMETER_VALUES},'
                f" got {len(sent)}",
            )


def collection_query(resource: Resource, args: MultiDict[str, str], user: User) -> CollectionQuery:
    """Read and check a collection request's query string (400 on the first bad value)."""
    check_query_size(args)
    refuse_masked_filters(resource.path, args, user)
    page = positive_int(args, "page", 1)
    items_per_page = min(
        positive_int(args, "itemsPerPage", ITEMS_PER_PAGE), resource.max_items_per_page
    )
    conditions = [c for spec in resource.filters for c in filter_conditions(spec, args)]
    if resource.path == "leads":
        conditions += _lead_search(args, _one_value(conditions, "campaign_id"))
    if resource.path == "logs":
        conditions += _log_visibility(args, user)
    order = order_terms(resource, args)
    return CollectionQuery(page, items_per_page, tuple(conditions), tuple(order))
