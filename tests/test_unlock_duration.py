"""connected_vehicle.unlock through Home Assistant, against the simulated clouds.

Volvo cars take how long they stay ready to open (the v1 ``unlockDuration``,
at most 120 s); the simulated car keeps it and shows it in /admin/vehicles.
The lock's PIN from the options applies as it does to ``lock.unlock``.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from homeassistant.components.lock.const import LockState
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import CONF_UNLOCK_PIN, DOMAIN
from simulator import Simulator

from .conftest import XC40, XC90

LOCK = "lock.volvo_xc40_lock"
V1_LOCK = "lock.volvo_xc90_lock"
PEUGEOT_LOCK = "lock.peugeot_e_208_lock"


async def loaded(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """The entry, set up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def unlock(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """Call the action and wait for it."""
    await hass.services.async_call(DOMAIN, "unlock", data, blocking=True)


async def admin_row(sim_url: str, vehicle_id: str) -> dict[str, Any]:
    """The simulated car's row in /admin/vehicles."""
    async with aiohttp.ClientSession() as session, session.get(f"{sim_url}/admin/vehicles") as r:
        rows: list[dict[str, Any]] = await r.json()
    return next(row for row in rows if row["id"] == vehicle_id)


async def test_volvo_unlock_for_a_time(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator, sim_url: str
) -> None:
    """A duration reaches the car (v2 and v1 shapes); without one, the car's 120 s."""
    await loaded(hass, volvo_entry)
    await unlock(hass, {ATTR_ENTITY_ID: LOCK, "duration": 30})
    assert hass.states.get(LOCK).state == LockState.UNLOCKED
    assert not sim.world.vehicle(XC40).locked
    assert (await admin_row(sim_url, XC40))["unlock_seconds"] == 30
    await unlock(hass, {ATTR_ENTITY_ID: V1_LOCK, "duration": 45})
    assert hass.states.get(V1_LOCK).state == LockState.UNLOCKED
    assert sim.world.vehicle(XC90).unlock_seconds == 45
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    await unlock(hass, {ATTR_ENTITY_ID: LOCK})
    assert sim.world.vehicle(XC40).unlock_seconds == 120


async def test_the_pin_still_applies(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator
) -> None:
    """With a PIN in the options, a wrong or missing code is refused before the car hears."""
    await loaded(hass, volvo_entry)
    hass.config_entries.async_update_entry(volvo_entry, options={CONF_UNLOCK_PIN: "2468"})
    await hass.async_block_till_done()
    for data in ({}, {ATTR_CODE: "1111"}):
        with pytest.raises(ServiceValidationError) as err:
            await unlock(hass, {ATTR_ENTITY_ID: LOCK, "duration": 20, **data})
        assert err.value.translation_key == "wrong_pin"
    assert sim.volvo.cars[XC40].events == []
    await unlock(hass, {ATTR_ENTITY_ID: LOCK, "duration": 20, ATTR_CODE: "2468"})
    assert hass.states.get(LOCK).state == LockState.UNLOCKED
    assert sim.world.vehicle(XC40).unlock_seconds == 20


@pytest.mark.parametrize("duration", [0, 121, -5, "soon"])
async def test_out_of_range_durations_are_refused(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator, duration: object
) -> None:
    """The schema takes 1 to 120 seconds, as the v1 portal documents."""
    await loaded(hass, volvo_entry)
    with pytest.raises(vol.Invalid):
        await unlock(hass, {ATTR_ENTITY_ID: LOCK, "duration": duration})
    assert sim.volvo.cars[XC40].events == []
    assert sim.world.vehicle(XC40).locked


async def test_stellantis_ignores_the_duration(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The door remote takes no duration: the car unlocks as with lock.unlock."""
    await loaded(hass, peugeot_entry)
    await unlock(hass, {ATTR_ENTITY_ID: PEUGEOT_LOCK, "duration": 30})
    assert hass.states.get(PEUGEOT_LOCK).state == LockState.UNLOCKED
    assert not sim.world.vehicle("E208").locked
