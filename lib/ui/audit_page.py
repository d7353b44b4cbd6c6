"""The Audit page (`pages/3_Audit.py`): choose campaigns and a window, run, read the findings.

settings (campaigns, window, thresholds) → `lib.audit` (fetch into the user's snapshot, run
every signal) → `lib.views.audit` (figures, tables, frames) → drawn here. The fetch runs in a
worker thread so the page can show its progress and offer Cancel: pressing Cancel reruns the
script, whose interruption sets the fetch's cancel event; what was read is kept and audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from lib.audit.fetch import FetchProgress, FetchResult, fetch_scope
from lib.audit.run import (
    AuditResult,
    AuditScope,
    analyse,
    arrivals,
    lead_facts,
    run_audit,
    scope_view,
)
from lib.audit.settings import DEFAULT_SETTINGS, SIGNALS, AuditSettings
from lib.audit.signals import AuditContext
from lib.audit.snapshot import (
    Snapshot,
    sweep_expired,
)
from lib.audit_report import build_audit_report, report_file_name
from lib.charts.audit import arrivals_figure, cluster_timeline_figure, funnel_figure
from lib.connect import source_name
from lib.convertr.errors import ConvertrError
from lib.evidence import PackAuthor
from lib.presentation import escape_markdown
from lib.store import (
    Owner,
    SavedSettings,
    SettingsNotFoundError,
    SettingsRefusedError,
    Store,
    StoreError,
)
from lib.store.schema import NAME_LENGTH
from lib.ui import bulk_edit, cached_api, kept, keys, pages, saved_views, widgets, workspace
from lib.ui.frame import Session
from lib.ui.kept import audit_directory_path, forget_snapshot
from lib.ui.workspace import Workspace
from lib.views import audit as view
from lib.views import column_widths
from lib.views.audit_settings import AUDIT_VIEW_KIND, AuditView
from lib.views.saved_views import NO_VIEW, view_label
from lib.views.url_params import CAMPAIGNS_CAMPAIGN, FROM, PARAM_CAMPAIGN, PARAM_LEAD, TO

logger = logging.getLogger(__name__)

MASKED_ROLE: Final = "masked"
AUDIT_VIEWS_NOT_SAVED: Final = (
    "Audit settings cannot be saved right now (Lead Lens's database is unavailable)."
)
FINDING_WIDTHS: Final = {"Lead": 72, "Signal": 124, "Strength": 68, "New": 48, "Why": 326}
"""Pixel widths of the findings table's columns, in order: at 1024 px (the grid 674 px wide
beside the sidebar) they fill the grid, so "Why" needs no horizontal scroll; a wider window
shares the rest among them. The finding's number and size stay in the data (the sentence
says how many leads) and are not shown."""
FINDING_ROW_PX: Final = 84
"""Four lines of text: "Why" wraps (Streamlit wraps cell text only in rows taller than
4rem), and the longest sentence takes at most three lines at 1024 px."""
SECTIONS: Final = ("Findings", "Publishers", "Clusters", "Arrivals")
PUBLISHER_COLUMNS: Final = (
    "Campaign",
    "Publisher",
    "Sub-ID",
    "Leads",
    "Flagged %",
    "Baseline %",
    "Flagged vs baseline",
    "Payout at risk",
)
"""The scorecard's columns on screen, each value whole at 1024 px: whether a publisher's
flagged share stands out, and what it puts at risk (the funnel plot draws the interval; the
CSV has every status's share and judgement)."""
PUBLISHER_FITS: Final = {
    "Campaign": column_widths.Fit(76, 90),
    "Publisher": column_widths.Fit(76, 90),
    "Sub-ID": column_widths.Fit(72, 90),  # "sub-0201"
    "Leads": column_widths.Fit(56, 64),
    "Flagged %": column_widths.Fit(78, 90),
    "Baseline %": column_widths.Fit(82, 94),
    "Flagged vs baseline": column_widths.Fit(134, 140),  # "too few to judge"
    "Payout at risk": column_widths.Fit(102, 110),
}
CAMPAIGN_CHOICES: Final = 500
EARLIEST_DAY: Final = dt.date(2000, 1, 1)
"""The window's earliest day (the date picker's default would stop ten years back)."""
POLL_SECONDS: Final = 0.25
"""How often the page redraws the progress bar while the fetch runs (a join timeout, so the
loop ends the moment the fetch does)."""
SLIDERS: Final[tuple[tuple[str, str, int, int], ...]] = (
    ("rapid_post_seconds", "Rapid post: same IP within (s)", 1, 300),
    ("ip_hour_count", "Same IP this many times within an hour", 2, 10),
    ("duplicate_window_days", "Duplicate window (days)", 1, 90),
    ("device_window_hours", "Shared device window (hours)", 1, 72),
    ("min_publisher_count", "Judge publishers from (leads)", 5, 200),
    ("cluster_ip_minutes", "Cluster on the same IP within (min)", 1, 120),
)


def _directory() -> str:
    return str(audit_directory_path())


def has_snapshot(session: Session) -> bool:
    """Whether the user has a snapshot on disk (the page creates none before a run)."""
    return kept.has_audit_snapshot(source_name(session.connection.config), session.user.email)


def user_snapshot(session: Session) -> Snapshot:
    """The user's snapshot, opened (and created) now; expired ones are swept first."""
    settings = AuditSettings()
    sweep_expired(settings.snapshot_ttl_hours, directory=audit_directory_path())
    return kept.open_snapshot(
        source_name(session.connection.config),
        session.user.email,
        session.user.role == MASKED_ROLE,
        _directory(),
    )


def _campaigns(session: Session) -> dict[int, str]:
    page = cached_api.campaigns_page(
        session.client, session.connection.key, 1, CAMPAIGN_CHOICES, None, ()
    )
    return {campaign.id: f"{campaign.name} ({campaign.id})" for campaign in page.items}


def _scope(session: Session) -> AuditScope | None:
    choices = _campaigns(session)
    linked = pages.read(CAMPAIGNS_CAMPAIGN).value
    if keys.AUDIT_CAMPAIGNS not in st.session_state and linked in choices:
        st.session_state[keys.AUDIT_CAMPAIGNS] = [linked]
    widgets.hold(keys.AUDIT_CAMPAIGNS)
    left, right = st.columns([3, 2])
    chosen = left.multiselect(
        "Campaigns",
        options=list(choices),
        format_func=lambda campaign: choices.get(campaign, str(campaign)),
        key=keys.AUDIT_CAMPAIGNS,
        placeholder="Choose one or more campaigns",
    )
    today = dt.datetime.now(session.zone).date()
    # A link may name the window (from, to): an audit of last quarter can be shared.
    linked_from, linked_to = pages.read(FROM).value, pages.read(TO).value
    window = right.date_input(
        "Capture window",
        value=view.linked_window(today, EARLIEST_DAY, linked_from, linked_to),
        key=keys.AUDIT_WINDOW,
        min_value=EARLIEST_DAY,
        max_value=today,
    )
    if not chosen:
        st.info("Choose one or more campaigns to audit.", icon=":material/info:")
        return None
    if not isinstance(window, tuple) or len(window) != 2:
        st.info("Choose the window's last day too.", icon=":material/info:")
        return None
    if len(chosen) == 1:
        st.query_params[PARAM_CAMPAIGN] = str(chosen[0])
    return AuditScope(tuple(int(c) for c in chosen), window[0], window[1])


def _snapshot_caption(slot: Any, snapshot: Snapshot | None) -> None:
    """The snapshot's size, age and state (drawn after a fetch, so it is current)."""
    info = snapshot.info() if snapshot is not None else None
    age = info.age(dt.datetime.now(dt.UTC)) if info is not None else None
    if info is None or age is None:
        slot.caption("No snapshot yet: the first run reads every lead of the window.")
        return
    minutes = int(age.total_seconds() // 60)
    when = f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"
    state = "" if info.complete else " (incomplete: the last fetch was cut short)"
    masked = " Masked: the audit runs on hashes." if info.masked else ""
    slot.caption(f"Snapshot of {info.leads:,} leads, read {when}{state}.{masked}")


def _snapshot_bar(snapshot: Snapshot | None, session: Session) -> tuple[Any, bool, bool]:
    """A slot for the snapshot's caption, Run, Refresh and Forget; returns the slot and
    whether Run or Refresh was pressed."""
    exists = snapshot is not None and snapshot.info().fetched_at is not None
    left, run_column, refresh_column, forget_column = st.columns([4, 1.3, 1.2, 1.2])
    slot = left.empty()
    run = run_column.button("Run audit", key=keys.AUDIT_RUN, type="primary")
    refresh = refresh_column.button(
        "Refresh",
        key=keys.AUDIT_REFRESH,
        disabled=not exists,
        help="Read new leads and the last days again (status and delivery change)",
    )
    if forget_column.button(
        "Forget",
        key=keys.AUDIT_FORGET,
        disabled=not exists,
        help="Delete this snapshot from this computer now",
    ):
        forget_snapshot(source_name(session.connection.config), session.user.email)
        st.rerun()
    return slot, run, refresh


def _progress_text(progress: FetchProgress) -> str:
    left = progress.seconds_left
    remaining = f", about {left:,.0f} s left" if left is not None else ""
    return (
        f"{progress.leads:,} of about {progress.estimated_total:,} leads · "
        f"{progress.leads_per_second:,.0f} leads/s{remaining}"
    )


def _fetch(session: Session, snapshot: Snapshot, scope: AuditScope, refresh: bool) -> None:
    """Fetch in a worker thread, drawing its progress; Cancel (a rerun) stops it."""
    holder: dict[str, Any] = {"scope": scope, "done": False, "audited": False}
    st.session_state[keys.AUDIT_FETCH] = holder
    cancel = threading.Event()
    client = session.client
    now = dt.datetime.now(dt.UTC)

    def work() -> None:
        try:
            holder["result"] = fetch_scope(
                client,
                snapshot,
                scope,
                AuditSettings(),
                now=now,
                refresh=refresh,
                progress=lambda progress: holder.__setitem__("progress", progress),
                cancel=cancel,
            )
        except ConvertrError as error:
            holder["error"] = error
        finally:
            holder["done"] = True

    worker = threading.Thread(target=work, name="audit-fetch", daemon=True)
    worker.start()
    bar = st.progress(0.0, text="Reading leads…")
    cancel_slot = st.empty()
    cancel_slot.button("Cancel", key=keys.AUDIT_CANCEL, icon=":material/stop_circle:")
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            progress = holder.get("progress")
            if progress is not None:
                bar.progress(progress.fraction, text=_progress_text(progress))
    finally:
        if worker.is_alive():
            # The script was interrupted (Cancel, or another widget): stop, keep what was read.
            cancel.set()
            worker.join()
    bar.empty()
    cancel_slot.empty()


def _audit_after_fetch(snapshot: Snapshot | None) -> None:
    """Audit what a finished fetch read (also after a Cancel, on the next run)."""
    holder = st.session_state.get(keys.AUDIT_FETCH)
    if not isinstance(holder, dict) or not holder.get("done") or holder.get("audited"):
        return
    if snapshot is None:
        return
    holder["audited"] = True
    fetched: FetchResult | None = holder.get("result")
    error = holder.get("error")
    if fetched is None:
        message = getattr(error, "user_message", "the fetch failed")
        st.error(f"Could not read the leads: {message}", icon=":material/error:")
        return
    scope: AuditScope = holder["scope"]
    result = run_audit(snapshot, scope, AuditSettings(), now=dt.datetime.now(dt.UTC))
    st.session_state[keys.AUDIT_RESULT] = (scope, result, fetched)


def _threshold_ranges() -> dict[str, tuple[int, int]]:
    return {name: (low, high) for name, _label, low, high in SLIDERS}


def _published_thresholds() -> dict[str, int]:
    return {name: int(getattr(DEFAULT_SETTINGS, name)) for name, *_ in SLIDERS}


def _audit_views(session: Session) -> tuple[Workspace, Owner | None, dict[str, SavedSettings]]:
    store_room = workspace.open_workspace(session.connection.config)
    owner = saved_views.owner_of(session.identity)
    if store_room.store is None or owner is None:
        return store_room, owner, {}
    try:
        found = store_room.store.settings.visible(owner, kind=AUDIT_VIEW_KIND)
    except StoreError as error:
        logger.warning("saved audit settings unavailable: %s", error)
        return store_room, owner, {}
    return store_room, owner, {view.public_id: view for view in found}


def _apply_view(views: dict[str, SavedSettings]) -> None:
    """The chosen view's thresholds into the sliders, its signals and strength into the
    findings' filters (a callback: before any of those widgets is drawn)."""
    chosen = views.get(str(st.session_state.get(keys.AUDIT_VIEW_PICKER)))
    if chosen is None:
        return
    view = AuditView.from_json(chosen.settings, _threshold_ranges(), SIGNALS)
    for name, value in {**_published_thresholds(), **view.thresholds}.items():
        st.session_state[keys.audit_threshold(name)] = value
    st.session_state[keys.AUDIT_SIGNALS] = list(view.signals)
    st.session_state[keys.AUDIT_STRENGTH] = view.strength
    st.session_state[keys.AUDIT_VIEW_MESSAGE] = f"Opened {chosen.name!r}."


def _current_view() -> AuditView:
    thresholds = {
        name: int(st.session_state.get(keys.audit_threshold(name), value))
        for name, value in _published_thresholds().items()
    }
    return AuditView(
        thresholds=thresholds,
        signals=tuple(st.session_state.get(keys.AUDIT_SIGNALS) or ()),
        strength=str(st.session_state.get(keys.AUDIT_STRENGTH) or "any"),
    )


def _store_action(store_room: Workspace, action: Callable[[Store], str]) -> None:
    if store_room.store is None:
        st.session_state[keys.AUDIT_VIEW_MESSAGE] = AUDIT_VIEWS_NOT_SAVED
        return
    try:
        st.session_state[keys.AUDIT_VIEW_MESSAGE] = action(store_room.store)
    except (SettingsRefusedError, SettingsNotFoundError) as refused:
        st.session_state[keys.AUDIT_VIEW_MESSAGE] = str(refused).capitalize() + "."
    except StoreError as error:
        logger.warning("saved audit settings action failed: %s", error)
        st.session_state[keys.AUDIT_VIEW_MESSAGE] = AUDIT_VIEWS_NOT_SAVED


def _save_view(store_room: Workspace, owner: Owner) -> None:
    def save(store: Store) -> str:
        saved = store.settings.create(
            owner,
            kind=AUDIT_VIEW_KIND,
            campaign_id=None,
            name=str(st.session_state.get(keys.AUDIT_VIEW_NAME) or ""),
            settings=_current_view().to_json(),
            shared=bool(st.session_state.get(keys.AUDIT_VIEW_SHARED)),
        )
        st.session_state[keys.AUDIT_VIEW_PICKER] = saved.public_id
        st.session_state[keys.AUDIT_VIEW_NAME] = ""
        return f"Saved {saved.name!r}" + (" (shared)." if saved.shared else ".")

    _store_action(store_room, save)


def _delete_view(store_room: Workspace, owner: Owner, view: SavedSettings) -> None:
    def delete(store: Store) -> str:
        store.settings.delete(owner, view.public_id)
        st.session_state[keys.AUDIT_VIEW_PICKER] = NO_VIEW
        return f"Deleted {view.name!r}."

    _store_action(store_room, delete)


def _saved_settings(session: Session) -> None:
    """Saved audit settings: open one (thresholds and chosen signals), or save these."""
    store_room, owner, views = _audit_views(session)
    message = st.session_state.pop(keys.AUDIT_VIEW_MESSAGE, None)
    if owner is None:
        return
    if st.session_state.get(keys.AUDIT_VIEW_PICKER) not in (NO_VIEW, *views):
        st.session_state[keys.AUDIT_VIEW_PICKER] = NO_VIEW
    pick, name, shared, save = st.columns([2.2, 1.8, 0.8, 0.9], vertical_alignment="bottom")
    chosen = pick.selectbox(
        "Saved settings",
        options=[NO_VIEW, *views],
        format_func=lambda key: (
            key
            if key == NO_VIEW
            else view_label(
                views[key].name,
                own=views[key].owned_by(owner),
                shared=views[key].shared,
                owner_name=views[key].owner_name,
                default=False,
            )
        ),
        key=keys.AUDIT_VIEW_PICKER,
        on_change=_apply_view,
        args=(views,),
    )
    name.text_input(
        "Save these as", key=keys.AUDIT_VIEW_NAME, placeholder="Name", max_chars=NAME_LENGTH
    )
    shared.toggle("Shared", key=keys.AUDIT_VIEW_SHARED)
    save.button(
        "Save",
        key=keys.AUDIT_VIEW_SAVE,
        icon=":material/bookmark_add:",
        on_click=_save_view,
        args=(store_room, owner),
    )
    view = views.get(str(chosen))
    if view is not None:
        opened = AuditView.from_json(view.settings, _threshold_ranges(), SIGNALS)
        line, delete = st.columns([4, 1], vertical_alignment="center")
        line.caption(opened.summary(_published_thresholds()))
        if view.owned_by(owner):
            delete.button(
                "Delete",
                key=keys.AUDIT_VIEW_DELETE,
                icon=":material/delete:",
                on_click=_delete_view,
                args=(store_room, owner, view),
            )
    if message:
        st.caption(message)
    not_saving = workspace.not_saving_line(store_room)
    if not_saving:
        st.caption(not_saving)


def _thresholds(result: AuditResult, session: Session) -> AuditSettings:
    """The thresholds the page shows the audit under. Inside the expander only when it is
    open: its ten widgets were a good part of the browser's work drawing a run, for a panel
    most runs never open. The values last set hold while it is closed."""
    kept: dict[str, int] = st.session_state.setdefault(keys.AUDIT_THRESHOLDS_KEPT, {})
    panel = st.expander(
        "Thresholds", icon=":material/tune:", key=keys.AUDIT_THRESHOLDS, on_change="rerun"
    )
    if not panel.open:
        return dataclasses.replace(
            result.settings,
            **{name: kept[name] for name, *_ in SLIDERS if name in kept},
        )
    with panel:
        _saved_settings(session)
        st.caption(
            "Move a slider to see at once how many leads, publishers and how much payout "
            "cross the line. The published defaults are set."
        )
        columns = st.columns(2)
        values: dict[str, int] = {}
        for index, (name, label, low, high) in enumerate(SLIDERS):
            key = keys.audit_threshold(name)
            # A saved view may have set the slider already: then its value is the state's.
            value = (
                None
                if key in st.session_state
                else int(kept.get(name, getattr(result.settings, name)))
            )
            values[name] = columns[index % 2].slider(
                label, min_value=low, max_value=high, value=value, key=key
            )
    kept.update(values)
    return dataclasses.replace(result.settings, **values)


@st.cache_resource(show_spinner=False, max_entries=8)
def _variant(
    _snapshot_: Snapshot,
    path: str,  # noqa: ARG001 - the cache key of the unhashed snapshot
    scope: AuditScope,
    settings: AuditSettings,
) -> Any:
    """The same audit under other thresholds (not remembered as a run)."""
    with _snapshot_.cursor() as db:
        scope_view(db, scope)
        return analyse(db, scope, AuditContext(settings, masked=_snapshot_.masked))


def _figures(result: AuditResult, fetched: FetchResult) -> None:
    figures = view.figures(result)
    columns = st.columns(4)
    columns[0].metric("Leads audited", f"{figures.leads:,}")
    columns[1].metric(
        "Flagged", f"{figures.flagged_share:.1%}", help="Leads with at least one strong finding"
    )
    columns[2].metric("Payout at risk", f"{figures.payout_at_risk:,.2f}")
    columns[3].metric("Identity clusters", f"{figures.clusters:,}")
    if not fetched.complete:
        st.warning(fetched.summary(), icon=":material/warning:")
        for failure in fetched.failures:
            st.caption(f"Not read: {failure.line()}")
    for outcome in result.outcomes:
        if outcome.skipped:
            st.caption(f"**{outcome.signal}** did not run: {outcome.skipped}")
        for note in outcome.notes:
            st.caption(f"**{outcome.signal}**: {note}")
    for note in fetched.notes:
        st.caption(note)
    if result.compared_with_previous and figures.new_findings:
        st.caption(f"{figures.new_findings:,} findings are new since the last run.")


def _open_lead(lead_id: int, campaign_id: int | None = None) -> None:
    params = {PARAM_LEAD: str(lead_id)}
    if campaign_id is not None:
        params[PARAM_CAMPAIGN] = str(campaign_id)
    st.switch_page(pages.LEAD, query_params=params)


def _findings(result: AuditResult) -> None:
    left, middle, right = st.columns([3, 1.2, 1])
    signals = left.multiselect(
        "Signals", options=list(SIGNALS), key=keys.AUDIT_SIGNALS, placeholder="Every signal"
    )
    strength = middle.selectbox(
        "Strength", options=["any", "strong", "weak"], key=keys.AUDIT_STRENGTH
    )
    new_only = right.toggle(
        "New only", key=keys.AUDIT_NEW_ONLY, disabled=not result.compared_with_previous
    )
    filters = view.FindingFilters(
        signals=tuple(signals),
        strength=None if strength == "any" else strength,
        new_only=new_only,
    )
    order: view.FindingsSort | None = st.session_state.get(keys.AUDIT_FINDINGS_SORT)
    table = view.sorted_findings(view.findings_table(result, filters), order)
    st.session_state[keys.AUDIT_FINDING_LEADS] = view.finding_leads(table)
    if table.empty:
        st.info("No finding with these filters.", icon=":material/check_circle:")
        return
    pages_count = view.findings_pages(len(table))
    shown = table
    ordered = view.findings_order_caption(order)
    if pages_count == 1:
        st.caption(f"{len(table):,} rows; select a row to open its lead. {ordered}")
    else:
        # Only one page is drawn: the browser's work grows with the rows sent.
        if st.session_state.get(keys.AUDIT_FINDINGS_PAGE, 1) > pages_count:
            st.session_state[keys.AUDIT_FINDINGS_PAGE] = pages_count
        words, number = st.columns([4, 1], vertical_alignment="bottom")
        page = number.number_input(
            f"Page (of {pages_count:,})",
            min_value=1,
            max_value=pages_count,
            step=1,
            key=keys.AUDIT_FINDINGS_PAGE,
            on_change=_forget_finding_selection,
        )
        shown = view.findings_page(table, int(page))
        first = (int(page) - 1) * view.FINDINGS_PAGE_ROWS + 1
        words.caption(
            f"{len(table):,} rows, {view.FINDINGS_PAGE_ROWS:,} a page (rows {first:,} to "
            f"{first + len(shown) - 1:,} shown); select a row to open its lead. {ordered}"
        )
    # A header click selects its column (which turns Streamlit's sorting of the rows on
    # screen, one page, off) and sorts the whole table; each order is a table of its own, so
    # it starts with no column selected.
    table_key = _findings_table_key(order)
    selection = st.dataframe(
        shown,
        hide_index=True,
        key=table_key,
        on_select=functools.partial(_sort_findings_by_header, table_key),
        selection_mode=["single-row", "single-column"],
        column_order=list(FINDING_WIDTHS),
        column_config={
            "Lead": st.column_config.NumberColumn(format="%d", width=FINDING_WIDTHS["Lead"]),
            "Signal": st.column_config.TextColumn(width=FINDING_WIDTHS["Signal"]),
            "Strength": st.column_config.TextColumn(width=FINDING_WIDTHS["Strength"]),
            "New": st.column_config.CheckboxColumn(
                width=FINDING_WIDTHS["New"], help="Not found by the previous run of this audit"
            ),
            "Why": st.column_config.TextColumn(width=FINDING_WIDTHS["Why"]),
        },
        row_height=FINDING_ROW_PX,
        # Every row of a short list (or page), and the usual cap on a long one.
        height=widgets.table_height(len(shown), FINDING_ROW_PX),
    )
    rows = selection.selection.rows if selection else []
    if rows and rows[0] < len(shown):
        _open_lead(int(shown.iloc[rows[0]]["Lead"]))


def _forget_finding_selection() -> None:
    """Another page of findings: a row selected on the last one means nothing on it."""
    st.session_state.pop(_findings_table_key(st.session_state.get(keys.AUDIT_FINDINGS_SORT)), None)


def _findings_table_key(order: view.FindingsSort | None) -> str:
    """The findings table's key: one table per order, so a new order starts with no column
    selected (the default order keeps the plain key)."""
    return keys.AUDIT_FINDINGS if order is None else f"{keys.AUDIT_FINDINGS}.{order}"


def _sort_findings_by_header(table_key: str) -> None:
    """A header click: sort every page of the findings by that column (again: flip), from
    the first page."""
    state = st.session_state.get(table_key)
    columns = list(state["selection"]["columns"]) if state else []
    if not columns:
        return
    current = st.session_state.get(keys.AUDIT_FINDINGS_SORT)
    st.session_state[keys.AUDIT_FINDINGS_SORT] = view.next_findings_sort(current, str(columns[0]))
    st.session_state[keys.AUDIT_FINDINGS_PAGE] = 1


def _publishers(result: AuditResult, snapshot: Snapshot) -> None:
    points = view.funnel_frame(result)
    if points.empty:
        st.info("No publisher in this window.", icon=":material/info:")
        return
    baseline = float(points["baseline"].mean())
    bands = view.funnel_bands(baseline, int(points["leads"].max()))
    chosen: tuple[int, int | None] | None = None
    event = st.plotly_chart(
        funnel_figure(points, bands, baseline),
        key=keys.AUDIT_FUNNEL,
        on_select="rerun",
        selection_mode="points",
    )
    selected_points = event.selection.points if event else []
    if selected_points:
        custom = selected_points[0].get("customdata") or []
        if len(custom) == 2:
            chosen = (int(custom[0]), None if custom[1] is None else int(custom[1]))
    table = view.publisher_table(result)
    st.caption(
        "The plot's table: select a publisher row to list its flagged leads. The CSV adds "
        "each status's share and judgement."
    )
    picked = st.dataframe(
        table,
        hide_index=True,
        key=keys.AUDIT_PUBLISHERS,
        on_select="rerun",
        selection_mode="single-row",
        height=widgets.table_height(len(table)),
        column_order=PUBLISHER_COLUMNS,
        column_config=widgets.fitted(
            PUBLISHER_COLUMNS,
            column_widths.selectable(column_widths.PAGE_PX),
            {
                name: st.column_config.NumberColumn(format="%d")
                for name in ("Campaign", "Publisher")
            },
            PUBLISHER_FITS,
        ),
    )
    widgets.download(table, key=keys.AUDIT_PUBLISHERS, file_name="audit-publishers")
    rows = picked.selection.rows if picked else []
    if rows:
        row = table.iloc[rows[0]]
        publisher = row["Publisher"]
        chosen = (
            int(row["Campaign"]),
            None if publisher is None or publisher != publisher else int(publisher),
        )
    if chosen is not None:
        leads = view.publisher_leads(result, *chosen)
        st.markdown(
            f"**Publisher {chosen[1]}, campaign {chosen[0]}: {len(leads):,} flagged leads**"
        )
        facts = lead_facts(snapshot, result.scope, leads)
        pick = st.dataframe(
            facts,
            hide_index=True,
            key=keys.AUDIT_PUBLISHER_LEADS,
            on_select="rerun",
            selection_mode="single-row",
        )
        if pick and pick.selection.rows:
            _open_lead(int(facts.iloc[pick.selection.rows[0]]["lead_id"]))


def _clusters(result: AuditResult, snapshot: Snapshot) -> None:
    table = view.clusters_table(result)
    if table.empty:
        st.info(
            "No identity cluster: no two leads share an email, phone, device or IP.",
            icon=":material/info:",
        )
        return
    st.caption("Select a cluster to see its members, how they are joined, and when.")
    picked = st.dataframe(
        table,
        hide_index=True,
        key=keys.AUDIT_CLUSTERS,
        on_select="rerun",
        selection_mode="single-row",
        # "Why" wraps, as in the findings.
        row_height=FINDING_ROW_PX,
        height=widgets.table_height(len(table), FINDING_ROW_PX),
        column_config=widgets.fitted(
            table.columns,
            column_widths.selectable(column_widths.PAGE_PX),
            {"Cluster": st.column_config.NumberColumn(format="%d")},
            {"Cluster": column_widths.Fit(66, 70), "Campaigns": column_widths.Fit(90, 120)},
        ),
    )
    rows = picked.selection.rows if picked else []
    if not rows:
        return
    number = int(table.iloc[rows[0]]["Cluster"])
    cluster = result.clusters[number - 1]
    members = lead_facts(snapshot, result.scope, cluster.lead_ids)
    st.markdown(f"**Cluster {number}:** {cluster.reason}")
    st.plotly_chart(cluster_timeline_figure(members), key=f"{keys.AUDIT_CLUSTERS}.timeline")
    st.dataframe(view.cluster_edges_table(result, number), hide_index=True)
    st.dataframe(members, hide_index=True)


def _arrivals(result: AuditResult, snapshot: Snapshot) -> None:
    frame = view.arrivals_frame(arrivals(snapshot, result.scope))
    st.plotly_chart(arrivals_figure(frame), key=f"{keys.AUDIT_SECTION}.arrivals")
    st.caption(
        "Leads by weekday and hour, in each lead's local time where its country or "
        "phone places it (UTC otherwise)."
    )


def _report(result: AuditResult, fetched: FetchResult, session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    st.download_button(
        "Download audit report",
        data=functools.partial(
            build_audit_report,
            result,
            author=PackAuthor.of(session.user),
            source=source_name(session.connection.config),
            generated_at=now,
            fetch_summary=fetched.summary(),
        ),
        file_name=report_file_name(result.scope.campaigns, now),
        mime="application/zip",
        key=keys.AUDIT_REPORT,
        icon=":material/download:",
        on_click="ignore",
    )


def render(session: Session) -> None:
    st.title("Audit")
    st.caption(
        "Every lead of the chosen campaigns checked at once: each finding says why, in one "
        "sentence, and opens its lead."
    )
    scope = _scope(session)
    if scope is None:
        return
    snapshot = user_snapshot(session) if has_snapshot(session) else None
    slot, run, refresh = _snapshot_bar(snapshot, session)
    _audit_after_fetch(snapshot)
    if run or refresh:
        snapshot = user_snapshot(session)
        info = snapshot.info()
        covers = bool(
            refresh
            or (
                info.complete
                and info.window_from
                and info.window_from <= scope.window_from
                and set(scope.campaigns) <= set(info.campaigns)
            )
        )
        _fetch(session, snapshot, scope, refresh=covers)
        _audit_after_fetch(snapshot)
    _snapshot_caption(slot, snapshot)
    stored = st.session_state.get(keys.AUDIT_RESULT)
    if not stored or stored[0] != scope:
        st.info(
            "Press **Run audit** to read the window's leads and check them.",
            icon=":material/play_circle:",
        )
        return
    _, result, fetched = stored
    if snapshot is None:
        return
    settings = _thresholds(result, session)
    if settings != result.settings:
        variant = _variant(snapshot, str(snapshot.path), scope, settings)
        st.info(view.threshold_impact(result, variant).sentence(), icon=":material/tune:")
        result = variant
    _figures(result, fetched)
    if result.leads == 0:
        st.info("No lead was captured in this window.", icon=":material/info:")
        return
    section = st.segmented_control(
        "Show",
        options=SECTIONS,
        default=SECTIONS[0],
        key=keys.AUDIT_SECTION,
        label_visibility="collapsed",
    )
    if section == "Publishers":
        _publishers(result, snapshot)
    elif section == "Clusters":
        _clusters(result, snapshot)
    elif section == "Arrivals":
        _arrivals(result, snapshot)
    else:
        _findings(result)
        bulk_edit.audit_findings_panel(session, st.session_state.get(keys.AUDIT_FINDING_LEADS, ()))
    _report(result, fetched, session)


def _step_to(lead_id: int | None) -> None:
    if lead_id is not None:
        st.switch_page(pages.LEAD, query_params={PARAM_LEAD: str(lead_id)})


def _flag_line(signal: str, strength: str, reason: str) -> None:
    marker = ":red[strong]" if strength == "strong" else ":orange[weak]"
    st.markdown(f"**{signal}** ({marker}): {escape_markdown(reason)}")


def stored_lead_flags(session: Session, lead_id: int) -> None:
    """On the Lead page of a session that ran no audit: the lead's flags as the user's last
    audit that held it said them (kept in their snapshot until it expires or they sign out)."""
    flags = user_snapshot(session).lead_flags(lead_id)
    if not flags:
        return
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.page_link(pages.AUDIT, label="Audit", icon=":material/fact_check:")
            st.caption(f"Flags from your audit of {flags[0].run_at:%Y-%m-%d %H:%M} UTC")
        for flag in flags:
            _flag_line(flag.signal, flag.strength, flag.reason)


def lead_findings(lead_id: int) -> None:
    """On the Lead page: the lead's own flags from this session's audit, and Previous / Next
    through the findings ("Finding 3 of 41") when the lead is one of them."""
    stored = st.session_state.get(keys.AUDIT_RESULT)
    if not stored:
        return
    result: AuditResult = stored[1]
    own = [finding for finding in result.findings if lead_id in finding.lead_ids]
    leads = st.session_state.get(keys.AUDIT_FINDING_LEADS) or tuple(
        dict.fromkeys(lead for finding in result.findings for lead in finding.lead_ids)
    )
    position = view.finding_position(leads, lead_id)
    if not own and position is None:
        return
    with st.container(border=True):
        if position is not None:
            previous, following = view.neighbours(leads, lead_id)
            with st.container(horizontal=True, vertical_alignment="center"):
                st.page_link(pages.AUDIT, label="Audit", icon=":material/fact_check:")
                st.caption(position)
                if st.button(
                    "Previous finding",
                    key=keys.AUDIT_PREVIOUS,
                    disabled=previous is None,
                    icon=":material/arrow_back:",
                ):
                    _step_to(previous)
                if st.button(
                    "Next finding",
                    key=keys.AUDIT_NEXT,
                    disabled=following is None,
                    icon=":material/arrow_forward:",
                ):
                    _step_to(following)
        for finding in own:
            _flag_line(finding.signal, finding.strength, finding.reason)
