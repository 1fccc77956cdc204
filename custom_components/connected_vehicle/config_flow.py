"""Config flow: pick a back end, sign in, see the cars; reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2FlowHandler,
    LocalOAuth2Implementation,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol
from yarl import URL

from .api.errors import (
    AuthenticationError,
    BackendUnavailableError,
    RateLimitedError,
    VehicleApiError,
)
from .api.models import Vehicle
from .api.ovms import DEFAULT_SERVER_URL
from .api.stellantis import BRANDS, brand as stellantis_brand
from .api.volvo import DEFAULT_API_URL as VOLVO_API_URL
from .backends import (
    OAuthAccess,
    account_unique_id,
    async_entry_access,
    create_backend,
    create_session,
    default_server_url,
    normalized_server_url,
    oauth_provider,
)
from .const import (
    CONF_ACCOUNT,
    CONF_ACTIVE_INTERVAL,
    CONF_ALLOW_WAKE_UP,
    CONF_BACKEND,
    CONF_BRAND,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    CONF_UNLOCK_PIN,
    CONF_WAKE_UP_LIMIT,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DEFAULT_WAKE_UP_LIMIT,
    DOMAIN,
    MAX_INTERVAL,
    MIN_INTERVAL,
    BackendKind,
)
from .coordinator import ConnectedVehicleConfigEntry
from .oauth import ProviderImplementation, StaticTokens, account_subject, bind

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
_ADVANCED = "advanced"
VOLVO_SCHEMA = vol.Schema(
    {
        vol.Required(_ADVANCED): section(
            vol.Schema({vol.Required(CONF_SERVER_URL, default=VOLVO_API_URL): _URL}),
            {"collapsed": True},
        )
    }
)
API_KEY_SCHEMA = vol.Schema({vol.Required(CONF_API_KEY): _PASSWORD})
CONF_REDIRECT_URL = "redirect_url"
STELLANTIS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_BRAND): SelectSelector(
            SelectSelectorConfig(options=list(BRANDS), translation_key=CONF_BRAND)
        ),
        vol.Required(_ADVANCED): section(
            vol.Schema(
                {
                    vol.Required(
                        CONF_SERVER_URL, default=default_server_url(BackendKind.STELLANTIS)
                    ): _URL
                }
            ),
            {"collapsed": True},
        ),
    }
)
PASTE_SCHEMA = vol.Schema({vol.Required(CONF_REDIRECT_URL): str})


class ConnectedVehicleConfigFlow(AbstractOAuth2FlowHandler, domain=DOMAIN):
    """One entry per account: every car of the account becomes a device.

    OVMS signs in with a password; Volvo through Home Assistant's OAuth2 flow
    (application credentials bound to Volvo ID, see oauth.py) plus an API key.
    """

    DOMAIN = DOMAIN
    VERSION = 1

    def __init__(self) -> None:
        """Nothing chosen yet."""
        super().__init__()
        self._data: dict[str, Any] = {}
        self._method_asked = False
        self._paste_impl: ProviderImplementation | None = None

    @property
    def logger(self) -> logging.Logger:
        """The flow's logger (the OAuth2 base class logs through it)."""
        return _LOGGER

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConnectedVehicleConfigEntry,
    ) -> ConnectedVehicleOptionsFlow:
        """Polling intervals."""
        return ConnectedVehicleOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the back end."""
        return self.async_show_menu(
            step_id="user",
            menu_options=[
                BackendKind.VOLVO.value,
                BackendKind.STELLANTIS.value,
                BackendKind.OVMS.value,
            ],
        )

    async def async_step_volvo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Explain what Volvo needs; the server can be changed (for the simulator)."""
        if user_input is None:
            return self.async_show_form(step_id="volvo", data_schema=VOLVO_SCHEMA)
        server = user_input[_ADVANCED][CONF_SERVER_URL]
        self._data = {
            CONF_BACKEND: BackendKind.VOLVO.value,
            CONF_SERVER_URL: normalized_server_url(server),
        }
        return await self.async_step_pick_implementation()

    async def async_step_stellantis(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which brand's app the account belongs to; the server can be changed (simulator)."""
        if user_input is None:
            return self.async_show_form(step_id="stellantis", data_schema=STELLANTIS_SCHEMA)
        self._data = {
            CONF_BACKEND: BackendKind.STELLANTIS.value,
            CONF_BRAND: user_input[CONF_BRAND],
            CONF_SERVER_URL: normalized_server_url(user_input[_ADVANCED][CONF_SERVER_URL]),
        }
        return await self.async_step_pick_implementation()

    async def async_step_auth(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Send the user to the provider's sign-in page, with the credential bound to it.

        Stellantis brands first ask how: through Home Assistant's redirect (for
        a client id registered with it), or by pasting the app redirect the
        browser shows (for the brand app's own client id).
        """
        if user_input is None:
            if self._data[CONF_BACKEND] == BackendKind.STELLANTIS and not self._method_asked:
                return await self.async_step_stellantis_method()
            self.flow_impl = bind(self.hass, self.flow_impl, oauth_provider(self._data))
        return await super().async_step_auth(user_input)

    async def async_step_stellantis_method(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Home Assistant's redirect, or pasting the app redirect."""
        self._method_asked = True
        return self.async_show_menu(step_id="stellantis_method", menu_options=["auth", "paste"])

    async def async_step_paste(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the sign-in link; take back the address the browser ended on (or the code)."""
        if self._paste_impl is None:
            self._paste_impl = bind(
                self.hass, self.flow_impl, oauth_provider(self._data), app_redirect=True
            )
        implementation = self._paste_impl
        errors: dict[str, str] = {}
        if user_input is not None:
            if code := _authorization_code(user_input[CONF_REDIRECT_URL]):
                self.flow_impl = implementation
                self.external_data = {
                    "code": code,
                    "state": {"flow_id": self.flow_id, "redirect_uri": implementation.redirect_uri},
                }
                return await self.async_step_creation()
            errors["base"] = "no_code"
        url = await implementation.async_generate_authorize_url(self.flow_id)
        return self.async_show_form(
            step_id="paste",
            data_schema=PASTE_SCHEMA,
            errors=errors,
            description_placeholders={"url": url, "redirect": implementation.redirect_uri},
        )

    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Signed in: keep the token, then ask for the API key (or finish a reauth)."""
        self._data.update(data)
        self._data[CONF_ACCOUNT] = account_subject(data["token"])
        if self.source == SOURCE_REAUTH:
            entry = self._get_reauth_entry()
            if self._data[CONF_ACCOUNT] != entry.data.get(CONF_ACCOUNT):
                return self.async_abort(reason="wrong_account")
            return self.async_update_reload_and_abort(entry, data={**entry.data, **data})
        if self._data[CONF_BACKEND] == BackendKind.VOLVO:
            return await self.async_step_api_key()
        return await self._async_create_stellantis_entry()

    async def _async_create_stellantis_entry(self) -> ConfigFlowResult:
        """List the cars with the fresh token, then create the entry and its webhook id."""
        access = OAuthAccess(StaticTokens(self._data["token"]), self._client_id())
        errors, vehicles = await self._validate(self._data, access)
        if errors:
            return self.async_abort(reason=errors["base"])
        await self.async_set_unique_id(_oauth_unique_id(self._data, vehicles))
        self._abort_if_unique_id_configured()
        brand = stellantis_brand(self._data[CONF_BRAND])
        return self.async_create_entry(
            title=_account_title(brand.name, vehicles),
            data={**self._data, CONF_WEBHOOK_ID: webhook.async_generate_id()},
            description_placeholders={"count": str(len(vehicles))},
        )

    def _client_id(self) -> str:
        implementation = self.flow_impl
        return (
            implementation.client_id
            if isinstance(implementation, LocalOAuth2Implementation)
            else ""
        )

    async def async_step_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The VCC API key of the user's Volvo developer application."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**self._data, CONF_API_KEY: user_input[CONF_API_KEY].strip()}
            access = OAuthAccess(StaticTokens(data["token"]), self._client_id())
            errors, vehicles = await self._validate(data, access)
            if not errors:
                await self.async_set_unique_id(_oauth_unique_id(data, vehicles))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=_account_title("Volvo", vehicles),
                    data=data,
                    description_placeholders={"count": str(len(vehicles))},
                )
        return self.async_show_form(step_id="api_key", data_schema=API_KEY_SCHEMA, errors=errors)

    async def async_step_ovms(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Server, username and password (or API token) of an OVMS account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _ovms_data(user_input)
            errors, vehicles = await self._validate(data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"OVMS {data[CONF_USERNAME]}",
                    data=data,
                    description_placeholders={"count": str(len(vehicles))},
                )
        return self.async_show_form(
            step_id="ovms",
            data_schema=self.add_suggested_values_to_schema(OVMS_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The server refused the saved credentials (or the sign-in expired)."""
        self._data = dict(entry_data)
        if entry_data[CONF_BACKEND] != BackendKind.OVMS:
            return await self.async_step_reauth_oauth()
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_oauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm, then sign in again with the same account."""
        if user_input is None:
            return self.async_show_form(step_id="reauth_oauth")
        implementation = self._data["auth_implementation"]
        return await self.async_step_pick_implementation({"implementation": implementation})

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password (or a new API token) of the same account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            errors, _vehicles = await self._validate(data)
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
        if entry.data[CONF_BACKEND] == BackendKind.VOLVO:
            return await self.async_step_reconfigure_api_key()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _ovms_data({**entry.data, **user_input})
            await self.async_set_unique_id(account_unique_id(data))
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            errors, _vehicles = await self._validate(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        suggested = user_input or {**entry.data, CONF_PASSWORD: ""}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(OVMS_SCHEMA, suggested),
            errors=errors,
        )

    async def async_step_reconfigure_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Replace the Volvo API key, checked with the entry's own sign-in."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_API_KEY: user_input[CONF_API_KEY].strip()}
            access = await async_entry_access(self.hass, entry)
            errors, _vehicles = await self._validate(data, access)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reconfigure_api_key", data_schema=API_KEY_SCHEMA, errors=errors
        )

    async def _validate(
        self, data: Mapping[str, Any], access: OAuthAccess | None = None
    ) -> tuple[dict[str, str], list[Vehicle]]:
        """Sign in and list the cars: the form's errors and the cars."""
        session = create_session(self.hass, auto_cleanup=False)
        backend = create_backend(self.hass, session, data, access)
        auth_error = (
            "invalid_api_key" if data[CONF_BACKEND] == BackendKind.VOLVO else "invalid_auth"
        )
        try:
            vehicles = await backend.vehicles()
        except AuthenticationError:
            return {"base": auth_error}, []
        except RateLimitedError:
            return {"base": "rate_limited"}, []
        except BackendUnavailableError:
            return {"base": "cannot_connect"}, []
        except VehicleApiError as err:
            _LOGGER.warning("Unexpected answer while signing in: %s", err)
            return {"base": "unknown"}, []
        finally:
            await backend.logout()
            session.detach()
        if not vehicles:
            return {"base": "no_vehicles"}, []
        return {}, vehicles


def _ovms_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data for an OVMS account, with the server URL tidied."""
    return {
        CONF_BACKEND: BackendKind.OVMS.value,
        CONF_SERVER_URL: normalized_server_url(user_input[CONF_SERVER_URL]),
        CONF_USERNAME: user_input[CONF_USERNAME].strip(),
        CONF_PASSWORD: user_input[CONF_PASSWORD],
    }


def _oauth_unique_id(data: Mapping[str, Any], vehicles: list[Vehicle]) -> str:
    """One entry per signed-in account (the ID token's subject) on one server.

    A provider that gives no ID token is told apart by its cars instead.
    """
    account = data.get(CONF_ACCOUNT) or ",".join(sorted(v.id for v in vehicles))
    provider = data.get(CONF_BRAND, data[CONF_BACKEND])
    return f"{provider}:{account}@{data[CONF_SERVER_URL]}"


def _account_title(brand: str, vehicles: list[Vehicle]) -> str:
    """The entry's title: the car's name, or how many cars there are."""
    if len(vehicles) == 1:
        name = vehicles[0].name
        return name if name.startswith(brand) else f"{brand} {name}"
    return f"{brand} ({len(vehicles)} cars)"


def _authorization_code(pasted: str) -> str | None:
    """The code in a pasted redirect address (``...?code=...``), or the pasted code itself."""
    text = pasted.strip()
    if "code=" in text:
        query = URL(text.replace("#", "?", 1) if "?" not in text else text).query
        return query.get("code") or None
    return text if text and "://" not in text and " " not in text else None


_INTERVAL = NumberSelector(
    NumberSelectorConfig(
        min=MIN_INTERVAL,
        max=MAX_INTERVAL,
        step=10,
        unit_of_measurement="s",
        mode=NumberSelectorMode.BOX,
    )
)


_WAKE_UPS = NumberSelector(NumberSelectorConfig(min=0, max=10, step=1, mode=NumberSelectorMode.BOX))


class ConnectedVehicleOptionsFlow(OptionsFlowWithReload):
    """How often cars are polled while active and while parked."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Two intervals, in seconds."""
        if user_input is not None:
            return self.async_create_entry(data=_options(user_input))
        fields: dict[Any, Any] = {
            vol.Required(CONF_ACTIVE_INTERVAL, default=DEFAULT_ACTIVE_INTERVAL): _INTERVAL,
            vol.Required(CONF_PARKED_INTERVAL, default=DEFAULT_PARKED_INTERVAL): _INTERVAL,
        }
        backend = self.config_entry.data[CONF_BACKEND]
        if backend != BackendKind.OVMS:
            fields[vol.Optional(CONF_UNLOCK_PIN)] = _PASSWORD
        if backend == BackendKind.STELLANTIS:
            fields[vol.Required(CONF_ALLOW_WAKE_UP, default=False)] = BooleanSelector()
            fields[vol.Required(CONF_WAKE_UP_LIMIT, default=DEFAULT_WAKE_UP_LIMIT)] = _WAKE_UPS
        schema = vol.Schema(fields)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )


def _options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Intervals as whole seconds; an empty PIN means none."""
    options: dict[str, Any] = {
        CONF_ACTIVE_INTERVAL: int(user_input[CONF_ACTIVE_INTERVAL]),
        CONF_PARKED_INTERVAL: int(user_input[CONF_PARKED_INTERVAL]),
    }
    if pin := str(user_input.get(CONF_UNLOCK_PIN) or "").strip():
        options[CONF_UNLOCK_PIN] = pin
    if CONF_ALLOW_WAKE_UP in user_input:
        options[CONF_ALLOW_WAKE_UP] = bool(user_input[CONF_ALLOW_WAKE_UP])
        options[CONF_WAKE_UP_LIMIT] = int(user_input[CONF_WAKE_UP_LIMIT])
    return options
