"""connected_vehicle.send_destination through Home Assistant, against the simulated clouds.

Volvo cars that list SEND_NAVI_POI and Stellantis cars (the navigation remote)
take it; the simulated car's navigation then leads there. OVMS cars, and
Volvo cars that do not list the command, get a translated error.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import DOMAIN
from custom_components.connected_vehicle.entity import vehicle_unique_id
from simulator import Simulator

from .conftest import XC40, XC60


async def loaded(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """The entry, set up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def device_id(hass: HomeAssistant, entry: MockConfigEntry, vehicle_id: str) -> str:
    """The device registry id of one car of a loaded entry."""
    vehicle = entry.runtime_data.coordinators[vehicle_id].vehicle
    identifier = (DOMAIN, vehicle_unique_id(entry, vehicle))
    device = dr.async_get(hass).async_get_device_by_identifier(identifier, entry.entry_id)
    assert device is not None
    return device.id


async def send(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """Call the action and wait for it."""
    await hass.services.async_call(DOMAIN, "send_destination", data, blocking=True)


async def test_volvo_coordinates_and_a_zone(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Coordinates with a name, then a zone (named after it): the XC60's navigation follows."""
    entry = await loaded(hass, volvo_entry)
    car = device_id(hass, entry, XC60)
    await send(hass, {"device_id": car, "latitude": 59.3293, "longitude": 18.0686, "name": "Home"})
    navigation = sim.world.vehicle(XC60).navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon, navigation.name) == (
        59.3293,
        18.0686,
        "Home",
    )
    assert await async_setup_component(hass, "zone", {})
    await send(hass, {"device_id": car, "entity_id": "zone.home"})
    navigation = sim.world.vehicle(XC60).navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon, navigation.name) == (
        hass.config.latitude,
        hass.config.longitude,
        "test home",
    )
    assert [c for _t, c, s in sim.volvo.cars[XC60].events] == ["SEND_NAVI_POI"] * 2


async def test_stellantis_navigation_remote(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """A person's position becomes the E-208's navigation destination."""
    entry = await loaded(hass, peugeot_entry)
    hass.states.async_set("person.alice", "not_home", {"latitude": 48.8584, "longitude": 2.2945})
    car = device_id(hass, entry, sim.stellantis.api_id("E208"))
    await send(hass, {"device_id": car, "entity_id": "person.alice"})
    navigation = sim.world.vehicle("E208").navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon) == (48.8584, 2.2945)


async def test_cars_without_the_command(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    ovms_entry: MockConfigEntry,
    sim: Simulator,
) -> None:
    """An OVMS car and a Volvo XC40 (it does not list SEND_NAVI_POI): command_unavailable."""
    volvo, ovms = await loaded(hass, volvo_entry), ovms_entry  # one set-up loads both
    sim.requests.reset()
    for car in (device_id(hass, ovms, "LEAF"), device_id(hass, volvo, XC40)):
        with pytest.raises(HomeAssistantError) as err:
            await send(hass, {"device_id": car, "latitude": 57.7, "longitude": 11.9})
        assert err.value.translation_key == "command_unavailable"
    assert sim.requests.total() == 0


async def test_an_entity_without_a_position(
    hass: HomeAssistant, volvo_entry: MockConfigEntry
) -> None:
    """A device tracker that is not located, or no entity at all: no_position."""
    entry = await loaded(hass, volvo_entry)
    car = device_id(hass, entry, XC60)
    hass.states.async_set("device_tracker.phone", "unknown")
    for entity_id in ("device_tracker.phone", "person.nobody"):
        with pytest.raises(ServiceValidationError) as err:
            await send(hass, {"device_id": car, "entity_id": entity_id})
        assert err.value.translation_key == "no_position"
        assert err.value.translation_placeholders == {"entity_id": entity_id}


@pytest.mark.parametrize(
    "where",
    [
        {"latitude": 91, "longitude": 11.9},
        {"latitude": "north", "longitude": 11.9},
        {"latitude": 57.7, "longitude": 181},
        {"latitude": 57.7},
        {"latitude": 57.7, "longitude": 11.9, "entity_id": "zone.home"},
        {"entity_id": "light.kitchen"},
        {},
    ],
)
async def test_the_schema_rejects(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator, where: dict[str, Any]
) -> None:
    """Out-of-range or half coordinates, both kinds of place, a non-place entity, nothing."""
    entry = await loaded(hass, volvo_entry)
    sim.requests.reset()
    with pytest.raises(vol.Invalid):
        await send(hass, {"device_id": device_id(hass, entry, XC60), **where})
    assert sim.requests.total() == 0
