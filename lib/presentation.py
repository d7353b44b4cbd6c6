"""Pure formatting for the dashboard: numbers, money, times, status names, safe text, CSV
(the colours are in `lib.palette`).

Nothing here imports streamlit, so every rule the pages apply to what a person sees is tested
with plain pytest.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Final, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from lib.convertr.models import ProcessrStatus, StatusLabel

LEAD_STATUSES: Final[tuple[ProcessrStatus, ...]] = ("Valid", "Caution", "Invalid", "Test")
"""The model's Processr statuses (`models.ProcessrStatus`, so mypy checks each name), in the
order every table, filter and chart uses."""
assert set(LEAD_STATUSES) == set(get_args(ProcessrStatus)), "every status, each once"


DERIVED_MARK: Final = " (derived)"
"""Added to a status label the client derived from the score (the server sent a status code
that no table knows), wherever the status is shown: "Caution (derived)"."""


def status_text(status: StatusLabel) -> str:
    """A lead's status as every table and badge shows it: the label, marked when derived."""
    return status.label + DERIVED_MARK if status.is_derived else status.label


def derived_status_help(status: StatusLabel) -> str | None:
    """The client's note on a derived status, as a sentence for a caption or help ("Derived
    from the score: status code 1500 is not in the status table."); None when not derived."""
    if not status.is_derived or not status.note:
        return None
    return status.note[:1].upper() + status.note[1:] + "."


def derived_statuses_note(statuses: Iterable[StatusLabel]) -> str | None:
    """The caption under a table whose statuses include derived ones (None when none is):
    which codes the server sent that no status table knows."""
    codes = sorted({str(status.raw) for status in statuses if status.is_derived})
    if not codes:
        return None
    listed = ", ".join(codes)
    return (
        f"A status marked (derived) came as a code no status table knows ({listed}): its label "
        "was worked out from the lead's score by the public rule. Add the code to "
        "CONVERTR_STATUS_CODES to name it."
    )


def as_status(value: object) -> ProcessrStatus | None:
    """`value` as a Processr status when it is one (a table cell, say, derived or not), else
    None."""
    text = value.removesuffix(DERIVED_MARK) if isinstance(value, str) else value
    return next((status for status in LEAD_STATUSES if status == text), None)


MASKED_VALUE: Final = "[masked]"
"""What the API sends instead of a personal value (email, telephone, address lines, IP) to a
user whose role masks personal data. The sandbox sends it; Convertr's masking token is
assumed to be the same."""
MASKED_LABEL: Final = "🔒 masked"
"""How the dashboard shows a masked value: never as the token itself, never as empty."""


def is_masked(value: object) -> bool:
    return isinstance(value, str) and value.strip() == MASKED_VALUE


def shown_value(value: str | None) -> str:
    """A lead value for display: `MASKED_LABEL` for a masked one, "" for none."""
    if value is None:
        return ""
    return MASKED_LABEL if is_masked(value) else value


STATUS_ICONS: Final[Mapping[ProcessrStatus, str]] = {
    "Valid": ":material/check_circle:",
    "Caution": ":material/warning:",
    "Invalid": ":material/cancel:",
    "Test": ":material/science:",
}

ROLE_LABELS: Final[Mapping[str, str]] = {
    "admin": "Admin",
    "analyst": "Analyst",
    "viewer": "Viewer",
    "masked": "Masked viewer",
}
"""A user's role as people say it (the sidebar, read-only reasons)."""


def role_label(role: str) -> str:
    """`"masked"` → `"Masked viewer"`; a role this list does not know is shown as it came."""
    return ROLE_LABELS.get(role, role)


CURRENCY_SYMBOLS: Final[Mapping[str, str]] = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥"}

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is run as a formula by spreadsheet programs (CSV
injection); such cells get a leading apostrophe in every CSV the dashboard writes."""

SAFE_IMAGE_PREFIXES: Final = ("https://", "data:image/")
"""The only image URLs the profile panel shows: never `javascript:` or plain `http:`."""

DEFAULT_TIMEZONE: Final = "UTC"
TIMESTAMP_FORMAT: Final = "%d %b %Y %H:%M"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$@&])")
"""The characters markdown or Streamlit give a meaning: emphasis, code,
links and images (`[` `]` `(` `)` `!`), HTML and autolinks (`<` `>`), bare URLs and emails
(`:` `.` `@`, which GFM turns into links), entities (`&`), Streamlit's colours, icons and
emoji (`:`), and LaTeX (`$`). CommonMark allows a backslash before any of them."""
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def format_count(value: int | None) -> str:
    """`1234567` → `"1,234,567"`; missing → an em dash."""
    if value is None:
        return "—"
    return f"{value:,}"


def format_money(amount: str | Decimal | float | None, currency: str | None) -> str:
    """`("1234.5", "GBP")` → `"£1,234.50"`; unknown currencies keep their code as prefix."""
    if amount is None or amount == "":
        return "—"
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    sign = "-" if number < 0 else ""
    body = f"{abs(number):,.2f}"
    if symbol:
        return f"{sign}{symbol}{body}"
    return f"{sign}{code} {body}".strip() if code else f"{sign}{body}"


def format_percent(part: int, whole: int) -> str:
    """Share of `whole`, one decimal; `—` when `whole` is zero."""
    if whole <= 0:
        return "—"
    return f"{100 * part / whole:.1f}%"


class UnknownTimezone(ValueError):
    """A time zone name that is not in the IANA database (or not a name at all)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"unknown time zone {name!r}: expected an IANA name such as Europe/London or UTC"
        )
        self.name = name


def parse_timezone(name: str) -> tzinfo:
    """The zone named `name`; `UnknownTimezone` when there is none (where a person typed the
    name and must hear it was wrong, unlike the browser's zone, which `resolve_timezone`
    quietly replaces)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: a path-like or empty key; OSError: a directory or unreadable file.
        raise UnknownTimezone(name) from None


def resolve_timezone(name: str | None) -> tzinfo:
    """The viewer's zone from the browser, or UTC when unknown or unrecognised."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_TIMEZONE)


def format_timestamp(value: datetime | None, zone: tzinfo) -> str:
    """An API timestamp in the viewer's zone: `"19 Apr 2024 14:43"`; naive values are UTC."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return value.astimezone(zone).strftime(TIMESTAMP_FORMAT)


def format_date(value: date | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d %b %Y")


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return "Yes" if value else "No"


def delivery_label(delivered: bool | None) -> str:
    if delivered is None:
        return "—"
    return "Delivered" if delivered else "Undelivered"


def display_text(value: object) -> str:
    """Any API value as plain text for a table cell: no `None`, no Python reprs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(display_text(item) for item in value)
    return str(value)


_AUTOLINK_STARTS = re.compile(r"(?=\\@)|(?i:(?<=www)(?=\\\.))|(?=\\:(?://|\\/))")
"""Where GFM would start a link in escaped text: before `@` (an email, `mailto:`), between
`www` and its dot, before `://`."""
AUTOLINK_BREAK: Final = ":small[]"
"""Streamlit's own text-size directive with nothing in it: an empty `<span>`, invisible, and
not copied. It ends the text node, and GFM's autolinks (found in the parsed text, after the
escapes are undone) never span two nodes."""


def escape_markdown(text: str) -> str:
    """Make text from the API or the user inert inside anything Streamlit renders as markdown
    (`st.markdown`, captions, alerts, labels, `help=`): no link, image, HTML, emphasis, code or
    new block can come of it. Line breaks (CR, LF, CRLF) become spaces. The one helper every
    page uses for such text.

    Escaping stops Markdown's own syntax; it does not stop GFM's autolinks (a bare URL,
    `www.` or an email became a live link with every `:`, `.` and `@` escaped, in Chromium):
    an empty directive (`AUTOLINK_BREAK`) splits the text where one would start, and the text
    reads and copies the same."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    return _AUTOLINK_STARTS.sub(AUTOLINK_BREAK, escaped)


PANEL_TEXT_LIMIT: Final = 120
"""Characters of a lead value shown in the profile panel (the Profile tab shows it whole)."""


def shorten(text: str, limit: int = PANEL_TEXT_LIMIT) -> str:
    """`text` cut to `limit` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_label(text: str, limit: int = 60) -> str:
    """Text for a plotly label: plotly renders some HTML tags, so `<` and `>` are escaped
    as entities (shown literally), and long values are shortened."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return short.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_image_url(url: str | None) -> str | None:
    """The URL if the profile panel may show it as an image, else None."""
    if not url:
        return None
    stripped = url.strip()
    if stripped.lower().startswith(SAFE_IMAGE_PREFIXES):
        return stripped
    return None


def safe_link_url(url: str | None) -> str | None:
    """Only `https:` links are clickable; anything else (`javascript:`, `data:`) is dropped."""
    if not url:
        return None
    stripped = url.strip()
    return stripped if stripped.lower().startswith("https://") else None


def whole_number(text: str) -> int | None:
    """ASCII digits as a number, else None. `str.isdigit` alone lets "²" and "٣" through
    (Unicode digits `int` refuses or reads as another number), so every check of typed or
    linked digits goes through here."""
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def pretty_message(message: str | None) -> tuple[str, str]:
    """A log message and the language to show it in: indented JSON when it parses as a JSON
    object or list, else the exact text."""
    if message is None:
        return "", "text"
    stripped = message.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            return message, "text"
        return json.dumps(parsed, indent=2, ensure_ascii=False), "json"
    return message, "text"


_FORMULA_LINE_START = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r])")
"""The start of the cell, or of any line in it, followed by a `FORMULA_PREFIXES` character:
a spreadsheet may read each line of a cell as the start of a row."""
assert all(re.match(_FORMULA_LINE_START, prefix) for prefix in FORMULA_PREFIXES)


def neutralise_cell(value: object) -> object:
    """Prefix with `'` a text cell, and every line in it, that a spreadsheet would run as a
    formula: `"x\\r=HYPERLINK(…)"` becomes `"x\\r'=HYPERLINK(…)"`."""
    if isinstance(value, str):
        return _FORMULA_LINE_START.sub(r"\1'", value)
    return value


def _neutralised(column: pd.Series) -> pd.Series:
    """`neutralise_cell` of every cell, each distinct text worked out once (a table often
    repeats its texts: an audit finding's sentence is on each of its leads' rows)."""
    done: dict[str, object] = {}

    def cell(value: object) -> object:
        if type(value) is not str:
            return neutralise_cell(value)
        try:
            return done[value]
        except KeyError:
            done[value] = neutralised = neutralise_cell(value)
            return neutralised

    return column.map(cell).astype(object)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot run as formulas."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = _neutralised(safe[column])
    safe.columns = [str(neutralise_cell(str(name))) for name in safe.columns]
    return safe


CSV_LINE_END: Final = "\r\n"
"""RFC 4180's record separator. The csv writer quotes every cell holding a character of the
line end, so with CRLF a cell holding a bare CR or LF is quoted too (with LF alone, a bare CR
went out unquoted and a spreadsheet could start a row at it)."""


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with BOM so spreadsheet programs read accents and emoji),
    formulas neutralised in every line of every cell, every cell with a line break quoted."""
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(
        buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def slug(text: str) -> str:
    """A file-name-safe form of a title: `"Job Details"` → `"job-details"`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"
