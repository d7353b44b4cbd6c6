"""The Lead page: the Lead Data view (profile panel and seven tabs) from one dossier load."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Final, TypeVar

import pandas as pd
import streamlit as st

from lib.charts import location_svg, weekly_leads_html
from lib.connect import source_name
from lib.convertr import LeadDossier
from lib.convertr.errors import ConvertrError, NotFoundError, PermissionDeniedError
from lib.convertr.models import Lead
from lib.palette import MUTED_TEXT_COLOUR, STATUS_TEXT_COLOURS
from lib.presentation import (
    MASKED_LABEL,
    escape_markdown,
)
from lib.ui import (
    cached_api,
    inspector,
    keys,
    layout,
    lead_extras,
    lead_marks,
    lead_steps,
    pages,
    saved_views,
    widgets,
    workbench,
    workspace,
)
from lib.ui import kept as kept_items
from lib.ui.edit_tab import render_edit_tab
from lib.ui.frame import Session, confirm_signed_in, fragment_rerun, guarded
from lib.ui.timeline_tab import render_timeline_tab
from lib.views import column_widths
from lib.views.glossary import help_for
from lib.views.lead import (
    LEAD_TABS,
    NO_ASSOCIATED,
    TAB_ASSOCIATED,
    TAB_EDIT,
    TAB_JOBS,
    TAB_NOTES,
    TAB_PROCESSR_LOGS,
    TAB_PROFILE,
    TAB_PROVIDER_LOGS,
    DetailRow,
    Location,
    ProfilePanel,
    associated_campaigns,
    format_warnings,
    job_details,
    load_caption,
    log_table,
    note_table,
    profile_blocks,
    profile_panel,
    profile_tables,
    provider_answers,
    provider_logs_caption,
    provider_logs_hidden,
)
from lib.views.reading import readable_frame
from lib.views.url_params import LEAD_CAMPAIGN, LEAD_LEAD, LEAD_TAB, PARAM_CAMPAIGN

OUTCOME_COLOURS: Final = {
    "Passed": STATUS_TEXT_COLOURS["Valid"],
    "Failed": STATUS_TEXT_COLOURS["Invalid"],
    "Not run": MUTED_TEXT_COLOUR,
}
"""Outcome text colours, AA contrast on white."""
MAP_ALT: Final = "Map of where the lead was captured (said in words under it)."
JOB_COLUMNS: Final = ("Job", "Outcome", "Score", "Hardfail", "Message")
"""The Job Details columns shown (the CSV and the selected row have them all)."""
PROCESSR_LOG_COLUMNS: Final = ("Time", "Level", "Message")
"""The Processr Logs columns shown (a message starts with its job's name; the CSV and the
selected row have the Job column too)."""

T = TypeVar("T")


def _hint(lead_id: int) -> tuple[int | None, str | None]:
    """What the Leads page knew of the lead, when the link names the list it came from."""
    hint = st.session_state.get(keys.lead_hint(lead_id))
    linked = pages.read(LEAD_CAMPAIGN).value
    if isinstance(hint, tuple) and len(hint) == 2 and linked == hint[0]:
        campaign_id, email = hint
        return int(campaign_id), (str(email) if email else None)
    return None, None


def _refresh(connection: cached_api.Connection, lead_id: int) -> None:
    cached_api.refresh_lead(connection, lead_id)


def load(session: Session, lead_id: int, *, spinner: bool = True) -> LeadDossier:
    """The dossier (from cache when fresh), with a spinner while it loads (a tabs' own rerun
    asks without one: it only checks the cache's entry is still the one shown). The campaign
    and email the Leads page knew save a wave."""
    campaign_id, email = _hint(lead_id)
    connection = session.connection
    before = connection.client.request_count
    started = time.perf_counter()
    waiting = (
        st.spinner(f"Loading lead {lead_id:,}…".replace(",", "")) if spinner else nullcontext()
    )
    with waiting:
        # load_dossier itself drops hints that contradict the lead.
        dossier = cached_api.lead_dossier(connection, lead_id, campaign_id, email)
    elapsed = time.perf_counter() - started
    sent = connection.client.request_count - before
    if sent:
        st.session_state[keys.lead_loaded(lead_id)] = (elapsed, sent)
    return dossier


def _once(session: Session, dossier: LeadDossier, name: str, build: Callable[[], T]) -> T:
    """`build()` once per loaded dossier (a view, the frames a tab shows), then from the cache
    on every run: a tab switch or any other rerun redraws, it does not rebuild. `name` says
    what else the result depends on (the viewer's zone)."""
    return cached_api.lead_derived(dossier, session.connection.key, name, build)


def _value(text: str) -> None:
    """A lead value as plain text; a masked one muted (a caption of our own words)."""
    if text == MASKED_LABEL:
        st.caption(MASKED_LABEL)
    else:
        st.text(text)


def _detail(row: DetailRow) -> None:
    left, right = st.columns([1, 2])
    left.caption(row.label)
    # Plain text: lead values never pass through Markdown (no links, no formatting).
    right.text(row.value)


def _profile_panel(session: Session, dossier: LeadDossier, panel: ProfilePanel) -> None:
    st.markdown("## Lead Profile")
    if panel.photo_url:
        st.image(panel.photo_url, width=96, alt=f"Photo of {panel.name}")
    # Lead values are shown with st.text: Markdown would turn URLs in them into links.
    st.text(panel.name)
    for line in panel.headline:
        _value(line)
    if panel.social_links:
        # A wrapping row of buttons as wide as their labels: never cut in a narrow panel.
        with st.container(horizontal=True):
            for index, (label, url) in enumerate(panel.social_links):
                st.link_button(label, url, key=keys.lead_social(index))
    st.markdown("### Details")
    _detail(panel.lead_id)
    left, right = st.columns([1, 2])
    left.caption("Status")
    with right:
        widgets.status_badge(panel.status, panel.status_text)
        if panel.status_help:
            st.caption(escape_markdown(panel.status_help))
    left, right = st.columns([1, 2])
    left.caption("Delivery")
    right.badge(
        panel.delivery,
        color="green" if panel.delivered else "gray",
        icon=":material/local_shipping:" if panel.delivered else ":material/schedule:",
    )
    _campaign_row(panel)
    for row in panel.details:
        _detail(row)
    st.progress(panel.score_fraction, text=panel.score_text)
    if panel.location is not None:
        _map(session, dossier, panel.location)


def _map(session: Session, dossier: LeadDossier, location: Location) -> None:
    # A static picture drawn on the server from the country outlines the app ships: no tile
    # server, no CDN (a closed network or an offline demo laptop draws it too), and none of
    # plotly's JavaScript on the first view of a lead.
    picture = _once(
        session,
        dossier,
        "map",
        lambda: location_svg(location.latitude, location.longitude),
    )
    st.image(picture, width="stretch", alt=MAP_ALT)
    # Said in words as well: the one view that needs nothing drawn, and what a screen
    # reader reads.
    st.caption("Where the lead was captured:")
    if location.address:
        _value(location.address)
    else:
        st.text(f"Near {location.latitude:.4f}, {location.longitude:.4f}")


def _campaign_row(panel: ProfilePanel) -> None:
    left, right = st.columns([1, 2])
    left.caption("Campaign")
    # A page link does not wrap: the name goes beside the label as plain text, in full, and
    # the link under both at the panel's full width (in the narrow column it was cut).
    right.text(panel.campaign_name)
    st.page_link(
        pages.CAMPAIGNS,
        label="Open campaign",
        icon=":material/campaign:",
        query_params={PARAM_CAMPAIGN: str(panel.campaign_id)},
    )


def _profile_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "lead_data", tab=TAB_PROFILE):
        return
    lead = dossier.lead
    sources = workbench.provenance_of(session, dossier)

    def blocks() -> list[tuple[str, pd.DataFrame, str, str]]:
        tables = profile_tables(lead, dossier.lead_data or [], session.zone)
        shown = [("Publisher Data", tables.publisher_data, "publisher-data", "No publisher data.")]
        shown += [(title, frame, name, "") for title, frame, name in profile_blocks(tables)]
        return [
            (title, readable_frame(workbench.with_sources(frame, sources)), name, empty)
            for title, frame, name, empty in shown
        ]

    first, *further = _once(session, dossier, f"profile:{session.zone}", blocks)
    _profile_table(lead.id, *first)
    if further:
        # One table for the further blocks, chosen by name and size: five Glide grids cost
        # the first view of a lead a quarter of Chromium's work, most of it below the fold.
        sizes = {title: len(frame) for title, frame, _name, _empty in further}
        st.markdown("## More values")
        chosen = st.segmented_control(
            "Values shown",
            options=list(sizes),
            default=next(iter(sizes)),
            format_func=lambda title: f"{title} · {sizes[title]}",
            key=keys.lead_profile_block(lead.id),
            label_visibility="collapsed",
            persist_state="page",  # as left while another tab is open
        )
        shown = next((block for block in further if block[0] == chosen), further[0])
        _profile_table(lead.id, *shown, heading=False)
    workbench.render_provenance_details(session, dossier, sources)


def _profile_table(
    lead_id: int, title: str, frame: pd.DataFrame, name: str, empty: str, *, heading: bool = True
) -> None:
    if heading:
        st.markdown(f"## {title}")
    widgets.table(
        frame,
        key=keys.lead_download(f"{name}-{lead_id}"),
        file_name=f"lead-{name}-{lead_id}",
        empty=empty,
        budget=column_widths.LEAD_TAB_PX,
        column_config=workbench.source_column(),
        # Three lines a row: a long field name, source or value wraps, read whole.
        row_px=column_widths.THREE_LINE_ROW_PX,
    )


def _associated_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "associated_leads", "associated_campaigns", tab=TAB_ASSOCIATED):
        return
    lead = dossier.lead
    view = _once(
        session,
        dossier,
        f"associated:{session.zone}",
        lambda: associated_campaigns(dossier, session.zone),
    )
    if view.table.empty:
        st.info(NO_ASSOCIATED, icon=":material/info:")
        return
    st.caption(view.caption)
    if view.derived_note:
        st.caption(escape_markdown(view.derived_note))
    lead_extras.associated(view.table, lead.id, NO_ASSOCIATED)
    if widgets.part_failed(dossier, "associated_chronologies", tab=TAB_ASSOCIATED):
        return
    st.markdown("## Leads per week on these campaigns")
    if view.weekly.empty:
        st.info("No leads on these campaigns in these weeks.", icon=":material/info:")
        return
    # A static picture drawn on the server (as the map): none of Vega-Lite's 775 KB of
    # JavaScript on the tab's first view. Each week's leads show as the browser's own
    # tooltip; every campaign name in it is escaped (st.html sanitises it again).
    picture = _once(
        session,
        dossier,
        f"associated-weekly:{session.zone}",
        lambda: weekly_leads_html(view.weekly),
    )
    st.html(picture)


def _outcome_style(value: object) -> str:
    colour = OUTCOME_COLOURS.get(str(value))
    return f"color: {colour}; font-weight: 600" if colour else ""


def _jobs_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "jobs", "job_results", tab=TAB_JOBS):
        return
    lead = dossier.lead
    view = _once(
        session, dossier, f"jobs:{session.zone}", lambda: job_details(dossier, session.zone)
    )
    # A wrapping row of figures as wide as their values: in four equal columns beside the
    # profile panel at 1024 px the score was cut ("85 / …").
    st.html(lead_extras.figures_html(view.figures))
    # Plain text: job names come from the campaign's configuration, not from markdown.
    st.text(view.explanation)
    frame = view.rows
    if frame.empty:
        st.info("No Processr jobs are configured on this campaign.", icon=":material/info:")
        return
    event = st.dataframe(
        widgets.cell_styler(frame).map(_outcome_style, subset=["Outcome"]),
        hide_index=True,
        # Rows of four lines: a long job name or message wraps and is read whole, at 1024 px
        # and on a wide window alike (Streamlit grows every column by the same amount).
        row_height=column_widths.WRAPPED_ROW_PX,
        height=widgets.table_height(len(frame), column_widths.WRAPPED_ROW_PX),
        key=keys.lead_jobs_table(lead.id),
        on_select="rerun",
        selection_mode="single-row",
        alt="Processr jobs of this lead's campaign. Select a row to read its category and time.",
        # The rows run in order; the category and run time are in the row shown whole and
        # in the CSV. Five columns fit beside the profile panel at 1024 px.
        column_order=JOB_COLUMNS,
        column_config=widgets.fitted(
            JOB_COLUMNS,
            column_widths.selectable(column_widths.LEAD_TAB_PX),
            {
                "Job": st.column_config.TextColumn(help=help_for("Processr", "Job", "HLR")),
                "Hardfail": st.column_config.TextColumn(help=help_for("Hardfail")),
            },
            {"Score": column_widths.Fit(64, 70)},  # "25 / 25" on one line
        ),
    )
    rows = event.selection.rows
    lead_extras.show_row(frame, rows[0] if rows else None)
    widgets.download(frame, key=keys.lead_download("jobs"), file_name=f"lead-{lead.id}-jobs")


def _processr_logs_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "processr_logs", tab=TAB_PROCESSR_LOGS):
        return
    lead_extras.selectable_table(
        _once(
            session,
            dossier,
            f"processr-logs:{session.zone}",
            lambda: log_table(dossier.processr_logs or [], session.zone, provider=False),
        ),
        key=keys.lead_download(f"processr-logs-{dossier.lead_id}"),
        file_name=f"lead-processr-logs-{dossier.lead_id}",
        empty="No Processr logs for this lead.",
        alt="Processr logs of this lead. Select a row to read it whole.",
        # A job's message starts with the job's name: the Job column (in the row shown whole
        # and the CSV) gives its width to the message, which then wraps whole at 1024 px.
        column_order=PROCESSR_LOG_COLUMNS,
    )


def _provider_logs_tab(session: Session, dossier: LeadDossier) -> None:
    error = dossier.error_for("provider_logs")
    if isinstance(error, PermissionDeniedError) or not session.user.can_view_provider_logs:
        st.info(provider_logs_hidden(session.user.role), icon=":material/lock:")
        return
    if widgets.part_failed(dossier, "provider_logs", tab=TAB_PROVIDER_LOGS):
        return
    logs = dossier.provider_logs or []
    answers = _once(
        session,
        dossier,
        f"provider-answers:{session.zone}",
        lambda: provider_answers(logs, session.zone),
    )
    if not answers:
        st.info("No provider logs for this lead.", icon=":material/info:")
        return
    st.caption(provider_logs_caption(len(answers)))
    for index, answer in enumerate(answers):
        lead_extras.provider_answer(answer, index)
    widgets.download(
        _once(
            session,
            dossier,
            f"provider-logs:{session.zone}",
            lambda: log_table(logs, session.zone, provider=True),
        ),
        key=keys.lead_download("provider-logs"),
        file_name=f"lead-{dossier.lead_id}-provider-logs",
    )


def _notes_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "notes", tab=TAB_NOTES):
        return
    lead_extras.notes(
        _once(
            session,
            dossier,
            f"notes:{session.zone}",
            lambda: note_table(dossier.notes or [], session.zone),
        ),
        dossier.lead_id,
        "No status, delivery, contract or data changes have been noted on this lead.",
    )


def _edit_tab(session: Session, dossier: LeadDossier) -> None:
    if widgets.part_failed(dossier, "lead_data", "editable_fields", tab=TAB_EDIT):
        return
    render_edit_tab(session.client, dossier, session.user)


def _no_lead_shown(heading: str) -> None:
    """The heading of a Lead page that shows no lead; the sidebar then leaves out its link to
    the last lead, which would be highlighted as if it were the lead on show."""
    st.title(heading)
    st.session_state[keys.NO_LEAD_SHOWN] = True


def _lead_id_from_link() -> int | None:
    lead_id = pages.read(LEAD_LEAD).value
    if lead_id is None:
        _no_lead_shown("No lead to show")
        widgets.way_back(
            "This page shows one lead, but the link has no valid lead id (a positive number). "
            "Open a lead from a campaign's leads.",
            given=st.query_params.get(LEAD_LEAD.name),
        )
    return lead_id


def _header(session: Session, lead: Lead) -> None:
    st.title(f"Lead {lead.id}")
    loaded = st.session_state.get(keys.lead_loaded(lead.id))
    if loaded:
        st.caption(load_caption(*loaded))
    # One wrapping row: at 1024 px the controls wrap instead of being cut.
    with st.container(horizontal=True, vertical_alignment="center"):
        at = lead_steps.render(session, lead)
        st.button(
            "Refresh",
            key=keys.LEAD_REFRESH,
            icon=":material/refresh:",
            on_click=_refresh,
            args=(session.connection, lead.id),
            help="Load this lead again from Convertr.",
        )
        lead_marks.pin_button(
            workspace.open_workspace(session.connection.config),
            saved_views.owner_of(session.identity),
            lead.id,
            lead.campaign_id,
        )
        widgets.back_link(
            pages.LEADS,
            "Campaign leads",
            query_params=lead_steps.back_params(lead, at),
            help="Back to the list this lead was opened from, as it was.",
        )


def _format_warnings(session: Session, dossier: LeadDossier) -> None:
    """The fields the API sent in an unexpected shape, in a closed expander (only when some
    did): names and shapes only, as plain text."""
    view = _once(session, dossier, "format-warnings", lambda: format_warnings(dossier.warnings))
    if view is None:
        return
    with st.expander(view.heading, icon=":material/rule:"):
        st.caption(
            "These fields were kept as sent and are shown where possible; the rest of the lead "
            "is unaffected. Report them if a value looks wrong."
        )
        for line in view.lines:
            st.text(line)


def _associated_and_signals_tab(session: Session, dossier: LeadDossier) -> None:
    _associated_tab(session, dossier)
    workbench.render_signals_section(session, dossier)


TAB_BODIES: Final[tuple[Callable[[Session, LeadDossier], None], ...]] = (
    _profile_tab,
    _associated_and_signals_tab,
    _jobs_tab,
    _processr_logs_tab,
    _provider_logs_tab,
    _edit_tab,
    _notes_tab,
    render_timeline_tab,
)
"""One body per entry of `LEAD_TABS`, in the same order."""


def _tab_named_by_the_url() -> None:
    """A whole page's run opens the tab the URL names, or Profile: a lead opened anew (a
    link, the sidebar, a row, Previous or Next), a reload, and Back or Forward to another
    tab of the same lead. A run of the tabs alone is a tab the user chose (or the Timeline
    opened), which the URL then follows (`_tab_chosen`)."""
    asked = pages.read(LEAD_TAB).value
    if st.session_state.get(keys.LEAD_TABS) != asked:
        st.session_state[keys.LEAD_TABS] = asked


def _tab_chosen() -> None:
    pages.name_lead_tab(st.session_state[keys.LEAD_TABS])


def _tabs(session: Session, dossier: LeadDossier) -> None:
    if not fragment_rerun():
        _tab_named_by_the_url()
    # Tracked (a callback reruns the tabs): only the open tab's body runs and is sent
    # (`tab.open`); the others draw when opened, from the caches, without a request.
    # Tracking also lets a Timeline entry open the tab holding its detail. The URL names the
    # open tab (`?tab=Job+Details`), written here rather than by Streamlit's binding
    # (`bind="query-params"`): leaving the page with a bound tab open added a history entry
    # of the Lead page with the next page's query, which Back then opened ("No lead").
    tabs = st.tabs(list(LEAD_TABS), key=keys.LEAD_TABS, on_change=_tab_chosen)
    for tab, name, body in zip(tabs, LEAD_TABS, TAB_BODIES, strict=True):
        if not tab.open:
            continue
        # Guarded on its own, so a failing tab leaves the page and the other tabs usable.
        with tab, guarded(f"the {name} tab"):
            body(session, dossier)


@st.fragment
def _tabs_part(session: Session, dossier: LeadDossier) -> None:
    """The tabs as a fragment: a tab switch, and any widget of a tab, reruns this part
    alone, so the header, the panel and the sidebar are neither run again on the server nor
    drawn again in the browser (the click used to cost a whole page's run).

    Such a rerun shows what a page's run would, or becomes one: it checks the sign-in first
    (`frame.confirm_signed_in`); a dossier loaded anew meanwhile (a tab's Retry, Refresh or
    an edit elsewhere, the cache's end) reruns the whole page; and so do requests a tab
    sent (the same person elsewhere), so that the request inspector lists them."""
    own_rerun = fragment_rerun()
    if own_rerun:
        inspector.start()  # this run's requests in a scope of their own
    before = session.client.request_log.last_seq
    with guarded("the lead's tabs"):
        if own_rerun:
            confirm_signed_in(session)
            if load(session, dossier.lead_id, spinner=False) is not dossier:
                st.rerun(scope="app")
        _tabs(session, dossier)
    if own_rerun and inspector.carry_over(session.client, before):
        st.rerun(scope="app")


def render(session: Session) -> None:
    lead_id = _lead_id_from_link()
    if lead_id is None:
        return
    try:
        dossier = load(session, lead_id)
    except NotFoundError:
        _no_lead_shown("Lead not found")
        widgets.way_back(
            f"Lead {lead_id} was not found. It may have been removed, or the link is wrong."
        )
        return
    except ConvertrError as error:
        widgets.load_failed(f"lead {lead_id}", error, key=keys.LEAD_RETRY_LOAD)
        return
    lead = dossier.lead
    st.session_state[keys.LAST_LEAD] = lead.id
    st.session_state[keys.LAST_CAMPAIGN] = lead.campaign_id
    kept = workspace.open_workspace(session.connection.config)
    owner = saved_views.owner_of(session.identity)
    lead_marks.note_opened(kept, owner, lead.id, lead.campaign_id)
    _header(session, lead)
    if st.session_state.get(keys.AUDIT_RESULT):
        # Imported only when this session ran an audit: the audit engine (phone numbers,
        # IP countries, DuckDB) costs half a second to import, on no other Lead page.
        from lib.ui import audit_page

        audit_page.lead_findings(lead.id)
    elif kept_items.has_audit_snapshot(source_name(session.connection.config), session.user.email):
        # An audit of an earlier session: its flags are kept in the user's snapshot.
        from lib.ui import audit_page

        audit_page.stored_lead_flags(session, lead.id)
    widgets.link_notes([pages.read(LEAD_CAMPAIGN).note])
    evidence = st.container(horizontal_alignment="right")
    _format_warnings(session, dossier)
    panel, body = st.columns([1.3, 2.7], gap="medium")
    with panel, st.container(border=True, key=layout.PROFILE_PANEL_KEY):
        _profile_panel(
            session,
            dossier,
            _once(
                session,
                dossier,
                f"panel:{session.zone}",
                lambda: profile_panel(dossier, session.zone),
            ),
        )
    with body:
        _tabs_part(session, dossier)
    with evidence, guarded("the evidence pack"):
        workbench.evidence_button(session, dossier)
