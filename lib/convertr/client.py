"""The Convertr v4 client: one method per resource the app reads or writes, over the
generic reads of `base_client.BaseClient` and the paths and filters of `endpoints`.

The same code talks to the embedded sandbox and to a real enterprise: only the transport it is
handed differs (`lib.connect` chooses it). The jobs live apart, each in its module:

    transport.py     how a request travels: deadline, retries, counting, the request log
    hydra.py         reading answers: Hydra collections, items into models, error bodies
    signin.py        the token: login, MFA, refresh, sign-out
    dialect.py       what the server speaks: status codes, collection shapes, format warnings
    endpoints.py     every path and the filters each needs (the one table)
    base_client.py   the session over one ``httpx.Client``: requests, items, pages, collections
    client.py        this module: the resource methods

Names imported from here before the split (``network_transport``, ``on_send``,
``parse_model``, ``HydraCollection``, ...) are still importable from here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Final, TypeVar

from lib.convertr.base_client import BaseClient
from lib.convertr.constants import CHRONOLOGY_ITEMS_PER_PAGE, ITEMS_PER_PAGE, MAX_ITEMS_PER_PAGE
from lib.convertr.dialect import StatusEncoding
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
    Resource,
)
from lib.convertr.errors import APIError, ConvertrError
from lib.convertr.hydra import CollectionShape, HydraCollection, HydraSpelling, parse_model
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
    LogType,
    Page,
    ProcessrJobLead,
    Publisher,
    Statistic,
    User,
)
from lib.convertr.transport import KEEPALIVE_EXPIRY, Params, network_transport, on_send

__all__ = [
    "KEEPALIVE_EXPIRY",
    "UNSET",
    "APIError",
    "CollectionShape",
    "ConvertrClient",
    "ConvertrError",
    "HydraCollection",
    "HydraSpelling",
    "StatusEncoding",
    "network_transport",
    "on_send",
    "parse_model",
]

ModelT = TypeVar("ModelT", bound=ApiModel)


class _Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""Marker for "no previous value given" in ``save_lead_data``."""


def _iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


class ConvertrClient(BaseClient):
    """A signed-in session with one Convertr API and a method per resource (see
    `base_client.BaseClient` for the session, its transport and its thread safety)."""

    def __enter__(self) -> ConvertrClient:
        return self

    def current_user(self) -> User:
        return self.get_item(User, CURRENT_USER.path)

    def campaigns_page(
        self,
        page: int = 1,
        items_per_page: int = ITEMS_PER_PAGE,
        search: str | None = None,
        statuses: Sequence[str] = (),
    ) -> Page[Campaign]:
        params: list[tuple[str, str | int]] = [(Filter.order("name"), "asc")]
        if search:
            params.append((Filter.NAME, search))
        params += [(Filter.STATUS_IN, status) for status in statuses]
        return self.page(Campaign, CAMPAIGNS.path, params, page=page, items_per_page=items_per_page)

    def campaign(self, campaign_id: int) -> Campaign:
        return self.get_item(Campaign, CAMPAIGNS.item(campaign_id))

    def campaigns(self, campaign_ids: Sequence[int]) -> list[Campaign]:
        return self._by_ids(Campaign, CAMPAIGNS, Filter.ID_IN, campaign_ids)

    def publishers(self, publisher_ids: Sequence[int]) -> list[Publisher]:
        return self._by_ids(Publisher, PUBLISHERS, Filter.ID_IN, publisher_ids)

    def statistics(self, campaign_ids: Sequence[int]) -> list[Statistic]:
        return self._by_ids(Statistic, STATISTICS, Filter.CAMPAIGN_IN, campaign_ids)

    def chronologies(
        self,
        campaign_ids: Sequence[int],
        after: dt.date | None = None,
        before: dt.date | None = None,
    ) -> list[LeadStatisticsChronology]:
        extra: list[tuple[str, str | int]] = []
        if after is not None:
            extra.append((Filter.DATE_AFTER, _iso(after)))
        if before is not None:
            extra.append((Filter.DATE_BEFORE, _iso(before)))
        # One page holds years of days for several campaigns, so a chart of several
        # campaigns is one request rather than a chain of pages.
        return self._by_ids(
            LeadStatisticsChronology,
            CHRONOLOGIES,
            Filter.CAMPAIGN_IN,
            campaign_ids,
            extra,
            items_per_page=CHRONOLOGY_ITEMS_PER_PAGE,
        )

    def campaign_publishers(self, campaign_ids: Sequence[int]) -> list[CampaignPublisher]:
        return self._by_ids(
            CampaignPublisher, CAMPAIGN_PUBLISHERS, Filter.CAMPAIGN_IN, campaign_ids
        )

    def campaign_contracts(self, campaign_id: int) -> list[CampaignPublisher]:
        """The publisher contracts of one campaign (single-value filter)."""
        return self.fetch_all(
            CampaignPublisher,
            CAMPAIGN_PUBLISHERS.path,
            [(Filter.CAMPAIGN, int(campaign_id))],
        )

    def campaign_links(self, campaign_ids: Sequence[int]) -> list[CampaignLink]:
        return self._by_ids(CampaignLink, CAMPAIGN_LINKS, Filter.CAMPAIGN_IN, campaign_ids)

    def campaign_processr_jobs(self, campaign_ids: Sequence[int]) -> list[CampaignProcessrJob]:
        return self._by_ids(
            CampaignProcessrJob, CAMPAIGN_PROCESSR_JOBS, Filter.CAMPAIGN_IN, campaign_ids
        )

    def leads_page(
        self,
        campaign_id: int,
        page: int = 1,
        items_per_page: int = ITEMS_PER_PAGE,
        statuses: Sequence[str] = (),
        delivered: bool | None = None,
        created_after: dt.date | dt.datetime | None = None,
        created_before: dt.date | dt.datetime | None = None,
        search: str | None = None,
        order: str = "desc",
        order_by: str = "createdTs",
    ) -> Page[Lead]:
        params: list[tuple[str, str | int]] = [
            (Filter.CAMPAIGN, int(campaign_id)),
            (Filter.order(order_by), order),
        ]
        if order_by != "createdTs":
            # Equal values (a score, a status) keep a stable order: newest first.
            params.append((Filter.order("createdTs"), "desc"))
        params += [
            (Filter.LEAD_STATUS_IN, value)
            for value in self.status_filter_values(statuses, campaign_id)
        ]
        if delivered is not None:
            params.append((Filter.DELIVERED, "true" if delivered else "false"))
        if created_after is not None:
            params.append((Filter.CREATED_AFTER, _iso(created_after)))
        if created_before is not None:
            params.append((Filter.CREATED_BEFORE, _iso(created_before)))
        if search:
            params.append((Filter.SEARCH, search))
        return self.page(Lead, LEADS.path, params, page=page, items_per_page=items_per_page)

    def lead(self, lead_id: int) -> Lead:
        return self.get_item(Lead, LEADS.item(lead_id))

    def leads_by_email(self, email: str) -> list[Lead]:
        """Every lead captured with this email, on any campaign (the lead itself included)."""
        return self.fetch_all(Lead, LEADS.path, [(Filter.EMAIL, email)])

    def leads_by_email_hash(self, email_hash: str) -> list[Lead]:
        """Every lead whose email has this hash (`emailHash`), on any campaign: the same
        leads as `leads_by_email`, for a role that sees the email masked."""
        return self.fetch_all(Lead, LEADS.path, [(Filter.EMAIL_HASH, email_hash)])

    def lead_datas(self, lead_id: int) -> list[LeadData]:
        return self.fetch_all(LeadData, LEAD_DATAS.path, [(Filter.LEAD, int(lead_id))])

    def editable_fields(self, campaign_id: int) -> list[LeadEditableField]:
        return self.fetch_all(
            LeadEditableField,
            EDITABLE_FIELDS.path,
            [(Filter.CAMPAIGN, int(campaign_id))],
        )

    def lead_notes(self, lead_id: int) -> list[LeadNote]:
        return self.fetch_all(LeadNote, LEAD_NOTES.path, [(Filter.LEAD, int(lead_id))])

    def job_results(self, lead_id: int) -> list[ProcessrJobLead]:
        return self.fetch_all(ProcessrJobLead, JOB_RESULTS.path, [(Filter.LEAD, int(lead_id))])

    def logs(self, lead_id: int, log_type: LogType) -> list[LogEntry]:
        """Processr or provider logs of a lead (provider logs: 403 for masked users)."""
        return self.fetch_all(
            LogEntry, LOGS.path, [(Filter.LEAD, int(lead_id)), (Filter.LOG_TYPE, log_type)]
        )

    def save_lead_data(
        self,
        lead_id: int,
        name: str,
        value: str,
        previous_value: str | _Unset | None = UNSET,
    ) -> LeadData:
        """Create or overwrite a value (POST, never retried). 409 if ``previous_value`` is stale."""
        body: dict[str, object] = {
            "lead": LEADS.item(lead_id),
            "name": name,
            "value": value,
        }
        if previous_value is not UNSET:
            body["previousValue"] = previous_value
        path = LEAD_DATAS.path
        return self.parse(
            LeadData, self.request_json("POST", path, json=body), method="POST", path=path
        )

    def _by_ids(
        self,
        model: type[ModelT],
        resource: Resource,
        filter_name: str,
        ids: Sequence[int],
        extra: Params = (),
        *,
        items_per_page: int = MAX_ITEMS_PER_PAGE,
    ) -> list[ModelT]:
        unique = sorted({int(value) for value in ids})
        if not unique:
            return []
        params = [*((filter_name, value) for value in unique), *extra]
        return list(
            self.iter_collection(model, resource.path, params, items_per_page=items_per_page)
        )
