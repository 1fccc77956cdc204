"""Stellantis brands (Peugeot, Citroën, DS, Opel, Vauxhall): OAuth2 per brand, results webhook."""

from __future__ import annotations

from typing import Any, ClassVar, Final

import aiohttp
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
)
import probatio as vol
from yarl import URL

from ..api.backend import Backend
from ..api.stellantis import BRANDS, DEFAULT_API_URL, StellantisClient, brand
from ..const import (
    CONF_ALLOW_WAKE_UP,
    CONF_BACKEND,
    CONF_BRAND,
    CONF_SERVER_URL,
    CONF_WAKE_UP_LIMIT,
    DEFAULT_WAKE_UP_LIMIT,
)
from ..oauth import OAuthProvider
from ..polling import PER_CALL_TIERS
from .base import (
    SIGN_IN,
    URL_SELECTOR,
    Data,
    FlowPath,
    FormStep,
    OAuth2Provider,
    OAuthAccess,
    normalized_server_url,
    server_from_section,
    server_section,
    unlock_pin_field,
    unlock_pin_option,
)

KIND: Final = "stellantis"
_DEFAULT_SERVER: Final = normalized_server_url(DEFAULT_API_URL)
_WAKE_UPS: Final = NumberSelector(
    NumberSelectorConfig(min=0, max=10, step=1, mode=NumberSelectorMode.BOX)
)
BRAND_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_BRAND): SelectSelector(
            SelectSelectorConfig(options=list(BRANDS), translation_key=CONF_BRAND)
        ),
        **server_section(_DEFAULT_SERVER),
    }
)
SERVER_SCHEMA: Final = vol.Schema({vol.Required(CONF_SERVER_URL): URL_SELECTOR})


def _brand(data: Data, answer: Data) -> dict[str, Any]:
    return {
        **data,
        CONF_BACKEND: KIND,
        CONF_BRAND: answer[CONF_BRAND],
        CONF_SERVER_URL: server_from_section(answer),
    }


def _server(data: Data, answer: Data) -> dict[str, Any]:
    return {**data, CONF_SERVER_URL: normalized_server_url(answer[CONF_SERVER_URL])}


def _current_server(data: Data) -> dict[str, Any]:
    return {CONF_SERVER_URL: data[CONF_SERVER_URL]}


def _brand_name(data: Data) -> dict[str, str]:
    return {CONF_BRAND: brand(data[CONF_BRAND]).name}


class StellantisProvider(OAuth2Provider):
    """The connected-car API v4; command results pushed to the entry's webhook."""

    kind: ClassVar[str] = KIND
    setup_path: ClassVar[FlowPath] = (
        FormStep(step_id=KIND, schema=BRAND_SCHEMA, apply=_brand),
        SIGN_IN,
    )
    reconfigure_path: ClassVar[FlowPath] = (
        FormStep(
            step_id="reconfigure_sign_in",
            schema=SERVER_SCHEMA,
            apply=_server,
            suggested=_current_server,
            placeholders=_brand_name,
        ),
        SIGN_IN,
    )
    call_tiers = PER_CALL_TIERS
    redacted: ClassVar[frozenset[str]] = frozenset({CONF_WEBHOOK_ID})
    limits_wake_ups: ClassVar[bool] = True

    def brand(self, data: Data) -> tuple[str, str]:
        """The brand the account belongs to."""
        found = brand(data[CONF_BRAND])
        return found.code, found.name

    def oauth_provider(self, data: Data) -> OAuthProvider:
        """The brand's IdP; on another server (the simulator) the brand's IdP there."""
        server = normalized_server_url(data[CONF_SERVER_URL])
        other = None if server == _DEFAULT_SERVER else server
        found = brand(data[CONF_BRAND])
        return OAuthProvider(
            found.code,
            found.name,
            found.authorize_url(other),
            found.token_url(other),
            found.scopes,
            app_redirect_uri=found.app_redirect_uri,
        )

    def client(
        self,
        hass: HomeAssistant,
        session: aiohttp.ClientSession,
        data: Data,
        access: OAuthAccess | None,
        *,
        results_url: str | None = None,
    ) -> Backend:
        """A client that hears command results at ``results_url``, or else reads them back."""
        if access is None:
            raise ValueError("a Stellantis client needs its OAuth2 access")
        server = normalized_server_url(data[CONF_SERVER_URL])
        return StellantisClient(
            session,
            access.tokens,
            brand(data[CONF_BRAND]),
            access.client_id,
            base_url=server + URL(DEFAULT_API_URL).path,
            callback_url=results_url,
        )

    def new_entry_data(self) -> dict[str, Any]:
        """The id of the webhook the cloud posts command results to."""
        return {CONF_WEBHOOK_ID: webhook.async_generate_id()}

    def option_fields(self) -> dict[vol.Marker, Any]:
        """The unlock PIN, and whether and how often a parked car may be woken."""
        return {
            **unlock_pin_field(),
            vol.Required(CONF_ALLOW_WAKE_UP, default=False): BooleanSelector(),
            vol.Required(CONF_WAKE_UP_LIMIT, default=DEFAULT_WAKE_UP_LIMIT): _WAKE_UPS,
        }

    def clean_options(self, user_input: Data) -> dict[str, Any]:
        """The PIN, and wake-ups as a flag and a whole number."""
        return {
            **unlock_pin_option(user_input),
            CONF_ALLOW_WAKE_UP: bool(user_input.get(CONF_ALLOW_WAKE_UP, False)),
            CONF_WAKE_UP_LIMIT: int(user_input.get(CONF_WAKE_UP_LIMIT, DEFAULT_WAKE_UP_LIMIT)),
        }
