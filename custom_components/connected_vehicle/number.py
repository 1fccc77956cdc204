"""Numbers: the charge current limit, for cars whose back end can set it."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import Command
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleNumberDescription(VehicleEntityDescription, NumberEntityDescription):
    """A setting fed by a numeric reading and set by one command (whole numbers)."""

    command: Command
    argument: str


NUMBERS: tuple[VehicleNumberDescription, ...] = (
    VehicleNumberDescription(
        key=readings.CHARGE_CURRENT_LIMIT,
        translation_key="charge_current_limit_number",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=1,
        native_max_value=64,
        native_step=1,
        mode=NumberMode.BOX,
        command=Command.SET_CHARGE_CURRENT,
        argument="charge_current",
        commands=frozenset({Command.SET_CHARGE_CURRENT}),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers each car supports."""
    add_entities_when_reported(entry, async_add_entities, NUMBERS, VehicleNumber)


class VehicleNumber(VehicleEntity, NumberEntity):
    """The car's current setting; setting it runs the command."""

    entity_description: VehicleNumberDescription

    @property
    def native_value(self) -> float | None:
        """The reported value."""
        reading = self.reading
        value = reading.value if reading is not None else None
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    async def async_set_native_value(self, value: float) -> None:
        """Set the value on the car."""
        description = self.entity_description
        await self.async_run(description.command, **{description.argument: round(value)})
