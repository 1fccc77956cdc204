"""Volvo Cars: Volvo ID OAuth2, Connected Vehicle v2 (v1 answers too), Energy v2, Location v1."""

from .client import COMMAND_PATHS, GROUP_ENDPOINTS, VolvoClient
from .const import (
    AUTHORIZE_PATH,
    AUTHORIZE_URL,
    DEFAULT_API_URL,
    SCOPES,
    TOKEN_PATH,
    TOKEN_URL,
)
from .parse import (
    BULB_KEYS,
    CHARGER_CONNECTIONS,
    CHARGING_TYPES,
    TYRE_WARNINGS,
    parse_endpoint,
)
from .quota import ApiKeyQuota

__all__ = [
    "AUTHORIZE_PATH",
    "AUTHORIZE_URL",
    "BULB_KEYS",
    "CHARGER_CONNECTIONS",
    "CHARGING_TYPES",
    "COMMAND_PATHS",
    "DEFAULT_API_URL",
    "GROUP_ENDPOINTS",
    "SCOPES",
    "TOKEN_PATH",
    "TOKEN_URL",
    "TYRE_WARNINGS",
    "ApiKeyQuota",
    "VolvoClient",
    "parse_endpoint",
]
