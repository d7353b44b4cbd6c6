"""Cached access to the Convertr API for the pages: a client per signed-in visitor (or one
shared client for a configured shared login), data per (identity, query) with a short TTL, and
the lead dossier per lead.

Reruns (switching tabs, sorting, typing in a filter that does not change the query) hit these
caches and send no request. Every cached function takes the client as `_client` (not hashed)
and the identity's `client_key` (hashed): where, the user id and role
(`lib.convertr.session.Identity.cache_key`), never the token. Two people never share an entry;
the same person's next browser session (a new tab, a link from a ticket) reuses what they
loaded within its TTL instead of loading it again.

Reference data (a campaign, its Processr jobs, editable-field definitions and contracts) is
the same for everyone of one role at one source: `reference_data` keeps one
`lib.convertr.reference.ReferenceData` per (source, role), which the dossier reads before it
asks the API, so a second visitor of the same role opening a lead of the same campaign sends
none of those requests.
"""

# Cache-key parameters (client_key, generation) are used only by Streamlit's hashing.
# ruff: noqa: ARG001

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import streamlit as st

from lib import connect, signal_search
from lib.convertr import ClientConfig, ConvertrClient, LeadDossier, load_dossier
from lib.convertr.config import AccessSettings
from lib.convertr.errors import ConvertrError
from lib.convertr.models import (
    Campaign,
    CampaignStatus,
    Lead,
    LeadStatisticsChronology,
    Page,
    Statistic,
    User,
)
from lib.convertr.reference import ReferenceData
from lib.convertr.requestlog import REQUEST_SCOPE, RequestRecord
from lib.convertr.session import Identity
from lib.presentation import resolve_timezone
from lib.ui import keys
from lib.views import provenance, timeline
from lib.views.leads import LEADS_PATH, LeadFilters, OfferedFilters

T = TypeVar("T")

DATA_TTL_SECONDS: Final = 120
"""How long a campaign list, statistics or page of leads is reused."""
DOSSIER_TTL_SECONDS: Final = 120
"""How long a loaded lead dossier is reused before the next view loads it again."""
DOSSIERS_KEPT: Final = 256
"""Dossiers kept at most (each a few hundred KiB), for all users together."""
USER_TTL_SECONDS: Final = 600
REFERENCE_TTL_SECONDS: Final = 300
"""How long a campaign's own data (jobs, editable fields, contracts) is shared by a role."""

_generation_lock = threading.Lock()
_lead_generations: dict[int, int] = {}
"""Bumped by `clear_lead_cache`: part of the dossier's cache key, so a bump is a miss."""


@dataclass(frozen=True)
class Connection:
    """The client of this session and the key that identifies it in data caches."""

    client: ConvertrClient
    key: str
    config: ClientConfig
    role: str = ""
    """The signed-in user's role: reference data is shared per (source, role)."""

    @property
    def reference(self) -> ReferenceData:
        """The reference data of everyone with this role at this source."""
        return reference_data(self.client.base_url_display, self.role)


SECRETS_REREAD_SECONDS: Final = 1.0
"""How long a read of `st.secrets` is reused: a run asks for them a score of times (the
settings, the client's config, the workspace), and without a secrets file Streamlit looks for
one again on every ask; a file added or changed is still seen within a second."""
_secrets_read: tuple[float, Mapping[str, Any] | None] | None = None


def _secrets() -> Mapping[str, Any] | None:
    """`st.secrets` when a secrets file exists, else None (never an error)."""
    global _secrets_read
    read = _secrets_read
    now = time.monotonic()
    if read is not None and now - read[0] < SECRETS_REREAD_SECONDS:
        return read[1]
    try:
        found: Mapping[str, Any] | None = {name: st.secrets[name] for name in st.secrets}
    except Exception:  # no secrets.toml: Streamlit raises its own FileNotFoundError kinds
        found = None
    _secrets_read = (now, found)
    return found


def access_settings() -> AccessSettings:
    """Shared login or not, and the idle timeout, from the environment (and secrets)."""
    return AccessSettings.from_env(os.environ, _secrets())


def resolve_config(settings: AccessSettings) -> ClientConfig:
    """Where the API is, from the environment (and secrets). Its credentials are kept only
    for a shared login: otherwise each visitor signs in as themselves and the configured
    ones are dropped, so nobody acts as the configured account by accident. Raises
    ConfigurationError when the settings cannot work."""
    config = connect.config_from_env(
        os.environ, _secrets(), credentials_required=settings.shared_login
    )
    if settings.shared_login:
        return config
    return config.without_credentials()


def config_key(config: ClientConfig) -> str:
    """A cache key for a configuration: where and who, never a secret."""
    where = config.base_url or connect.SANDBOX_SOURCE
    return f"{where}|{config.username or 'token'}"


@st.cache_resource(show_spinner=False)
def _client(key: str, _config: ClientConfig) -> ConvertrClient:
    return connect.connect(_config)


def shared_client(config: ClientConfig) -> ConvertrClient:
    """The one client of a shared login (created once per configuration, used by all)."""
    return _client(config_key(config), config)


def visitor_client(config: ClientConfig) -> ConvertrClient:
    """A new client for one visitor's sign-in: it alone holds their token, and it lives in
    their session's state only (never in a cache another session can reach)."""
    return connect.connect(config.without_credentials())


def connection_of(identity: Identity) -> Connection:
    """The page's connection: the identity's client and its cache key (never the token)."""
    client = identity.client
    return Connection(
        client=client, key=identity.cache_key, config=client.config, role=identity.user.role
    )


@st.cache_resource(show_spinner=False)
def reference_data(source: str, role: str) -> ReferenceData:
    """One reference cache per (source, role), shared by every session of that role."""
    return ReferenceData(ttl=REFERENCE_TTL_SECONDS)


@st.cache_data(ttl=USER_TTL_SECONDS, show_spinner=False)
def current_user(_client: ConvertrClient, client_key: str) -> User:
    return _client.current_user()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def campaigns_page(
    _client: ConvertrClient,
    client_key: str,
    page: int,
    items_per_page: int,
    search: str | None,
    statuses: tuple[CampaignStatus, ...],
) -> Page[Campaign]:
    return _client.campaigns_page(
        page=page, items_per_page=items_per_page, search=search, statuses=statuses
    )


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def campaign(_client: ConvertrClient, client_key: str, campaign_id: int) -> Campaign:
    return _client.campaign(campaign_id)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def lead(_client: ConvertrClient, client_key: str, lead_id: int) -> Lead:
    """One lead by id (the Leads search's id match); raises `NotFoundError` when there is
    none (an error is not cached: the next run asks again)."""
    return _client.lead(lead_id)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def statistics(
    _client: ConvertrClient, client_key: str, campaign_ids: tuple[int, ...]
) -> list[Statistic]:
    if not campaign_ids:
        return []
    return list(_client.statistics(list(campaign_ids)))


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def chronologies(
    _client: ConvertrClient, client_key: str, campaign_ids: tuple[int, ...]
) -> list[LeadStatisticsChronology]:
    if not campaign_ids:
        return []
    return list(_client.chronologies(list(campaign_ids)))


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def leads_page(_client: ConvertrClient, client_key: str, filters: LeadFilters) -> Page[Lead]:
    """One page of a campaign's leads as the Leads page's filters ask (hashed by value)."""
    return _client.leads_page(
        filters.campaign_id,
        page=filters.page,
        items_per_page=filters.items_per_page,
        statuses=filters.statuses,
        delivered=filters.delivered,
        created_after=filters.created_after,
        created_before=filters.created_before,
        search=filters.search,
        order=filters.order,
        order_by=filters.order_by,
    )


# A resource, not data: every run and every session of the same person gets the same frozen
# object (no unpickling of a large dossier per run), and what is derived from it is keyed by
# that object (`_derived`), so it is built once per loaded dossier.
@dataclass(frozen=True)
class _LoadedDossier:
    """A dossier and the requests that loaded it (the request inspector draws them for a
    later session of the same person, whose view takes the dossier from this cache)."""

    dossier: LeadDossier
    requests: tuple[RequestRecord, ...]


@st.cache_resource(ttl=DOSSIER_TTL_SECONDS, show_spinner=False, max_entries=DOSSIERS_KEPT)
def _dossier(
    _client: ConvertrClient,
    client_key: str,
    lead_id: int,
    campaign_id: int | None,
    email: str | None,
    generation: int,
    _reference: ReferenceData,
) -> _LoadedDossier:
    before = _client.request_log.last_seq
    dossier = load_dossier(
        _client, lead_id, campaign_id=campaign_id, email=email, reference=_reference
    )
    # This run's scope only: the client is the person's, and another of their sessions may
    # be sending requests at the same time.
    scope = REQUEST_SCOPE.get(None)
    return _LoadedDossier(dossier, _client.request_log.records(scope=scope, after=before))


def lead_dossier(
    connection: Connection, lead_id: int, campaign_id: int | None, email: str | None
) -> LeadDossier:
    """The whole Lead Data view in one concurrent load, reused until the TTL or a
    `clear_lead_cache(lead_id)`."""
    with _generation_lock:
        generation = _lead_generations.get(lead_id, 0)
    loaded = _dossier(
        connection.client,
        connection.key,
        lead_id,
        campaign_id,
        email,
        generation,
        connection.reference,
    )
    st.session_state[keys.INSPECTOR_LOADED] = loaded.requests
    return loaded.dossier


def clear_lead_cache(lead_id: int) -> None:
    """Forget the cached dossier of a lead (for every user), e.g. after an edit is saved, and
    the cached pages of leads, whose rows may show the value that changed."""
    with _generation_lock:
        _lead_generations[lead_id] = _lead_generations.get(lead_id, 0) + 1
    leads_page.clear()


def refresh_lead(connection: Connection, lead_id: int) -> None:
    """Load a lead again from the API (Refresh): its dossier and the reference data."""
    clear_lead_cache(lead_id)
    connection.reference.clear()


def ids(values: Sequence[int]) -> tuple[int, ...]:
    """A stable, hashable key for a set of ids."""
    return tuple(sorted(set(values)))


@st.cache_data(ttl=USER_TTL_SECONDS, show_spinner=False)
def supported_filters(_client: ConvertrClient, client_key: str, path: str) -> frozenset[str] | None:
    """The filters the collection at `path` advertises (None: it advertises none). Added for
    the Leads page's filters (issue 9)."""
    return _client.supported_filters(path)


def offered_lead_filters(client: ConvertrClient, client_key: str) -> OfferedFilters:
    """The Leads filters the server advertises. Not knowing (the question failed) is treated
    as not advertised: every filter is offered, as before the server was asked."""
    try:
        advertised = supported_filters(client, client_key, LEADS_PATH)
    except ConvertrError:
        advertised = None
    return OfferedFilters(advertised)


# -- what is derived from a dossier: computed once per loaded dossier ------------------------
# Keyed by the dossier object (`_dossier` hands out the same object until its TTL or a new
# generation) as well as by who and which lead, so a tab switch, a filter change or the same
# person's next session reuses them, and a reload recomputes them. Each entry holds the
# dossier it was built from: while it lives, no other object can have that id, and a
# mismatch (never expected) is recomputed rather than served.


def lead_generation(lead_id: int) -> int:
    """The lead's cache generation (bumped by `clear_lead_cache`)."""
    with _generation_lock:
        return _lead_generations.get(lead_id, 0)


@st.cache_resource(ttl=DOSSIER_TTL_SECONDS, show_spinner=False, max_entries=DOSSIERS_KEPT)
def _timeline(
    _dossier: LeadDossier, client_key: str, lead_id: int, generation: int, dossier_id: int
) -> tuple[LeadDossier, timeline.Timeline]:
    return _dossier, timeline.build_timeline(_dossier)


def lead_timeline(
    dossier: LeadDossier, client_key: str, lead_id: int, generation: int
) -> timeline.Timeline:
    held, built = _timeline(dossier, client_key, lead_id, generation, id(dossier))
    return built if held is dossier else timeline.build_timeline(dossier)


@st.cache_resource(ttl=DOSSIER_TTL_SECONDS, show_spinner=False, max_entries=DOSSIERS_KEPT)
def _provenance(
    _dossier: LeadDossier,
    client_key: str,
    lead_id: int,
    generation: int,
    zone_name: str,
    dossier_id: int,
) -> tuple[LeadDossier, tuple[provenance.Provenance, ...]]:
    return _dossier, provenance.value_provenance(_dossier, resolve_timezone(zone_name))


def lead_provenance(
    dossier: LeadDossier, client_key: str, lead_id: int, generation: int, zone_name: str
) -> tuple[provenance.Provenance, ...]:
    held, built = _provenance(dossier, client_key, lead_id, generation, zone_name, id(dossier))
    if held is dossier:
        return built
    return provenance.value_provenance(dossier, resolve_timezone(zone_name))


@st.cache_resource(ttl=DOSSIER_TTL_SECONDS, show_spinner=False, max_entries=DOSSIERS_KEPT)
def _signals(
    _client: ConvertrClient,
    _dossier: LeadDossier,
    client_key: str,
    lead_id: int,
    generation: int,
    dossier_id: int,
) -> tuple[LeadDossier, signal_search.SignalSearch]:
    found = signal_search.search_signals(_client, _dossier.lead, _dossier.associated_leads or [])
    return _dossier, found


def lead_signals(
    client: ConvertrClient, dossier: LeadDossier, client_key: str, lead_id: int, generation: int
) -> signal_search.SignalSearch:
    """The other leads sharing the lead's signals (one request per searchable signal)."""
    held, found = _signals(client, dossier, client_key, lead_id, generation, id(dossier))
    if held is dossier:
        return found
    return signal_search.search_signals(client, dossier.lead, dossier.associated_leads or [])


@st.cache_resource(ttl=DOSSIER_TTL_SECONDS, show_spinner=False, max_entries=DOSSIERS_KEPT)
def _derived(
    _dossier: LeadDossier,
    _build: Callable[[], object],
    client_key: str,
    lead_id: int,
    generation: int,
    dossier_id: int,
    name: str,
) -> tuple[LeadDossier, object]:
    return _dossier, _build()


def lead_derived(dossier: LeadDossier, client_key: str, name: str, build: Callable[[], T]) -> T:
    """`build()` once per loaded dossier and `name` (a figure, a frame): `name` must say
    everything else the result depends on (the viewer's zone, say)."""
    lead_id = dossier.lead_id
    held, built = _derived(
        dossier, build, client_key, lead_id, lead_generation(lead_id), id(dossier), name
    )
    return cast("T", built) if held is dossier else build()
