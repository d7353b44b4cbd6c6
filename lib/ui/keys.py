"""Every session-state and widget key of the dashboard, prefixed by its page.

Tests find widgets by these keys, so they are named once, here.
"""

from __future__ import annotations

from typing import Final

from lib.convertr.dossier import Part

# Shared frame (sidebar)
DEMO_USER: Final = "frame.demo_user"
"""Selected sandbox demo user (an email address)."""
REQUEST_COUNT: Final = "frame.request_count"
"""The client's `request_count` at the end of the last run (tests compare it across reruns)."""

LAST_CAMPAIGN: Final = "frame.last_campaign"
"""Campaign id last opened, so the sidebar's Leads link returns to it."""
LAST_LEAD: Final = "frame.last_lead"
"""Lead id last opened, for the sidebar's Lead link."""

# Query parameters (the deep-link contract)
PARAM_CAMPAIGN: Final = "campaign"
PARAM_LEAD: Final = "lead"

# Campaigns page (app.py)
CAMPAIGNS_SEARCH: Final = "campaigns.search"
CAMPAIGNS_STATUS: Final = "campaigns.status"
CAMPAIGNS_TABLE: Final = "campaigns.table"
CAMPAIGNS_CHOICE: Final = "campaigns.choice"
CAMPAIGNS_DATES: Final = "campaigns.dates"
CAMPAIGNS_OPEN_LEADS: Final = "campaigns.open_leads"
CAMPAIGNS_DOWNLOAD: Final = "campaigns.download"

# Leads page
LEADS_CAMPAIGN: Final = "leads.campaign"
LEADS_STATUS: Final = "leads.status"
LEADS_DELIVERY: Final = "leads.delivery"
LEADS_DATES: Final = "leads.dates"
LEADS_SEARCH: Final = "leads.search"
LEADS_ORDER: Final = "leads.order"
LEADS_PAGE_SIZE: Final = "leads.page_size"
LEADS_PAGE: Final = "leads.page"
LEADS_TABLE: Final = "leads.table"
LEADS_DOWNLOAD: Final = "leads.download"

# Lead page
LEAD_REFRESH: Final = "lead.refresh"
LEAD_TABS: Final = "lead.tabs"
LEAD_DOWNLOAD_PREFIX: Final = "lead.download."
"""Followed by the table's slug: one CSV download per table."""
LEAD_ASSOCIATED_DATES: Final = "lead.associated.dates"
LEAD_HINT_PREFIX: Final = "lead.hint."
"""Followed by a lead id: the (campaign id, email) the Leads page already knew, so the
dossier needs one wave less. Kept in the session, not the URL: an email is personal data and
does not belong in browser history or pasted links."""


def lead_retry(part: Part) -> str:
    """The Retry button of a failed dossier part (one per part)."""
    return f"lead.retry.{part}"
