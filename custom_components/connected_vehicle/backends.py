"""Build a back-end client from a config entry's data, and the polling plan it wants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    OAuth2Session,
    async_get_config_entry_implementation,
)
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .api.backend import Backend, TokenProvider
from .api.http import RequestBudget
from .api.models import Vehicle
from .api.ovms import OvmsClient, new_request_budget
from .api.volvo import (
    AUTHORIZE_PATH as VOLVO_AUTHORIZE_PATH,
    AUTHORIZE_URL as VOLVO_AUTHORIZE_URL,
    DEFAULT_API_URL as VOLVO_API_URL,
    SCOPES as VOLVO_SCOPES,
    TOKEN_PATH as VOLVO_TOKEN_PATH,
    TOKEN_URL as VOLVO_TOKEN_URL,
    ApiKeyQuota,
    VolvoClient,
)
from .const import (
    CONF_ACTIVE_INTERVAL,
    CONF_BACKEND,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DOMAIN,
    BackendKind,
)
from .oauth import OAuthProvider, SessionTokens, bind
from .polling import PER_CALL_TIERS, PollPlan, tiered_plan

# One request budget per OVMS server, shared by every account and car on it.
_OVMS_BUDGETS: HassKey[dict[str, RequestBudget]] = HassKey(f"{DOMAIN}_ovms_budgets")
# One quota per Volvo API key, shared by every account and car using the key.
_VOLVO_QUOTAS: HassKey[dict[str, ApiKeyQuota]] = HassKey(f"{DOMAIN}_volvo_quotas")


def normalized_server_url(url: str) -> str:
    """Scheme, host and port of a server URL, lower-cased, without a trailing slash."""
    parsed = URL(url.strip())
    return str(parsed.with_path("").with_query(None).with_fragment(None)).rstrip("/").lower()


def account_unique_id(data: Mapping[str, Any]) -> str:
    """The config entry's unique id: one entry per account on one server."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    return f"{data[CONF_BACKEND]}:{data[CONF_USERNAME].strip().lower()}@{server}"


def oauth_provider(data: Mapping[str, Any]) -> OAuthProvider:
    """The authorization server of an entry's (or a flow's) back end and server."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    if server == normalized_server_url(VOLVO_API_URL):
        authorize_url, token_url = VOLVO_AUTHORIZE_URL, VOLVO_TOKEN_URL
    else:  # another server (the simulator) serves Volvo ID at the same paths
        authorize_url, token_url = server + VOLVO_AUTHORIZE_PATH, server + VOLVO_TOKEN_PATH
    return OAuthProvider("volvo", "Volvo ID", authorize_url, token_url, VOLVO_SCOPES)


def create_session(hass: HomeAssistant, *, auto_cleanup: bool = True) -> aiohttp.ClientSession:
    """A session of the entry's own that stores no cookies (clients keep sessions in memory)."""
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


async def async_entry_tokens(hass: HomeAssistant, entry: Any) -> TokenProvider:
    """The token provider of an OAuth2 entry: its credential bound to its provider."""
    credential = await async_get_config_entry_implementation(hass, entry)
    implementation = bind(hass, credential, oauth_provider(entry.data))
    return SessionTokens(OAuth2Session(hass, entry, implementation))


def create_backend(
    hass: HomeAssistant,
    session: aiohttp.ClientSession,
    data: Mapping[str, Any],
    tokens: TokenProvider | None = None,
) -> Backend:
    """The client for an entry's account (OAuth2 back ends need ``tokens``)."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    if data[CONF_BACKEND] == BackendKind.VOLVO:
        if tokens is None:
            raise ValueError("a Volvo account needs a token provider")
        quotas = hass.data.setdefault(_VOLVO_QUOTAS, {})
        quota = quotas.setdefault(data[CONF_API_KEY], ApiKeyQuota())
        return VolvoClient(session, tokens, data[CONF_API_KEY], base_url=server, quota=quota)
    budgets = hass.data.setdefault(_OVMS_BUDGETS, {})
    budget = budgets.setdefault(server, new_request_budget())
    return OvmsClient(session, server, data[CONF_USERNAME], data[CONF_PASSWORD], budget=budget)


def create_plan(backend: str, options: Mapping[str, Any], vehicle: Vehicle) -> PollPlan:
    """The polling plan for one car, from the entry's options.

    OVMS answers several groups with one cheap call, so every group follows the
    two intervals; back ends that count calls stretch the slow-changing groups.
    """
    active = timedelta(seconds=options.get(CONF_ACTIVE_INTERVAL, DEFAULT_ACTIVE_INTERVAL))
    parked = timedelta(seconds=options.get(CONF_PARKED_INTERVAL, DEFAULT_PARKED_INTERVAL))
    tiers = PER_CALL_TIERS if backend == BackendKind.VOLVO else None
    return tiered_plan(vehicle.capabilities, active, parked, tiers)
