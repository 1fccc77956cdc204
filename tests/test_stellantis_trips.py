"""Stellantis trips in Home Assistant: the newest finished trip as sensors."""

from __future__ import annotations

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, UnitOfTime
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import DOMAIN
from simulator import Simulator

from .test_send_destination import device_id

DISTANCE = "sensor.peugeot_e_208_last_trip_distance"
DURATION = "sensor.peugeot_e_208_last_trip_duration"
ENERGY = "sensor.peugeot_e_208_last_trip_energy_consumption"


async def test_a_new_trip_shows_up(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """A drive in the world becomes the last trip's distance, duration and consumption."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(DISTANCE) is not None
    car = sim.world.vehicle("E208")
    car.set_phase("drive")
    sim.clock.advance(20 * 60)
    sim.world.advance()
    car.set_phase("park")
    (trip,) = car.trips
    await hass.services.async_call(
        DOMAIN,
        "refresh",
        {"device_id": device_id(hass, peugeot_entry, sim.stellantis.api_id("E208"))},
        blocking=True,
    )
    assert float(hass.states.get(DISTANCE).state) == pytest.approx(trip.km, abs=0.1)
    duration = hass.states.get(DURATION)
    assert duration.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTime.MINUTES
    assert float(duration.state) == pytest.approx(20, abs=0.1)
    assert float(hass.states.get(ENERGY).state) == pytest.approx(
        trip.energy_kwh * 100 / trip.km, rel=0.01
    )


async def test_a_petrol_car_reports_fuel_per_trip(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry
) -> None:
    """The 308's trips carry fuel, not energy."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.peugeot_308_last_trip_fuel_consumption") is not None
    assert hass.states.get("sensor.peugeot_308_last_trip_energy_consumption") is None
