"""Every query parameter of every page, named once, and the one function that reads them.

A link is text from outside (pasted into a ticket, edited by hand, old): `read_param` turns
each parameter into its value, or, when the text is not such a value, into the parameter's
default with a note saying what the link gave and what is shown instead ("The link's page
'²' is not a page number; showing page 1."). Nothing a link holds may break a page.

The pages and their parameters:

    Campaigns (app.py)          campaign                  the campaign on show
    Leads (pages/1_Leads.py)    campaign (required), status, delivery, from, to, q, sort,
                                dir, size, page, row      (`LeadsPlace`, views.navigation);
                                view (a saved view to open, `views.saved_views`)
    Lead (pages/2_Lead.py)      lead (required), campaign (the list it was opened from)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, Generic, TypeVar

from lib.convertr.models import ProcessrStatus
from lib.presentation import LEAD_STATUSES, shorten, whole_number
from lib.views.lead import LEAD_TABS
from lib.views.leads import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    DELIVERY_CHOICES,
    ORDERS,
    PAGE_SIZES,
    SORT_FIELDS,
)

T = TypeVar("T")

# --- The names ----------------------------------------------------------------------------

PARAM_CAMPAIGN: Final = "campaign"
PARAM_LEAD: Final = "lead"
PARAM_STATUS: Final = "status"
PARAM_DELIVERY: Final = "delivery"
PARAM_FROM: Final = "from"
PARAM_TO: Final = "to"
PARAM_SEARCH: Final = "q"
PARAM_SORT: Final = "sort"
PARAM_DIRECTION: Final = "dir"
PARAM_SIZE: Final = "size"
PARAM_PAGE: Final = "page"
PARAM_ROW: Final = "row"
"""The Leads page's selected (last opened) lead. Never `lead`: that names the Lead page's
lead, and a Leads URL with `lead=` is what this replaces."""

PARAM_TAB: Final = "tab"
"""The Lead page's open tab, by its label ("Job Details"); none for the first tab. Bound to
the tabs themselves (`st.tabs(bind="query-params")`): a reload, a new browser tab or a link
shared from a ticket opens the tab that was open."""

PARAM_VIEW: Final = "view"
"""A saved view's id (random, not secret): the Leads page opens it, then shows its place."""

PLACE_PARAMS: Final = (
    PARAM_STATUS,
    PARAM_DELIVERY,
    PARAM_FROM,
    PARAM_TO,
    PARAM_SEARCH,
    PARAM_SORT,
    PARAM_DIRECTION,
    PARAM_SIZE,
    PARAM_PAGE,
    PARAM_ROW,
)
"""Every query parameter of the Leads page besides `campaign`."""
PAGE_PARAMS: Final[Mapping[str, tuple[str, ...]]] = {
    "Campaigns": (PARAM_CAMPAIGN,),
    "Leads": (PARAM_CAMPAIGN, *PLACE_PARAMS, PARAM_VIEW),
    "Lead": (PARAM_LEAD, PARAM_CAMPAIGN, PARAM_TAB),
}
"""Page title -> the query parameters it reads (the fuzz tests walk this)."""

# --- Limits -------------------------------------------------------------------------------

MAX_ID: Final = 2**63 - 1
"""The largest id the API stores (a signed 64-bit integer)."""
MAX_PAGE: Final = 1_000_000
"""Above any list's last page (a million leads at 25 a page is 40,000 pages)."""
MAX_SEARCH_LENGTH: Final = 200
"""Characters of a search a link may carry (a name or an email; the API refuses long ones)."""
ECHO_LIMIT: Final = 40
"""Characters of an unreadable value quoted back in its note."""

# --- Reading ------------------------------------------------------------------------------


class PartlyRead(ValueError, Generic[T]):
    """Raised by a reader that could read part of a value (some statuses of a list): the part
    it kept, and the part it could not read."""

    def __init__(self, kept: T, unread: str) -> None:
        super().__init__(unread)
        self.kept = kept
        self.unread = unread


@dataclass(frozen=True)
class Param(Generic[T]):
    """One query parameter as a page reads it."""

    name: str
    """Its name in the URL."""
    expected: str
    """What its value should be, for the note ("a page number")."""
    default: T
    instead: str
    """What is shown when the value cannot be read ("showing page 1")."""
    read: Callable[[str], T]
    """Text -> value; raises ValueError (or `PartlyRead`) for text that is not one."""
    label: str = ""
    """How the note names it ("page"); its name when empty."""


@dataclass(frozen=True)
class ReadParam(Generic[T]):
    """A parameter's value, and the note to show when the link's text was not one."""

    value: T
    note: str | None = None


def read_param(param: Param[T], raw: str | None) -> ReadParam[T]:
    """The one way a page reads a query parameter: absent or blank is the default; text that
    is not a value is the default too, with a note quoting the link (the note is plain text:
    draw it escaped)."""
    if raw is None or not raw.strip():
        return ReadParam(param.default)
    label = param.label or param.name
    try:
        return ReadParam(param.read(raw.strip()))
    except PartlyRead as partly:
        quoted = shorten(partly.unread, ECHO_LIMIT)
        note = f"The link's {label} {quoted!r} is not {param.expected}; it is left out."
        return ReadParam(partly.kept, note)
    except ValueError:
        quoted = shorten(raw, ECHO_LIMIT)
        return ReadParam(
            param.default,
            f"The link's {label} {quoted!r} is not {param.expected}; {param.instead}.",
        )


def positive_id(text: str) -> int:
    """An id: ASCII digits, 1 to `MAX_ID` ("²" and "٣" are digits to `str.isdigit`, not ids)."""
    number = whole_number(text)
    if number is None or not 0 < number <= MAX_ID:
        raise ValueError(f"expected an id (a positive whole number), got {text!r}")
    return number


def page_number(text: str) -> int:
    number = whole_number(text)
    if number is None or not 0 < number <= MAX_PAGE:
        raise ValueError(f"expected a page number from 1 to {MAX_PAGE:,}, got {text!r}")
    return number


def one_of(choices: Mapping[str, T]) -> Callable[[str], T]:
    """A reader of one of a closed set of spellings (the URL's text -> the value)."""

    def read(text: str) -> T:
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {text!r}")
        return choices[text]

    return read


def iso_date(text: str) -> date:
    """A day as YYYY-MM-DD (only that spelling: it is the one the page writes)."""
    if not (text.isascii() and len(text) == len("2026-01-31") and text[4] == text[7] == "-"):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    return date.fromisoformat(text)


def statuses(text: str) -> tuple[ProcessrStatus, ...]:
    """Lead statuses separated by commas, in the link's order, each once; unknown ones are
    left out (`PartlyRead`), so an old link still opens with the statuses it can."""
    asked = [part.strip() for part in text.split(",") if part.strip()]
    by_name = {status: status for status in LEAD_STATUSES}
    known = tuple(dict.fromkeys(by_name[part] for part in asked if part in by_name))
    unknown = [part for part in asked if part not in by_name]
    if unknown and not known:
        raise ValueError(f"expected lead statuses, got {text!r}")
    if unknown:
        raise PartlyRead(known, ",".join(unknown))
    return known


def search_text(text: str) -> str:
    if len(text) > MAX_SEARCH_LENGTH:
        raise ValueError(f"expected a search of at most {MAX_SEARCH_LENGTH} characters")
    return text


def optional_id(name: str, what: str, instead: str) -> Param[int | None]:
    """An id parameter whose default is none."""
    return Param(name, f"{what} (a positive whole number)", None, instead, positive_id)


# --- Each page's parameters -------------------------------------------------------------

CAMPAIGNS_CAMPAIGN: Final = optional_id(
    PARAM_CAMPAIGN, "a campaign id", "showing the first campaign of the list"
)
LEADS_CAMPAIGN: Final = optional_id(PARAM_CAMPAIGN, "a campaign id", "choose a campaign")
"""Required: without it the Leads page offers the way back to the campaigns."""


def _view_id(text: str) -> str:
    if not VIEW_ID_PATTERN.fullmatch(text):
        raise ValueError(text)
    return text


VIEW_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{6,40}")
LEADS_VIEW: Final[Param[str | None]] = Param(
    PARAM_VIEW, "a saved view's id", None, "the list is shown without it", _view_id, "view"
)
LEAD_LEAD: Final = optional_id(PARAM_LEAD, "a lead id", "open a lead from a list")
"""Required: without it the Lead page offers the way back."""
LEAD_CAMPAIGN: Final = optional_id(
    PARAM_CAMPAIGN, "a campaign id", "the lead's own campaign is used"
)
"""Which list the lead was opened from (it only saves a request)."""
LEAD_TAB: Final = Param(
    PARAM_TAB,
    f"a tab of this page ({', '.join(LEAD_TABS)})",
    LEAD_TABS[0],
    f"showing {LEAD_TABS[0]}",
    one_of({name: name for name in LEAD_TABS}),
)
"""The tab a link opens (as its label is written), else the first."""

STATUSES: Final[Param[tuple[ProcessrStatus, ...]]] = Param(
    PARAM_STATUS,
    f"a lead status ({', '.join(LEAD_STATUSES)})",
    (),
    "showing every status",
    statuses,
)
DELIVERY: Final = Param(
    PARAM_DELIVERY,
    f"a delivery choice ({', '.join(DELIVERY_CHOICES)})",
    "Any",
    "showing any delivery",
    one_of({label: label for label in DELIVERY_CHOICES}),
)
FROM: Final[Param[date | None]] = Param(
    PARAM_FROM, "a date (YYYY-MM-DD)", None, "no start date is set", iso_date, "from date"
)
TO: Final[Param[date | None]] = Param(
    PARAM_TO, "a date (YYYY-MM-DD)", None, "no end date is set", iso_date, "to date"
)
SEARCH: Final = Param(
    PARAM_SEARCH,
    f"a search of at most {MAX_SEARCH_LENGTH} characters",
    "",
    "showing every lead",
    search_text,
    "search",
)
SORT: Final = Param(
    PARAM_SORT,
    f"a column the list sorts by ({', '.join(SORT_FIELDS.values())})",
    DEFAULT_SORT,
    f"sorted by {DEFAULT_SORT}",
    one_of({field: label for label, field in SORT_FIELDS.items()}),
)
DIRECTION: Final = Param(
    PARAM_DIRECTION,
    "a direction (asc or desc)",
    next(iter(ORDERS)),
    f"showing {next(iter(ORDERS)).lower()}",
    one_of({api: label for label, api in ORDERS.items()}),
    "direction",
)
SIZE: Final = Param(
    PARAM_SIZE,
    f"a page size ({', '.join(map(str, PAGE_SIZES))})",
    DEFAULT_PAGE_SIZE,
    f"showing {DEFAULT_PAGE_SIZE} rows a page",
    one_of({str(size): size for size in PAGE_SIZES}),
    "page size",
)
PAGE: Final = Param(PARAM_PAGE, "a page number", 1, "showing page 1", page_number)
ROW: Final = optional_id(PARAM_ROW, "a lead id", "no row is marked")
