"""Stellantis climate programs in Home Assistant: a switch and a start time per slot."""

from __future__ import annotations

from datetime import time

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import Simulator
from simulator.vehicle import ClimateProgram

from .test_stellantis_integration import setup_with_webhook

PROGRAM = "switch.peugeot_e_208_climate_program_{}"
START = "time.peugeot_e_208_climate_program_{}_start"


async def test_set_a_program_through_the_remote(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Each reported slot has a switch and a time; each change keeps the program's other parts."""
    car = sim.world.vehicle("E208")
    car.climate_programs[2] = ClimateProgram(enabled=True, start=time(17, 30), days=("Sat",))
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    assert hass.states.get(PROGRAM.format(1)).state == STATE_OFF
    assert hass.states.get(START.format(1)).state == "07:15:00"
    assert hass.states.get(PROGRAM.format(2)).state == STATE_ON
    assert hass.states.get(PROGRAM.format(3)) is None  # a slot the car does not report
    await hass.services.async_call(
        "time", "set_value", {ATTR_ENTITY_ID: START.format(2), "time": "06:45:00"}, blocking=True
    )
    assert car.climate_programs[2] == ClimateProgram(True, time(6, 45), ("Sat",))
    assert hass.states.get(START.format(2)).state == "06:45:00"
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: PROGRAM.format(1)}, blocking=True
    )
    assert car.climate_programs[1].enabled
    assert car.climate_programs[1].start == time(7, 15)
    assert hass.states.get(PROGRAM.format(1)).state == STATE_ON
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: PROGRAM.format(2)}, blocking=True
    )
    assert car.climate_programs[2] == ClimateProgram(False, time(6, 45), ("Sat",))
    assert hass.states.get(PROGRAM.format(2)).state == STATE_OFF
