"""What the Volvo cloud knows about each car beyond its physics: model, endpoints, commands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

ApiShape = Literal["v2", "v1"]

# The GET endpoints under /connected-vehicle/v2/vehicles/{vin}/ and what they need.
STATUS_ENDPOINTS: Final = (
    "doors", "windows", "engine-status", "engine", "fuel", "odometer", "diagnostics",
    "brakes", "tyres", "warnings", "statistics", "commands", "command-accessibility",
)  # fmt: skip
# Volvo command name -> path segment under .../commands/.
COMMAND_PATHS: Final = MappingProxyType(
    {
        "LOCK": "lock",
        "LOCK_REDUCED_GUARD": "lock-reduced-guard",
        "UNLOCK": "unlock",
        "HONK": "honk",
        "FLASH": "flash",
        "HONK_AND_FLASH": "honk-flash",
        "ENGINE_START": "engine-start",
        "ENGINE_STOP": "engine-stop",
        "CLIMATIZATION_START": "climatization-start",
        "CLIMATIZATION_STOP": "climatization-stop",
        # v2 documents no path for it; this is the v1 portal's navigation endpoint.
        "SEND_NAVI_POI": "navi-point-of-interest",
    }
)
ENERGY_FIELDS: Final = (
    "batteryChargeLevel", "electricRange", "chargerConnectionStatus", "chargingStatus",
    "chargingType", "chargerPowerStatus", "estimatedChargingTimeToTargetBatteryChargeLevel",
    "chargingCurrentLimit", "targetBatteryChargeLevel", "chargingPower",
)  # fmt: skip
ALL_COMMANDS: Final = tuple(COMMAND_PATHS)


@dataclass(frozen=True)
class VolvoProfile:
    """One car as the Volvo cloud describes it.

    ``endpoints`` are the status endpoints the car answers (others: 404);
    ``energy`` the Energy API v2 fields it supports (empty: not supported),
    ``reported_unsupported`` others its state answers all the same;
    ``shape`` "v1" answers in the deprecated v1 spellings and runs commands
    asynchronously (``async.href``). ``fields`` presets individual status
    values (e.g. a washer fluid warning).
    """

    vin: str
    model: str
    model_year: int
    fuel_type: str
    colour: str | None = None
    pictured: bool = True  # False: empty image URLs, as the real API sends for some cars
    gearbox: str = "AUTOMATIC"
    upholstery: str = "null"
    steering: str = "LEFT"
    shape: ApiShape = "v2"
    endpoints: frozenset[str] = frozenset(STATUS_ENDPOINTS)
    commands: tuple[str, ...] = ALL_COMMANDS
    energy: frozenset[str] = frozenset()
    # Fields the state still reports though the capabilities deny them (as an EX30 does).
    reported_unsupported: frozenset[str] = frozenset()
    # Older capability payloads call chargingStatus chargingSystemStatus.
    legacy_capability_names: bool = False
    sunroof: bool = False
    sleep_status: str = "VEHICLE_IN_SLEEP"
    classic: bool = True  # "classic" cars report hazard and reverse light warnings
    time_to_service_unit: Literal["months", "days"] = "months"
    service_due: date = date(2027, 6, 1)
    service_at_km: float = 60000.0
    engine_hours_to_service: int = 1266
    average_speed_kmh: int = 53
    trip_manual_base_km: float = 0.0
    charge_current_limit: int = 32
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def battery(self) -> bool:
        """Tell whether the car has a traction battery (by its fuel type)."""
        return self.fuel_type in ("ELECTRIC", "NONE") or self.fuel_type.endswith("/ELECTRIC")

    @property
    def tank(self) -> bool:
        """Tell whether the car has a fuel tank."""
        return self.fuel_type not in ("ELECTRIC", "NONE")
