"""Entities of the demo cars: what exists, their states and units, and the refresh button."""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import Simulator


def entity_table(
    hass: HomeAssistant, registry: er.EntityRegistry, entry: MockConfigEntry
) -> dict[str, dict[str, Any]]:
    """Every entity of the entry: registry facts and current state."""
    table = {}
    for entity in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        state = hass.states.get(entity.entity_id)
        table[entity.entity_id] = {
            "unique_id": entity.unique_id.replace(entry.data["server_url"], "<server>"),
            "translation_key": entity.translation_key,
            "device_class": entity.device_class or entity.original_device_class,
            "entity_category": entity.entity_category,
            "disabled_by": entity.disabled_by,
            "state": state.state if state else None,
            "attributes": dict(state.attributes) if state else None,
        }
    return table


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities_of_the_demo_cars(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The demo account's entities, states and attributes (snapshot)."""
    assert entity_table(hass, entity_registry, loaded_entry) == snapshot


async def test_entities_exist_only_for_what_a_car_reports(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """No tyre entities for the car without TPMS; none stuck at unknown from the start."""
    ids = {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    }
    assert "sensor.leaf_tyre_pressure_front_left" in ids
    assert "sensor.kona_tyre_pressure_front_left" not in ids
    assert "device_tracker.leaf_location" in ids
    assert "button.leaf_refresh" in ids


async def test_units_follow_the_car(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The Twizy reports miles; Home Assistant shows km in a metric setup, converted."""
    twizy_range = hass.states.get("sensor.twizy_electric_range")
    assert twizy_range.attributes["unit_of_measurement"] == "km"
    twizy = loaded_entry.runtime_data.coordinators["TWIZY"].data.readings["electric_range"]
    assert twizy.unit == "mi"
    assert float(twizy_range.state) == pytest.approx(twizy.value * 1.609344, abs=1)
    leaf_pressure = hass.states.get("sensor.leaf_tyre_pressure_front_left")
    assert leaf_pressure.attributes["unit_of_measurement"] == "kPa"


async def test_lock_binary_sensor_means_unlocked(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The lock device class is on when unlocked."""
    locked = loaded_entry.runtime_data.coordinators["LEAF"].data.value("central_lock")
    assert hass.states.get("binary_sensor.leaf_lock").state == ("off" if locked else "on")


async def test_refresh_button_connects_and_updates(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Pressing refresh connects to the car and fetches every group at once."""
    sim.clock.advance(250)  # within the 300 s session: no re-login
    sim.requests.reset()
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.leaf_refresh"}, blocking=True
    )
    assert sim.requests.count(method="GET", route="/api/vehicle/{vehicle_id}") == 1
    assert sim.requests.count(method="GET", route="/api/status/{vehicle_id}") == 1
    assert sim.requests.count(method="GET", route="/api/location/{vehicle_id}") == 1
    last_update = hass.states.get("sensor.leaf_last_update_from_car").state
    assert last_update not in (STATE_UNKNOWN, None)
    coordinator = loaded_entry.runtime_data.coordinators["LEAF"]
    assert coordinator.data.value("last_update") == sim.clock.now().replace(microsecond=0)
