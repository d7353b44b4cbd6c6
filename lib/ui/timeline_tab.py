"""The Lead page's Timeline tab: the processing chart, then one time-ordered stream of
everything that happened to the lead, filtered by kind and text, newest or oldest first.

The timeline is built once per loaded dossier (`cached_api.lead_timeline`); filtering and
drawing are all a rerun does, and no request is sent. A selected entry shows its whole detail
and a button that opens the tab holding it (the tabs are keyed and track their state).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Final

import streamlit as st

from lib.charts import processing_html
from lib.convertr import LeadDossier
from lib.presentation import escape_markdown
from lib.ui import cached_api, keys, pages, widgets
from lib.ui.frame import Session
from lib.views import column_widths
from lib.views.column_widths import Fit
from lib.views.timeline import (
    KIND_LABELS,
    TimelineEntry,
    TimelineKind,
    filter_entries,
    single_year,
    timeline_frame,
)
from lib.views.timeline_chart import processing_frame

NO_ENTRIES: Final = "No entry matches these filters."
TIMELINE_TABLE_COLUMNS: Final = ("Time", "Kind", "What", "Outcome")
SEARCH_WIDTH_PX: Final = 280
"""The search box beside the order control: both on one row beside the panel at 1024 px."""


def _open_tab(tab: str) -> None:
    st.session_state[keys.LEAD_TABS] = tab
    pages.name_lead_tab(tab)


def _processing_picture(entries: tuple[TimelineEntry, ...], zone: tzinfo) -> str | None:
    frame = processing_frame(entries, zone)
    return None if frame.empty else processing_html(frame, str(zone))


def _chart(session: Session, dossier: LeadDossier, entries: tuple[TimelineEntry, ...]) -> None:
    # Built once per loaded dossier: a tab switch or a filter change only draws it.
    figure = cached_api.lead_derived(
        dossier,
        session.connection.key,
        f"processing-picture|{session.zone}",  # in the page's zone: another zone, another figure
        lambda: _processing_picture(entries, session.zone),
    )
    if figure is None:
        st.caption("No job or provider call to chart.")
        return
    st.markdown("## Processing")
    st.caption("When each job and provider call ran and how long it took, by outcome.")
    # A static picture drawn on the server (as the Associated Campaigns chart): none of
    # Vega-Lite's 775 KB of JavaScript on the tab's first view. Each call's times show as the
    # browser's own tooltip; every name in it is escaped (st.html sanitises it again).
    st.html(figure)


def _kind_label(kind: TimelineKind) -> str:
    return KIND_LABELS[kind]


def render_timeline_tab(session: Session, dossier: LeadDossier) -> None:
    lead_id = dossier.lead_id
    connection = session.connection
    timeline = cached_api.lead_timeline(
        dossier, connection.key, lead_id, cached_api.lead_generation(lead_id)
    )
    if timeline.missing_caption:
        # The errors' messages may carry the server's text: escaped, never markup.
        st.warning(escape_markdown(timeline.missing_caption), icon=":material/warning:")
    _chart(session, dossier, timeline.entries)
    counts = timeline.counts()
    # The kinds as toggles, each with its count: every kind in sight, one click to choose or
    # drop it (none chosen is every kind). A multiselect hid them behind a menu, and its
    # JavaScript, loaded for it alone, was a sixth of this tab's first opening (issue 18).
    kinds: list[TimelineKind] = (
        st.pills(
            "Kinds",
            list(counts),
            selection_mode="multi",
            format_func=lambda kind: f"{_kind_label(kind)} · {counts[kind]}",
            key=keys.timeline_kinds(lead_id),
            persist_state="page",  # as left while another tab is open (its widgets are not drawn)
        )
        or []
    )
    # The search and Notes' order control side by side, wrapping at 1024 px (in columns the
    # control was cut); oldest first by default: the timeline reads as the lead's story, as
    # its chart does.
    with st.container(horizontal=True, vertical_alignment="bottom"):
        text = st.text_input(
            "Search",
            key=keys.timeline_search(lead_id),
            placeholder="Text in an entry",
            persist_state="page",
            width=SEARCH_WIDTH_PX,
        )
        newest = widgets.order_control(keys.timeline_newest(lead_id), widgets.OLDEST_FIRST)
    chosen = filter_entries(
        timeline.entries,
        kinds=kinds or None,
        text=text,
        newest_first=newest,
    )
    # One year's entries show their times without it (the Time column then leaves the What
    # column room beside the panel at 1024 px), and the caption names the year.
    year = single_year(chosen, session.zone)
    in_year = f", all in {year}" if year is not None else ""
    st.caption(f"{len(chosen):,} of {len(timeline.entries):,} entries{in_year}.")
    if not chosen:
        st.info(NO_ENTRIES, icon=":material/info:")
        return
    frame = timeline_frame(chosen, session.zone)
    shown = frame if year is None else timeline_frame(chosen, session.zone, without_year=True)
    event = st.dataframe(
        shown,
        hide_index=True,
        height=widgets.table_height(len(frame)),
        key=keys.timeline_table(lead_id),
        on_select="rerun",
        selection_mode="single-row",
        # Four columns fit beside the profile panel at 1024 px; the selected entry shows its
        # whole detail and the tab holding it, and the CSV has every column.
        column_order=TIMELINE_TABLE_COLUMNS,
        column_config=widgets.fitted(
            TIMELINE_TABLE_COLUMNS,
            column_widths.selectable(column_widths.LEAD_TAB_PX),
            fits={"Time": Fit(130, 145) if year is None else Fit(100, 110)},
        ),
    )
    widgets.download(
        frame, key=keys.lead_download(f"timeline-{lead_id}"), file_name=f"lead-{lead_id}-timeline"
    )
    rows = event.selection.rows if event is not None else []
    if rows and 0 <= rows[0] < len(chosen):
        _selected(lead_id, chosen[rows[0]])
    else:
        st.caption("Select an entry to read its whole detail and open the tab that holds it.")


def _selected(lead_id: int, entry: TimelineEntry) -> None:
    with st.container(border=True):
        st.text(entry.title)
        if entry.detail:
            # The raw answer or message as sent, as code: never rendered as markup.
            st.code(entry.detail, language=None, wrap_lines=True)
        st.button(
            f"Open the {entry.tab} tab",
            key=keys.timeline_open(lead_id),
            icon=":material/open_in_new:",
            on_click=_open_tab,
            args=(entry.tab,),
        )
