"""Per-platform tests: one demo car per back end, set up with only the platform under test.

As in Home Assistant's core integrations, each platform has a test module that
snapshots the platform's entities of each demo car; back-end-specific
behaviour stays in the back ends' own test files.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final
from unittest.mock import patch

from homeassistant.const import ATTR_ENTITY_PICTURE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.backend import StreamsUpdates

# One demo car per back end, by its device name.
DEMO_CARS: Final = {"ovms": "TWIZY", "volvo": "Volvo XC40", "stellantis": "Peugeot e-208"}
ENTRY_FIXTURES: Final = {
    "ovms": "ovms_entry",
    "volvo": "volvo_entry",
    "stellantis": "peugeot_entry",
}
BACKENDS: Final = sorted(DEMO_CARS)
# Attributes that change from run to run (the image proxy's token and URL).
_VOLATILE: Final = {"access_token", ATTR_ENTITY_PICTURE}


async def setup_platform(
    hass: HomeAssistant, entry: MockConfigEntry, platform: Platform
) -> MockConfigEntry:
    """The back end's demo entry, loaded with only ``platform``."""
    with patch("custom_components.connected_vehicle.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    backend = entry.runtime_data.backend
    if isinstance(backend, StreamsUpdates):  # wait for every car's live link and its news
        cars = list(entry.runtime_data.coordinators)
        async with asyncio.timeout(10):
            while not all(backend.link_details(car)["messages"] for car in cars):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        await hass.async_block_till_done()
    return entry


def car_entities(hass: HomeAssistant, entry: MockConfigEntry, backend: str) -> dict[str, Any]:
    """The demo car's entities: registry facts and state, with volatile parts masked."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    device = next((d for d in devices if d.name == DEMO_CARS[backend]), None)
    if device is None:  # the car has no entity of this platform
        return {}
    server = entry.data["server_url"]
    table: dict[str, Any] = {}
    for entity in sorted(
        er.async_entries_for_device(er.async_get(hass), device.id, include_disabled_entities=True),
        key=lambda e: e.entity_id,
    ):
        state = hass.states.get(entity.entity_id)
        value = state.state if state else None
        if entity.domain == "image" and value is not None:
            value = "<image last updated>"  # the wall-clock time the picture was set
        if entity.translation_key == "last_update" and value is not None:
            value = "<last message>"  # live messages are stamped by the wall clock
        table[entity.entity_id] = {
            "unique_id": entity.unique_id.replace(server, "<server>"),
            "translation_key": entity.translation_key,
            "device_class": entity.device_class or entity.original_device_class,
            "entity_category": entity.entity_category,
            "disabled_by": entity.disabled_by,
            "state": value,
            "attributes": (
                {k: v for k, v in state.attributes.items() if k not in _VOLATILE} if state else None
            ),
        }
    return table
