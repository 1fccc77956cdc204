"""A picture of the car, where the back end offers one."""

from __future__ import annotations

from homeassistant.components.image import ImageEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import ConnectedVehicleConfigEntry, VehicleCoordinator
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 0

PICTURE = VehicleEntityDescription(
    key="picture", exists_fn=lambda vehicle, _state: vehicle.image_url is not None
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the picture of each car that has one."""
    add_entities_when_reported(entry, async_add_entities, (PICTURE,), VehiclePicture)


class VehiclePicture(VehicleEntity, ImageEntity):
    """The exterior image from the car's details; Home Assistant fetches and caches it."""

    def __init__(
        self, coordinator: VehicleCoordinator, description: VehicleEntityDescription
    ) -> None:
        """Point at the car's image URL."""
        VehicleEntity.__init__(self, coordinator, description)
        ImageEntity.__init__(self, coordinator.hass, verify_ssl=True)
        self._attr_image_url = coordinator.vehicle.image_url
        self._attr_image_last_updated = dt_util.utcnow()
