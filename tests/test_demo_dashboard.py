"""The Garage dashboard: built from the registries, by what entities are, never by their ids."""

from __future__ import annotations

from typing import Any

from .script_modules import load

demo_dashboard = load("demo_dashboard")
PICTURES = "http://127.0.0.1:8765/pictures"


def device(device_id: str, name: str, entry: str, manufacturer: str, model: str) -> dict[str, Any]:
    return {
        "id": device_id,
        "name": name,
        "name_by_user": None,
        "manufacturer": manufacturer,
        "model": model,
        "config_entries": [entry],
    }


def entity(device_id: str, entity_id: str, key: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "device_id": device_id,
        "platform": "connected_vehicle",
        "translation_key": key,
        "entity_category": None,
        "disabled_by": None,
        "hidden_by": None,
        **extra,
    }


# Entity ids unlike the demo's: the dashboard must find them by domain and translation key.
DEVICES = [
    device("d1", "Ev", "ovms", "Nissan", "Leaf"),
    device("d2", "Wagon", "ovms", "Volvo", "V90"),
    device("d3", "Peugeot e-208", "peugeot", "Peugeot", "e-208"),
    device("account", "Volvo (1 car)", "volvo", "Volvo", "Connected Vehicle API"),
    device("other", "Kitchen light", "hue", "Signify", "Bulb"),
]
ENTITIES = [
    entity("d1", "sensor.a1", "battery_level"),
    entity("d1", "sensor.a2", "electric_range"),
    entity("d1", "binary_sensor.a3", "central_lock"),
    entity("d1", "binary_sensor.a4", "door_front_left"),
    entity("d1", "binary_sensor.a5", "charging"),
    entity("d1", "device_tracker.a6", "location", entity_category="diagnostic"),
    entity("d1", "sensor.a7", "cabin_temperature"),
    entity("d2", "sensor.b1", "fuel_amount"),
    entity("d2", "sensor.b2", "fuel_range"),
    entity("d2", "lock.b3", "lock"),
    entity("d2", "climate.b4", "climatization"),
    entity("d2", "image.b5", "picture"),
    entity("d2", "binary_sensor.b6", "window_rear_left"),
    entity("d2", "binary_sensor.b7", "door_front_left"),
    entity("d2", "sensor.b8", "battery_level", disabled_by="user"),
    entity("d3", "sensor.c1", "battery_level"),
    entity("d3", "switch.c2", "charging_switch"),
    entity("d3", "binary_sensor.c3", "charging"),  # the switch wins
    entity("d3", "sensor.c4", "electric_range"),
    entity("d3", "device_tracker.c5", "location"),
    entity("account", "sensor.calls", "api_calls_today", entity_category="diagnostic"),
    entity("other", "light.kitchen", None, platform="hue"),
]


def sections() -> list[dict[str, Any]]:
    config = demo_dashboard.dashboard(DEVICES, ENTITIES, PICTURES)
    (view,) = config["views"]
    assert view["type"] == "sections"
    return view["sections"]


def cards_of(section: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [card for card in section["cards"] if card["type"] == kind]


def test_one_section_per_car_taking_the_accounts_in_turns_and_a_map() -> None:
    map_section, *cars = sections()
    names = [cards_of(s, "heading")[0]["heading"] for s in cars]
    assert names == ["Ev", "Peugeot e-208", "Wagon"]  # not the account, not the light
    (map_card,) = cards_of(map_section, "map")
    assert map_card["entities"] == [  # short names that do not break in a marker
        {"entity": "device_tracker.a6", "name": "Ev"},
        {"entity": "device_tracker.c5", "name": "e\N{NON-BREAKING HYPHEN}208"},
    ]


def test_each_car_shows_what_it_has_and_nothing_it_lacks() -> None:
    _map, ev, e208, wagon = sections()
    tiles = {
        s["cards"][0]["heading"]: [c["entity"] for c in cards_of(s, "tile")] for s in sections()[1:]
    }
    assert tiles == {
        "Ev": ["sensor.a1", "sensor.a2", "binary_sensor.a3", "binary_sensor.a5"],
        "Peugeot e-208": ["sensor.c1", "sensor.c4", "switch.c2"],
        "Wagon": ["sensor.b1", "sensor.b2", "lock.b3", "climate.b4"],  # its battery is disabled
    }
    features = {
        t["entity"]: [f["type"] for f in t.get("features", [])] for t in cards_of(e208, "tile")
    }
    assert features == {"sensor.c1": ["bar-gauge"], "sensor.c4": [], "switch.c2": ["toggle"]}
    wagon_features = {t["entity"]: t.get("features", []) for t in cards_of(wagon, "tile")}
    assert wagon_features["sensor.b1"] == []  # litres: no bar
    assert wagon_features["lock.b3"] == [{"type": "lock-commands"}]
    assert all(
        t["name"] == {"type": "entity"} for s in (ev, e208, wagon) for t in cards_of(s, "tile")
    )


def test_pictures_doors_and_windows() -> None:
    _map, ev, e208, wagon = sections()
    (wagon_picture,) = cards_of(wagon, "picture-glance")
    assert wagon_picture["image_entity"] == "image.b5"
    assert wagon_picture["entities"] == ["binary_sensor.b7", "binary_sensor.b6"]  # doors first
    (ev_picture,) = cards_of(ev, "picture-glance")
    assert ev_picture["image"] == f"{PICTURES}/leaf.svg"  # no picture entity: the drawing
    (e208_picture,) = cards_of(e208, "picture")  # no doors to show on it
    assert e208_picture["image"] == f"{PICTURES}/e-208.svg"


def test_tiles_of_a_row_are_as_tall() -> None:
    """Two tiles share a row only when both have as many features; else one spans it."""
    for section in sections()[1:]:
        tiles = cards_of(section, "tile")
        index = 0
        while index < len(tiles):
            columns = tiles[index]["grid_options"]["columns"]
            if columns == 6:
                first, second = tiles[index], tiles[index + 1]
                assert second["grid_options"]["columns"] == 6
                assert len(first.get("features", [])) == len(second.get("features", []))
                index += 2
            else:
                assert columns == 12
                index += 1
