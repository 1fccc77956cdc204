"""Stellantis charging through Home Assistant: preferences, the delayed start, immediate or not.

Each control is set with its service; the simulated car changes, reports it in
its status, and the entity shows it once the webhook says the remote succeeded.
"""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import Simulator

from .test_stellantis_integration import setup_with_webhook

LIMIT = "select.peugeot_e_208_charge_limit"
POWER_LEVEL = "select.peugeot_e_208_charging_power_level"
START = "time.peugeot_e_208_delayed_charge_start"
MODE = "sensor.peugeot_e_208_charging_mode"
CHARGING = "switch.peugeot_e_208_charging"


def state(hass: HomeAssistant, entity_id: str) -> str:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


async def test_charge_limit_and_power_level(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Partial and Level4, each sent alone as ``preferences``, reach the car and the selects."""
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    assert state(hass, LIMIT) == "full"
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: LIMIT, "option": "partial"}, blocking=True
    )
    car = sim.world.vehicle("E208")
    assert car.charge_preference == "Partial"
    assert state(hass, LIMIT) == "partial"
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: POWER_LEVEL, "option": "level_4"}, blocking=True
    )
    assert car.charge_power_level == "Level4"
    assert car.charge_preference == "Partial"  # one preference at a time, the other kept
    assert state(hass, POWER_LEVEL) == "level_4"


async def test_delayed_start_and_immediate_charging(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Set the start; switching charging off waits for it, on charges now."""
    car = sim.world.vehicle("E208")
    car.set_phase("charge")
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    assert state(hass, CHARGING) == STATE_ON
    assert state(hass, MODE) in ("slow", "quick")
    await hass.services.async_call(
        "time", "set_value", {ATTR_ENTITY_ID: START, "time": "23:45:00"}, blocking=True
    )
    assert sim.world.vehicle("E208").delayed_start is not None
    assert str(sim.world.vehicle("E208").delayed_start) == "23:45:00"
    assert state(hass, START) == "23:45:00"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: CHARGING}, blocking=True)
    assert sim.world.vehicle("E208").charge_paused
    assert state(hass, CHARGING) == STATE_OFF
    assert state(hass, MODE) == "not_charging"
    assert state(hass, "sensor.peugeot_e_208_charging_state") == "timerwait"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: CHARGING}, blocking=True)
    assert sim.world.vehicle("E208").charging
    assert state(hass, CHARGING) == STATE_ON
    assert state(hass, START) == "23:45:00"


async def test_a_petrol_car_has_no_charging_controls(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry
) -> None:
    """The 308 reports no charging block and takes no charging remote: none of the entities."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    for entity_id in (LIMIT, POWER_LEVEL, START, MODE):
        assert hass.states.get(entity_id.replace("e_208", "308")) is None
