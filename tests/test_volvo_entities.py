"""Entities of the Volvo demo cars: what exists per car, their states and attributes (snapshot)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from homeassistant.const import ATTR_ENTITY_PICTURE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .conftest import V90, XC40, XC60, XC90

ATTR_ACCESS_TOKEN = "access_token"
# Attributes that change from run to run (the image proxy's token and URL).
VOLATILE_ATTRIBUTES = {ATTR_ACCESS_TOKEN, ATTR_ENTITY_PICTURE}


def entity_table(
    hass: HomeAssistant, registry: er.EntityRegistry, entry: MockConfigEntry
) -> dict[str, dict[str, Any]]:
    """Every entity of the entry: registry facts and current state, without volatile parts."""
    server = entry.data["server_url"]
    table = {}
    for entity in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        state = hass.states.get(entity.entity_id)
        attributes = (
            {k: v for k, v in state.attributes.items() if k not in VOLATILE_ATTRIBUTES}
            if state
            else None
        )
        value = state.state if state else None
        if entity.domain == "image" and value is not None:
            value = "<image last updated>"  # the wall-clock time the picture was set
        table[entity.entity_id] = {
            "unique_id": entity.unique_id.replace(server, "<server>"),
            "translation_key": entity.translation_key,
            "device_class": entity.device_class or entity.original_device_class,
            "entity_category": entity.entity_category,
            "disabled_by": entity.disabled_by,
            "state": value,
            "attributes": attributes,
        }
    return table


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities_of_the_volvo_demo_cars(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The demo Volvo account's entities, states and attributes (snapshot)."""
    table = entity_table(hass, entity_registry, loaded_volvo)
    assert table == snapshot
    image = hass.states.get("image.volvo_xc40_picture")
    assert image is not None
    assert image.attributes[ATTR_ACCESS_TOKEN]  # left out of the snapshot, but there


def entities_per_car(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Counter[str]]:
    """Registry entries (enabled or not) per car VIN (or "account"), counted by platform."""
    devices = dr.async_get(hass)
    counts: dict[str, Counter[str]] = {}
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        device = devices.async_get(entity.device_id) if entity.device_id else None
        serial = device.serial_number if isinstance(device, dr.DeviceEntry) else None
        owner = serial or "account"
        counts.setdefault(owner, Counter())[entity.domain] += 1
        if entity.disabled_by is not None:
            counts[owner]["disabled"] += 1
    return counts


async def test_entities_exist_only_for_what_each_car_reports(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry
) -> None:
    """Per car: only what it reports or accepts, nothing stuck at unknown."""
    counts = entities_per_car(hass, loaded_volvo)
    assert set(counts) == {XC40, XC60, V90, XC90, "account"}
    assert counts["account"] == Counter({"sensor": 1})  # API calls today
    # Every car: one lock and one location.
    for vin in (XC40, XC60, V90, XC90):
        assert counts[vin]["lock"] == 1
        assert counts[vin]["device_tracker"] == 1
    # Climatization and a picture where the car offers them (not the 2018 XC90).
    assert [counts[vin]["climate"] for vin in (XC40, XC60, V90, XC90)] == [1, 1, 1, 0]
    assert [counts[vin]["image"] for vin in (XC40, XC60, V90, XC90)] == [1, 1, 1, 0]
    ids = {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), loaded_volvo.entry_id)
    }
    assert "button.volvo_xc40_start_engine" not in ids  # electric: no engine to start
    assert "button.volvo_xc60_start_engine" in ids
    assert "sensor.volvo_xc40_fuel_amount" not in ids
    assert "sensor.volvo_v90_battery_level" not in ids  # no Energy API for the mild hybrid
    assert "sensor.volvo_v90_tyre_warning_front_left" not in ids  # the V90 has no /tyres
    assert not any(i.endswith(("_refresh", "_wake_up")) for i in ids)
    states = [hass.states.get(i) for i in ids if not i.startswith("button.")]
    assert not [s.entity_id for s in states if s is not None and s.state == "unknown"]
