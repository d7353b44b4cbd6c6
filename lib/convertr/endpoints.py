"""THE endpoint table: every v4 resource the app reads or writes, its path, and the query
filters the client sends to it, each spelled once.

The resource methods (`client.py`), the connection doctor (`doctor.py`, which probes each
endpoint and checks the server advertises each filter), the Leads page's filters
(`lib/views/leads.py`) and the signal search (`lib/signal_search.py`) all read these names,
so a server that spells a filter differently is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lib.convertr.constants import API_PREFIX


class Filter:
    """Query parameters as the client sends them (API Platform's filter names)."""

    ID_IN: Final = "id[]"
    LEAD: Final = "lead.id"
    LEAD_IN: Final = "lead.id[]"
    LEAD_DATA_NAME_IN: Final = "name[]"
    """Lead data (and similar) by field name, several at once."""
    CAMPAIGN: Final = "campaign.id"
    CAMPAIGN_IN: Final = "campaign.id[]"
    NAME: Final = "name"
    STATUS_IN: Final = "status[]"
    """A campaign's status (one or more)."""
    LEAD_STATUS_IN: Final = "processrStatus[]"
    LEAD_STATUS: Final = "processrStatus"
    """The exact (single-value) spelling some servers advertise instead of ``[]``."""
    DELIVERED: Final = "delivered"
    CREATED_AFTER: Final = "createdTs[after]"
    CREATED_BEFORE: Final = "createdTs[before]"
    CREATED_STRICTLY_BEFORE: Final = "createdTs[strictly_before]"
    """The end of a half-open window: a lead captured at the end second is the next's."""
    SEARCH: Final = "search"
    EMAIL: Final = "email"
    EMAIL_HASH: Final = "emailHash"
    FINGERPRINT: Final = "fingerprint"
    IP: Final = "ip"
    TELEPHONE: Final = "telephone"
    LOG_TYPE: Final = "type"
    DATE_AFTER: Final = "date[after]"
    DATE_BEFORE: Final = "date[before]"
    PAGE: Final = "page"
    ITEMS_PER_PAGE: Final = "itemsPerPage"

    @staticmethod
    def order(field: str) -> str:
        """``order[createdTs]``: sort by a field (``asc`` or ``desc``)."""
        return f"order[{field}]"


@dataclass(frozen=True)
class Resource:
    """One v4 resource: where it lives and the filters the client sends to its collection."""

    name: str
    """The path below ``/api/v4`` (``leads``, ``users/me``)."""
    filters: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """``/api/v4/leads``: the collection (or the single item, for ``users/me``)."""
        return f"{API_PREFIX}/{self.name}"

    def item(self, item_id: int) -> str:
        """``/api/v4/leads/7``: one item by id."""
        return f"{self.path}/{int(item_id)}"

    @property
    def item_template(self) -> str:
        """``leads/{id}``: an item's path below ``/api/v4`` as the doctor reports it."""
        return f"{self.name}/{{id}}"


CURRENT_USER: Final = Resource("users/me")
CAMPAIGNS: Final = Resource(
    "campaigns", (Filter.order("name"), Filter.NAME, Filter.STATUS_IN, Filter.ID_IN)
)
LEADS: Final = Resource(
    "leads",
    (
        Filter.CAMPAIGN,
        Filter.order("createdTs"),
        Filter.LEAD_STATUS_IN,
        Filter.DELIVERED,
        Filter.CREATED_AFTER,
        Filter.CREATED_BEFORE,
        Filter.SEARCH,
        Filter.EMAIL,
    ),
)
LEAD_DATAS: Final = Resource("lead-datas", (Filter.LEAD,))
LEAD_NOTES: Final = Resource("lead-notes", (Filter.LEAD,))
JOB_RESULTS: Final = Resource("processr-job-leads", (Filter.LEAD,))
LOGS: Final = Resource("logs", (Filter.LEAD, Filter.LOG_TYPE))
CAMPAIGN_PROCESSR_JOBS: Final = Resource("campaign-processr-jobs", (Filter.CAMPAIGN_IN,))
EDITABLE_FIELDS: Final = Resource("lead-editable-fields", (Filter.CAMPAIGN,))
CAMPAIGN_PUBLISHERS: Final = Resource("campaign-publishers", (Filter.CAMPAIGN_IN, Filter.CAMPAIGN))
STATISTICS: Final = Resource("statistics", (Filter.CAMPAIGN_IN,))
CHRONOLOGIES: Final = Resource(
    "lead-statistics-chronologies", (Filter.CAMPAIGN_IN, Filter.DATE_AFTER, Filter.DATE_BEFORE)
)
CAMPAIGN_LINKS: Final = Resource("campaign-links", (Filter.CAMPAIGN_IN,))
PUBLISHERS: Final = Resource("publishers", (Filter.ID_IN,))

RESOURCES: Final[tuple[Resource, ...]] = (
    CURRENT_USER,
    CAMPAIGNS,
    LEADS,
    LEAD_DATAS,
    LEAD_NOTES,
    JOB_RESULTS,
    LOGS,
    CAMPAIGN_PROCESSR_JOBS,
    EDITABLE_FIELDS,
    CAMPAIGN_PUBLISHERS,
    STATISTICS,
    CHRONOLOGIES,
    CAMPAIGN_LINKS,
    PUBLISHERS,
)
"""Every resource the app reads (``lead-datas`` is also written: a POST saves a value)."""
