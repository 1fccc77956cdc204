"""The entity model a user meets: one entity per fact, units and precision, names, counts.

Through Home Assistant's real setup against the simulator, for each back end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import DOMAIN
from simulator import Simulator

from .conftest import XC40


def state_of(hass: HomeAssistant, entity_id: str) -> Any:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found


async def test_one_entity_per_fact_on_a_peugeot(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry
) -> None:
    """Charging is the switch (no second binary sensor); the car being on is "Car on"."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("switch.peugeot_e_208_charging") is not None
    assert hass.states.get("binary_sensor.peugeot_e_208_charging") is None
    assert hass.states.get("sensor.peugeot_e_208_charging_state") is not None
    assert hass.states.get("binary_sensor.peugeot_e_208_car_on") is not None
    assert hass.states.get("sensor.peugeot_e_208_ignition") is None
    # A petrol car without the charging switch has nothing to replace.
    assert hass.states.get("binary_sensor.peugeot_308_charging") is None


async def test_charging_power_is_shown_in_kilowatts(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry
) -> None:
    """Volvo reports watts; the sensor shows kilowatts, as every other back end does."""
    power = state_of(hass, "sensor.volvo_xc40_charging_power")
    assert power.attributes[ATTR_UNIT_OF_MEASUREMENT] == "kW"
    reported = loaded_volvo.runtime_data.coordinators[XC40].data.readings["charging_power"]
    assert reported.unit == "W"
    assert float(power.state) == pytest.approx(float(reported.value) / 1000)


async def test_the_volvo_account_device_says_what_it_is(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """The account device: a named maker and model, and a name without a car count."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(loaded_volvo.unique_id)), loaded_volvo.entry_id
    )
    assert device is not None
    assert (device.name, device.manufacturer, device.model) == ("Volvo account", "Volvo", "API key")
    assert hass.states.get("sensor.volvo_account_api_calls_today") is not None


async def test_the_kona_is_not_called_an_ioniq(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Its vehicle type (KN) is the Kia e-Niro / Hyundai Kona platform."""
    kona = next(
        d
        for d in dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
        if d.name == "KONA"
    )
    assert "Kona" in str(kona.model)
    assert "Ioniq" not in str(kona.model)


async def test_api_calls_today_survive_a_restart(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    sim: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Today's calls kept before a restart are counted on; another day's are not."""
    today = int(datetime.now(UTC).timestamp() // 86400)
    assert await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    backend = volvo_entry.runtime_data.backend
    counter_id = backend.counter_id
    assert await hass.config_entries.async_unload(volvo_entry.entry_id)
    await hass.async_block_till_done()
    hass_storage["connected_vehicle.call_counts"] = {
        "version": 1,
        "key": "connected_vehicle.call_counts",
        "data": {counter_id: [today, 5000]},
    }
    hass.data.pop("connected_vehicle_call_counts", None)  # as after a restart
    hass.data.pop("connected_vehicle_volvo_quotas", None)
    assert await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    shown = int(state_of(hass, "sensor.volvo_account_api_calls_today").state)
    assert shown > 5000
    assert counter_id not in str(volvo_entry.data)  # a digest, not the key


async def test_a_lock_refused_for_an_open_door_shows_the_door_at_once(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The failure reveals the open door: it shows before the next scheduled poll."""
    coordinator = loaded_volvo.runtime_data.coordinators[XC40]
    sim.world.vehicle(XC40).locked = False
    await coordinator.async_refresh_groups({DataGroup.LOCKS_OPENINGS})
    sim.world.vehicle(XC40).doors["fl"] = True  # opened after the last poll
    assert state_of(hass, "binary_sensor.volvo_xc40_front_left_door").state == "off"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "lock", "lock", {ATTR_ENTITY_ID: "lock.volvo_xc40_lock"}, blocking=True
        )
    assert err.value.translation_key == "command_door_open"
    assert state_of(hass, "binary_sensor.volvo_xc40_front_left_door").state == "on"


async def test_a_refused_endpoint_raises_a_repair_issue_and_keeps_the_rest(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """A 403 on the windows (a scope the sign-in lacks): the issue, and the doors still read."""
    coordinator = loaded_volvo.runtime_data.coordinators[XC40]
    sim.faults.add(method="GET", path=f"/connected-vehicle/v2/vehicles/{XC40}/windows", status=403)
    sim.world.vehicle(XC40).doors["fl"] = True
    await coordinator.async_refresh_groups({DataGroup.LOCKS_OPENINGS})
    issue_id = f"permission_denied_{loaded_volvo.entry_id}"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert state_of(hass, "binary_sensor.volvo_xc40_front_left_door").state == "on"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
