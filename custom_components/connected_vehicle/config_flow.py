"""Config flow: pick a back end, sign in, see the cars; reauth, reconfigure, options.

Each back end's provider declares its way through the flow (``FlowPath``):
its forms, and where the OAuth2 sign-in comes. The flow walks that path,
the same for every back end: a form takes its answer into the entry data,
the sign-in goes through Home Assistant's OAuth2 machinery, and at the end
the account is checked (signed in, its cars listed) before the entry is
created or changed. As in Home Assistant's schema-based flows, a method
``async_step_<id>`` is made for every form a provider declares.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from enum import StrEnum
import logging
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import UnknownStep
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2FlowHandler,
    LocalOAuth2Implementation,
)
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import probatio as vol
from yarl import URL

from .api.errors import VehicleApiError
from .api.models import Vehicle
from .const import (
    CONF_ACCOUNT,
    CONF_ACTIVE_INTERVAL,
    CONF_PARKED_INTERVAL,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
    DOMAIN,
    MAX_INTERVAL,
    MIN_INTERVAL,
)
from .coordinator import ConnectedVehicleConfigEntry
from .errors import classify
from .oauth import StaticTokens, account_subject, bind
from .providers import PROVIDERS, FormStep, OAuth2Provider, Provider, form_steps, provider_for
from .providers.base import FlowPath, OAuthAccess, create_session
from .registry import async_rekey, known_cars

_LOGGER = logging.getLogger(__name__)

CONF_REDIRECT_URL = "redirect_url"
PASTE_SCHEMA = vol.Schema({vol.Required(CONF_REDIRECT_URL): str})


class SignInWay(StrEnum):
    """How the OAuth2 sign-in comes back to the flow."""

    # Home Assistant's redirect (a client id registered with it).
    REDIRECT = "redirect_sign_in"
    # The consumer app's own redirect, which the user pastes (the app's client id).
    PASTE = "paste_redirect"


class ConnectedVehicleConfigFlow(AbstractOAuth2FlowHandler, domain=DOMAIN):
    """One entry per account: every car of the account becomes a device."""

    DOMAIN = DOMAIN
    VERSION = 1

    def __init__(self) -> None:
        """Nothing chosen yet."""
        super().__init__()
        self._provider: Provider | None = None
        self._path: FlowPath = ()
        self._data: dict[str, Any] = {}
        self._way: SignInWay | None = None
        # Each form's last answer (a warning is confirmed by submitting the same again).
        self._answers: dict[str, Mapping[str, Any]] = {}
        # The access this flow's own sign-in gave (None before, or without one).
        self._access: OAuthAccess | None = None

    @property
    def logger(self) -> logging.Logger:
        """The flow's logger (the OAuth2 base class logs through it)."""
        return _LOGGER

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConnectedVehicleConfigEntry,
    ) -> ConnectedVehicleOptionsFlow:
        """Polling intervals and the back end's own options."""
        return ConnectedVehicleOptionsFlow()

    # The three ways in

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the back end: each menu option is its provider's first form."""
        return self.async_show_menu(step_id="user", menu_options=list(PROVIDERS))

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The back end refused the saved credentials (or the sign-in expired)."""
        provider = provider_for(entry_data)
        return await self._async_begin(provider, provider.reauth_path, dict(entry_data))

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the settings of the same account."""
        data = dict(self._get_reconfigure_entry().data)
        provider = provider_for(data)
        return await self._async_begin(provider, provider.reconfigure_path, data)

    # Walking the provider's path

    async def _async_begin(
        self, provider: Provider, path: FlowPath, data: dict[str, Any]
    ) -> ConfigFlowResult:
        self._provider, self._path, self._data = provider, path, data
        return await self._async_next()

    async def _async_next(self) -> ConfigFlowResult:
        """The next form, the sign-in, or the end of the path."""
        if not self._path:
            return await self._async_finish()
        step = self._path[0]
        if isinstance(step, FormStep):
            return self._show(step, {})
        self._path = self._path[1:]  # the sign-in
        return await self._async_sign_in()

    async def async_provider_form(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """A provider's form: shown, or answered (the last one checks the account)."""
        if self._provider is None:  # chosen from the menu: the start of a new entry
            provider = PROVIDERS[step_id]
            return await self._async_begin(provider, provider.setup_path, {})
        step = self._path[0]
        if not isinstance(step, FormStep) or step.step_id != step_id:
            raise UnknownStep(f"{step_id} is not the form this flow shows")
        if user_input is None:
            return self._show(step, {})
        previous, self._answers[step_id] = self._answers.get(step_id), user_input
        if step.check is not None and (problems := step.check(user_input, previous)):
            return self._show(step, problems, user_input)
        data = step.apply(self._data, user_input)
        if len(self._path) > 1:
            self._data, self._path = data, self._path[1:]
            return await self._async_next()
        errors, vehicles = await self._check(data)
        if errors:
            return self._show(step, errors, user_input)
        self._data, self._path = data, ()
        return await self._async_finish(vehicles)

    def _show(
        self, step: FormStep, errors: dict[str, str], answer: Mapping[str, Any] | None = None
    ) -> ConfigFlowResult:
        suggested = answer if answer is not None else step.suggested(self._data)
        return self.async_show_form(
            step_id=step.step_id,
            data_schema=self.add_suggested_values_to_schema(step.schema, suggested),
            errors=errors,
            description_placeholders=step.placeholders(self._data),
        )

    async def _async_finish(self, vehicles: list[Vehicle] | None = None) -> ConfigFlowResult:
        """Check the account (unless the last form did), then create or change the entry."""
        provider = self._active_provider()
        changing = self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE)
        if changing and not self._may_be_same_account():
            return self.async_abort(reason="wrong_account")
        if vehicles is None:
            errors, vehicles = await self._check(self._data)
            if errors:
                return self.async_abort(reason=errors["base"])
        if changing:
            entry = self._changed_entry()
            cars = frozenset(v.id for v in vehicles)
            if not provider.same_account(
                entry.data, self._data, known_cars(self.hass, entry), cars
            ):
                return self.async_abort(reason="wrong_account")
            unique_id = provider.unique_id(self._data, vehicles)
            if unique_id != entry.unique_id:
                await self.async_set_unique_id(unique_id)
                self._abort_if_unique_id_configured()
                async_rekey(self.hass, entry, unique_id)
            return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=self._data)
        await self.async_set_unique_id(provider.unique_id(self._data, vehicles))
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=provider.title(self._data, vehicles),
            data={**self._data, **provider.new_entry_data()},
            description_placeholders={"count": str(len(vehicles))},
        )

    def _may_be_same_account(self) -> bool:
        """False when the back end already names another account than the entry's."""
        provider = self._active_provider()
        new, old = provider.account(self._data), provider.account(self._changed_entry().data)
        return new is None or old is None or new == old

    async def _check(self, data: Mapping[str, Any]) -> tuple[dict[str, str], list[Vehicle]]:
        """Sign in and list the cars: the form's errors, and the cars."""
        provider = self._active_provider()
        access = self._access
        if access is None and isinstance(provider, OAuth2Provider):
            access = await provider.async_access(self.hass, self._changed_entry())
        session = create_session(self.hass, auto_cleanup=False)
        backend = provider.client(self.hass, session, data, access)
        try:
            vehicles = await backend.vehicles()
        except VehicleApiError as err:
            failure = classify(err)
            if failure.form_error == "unknown":
                _LOGGER.warning("Unexpected answer while signing in: %s", err)
            return {"base": failure.form_error}, []
        finally:
            await backend.logout()
            session.detach()
        if not vehicles:
            return {"base": "no_vehicles"}, []
        return {}, vehicles

    def _active_provider(self) -> Provider:
        if self._provider is None:
            raise RuntimeError("no back end chosen")
        return self._provider

    def _changed_entry(self) -> ConfigEntry:
        """The entry a reauth or reconfigure flow changes."""
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry()
        return self._get_reconfigure_entry()

    # The OAuth2 sign-in

    async def _async_sign_in(self) -> ConfigFlowResult:
        """Home Assistant's OAuth2 steps, with the entry's credential on reauth."""
        if self.source == SOURCE_REAUTH:
            implementation = self._data["auth_implementation"]
            return await self.async_step_pick_implementation({"implementation": implementation})
        return await self.async_step_pick_implementation()

    def _oauth_provider(self) -> OAuth2Provider:
        provider = self._active_provider()
        if not isinstance(provider, OAuth2Provider):
            raise TypeError(f"{provider.kind} does not sign in with OAuth2")
        return provider

    async def async_step_auth(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Send the user to the provider's sign-in page, with the credential bound to it.

        Where the provider's consumer app has a redirect of its own, the user
        first chooses between Home Assistant's redirect and pasting the app's.
        """
        if user_input is None:
            provider = self._oauth_provider().oauth_provider(self._data)
            if self._way is None and provider.app_redirect_uri is not None:
                return await self.async_step_sign_in_method()
            self.flow_impl = bind(self.hass, self.flow_impl, provider)
        return await super().async_step_auth(user_input)

    async def async_step_sign_in_method(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Home Assistant's redirect, or pasting the app's."""
        return self.async_show_menu(step_id="sign_in_method", menu_options=list(SignInWay))

    async def async_step_redirect_sign_in(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in and come back through Home Assistant's redirect."""
        self._way = SignInWay.REDIRECT
        return await self.async_step_auth()

    async def async_step_paste_redirect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the sign-in link; take back the address the browser ended on (or the code)."""
        if self._way is not SignInWay.PASTE:
            self._way = SignInWay.PASTE
            provider = self._oauth_provider().oauth_provider(self._data)
            self.flow_impl = bind(self.hass, self.flow_impl, provider, app_redirect=True)
        implementation = self.flow_impl
        if not isinstance(implementation, LocalOAuth2Implementation):
            raise TypeError("pasting needs a credential of Home Assistant's own")
        url = await implementation.async_generate_authorize_url(self.flow_id)
        errors: dict[str, str] = {}
        if user_input is not None:
            code, state = _pasted_code(user_input[CONF_REDIRECT_URL])
            if code is None:
                errors["base"] = "no_code"
            elif state is not None and state != URL(url).query.get("state"):
                errors["base"] = "wrong_state"
            else:
                self.external_data = {
                    "code": code,
                    "state": {"flow_id": self.flow_id, "redirect_uri": implementation.redirect_uri},
                }
                return await self.async_step_creation()
        return self.async_show_form(
            step_id="paste_redirect",
            data_schema=PASTE_SCHEMA,
            errors=errors,
            description_placeholders={"url": url, "redirect": implementation.redirect_uri},
        )

    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Signed in: keep the token and go on along the path."""
        self._data.update(data)
        self._data[CONF_ACCOUNT] = account_subject(data["token"])
        implementation = self.flow_impl
        client_id = (
            implementation.client_id
            if isinstance(implementation, LocalOAuth2Implementation)
            else ""
        )
        self._access = OAuthAccess(StaticTokens(data["token"]), client_id)
        return await self._async_next()


def _provider_form(
    step_id: str,
) -> Callable[
    [ConnectedVehicleConfigFlow, dict[str, Any] | None], Coroutine[Any, Any, ConfigFlowResult]
]:
    async def step(
        flow: ConnectedVehicleConfigFlow, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await flow.async_provider_form(step_id, user_input)

    step.__doc__ = f"The {step_id} form of a back end."
    return step


for _step_id in form_steps():
    if hasattr(ConnectedVehicleConfigFlow, f"async_step_{_step_id}"):
        raise RuntimeError(f"a provider's form {_step_id!r} hides a step of the flow")
    setattr(ConnectedVehicleConfigFlow, f"async_step_{_step_id}", _provider_form(_step_id))


def _pasted_code(pasted: str) -> tuple[str | None, str | None]:
    """The code and state in a pasted redirect address (``...?code=...``), or a bare code."""
    text = pasted.strip()
    if "code=" in text:
        query = URL(text.replace("#", "?", 1) if "?" not in text else text).query
        return query.get("code") or None, query.get("state")
    bare = text if text and "://" not in text and " " not in text else None
    return bare, None


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
    """How often cars are polled while active and while parked, and the back end's options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Two intervals in seconds, then what the back end adds."""
        provider = provider_for(self.config_entry.data)
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_ACTIVE_INTERVAL: int(user_input[CONF_ACTIVE_INTERVAL]),
                    CONF_PARKED_INTERVAL: int(user_input[CONF_PARKED_INTERVAL]),
                    **provider.clean_options(user_input),
                }
            )
        schema = vol.Schema(
            {
                vol.Required(CONF_ACTIVE_INTERVAL, default=DEFAULT_ACTIVE_INTERVAL): _INTERVAL,
                vol.Required(CONF_PARKED_INTERVAL, default=DEFAULT_PARKED_INTERVAL): _INTERVAL,
                **provider.option_fields(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )
