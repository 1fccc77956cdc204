"""OAuth2 for Volvo ID and the Stellantis brands: one domain, several authorization servers.

Home Assistant's application credentials give one implementation per stored
credential (client id and secret), and a credential does not say which
provider it belongs to. So the credential platform hands out a
``CredentialImplementation`` that only carries the client, and the flow and
the setup combine it with the entry's provider into a
``ProviderImplementation`` at that provider's URLs (PKCE, scopes). The entry's
``auth_implementation`` stays the credential's id, so Home Assistant's own
bookkeeping (which entry uses which credential) keeps working, and token
refresh stays with Home Assistant's ``OAuth2Session``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
import json
import logging
from typing import Any, Final, override

from aiohttp import ClientError
from homeassistant.components.application_credentials import ClientCredential
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    OAuth2TokenRequestBaseError,
    OAuth2TokenRequestConnectionError,
    OAuth2TokenRequestReauthError,
    OAuth2TokenRequestTransientError,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2Implementation,
    LocalOAuth2Implementation,
    LocalOAuth2ImplementationWithPkce,
    OAuth2Session,
)

from .api.coerce import as_float
from .api.errors import AuthenticationError, BackendUnavailableError
from .api.http import Response

_LOGGER = logging.getLogger(__name__)

# OAuth2 token errors (RFC 6749, 5.2) that refuse the grant or the client: sign in again.
_REFUSALS: Final = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})
_LONGEST_LIFETIME: Final = 365 * 86400.0  # seconds; a longer expires_in is not believed


@dataclass(frozen=True, slots=True)
class OAuthProvider:
    """One authorization server and what to ask it for."""

    key: str
    name: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    # The redirect a consumer app's client id is bound to, for the paste-the-URL step.
    app_redirect_uri: str | None = None
    extra_authorize_data: Mapping[str, str] = field(default_factory=dict)


class CredentialImplementation(LocalOAuth2Implementation):
    """A stored client id and secret, not yet bound to an authorization server."""

    def __init__(self, hass: HomeAssistant, auth_domain: str, credential: ClientCredential) -> None:
        """Keep the credential; the URLs come from the provider later."""
        super().__init__(hass, auth_domain, credential.client_id, credential.client_secret, "", "")
        self._name = credential.name or credential.client_id

    @property
    @override
    def name(self) -> str:
        """The credential's name, as the user typed it."""
        return self._name


class ProviderImplementation(LocalOAuth2ImplementationWithPkce):
    """A credential at one provider's authorization server, with PKCE and scopes."""

    def __init__(
        self,
        hass: HomeAssistant,
        credential: LocalOAuth2Implementation,
        provider: OAuthProvider,
        *,
        app_redirect: bool = False,
    ) -> None:
        """Bind ``credential`` to ``provider``; ``app_redirect`` uses the app's redirect URI."""
        super().__init__(
            hass,
            credential.domain,
            credential.client_id,
            provider.authorize_url,
            provider.token_url,
            credential.client_secret,
        )
        self.provider = provider
        self._name = credential.name
        self._app_redirect = app_redirect and provider.app_redirect_uri is not None

    @property
    @override
    def name(self) -> str:
        """The credential's name, as the user typed it."""
        return self._name

    @property
    @override
    def redirect_uri(self) -> str:
        """Home Assistant's callback, or the consumer app's own redirect."""
        if self._app_redirect and self.provider.app_redirect_uri is not None:
            return self.provider.app_redirect_uri
        return super().redirect_uri

    @property
    @override
    def extra_authorize_data(self) -> dict[str, Any]:
        """PKCE, the provider's scopes and its extra parameters."""
        return {
            **super().extra_authorize_data,
            "scope": " ".join(self.provider.scopes),
            **self.provider.extra_authorize_data,
        }

    @override
    async def _token_request(self, data: dict[str, Any]) -> dict[str, Any]:
        """Ask the token endpoint; a refusal only when it refuses the grant or the client.

        Home Assistant's own request takes any 4xx for a refusal (a firewall's
        403 or a maintenance page's 404 would start reauth) and lets a 200 that
        is not JSON escape as JSONDecodeError. Here only a 400 or 401 naming
        invalid_grant, invalid_client or unauthorized_client is refused
        (OAuth2TokenRequestReauthError); any other failure is passing
        (OAuth2TokenRequestTransientError, or OAuth2TokenRequestConnectionError
        when no usable token came back: no access token, no finite lifetime).
        """
        form = {**data, "client_id": self.client_id}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        try:
            async with async_get_clientsession(self.hass).post(self.token_url, data=form) as resp:
                text = await resp.text(errors="replace")
        except ClientError as err:
            raise OAuth2TokenRequestConnectionError(domain=self.service_domain) from err
        body = Response(resp.status, resp.headers, text, "", "token").json_object()
        code = body.get("error") if isinstance(body.get("error"), str) else None
        if resp.status >= 400:
            _LOGGER.debug("Token request for %s answered %s (%s)", self.domain, resp.status, code)
            refused = resp.status in (400, 401) and code in _REFUSALS
            failure = OAuth2TokenRequestReauthError if refused else OAuth2TokenRequestTransientError
            raise failure(
                request_info=resp.request_info,
                history=resp.history,
                status=resp.status,
                message=code or resp.reason or "token request failed",
                headers=resp.headers,
                domain=self.service_domain,
            )
        lifetime = as_float(body.get("expires_in"), field="expires_in")
        if not isinstance(body.get("access_token"), str) or lifetime is None or lifetime <= 0:
            _LOGGER.debug(
                "Token request for %s answered %s without a usable token", self.domain, resp.status
            )
            raise OAuth2TokenRequestConnectionError(domain=self.service_domain)
        return {**body, "expires_in": min(lifetime, _LONGEST_LIFETIME)}


def bind(
    hass: HomeAssistant,
    implementation: AbstractOAuth2Implementation,
    provider: OAuthProvider,
    *,
    app_redirect: bool = False,
) -> ProviderImplementation:
    """The implementation for ``provider`` using the credential behind ``implementation``."""
    if not isinstance(implementation, LocalOAuth2Implementation):
        raise TypeError(f"cannot bind {type(implementation).__name__} to a provider")
    return ProviderImplementation(hass, implementation, provider, app_redirect=app_redirect)


def account_subject(token: Mapping[str, Any]) -> str | None:
    """The account id (``sub``) in the token's OpenID Connect ID token, if it has one.

    Only read to tell accounts apart (unique id, reauth of the same account);
    the token came straight from the provider over TLS, so it is not verified.
    """
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or id_token.count(".") < 2:
        return None
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) and subject else None


class SessionTokens:
    """The clients' TokenProvider over Home Assistant's OAuth2Session.

    A refused refresh (invalid_grant) is an AuthenticationError, which leads
    to reauth; any other refresh failure is a passing BackendUnavailableError.
    """

    def __init__(self, session: OAuth2Session) -> None:
        """Use the entry's session."""
        self._session = session
        self._refresh_lock = asyncio.Lock()

    async def access_token(self) -> str:
        """A valid access token, refreshed first when it has (nearly) expired."""
        try:
            await self._session.async_ensure_token_valid()
        except OAuth2TokenRequestReauthError as err:
            raise AuthenticationError("the sign-in was revoked or has expired") from err
        except (OAuth2TokenRequestBaseError, ClientError) as err:
            raise BackendUnavailableError("the token refresh failed") from err
        return str(self._session.token["access_token"])

    async def refreshed_token(self, refused: str) -> str:
        """A new access token, the API having refused ``refused`` before its expiry.

        The stored token is marked expired, so that Home Assistant's session
        refreshes it (with its own lock, storage and reauth on a refused
        grant); callers refused the same token at once share one refresh.
        """
        async with self._refresh_lock:
            if self._session.token.get("access_token") == refused:
                entry = self._session.config_entry
                token = {**self._session.token, "expires_at": 0}
                self._session.hass.config_entries.async_update_entry(
                    entry, data={**entry.data, "token": token}
                )
            return await self.access_token()


class StaticTokens:
    """A TokenProvider for one fresh token (validation during the config flow)."""

    def __init__(self, token: Mapping[str, Any]) -> None:
        """Use ``token`` as it is."""
        self._access_token = str(token["access_token"])

    async def access_token(self) -> str:
        """The token's access token."""
        return self._access_token

    async def refreshed_token(self, refused: str) -> str:
        """No refresh here: a fresh sign-in whose token is refused is refused."""
        raise AuthenticationError("the new sign-in's access token was refused")
