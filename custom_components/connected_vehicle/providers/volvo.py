"""Volvo Cars: Volvo ID (OAuth2 with PKCE) and the VCC API key of a developer application."""

from __future__ import annotations

from typing import Any, ClassVar, Final

import aiohttp
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey
import probatio as vol

from ..api.backend import Backend
from ..api.volvo import (
    AUTHORIZE_PATH,
    AUTHORIZE_URL,
    DEFAULT_API_URL,
    SCOPES,
    TOKEN_PATH,
    TOKEN_URL,
    ApiKeyQuota,
    VolvoClient,
)
from ..const import CONF_BACKEND, CONF_SERVER_URL, DOMAIN
from ..oauth import OAuthProvider
from ..polling import WATCHED_TIERS
from .base import (
    PASSWORD_SELECTOR,
    SIGN_IN,
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

KIND: Final = "volvo"
# One quota per API key, shared by every account and car using the key.
_QUOTAS: HassKey[dict[str, ApiKeyQuota]] = HassKey(f"{DOMAIN}_volvo_quotas")
API_KEY_SCHEMA: Final = vol.Schema({vol.Required(CONF_API_KEY): PASSWORD_SELECTOR})


def _server(data: Data, answer: Data) -> dict[str, Any]:
    return {**data, CONF_BACKEND: KIND, CONF_SERVER_URL: server_from_section(answer)}


def _api_key(data: Data, answer: Data) -> dict[str, Any]:
    return {**data, CONF_API_KEY: answer[CONF_API_KEY].strip()}


class VolvoProvider(OAuth2Provider):
    """Connected Vehicle API v2 (v1 answers too), Energy API and Location API."""

    kind: ClassVar[str] = KIND
    setup_path: ClassVar[FlowPath] = (
        FormStep(step_id=KIND, schema=vol.Schema(server_section(DEFAULT_API_URL)), apply=_server),
        SIGN_IN,
        FormStep(step_id="api_key", schema=API_KEY_SCHEMA, apply=_api_key),
    )
    reconfigure_path: ClassVar[FlowPath] = (
        FormStep(step_id="reconfigure_api_key", schema=API_KEY_SCHEMA, apply=_api_key),
    )
    call_tiers = WATCHED_TIERS
    redacted: ClassVar[frozenset[str]] = frozenset({CONF_API_KEY})

    def brand(self, data: Data) -> tuple[str, str]:
        """Volvo."""
        return KIND, "Volvo"

    def oauth_provider(self, data: Data) -> OAuthProvider:
        """Volvo ID; on another server (the simulator) the same paths there."""
        server = normalized_server_url(data[CONF_SERVER_URL])
        if server == normalized_server_url(DEFAULT_API_URL):
            authorize_url, token_url = AUTHORIZE_URL, TOKEN_URL
        else:
            authorize_url, token_url = server + AUTHORIZE_PATH, server + TOKEN_PATH
        return OAuthProvider(KIND, "Volvo ID", authorize_url, token_url, SCOPES)

    def client(
        self,
        hass: HomeAssistant,
        session: aiohttp.ClientSession,
        data: Data,
        access: OAuthAccess | None,
        *,
        results_url: str | None = None,
    ) -> Backend:
        """A client counting against its API key's quota, which every user of the key shares."""
        if access is None:
            raise ValueError("a Volvo client needs its OAuth2 access")
        quota = hass.data.setdefault(_QUOTAS, {}).setdefault(data[CONF_API_KEY], ApiKeyQuota())
        server = normalized_server_url(data[CONF_SERVER_URL])
        return VolvoClient(session, access.tokens, data[CONF_API_KEY], base_url=server, quota=quota)

    def option_fields(self) -> dict[vol.Marker, Any]:
        """The unlock PIN."""
        return unlock_pin_field()

    def clean_options(self, user_input: Data) -> dict[str, Any]:
        """The unlock PIN, if one was typed."""
        return unlock_pin_option(user_input)

    def credential_placeholders(self) -> dict[str, str]:
        """Where a Volvo developer application is made."""
        return {"volvo_url": "https://developer.volvocars.com/apis/docs/getting-started/"}
