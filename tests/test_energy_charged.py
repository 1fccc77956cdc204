"""The energy-charged sensor: OVMS's per-session ``chargekwh``, fit for the Energy dashboard.

OVMS is the only back end that reports charged energy (Volvo's energy state
and Stellantis's status carry none). The value restarts at 0 with each
charging session, which ``total_increasing`` reads as a new meter cycle.
"""

from __future__ import annotations

from homeassistant.components.energy import data as energy_data, validate
from homeassistant.components.recorder import Recorder
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.connected_vehicle.const import DOMAIN
from simulator import Simulator

from .test_send_destination import device_id

SENSOR = "sensor.leaf_energy_charged"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_db_url: str, enable_custom_integrations: None) -> None:
    """As in conftest, with the recorder's database chosen first (before ``hass`` exists)."""


async def charge(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator, minutes: int
) -> float:
    """Let the Leaf charge for a while, refresh it, and read the sensor."""
    sim.clock.advance(minutes * 60)
    sim.world.advance()
    await hass.services.async_call(
        DOMAIN, "refresh", {"device_id": device_id(hass, entry, "LEAF")}, blocking=True
    )
    return float(hass.states.get(SENSOR).state)


async def test_each_session_counts_from_zero(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Energy grows while charging; the next session starts again from 0 (a meter reset)."""
    state = hass.states.get(SENSOR)
    assert state.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENERGY
    assert state.attributes["state_class"] == SensorStateClass.TOTAL_INCREASING
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfEnergy.KILO_WATT_HOUR
    leaf = sim.world.vehicle("LEAF")
    leaf.soc = 30.0  # far from its charge limit
    leaf.set_phase("charge")
    first = await charge(hass, loaded_entry, sim, 15)
    more = await charge(hass, loaded_entry, sim, 30)
    assert 0 < first < more
    leaf.set_phase("park")
    leaf.soc = 30.0
    leaf.set_phase("charge")
    assert await charge(hass, loaded_entry, sim, 15) < 0.9 * more  # seen as a new cycle


async def test_the_energy_dashboard_accepts_it(
    recorder_mock: Recorder, hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Home Assistant's own energy validation finds nothing wrong with the sensor."""
    leaf = sim.world.vehicle("LEAF")
    leaf.soc = 30.0
    leaf.set_phase("charge")
    await charge(hass, loaded_entry, sim, 15)
    assert await async_setup_component(hass, "energy", {})
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update({"device_consumption": [{"stat_consumption": SENSOR}]})
    await async_wait_recording_done(hass)
    now = dt_util.utcnow()
    do_adhoc_statistics(
        hass, start=now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    )
    await async_wait_recording_done(hass)
    result = await validate.async_validate(hass)
    assert result.as_dict()["device_consumption"] == [[]]
