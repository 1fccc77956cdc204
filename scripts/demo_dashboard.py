"""The demo's Garage dashboard, built from Home Assistant's device and entity registries.

One section per car (its picture with the doors and windows over it, battery or fuel,
range, lock, climate and charging) and a map of all cars, from Home Assistant's built-in
cards only. Entities are found by what they are (platform, domain and translation key),
never by entity id, so the dashboard survives renamed or merged entities: each slot takes
the first candidate the car has, and a slot the car has nothing for is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import zip_longest
import re
from typing import Any

DOMAIN = "connected_vehicle"
URL_PATH = "dashboard-garage"
TITLE = "Garage"
ICON = "mdi:garage-variant"

type Json = dict[str, Any]

# Slot -> candidates, best first: (entity domain, translation key or None for any).
PICTURE = (("image", None),)
LOCATION = (("device_tracker", None),)
ODOMETER = (("sensor", "odometer"),)
BATTERY = (("sensor", "battery_level"),)
FUEL_LEVEL = (("sensor", "fuel_level"),)  # a percentage
FUEL_AMOUNT = (("sensor", "fuel_amount"),)  # litres, where the car gives no level
RANGES = (("sensor", "electric_range"), ("sensor", "fuel_range"))
LOCK = (("lock", None), ("binary_sensor", "central_lock"))
CLIMATE = (("climate", None),)
CHARGING = (
    ("switch", "charging_switch"),
    ("binary_sensor", "charging"),
    ("sensor", "charging_state"),
)
CLIMATE_MODES = {"type": "climate-hvac-modes", "style": "icons", "hvac_modes": ["off", "heat_cool"]}
OPENINGS = tuple(
    ("binary_sensor", key)
    for key in (
        "door_front_left",
        "door_front_right",
        "door_rear_left",
        "door_rear_right",
        "tailgate",
        "hood",
        "window_front_left",
        "window_front_right",
        "window_rear_left",
        "window_rear_right",
        "sunroof",
    )
)


@dataclass(frozen=True)
class Car:
    """A car's device and its entities, by (domain, translation key)."""

    name: str
    manufacturer: str
    model: str
    entities: Mapping[tuple[str, str | None], str]  # (domain, translation key) -> entity id

    @property
    def label(self) -> str:
        """The name without the make in front ("e-208" for "Peugeot e-208"), for a map marker.

        Its hyphens do not break (a marker is narrow: "e-" over "208" reads badly).
        """
        short = self.name.removeprefix(self.manufacturer + " ") if self.manufacturer else self.name
        return short.replace("-", "\N{NON-BREAKING HYPHEN}")

    def first(self, candidates: Iterable[tuple[str, str | None]]) -> str | None:
        """The entity of the first candidate the car has."""
        return next((self.find(*c) for c in candidates if self.find(*c)), None)

    def every(self, candidates: Iterable[tuple[str, str | None]]) -> list[str]:
        """The entities of every candidate the car has, in the candidates' order."""
        return [e for c in candidates if (e := self.find(*c))]

    def find(self, domain: str, key: str | None) -> str | None:
        """The entity of that domain with that translation key (any key: None)."""
        if key is not None:
            return self.entities.get((domain, key))
        return next((e for (d, _k), e in sorted(self.entities.items()) if d == domain), None)


def cars(devices: list[Json], entities: list[Json]) -> list[Car]:
    """This integration's cars: devices with a location, a lock or energy, an account at a time.

    An account's device (an API call counter) is no car; disabled or hidden entities are left
    out, diagnostic ones not (a car's location is one).
    """
    by_device: dict[str, dict[tuple[str, str | None], str]] = {}
    for entity in entities:
        if (
            entity.get("platform") != DOMAIN
            or entity.get("disabled_by")
            or entity.get("hidden_by")
            or not entity.get("device_id")
        ):
            continue
        entity_id = str(entity["entity_id"])
        key = (entity_id.split(".", 1)[0], entity.get("translation_key"))
        by_device.setdefault(str(entity["device_id"]), {}).setdefault(key, entity_id)
    accounts: dict[str, list[Car]] = {}  # config entry -> its cars
    for device in devices:
        if device.get("id") not in by_device:
            continue
        car = Car(
            name=str(device.get("name_by_user") or device.get("name") or "Car"),
            manufacturer=str(device.get("manufacturer") or ""),
            model=str(device.get("model") or ""),
            entities=by_device[device["id"]],
        )
        if car.first(LOCATION + LOCK + BATTERY + FUEL_LEVEL + FUEL_AMOUNT):
            entry = (device.get("config_entries") or [""])[0]
            accounts.setdefault(entry, []).append(car)
    # Taken in turns, account by account: the first row shows one car of each.
    return [car for turn in zip_longest(*accounts.values()) for car in turn if car]


def _tile(entity: str, *features: Json) -> Json:
    """A tile named by the entity alone ("Battery level", not "XC40 Battery level")."""
    card: Json = {"type": "tile", "entity": entity, "name": {"type": "entity"}}
    if features:
        card |= {"features": list(features), "features_position": "bottom"}
    return card


def _picture(car: Car, pictures_url: str) -> Json:
    """The car's own picture (or the simulator's drawing of its model), doors and windows on it."""
    image = car.first(PICTURE)
    source: Json = (
        {"image_entity": image}
        if image
        else {"image": f"{pictures_url}/{_slug(car.model or car.name)}.svg"}
    )
    openings = car.every(OPENINGS)
    if not openings:
        return {"type": "picture", **source, "grid_options": {"columns": 12}}
    return {
        "type": "picture-glance",
        **source,
        "entities": openings,
        "aspect_ratio": "16:9",
        "grid_options": {"columns": 12},
    }


def _is(entity: str, domain: str) -> bool:
    """Whether the entity is of that domain (its id starts with it, by Home Assistant's rule)."""
    return entity.startswith(domain + ".")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def car_section(car: Car, pictures_url: str) -> Json:
    """One car: a heading with where it is, its picture, then a tile per slot it has."""
    battery, tracker, odometer = car.first(BATTERY), car.first(LOCATION), car.first(ODOMETER)
    heading: Json = {
        "type": "heading",
        "heading": car.name,
        "icon": "mdi:car-electric" if battery else "mdi:car",
        "badges": [{"type": "entity", "entity": e} for e in (tracker, odometer) if e],
    }
    fuel_level = car.first(FUEL_LEVEL)
    fuel_amount = None if fuel_level else car.first(FUEL_AMOUNT)
    levels = [e for e in (battery, fuel_level) if e]  # percentages, with a bar under them
    tiles = [_tile(e, {"type": "bar-gauge"}) for e in levels]
    tiles += [_tile(e) for e in (fuel_amount, *car.every(RANGES)) if e]
    if lock := car.first(LOCK):
        tiles.append(_tile(lock, *([{"type": "lock-commands"}] if _is(lock, "lock") else [])))
    if climate := car.first(CLIMATE):
        tiles.append(_tile(climate, CLIMATE_MODES))
    if charging := car.first(CHARGING):
        tiles.append(_tile(charging, *([{"type": "toggle"}] if _is(charging, "switch") else [])))
    return {"type": "grid", "cards": [heading, _picture(car, pictures_url), *_in_pairs(tiles)]}


def _in_pairs(tiles: list[Json]) -> list[Json]:
    """Two tiles to a row where both are as tall (as many features), else one across it."""
    placed: list[Json] = []
    index = 0
    while index < len(tiles):
        tile, after = tiles[index], tiles[index + 1 : index + 2]
        pair = bool(after) and len(tile.get("features", [])) == len(after[0].get("features", []))
        cards = (tile, *after) if pair else (tile,)
        placed.extend(card | {"grid_options": {"columns": 6 if pair else 12}} for card in cards)
        index += 2 if pair else 1
    return placed


def map_section(all_cars: list[Car]) -> Json:
    """Every car with a location, on one map across the view."""
    trackers = [(t, car.label) for car in all_cars if (t := car.first(LOCATION))]
    return {
        "type": "grid",
        "column_span": 4,
        "cards": [
            {"type": "heading", "heading": "Where they are", "icon": "mdi:map-marker-radius"},
            {
                "type": "map",
                "entities": [{"entity": t, "name": label} for t, label in trackers],
                "auto_fit": True,
                "grid_options": {"columns": "full", "rows": 6},
            },
        ],
    }


def dashboard(devices: list[Json], entities: list[Json], pictures_url: str) -> Json:
    """The dashboard's config: the map first, then one section per car."""
    all_cars = cars(devices, entities)
    return {
        "title": TITLE,
        "views": [
            {
                "title": TITLE,
                "path": "cars",
                "icon": ICON,
                "type": "sections",
                "max_columns": 4,
                "sections": [
                    map_section(all_cars),
                    *(car_section(car, pictures_url) for car in all_cars),
                ],
            }
        ],
    }
