"""The Volvo APIs' payloads for one car, built from the world (shapes of the real captures)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
import math
from typing import Any, Final

from ..pictures import picture_url
from ..vehicle import Vehicle
from .cars import VolvoCar
from .profiles import COMMAND_PATHS, ENERGY_FIELDS

type JsonDict = dict[str, Any]
View = Callable[[VolvoCar, Vehicle], JsonDict]

_WARNINGS: Final = (
    "brakeLightCenterWarning", "brakeLightLeftWarning", "brakeLightRightWarning",
    "fogLightFrontWarning", "fogLightRearWarning", "positionLightFrontLeftWarning",
    "positionLightFrontRightWarning", "positionLightRearLeftWarning",
    "positionLightRearRightWarning", "highBeamLeftWarning", "highBeamRightWarning",
    "lowBeamLeftWarning", "lowBeamRightWarning", "daytimeRunningLightLeftWarning",
    "daytimeRunningLightRightWarning", "turnIndicationFrontLeftWarning",
    "turnIndicationFrontRightWarning", "turnIndicationRearLeftWarning",
    "turnIndicationRearRightWarning", "registrationPlateLightWarning",
    "sideMarkLightsWarning",
)  # fmt: skip
_CLASSIC_WARNINGS: Final = ("hazardLightsWarning", "reverseLightsWarning")
_TYRE_ALERTS: Final = {0: "NO_WARNING", 1: "LOW_PRESSURE", 2: "VERY_LOW_PRESSURE"}
_WHEELS: Final = {"fl": "frontLeft", "fr": "frontRight", "rl": "rearLeft", "rr": "rearRight"}
_UNSUPPORTED: Final = {
    "status": "ERROR",
    "code": "NOT_SUPPORTED",
    "message": "Resource is not supported for this vehicle",
}


def stamp(when: datetime, *, millis: bool = True) -> str:
    """ISO 8601 in UTC the way Volvo writes it: ``2024-12-30T14:20:20.570Z``."""
    if millis:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(vehicle: Vehicle, value: Any, unit: str | None = None) -> JsonDict:
    field: JsonDict = {"value": value}
    if unit is not None:
        field["unit"] = unit
    field["timestamp"] = stamp(vehicle.reported_at)
    return field


def _overridden(car: VolvoCar, payload: JsonDict) -> JsonDict:
    """Apply the car's field overrides to the fields the payload has."""
    for name, value in car.fields.items():
        if isinstance(payload.get(name), dict):
            payload[name] = {**payload[name], "value": value}
    return payload


def _open(flag: bool) -> str:
    return "OPEN" if flag else "CLOSED"


def details(car: VolvoCar, vehicle: Vehicle, origin: str) -> JsonDict:
    """``GET /vehicles/{vin}``; the pictures are the simulator's own, at ``origin``."""
    profile = car.profile
    exterior = picture_url(origin, profile.model, profile.colour) if profile.pictured else ""
    data: JsonDict = {
        "vin": profile.vin,
        "modelYear": profile.model_year,
        "gearbox": profile.gearbox,
        "fuelType": profile.fuel_type,
        "images": {"exteriorImageUrl": exterior, "internalImageUrl": ""},
        "descriptions": {
            "model": profile.model,
            "upholstery": profile.upholstery,
            "steering": profile.steering,
        },
    }
    if profile.colour:
        data["externalColour"] = profile.colour
    if profile.battery:
        data["batteryCapacityKWH"] = vehicle.spec.capacity_kwh
    return data


def doors(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/doors``: lock, doors, hood, tailgate, tank lid (v1: carLocked, frontLeft, tailGate)."""
    d = vehicle.doors
    lock = "LOCKED" if vehicle.locked else "UNLOCKED"
    if car.profile.shape == "v1":
        payload = {"carLocked": _value(vehicle, lock)}
        payload |= {name: _value(vehicle, _open(d[w])) for w, name in _WHEELS.items()}
        payload |= {
            "tailGate": _value(vehicle, _open(d["trunk"])),
            "hood": _value(vehicle, _open(d["hood"])),
        }
        return _overridden(car, payload)
    payload = {"centralLock": _value(vehicle, lock)}
    payload |= {f"{name}Door": _value(vehicle, _open(d[w])) for w, name in _WHEELS.items()}
    payload |= {
        "hood": _value(vehicle, _open(d["hood"])),
        "tailgate": _value(vehicle, _open(d["trunk"])),
        "tankLid": _value(vehicle, _open(d["tanklid"]) if car.profile.tank else "UNSPECIFIED"),
    }
    return _overridden(car, payload)


def windows(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/windows``: four windows and the sunroof (v1: frontLeft ..., no sunroof)."""
    w = vehicle.windows
    if car.profile.shape == "v1":
        return _overridden(
            car, {name: _value(vehicle, _open(w[key])) for key, name in _WHEELS.items()}
        )
    payload = {f"{name}Window": _value(vehicle, _open(w[key])) for key, name in _WHEELS.items()}
    sunroof = _open(w["sunroof"]) if car.profile.sunroof else "UNSPECIFIED"
    payload["sunroof"] = _value(vehicle, sunroof)
    return _overridden(car, payload)


def engine_status(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/engine-status``."""
    running = "RUNNING" if vehicle.engine_running else "STOPPED"
    return _overridden(car, {"engineStatus": _value(vehicle, running)})


def engine(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/engine``: oil and coolant level warnings."""
    return _overridden(
        car,
        {
            "oilLevelWarning": _value(vehicle, "NO_WARNING"),
            "engineCoolantLevelWarning": _value(vehicle, "NO_WARNING"),
        },
    )


def fuel(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/fuel``: litres as a string (as the real API sends), a hybrid's charge level too."""
    litres = "liters" if car.profile.shape == "v1" else "l"
    payload: JsonDict = {}
    if car.profile.tank:
        payload["fuelAmount"] = _value(vehicle, f"{vehicle.fuel_l:.1f}", litres)
    if car.profile.battery:
        payload["batteryChargeLevel"] = _value(vehicle, f"{vehicle.soc:.1f}", "%")
    return _overridden(car, payload)


def odometer(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/odometer``: whole kilometres."""
    unit = "kilometers" if car.profile.shape == "v1" else "km"
    return {"odometer": _value(vehicle, round(vehicle.odometer_km), unit)}


def diagnostics(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/diagnostics``: service warning and what is left until the next service."""
    profile = car.profile
    days = max(0, (profile.service_due - vehicle.time.date()).days)
    time_left = days // 30 if profile.time_to_service_unit == "months" else days
    payload: JsonDict = {
        "serviceWarning": _value(vehicle, "NO_WARNING"),
        "distanceToService": _value(
            vehicle, max(0, round(profile.service_at_km - vehicle.odometer_km)), "km"
        ),
        "washerFluidLevelWarning": _value(vehicle, "NO_WARNING"),
        "timeToService": _value(vehicle, time_left, profile.time_to_service_unit),
    }
    if profile.tank:
        payload["engineHoursToService"] = _value(vehicle, profile.engine_hours_to_service, "h")
    return _overridden(car, payload)


def brakes(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/brakes``."""
    return _overridden(car, {"brakeFluidLevelWarning": _value(vehicle, "NO_WARNING")})


def tyres(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/tyres``: pressure warnings only (no pressures)."""
    payload = {
        name: _value(
            vehicle,
            _TYRE_ALERTS.get(vehicle.tyres[w].alert, "UNSPECIFIED")
            if w in vehicle.tyres
            else "UNSPECIFIED",
        )
        for w, name in _WHEELS.items()
    }
    return _overridden(car, payload)


def warnings(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/warnings``: bulb failures; newer cars leave the classic-only ones unspecified."""
    payload = {name: _value(vehicle, "NO_WARNING") for name in _WARNINGS}
    for name in _CLASSIC_WARNINGS:
        payload[name] = _value(vehicle, "NO_WARNING" if car.profile.classic else "UNSPECIFIED")
    return _overridden(car, payload)


def statistics(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/statistics``: averages, trip meters, distances to empty (v1: tripMeter1/2)."""
    profile, spec = car.profile, vehicle.spec
    manual = round(vehicle.odometer_km - profile.trip_manual_base_km, 1)
    automatic = round(vehicle.trip_km, 1)
    speed = profile.average_speed_kmh
    if profile.shape == "v1":
        return {
            "averageSpeed": _value(vehicle, str(speed), "km/h"),
            "averageFuelConsumption": _value(vehicle, f"{spec.fuel_l_100km:.1f}", "l/100km"),
            "distanceToEmpty": _value(vehicle, str(round(vehicle.fuel_range_km())), "kilometers"),
            "tripMeter1": _value(vehicle, f"{manual:.1f}", "kilometers"),
            "tripMeter2": _value(vehicle, f"{automatic:.1f}", "kilometers"),
        }
    payload: JsonDict = {
        "averageSpeed": _value(vehicle, speed, "km/h"),
        "averageSpeedAutomatic": _value(vehicle, max(0, speed - 17), "km/h"),
        "tripMeterManual": _value(vehicle, manual, "km"),
        "tripMeterAutomatic": _value(vehicle, automatic, "km"),
    }
    if profile.battery:
        kwh = round(spec.consumption_wh_km / 10 * 1.05, 1)
        payload["averageEnergyConsumption"] = _value(vehicle, kwh, "kWh/100km")
        payload["distanceToEmptyBattery"] = _value(
            vehicle, round(vehicle.estimated_range_km()), "km"
        )
    if profile.tank:
        payload["averageFuelConsumption"] = _value(vehicle, spec.fuel_l_100km, "l/100km")
        payload["distanceToEmptyTank"] = _value(vehicle, round(vehicle.fuel_range_km()), "km")
    return payload


def commands(car: VolvoCar, _vehicle: Vehicle) -> list[JsonDict]:
    """``/commands``: the commands this car takes; the href has no /connected-vehicle."""
    vin = car.profile.vin
    return [
        {"command": name, "href": f"/v2/vehicles/{vin}/commands/{COMMAND_PATHS[name]}"}
        for name in car.profile.commands
    ]


def accessibility(car: VolvoCar, vehicle: Vehicle, asleep: bool) -> JsonDict:
    """``/command-accessibility``: available, or why not."""
    reason = (
        "NO_INTERNET"
        if not vehicle.online
        else "POWER_SAVING_MODE"
        if asleep
        else "CAR_IN_USE"
        if vehicle.car_on
        else None
    )
    status = _value(vehicle, "AVAILABLE" if reason is None else "UNAVAILABLE")
    if reason is not None:
        status["unavailableReason"] = reason
    return {"availabilityStatus": status}


def energy_capabilities(car: VolvoCar) -> JsonDict:
    """``/energy/v2/.../capabilities``, wrapped in ``getEnergyState``."""
    supported = car.profile.energy
    inner: JsonDict = {"isSupported": bool(supported)}
    for name in ENERGY_FIELDS:
        shown = (
            "chargingSystemStatus"
            if name == "chargingStatus" and car.profile.legacy_capability_names
            else name
        )
        inner[shown] = {"isSupported": name in supported}
    return {"getEnergyState": inner}


def _charging_status(vehicle: Vehicle) -> str:
    if not vehicle.plugged:
        return "IDLE"
    return {"charging": "CHARGING", "topoff": "CHARGING", "done": "DONE"}.get(
        vehicle.charge_state, "IDLE"
    )


def _charger_power_status(vehicle: Vehicle) -> str:
    """Power flows while charging; a plugged-in car that is not charging has it on offer."""
    if vehicle.charging:
        return "PROVIDING_POWER"
    return "POWER_AVAILABLE_BUT_NOT_ACTIVATED" if vehicle.plugged else "NO_POWER_AVAILABLE"


def energy_state(car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/energy/v2/.../state``: not wrapped; unsupported fields are per-field errors."""
    updated = stamp(vehicle.reported_at, millis=False)
    limit = vehicle.spec.charge_limit
    values: dict[str, tuple[Any, str | None]] = {
        "batteryChargeLevel": (round(vehicle.soc, 1), "percentage"),
        "electricRange": (round(vehicle.estimated_range_km()), "km"),
        "chargerConnectionStatus": ("CONNECTED" if vehicle.plugged else "DISCONNECTED", None),
        "chargingStatus": (_charging_status(vehicle), None),
        "chargingType": ("AC" if vehicle.charging else "NONE", None),
        "chargerPowerStatus": (_charger_power_status(vehicle), None),
        "estimatedChargingTimeToTargetBatteryChargeLevel": (
            math.ceil(vehicle.minutes_to(limit)),
            "minutes",
        ),
        "chargingCurrentLimit": (car.profile.charge_current_limit, "ampere"),
        "targetBatteryChargeLevel": (round(limit), "percentage"),
        "chargingPower": (round(vehicle.charge_power_kw * 1000), "watts"),
    }
    state: JsonDict = {}
    for name in ENERGY_FIELDS:
        if name not in car.profile.energy | car.profile.reported_unsupported:
            state[name] = dict(_UNSUPPORTED)
            continue
        value, unit = values[name]
        field: JsonDict = {"status": "OK", "value": value}
        if unit is not None:
            field["unit"] = unit
        field["updatedAt"] = updated
        state[name] = field
    return state


def location(_car: VolvoCar, vehicle: Vehicle) -> JsonDict:
    """``/location/v1/.../location``: a GeoJSON feature, heading as a string."""
    return {
        "type": "Feature",
        "properties": {
            "timestamp": stamp(vehicle.reported_at),
            "heading": str(round(vehicle.direction) % 360),
        },
        "geometry": {
            "type": "Point",
            "coordinates": [round(vehicle.position.lon, 7), round(vehicle.position.lat, 7), 0.0],
        },
    }


STATUS_VIEWS: Final[Mapping[str, View]] = {
    "doors": doors,
    "windows": windows,
    "engine-status": engine_status,
    "engine": engine,
    "fuel": fuel,
    "odometer": odometer,
    "diagnostics": diagnostics,
    "brakes": brakes,
    "tyres": tyres,
    "warnings": warnings,
    "statistics": statistics,
}
