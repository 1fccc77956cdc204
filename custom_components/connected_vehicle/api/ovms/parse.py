"""Parse OVMS v3 server answers into the brand-neutral model.

The server sends measurements as strings, flags as masked bit values,
odometer and trip meter in 1/10 of the distance unit, ``units`` K or M, and
leaves out fields whose record it never received. Everything here tolerates
missing, empty, unknown and mistyped fields; only a body of the wrong JSON
type raises ProtocolError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import readings as keys
from ..coerce import as_flag, as_float, as_list, as_object, as_position, as_text, as_utc
from ..models import Command, DataGroup, Location, Reading, Value, Vehicle, VehicleState
from .vehicle_types import describe_vehicle_type

MSGTIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_DISTANCE = {"K": "km", "M": "mi"}
_SPEED = {"K": "km/h", "M": "mph"}
DISTANCE, SPEED = "distance", "speed"  # placeholders resolved per the car's units

# key, OVMS field, unit (or DISTANCE/SPEED), scale
_NUMBERS: tuple[tuple[str, str, str | None, float], ...] = (
    (keys.BATTERY_LEVEL, "soc", "%", 1),
    (keys.ELECTRIC_RANGE, "estimatedrange", DISTANCE, 1),
    (keys.IDEAL_RANGE, "idealrange", DISTANCE, 1),
    (keys.ODOMETER, "odometer", DISTANCE, 0.1),
    (keys.TRIP_METER, "tripmeter", DISTANCE, 0.1),
    (keys.SPEED, "speed", SPEED, 1),
    (keys.STATE_OF_HEALTH, "soh", "%", 1),
    (keys.TWELVE_VOLT_BATTERY, "vehicle12v", "V", 1),
    (keys.TWELVE_VOLT_CURRENT, "vehicle12v_current", "A", 1),
    (keys.LINE_VOLTAGE, "linevoltage", "V", 1),
    (keys.CHARGING_CURRENT, "chargecurrent", "A", 1),
    (keys.CHARGE_CURRENT_LIMIT, "chargelimit", "A", 1),
    (keys.CHARGING_POWER, "chargepower", "kW", 1),
    (keys.ENERGY_CHARGED, "chargekwh", "kWh", 0.1),
    (keys.CHARGE_TIME_REMAINING, "charge_etr_full", "min", 1),
    (keys.CHARGE_TIME_TO_LIMIT, "charge_etr_limit", "min", 1),
    (keys.CHARGE_TARGET, "charge_limit_soc", "%", 1),
)
# Temperatures, dropped when the car says it has none (stale flag -1).
_TEMPERATURES: tuple[tuple[str, str, str], ...] = (
    (keys.TEMPERATURE_CABIN, "temperature_cabin", "staletemps"),
    (keys.TEMPERATURE_BATTERY, "temperature_battery", "staletemps"),
    (keys.TEMPERATURE_MOTOR, "temperature_motor", "staletemps"),
    (keys.TEMPERATURE_INVERTER, "temperature_pem", "staletemps"),
    (keys.TEMPERATURE_CHARGER, "temperature_charger", "staletemps"),
    (keys.TEMPERATURE_AMBIENT, "temperature_ambient", "staleambient"),
)
_TEXTS: tuple[tuple[str, str], ...] = (
    (keys.CHARGING_STATE, "chargestate"),
    (keys.CHARGE_SUBSTATE, "chargesubstate"),
    (keys.CHARGE_MODE, "mode"),
)
_FLAGS: tuple[tuple[str, str], ...] = (
    (keys.DOORS["front_left"], "fl_dooropen"),
    (keys.DOORS["front_right"], "fr_dooropen"),
    (keys.CHARGE_PORT, "cp_dooropen"),
    (keys.HOOD, "bt_open"),
    (keys.TAILGATE, "tr_open"),
    (keys.PLUGGED_IN, "pilotpresent"),
    (keys.CHARGING, "charging"),
    (keys.CAR_ON, "caron"),
    (keys.CENTRAL_LOCK, "carlocked"),
    (keys.VALET_MODE, "valetmode"),
    (keys.AWAKE, "carawake"),
    (keys.ALARM_SOUNDING, "alarmsounding"),
    (keys.TWELVE_VOLT_CHARGING, "charging_12v"),
)
# Fields of the S (status) record; every other status/charge field comes from D.
_S_FIELDS = frozenset(
    {"soc", "estimatedrange", "idealrange", "chargestate", "chargesubstate", "mode", "soh"}
    | {"linevoltage", "chargecurrent", "chargelimit", "chargepower", "chargekwh"}
    | {"charge_etr_full", "charge_etr_limit", "charge_limit_soc"}
)
_WHEELS = {"fl": "front_left", "fr": "front_right", "rl": "rear_left", "rr": "rear_right"}
_TYRE_ALERTS = {0: "ok", 1: "warning", 2: "alert"}


@dataclass(frozen=True, slots=True)
class ConnectInfo:
    """What connecting to a car tells: is it online, how old is its status."""

    online: bool
    status_age: float | None


def msgtime(payload: dict[str, Any], record: str) -> datetime | None:
    """When the server received the car's record of this letter (UTC)."""
    return as_utc(payload.get(f"m_msgtime_{record}"), MSGTIME_FORMAT)


def _stale_none(payload: Mapping[str, Any], flag: str) -> bool:
    """OVMS stale flags: -1 means the car has no such data at all."""
    value = as_float(payload.get(flag), field=flag)
    return value is not None and value < 0


def parse_vehicle_list(raw: Any) -> dict[str, bool]:
    """``/api/vehicles``: vehicle id -> connected to the server."""
    online: dict[str, bool] = {}
    for item in as_list(raw, "/api/vehicles"):
        if isinstance(item, dict) and (vehicle_id := as_text(item.get("id"))):
            online[vehicle_id] = bool(as_flag(item.get("v_net_connected")))
    return online


def parse_vehicle(vehicle_id: str, protocol: Any) -> Vehicle:
    """A vehicle from its id and ``/api/protocol`` records (the F record names VIN and type)."""
    vin = vehicle_type = None
    records = protocol if isinstance(protocol, list) else []
    for record in records:
        if isinstance(record, dict) and record.get("m_code") == "F":
            fields = (as_text(record.get("m_msg")) or "").split(",")
            vin = as_text(fields[1]) if len(fields) > 1 else None
            vehicle_type = as_text(fields[4]) if len(fields) > 4 else None
    brand, model = describe_vehicle_type(vehicle_type)
    return Vehicle(
        id=vehicle_id,
        name=vehicle_id,
        brand=brand,
        model=model,
        vin=vin,
        model_code=vehicle_type,
        capabilities=frozenset(DataGroup),
        commands=frozenset({Command.REFRESH}),
    )


def parse_connect(raw: Any) -> ConnectInfo:
    """``/api/vehicle/<id>``: whether the car is online and how old its status is."""
    payload = as_object(raw, "/api/vehicle")
    return ConnectInfo(
        online=bool(as_flag(payload.get("v_net_connected"))),
        status_age=as_float(payload.get("m_msgage_s")),
    )


def parse_record(raw: Any) -> VehicleState:
    """``/api/status`` or ``/api/charge``: every known field that is present."""
    payload = as_object(raw, "/api/status")
    return record_state(payload, {"S": msgtime(payload, "s"), "D": msgtime(payload, "d")})


def record_state(payload: Mapping[str, Any], times: Mapping[str, datetime | None]) -> VehicleState:
    """Readings from S and D fields named as the server names them.

    ``times`` says when the car sent its S and its D record; the live link
    feeds its messages through here too, so both paths read alike.
    """
    units = as_text(payload.get("units")) or "K"
    units_for = {DISTANCE: _DISTANCE.get(units, "km"), SPEED: _SPEED.get(units, "km/h")}
    readings: dict[str, Reading] = {}

    def put(key: str, field: str, value: Value | None, unit: str | None = None) -> None:
        if value is not None:
            observed = times.get("S") if field in _S_FIELDS else times.get("D")
            readings[key] = Reading(value, unit, observed)

    for key, field, unit, scale in _NUMBERS:
        number = as_float(payload.get(field), field=field)
        put(
            key,
            field,
            None if number is None else round(number * scale, 3),
            units_for.get(unit or "", unit),
        )
    for key, field, stale_flag in _TEMPERATURES:
        if not _stale_none(payload, stale_flag):
            put(key, field, as_float(payload.get(field), field=field), "°C")
    for key, field in _TEXTS:
        put(key, field, as_text(payload.get(field)))
    for key, field in _FLAGS:
        put(key, field, as_flag(payload.get(field), field=field))
    if (status_time := times.get("S")) is not None:
        readings[keys.LAST_UPDATE] = Reading(status_time, None, status_time)
    return VehicleState(readings)


def parse_location(raw: Any) -> VehicleState:
    """``/api/location``: the car's position, when it has a usable one."""
    payload = as_object(raw, "/api/location")
    return location_state(payload, msgtime(payload, "l"))


def location_state(payload: Mapping[str, Any], observed: datetime | None) -> VehicleState:
    """The position from L fields named as the server names them (none when unusable)."""
    position = as_position(
        as_float(payload.get("latitude"), field="latitude"),
        as_float(payload.get("longitude"), field="longitude"),
    )
    if position is None or _stale_none(payload, "stalegps"):
        return VehicleState()
    latitude, longitude = position
    return VehicleState(
        location=Location(
            latitude=latitude,
            longitude=longitude,
            heading=as_float(payload.get("direction"), field="direction"),
            altitude=as_float(payload.get("altitude"), field="altitude"),
            observed_at=observed,
        )
    )


def parse_tpms(raw: Any) -> VehicleState:
    """``/api/tpms``: pressure (kPa when given, else PSI), temperature and alert per wheel."""
    payload = as_object(raw, "/api/tpms")
    return tyre_state(payload, msgtime(payload, "y") or msgtime(payload, "w"))


def tyre_state(payload: Mapping[str, Any], observed: datetime | None) -> VehicleState:
    """Tyre readings from W or Y fields named as the server names them."""
    if _stale_none(payload, "staletpms"):
        return VehicleState()
    readings: dict[str, Reading] = {}
    for wheel, name in _WHEELS.items():
        kpa = as_float(payload.get(f"{wheel}_pressure_kpa"))
        psi = as_float(payload.get(f"{wheel}_pressure"))
        if kpa is not None:
            readings[keys.TYRE_PRESSURES[name]] = Reading(kpa, "kPa", observed)
        elif psi is not None:
            readings[keys.TYRE_PRESSURES[name]] = Reading(psi, "psi", observed)
        if (temperature := as_float(payload.get(f"{wheel}_temperature"))) is not None:
            readings[keys.TYRE_TEMPERATURES[name]] = Reading(temperature, "°C", observed)
        alert = as_float(payload.get(f"{wheel}_alert"))
        if alert is not None and int(alert) in _TYRE_ALERTS:
            readings[keys.TYRE_WARNING[name]] = Reading(_TYRE_ALERTS[int(alert)], None, observed)
    return VehicleState(readings)
