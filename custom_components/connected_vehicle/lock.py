"""The central lock of cars whose back end can lock and unlock them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.const import ATTR_CODE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import Command
from .const import ATTR_UNLOCK_DURATION, DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VehicleLockDescription(VehicleEntityDescription, LockEntityDescription):
    """The central lock, fed by the ``central_lock`` reading."""


LOCK = VehicleLockDescription(
    key=readings.CENTRAL_LOCK,
    translation_key="lock",
    commands=frozenset({Command.LOCK, Command.UNLOCK}),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the lock of each car that reports its lock and accepts both commands."""
    add_entities_when_reported(entry, async_add_entities, (LOCK,), VehicleLock)


class VehicleLock(VehicleEntity, LockEntity):
    """Shows locking/unlocking while the command runs; a PIN from the options guards unlock."""

    entity_description: VehicleLockDescription

    @property
    def code_format(self) -> str | None:
        """A code is asked for only when the user set an unlock PIN.

        The format admits an empty code: Home Assistant checks it for every
        service, but only unlocking needs the PIN (``async_unlock`` checks it).
        """
        return r"^\S*$" if self.pin is not None else None

    @property
    def is_locked(self) -> bool | None:
        """The car's last reported lock state."""
        reading = self.reading
        return reading.value if reading is not None and isinstance(reading.value, bool) else None

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the car."""
        await self._run(Command.LOCK, locking=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the car, if the PIN (when one is set) matches.

        ``connected_vehicle.unlock`` also passes a duration: how long the car
        stays ready to open (Volvo), which the other back ends ignore.
        """
        if self.pin is not None and kwargs.get(ATTR_CODE) != self.pin:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="wrong_pin")
        await self._run(
            Command.UNLOCK, locking=False, unlock_seconds=kwargs.get(ATTR_UNLOCK_DURATION)
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """A lock state the car reached ends its locking or unlocking at once.

        A command's success is shown before the refresh that confirms it.
        """
        locked = self.is_locked
        if (self._attr_is_locking and locked is True) or (
            self._attr_is_unlocking and locked is False
        ):
            self._attr_is_locking = self._attr_is_unlocking = False
        super()._handle_coordinator_update()

    async def _run(self, command: Command, *, locking: bool, **arguments: Any) -> None:
        self._attr_is_locking, self._attr_is_unlocking = locking, not locking
        self.async_write_ha_state()
        try:
            await self.async_run(command, **arguments)
        finally:
            self._attr_is_locking = self._attr_is_unlocking = False
            self.async_write_ha_state()
