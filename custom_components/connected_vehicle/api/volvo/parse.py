"""Parse Volvo status, energy and location answers into brand-neutral readings.

Every endpoint has a table of readings: the brand-neutral key, the Volvo
field names (v2 spelling first, then the deprecated v1 one) and how to read
the value. Missing, unspecified, unknown and mistyped fields are left out
(with a debug log); only a body of the wrong JSON type raises ProtocolError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
import math
import re
from typing import Any, Final

from .. import readings as keys
from ..coerce import as_float, as_position, as_utc
from ..models import Location, Reading, VehicleState
from .values import (
    Field,
    enum,
    find,
    is_locked,
    is_open,
    is_running,
    needs_attention,
    number,
    reading,
    unwrap,
)

_LOGGER = logging.getLogger(__name__)

type Reader = Callable[[Field], Reading | None]
type Table = tuple[tuple[str, tuple[str, ...], Reader], ...]

TYRE_WARNINGS: Final = ("ok", "warning", "alert")
CHARGER_CONNECTIONS: Final = ("connected", "disconnected", "fault")
CHARGING_TYPES: Final = ("ac", "dc", "none")

_BULB_FIELDS: Final = (
    "brakeLightCenterWarning", "brakeLightLeftWarning", "brakeLightRightWarning",
    "fogLightFrontWarning", "fogLightRearWarning", "positionLightFrontLeftWarning",
    "positionLightFrontRightWarning", "positionLightRearLeftWarning",
    "positionLightRearRightWarning", "highBeamLeftWarning", "highBeamRightWarning",
    "lowBeamLeftWarning", "lowBeamRightWarning", "daytimeRunningLightLeftWarning",
    "daytimeRunningLightRightWarning", "turnIndicationFrontLeftWarning",
    "turnIndicationFrontRightWarning", "turnIndicationRearLeftWarning",
    "turnIndicationRearRightWarning", "registrationPlateLightWarning",
    "sideMarkLightsWarning", "hazardLightsWarning", "reverseLightsWarning",
)  # fmt: skip


def _bulb_key(field: str) -> str:
    """``brakeLightLeftWarning`` -> ``bulb_brake_light_left``."""
    return "bulb_" + re.sub(r"(?<!^)(?=[A-Z])", "_", field.removesuffix("Warning")).lower()


BULB_KEYS: Final = tuple(_bulb_key(field) for field in _BULB_FIELDS)

_TYRES: Final = {
    "NO_WARNING": "ok",
    "LOW_PRESSURE": "warning",
    "HIGH_PRESSURE": "warning",
    "LOW": "warning",
    "HIGH": "warning",
    "VERY_LOW_PRESSURE": "alert",
    "VERY_LOW": "alert",
}
_CHARGING: Final = {
    "CHARGING": "charging",
    "IDLE": "stopped",
    "DONE": "done",
    "ERROR": "error",
    "FAULT": "error",
    "SCHEDULED": "timerwait",
    "SMART_CHARGING": "timerwait",
    "DISCHARGING": "discharging",
}
_CONNECTION: Final = {
    "CONNECTED": "connected",
    "CONNECTED_AC": "connected",
    "CONNECTED_DC": "connected",
    "DISCONNECTED": "disconnected",
    "FAULT": "fault",
}
_TYPES: Final = {"AC": "ac", "DC": "dc", "NONE": "none"}
_POWER_STATUSES: Final = {status.upper(): status for status in keys.CHARGING_POWER_STATUSES}
_DAYS_PER: Final = {"d": 1.0, "day": 1.0, "days": 1.0, "week": 7.0, "weeks": 7.0}
_DAYS_PER_MONTH: Final = 30.0


def _flag(convert: Callable[[Any], bool | None]) -> Reader:
    return lambda field: reading(field, convert(field.value))


def _choice(mapping: Mapping[str, str], *, prefix: str = "") -> Reader:
    def read(field: Field) -> Reading | None:
        value = enum(field.value)
        return reading(field, mapping.get((value or "").removeprefix(prefix)))

    return read


def _number(unit: str) -> Reader:
    return lambda field: number(field, unit)


def _days(field: Field) -> Reading | None:
    """Time to service in days, from days, weeks or months (taken as 30 days)."""
    value = as_float(field.value, field="timeToService")
    unit = (field.unit or "days").strip().lower()
    factor = _DAYS_PER_MONTH if unit.startswith("month") else _DAYS_PER.get(unit)
    if value is None or factor is None:
        return None
    days = value * factor
    if not math.isfinite(days):
        _LOGGER.debug("Ignoring timeToService: too large")
        return None
    return Reading(round(days), "d", field.observed_at)


_OPEN, _WARNING = _flag(is_open), _flag(needs_attention)
_KM = _number("km")

DOORS: Final[Table] = (
    (keys.CENTRAL_LOCK, ("centralLock", "carLocked"), _flag(is_locked)),
    (keys.DOORS["front_left"], ("frontLeftDoor", "frontLeft"), _OPEN),
    (keys.DOORS["front_right"], ("frontRightDoor", "frontRight"), _OPEN),
    (keys.DOORS["rear_left"], ("rearLeftDoor", "rearLeft"), _OPEN),
    (keys.DOORS["rear_right"], ("rearRightDoor", "rearRight"), _OPEN),
    (keys.HOOD, ("hood",), _OPEN),
    (keys.TAILGATE, ("tailgate", "tailGate"), _OPEN),
    (keys.TANK_LID, ("tankLid", "fuelLid"), _OPEN),
)
WINDOWS: Final[Table] = (
    (keys.WINDOWS["front_left"], ("frontLeftWindow", "frontLeft"), _OPEN),
    (keys.WINDOWS["front_right"], ("frontRightWindow", "frontRight"), _OPEN),
    (keys.WINDOWS["rear_left"], ("rearLeftWindow", "rearLeft"), _OPEN),
    (keys.WINDOWS["rear_right"], ("rearRightWindow", "rearRight"), _OPEN),
    (keys.SUNROOF, ("sunroof", "sunRoof"), _OPEN),
)
ENGINE_STATUS: Final[Table] = (
    (keys.ENGINE_RUNNING, ("engineStatus", "engineRunning"), _flag(is_running)),
)
ENGINE: Final[Table] = (
    (keys.OIL_LEVEL_WARNING, ("oilLevelWarning", "oilLevel"), _WARNING),
    (
        keys.COOLANT_LEVEL_WARNING,
        ("engineCoolantLevelWarning", "engineCoolantLevel", "coolantLevelWarning"),
        _WARNING,
    ),
)
BRAKES: Final[Table] = (
    (
        keys.BRAKE_FLUID_WARNING,
        ("brakeFluidLevelWarning", "brakeFluidLevel", "brakeFluid"),
        _WARNING,
    ),
)
DIAGNOSTICS: Final[Table] = (
    (keys.SERVICE_WARNING, ("serviceWarning", "serviceWarningStatus"), _WARNING),
    (keys.WASHER_FLUID_WARNING, ("washerFluidLevelWarning", "washerFluidLevel"), _WARNING),
    (keys.TIME_TO_SERVICE, ("timeToService",), _days),
    (keys.DISTANCE_TO_SERVICE, ("distanceToService",), _KM),
    (keys.ENGINE_HOURS_TO_SERVICE, ("engineHoursToService",), _number("h")),
)
FUEL: Final[Table] = (
    (keys.FUEL_AMOUNT, ("fuelAmount",), _number("L")),
    (keys.BATTERY_LEVEL, ("batteryChargeLevel",), _number("%")),
)
ODOMETER: Final[Table] = ((keys.ODOMETER, ("odometer",), _KM),)
STATISTICS: Final[Table] = (
    (keys.TRIP_METER_MANUAL, ("tripMeterManual", "tripMeter1"), _KM),
    (keys.TRIP_METER_AUTOMATIC, ("tripMeterAutomatic", "tripMeter2"), _KM),
    (keys.AVERAGE_SPEED, ("averageSpeed",), _number("km/h")),
    (keys.AVERAGE_SPEED_AUTOMATIC, ("averageSpeedAutomatic",), _number("km/h")),
    (keys.AVERAGE_FUEL_CONSUMPTION, ("averageFuelConsumption",), _number("L/100km")),
    (
        keys.AVERAGE_FUEL_CONSUMPTION_AUTOMATIC,
        ("averageFuelConsumptionAutomatic",),
        _number("L/100km"),
    ),
    (keys.AVERAGE_ENERGY_CONSUMPTION, ("averageEnergyConsumption",), _number("kWh/100km")),
    (
        keys.AVERAGE_ENERGY_CONSUMPTION_AUTOMATIC,
        ("averageEnergyConsumptionAutomatic",),
        _number("kWh/100km"),
    ),
    (keys.FUEL_RANGE, ("distanceToEmptyTank", "distanceToEmpty"), _KM),
    # Like Home Assistant core: the statistics' range, which the car shows, not the
    # energy API's electricRange, which does not always agree with it.
    (keys.ELECTRIC_RANGE, ("distanceToEmptyBattery",), _KM),
)
TYRES: Final[Table] = tuple(
    (keys.TYRE_WARNING[wheel], (name, f"{name}Tyre"), _choice(_TYRES))
    for wheel, name in (
        ("front_left", "frontLeft"),
        ("front_right", "frontRight"),
        ("rear_left", "rearLeft"),
        ("rear_right", "rearRight"),
    )
)
WARNINGS: Final[Table] = tuple(
    (key, (field,), _WARNING) for key, field in zip(BULB_KEYS, _BULB_FIELDS, strict=True)
)
ACCESSIBILITY: Final[Table] = (
    (
        keys.COMMANDS_AVAILABLE,
        ("availabilityStatus",),
        _flag(lambda raw: {"AVAILABLE": True, "UNAVAILABLE": False}.get(enum(raw) or "")),
    ),
)
ENERGY: Final[Table] = (
    (keys.BATTERY_LEVEL, ("batteryChargeLevel",), _number("%")),
    (
        keys.CHARGER_CONNECTION,
        ("chargerConnectionStatus", "chargingConnectionStatus"),
        _choice(_CONNECTION, prefix="CONNECTION_STATUS_"),
    ),
    (
        keys.CHARGING_STATE,
        ("chargingStatus", "chargingSystemStatus"),
        _choice(_CHARGING, prefix="CHARGING_SYSTEM_"),
    ),
    (keys.CHARGING_TYPE, ("chargingType",), _choice(_TYPES)),
    (keys.CHARGING_POWER_STATUS, ("chargerPowerStatus",), _choice(_POWER_STATUSES)),
    (keys.CHARGING_POWER, ("chargingPower",), _number("W")),
    (keys.CHARGE_CURRENT_LIMIT, ("chargingCurrentLimit",), _number("A")),
    (keys.CHARGE_TARGET, ("targetBatteryChargeLevel", "targetBatteryLevel"), _number("%")),
    (
        keys.CHARGE_TIME_TO_LIMIT,
        ("estimatedChargingTimeToTargetBatteryChargeLevel", "estimatedChargingTime"),
        _number("min"),
    ),
)


def read_table(
    raw: Any, table: Table, what: str, unsupported: frozenset[str] = frozenset()
) -> VehicleState:
    """Every reading of ``table`` the answer holds, but none named in ``unsupported``."""
    payload = unwrap(raw, what)
    readings: dict[str, Reading] = {}
    for key, names, read in table:
        if unsupported.intersection(names):
            continue
        field = find(payload, names)
        if field is None:
            continue
        result = read(field)
        if result is None:
            _LOGGER.debug("%s: ignoring unreadable %s", what, names[0])
            continue
        readings[key] = result
    return VehicleState(readings)


def parse_energy_state(raw: Any, unsupported: frozenset[str] = frozenset()) -> VehicleState:
    """Energy API state (not wrapped); adds ``plugged_in`` and ``charging``.

    Fields the car's capabilities call unsupported are left out even when the
    state has a value for them (an EX30 reports a charging current limit it lacks).
    """
    state = read_table(raw, ENERGY, "energy state", unsupported)
    extra: dict[str, Reading] = {}
    if (connection := state.readings.get(keys.CHARGER_CONNECTION)) and connection.value != "fault":
        extra[keys.PLUGGED_IN] = Reading(
            connection.value == "connected", None, connection.observed_at
        )
    if charging := state.readings.get(keys.CHARGING_STATE):
        extra[keys.CHARGING] = Reading(charging.value == "charging", None, charging.observed_at)
    return state.merged(VehicleState(extra)) if extra else state


def parse_location(raw: Any) -> VehicleState:
    """Location API: a GeoJSON Feature, coordinates ``[longitude, latitude, altitude]``."""
    feature = unwrap(raw, "location")
    geometry = feature.get("geometry")
    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return VehicleState()
    position = as_position(
        as_float(coordinates[1], field="latitude"), as_float(coordinates[0], field="longitude")
    )
    if position is None:
        return VehicleState()
    latitude, longitude = position
    heading = as_float(properties.get("heading"), field="heading")
    return VehicleState(
        location=Location(
            latitude=latitude,
            longitude=longitude,
            heading=heading % 360 if heading is not None else None,
            altitude=as_float(coordinates[2]) if len(coordinates) > 2 else None,
            observed_at=as_utc(properties.get("timestamp")),
        )
    )


_TABLES: Final[Mapping[str, Table]] = {
    "doors": DOORS,
    "windows": WINDOWS,
    "engine-status": ENGINE_STATUS,
    "engine": ENGINE,
    "fuel": FUEL,
    "odometer": ODOMETER,
    "diagnostics": DIAGNOSTICS,
    "brakes": BRAKES,
    "tyres": TYRES,
    "warnings": WARNINGS,
    "statistics": STATISTICS,
    "command-accessibility": ACCESSIBILITY,
}
ENDPOINTS: Final = (*_TABLES, "energy-state", "location")


def parse_endpoint(endpoint: str, raw: Any) -> VehicleState:
    """The readings of one endpoint's answer (``energy-state``, ``location`` or a status one)."""
    if endpoint == "energy-state":
        return parse_energy_state(raw)
    if endpoint == "location":
        return parse_location(raw)
    return read_table(raw, _TABLES[endpoint], endpoint)
