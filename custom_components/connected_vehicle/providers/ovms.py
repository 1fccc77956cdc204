"""OVMS: an account on an OVMS v3 server, signed in with its password or an API token."""

from __future__ import annotations

from typing import Any, ClassVar, Final

import aiohttp
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey
import probatio as vol

from ..api.backend import Backend
from ..api.http import RequestBudget
from ..api.models import Vehicle
from ..api.ovms import DEFAULT_SERVER_URL, OvmsClient, new_request_budget
from ..const import CONF_BACKEND, CONF_SERVER_URL, DOMAIN
from .base import (
    PASSWORD_SELECTOR,
    URL_SELECTOR,
    Data,
    FlowPath,
    FormStep,
    OAuthAccess,
    PasswordProvider,
    normalized_server_url,
)

KIND: Final = "ovms"
# One request budget per OVMS server, shared by every account and car on it.
_BUDGETS: HassKey[dict[str, RequestBudget]] = HassKey(f"{DOMAIN}_ovms_budgets")

ACCOUNT_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_SERVER_URL, default=DEFAULT_SERVER_URL): URL_SELECTOR,
        vol.Required(CONF_USERNAME): str,
        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)


def _account_data(data: Data, answer: Data) -> dict[str, Any]:
    """Entry data from the account form, with the server URL and username tidied."""
    return {
        **data,
        CONF_BACKEND: KIND,
        CONF_SERVER_URL: normalized_server_url(answer[CONF_SERVER_URL]),
        CONF_USERNAME: answer[CONF_USERNAME].strip(),
        CONF_PASSWORD: answer[CONF_PASSWORD],
    }


def _current_account(data: Data) -> dict[str, Any]:
    """The entry's server and username, to change them (never the password)."""
    return {CONF_SERVER_URL: data[CONF_SERVER_URL], CONF_USERNAME: data[CONF_USERNAME]}


class OvmsProvider(PasswordProvider):
    """OVMS v3 server REST API; every car of the account in one entry."""

    kind: ClassVar[str] = KIND
    setup_path: ClassVar[FlowPath] = (
        FormStep(step_id=KIND, schema=ACCOUNT_SCHEMA, apply=_account_data),
    )
    reconfigure_path: ClassVar[FlowPath] = (
        FormStep(
            step_id="reconfigure_server",
            schema=ACCOUNT_SCHEMA,
            apply=_account_data,
            suggested=_current_account,
        ),
    )
    redacted: ClassVar[frozenset[str]] = frozenset({CONF_PASSWORD, CONF_USERNAME})

    def unique_id(self, data: Data, vehicles: list[Vehicle]) -> str:
        """One entry per username on one server."""
        return f"{KIND}:{self.account(data)}@{normalized_server_url(data[CONF_SERVER_URL])}"

    def title(self, data: Data, vehicles: list[Vehicle]) -> str:
        """``OVMS <username>``."""
        return f"OVMS {data[CONF_USERNAME]}"

    def account(self, data: Data) -> str:
        """The username, as the server compares it."""
        return str(data[CONF_USERNAME]).strip().lower()

    def same_account(
        self, old: Data, new: Data, old_cars: frozenset[str], new_cars: frozenset[str]
    ) -> bool:
        """The same username, and (on another server) the same cars."""
        return self.account(old) == self.account(new) and (not old_cars or old_cars == new_cars)

    def client(
        self,
        hass: HomeAssistant,
        session: aiohttp.ClientSession,
        data: Data,
        access: OAuthAccess | None,
        *,
        results_url: str | None = None,
    ) -> Backend:
        """A client sharing its server's request budget with every other account there."""
        server = normalized_server_url(data[CONF_SERVER_URL])
        budget = hass.data.setdefault(_BUDGETS, {}).setdefault(server, new_request_budget())
        return OvmsClient(session, server, data[CONF_USERNAME], data[CONF_PASSWORD], budget=budget)
