"""Lead page tables that fit: one row's values in full on selection, Associated Campaigns with
more columns in the table's own menu and a row that opens its lead, Notes in either order, and
provider messages folded after a few lines."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any, Final

import pandas as pd
import streamlit as st

from lib.presentation import escape_markdown
from lib.ui import keys, layout, pages, widgets
from lib.views import column_widths
from lib.views.lead import ProviderAnswer
from lib.views.reading import (
    ASSOCIATED_DEFAULT_COLUMNS,
    fold_label,
    fold_text,
    newest_first,
    readable_frame,
    row_in_full,
)
from lib.views.url_params import PARAM_LEAD

NOTE_COLUMNS: Final = ("Time", "Type", "Author", "Message")
ASSOCIATED_HINT: Final = (
    "Select a row to open that lead. More columns (the publisher, the tracking link, the"
    " campaign's counts) are in the table's column menu, :material/visibility: in its"
    " toolbar; the CSV has them all."
)


def selectable_table(
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    empty: str,
    alt: str,
    status_columns: tuple[str, ...] = (),
    column_config: dict[str, Any] | None = None,
    column_order: tuple[str, ...] | None = None,
    row_px: int = column_widths.THREE_LINE_ROW_PX,
) -> int | None:
    """A read-only table in a Lead tab whose selected row is shown below in full (cells cut
    long text), with its CSV download; returns the selected row's index. Its columns (those
    of `column_order`, else all) fit beside the profile panel at 1024 px; its rows are
    `row_px` tall, so text wraps (three lines by default)."""
    if frame.empty:
        st.info(empty, icon=":material/info:")
        return None
    frame = readable_frame(frame)
    event = st.dataframe(
        widgets.styled(frame, status_columns),
        hide_index=True,
        key=f"{key}.table",
        on_select="rerun",
        selection_mode="single-row",
        row_height=row_px,
        height=widgets.table_height(len(frame), row_px),
        column_config=widgets.fitted(
            column_order or frame.columns,
            column_widths.selectable(column_widths.LEAD_TAB_PX),
            column_config,
        ),
        column_order=column_order,
        alt=alt,
    )
    rows = event.selection.rows
    show_row(frame, rows[0] if rows else None)
    widgets.download(frame, key=key, file_name=file_name)
    return int(rows[0]) if rows else None


def show_row(frame: pd.DataFrame, index: int | None) -> None:
    """The selected row's values whole, as plain text (cells cut long text); else the hint."""
    if index is None:
        st.caption("Select a row to read it in full.")
        return
    with st.container(border=True):
        st.caption(f"Row {index + 1} in full")
        for column, value in row_in_full(frame, index):
            left, right = st.columns([1, 3])
            left.caption(column)
            # Plain text: values may be lead data, never markdown.
            right.text(value)


def associated(frame: pd.DataFrame, lead_id: int, empty: str) -> None:
    """The other campaigns' rows, the first columns shown and the rest one click away in the
    table's own column menu; a selected row opens that lead."""
    if frame.empty:
        st.info(empty, icon=":material/info:")
        return
    shown = [name for name in ASSOCIATED_DEFAULT_COLUMNS if name in frame.columns]
    event = st.dataframe(
        # Every column is sent; those not in `column_order` are hidden, and shown from the
        # toolbar's column menu. A multiselect above the table did that job, and drawing it
        # was the largest part of this tab's switch in Chromium (issue 18).
        widgets.styled(frame, ("Lead status",)),
        hide_index=True,
        key=keys.lead_associated_table(lead_id),
        on_select="rerun",
        selection_mode="single-row",
        # Four lines a row: a long campaign name wraps and is read whole at 1024 px ("AI in
        # Financial / Services / Research / Report").
        row_height=column_widths.WRAPPED_ROW_PX,
        height=widgets.table_height(len(frame), column_widths.WRAPPED_ROW_PX),
        column_order=shown,
        alt="Other campaigns with this lead's email. Select a row to open that lead.",
        column_config=widgets.fitted(
            shown,
            column_widths.selectable(column_widths.LEAD_TAB_PX),
            {
                "Campaign ID": st.column_config.NumberColumn(format="%d"),
                "Campaign": st.column_config.TextColumn(),
                "Lead ID": st.column_config.NumberColumn(format="%d"),
                "Link": st.column_config.LinkColumn("Tracking link"),
                # Counts written as everywhere else in the app ("1,366").
                **{
                    name: st.column_config.NumberColumn(format="localized")
                    for name in ("Total", "Valid", "Caution", "Invalid", "Delivered")
                },
            },
        ),
    )
    st.caption(ASSOCIATED_HINT)
    widgets.download(
        frame,
        key=keys.lead_download(f"associated-{lead_id}"),
        file_name=f"lead-{lead_id}-associated",
    )
    rows = event.selection.rows
    if rows:
        other = int(frame.iloc[rows[0]]["Lead ID"])
        st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(other)})


def notes(frame: pd.DataFrame, lead_id: int, empty: str) -> None:
    """Notes newest first by default (as CRM timelines), or oldest first."""
    newest = widgets.order_control(keys.LEAD_NOTES_ORDER, widgets.NEWEST_FIRST)
    shown = newest_first(frame) if newest else frame
    selectable_table(
        shown,
        key=keys.lead_download(f"notes-{lead_id}"),
        file_name=f"lead-notes-{lead_id}",
        empty=empty,
        alt="Notes: status, delivery, contract and data changes. Select a row to read it whole.",
        # Four columns fit beside the profile panel at 1024 px; a data change's field and
        # values are in the row shown whole and in the CSV.
        column_order=NOTE_COLUMNS,
    )


def payload_html(text: str) -> str:
    """A provider's message as a code block: its text escaped (never markup; `st.html`
    sanitises it again), styled by `layout.PAYLOAD_CLASS`."""
    return f'<pre class="{layout.PAYLOAD_CLASS}"><code>{html.escape(text)}</code></pre>'


def figures_html(figures: Iterable[tuple[str, str]]) -> str:
    """Labelled figures in one row, as `st.metric` draws each: a definition list, every
    label and value escaped (`st.html` sanitises it again), styled by
    `layout.FIGURES_CLASS`. One element, not one a figure, and none of the metric's
    JavaScript: a lead opened from a link loaded it the first time its Job Details tab was
    opened, the largest part of that switch after the table (issue 18)."""
    items = "".join(
        f"<div><dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd></div>"
        for label, value in figures
    )
    return f'<dl class="{layout.FIGURES_CLASS}">{items}</dl>'


def provider_answer(answer: ProviderAnswer, index: int) -> None:
    """One provider answer in a card, folded after a few lines with a way to read it all.

    A monospace block drawn by `st.html`, not `st.code`: Streamlit's syntax highlighter is
    1.5 MB of JavaScript that Chromium loaded and ran (about half a second) the first time a
    session opened the Provider Logs tab (issue 18). The messages are already indented
    (JSON pretty-printed); only their token colours are gone."""
    with st.container(border=True):
        st.caption(escape_markdown(answer.header))
        folded = fold_text(answer.message)
        st.html(payload_html(folded.preview))
        if folded.folded:
            with st.expander(fold_label(folded), key=keys.lead_log_more(index)):
                st.html(payload_html(folded.full))
