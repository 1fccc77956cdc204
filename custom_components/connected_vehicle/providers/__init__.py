"""The back ends, one provider each, and the registry that finds an entry's provider."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from ..const import CONF_BACKEND
from .base import FormStep, OAuth2Provider, PasswordProvider, Provider
from .ovms import OvmsProvider
from .stellantis import StellantisProvider
from .volvo import VolvoProvider

# In the order the config flow offers them.
PROVIDERS: Final[Mapping[str, Provider]] = MappingProxyType(
    {p.kind: p for p in (VolvoProvider(), StellantisProvider(), OvmsProvider())}
)

__all__ = [
    "PROVIDERS",
    "FormStep",
    "OAuth2Provider",
    "PasswordProvider",
    "Provider",
    "form_steps",
    "provider_for",
]


def provider_for(data: Mapping[str, Any]) -> Provider:
    """The provider of an entry's (or a flow's) data."""
    return PROVIDERS[data[CONF_BACKEND]]


def form_steps() -> frozenset[str]:
    """The step ids of every form any provider adds to the config flow."""
    return frozenset(
        step.step_id
        for provider in PROVIDERS.values()
        for path in (provider.setup_path, provider.reauth_path, provider.reconfigure_path)
        for step in path
        if isinstance(step, FormStep)
    )
