"""The API's resources built from a world car: vehicle, status, alerts, maintenance, trips.

Shapes follow the B2C OpenAPI spec v4.17.2 and captured status payloads; each
car's ``Dresser`` adds its quirks (unknown fields, time spellings, legacy
duplicates, missing blocks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
import hashlib
from typing import Any, Final

from ..pictures import picture_url
from ..vehicle import CHARGE_EFFICIENCY, Vehicle
from .brands import BRANDS
from .fleet import Profile
from .hal import Linker
from .quirks import Dresser

type Json = dict[str, Any]


@dataclass(frozen=True)
class Car:
    """A world car as one request sees it: its profile, quirks, API id, link style, now."""

    vehicle: Vehicle
    profile: Profile
    dresser: Dresser
    api_id: str
    links: Linker
    now: datetime


_OPENINGS: Final = (
    ("Driver", "fl"),
    ("Passenger", "fr"),
    ("RearLeft", "rl"),
    ("RearRight", "rr"),
    ("Trunk", "trunk"),
)
_ALERT_TYPES: Final = (
    "AddWasherFluid",
    "LeftFrontTireUnderInflated",
    "OilLevelLow",
    "CheckTheCenterBrakeLamp",
    "BrakingSystemFailure",
    "RightRearTireUnderInflated",
)


def iso_duration(minutes: float) -> str:
    """Minutes as an ISO 8601 duration: PT0S, PT45M, PT1H20M."""
    total = round(minutes)
    if total <= 0:
        return "PT0S"
    hours, rest = divmod(total, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def _seed(vehicle: Vehicle, salt: str) -> int:
    digest = hashlib.sha256(f"{vehicle.id}/{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def vehicle_resource(car: Car) -> Json:
    """``/user/vehicles/{id}`` and the items of ``/user/vehicles``."""
    vehicle, profile, dresser, api_id, links, now = (
        car.vehicle,
        car.profile,
        car.dresser,
        car.api_id,
        car.links,
        car.now,
    )
    brand = BRANDS[profile.brand]
    base = f"/user/vehicles/{api_id}"
    tab: Json = {
        "self": links.link(base),
        "status": links.link(f"{base}/status"),
        "lastPosition": links.link(f"{base}/lastPosition"),
        "trips": links.link(f"{base}/trips"),
        "callbacks": links.link("/user/callbacks"),
    }
    if dresser.has("health"):
        tab["alerts"] = links.link(f"{base}/alerts")
        tab["maintenance"] = links.link(f"{base}/maintenance")
    if dresser.has("remotes"):
        tab["remotes"] = links.link(f"{base}/callbacks/{{cbid}}/remotes", templated=True)
    picture = picture_url(links.origin, profile.family, profile.colour)
    body: Json = {
        "id": api_id,
        "vin": vehicle.spec.vin,
        "brandCode": brand.brand_code,
        "familyCode": dresser.text(profile.family),
        "motorization": profile.motorization,
        "fuelType": profile.fuel_type,
        "createdAt": dresser.time(now - timedelta(days=400)),
        "updatedAt": dresser.time(now - timedelta(days=3)),
        "_links": tab,
    }
    layout = dresser.quirks.layout
    if layout in ("legacy", "both"):  # deprecated top-level fields
        body |= {"brand": brand.name, "label": dresser.text(profile.label), "pictures": [picture]}
    if layout == "modern":
        body["extension"] = {
            "branding": {"brand": brand.name, "label": profile.label},
            "pictures": {"pictures": [picture]},
        }
    if layout == "both":  # as one captured payload has it: a brand code, not a name
        body["vehicleExtension"] = {
            "vehicleBranding": {"brand": brand.brand_code[-1], "label": profile.label},
            "vehiclePictures": {"pictures": []},
        }
    body["_embedded"] = {
        "extension": {"callCenterNumbers": [{"callType": "ECALL", "phoneNumber": "112"}]}
    }
    return dresser.sprinkle(body, "vehicle")


def _twelve_volt_health(vehicle: Vehicle) -> float:
    """What the API calls ``battery.voltage``: the 12 V battery's state in %, not volts."""
    return max(0.0, min(100.0, (vehicle.twelve_volt - 11.0) / 1.7 * 100))


def position(vehicle: Vehicle, dresser: Dresser, when: datetime) -> Json:
    """The car's last position as a GeoJSON Feature (longitude first)."""
    properties: Json = {
        "createdAt": dresser.time(when),
        "heading": dresser.number(round(vehicle.direction) % 360, 0),
        "type": "Acquire",
        "fixStatus": "3D",
        "signalQuality": 3 + _seed(vehicle, "gps") % 7,
    }
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(vehicle.position.lon, 6), round(vehicle.position.lat, 6), 12],
        },
        "properties": dresser.sprinkle(properties, "position"),
    }


def _clock(start: time | None) -> str:
    """A clock time as the cars write it, PT22H31M; PT0S when none is set."""
    return iso_duration(start.hour * 60 + start.minute) if start is not None else "PT0S"


def _charging(vehicle: Vehicle, dresser: Dresser) -> Json:
    if not vehicle.plugged:
        status = "Disconnected"
    elif vehicle.charging:
        status = "InProgress"
    elif vehicle.charge_state == "done":
        status = "Finished"
    else:
        status = "Stopped"
    rate = 0.0
    if vehicle.charging and vehicle.spec.consumption_wh_km:
        rate = vehicle.charge_power_kw * CHARGE_EFFICIENCY * 1000 / vehicle.spec.consumption_wh_km
    quick = vehicle.spec.charge_kw >= 22
    return {
        "plugged": vehicle.plugged,
        "status": status,
        "remainingTime": iso_duration(vehicle.minutes_to(vehicle.spec.charge_limit)),
        "chargingRate": dresser.number(rate, 0),
        "chargingMode": ("Quick" if quick else "Slow") if vehicle.charging else "No",
        "chargingPowerLevel": vehicle.charge_power_level or ("Level3" if quick else "Level1"),
        "nextDelayedTime": _clock(vehicle.delayed_start),
        "type": vehicle.charge_preference,
    }


def _energies(vehicle: Vehicle, dresser: Dresser, stamp: str) -> tuple[list[Json], list[Json]]:
    """The energy items in the new (``energies``) and the legacy (``energy``) shape."""
    spec = vehicle.spec
    modern: list[Json] = []
    legacy: list[Json] = []
    if spec.combustion and dresser.has("Fuel"):
        level = vehicle.fuel_l / spec.fuel_tank_l * 100
        item = {
            "createdAt": stamp,
            "type": "Fuel",
            "subType": "FossilEnergy",
            "level": dresser.number(level),
            "autonomy": dresser.number(vehicle.fuel_range_km(), 0),
        }
        modern.append(dresser.sprinkle(dict(item), "fuel"))
        legacy.append({**item, "updatedAt": stamp})
    if spec.electric and dresser.has("Electric"):
        item = {
            "createdAt": stamp,
            "type": "Electric",
            "subType": "ElectricEnergy",
            "level": dresser.number(vehicle.soc),
            "autonomy": dresser.number(vehicle.estimated_range_km(), 0),
        }
        charging = _charging(vehicle, dresser)
        health: Json = {"createdAt": stamp, "capacity": round(spec.soh)}
        if not dresser.has("capacity"):  # as many cars: the SoH only as resistance
            del health["capacity"]
        battery = {
            "load": {
                "createdAt": stamp,
                "capacity": round(spec.capacity_kwh * 1000 / 1.343),
                "residual": round(spec.capacity_kwh * vehicle.soc * 10 / 1.343),
            },
            "health": health | {"resistance": round(spec.soh)},
        }
        extension = {"electric": {"charging": dresser.sprinkle(dict(charging), "charging")}}
        extension["electric"]["battery"] = battery
        modern.append(dresser.sprinkle({**item, "extension": extension}, "electric"))
        legacy.append({**item, "updatedAt": stamp, "charging": charging, "battery": battery})
    return modern, legacy


def _doors(vehicle: Vehicle, dresser: Dresser, stamp: str) -> Json:
    locked = ["Locked"] if vehicle.locked else ["Unlocked"]
    key = "lockedState" if dresser.quirks.old_locked_key else "lockedStates"
    doors: Json = {"createdAt": stamp, key: locked}
    if dresser.has("opening"):
        doors["opening"] = [
            {"identifier": name, "state": "Open" if vehicle.doors[door] else "Closed"}
            for name, door in _OPENINGS
        ]
    return dresser.sprinkle(doors, "doors")


def _preconditioning(vehicle: Vehicle, stamp: str) -> Json:
    return {
        "airConditioning": {
            "createdAt": stamp,
            "updatedAt": stamp,
            "status": "Enabled" if vehicle.climate_on else "Disabled",
            "programs": [
                {
                    "enabled": program.enabled,
                    "slot": slot,
                    "recurrence": "Daily",
                    "start": iso_duration(program.start.hour * 60 + program.start.minute),
                    "occurence": {"day": list(program.days)},
                }
                for slot, program in sorted(vehicle.climate_programs.items())
            ],
        }
    }


def status(car: Car) -> Json:
    """``/user/vehicles/{id}/status``: everything in one answer, as the car reported it."""
    vehicle, profile, dresser, api_id, links, now = (
        car.vehicle,
        car.profile,
        car.dresser,
        car.api_id,
        car.links,
        car.now,
    )
    stamp = dresser.time(vehicle.reported_at)  # when the car last reported
    base = f"/user/vehicles/{api_id}"
    body: Json = {
        "createdAt": stamp,
        "updatedAt": stamp,
        "_links": {"self": links.link(f"{base}/status"), "vehicle": links.link(base)},
        "ignition": {"createdAt": stamp, "type": "Start" if vehicle.car_on else "Stop"},
        "privacy": {"createdAt": stamp, "state": "None"},
        "service": {
            "createdAt": stamp,
            "type": {"Electric": "Electric", "Hybrid": "Hybrid"}.get(
                profile.motorization, "Unknown"
            ),
        },
        "alarm": {
            "status": {"createdAt": stamp, "activation": "Active" if vehicle.locked else "Inactive"}
        },
    }
    if dresser.has("lastPosition"):
        body["lastPosition"] = position(vehicle, dresser, now)
    if dresser.has("battery"):
        body["battery"] = {
            "createdAt": stamp,
            "voltage": dresser.number(_twelve_volt_health(vehicle)),
            "current": 0,
        }
    if dresser.has("environment"):
        body["environment"] = {
            "air": {"createdAt": stamp, "temp": dresser.number(vehicle.ambient_temp)},
            "luminosity": {"createdAt": stamp, "day": 7 <= now.hour < 17},
        }
    if dresser.has("odometer"):
        body["odometer"] = {"createdAt": stamp, "mileage": dresser.number(vehicle.odometer_km)}
    if dresser.has("kinetic"):
        body["kinetic"] = {
            "createdAt": stamp,
            "moving": vehicle.speed_kmh > 0.5,
            "speed": dresser.number(vehicle.speed_kmh),
            "acceleration": 0,
        }
    if dresser.has("doorsState"):
        body["doorsState"] = _doors(vehicle, dresser, stamp)
    layout = dresser.quirks.layout
    if dresser.has("preconditioning"):
        if layout != "legacy":
            body["preconditioning"] = _preconditioning(vehicle, stamp)
        if layout != "modern":
            body["preconditionning"] = _preconditioning(vehicle, stamp)
    modern, legacy = _energies(vehicle, dresser, stamp)
    if layout != "legacy":
        body["energies"] = modern
    if layout != "modern":
        body["energy"] = legacy
    if vehicle.spec.combustion:
        engine_temp = 90.0 if vehicle.engine_running else vehicle.ambient_temp
        body["engines"] = [
            {
                "createdAt": stamp,
                "type": "Thermic",
                "extension": {"thermic": {"coolant": {"temp": round(engine_temp)}}},
            }
        ]
    return dresser.sprinkle(body, "status")


def alerts(car: Car) -> list[Json]:
    """The car's alerts, newest first: those raised in the world, then a fixed history."""
    vehicle, dresser, api_id, links = car.vehicle, car.dresser, car.api_id, car.links
    count = 4 + _seed(vehicle, "alerts") % 9
    items = []
    for index in range(count):
        kind = _ALERT_TYPES[(_seed(vehicle, f"alert{index}")) % len(_ALERT_TYPES)]
        started = vehicle.created - timedelta(days=3 * index + 1, hours=index)
        active = index < _seed(vehicle, "active") % 3
        alert_id = hashlib.sha256(f"{vehicle.id}/alert/{index}".encode()).hexdigest()
        item: Json = {
            "id": alert_id,
            "active": active,
            "type": kind,
            "severity": ("Information", "Warning", "Critical")[index % 3],
            "startedAt": dresser.time(started),
            "createdAt": dresser.time(started),
            "updatedAt": dresser.time(started + timedelta(hours=2)),
            "_links": {"self": links.link(f"/user/vehicles/{api_id}/alerts/{alert_id}")},
        }
        if not active:
            item["endAt"] = dresser.time(started + timedelta(hours=2))
        items.append(dresser.sprinkle(item, f"alert{index}"))
    for kind, since in vehicle.alerts:  # oldest first, so the newest ends up first
        if kind == "FuelLevelLow" and not vehicle.fuel_low():
            continue  # refuelled (through the admin API) since
        alert_id = hashlib.sha256(f"{vehicle.id}/{kind}/{since.isoformat()}".encode()).hexdigest()
        items.insert(
            0,
            {
                "id": alert_id,
                "active": True,
                "type": kind,
                "severity": "Warning",
                "startedAt": dresser.time(since),
                "updatedAt": dresser.time(since),
                "_links": {"self": links.link(f"/user/vehicles/{api_id}/alerts/{alert_id}")},
            },
        )
    return items


def maintenance(car: Car) -> Json:
    """Days and kilometres until the next service (negative when overdue)."""
    vehicle, dresser, api_id, links, now = car.vehicle, car.dresser, car.api_id, car.links, car.now
    days = _seed(vehicle, "service") % 400 - 20
    km = 20000 - vehicle.odometer_km % 20000
    body: Json = {
        "createdAt": dresser.time(now - timedelta(days=1)),
        "updatedAt": dresser.time(now - timedelta(days=1)),
        "daysBeforeMaintenance": dresser.number(days, 0),
        "mileageBeforeMaintenance": dresser.number(km),
        "_links": {
            "self": links.link(f"/user/vehicles/{api_id}/maintenance"),
            "vehicle": links.link(f"/user/vehicles/{api_id}"),
        },
    }
    return dresser.sprinkle(body, "maintenance")


def _consumptions(km: float, kwh: float, fuel_l: float) -> list[Json]:
    """Per energy: the total (kWh, L) and the average per 100 km (Wh, cL: the spec's units)."""
    found: list[Json] = []
    if kwh > 0 and km > 0:
        found.append(
            {
                "type": "Electric",
                "consumption": round(kwh, 2),
                "avgConsumption": round(kwh * 1e5 / km),
            }
        )
    if fuel_l > 0 and km > 0:
        found.append(
            {
                "type": "Fuel",
                "consumption": round(fuel_l, 2),
                "avgConsumption": round(fuel_l * 1e4 / km),
            }
        )
    return found


def trips(car: Car) -> list[Json]:
    """The car's trips, newest first: those it drove in the world, then a synthetic history."""
    vehicle, dresser, api_id, links, now = car.vehicle, car.dresser, car.api_id, car.links, car.now
    spec = vehicle.spec
    driven = [
        (trip.started, trip.stopped, trip.km, trip.start_km, trip.energy_kwh, trip.fuel_l)
        for trip in reversed(vehicle.trips)
    ]
    anchor = vehicle.trips[0].started if vehicle.trips else now
    mileage = vehicle.trips[0].start_km if vehicle.trips else vehicle.odometer_km
    history = []
    for index in range(6 + _seed(vehicle, "trips") % 10):
        distance = 4.0 + _seed(vehicle, f"trip{index}") % 300 / 10
        stopped = anchor - timedelta(hours=11 * index + 2)
        started = stopped - timedelta(minutes=distance * 1.6)
        mileage -= distance
        kwh = distance * spec.consumption_wh_km / 1000 if spec.electric else 0.0
        fuel = 0.0 if spec.electric else distance * spec.fuel_l_100km / 100
        history.append((started, stopped, distance, mileage, kwh, fuel))
    items = []
    for index, (started, stopped, distance, start_km, kwh, fuel) in enumerate(driven + history):
        trip_id = hashlib.sha256(f"{vehicle.id}/trip/{started.isoformat()}".encode()).hexdigest()
        trip_id = trip_id[:40]
        item: Json = {
            "id": trip_id,
            "createdAt": dresser.time(stopped),
            "updatedAt": dresser.time(stopped),
            "startedAt": dresser.time(started),
            "stoppedAt": dresser.time(stopped),
            "distance": dresser.number(round(distance, 1)),
            "duration": round((stopped - started).total_seconds()),
            "startMileage": dresser.number(round(start_km, 1)),
            "done": True,
            "_links": {"self": links.link(f"/user/vehicles/{api_id}/trips/{trip_id}")},
        }
        if consumptions := _consumptions(distance, kwh, fuel):
            item["energyConsumptions"] = consumptions
        items.append(dresser.sprinkle(item, f"trip{index}"))
    return items
