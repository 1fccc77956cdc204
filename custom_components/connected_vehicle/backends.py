"""Build a back-end client from a config entry's data, and the polling plan it wants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .api.backend import Backend
from .api.http import RequestBudget
from .api.models import Vehicle
from .api.ovms import OvmsClient, new_request_budget
from .const import (
    CONF_ACTIVE_INTERVAL,
    CONF_BACKEND,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DOMAIN,
)
from .polling import PollPlan, uniform_plan

# One request budget per OVMS server, shared by every account and car on it.
_OVMS_BUDGETS: HassKey[dict[str, RequestBudget]] = HassKey(f"{DOMAIN}_ovms_budgets")


def normalized_server_url(url: str) -> str:
    """Scheme, host and port of a server URL, lower-cased, without a trailing slash."""
    parsed = URL(url.strip())
    return str(parsed.with_path("").with_query(None).with_fragment(None)).rstrip("/").lower()


def account_unique_id(data: Mapping[str, Any]) -> str:
    """The config entry's unique id: one entry per account on one server."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    return f"{data[CONF_BACKEND]}:{data[CONF_USERNAME].strip().lower()}@{server}"


def create_session(hass: HomeAssistant, *, auto_cleanup: bool = True) -> aiohttp.ClientSession:
    """A session of the entry's own that stores no cookies (clients keep sessions in memory)."""
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


def create_backend(
    hass: HomeAssistant, session: aiohttp.ClientSession, data: Mapping[str, Any]
) -> Backend:
    """The client for an entry's account."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    budgets = hass.data.setdefault(_OVMS_BUDGETS, {})
    budget = budgets.setdefault(server, new_request_budget())
    return OvmsClient(session, server, data[CONF_USERNAME], data[CONF_PASSWORD], budget=budget)


def create_plan(options: Mapping[str, Any], vehicle: Vehicle) -> PollPlan:
    """The polling plan for one car, from the entry's options."""
    active = timedelta(seconds=options.get(CONF_ACTIVE_INTERVAL, DEFAULT_ACTIVE_INTERVAL))
    parked = timedelta(seconds=options.get(CONF_PARKED_INTERVAL, DEFAULT_PARKED_INTERVAL))
    return uniform_plan(vehicle.capabilities, active, parked)
