"""Volvo Cars API hosts, Volvo ID endpoints and scopes."""

from __future__ import annotations

from typing import Final

DEFAULT_API_URL: Final = "https://api.volvocars.com"
VOLVO_ID_URL: Final = "https://volvoid.eu.volvocars.com"
AUTHORIZE_PATH: Final = "/as/authorization.oauth2"
TOKEN_PATH: Final = "/as/token.oauth2"  # noqa: S105 (a path, not a secret)
AUTHORIZE_URL: Final = VOLVO_ID_URL + AUTHORIZE_PATH
TOKEN_URL: Final = VOLVO_ID_URL + TOKEN_PATH

OPERATION_ID_HEADER: Final = "vcc-api-operationId"
API_KEY_HEADER: Final = "vcc-api-key"

CONNECTED_VEHICLE: Final = "/connected-vehicle/v2/vehicles"
ENERGY: Final = "/energy/v2/vehicles"
LOCATION: Final = "/location/v1/vehicles"

SCOPES: Final = (
    "openid",
    "conve:battery_charge_level",
    "conve:brake_status",
    "conve:climatization_start_stop",
    "conve:command_accessibility",
    "conve:commands",
    "conve:diagnostics_engine_status",
    "conve:diagnostics_workshop",
    "conve:doors_status",
    "conve:engine_start_stop",
    "conve:engine_status",
    "conve:fuel_status",
    "conve:honk_flash",
    "conve:lock",
    "conve:lock_status",
    "conve:navigation",
    "conve:odometer_status",
    "conve:trip_statistics",
    "conve:tyre_status",
    "conve:unlock",
    "conve:vehicle_relation",
    "conve:warnings",
    "conve:windows_status",
    "energy:state:read",
    "energy:capability:read",
    "location:read",
)
