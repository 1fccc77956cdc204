"""Stellantis alerts in Home Assistant: an event for each new alert."""

from __future__ import annotations

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import DOMAIN
from simulator import Simulator

from .test_send_destination import device_id

ALERT = "event.peugeot_e_208_alert"


async def refresh(hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator) -> None:
    """Poll the e-208 now."""
    car_id = device_id(hass, entry, sim.stellantis.api_id("E208"))
    await hass.services.async_call(DOMAIN, "refresh", {"device_id": car_id}, blocking=True)


async def test_a_new_alert_fires_once(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Alerts active at setup are not new; a raised one fires, with the API's type name."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    event = hass.states.get(ALERT)
    assert event is not None
    assert event.state == STATE_UNKNOWN
    assert "add_washer_fluid" in event.attributes["event_types"]
    car = sim.world.vehicle("E208")
    sim.clock.advance(60)
    car.raise_alert("AddWasherFluid")
    await refresh(hass, peugeot_entry, sim)
    event = hass.states.get(ALERT)
    assert event.state != STATE_UNKNOWN
    assert event.attributes["event_type"] == "add_washer_fluid"
    assert event.attributes["alert_type"] == "AddWasherFluid"
    fired = event.state
    await refresh(hass, peugeot_entry, sim)
    assert hass.states.get(ALERT).state == fired  # the same alert again fires nothing
    sim.clock.advance(60)
    car.raise_alert("SomethingNew")
    await refresh(hass, peugeot_entry, sim)
    event = hass.states.get(ALERT)
    assert (event.attributes["event_type"], event.attributes["alert_type"]) == (
        "other",
        "SomethingNew",
    )
