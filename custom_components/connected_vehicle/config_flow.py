"""Config flow: pick a back end, sign in, see the cars; reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .api.errors import AuthenticationError, BackendUnavailableError, VehicleApiError
from .api.ovms import DEFAULT_SERVER_URL
from .backends import account_unique_id, create_backend, create_session, normalized_server_url
from .const import (
    CONF_ACTIVE_INTERVAL,
    CONF_BACKEND,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DOMAIN,
    MAX_INTERVAL,
    MIN_INTERVAL,
    BackendKind,
)
from .coordinator import ConnectedVehicleConfigEntry

_LOGGER = logging.getLogger(__name__)

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))

OVMS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SERVER_URL, default=DEFAULT_SERVER_URL): _URL,
        vol.Required(CONF_USERNAME): str,
        vol.Required(CONF_PASSWORD): _PASSWORD,
    }
)
REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD})


class ConnectedVehicleConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per account: every car of the account becomes a device."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConnectedVehicleConfigEntry,
    ) -> ConnectedVehicleOptionsFlow:
        """Polling intervals."""
        return ConnectedVehicleOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the back end (Volvo and Stellantis arrive with their own issues)."""
        return self.async_show_menu(step_id="user", menu_options=[BackendKind.OVMS.value])

    async def async_step_ovms(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Server, username and password (or API token) of an OVMS account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _ovms_data(user_input)
            errors, count = await self._validate(data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"OVMS {data[CONF_USERNAME]}",
                    data=data,
                    description_placeholders={"count": str(count)},
                )
        return self.async_show_form(
            step_id="ovms",
            data_schema=self.add_suggested_values_to_schema(OVMS_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The server refused the saved credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password (or a new API token) of the same account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            errors, _count = await self._validate(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            errors=errors,
            description_placeholders={
                CONF_USERNAME: entry.data[CONF_USERNAME],
                CONF_SERVER_URL: entry.data[CONF_SERVER_URL],
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server address or the password of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _ovms_data({**entry.data, **user_input})
            await self.async_set_unique_id(account_unique_id(data))
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            errors, _count = await self._validate(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        suggested = user_input or {**entry.data, CONF_PASSWORD: ""}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(OVMS_SCHEMA, suggested),
            errors=errors,
        )

    async def _validate(self, data: Mapping[str, Any]) -> tuple[dict[str, str], int]:
        """Sign in and list the cars: the form's errors and how many cars there are."""
        session = create_session(self.hass, auto_cleanup=False)
        backend = create_backend(self.hass, session, data)
        try:
            vehicles = await backend.vehicles()
        except AuthenticationError:
            return {"base": "invalid_auth"}, 0
        except BackendUnavailableError:
            return {"base": "cannot_connect"}, 0
        except VehicleApiError as err:
            _LOGGER.warning("Unexpected answer while signing in: %s", err)
            return {"base": "unknown"}, 0
        finally:
            await backend.logout()
            session.detach()
        if not vehicles:
            return {"base": "no_vehicles"}, 0
        return {}, len(vehicles)


def _ovms_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data for an OVMS account, with the server URL tidied."""
    return {
        CONF_BACKEND: BackendKind.OVMS.value,
        CONF_SERVER_URL: normalized_server_url(user_input[CONF_SERVER_URL]),
        CONF_USERNAME: user_input[CONF_USERNAME].strip(),
        CONF_PASSWORD: user_input[CONF_PASSWORD],
    }


_INTERVAL = NumberSelector(
    NumberSelectorConfig(
        min=MIN_INTERVAL,
        max=MAX_INTERVAL,
        step=10,
        unit_of_measurement="s",
        mode=NumberSelectorMode.BOX,
    )
)


class ConnectedVehicleOptionsFlow(OptionsFlowWithReload):
    """How often cars are polled while active and while parked."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Two intervals, in seconds."""
        if user_input is not None:
            return self.async_create_entry(
                data={key: int(value) for key, value in user_input.items()}
            )
        schema = vol.Schema(
            {
                vol.Required(CONF_ACTIVE_INTERVAL, default=DEFAULT_ACTIVE_INTERVAL): _INTERVAL,
                vol.Required(CONF_PARKED_INTERVAL, default=DEFAULT_PARKED_INTERVAL): _INTERVAL,
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )
