"""The time platform: each demo car's entities (snapshot)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .platforms import BACKENDS, car_entities, setup_platform


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("backend", BACKENDS)
async def test_entities(
    hass: HomeAssistant, demo_entry: MockConfigEntry, backend: str, snapshot: SnapshotAssertion
) -> None:
    """The demo car's time entities, states and attributes."""
    entry = await setup_platform(hass, demo_entry, Platform.TIME)
    assert car_entities(hass, entry, backend) == snapshot
