"""OVMS: an account on an OVMS v3 server, signed in with its password or an API token."""

from __future__ import annotations

from typing import Any, ClassVar, Final

import aiohttp
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.ssl import client_context, get_default_no_verify_context
import probatio as vol
from yarl import URL

from ..api.backend import Backend
from ..api.http import RequestBudget
from ..api.models import Vehicle
from ..api.ovms import (
    DEFAULT_SERVER_URL,
    AppEndpoint,
    OvmsAccount,
    OvmsClient,
    OvmsLiveLink,
    new_request_budget,
)
from ..const import CONF_APP_PORT, CONF_BACKEND, CONF_SERVER_URL, DOMAIN
from ..polling import OVMS_TIERS
from .base import (
    ADVANCED,
    PASSWORD_SELECTOR,
    URL_SELECTOR,
    Data,
    FlowPath,
    FormStep,
    OAuthAccess,
    PasswordProvider,
    normalized_server_url,
    sends_password_in_clear,
    unlock_pin_field,
    unlock_pin_option,
    url_problem,
)

KIND: Final = "ovms"
# The protocol v2 app port: with TLS for an https server, without for an http one.
APP_PORT_TLS: Final = 6870
APP_PORT_PLAIN: Final = 6867
# One request budget per OVMS server, shared by every account and car on it.
_BUDGETS: HassKey[dict[str, RequestBudget]] = HassKey(f"{DOMAIN}_ovms_budgets")

_PORT: Final = NumberSelector(
    NumberSelectorConfig(min=0, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
ACCOUNT_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_SERVER_URL, default=DEFAULT_SERVER_URL): URL_SELECTOR,
        vol.Required(CONF_USERNAME): str,
        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
        vol.Optional(ADVANCED): section(
            vol.Schema(
                {
                    vol.Optional(CONF_APP_PORT): _PORT,
                    vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
                }
            ),
            {"collapsed": True},
        ),
    }
)


def _account_data(data: Data, answer: Data) -> dict[str, Any]:
    """Entry data from the account form, with the server URL and username tidied."""
    advanced = answer.get(ADVANCED, {})
    account = {
        key: value for key, value in data.items() if key not in (CONF_APP_PORT, CONF_VERIFY_SSL)
    }
    account |= {
        CONF_BACKEND: KIND,
        CONF_SERVER_URL: normalized_server_url(answer[CONF_SERVER_URL]),
        CONF_USERNAME: answer[CONF_USERNAME].strip(),
        CONF_PASSWORD: answer[CONF_PASSWORD],
        CONF_VERIFY_SSL: bool(advanced.get(CONF_VERIFY_SSL, True)),
    }
    if advanced.get(CONF_APP_PORT) is not None:
        account[CONF_APP_PORT] = int(advanced[CONF_APP_PORT])
    return account


def _check_account(answer: Data, previous: Data | None) -> dict[str, str]:
    """An unusable address; a password about to cross a network in clear (submit to confirm)."""
    url = str(answer[CONF_SERVER_URL])
    if (problem := url_problem(url)) is not None:
        return {CONF_SERVER_URL: problem}
    confirmed = previous is not None and previous.get(CONF_SERVER_URL) == url
    if sends_password_in_clear(url) and not confirmed:
        return {CONF_SERVER_URL: "plain_http"}
    return {}


def _current_account(data: Data) -> dict[str, Any]:
    """The entry's settings, to change them (never the password)."""
    advanced: dict[str, Any] = {CONF_VERIFY_SSL: data.get(CONF_VERIFY_SSL, True)}
    if CONF_APP_PORT in data:
        advanced[CONF_APP_PORT] = data[CONF_APP_PORT]
    return {
        CONF_SERVER_URL: data[CONF_SERVER_URL],
        CONF_USERNAME: data[CONF_USERNAME],
        ADVANCED: advanced,
    }


def app_endpoint(data: Data) -> AppEndpoint | None:
    """Where the server's protocol v2 app port is; None when live updates are off (port 0)."""
    server = normalized_server_url(data[CONF_SERVER_URL])
    tls = URL(server).scheme == "https"
    port = int(data.get(CONF_APP_PORT, APP_PORT_TLS if tls else APP_PORT_PLAIN))
    if port == 0:
        return None
    verify = bool(data.get(CONF_VERIFY_SSL, True))
    context = client_context() if verify else get_default_no_verify_context()
    return AppEndpoint.for_server(server, port=port, tls=tls, ssl_context=context)


class OvmsProvider(PasswordProvider):
    """OVMS v3 server REST API; every car of the account in one entry."""

    kind: ClassVar[str] = KIND
    setup_path: ClassVar[FlowPath] = (
        FormStep(step_id=KIND, schema=ACCOUNT_SCHEMA, apply=_account_data, check=_check_account),
    )
    reconfigure_path: ClassVar[FlowPath] = (
        FormStep(
            step_id="reconfigure_server",
            schema=ACCOUNT_SCHEMA,
            apply=_account_data,
            suggested=_current_account,
            check=_check_account,
        ),
    )
    redacted: ClassVar[frozenset[str]] = frozenset({CONF_PASSWORD, CONF_USERNAME})
    call_tiers = OVMS_TIERS
    # The module re-sends its status and environment records every interval (10 minutes
    # parked), changed or not: a later record time is routine, not a visit.
    stamps_tell_visits = False

    def unique_id(self, data: Data, vehicles: list[Vehicle]) -> str:
        """One entry per username on one server."""
        return f"{KIND}:{self.account(data)}@{normalized_server_url(data[CONF_SERVER_URL])}"

    def title(self, data: Data, vehicles: list[Vehicle]) -> str:
        """``OVMS <username>``."""
        return f"OVMS {data[CONF_USERNAME]}"

    def maker(self, data: Data) -> str:
        """The Open Vehicles project."""
        return "Open Vehicles"

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
        """REST sharing its server's request budget with every account there, and the live link."""
        server = normalized_server_url(data[CONF_SERVER_URL])
        budget = hass.data.setdefault(_BUDGETS, {}).setdefault(server, new_request_budget())
        username, password = data[CONF_USERNAME], data[CONF_PASSWORD]
        verify = bool(data.get(CONF_VERIFY_SSL, True))
        rest = OvmsClient(session, server, username, password, budget=budget, verify_ssl=verify)
        endpoint = app_endpoint(data)
        link = None
        if endpoint is not None and " " not in username + password:
            link = OvmsLiveLink(endpoint, username, password)
        return OvmsAccount(rest, link)

    def option_fields(self) -> dict[vol.Marker, Any]:
        """The car module's PIN, which locking, unlocking and valet mode carry."""
        return unlock_pin_field()

    def clean_options(self, user_input: Data) -> dict[str, Any]:
        """The PIN, if one was typed."""
        return unlock_pin_option(user_input)
