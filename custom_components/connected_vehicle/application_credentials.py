"""Application credentials: client ids for Volvo ID and the Stellantis brands.

A stored credential is bound to an authorization server only when the config
flow (or setup) knows the entry's provider; see ``oauth.py``.
"""

from __future__ import annotations

from homeassistant.components.application_credentials import ClientCredential
from homeassistant.core import HomeAssistant

from .oauth import CredentialImplementation
from .providers import PROVIDERS


async def async_get_auth_implementation(
    hass: HomeAssistant, auth_domain: str, credential: ClientCredential
) -> CredentialImplementation:
    """The credential, to be bound to the provider the user picks."""
    return CredentialImplementation(hass, auth_domain, credential)


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:
    """Where each back end's client ids are made."""
    placeholders: dict[str, str] = {}
    for provider in PROVIDERS.values():
        placeholders |= provider.credential_placeholders()
    return placeholders
