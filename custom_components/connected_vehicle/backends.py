"""Build a back-end client from a config entry's data, and the polling plan it wants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
from .api.stellantis import (
    DEFAULT_API_URL as STELLANTIS_API_URL,
    StellantisClient,
    brand as stellantis_brand,
)
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
    CONF_BRAND,
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


def default_server_url(backend: str) -> str:
    """The real cloud's API server of a back end (scheme and host)."""
    api_url = STELLANTIS_API_URL if backend == BackendKind.STELLANTIS else VOLVO_API_URL
    return normalized_server_url(api_url)


def oauth_provider(data: Mapping[str, Any]) -> OAuthProvider:
    """The authorization server of an entry's (or a flow's) back end and server.

    On the real clouds that is Volvo ID or the brand's IdP; on another server
    (the simulator) the same paths on that server.
    """
    server = normalized_server_url(data[CONF_SERVER_URL])
    other = None if server == default_server_url(data[CONF_BACKEND]) else server
    if data[CONF_BACKEND] == BackendKind.STELLANTIS:
        brand = stellantis_brand(data[CONF_BRAND])
        return OAuthProvider(
            brand.code,
            brand.name,
            brand.authorize_url(other),
            brand.token_url(other),
            brand.scopes,
            app_redirect_uri=brand.app_redirect_uri,
        )
    if other is None:
        authorize_url, token_url = VOLVO_AUTHORIZE_URL, VOLVO_TOKEN_URL
    else:
        authorize_url, token_url = other + VOLVO_AUTHORIZE_PATH, other + VOLVO_TOKEN_PATH
    return OAuthProvider("volvo", "Volvo ID", authorize_url, token_url, VOLVO_SCOPES)


def create_session(hass: HomeAssistant, *, auto_cleanup: bool = True) -> aiohttp.ClientSession:
    """A session of the entry's own that stores no cookies (clients keep sessions in memory)."""
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


@dataclass(frozen=True, slots=True)
class OAuthAccess:
    """What an OAuth2 client needs: tokens, and the client id they were issued to."""

    tokens: TokenProvider
    client_id: str


async def async_entry_access(hass: HomeAssistant, entry: Any) -> OAuthAccess:
    """The OAuth2 access of an entry: its credential bound to its provider."""
    credential = await async_get_config_entry_implementation(hass, entry)
    implementation = bind(hass, credential, oauth_provider(entry.data))
    tokens = SessionTokens(OAuth2Session(hass, entry, implementation))
    return OAuthAccess(tokens, implementation.client_id)


def create_backend(
    hass: HomeAssistant,
    session: aiohttp.ClientSession,
    data: Mapping[str, Any],
    access: OAuthAccess | None = None,
    *,
    callback_url: str | None = None,
) -> Backend:
    """The client for an entry's account (OAuth2 back ends need ``access``).

    A Stellantis client with a ``callback_url`` hears command results through
    the entry's webhook; without one it reads them back.
    """
    server = normalized_server_url(data[CONF_SERVER_URL])
    if data[CONF_BACKEND] != BackendKind.OVMS and access is None:
        raise ValueError("an OAuth2 account needs its access")
    if data[CONF_BACKEND] == BackendKind.STELLANTIS and access is not None:
        return StellantisClient(
            session,
            access.tokens,
            stellantis_brand(data[CONF_BRAND]),
            access.client_id,
            base_url=server + URL(STELLANTIS_API_URL).path,
            callback_url=callback_url,
        )
    if data[CONF_BACKEND] == BackendKind.VOLVO and access is not None:
        quotas = hass.data.setdefault(_VOLVO_QUOTAS, {})
        quota = quotas.setdefault(data[CONF_API_KEY], ApiKeyQuota())
        return VolvoClient(session, access.tokens, data[CONF_API_KEY], base_url=server, quota=quota)
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
    tiers = PER_CALL_TIERS if backend != BackendKind.OVMS else None
    return tiered_plan(vehicle.capabilities, active, parked, tiers)
