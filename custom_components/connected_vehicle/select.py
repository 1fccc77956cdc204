"""Selects: the charge mode, charge limit and charging power level, where the car sets them.

The charge limit is a select, not a percentage number: Stellantis cars only
take Full or Partial (stop short of full to spare the battery) and say of
no percentage, so a number would invent one.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import Command
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleSelectDescription(VehicleEntityDescription, SelectEntityDescription):
    """A choice fed by an enum reading and set by one command."""

    command: Command
    argument: str


SELECTS: tuple[VehicleSelectDescription, ...] = (
    VehicleSelectDescription(
        key=readings.CHARGE_MODE,
        translation_key="charge_mode_select",
        options=list(readings.CHARGE_MODE.options),
        command=Command.SET_CHARGE_MODE,
        argument="charge_mode",
        commands=frozenset({Command.SET_CHARGE_MODE}),
    ),
    VehicleSelectDescription(
        key=readings.CHARGE_LIMIT,
        translation_key="charge_limit_select",
        options=list(readings.CHARGE_LIMIT.options),
        command=Command.SET_CHARGE_LIMIT,
        argument="charge_limit",
        commands=frozenset({Command.SET_CHARGE_LIMIT}),
    ),
    VehicleSelectDescription(
        key=readings.CHARGING_POWER_LEVEL,
        translation_key="charging_power_level_select",
        options=list(readings.CHARGING_POWER_LEVEL.options),
        command=Command.SET_CHARGING_POWER_LEVEL,
        argument="charging_power_level",
        commands=frozenset({Command.SET_CHARGING_POWER_LEVEL}),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects each car supports."""
    add_entities_when_reported(entry, async_add_entities, SELECTS, VehicleSelect)


class VehicleSelect(VehicleEntity, SelectEntity):
    """The car's current choice; choosing runs the command."""

    entity_description: VehicleSelectDescription

    @property
    def current_option(self) -> str | None:
        """The reported option, when it is one of the known ones."""
        reading = self.reading
        value = reading.value if reading is not None else None
        return value if isinstance(value, str) and value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Set the option on the car."""
        description = self.entity_description
        await self.async_run(description.command, **{description.argument: option})
