"""Switches: charging and valet mode, for cars whose back end can turn them on and off.

On Stellantis cars the charging switch is also the choice between immediate
and delayed charging: on sends ``immediate: true`` (charge now), off
``immediate: false`` (wait for the delayed start the time entity sets), so
a second control for the same remote would only repeat it.

A climate program's switch turns that program on or off; it keeps its start
(the program's time entity) and days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import ClimateProgramChange, Command
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleSwitchDescription(VehicleEntityDescription, SwitchEntityDescription):
    """A switch fed by a boolean reading, turned on and off by two commands."""

    on: Command
    off: Command
    slot: int | None = None  # a climate program's: on and off carry the slot's change


SWITCHES: tuple[VehicleSwitchDescription, ...] = (
    VehicleSwitchDescription(
        key=readings.CHARGING,
        translation_key="charging_switch",
        on=Command.CHARGE_START,
        off=Command.CHARGE_STOP,
        commands=frozenset({Command.CHARGE_START, Command.CHARGE_STOP}),
    ),
    VehicleSwitchDescription(
        key=readings.VALET_MODE,
        translation_key="valet_mode_switch",
        on=Command.VALET_ON,
        off=Command.VALET_OFF,
        commands=frozenset({Command.VALET_ON, Command.VALET_OFF}),
    ),
    *(
        VehicleSwitchDescription(
            key=readings.CLIMATE_PROGRAM[slot],
            translation_key="climate_program",
            translation_placeholders={"slot": str(slot)},
            on=Command.SET_CLIMATE_PROGRAM,
            off=Command.SET_CLIMATE_PROGRAM,
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
    """Add the switches each car supports."""
    add_entities_when_reported(entry, async_add_entities, SWITCHES, VehicleSwitch)


class VehicleSwitch(VehicleEntity, SwitchEntity):
    """On and off as the car reports it; the commands change it."""

    entity_description: VehicleSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """The reading, when the car reports it."""
        reading = self.reading
        return reading.value if reading is not None and isinstance(reading.value, bool) else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Run the on command."""
        await self._switch(self.entity_description.on, on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Run the off command."""
        await self._switch(self.entity_description.off, on=False)

    async def _switch(self, command: Command, *, on: bool) -> None:
        slot = self.entity_description.slot
        if slot is None:
            await self.async_run(command)
        else:
            await self.async_run(command, climate_program=ClimateProgramChange(slot, enabled=on))
