"""Buttons: commands without a state, such as asking the car for fresh data."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.models import Command
from .const import CONF_ALLOW_WAKE_UP
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleButtonDescription(VehicleEntityDescription, ButtonEntityDescription):
    """A button that runs one command."""

    command: Command


def _button(key: str, command: Command) -> VehicleButtonDescription:
    return VehicleButtonDescription(
        key=key, command=command, commands=frozenset({command}), reads=False
    )


BUTTONS: tuple[VehicleButtonDescription, ...] = (
    _button("refresh", Command.REFRESH),
    _button("wake_up", Command.WAKE_UP),
    _button("honk", Command.HONK),
    _button("flash", Command.FLASH),
    _button("honk_flash", Command.HONK_FLASH),
    _button("lock_reduced_guard", Command.LOCK_REDUCED_GUARD),
    _button("engine_start", Command.ENGINE_START),
    _button("engine_stop", Command.ENGINE_STOP),
    _button("homelink", Command.HOMELINK),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a button for each command a car accepts (a limited wake-up only when allowed)."""
    allowed = not entry.runtime_data.provider.limits_wake_ups or entry.options.get(
        CONF_ALLOW_WAKE_UP, False
    )
    buttons = [b for b in BUTTONS if allowed or b.command is not Command.WAKE_UP]
    add_entities_when_reported(entry, async_add_entities, buttons, VehicleButton)


class VehicleButton(VehicleEntity, ButtonEntity):
    """Runs its command; a failure raises a translated error."""

    entity_description: VehicleButtonDescription

    def shown(self) -> object:
        """Whether the car could be polled: a button shows nothing else."""
        return self.coordinator.last_update_success

    async def async_press(self) -> None:
        """Run the command and refresh what it touched."""
        await self.async_run(self.entity_description.command)
