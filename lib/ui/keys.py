"""Every session-state and widget key of the dashboard, prefixed by its page.

Tests find widgets by these keys, so they are named once, here: a key that depends on a lead,
a campaign or a dossier part is a function of it.
"""

from __future__ import annotations

from typing import Final

from lib.convertr.dossier import Part

# Shared frame (sidebar)
IDENTITY: Final = "frame.identity"
"""The one place who is signed in lives: a `lib.convertr.session.SignInState` (signed in, signed
out, waiting for an MFA code, or expired), read by every page. Nothing else decides who the
user is."""
LAST_ACTIVITY: Final = "frame.last_activity"
"""Wall-clock seconds of the last run of this session, for the idle timeout."""
DEMO_USER: Final = "frame.demo_user"
"""The sandbox's demo-user switcher. Its shown value is set from the identity on every run;
choosing another user calls the sign-in (in its on_change), so losing this widget's state can
never change who is signed in. A value put here before a session's first run is the demo user
that session starts as (tests do this)."""
SIGN_OUT: Final = "frame.sign_out"
SIGNIN_COOKIE: Final = "frame.signin_cookie"
"""A new kept sign-in's reference, until the browser confirms its cookie is written (then
dropped: the reference is sent to the browser once)."""
SIGNIN_COOKIE_WRITER: Final = "frame.signin_cookie_writer"
WORKSPACE_NOTICE: Final = "frame.workspace_notice"
REQUEST_COUNT: Final = "frame.request_count"
"""The client's `request_count` at the end of the last run (tests compare it across reruns)."""
RETRY_CONNECTION: Final = "frame.retry"
"""Try again after the API could not be reached."""

LAST_CAMPAIGN: Final = "frame.last_campaign"
"""Campaign id last opened, so the sidebar's Leads link returns to it."""
LAST_LEAD: Final = "frame.last_lead"
NO_LEAD_SHOWN: Final = "frame.no_lead_shown"
"""Set by a Lead page run that shows no lead (not found, no id): the sidebar leaves out the
link to the last lead for that run."""
"""Lead id last opened, for the sidebar's Lead link."""

# Sign-in page (drawn in place of any page's body, so a deep link keeps its page and query)
SIGNIN_FORM: Final = "signin.form"
SIGNIN_EMAIL: Final = "signin.email"
SIGNIN_PASSWORD: Final = "signin.password"
"""Emptied by the sign-in itself, whatever the outcome: a password is never kept."""
SIGNIN_SUBMIT: Final = "signin.submit"
SIGNIN_CODE_FORM: Final = "signin.code_form"
SIGNIN_CODE: Final = "signin.code"
SIGNIN_CODE_SUBMIT: Final = "signin.code_submit"
SIGNIN_START_OVER: Final = "signin.start_over"
SIGNIN_TRY_AGAIN: Final = "signin.try_again"
"""Leave the MFA step, or an expired session, and sign in afresh (as anyone)."""


def signin_demo_user(email: str) -> str:
    """The sandbox sign-in page's button for one demo user."""
    return f"signin.demo.{email}"


# Query parameters (the deep-link contract): every page's, in `lib.views.url_params`

# Campaigns page (app.py)
CAMPAIGNS_SEARCH: Final = "campaigns.search"
CAMPAIGNS_STATUS: Final = "campaigns.status"
CAMPAIGNS_TABLE: Final = "campaigns.table"
CAMPAIGNS_CHOICE: Final = "campaigns.choice"
CAMPAIGNS_RETRY: Final = "campaigns.retry"
"""Retry after the campaign list could not be loaded."""
CAMPAIGNS_RETRY_STATISTICS: Final = "campaigns.retry_statistics"
CAMPAIGNS_RETRY_CHRONOLOGY: Final = "campaigns.retry_chronology"


def campaigns_dates(campaign_id: int) -> str:
    """The chart's date range, one per campaign (each has its own first and last day)."""
    return f"campaigns.dates.{campaign_id}"


def campaigns_chronology(campaign_id: int) -> str:
    """The leads-per-day table's CSV download."""
    return f"campaigns.chronology.{campaign_id}"


# Leads page
LEADS_STATUS: Final = "leads.status"
LEADS_DELIVERY: Final = "leads.delivery"
LEADS_DATES: Final = "leads.dates"
LEADS_SEARCH: Final = "leads.search"
LEADS_ORDER: Final = "leads.order"
LEADS_PAGE_SIZE: Final = "leads.page_size"
LEADS_PAGE: Final = "leads.page"
LEADS_PREVIOUS: Final = "leads.previous"
LEADS_NEXT: Final = "leads.next"
"""Previous / Next buttons, shown instead of the page number when the total is unknown."""
LEADS_FIRST_PAGE: Final = "leads.first_page"
"""Back to page 1 from a page past the end of a list whose length is unknown."""
LEADS_TABLE: Final = "leads.table"
LEADS_DOWNLOAD: Final = "leads.download"
LEADS_RETRY: Final = "leads.retry"
"""Retry after the campaign or its page of leads could not be loaded."""

# Lead page
LEAD_REFRESH: Final = "lead.refresh"
LEAD_TABS: Final = "lead.tabs"
"""The Lead page's open tab, which the URL names (`url_params.PARAM_TAB`)."""
LEAD_RETRY_LOAD: Final = "lead.retry_load"
"""Retry after the lead itself could not be loaded (no dossier to show)."""


def lead_retry(part: Part, tab: str) -> str:
    """The Retry button of a failed dossier part in a tab (one of `views.lead.LEAD_TABS`).
    Two tabs may need the same part (Profile and Edit Data both need `lead_data`), so the
    key names both: a key shared by two buttons stops the page."""
    return f"lead.retry.{tab.lower().replace(' ', '-')}.{part}"


def lead_download(table: str) -> str:
    """One CSV download per table, by the table's slug."""
    return f"lead.download.{table}"


def lead_hint(lead_id: int) -> str:
    """The (campaign id, email) the Leads page already knew of a lead, so the dossier needs
    one wave less. Kept in the session, not the URL: an email is personal data and does not
    belong in browser history or pasted links."""
    return f"lead.hint.{lead_id}"


def lead_loaded(lead_id: int) -> str:
    """(seconds, requests) of the lead's last load, for the caption under its title."""
    return f"lead.loaded.{lead_id}"


def lead_social(index: int) -> str:
    """The profile panel's social link buttons, in order."""
    return f"lead.social.{index}"


def lead_profile_block(lead_id: int) -> str:
    """Which of the Profile tab's further blocks (Other captured values, Derived values, ...)
    its second table shows."""
    return f"lead.profile.block.{lead_id}"


def lead_jobs_table(lead_id: int) -> str:
    return f"lead.jobs.{lead_id}.table"


# Lead page, Edit Data tab (one lead is shown per page, so its widgets need no lead id)
EDIT_NEW_NAME: Final = "lead.edit.new_name"
EDIT_NEW_VALUE: Final = "lead.edit.new_value"
EDIT_ADD: Final = "lead.edit.add"
EDIT_ADD_FORM: Final = "lead.edit.add_form"
EDIT_SAVE: Final = "lead.edit.save"
EDIT_DISCARD: Final = "lead.edit.discard"
EDIT_NOT_EDITABLE: Final = "lead.edit.not_editable"


def edit_keep_mine(name: str) -> str:
    """Resend my value of field `name` over a conflicting one."""
    return f"lead.edit.keep.{name}"


def edit_take_theirs(name: str) -> str:
    """Drop my change of field `name` and keep the server's value."""
    return f"lead.edit.take.{name}"


# The Edit Data tab's state is kept per lead, so pending edits survive opening another lead.
def edit_pending(lead_id: int) -> str:
    """The lead's pending changes (field name -> PendingChange)."""
    return f"lead.edit.{lead_id}.pending"


def edit_messages(lead_id: int) -> str:
    """Server answers per field: name -> (the value they concern, messages)."""
    return f"lead.edit.{lead_id}.messages"


def edit_conflicts(lead_id: int) -> str:
    return f"lead.edit.{lead_id}.conflicts"


def edit_conflict_authors(lead_id: int) -> str:
    """Who saved each conflicting value and when, read once from the notes."""
    return f"lead.edit.{lead_id}.conflict_authors"


def edit_report(lead_id: int) -> str:
    """The last save's summary (Notices)."""
    return f"lead.edit.{lead_id}.report"


def edit_save_asked(lead_id: int) -> str:
    """Save was pressed (set by its callback, so a rerun that starts before the review is
    drawn, the grid's own, does not lose the press); taken by the review once."""
    return f"lead.edit.{lead_id}.save_asked"


def edit_add_feedback(lead_id: int) -> str:
    """What the Add form said (a Notice), shown once."""
    return f"lead.edit.{lead_id}.add_feedback"


def edit_generation(lead_id: int) -> str:
    """Bumped after each save or discard: part of the grid's key, so the grid starts afresh."""
    return f"lead.edit.{lead_id}.generation"


def edit_table(lead_id: int, generation: int = 0) -> str:
    """The editor grid of a lead in a generation."""
    return f"lead.edit.{lead_id}.table.{generation}"


def edit_read_only_table(lead_id: int) -> str:
    """The grid shown instead of the editor to a user who may not edit."""
    return f"lead.edit.{lead_id}.readonly"


KEPT_WHILE_SIGNING_IN: Final = (
    CAMPAIGNS_SEARCH,
    CAMPAIGNS_STATUS,
    CAMPAIGNS_CHOICE,
    LEADS_STATUS,
    LEADS_DELIVERY,
    LEADS_DATES,
    LEADS_SEARCH,
    LEADS_ORDER,
    LEADS_PAGE_SIZE,
    LEADS_PAGE,
)
"""Widget values kept while the sign-in form stands in for a page (an expired session): a
widget not drawn in a run loses its value, so these are written back on each such run. The
rest of what a user was doing (pending edits, the last lead and campaign) is plain session
state, which a run that does not draw the page keeps anyway."""


# The audit workbench (issue 13): request inspector, Timeline tab, signals, evidence pack
INSPECTOR_VIEWS: Final = "inspector.views"
"""View (page and query) -> the requests last seen behind it (`RequestRecord`s)."""
INSPECTOR_IDENTITY: Final = "inspector.identity"
"""Whose requests `INSPECTOR_VIEWS` holds (a connection's cache key); a switch drops them."""
INSPECTOR_SCOPE: Final = "inspector.scope"
"""This run's request scope (tags the client's request log)."""
INSPECTOR_LOADED: Final = "inspector.loaded"
"""The requests that loaded the dossier this run shows (perhaps in another session of the
same person, whose load this run's view takes from the cache)."""
INSPECTOR_CARRIED: Final = "inspector.carried"
"""The requests a fragment's own rerun sent (a Lead tab's), for the next page run's inspector."""
INSPECTOR_WATERFALL: Final = "inspector.waterfall"
INSPECTOR_EXPANDER: Final = "inspector.open"
"""The inspector's expander (tracked: its content is built only while it is open)."""
INSPECTOR_DOWNLOAD: Final = "inspector.requests"
LEAD_EVIDENCE: Final = "lead.evidence"
"""The Lead page's evidence pack download button."""


def timeline_kinds(lead_id: int) -> str:
    return f"lead.timeline.{lead_id}.kinds"


def timeline_search(lead_id: int) -> str:
    return f"lead.timeline.{lead_id}.search"


def timeline_newest(lead_id: int) -> str:
    return f"lead.timeline.{lead_id}.newest"


def timeline_table(lead_id: int) -> str:
    return f"lead.timeline.{lead_id}.table"


def timeline_open(lead_id: int) -> str:
    """The button that opens the tab holding the selected entry's detail."""
    return f"lead.timeline.{lead_id}.open"


def profile_source(lead_id: int) -> str:
    """The Profile tab's value-source table (selection shows the details)."""
    return f"lead.profile.{lead_id}.source"


def profile_sources_open(lead_id: int) -> str:
    """The Profile tab's "Where each value came from" expander (tracked: built when open)."""
    return f"lead.profile.{lead_id}.sources_open"


def lead_signals_open(lead_id: int) -> str:
    """The "same person elsewhere" expander (tracked: its searches are sent when opened)."""
    return f"lead.signals.{lead_id}.open"


def lead_signals_table(lead_id: int) -> str:
    return f"lead.signals.{lead_id}"


# Moving between leads (issue 12): the sidebar's Go to lead, the Leads page's place, and
# Previous / Next on the Lead page
GO_TO_LEAD_FORM: Final = "frame.go_to_lead.form"
GO_TO_LEAD: Final = "frame.go_to_lead"
GO_TO_LEAD_SUBMIT: Final = "frame.go_to_lead.submit"
GO_TO_LEAD_ERROR: Final = "frame.go_to_lead.error"
"""Why the last Go to lead input was not a lead id (shown once under the box)."""
LEADS_SORT: Final = "leads.sort"
LEADS_ID_MATCH: Final = "leads.id_match"
"""Opens the lead whose id was typed into the search."""
LEADS_PLACES: Final = "leads.places"
"""Campaign id -> the last `LeadsPlace` seen there, so every way back restores it."""
LEADS_URL: Final = "leads.url"
"""The query parameters the Leads page last wrote: a URL that differs came from outside
(browser Back / Forward, a pasted link) and wins over the widgets."""
LEAD_POSITION: Final = "lead.position"
"""The `ListPosition` of the lead on show in the list it was opened from."""
LEAD_PREVIOUS: Final = "lead.previous"
LEAD_NEXT: Final = "lead.next"
LEAD_NOTES_ORDER: Final = "lead.notes_order"
LEAD_TAB_CHOICE: Final = "lead.tab_choice"


def lead_log_more(index: int) -> str:
    """Shows a folded provider answer in full."""
    return f"lead.provider.more.{index}"


def lead_associated_table(lead_id: int) -> str:
    return f"lead.associated.table.{lead_id}"


LEADS_SORT_MESSAGE: Final = "leads.sort_message"
"""Why a clicked column header did not sort (the server cannot order by it), shown once."""


# Bulk edit (lib/ui/bulk_edit.py): one change to many leads. `scope` names where the leads
# were chosen ("campaign.3" on the Leads page; the Audit page its own), so two lists never
# share a selection or a pending review.
BULK_MODE: Final = "bulk.mode"
"""The Leads page's "Bulk edit" toggle: rows are chosen for a change instead of opened."""
BULK_MODE_KEPT: Final = "bulk.mode_kept"
"""The toggle's value, kept while another page shows (a widget's own state is not)."""


def bulk_selection(scope: str) -> str:
    """The chosen lead ids (a list, in the order chosen), kept across pages of the list."""
    return f"bulk.selection.{scope}"


def bulk_selection_generation(scope: str) -> str:
    """Bumped when the selection changes from outside the table (all matching, clear), so
    the table starts again from it."""
    return f"bulk.selection_generation.{scope}"


def bulk_draft(scope: str) -> str:
    """The `BulkDraft`: the change being prepared, its review, and the save's results."""
    return f"bulk.draft.{scope}"


def bulk_widget(scope: str, name: str) -> str:
    """A widget of the bulk panel (field, mode, value, find, replace, buttons)."""
    return f"bulk.{name}.{scope}"


def bulk_conflict(scope: str, lead_id: int, choice: str) -> str:
    """A conflict's Keep mine / Take theirs / Skip button."""
    return f"bulk.conflict.{choice}.{scope}.{lead_id}"


# --- Audit page (issue 19) ------------------------------------------------------------------
AUDIT_CAMPAIGNS: Final = "audit.campaigns"
AUDIT_WINDOW: Final = "audit.window"
AUDIT_RUN: Final = "audit.run"
AUDIT_CANCEL: Final = "audit.cancel"
AUDIT_REFRESH: Final = "audit.refresh"
AUDIT_FORGET: Final = "audit.forget"
AUDIT_FETCH: Final = "audit.fetch"
"""The fetch under way or just ended (a dict its worker thread fills)."""
AUDIT_RESULT: Final = "audit.result"
"""The last audit: (scope, AuditResult, what the fetch said)."""
AUDIT_SECTION: Final = "audit.section"
AUDIT_SIGNALS: Final = "audit.signals"
AUDIT_STRENGTH: Final = "audit.strength"
AUDIT_NEW_ONLY: Final = "audit.new_only"
AUDIT_FINDINGS: Final = "audit.findings"
AUDIT_FINDINGS_PAGE: Final = "audit.findings_page"
AUDIT_FINDINGS_SORT: Final = "audit.findings_sort"
"""The findings table's order, (column, descending), chosen by a header click."""
AUDIT_FUNNEL: Final = "audit.funnel"
AUDIT_PUBLISHERS: Final = "audit.publishers"
AUDIT_PUBLISHER_LEADS: Final = "audit.publisher_leads"
AUDIT_CLUSTERS: Final = "audit.clusters"
AUDIT_REPORT: Final = "audit.report"
AUDIT_FINDING_LEADS: Final = "audit.finding_leads"
"""The findings' leads in table order: the Lead page's Previous / Next through findings."""


def audit_threshold(name: str) -> str:
    """A threshold slider's key."""
    return f"audit.threshold.{name}"


AUDIT_THRESHOLDS: Final = "audit.thresholds"
"""The Thresholds expander (open or closed: its sliders are drawn only when open)."""
AUDIT_THRESHOLDS_KEPT: Final = "audit.thresholds.kept"
"""The thresholds last set on the sliders ({name: value}): they hold while the expander is
closed (a slider not drawn loses its own state)."""


AUDIT_VIEW_PICKER: Final = "audit.view.picker"
AUDIT_VIEW_NAME: Final = "audit.view.name"
AUDIT_VIEW_SHARED: Final = "audit.view.shared"
AUDIT_VIEW_SAVE: Final = "audit.view.save"
AUDIT_VIEW_DELETE: Final = "audit.view.delete"
AUDIT_VIEW_MESSAGE: Final = "audit.view.message"
"""What the last saved-settings action said (shown once, then dropped)."""
AUDIT_PREVIOUS: Final = "audit.previous_finding"
AUDIT_NEXT: Final = "audit.next_finding"


# Saved views on the Leads page (lib/ui/saved_views.py)
LEADS_VIEW_PICKER: Final = "leads.view.picker"
"""The saved-view picker; its value is set from `LEADS_VIEW_OPEN` on every run, choosing a
view opens it (on_change)."""
LEADS_VIEW_OPEN: Final = "leads.view.open"
"""The open view: a `lib.store.SavedSettings` (its id, name and the version read)."""
LEADS_VIEW_NAME: Final = "leads.view.name"
LEADS_VIEW_SHARED: Final = "leads.view.shared"
LEADS_VIEW_SAVE: Final = "leads.view.save"
LEADS_VIEW_UPDATE: Final = "leads.view.update"
LEADS_VIEW_RENAME: Final = "leads.view.rename"
LEADS_VIEW_RENAME_SUBMIT: Final = "leads.view.rename_submit"
LEADS_VIEW_SHARE: Final = "leads.view.share"
LEADS_VIEW_DEFAULT: Final = "leads.view.default"
LEADS_VIEW_DELETE: Final = "leads.view.delete"
LEADS_VIEW_CONFLICT: Final = "leads.view.conflict"
"""The view as another session saved it, when this one's update was refused."""
LEADS_VIEW_OVERWRITE: Final = "leads.view.overwrite"
LEADS_VIEW_TAKE_THEIRS: Final = "leads.view.take_theirs"
LEADS_VIEW_MESSAGE: Final = "leads.view.message"
LEADS_VIEW_ARRIVED: Final = "leads.view.arrived"
"""Campaigns whose default view was applied in this session (once per campaign)."""

# Recent and pinned leads (lib/ui/lead_marks.py)
LEAD_PIN: Final = "lead.pin"
GO_TO_LEAD_RECENT: Final = "frame.go_to_lead.recent"
