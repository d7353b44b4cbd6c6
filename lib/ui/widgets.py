"""Small rendering helpers used on every page: tables with a safe CSV download, status
badges, empty states and a failed dossier part with its Retry button."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Final

import pandas as pd
import streamlit as st

from lib.convertr import LeadDossier
from lib.convertr.dossier import Part
from lib.convertr.errors import ConvertrError
from lib.convertr.models import ProcessrStatus
from lib.palette import MUTED_TEXT_COLOUR, STATUS_BADGE_COLOURS, STATUS_TEXT_COLOURS
from lib.presentation import (
    MASKED_LABEL,
    STATUS_ICONS,
    as_status,
    csv_bytes,
    escape_markdown,
    shorten,
    slug,
)
from lib.ui import cached_api, keys, pages
from lib.views.column_widths import Fit, fit_widths

ERROR_ICON: Final = ":material/error:"
BACK_ICON: Final = ":material/arrow_back:"
LINK_ECHO_LIMIT: Final = 80
"""Characters of a malformed link echoed back to the user."""
TABLE_ROW_HEIGHT: Final = 35
MAX_TABLE_HEIGHT: Final = 560


NEWEST_FIRST: Final = "Newest first"
OLDEST_FIRST: Final = "Oldest first"
ORDER_CHOICES: Final = (NEWEST_FIRST, OLDEST_FIRST)
"""The one order control's choices (Notes and Timeline), in this order."""


def hold(*widget_keys: str) -> None:
    """Set each widget's value again, just before the widget is drawn, so that this run
    sends it to the browser. A value set only in the run that read a link (the campaign of an
    Audit link, a Leads page's page and filters) reaches the browser in that run's message;
    later runs send the widget with its default. A browser that mounts the widget from a
    later message (the sign-in cookie's confirmation reruns the script right after the first
    run, before a busy browser has drawn it) shows the default and sends it back with the next
    click, undoing the link. Only for widgets whose value may be set (not buttons, uploads,
    tables or editors)."""
    for key in widget_keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def order_control(key: str, default: str) -> bool:
    """The one order control of a list of events (Notes, Timeline): two segments, always
    one chosen, kept while its tab is closed. True when newest first."""
    order = st.segmented_control(
        "Order", ORDER_CHOICES, default=default, key=key, required=True, persist_state="page"
    )
    return order != OLDEST_FIRST


def table_height(rows: int, row_px: int = TABLE_ROW_HEIGHT) -> int:
    """Show short tables whole (no inner scrollbar) and cap long ones (rows `row_px` tall,
    under a header of the default height)."""
    return min(MAX_TABLE_HEIGHT, TABLE_ROW_HEIGHT + row_px * rows + 3)


def fitted(
    columns: Iterable[str],
    budget: int,
    column_config: Mapping[str, Any] | None = None,
    fits: Mapping[str, Fit] | None = None,
) -> dict[str, Any]:
    """`column_config` with a width for each of `columns` that fits them all in `budget`
    pixels (`column_widths.fit_widths`): no column hides past the table's right edge at
    1024 px, and a wider window grows them."""
    config = dict(column_config or {})
    for name, width in fit_widths(columns, budget, fits).items():
        entry = config.get(name)
        config[name] = {**entry, "width": width} if isinstance(entry, dict) else {"width": width}
    return config


def table(
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    empty: str,
    budget: int,
    column_config: Mapping[str, Any] | None = None,
    status_columns: tuple[str, ...] = (),
    fits: Mapping[str, Fit] | None = None,
    row_px: int | None = None,
) -> None:
    """A read-only table with a CSV download whose formulas are neutralised, its columns
    fitted to `budget` pixels, its rows `row_px` tall (taller than 64 px: text wraps); or,
    without rows, a sentence saying what is missing."""
    if frame.empty:
        st.info(empty, icon=":material/info:")
        return
    st.dataframe(
        styled(frame, status_columns),
        hide_index=True,
        column_config=fitted(frame.columns, budget, column_config, fits),
        row_height=row_px,
        height=table_height(len(frame), row_px or TABLE_ROW_HEIGHT),
        key=f"{key}.table",
    )
    download(frame, key=key, file_name=file_name)


def download(frame: pd.DataFrame, *, key: str, file_name: str) -> None:
    """A CSV download built when pressed: neutralising every cell of every table on each run
    cost more than drawing them."""
    st.download_button(
        "Download CSV",
        data=functools.partial(csv_bytes, frame),
        file_name=f"{slug(file_name)}.csv",
        mime="text/csv",
        key=f"{key}.download",
        icon=":material/download:",
        on_click="ignore",
    )


def status_badge(status: ProcessrStatus, text: str | None = None) -> None:
    """The lead status as a badge in the one status colour; `text` marks a derived one
    ("Caution (derived)")."""
    st.badge(
        text or status,
        color=STATUS_BADGE_COLOURS[status],  # type: ignore[arg-type]
        icon=STATUS_ICONS[status],
    )


def styled(frame: pd.DataFrame, status_columns: tuple[str, ...] = ()) -> Any:
    """The frame with its status columns coloured (the one status colour mapping) and masked
    values muted."""
    present: list[Hashable] = [column for column in status_columns if column in frame.columns]
    masked = not frame.empty and bool((frame == MASKED_LABEL).to_numpy().any())
    if (not present and not masked) or frame.empty:
        return frame
    style = cell_styler(frame)
    if present:
        style = style.map(_status_style, subset=present)
    if masked:
        style = style.map(_masked_style)
    return style


def cell_styler(frame: pd.DataFrame) -> Any:
    """A Styler of `frame` that names only the cells it styles (`cell_ids=False`): Streamlit
    sends a styled table's display values for every cell it names, one column at a time,
    and naming all of them cost the server about 6 ms a table on every run (Associated
    Campaigns, the Leads page); the cells it does not name show their values as they are."""
    from pandas.io.formats.style import Styler

    return Styler(frame, cell_ids=False)


def _masked_style(value: object) -> str:
    return f"color: {MUTED_TEXT_COLOUR}; font-style: italic" if value == MASKED_LABEL else ""


def _status_style(value: object) -> str:
    status = as_status(value)
    return f"color: {STATUS_TEXT_COLOURS[status]}; font-weight: 600" if status else ""


def _retry(lead_id: int) -> None:
    cached_api.clear_lead_cache(lead_id)


def part_failed(dossier: LeadDossier, *parts: Part, tab: str) -> bool:
    """If one of `parts` failed, show why in `tab` with its own Retry button and return
    True."""
    for part in parts:
        error = dossier.error_for(part)
        if error is not None:
            show_part_error(dossier.lead_id, part, error, tab=tab)
            return True
    return False


def error_details(error: ConvertrError) -> None:
    """The error's details under its banner (status, URL, the server's message), escaped."""
    st.caption(f"Details: {escape_markdown(str(error))}")


def error_banner(headline: str, error: ConvertrError, *, icon: str | None = ERROR_ICON) -> None:
    """An API error: the headline in bold, the one-line reason, then the details."""
    st.error(f"**{headline}** {escape_markdown(error.user_message)}", icon=icon)
    error_details(error)


def show_part_error(lead_id: int, part: Part, error: ConvertrError, *, tab: str) -> None:
    error_banner("Could not load this tab.", error)
    st.button(
        "Retry",
        key=keys.lead_retry(part, tab),
        icon=":material/refresh:",
        on_click=_retry,
        args=(lead_id,),
    )


def load_failed(what: str, error: ConvertrError, *, key: str) -> None:
    """What could not be loaded, why, and a Retry button (a failed call is not cached, so the
    rerun the click makes asks again)."""
    error_banner(f"Could not load {what}.", error)
    st.button("Retry", key=key, icon=":material/refresh:")


def link_notes(notes: Iterable[str | None]) -> None:
    """What a link held that could not be read and what is shown instead, in one warning (the
    notes quote the link: escaped, so a crafted link stays text)."""
    shown = [escape_markdown(note) for note in notes if note]
    if shown:
        st.warning("  \n".join(shown), icon=":material/link_off:")


def way_back(
    message: str,
    *,
    given: str | None = None,
    label: str = "Back to the campaigns",
    to: str = pages.CAMPAIGNS,
) -> None:
    """A page that cannot show what its link asks for: why, what the link gave, and the way
    back."""
    st.error(message, icon=ERROR_ICON)
    if given is not None:
        # Plain text, never inside the markdown banner (a crafted link would become a link).
        st.text(f"The link gave: {shorten(given, LINK_ECHO_LIMIT)!r}")
    back_link(to, label)


def back_link(
    to: str,
    label: str,
    *,
    query_params: dict[str, str] | None = None,
    help: str | None = None,
) -> None:
    """A link back to a page (the one arrow every way back has)."""
    st.page_link(to, label=label, icon=BACK_ICON, query_params=query_params, help=help)
