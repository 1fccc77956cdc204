"""Device tracker: where the car is, with heading and altitude."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.device_tracker.entity import (
    TrackerEntity,
    TrackerEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VehicleTrackerDescription(VehicleEntityDescription, TrackerEntityDescription):
    """The car's position."""


LOCATION = VehicleTrackerDescription(
    key="location", exists_fn=lambda _vehicle, state: state.location is not None
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a tracker for each car once it reports a position."""
    add_entities_when_reported(entry, async_add_entities, (LOCATION,), VehicleTracker)


class VehicleTracker(VehicleEntity, TrackerEntity):
    """The car's last reported position."""

    entity_description: VehicleTrackerDescription

    def shown(self) -> object:
        """The fix (position, heading, speed, altitude), and whether the car could be polled."""
        return (self.coordinator.last_update_success, self.coordinator.data.location)

    @property
    def force_update(self) -> bool:
        """Write only when the position or its attributes changed, not on every poll."""
        return False

    @property
    def latitude(self) -> float | None:
        """Latitude of the last fix."""
        location = self.coordinator.data.location
        return None if location is None else location.latitude

    @property
    def longitude(self) -> float | None:
        """Longitude of the last fix."""
        location = self.coordinator.data.location
        return None if location is None else location.longitude

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Heading and altitude where the back end gives them."""
        location = self.coordinator.data.location
        if location is None:
            return {}
        extra = {"heading": location.heading, "altitude": location.altitude}
        return {key: value for key, value in extra.items() if value is not None}
