"""Times: the delayed charge's and the climate programs' starts, where the back end sets them.

A ``time`` entity, as the start is a clock time the car keeps from day to
day (Stellantis ``nextDelayedTime``, a program's ``start``), not a one-off
date. Setting a program's start keeps its days and whether it is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import ClimateProgramChange, Command
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleTimeDescription(VehicleEntityDescription, TimeEntityDescription):
    """A clock time fed by a minutes-after-midnight reading and set by one command."""

    command: Command
    argument: str
    slot: int | None = None  # a climate program's: the value goes in the slot's change


TIMES: tuple[VehicleTimeDescription, ...] = (
    VehicleTimeDescription(
        key=readings.DELAYED_CHARGE_START,
        translation_key="delayed_charge_start_time",
        command=Command.SET_DELAYED_CHARGE_START,
        argument="delayed_charge_start",
        commands=frozenset({Command.SET_DELAYED_CHARGE_START}),
    ),
    *(
        VehicleTimeDescription(
            key=readings.CLIMATE_PROGRAM_START[slot],
            translation_key="climate_program_start",
            translation_placeholders={"slot": str(slot)},
            command=Command.SET_CLIMATE_PROGRAM,
            argument="climate_program",
            slot=slot,
            commands=frozenset({Command.SET_CLIMATE_PROGRAM}),
        )
        for slot in readings.CLIMATE_PROGRAM_SLOTS
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the times each car supports."""
    add_entities_when_reported(entry, async_add_entities, TIMES, VehicleTime)


class VehicleTime(VehicleEntity, TimeEntity):
    """The car's clock time; setting it runs the command."""

    entity_description: VehicleTimeDescription

    @property
    def native_value(self) -> time | None:
        """The reported minutes after midnight, as a time of day."""
        reading = self.reading
        value = reading.value if reading is not None else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        hour, minute = divmod(int(value), 60)
        return time(hour % 24, minute)

    async def async_set_value(self, value: time) -> None:
        """Set the time on the car (to the minute)."""
        description = self.entity_description
        if description.slot is not None:
            change = ClimateProgramChange(description.slot, start=value)
            await self.async_run(description.command, **{description.argument: change})
        else:
            await self.async_run(description.command, **{description.argument: value})
