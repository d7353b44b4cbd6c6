"""What the app uses, as the doctor probes it: THE table of endpoints (the resource, the
model, the id that narrows it, the filters the app needs and what it does without each),
built on the client's one endpoint table (`lib.convertr.endpoints`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from lib.convertr.constants import API_PREFIX
from lib.convertr.endpoints import (
    CAMPAIGN_LINKS,
    CAMPAIGN_PROCESSR_JOBS,
    CAMPAIGN_PUBLISHERS,
    CAMPAIGNS,
    CHRONOLOGIES,
    CURRENT_USER,
    EDITABLE_FIELDS,
    JOB_RESULTS,
    LEAD_DATAS,
    LEAD_NOTES,
    LEADS,
    LOGS,
    PUBLISHERS,
    STATISTICS,
    Filter,
)
from lib.convertr.models import (
    ApiModel,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    Lead,
    LeadData,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    Publisher,
    Statistic,
    User,
)

Scope = Literal["none", "campaign", "lead", "publisher"]
"""Which id found earlier narrows a probe (the first campaign, the newest lead, its
publisher)."""

Severity = Literal["info", "warning", "fatal"]
"""``info``: the app adapts and nothing is lost; ``warning``: a feature is reduced;
``fatal``: the app cannot work."""

Outcome = Literal["ok", "empty", "error", "unparseable", "skipped"]


# -- what the app uses: THE table ---------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A filter the app sends to an endpoint (as ``client.py`` spells it), and what the app
    does when the server does not offer it."""

    filter: str
    without: str


@dataclass(frozen=True)
class Endpoint:
    """An endpoint the app reads, how the doctor probes it, and what depends on it."""

    name: str
    """Shown in the report: ``leads``, ``leads/{id}``, ``logs (provider)``."""
    resource: str
    """The path below ``/api/v4`` (``{id}`` for an item)."""
    kind: Literal["collection", "item"]
    model: type[ApiModel]
    feature: str
    """What the app shows from it (the consequence of a failure names it)."""
    essential: bool = False
    """Without it the app cannot work at all."""
    scope: Scope = "none"
    """The id the probe is narrowed by (collections) or fetches (items)."""
    narrow: str | None = None
    """The filter carrying the scope's id, as the app sends it."""
    owner: str | None = None
    """The item's relation (or ``id``) that must point to the scope's id when the server
    applied ``narrow``."""
    params: tuple[tuple[str, str], ...] = ()
    """Other parameters the app sends with every request (an order, a log type)."""
    needs: tuple[Need, ...] = ()
    finds: Scope = "none"
    """The id this probe discovers for later probes."""

    @property
    def path_template(self) -> str:
        return f"{API_PREFIX}/{self.resource}"


def _narrowing(name: str, what: str) -> Need:
    """A filter that narrows a list to one lead's or campaign's rows."""
    return Need(name, f"the app sends it anyway; if the server ignores it, {what}")


ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint(
        "users/me",
        CURRENT_USER.name,
        "item",
        User,
        "every page (who is signed in, what the role may do)",
        essential=True,
    ),
    Endpoint(
        "campaigns",
        CAMPAIGNS.name,
        "collection",
        Campaign,
        "the Campaigns page",
        essential=True,
        params=((Filter.order("name"), "asc"),),
        finds="campaign",
        needs=(
            Need(Filter.order("name"), "campaigns come in the server's order, not by name"),
            Need(Filter.NAME, "the Campaigns page's search may not narrow the list"),
            Need(Filter.STATUS_IN, "the Campaigns page's status filter may not narrow the list"),
            _narrowing(Filter.ID_IN, "Associated Campaigns may list other campaigns"),
        ),
    ),
    Endpoint(
        "leads",
        LEADS.name,
        "collection",
        Lead,
        "the Leads page",
        essential=True,
        scope="campaign",
        narrow=Filter.CAMPAIGN,
        owner="campaign",
        params=((Filter.order("createdTs"), "desc"),),
        finds="lead",
        needs=(
            _narrowing(Filter.CAMPAIGN, "the Leads page may show other campaigns' leads"),
            Need(Filter.order("createdTs"), "leads come in the server's order, not newest first"),
            Need(Filter.LEAD_STATUS_IN, "the Leads page hides the status filter"),
            Need(Filter.DELIVERED, "the Leads page hides the delivered filter"),
            Need(Filter.CREATED_AFTER, "the Leads page hides the start of the date range"),
            Need(Filter.CREATED_BEFORE, "the Leads page hides the end of the date range"),
            Need(Filter.SEARCH, "the Leads page hides the search box"),
            _narrowing(Filter.EMAIL, "Associated Campaigns may list other people's leads"),
        ),
    ),
    Endpoint(
        "leads/{id}",
        LEADS.item_template,
        "item",
        Lead,
        "the Lead page",
        essential=True,
        scope="lead",
    ),
    Endpoint(
        "campaigns/{id}",
        CAMPAIGNS.item_template,
        "item",
        Campaign,
        "the Lead page's campaign details",
        scope="campaign",
    ),
    Endpoint(
        "lead-datas",
        LEAD_DATAS.name,
        "collection",
        LeadData,
        "the Lead page's Profile tab (captured, derived, enriched and edited values)",
        scope="lead",
        narrow=Filter.LEAD,
        owner="lead",
        needs=(_narrowing(Filter.LEAD, "the Profile tab may show other leads' values"),),
    ),
    Endpoint(
        "lead-notes",
        LEAD_NOTES.name,
        "collection",
        LeadNote,
        "the Lead page's Notes tab",
        scope="lead",
        narrow=Filter.LEAD,
        owner="lead",
        needs=(_narrowing(Filter.LEAD, "the Notes tab may show other leads' notes"),),
    ),
    Endpoint(
        "processr-job-leads",
        JOB_RESULTS.name,
        "collection",
        ProcessrJobLead,
        "the Lead page's Job Details tab (job results)",
        scope="lead",
        narrow=Filter.LEAD,
        owner="lead",
        needs=(_narrowing(Filter.LEAD, "Job Details may show other leads' results"),),
    ),
    Endpoint(
        "logs (processr)",
        LOGS.name,
        "collection",
        LogEntry,
        "the Lead page's Processr Logs tab",
        scope="lead",
        narrow=Filter.LEAD,
        owner="lead",
        params=((Filter.LOG_TYPE, "processr"),),
        needs=(
            _narrowing(Filter.LEAD, "the Processr Logs tab may show other leads' logs"),
            Need(Filter.LOG_TYPE, "the Processr Logs tab may mix in provider logs"),
        ),
    ),
    Endpoint(
        "logs (provider)",
        LOGS.name,
        "collection",
        LogEntry,
        "the Lead page's Provider Logs tab",
        scope="lead",
        narrow=Filter.LEAD,
        owner="lead",
        params=((Filter.LOG_TYPE, "provider"),),
        needs=(
            _narrowing(Filter.LEAD, "the Provider Logs tab may show other leads' logs"),
            Need(Filter.LOG_TYPE, "the Provider Logs tab may mix in processr logs"),
        ),
    ),
    Endpoint(
        "campaign-processr-jobs",
        CAMPAIGN_PROCESSR_JOBS.name,
        "collection",
        CampaignProcessrJob,
        "the Lead page's Job Details tab (the campaign's jobs)",
        scope="campaign",
        narrow=Filter.CAMPAIGN_IN,
        owner="campaign",
        needs=(_narrowing(Filter.CAMPAIGN_IN, "Job Details may list other campaigns' jobs"),),
    ),
    Endpoint(
        "lead-editable-fields",
        EDITABLE_FIELDS.name,
        "collection",
        LeadEditableField,
        "the Lead page's Edit Data tab",
        scope="campaign",
        narrow=Filter.CAMPAIGN,
        needs=(_narrowing(Filter.CAMPAIGN, "Edit Data may offer other campaigns' fields"),),
    ),
    Endpoint(
        "campaign-publishers",
        CAMPAIGN_PUBLISHERS.name,
        "collection",
        CampaignPublisher,
        "the Generator name and Associated Campaigns' publishers",
        scope="campaign",
        narrow=Filter.CAMPAIGN_IN,
        owner="campaign",
        needs=(
            _narrowing(Filter.CAMPAIGN_IN, "Associated Campaigns may count other contracts"),
            _narrowing(Filter.CAMPAIGN, "the Generator may be named from another campaign"),
        ),
    ),
    Endpoint(
        "statistics",
        STATISTICS.name,
        "collection",
        Statistic,
        "Associated Campaigns' statistics",
        scope="campaign",
        narrow=Filter.CAMPAIGN_IN,
        owner="campaign",
        needs=(_narrowing(Filter.CAMPAIGN_IN, "Associated Campaigns may sum other campaigns"),),
    ),
    Endpoint(
        "lead-statistics-chronologies",
        CHRONOLOGIES.name,
        "collection",
        LeadStatisticsChronology,
        "Associated Campaigns' lead charts",
        scope="campaign",
        narrow=Filter.CAMPAIGN_IN,
        owner="campaign",
        needs=(
            _narrowing(Filter.CAMPAIGN_IN, "the charts may sum other campaigns"),
            Need(
                Filter.DATE_AFTER, "a chart's date range is cut by the app after loading all days"
            ),
            Need(
                Filter.DATE_BEFORE, "a chart's date range is cut by the app after loading all days"
            ),
        ),
    ),
    Endpoint(
        "campaign-links",
        CAMPAIGN_LINKS.name,
        "collection",
        CampaignLink,
        "Associated Campaigns' tracking links",
        scope="campaign",
        narrow=Filter.CAMPAIGN_IN,
        owner="campaign",
        needs=(_narrowing(Filter.CAMPAIGN_IN, "links of other campaigns may be listed"),),
    ),
    Endpoint(
        "publishers",
        PUBLISHERS.name,
        "collection",
        Publisher,
        "publisher names by id",
        scope="publisher",
        narrow=Filter.ID_IN,
        owner="id",
        needs=(_narrowing(Filter.ID_IN, "publisher names may be looked up among others"),),
    ),
)
"""Every endpoint the app reads (client.py, dossier.py), in probe order: the campaigns and
leads probes find the ids the later probes are narrowed by."""
