"""Home Assistant shows the simulated cars' pictures, fetched from the simulator itself."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import Simulator


async def assert_pictures_shown(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: Simulator,
    entry: MockConfigEntry,
) -> int:
    """Load every picture of the entry through Home Assistant's image proxy, as a dashboard does.

    Each must be the simulator's SVG drawing, and none may cost an API call; returns how many.
    """
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    pictures = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "image"
    ]
    client = await hass_client()
    before = sim.requests.total()
    for entity_id in pictures:
        response = await client.get(f"/api/image_proxy/{entity_id}")
        assert response.status == HTTPStatus.OK, entity_id
        assert response.content_type == "image/svg+xml"
        assert (await response.text()).startswith("<svg ")
    assert sim.requests.total() == before
    return len(pictures)


async def test_volvo_pictures(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: Simulator,
    volvo_entry: MockConfigEntry,
) -> None:
    """Three of the four Volvos have a picture (the 2018 XC90's URL is empty)."""
    assert await assert_pictures_shown(hass, hass_client, sim, volvo_entry) == 3


async def test_peugeot_pictures(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
) -> None:
    """Each Peugeot has a picture, in legacy or extension shape: an http URL on loopback."""
    assert await assert_pictures_shown(hass, hass_client, sim, peugeot_entry) == 3
