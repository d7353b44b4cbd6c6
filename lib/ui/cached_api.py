"""Cached access to the Convertr API for the pages: one client per configuration, data per
(client identity, query) with a short TTL, and the lead dossier per lead.

Reruns (switching tabs, sorting, typing in a filter that does not change the query) hit these
caches and send no request. Every cached function takes the client as `_client` (not hashed)
and the client's identity `client_key` (hashed), so two users never share an entry.
"""

# Cache-key parameters (client_key, generation) are used only by Streamlit's hashing.
# ruff: noqa: ARG001

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import streamlit as st

from lib.convertr import ClientConfig, ConvertrClient, LeadDossier, load_dossier
from lib.convertr.models import (
    Campaign,
    CampaignStatus,
    Lead,
    LeadStatisticsChronology,
    Page,
    Statistic,
    User,
)
from lib.views.leads import LeadFilters

DATA_TTL_SECONDS: Final = 120
"""How long a campaign list, statistics or page of leads is reused."""
DOSSIER_TTL_SECONDS: Final = 120
"""How long a loaded lead dossier is reused before the next view loads it again."""
USER_TTL_SECONDS: Final = 600

_generation_lock = threading.Lock()
_lead_generations: dict[int, int] = {}
"""Bumped by `clear_lead_cache`: part of the dossier's cache key, so a bump is a miss."""


@dataclass(frozen=True)
class Connection:
    """The client of this session and the key that identifies it in data caches."""

    client: ConvertrClient
    key: str
    config: ClientConfig


def _secrets() -> Mapping[str, Any] | None:
    """`st.secrets` when a secrets file exists, else None (never an error)."""
    try:
        return {name: st.secrets[name] for name in st.secrets}
    except Exception:  # no secrets.toml: Streamlit raises its own FileNotFoundError kinds
        return None


def resolve_config(demo_username: str | None) -> ClientConfig:
    """The configuration from the environment (and secrets); in sandbox mode signed in as
    the chosen demo user. Raises ConfigurationError when the settings cannot work."""
    config = ClientConfig.from_env(os.environ, _secrets())
    if config.is_sandbox and demo_username:
        return ClientConfig.sandbox(demo_username, sandbox_db=config.sandbox_db)
    return config


def config_key(config: ClientConfig) -> str:
    """A cache key for a configuration: where and who, never a secret."""
    where = config.base_url or f"sandbox:{config.sandbox_db or ''}"
    return f"{where}|{config.username or 'token'}"


@st.cache_resource(show_spinner=False)
def _client(key: str, _config: ClientConfig) -> ConvertrClient:
    return ConvertrClient(_config)


def connect(demo_username: str | None) -> Connection:
    """The shared client for the current configuration (created once per configuration)."""
    config = resolve_config(demo_username)
    key = config_key(config)
    return Connection(client=_client(key, config), key=key, config=config)


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


@st.cache_data(ttl=DOSSIER_TTL_SECONDS, show_spinner=False)
def _dossier(
    _client: ConvertrClient,
    client_key: str,
    lead_id: int,
    campaign_id: int | None,
    email: str | None,
    generation: int,
) -> LeadDossier:
    return load_dossier(_client, lead_id, campaign_id=campaign_id, email=email)


def lead_dossier(
    connection: Connection, lead_id: int, campaign_id: int | None, email: str | None
) -> LeadDossier:
    """The whole Lead Data view in one concurrent load, reused until the TTL or a
    `clear_lead_cache(lead_id)`."""
    with _generation_lock:
        generation = _lead_generations.get(lead_id, 0)
    return _dossier(connection.client, connection.key, lead_id, campaign_id, email, generation)


def clear_lead_cache(lead_id: int) -> None:
    """Forget the cached dossier of a lead (for every user), e.g. after an edit is saved, and
    the cached pages of leads, whose rows may show the value that changed."""
    with _generation_lock:
        _lead_generations[lead_id] = _lead_generations.get(lead_id, 0) + 1
    leads_page.clear()


def ids(values: Sequence[int]) -> tuple[int, ...]:
    """A stable, hashable key for a set of ids."""
    return tuple(sorted(set(values)))


@st.cache_data(ttl=USER_TTL_SECONDS, show_spinner=False)
def supported_filters(_client: ConvertrClient, client_key: str, path: str) -> frozenset[str] | None:
    """The filters the collection at `path` advertises (None: it advertises none). Added for
    the Leads page's filters (issue 9)."""
    return _client.supported_filters(path)
