"""Parse Stellantis connected-car API v4 answers into the brand-neutral model.

The API promises that fields come and go ("your application has to support
evolution regarding the schema"), and real payloads show it. What this module
tolerates, each without raising (a field it cannot read is dropped with a
debug log; only a body of the wrong JSON type raises ProtocolError):

* Missing blocks: any of lastPosition, energies/energy, doorsState (and its
  ``opening`` list), kinetic, odometer, environment, battery, preconditioning,
  ignition; unknown fields anywhere.
* Legacy duplicates: ``energies`` (charging under ``extension.electric``) or
  ``energy`` (charging directly on the item), the newer winning per energy
  type; ``preconditioning`` or the misspelt ``preconditionning``;
  ``lockedStates`` (list) or ``lockedState`` (list or text); ``odometer``,
  ``timed.odometer`` or ``_embedded.extension.odemeter``; ``kinetic`` at the
  top or under ``_embedded.extension``.
* Mistyped values: numbers as text, comma decimals (``"12978,9"``, the
  spec's own example), booleans as "true"/"false" text, ``familyCode`` and
  labels as numbers, heading as text.
* Times: RFC 3339 with ``Z`` or an offset, fractions, lowercase ``t``/``z``,
  ``+0000`` without colon, a space for ``T``, and the docs' legacy
  ``Mon Jun 03 08:35:36 GMT 2019``; each block's ``createdAt`` or
  ``updatedAt``, else the status's own.
* Vehicles: brand from ``brandCode`` (AP/P, AC/C, DS/D, OP/O, VX/V), the
  deprecated ``brand``/``label``/``pictures``, ``extension.branding`` or
  ``vehicleExtension.vehicleBranding``; powertrain from ``motorization``,
  then ``fuelType``.
* A ``Fuel`` energy item with level 0 and no autonomy is the phantom tank
  that electric cars report; it is dropped.
* Trips: the one under way (``done: false``) skipped; a negative or
  unreadable distance, duration or average consumption dropped. Alerts: one
  without a readable type or start is counted, never the newest. Climate
  programs: without ``slot`` (real payloads) their place in the list is the
  slot; slots outside 1-4 and repeats dropped.

``battery.voltage`` is, despite its name, the 12 V battery's state in % (the
spec says so, and real values are 80-99): it becomes
``twelve_volt_battery_health`` in %, never a voltage. ``chargingRate`` is
range gained per hour (km/h), so it is ``charging_rate``, not a power.
The charging block's ``type`` (Partial/Full) is the charge limit and
``chargingPowerLevel`` the power level, the two ``RemoteCharging.preferences``
set. ``nextDelayedTime`` is read as the delayed start's time of day (a
duration after midnight, as the spec writes programme times): the spec calls
it the duration until the next charge, but real cars report PT22H31M and
PT21H30M, clock times, and the remote that sets it takes a clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import logging
import re
from typing import Any, Final

from .. import readings as keys
from ..coerce import as_object, as_position
from ..errors import ProtocolError
from ..models import Command, DataGroup, Location, Powertrain, Reading, Value, Vehicle, VehicleState
from .values import flag, minutes, number, obj, objects, text, when

_LOGGER = logging.getLogger(__name__)

# What one /status call holds (the lock and doors with it: the watch of a parked car).
STATUS_GROUPS: Final = frozenset(
    {
        DataGroup.LOCK_AND_DOORS,
        DataGroup.LOCKS_OPENINGS,
        DataGroup.ENERGY,
        DataGroup.LOCATION,
        DataGroup.ODOMETER_TRIPS,
    }
)
BASE_COMMANDS: Final = frozenset(
    {
        Command.LOCK,
        Command.UNLOCK,
        Command.HONK,
        Command.FLASH,
        Command.CLIMATE_START,
        Command.CLIMATE_STOP,
        Command.WAKE_UP,
        Command.SEND_DESTINATION,
        Command.SET_CLIMATE_PROGRAM,
    }
)
CHARGE_COMMANDS: Final = frozenset(
    {
        Command.CHARGE_START,
        Command.CHARGE_STOP,
        Command.SET_CHARGE_LIMIT,
        Command.SET_CHARGING_POWER_LEVEL,
        Command.SET_DELAYED_CHARGE_START,
    }
)

_BRAND_NAMES: Final = {
    "AP": "Peugeot", "P": "Peugeot", "PEUGEOT": "Peugeot",
    "AC": "Citroën", "C": "Citroën", "CITROEN": "Citroën", "CITROËN": "Citroën",
    "DS": "DS", "D": "DS",
    "OP": "Opel", "O": "Opel", "OPEL": "Opel",
    "VX": "Vauxhall", "V": "Vauxhall", "VAUXHALL": "Vauxhall",
}  # fmt: skip
_POWERTRAINS: Final = {
    "electric": Powertrain.ELECTRIC,
    "hybrid": Powertrain.HYBRID,
    "thermic": Powertrain.COMBUSTION,
    "hydrogen": Powertrain.ELECTRIC,
    "gas": Powertrain.COMBUSTION,
    "petrol": Powertrain.COMBUSTION,
    "diesel": Powertrain.COMBUSTION,
}
_CHARGING_STATES: Final = {
    "inprogress": "charging",
    "finished": "done",
    "stopped": "stopped",
    "disconnected": "stopped",
    "failure": "error",
}
_CHARGING_MODES: Final = {"no": "not_charging", "slow": "slow", "quick": "quick"}
_CHARGE_LIMITS: Final = {"partial": "partial", "full": "full"}
_POWER_LEVELS: Final = {f"level{n}": f"level_{n}" for n in range(1, 6)}
_MINUTES_A_DAY: Final = 24 * 60
_OPENINGS: Final = {
    "driver": keys.DOORS["front_left"],
    "passenger": keys.DOORS["front_right"],
    "rearleft": keys.DOORS["rear_left"],
    "rearright": keys.DOORS["rear_right"],
    "trunk": keys.TAILGATE,
    "hood": keys.HOOD,
    "roofwindow": keys.SUNROOF,
}
# Per energy type: the reading, its unit, and what divides the API's Wh or cL into it.
_TRIP_CONSUMPTIONS: Final = {
    "electric": (keys.LAST_TRIP_ENERGY_CONSUMPTION, "kWh/100km", 1000),
    "fuel": (keys.LAST_TRIP_FUEL_CONSUMPTION, "L/100km", 100),
}
_CAMEL_BOUNDARY: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_UNLOCKED: Final = frozenset({"unlocked", "driverdoorunlocked", "cabindoorsunlocked"})
_LOCKED: Final = frozenset({"locked", "superlocked"})


@dataclass(frozen=True, slots=True)
class VehicleEntry:
    """A vehicle and the links the API gave for it (status, alerts, remotes, ...)."""

    vehicle: Vehicle
    links: dict[str, str]


# Collections and links


def links_of(body: dict[str, Any]) -> dict[str, str]:
    """The hrefs of ``_links`` by name (non-text hrefs dropped)."""
    found = {}
    for name, link in obj(body.get("_links")).items():
        href = obj(link).get("href")
        if isinstance(href, str) and href.strip():
            found[name] = href.strip()
    return found


def page_items(body: Any, key: str, what: str) -> tuple[list[dict[str, Any]], str | None]:
    """The items of one collection page under ``_embedded.<key>``, and its ``next`` href."""
    page = as_object(body, what)
    items = obj(page.get("_embedded")).get(key)
    if items is not None and not isinstance(items, list):
        _LOGGER.debug("%s: _embedded.%s is not a list", what, key)
    return objects(items), links_of(page).get("next")


# Vehicles


def _brand_name(item: dict[str, Any]) -> str | None:
    extension = obj(item.get("extension"))
    legacy_extension = obj(item.get("vehicleExtension"))
    candidates = (
        text(obj(extension.get("branding")).get("brand")),
        text(item.get("brand")),
        text(item.get("brandCode")),
        text(obj(legacy_extension.get("vehicleBranding")).get("brand")),
    )
    for candidate in candidates:
        if candidate:
            return _BRAND_NAMES.get(candidate.upper(), candidate if len(candidate) > 2 else None)
    return None


def _model(item: dict[str, Any]) -> str | None:
    return (
        text(obj(obj(item.get("extension")).get("branding")).get("label"))
        or text(item.get("label"))
        or text(obj(obj(item.get("vehicleExtension")).get("vehicleBranding")).get("label"))
        or text(item.get("familyCode"))
    )


def _picture(item: dict[str, Any]) -> str | None:
    """The first absolute picture URL: https, or http (a simulator on loopback serves that)."""
    for pictures in (
        obj(obj(item.get("extension")).get("pictures")).get("pictures"),
        item.get("pictures"),
    ):
        if isinstance(pictures, list):
            for url in pictures:
                if isinstance(url, str) and url.startswith(("https://", "http://")):
                    return url
    return None


def _powertrain(item: dict[str, Any]) -> Powertrain:
    for field in ("motorization", "fuelType"):
        value = text(item.get(field))
        if value and value.lower() in _POWERTRAINS:
            return _POWERTRAINS[value.lower()]
    return Powertrain.UNKNOWN


def parse_vehicle(item: Any) -> VehicleEntry | None:
    """One vehicle resource; None when it has no id to address it by."""
    if not isinstance(item, dict):
        return None
    vehicle_id = text(item.get("id"))
    if vehicle_id is None:
        _LOGGER.debug("Skipping a vehicle without id")
        return None
    links = links_of(item)
    brand = _brand_name(item)
    model = _model(item)
    powertrain = _powertrain(item)
    capabilities = set(STATUS_GROUPS)
    if "alerts" in links or "maintenance" in links:
        capabilities.add(DataGroup.HEALTH)
    commands: frozenset[Command] = frozenset()
    if "remotes" in links:
        commands = BASE_COMMANDS
        if powertrain in (Powertrain.ELECTRIC, Powertrain.HYBRID):
            commands |= CHARGE_COMMANDS
    vin = text(item.get("vin"))
    name = " ".join(part for part in (brand, model) if part) or vin or vehicle_id[:12]
    vehicle = Vehicle(
        id=vehicle_id,
        name=name,
        brand=brand,
        model=model,
        vin=vin,
        powertrain=powertrain,
        image_url=_picture(item),
        capabilities=frozenset(capabilities),
        commands=commands,
    )
    return VehicleEntry(vehicle, links)


# Status


class _Readings:
    """Collects readings, each stamped with its block's time."""

    def __init__(self, fallback: datetime | None) -> None:
        self.fallback = fallback
        self.values: dict[str, Reading] = {}

    def stamp(self, block: dict[str, Any]) -> datetime | None:
        return when(block.get("createdAt")) or when(block.get("updatedAt")) or self.fallback

    def add(self, key: str, value: Value | None, unit: str | None, block: dict[str, Any]) -> None:
        if value is not None:
            self.values[key] = Reading(value, unit, self.stamp(block))


def _energies(status: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per energy type (Electric, Fuel): the item and its charging block, newer shape first."""
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for key, modern in (("energies", True), ("energy", False)):
        for item in objects(status.get(key)):
            kind = text(item.get("type"))
            if kind is None or kind.capitalize() in found:
                continue
            electric = obj(obj(item.get("extension")).get("electric"))
            charging = obj(electric.get("charging")) if modern else {}
            found[kind.capitalize()] = (item, charging or obj(item.get("charging")))
    return found


def _add_energy(status: dict[str, Any], out: _Readings) -> None:
    energies = _energies(status)
    if "Electric" in energies:
        item, charging = energies["Electric"]
        out.add(keys.BATTERY_LEVEL, number(item.get("level"), "level"), "%", item)
        out.add(keys.ELECTRIC_RANGE, number(item.get("autonomy"), "autonomy"), "km", item)
        health = obj(
            obj(obj(obj(item.get("extension")).get("electric")).get("battery")).get("health")
        )
        health = health or obj(obj(item.get("battery")).get("health"))
        # Many cars give only resistance, which psa_car_controller records as
        # the SoH; a 0 in either is "not measured".
        soh = number(health.get("capacity"), "health.capacity") or number(
            health.get("resistance"), "health.resistance"
        )
        out.add(keys.STATE_OF_HEALTH, soh or None, "%", item)
        _add_charging(charging, item, out)
    if "Fuel" in energies:
        item, _charging = energies["Fuel"]
        level = number(item.get("level"), "level")
        if level == 0 and item.get("autonomy") is None:
            _LOGGER.debug("Dropping the empty Fuel item electric cars report")
        else:
            out.add(keys.FUEL_LEVEL, level, "%", item)
            out.add(keys.FUEL_RANGE, number(item.get("autonomy"), "autonomy"), "km", item)


def _add_charging(charging: dict[str, Any], item: dict[str, Any], out: _Readings) -> None:
    if not charging:
        return
    stamp = charging if ("createdAt" in charging or "updatedAt" in charging) else item
    plugged = flag(charging.get("plugged"), "plugged")
    raw_status = text(charging.get("status"))
    state = _CHARGING_STATES.get(raw_status.lower()) if raw_status else None
    delayed = minutes(charging.get("nextDelayedTime"), "nextDelayedTime")
    if plugged and state == "stopped" and delayed:
        state = "timerwait"
    out.add(keys.PLUGGED_IN, plugged, None, stamp)
    out.add(keys.CHARGING_STATE, state, None, stamp)
    out.add(keys.CHARGING, None if raw_status is None else state == "charging", None, stamp)
    out.add(keys.CHARGING_RATE, number(charging.get("chargingRate"), "chargingRate"), "km/h", stamp)
    remaining = minutes(charging.get("remainingTime"), "remainingTime")
    out.add(keys.CHARGE_TIME_REMAINING, remaining, "min", stamp)
    out.add(keys.CHARGING_MODE, _option(charging, "chargingMode", _CHARGING_MODES), None, stamp)
    out.add(keys.CHARGE_LIMIT, _option(charging, "type", _CHARGE_LIMITS), None, stamp)
    level = _option(charging, "chargingPowerLevel", _POWER_LEVELS)
    out.add(keys.CHARGING_POWER_LEVEL, level, None, stamp)
    start = delayed if delayed is not None and delayed < _MINUTES_A_DAY else None
    out.add(keys.DELAYED_CHARGE_START, None if start is None else round(start), "min", stamp)


def _option(block: dict[str, Any], field: str, options: dict[str, str]) -> str | None:
    """A known enum value, case-insensitively; None (the entity unknown) for any other."""
    raw = text(block.get(field))
    return options.get(raw.lower()) if raw else None


def _locked(raw: Any) -> bool | None:
    states = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    names = {s.lower() for s in states if isinstance(s, str)}
    if names & _UNLOCKED:
        return False
    if names & _LOCKED:
        return True
    return None


def _add_doors(status: dict[str, Any], out: _Readings) -> None:
    doors = obj(status.get("doorsState"))
    locked_states = doors.get("lockedStates", doors.get("lockedState"))
    out.add(keys.CENTRAL_LOCK, _locked(locked_states), None, doors)
    for opening in objects(doors.get("opening")):
        identifier, state = text(opening.get("identifier")), text(opening.get("state"))
        key = _OPENINGS.get(identifier.lower()) if identifier else None
        if key is None or state is None or state.lower() not in ("open", "closed"):
            continue
        out.add(key, state.lower() == "open", None, doors)


def _extension(status: dict[str, Any]) -> dict[str, Any]:
    return obj(obj(status.get("_embedded")).get("extension"))


def _add_motion(status: dict[str, Any], out: _Readings) -> None:
    extension = _extension(status)
    odometer = next(
        (
            block
            for block in (
                obj(status.get("odometer")),
                obj(status.get("timed.odometer")),
                obj(extension.get("odometer")),
                obj(extension.get("odemeter")),
            )
            if "mileage" in block
        ),
        {},
    )
    out.add(keys.ODOMETER, number(odometer.get("mileage"), "mileage"), "km", odometer)
    kinetic = obj(status.get("kinetic")) or obj(extension.get("kinetic"))
    out.add(keys.MOVING, flag(kinetic.get("moving"), "moving"), None, kinetic)
    out.add(keys.SPEED, number(kinetic.get("speed"), "speed"), "km/h", kinetic)
    ignition = obj(status.get("ignition"))
    kind = text(ignition.get("type"))
    out.add(keys.IGNITION, kind.lower() if kind else None, None, ignition)
    out.add(
        keys.CAR_ON, None if kind is None else kind.lower() in ("start", "startup"), None, ignition
    )


def _add_cabin(status: dict[str, Any], out: _Readings) -> None:
    air = obj(obj(status.get("environment")).get("air"))
    out.add(keys.TEMPERATURE_AMBIENT, number(air.get("temp"), "air.temp"), "°C", air)
    battery = obj(status.get("battery"))
    out.add(
        keys.TWELVE_VOLT_BATTERY_HEALTH, number(battery.get("voltage"), "voltage"), "%", battery
    )
    conditioning = obj(
        obj(status.get("preconditioning") or status.get("preconditionning")).get("airConditioning")
    )
    for slot, program in climate_programs(status).items():
        out.add(
            keys.CLIMATE_PROGRAM[slot], flag(program.get("enabled"), "enabled"), None, conditioning
        )
        start = minutes(program.get("start"), "program.start")
        start = None if start is None or start >= _MINUTES_A_DAY else round(start)
        out.add(keys.CLIMATE_PROGRAM_START[slot], start, "min", conditioning)
    climate = text(conditioning.get("status"))
    out.add(
        keys.CLIMATE_ON,
        None if climate is None else climate.lower() == "enabled",
        None,
        conditioning,
    )


def climate_programs(status: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The air-conditioning programs by slot (1-4); without ``slot``, by their place in the list."""
    conditioning = obj(
        obj(status.get("preconditioning") or status.get("preconditionning")).get("airConditioning")
    )
    found: dict[int, dict[str, Any]] = {}
    for place, program in enumerate(objects(conditioning.get("programs")), start=1):
        slot = number(program.get("slot"), "slot")
        slot_number = int(slot) if slot is not None and slot.is_integer() else place
        if slot_number in keys.CLIMATE_PROGRAM_SLOTS and slot_number not in found:
            found[slot_number] = program
    return found


def _location(status: dict[str, Any], fallback: datetime | None) -> Location | None:
    feature = obj(status.get("lastPosition"))
    coordinates = obj(feature.get("geometry")).get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    position = as_position(number(coordinates[1], "latitude"), number(coordinates[0], "longitude"))
    if position is None:
        return None
    latitude, longitude = position
    properties = obj(feature.get("properties"))
    heading = number(properties.get("heading"), "heading")
    kinetic = obj(status.get("kinetic")) or obj(_extension(status).get("kinetic"))
    return Location(
        latitude=latitude,
        longitude=longitude,
        heading=heading if heading is not None and 0 <= heading <= 360 else None,
        speed=number(kinetic.get("speed"), "speed"),
        altitude=number(coordinates[2], "altitude") if len(coordinates) > 2 else None,
        observed_at=when(properties.get("createdAt"))
        or when(properties.get("updatedAt"))
        or fallback,
    )


def parse_status(body: Any) -> VehicleState:
    """``/user/vehicles/{id}/status``: every reading it holds, and the location."""
    status = as_object(body, "status")
    fallback = when(status.get("updatedAt")) or when(status.get("createdAt"))
    out = _Readings(fallback)
    _add_energy(status, out)
    _add_doors(status, out)
    _add_motion(status, out)
    _add_cabin(status, out)
    return VehicleState(out.values, _location(status, fallback))


# Trips


def parse_last_trip(items: list[dict[str, Any]]) -> VehicleState:
    """The newest finished trip among ``items`` (a page of ``/trips``, newest first).

    A trip with ``done: false`` is the one under way, skipped. ``avgConsumption``
    comes in Wh/100 km (electric) and cL/100 km (fuel), units Home Assistant
    does not have: it is scaled to kWh/100 km and L/100 km here.
    """
    trip = next((item for item in items if flag(item.get("done"), "done") is not False), None)
    if trip is None:
        return VehicleState()
    out = _Readings(when(trip.get("stoppedAt")) or when(trip.get("createdAt")))
    found: dict[str, tuple[float | None, str]] = {
        keys.LAST_TRIP_DISTANCE: (number(trip.get("distance"), "trip.distance"), "km"),
        keys.LAST_TRIP_DURATION: (number(trip.get("duration"), "trip.duration"), "s"),
    }
    for consumption in objects(trip.get("energyConsumptions")):
        kind = (text(consumption.get("type")) or "").lower()
        average = number(consumption.get("avgConsumption"), "avgConsumption")
        if kind in _TRIP_CONSUMPTIONS and average is not None:
            reading, unit, divisor = _TRIP_CONSUMPTIONS[kind]
            found[reading] = (average / divisor, unit)
    for name, (value, unit) in found.items():
        if value is not None and value < 0:
            _LOGGER.debug("Ignoring a negative %s", name)
        else:
            out.add(name, value, unit, {})  # every value stamped with the trip's end
    return VehicleState(out.values)


# Health


def parse_alerts(items: list[dict[str, Any]]) -> VehicleState:
    """The number of active alerts among ``items`` (every page of ``/alerts``), and the newest.

    The newest is the active alert that began last; an alert without a readable
    start time cannot be ordered and is only counted.
    """
    active = [item for item in items if flag(item.get("active"), "active")]
    stamps = [
        t for item in active if (t := when(item.get("updatedAt")) or when(item.get("startedAt")))
    ]
    found: dict[str, Reading] = {
        keys.ALERTS_ACTIVE: Reading(len(active), None, max(stamps, default=None))
    }
    started = [
        (t, code)
        for item in active
        if (t := when(item.get("startedAt")) or when(item.get("createdAt")))
        and (code := text(item.get("type")))
    ]
    if started:
        since, code = max(started)
        kind = _CAMEL_BOUNDARY.sub("_", code).lower()
        if kind not in keys.ALERT_TYPES:
            _LOGGER.debug("Unknown alert type %s", code)
            kind = "other"
        found[keys.LATEST_ALERT] = Reading(kind, None, since)
        found[keys.LATEST_ALERT_CODE] = Reading(code, None, since)
        found[keys.LATEST_ALERT_STARTED] = Reading(since, None, since)
    return VehicleState(found)


def parse_maintenance(body: Any) -> VehicleState:
    """``/maintenance``: days and km until the next service (negative when overdue)."""
    maintenance = as_object(body, "maintenance")
    out = _Readings(None)
    out.add(
        keys.TIME_TO_SERVICE,
        number(maintenance.get("daysBeforeMaintenance"), "days"),
        "d",
        maintenance,
    )
    out.add(
        keys.DISTANCE_TO_SERVICE,
        number(maintenance.get("mileageBeforeMaintenance"), "mileage"),
        "km",
        maintenance,
    )
    return VehicleState(out.values)


# Callbacks and remotes


def callback_id(body: Any) -> str:
    """The id of a registered callback (``callbackId``, or ``id`` as UserCallback has it)."""
    answer = as_object(body, "callback")
    found = text(answer.get("callbackId")) or text(answer.get("id"))
    if found is None:
        raise ProtocolError("callback: the answer names no callback id")
    return found


def find_callback(items: list[dict[str, Any]], label: str, target: str) -> str | None:
    """The id of the listed callback (UserCallback) with this label and webhook target."""
    for item in items:
        webhook = obj(obj(obj(item.get("subscribe")).get("callback")).get("webhook"))
        found = text(item.get("id"))
        if found and text(item.get("label")) == label and webhook.get("target") == target:
            return found
    return None


def remote_action_id(body: Any) -> str:
    """The id of a remote action the API accepted."""
    found = text(as_object(body, "remote").get("remoteActionId"))
    if found is None:
        raise ProtocolError("remote: the answer names no remoteActionId")
    return found


@dataclass(frozen=True, slots=True)
class RemoteProgress:
    """Where a remote action stands: its status and, once failed, why."""

    action_id: str
    status: str
    failure_cause: str | None
    done: bool


FINAL_STATUSES: Final = frozenset({"success", "alreadydone", "failed"})


def parse_remote_action(body: Any) -> RemoteProgress | None:
    """``GET .../remotes/{rid}``: the action's progress (None when it says nothing)."""
    action = as_object(body, "remote action")
    action_id, status = text(action.get("remoteActionId")), text(action.get("status"))
    if action_id is None or status is None:
        return None
    cause = text(action.get("failureCause"))
    return RemoteProgress(action_id, status, cause, status.lower() in FINAL_STATUSES)


def parse_webhook(payload: Any) -> list[RemoteProgress]:
    """The remote events in a webhook body (one Message, or a batch of them)."""
    if isinstance(payload, dict):
        messages = [payload]
    elif isinstance(payload, list):
        messages = objects(payload)
    else:
        raise ProtocolError(f"webhook: expected a JSON object, got {type(payload).__name__}")
    found = []
    for message in messages:
        event = obj(message.get("remoteEvent"))
        action_id = text(event.get("remoteActionId"))
        progress = obj(event.get("eventStatus"))
        status = text(progress.get("status"))
        if action_id is None or status is None:
            continue  # a monitor event, or nothing we can use
        kind = text(progress.get("type"))
        done = (kind or "").lower() == "done" or status.lower() in FINAL_STATUSES
        found.append(RemoteProgress(action_id, status, text(progress.get("failureCause")), done))
    return found
