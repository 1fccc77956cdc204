"""Constants of the Connected Vehicle integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "connected_vehicle"

CONF_BACKEND: Final = "backend"
CONF_SERVER_URL: Final = "server_url"
CONF_APP_PORT: Final = "app_port"
CONF_ACCOUNT: Final = "account"
CONF_UNLOCK_PIN: Final = "unlock_pin"
# connected_vehicle.unlock: how long (s) the car stays ready to open.
ATTR_UNLOCK_DURATION: Final = "duration"
CONF_BRAND: Final = "brand"
CONF_ALLOW_WAKE_UP: Final = "allow_wake_up"
CONF_WAKE_UP_LIMIT: Final = "wake_up_limit"
DEFAULT_WAKE_UP_LIMIT: Final = 2
CONF_ACTIVE_INTERVAL: Final = "active_interval"
CONF_PARKED_INTERVAL: Final = "parked_interval"

DEFAULT_ACTIVE_INTERVAL: Final = 60
DEFAULT_PARKED_INTERVAL: Final = 600
MIN_INTERVAL: Final = 30
MAX_INTERVAL: Final = 3600
