"""Volvo ID scopes: what the provider grants and what each endpoint needs (besides openid)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_CONVE: Final = (
    "battery_charge_level", "brake_status", "climatization_start_stop", "command_accessibility",
    "commands", "diagnostics_engine_status", "diagnostics_workshop", "doors_status",
    "engine_status", "engine_start_stop", "fuel_status", "honk_flash", "lock", "lock_status",
    "navigation", "odometer_status", "trip_statistics", "tyre_status", "unlock", "vehicle_relation",
    "warnings", "windows_status",
)  # fmt: skip
SCOPES: Final = (
    "openid",
    *(f"conve:{name}" for name in _CONVE),
    "energy:state:read",
    "energy:capability:read",
    "location:read",
)

ENDPOINT_SCOPES: Final = MappingProxyType(
    {
        "vehicles": ("conve:vehicle_relation",),
        "doors": ("conve:doors_status", "conve:lock_status"),
        "windows": ("conve:windows_status",),
        "engine-status": ("conve:engine_status",),
        "engine": ("conve:diagnostics_engine_status",),
        "fuel": ("conve:fuel_status",),
        "odometer": ("conve:odometer_status",),
        "diagnostics": ("conve:diagnostics_workshop",),
        "brakes": ("conve:brake_status",),
        "tyres": ("conve:tyre_status",),
        "warnings": ("conve:warnings",),
        "statistics": ("conve:trip_statistics",),
        "commands": ("conve:commands",),
        "command-accessibility": ("conve:command_accessibility",),
        "energy-state": ("energy:state:read",),
        "energy-capabilities": ("energy:capability:read",),
        "location": ("location:read",),
    }
)
COMMAND_SCOPES: Final = MappingProxyType(
    {
        "LOCK": ("conve:lock",),
        "LOCK_REDUCED_GUARD": ("conve:lock",),
        "UNLOCK": ("conve:unlock",),
        "HONK": ("conve:honk_flash",),
        "FLASH": ("conve:honk_flash",),
        "HONK_AND_FLASH": ("conve:honk_flash",),
        "ENGINE_START": ("conve:engine_start_stop",),
        "ENGINE_STOP": ("conve:engine_start_stop",),
        "CLIMATIZATION_START": ("conve:climatization_start_stop",),
        "CLIMATIZATION_STOP": ("conve:climatization_start_stop",),
        "SEND_NAVI_POI": ("conve:navigation",),
    }
)
