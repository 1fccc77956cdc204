"""Voice: Home Assistant's own Assist handles the cars, with the entities exposed to it.

Every sentence goes through Home Assistant's real conversation agent (its
built-in sentences and the integration's car sentences) against the demo cars.
"""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.lock import LockState
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import CONF_UNLOCK_PIN
from simulator import Simulator

from .conftest import XC40, XC60


async def expose_all(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    """Set up Assist and expose every entity of the entries to it."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    registry = er.async_get(hass)
    for entry in entries:
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            async_expose_entity(hass, conversation.DOMAIN, entity.entity_id, True)


async def say(hass: HomeAssistant, text: str) -> intent.IntentResponse:
    """What Assist answers to ``text``."""
    result = await conversation.async_converse(hass, text, None, Context(), None)
    return result.response


def speech(response: intent.IntentResponse) -> str:
    return str(response.speech["plain"]["speech"])


@pytest.fixture
async def cars(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    peugeot_entry: MockConfigEntry,
    loaded_entry: MockConfigEntry,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """The Volvo, Peugeot (unlock PIN set) and OVMS demo accounts, exposed to Assist."""
    hass.config_entries.async_update_entry(peugeot_entry, options={CONF_UNLOCK_PIN: "1234"})
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    await expose_all(hass, loaded_volvo, peugeot_entry, loaded_entry)
    return loaded_volvo, peugeot_entry


async def test_lock_the_xc40(
    hass: HomeAssistant, sim: Simulator, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """ "lock the XC40": the car locks."""
    sim.world.vehicle(XC40).locked = False
    await (
        cars[0]
        .runtime_data.coordinators[XC40]
        .async_refresh_groups(cars[0].runtime_data.coordinators[XC40].vehicle.capabilities)
    )
    response = await say(hass, "lock the XC40")
    assert speech(response) == "Locking the Volvo XC40"
    await hass.async_block_till_done()
    assert sim.world.vehicle(XC40).locked
    assert hass.states.get("lock.volvo_xc40_lock").state == LockState.LOCKED


async def test_unlock_the_e_208_is_refused_with_a_pin_set(
    hass: HomeAssistant, sim: Simulator, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """ "unlock the e-208": refused, its unlock PIN is set; the car stays locked."""
    response = await say(hass, "unlock the e-208")
    assert "PIN" in speech(response)
    assert sim.world.vehicle("E208").locked


async def test_what_is_the_leaf_battery_level(
    hass: HomeAssistant, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Answered from the battery sensor."""
    response = await say(hass, "what is the LEAF battery level")
    level = hass.states.get("sensor.leaf_battery_level")
    assert level is not None
    assert str(round(float(level.state))) in speech(response)


async def test_is_the_xc40_locked(
    hass: HomeAssistant, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Answered from the lock entity."""
    response = await say(hass, "is the XC40 locked")
    assert speech(response) == "The Volvo XC40 is locked"


async def test_start_the_climatization_of_the_xc60(
    hass: HomeAssistant, sim: Simulator, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """The car sentence starts the XC60's climatization; stopping works the same way."""
    response = await say(hass, "start the climatization of the XC60")
    assert speech(response) == "Climatizing the Volvo XC60"
    assert hass.states.get("climate.volvo_xc60_climatization").state != "off"
    assert sim.world.vehicle(XC60).climate_until is not None
    response = await say(hass, "stop the climatization of the XC60")
    assert speech(response) == "Stopped climatizing the Volvo XC60"


async def test_another_lock_is_not_caught(
    hass: HomeAssistant, cars: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """ "lock the front door" is not a car: the integration's sentences leave it alone."""
    response = await say(hass, "lock the front door")
    assert "front door" in speech(response).lower()
    assert "Locking the" not in speech(response)
