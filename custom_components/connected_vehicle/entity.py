"""The base entity: one car's device, its coordinator, and the entities it supports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers import entity_platform, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.models import Command, CommandArguments, Reading, Vehicle, VehicleState
from .const import CONF_UNLOCK_PIN, DOMAIN
from .coordinator import ConnectedVehicleConfigEntry, VehicleCoordinator


def vehicle_unique_id(entry: ConnectedVehicleConfigEntry, vehicle: Vehicle) -> str:
    """A car's stable identity within the integration: account plus the back end's car id."""
    return f"{entry.unique_id}:{vehicle.id}"


def entity_unique_id(
    entry: ConnectedVehicleConfigEntry, vehicle: Vehicle, description: EntityDescription
) -> str:
    """An entity's unique id: the car's identity and the description's key."""
    return f"{vehicle_unique_id(entry, vehicle)}_{description.key}"


def vehicle_device_info(entry: ConnectedVehicleConfigEntry, vehicle: Vehicle) -> DeviceInfo:
    """The device registry entry of one car."""
    return DeviceInfo(
        identifiers={(DOMAIN, vehicle_unique_id(entry, vehicle))},
        name=vehicle.name,
        manufacturer=vehicle.brand,
        model=_model(vehicle),
        serial_number=vehicle.vin or vehicle.id,
    )


def _model(vehicle: Vehicle) -> str | None:
    """The model with its model year where known ("XC40 (2024)"), as Home Assistant core shows it."""
    if vehicle.model and vehicle.year:
        return f"{vehicle.model} ({vehicle.year})"
    return vehicle.model


@dataclass(frozen=True, kw_only=True)
class VehicleEntityDescription(EntityDescription):
    """Describes an entity of a car; the key is the reading it shows, if it shows one.

    The entity exists once the car accepts every command of ``commands`` and,
    unless it only sends commands (``reads`` False), reports its reading, but
    not where ``superseded_fn`` says another entity of the car shows the same
    fact (the lock entity for the lock sensor): one entity per fact.
    ``exists_fn`` decides instead of the reading where that is not enough
    (a picture in the car's details, a first position).
    """

    commands: frozenset[Command] = frozenset()
    reads: bool = True
    exists_fn: Callable[[Vehicle, VehicleState], bool] | None = None
    superseded_fn: Callable[[Vehicle, VehicleState], bool] | None = None

    def exists(self, vehicle: Vehicle, state: VehicleState) -> bool:
        """Whether the car reports (or accepts) what this entity shows (or does)."""
        if self.exists_fn is not None:
            reported = self.exists_fn(vehicle, state)
        else:
            reported = not self.reads or self.key in state.readings
        accepted = self.commands <= vehicle.commands
        return reported and accepted and not self.superseded(vehicle, state)

    def superseded(self, vehicle: Vehicle, state: VehicleState) -> bool:
        """Whether another entity of the car shows this fact."""
        return self.superseded_fn is not None and self.superseded_fn(vehicle, state)


def shown_by(command: Command) -> Callable[[Vehicle, VehicleState], bool]:
    """Superseded on a car that accepts ``command``: its control shows the fact."""
    return lambda vehicle, _state: command in vehicle.commands


class VehicleEntity(CoordinatorEntity[VehicleCoordinator]):
    """An entity of one car, named by its translation key."""

    _attr_has_entity_name = True
    entity_description: VehicleEntityDescription
    _shown: object = None

    def __init__(
        self, coordinator: VehicleCoordinator, description: VehicleEntityDescription
    ) -> None:
        """Bind the entity to its car and description."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        vehicle = coordinator.vehicle
        self._attr_unique_id = entity_unique_id(entry, vehicle, description)
        self._attr_device_info = vehicle_device_info(entry, vehicle)
        if not description.translation_key:
            self._attr_translation_key = description.key

    def shown(self) -> object:
        """All the entity's state depends on, where that is known; None: it is not.

        A new state of the car rewrites an entity only when this changed, so one new
        reading does not rewrite the car's dozens of entities.
        """
        return None

    async def async_added_to_hass(self) -> None:
        """Remember what the first write (when the entity is added) shows."""
        await super().async_added_to_hass()
        self._shown = self.shown()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the new state, unless what this entity shows is known to be the same."""
        shown = self.shown()
        if shown is not None and shown == self._shown:
            return
        self._shown = shown
        self.async_write_ha_state()

    @property
    def reading(self) -> Reading | None:
        """This entity's reading in the latest state, if the car reported it."""
        return self.coordinator.data.readings.get(self.entity_description.key)

    @property
    def pin(self) -> str | None:
        """The car's PIN from the options: unlocking asks for it, some cars' commands carry it."""
        pin = self.coordinator.config_entry.options.get(CONF_UNLOCK_PIN)
        return str(pin) if pin else None

    async def async_run(self, command: Command, **arguments: Any) -> None:
        """Run a command of the car, with the PIN and the given arguments."""
        await self.coordinator.async_invoke(command, CommandArguments(pin=self.pin, **arguments))


class ReadingEntity(VehicleEntity):
    """An entity that shows its reading alone (a sensor, a binary sensor)."""

    def shown(self) -> object:
        """Its reading (value and unit), and whether the car could be polled."""
        return (self.coordinator.last_update_success, self.reading)


def add_entities_when_reported[D: VehicleEntityDescription](
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    factory: Callable[[VehicleCoordinator, D], VehicleEntity],
) -> None:
    """Add each car's entities once its state reports them, now or in a later poll.

    No entity is created for something the car never reports, and one that
    appears later (a first location fix, TPMS after a tyre change) is added then.
    An entity another one now supersedes leaves the registry.
    """
    descriptions = tuple(descriptions)
    domain = entity_platform.async_get_current_platform().domain
    for coordinator in entry.runtime_data.coordinators.values():
        added: set[str] = set()  # keys added, or left out for good as superseded

        @callback
        def add_new(coordinator: VehicleCoordinator = coordinator, added: set[str] = added) -> None:
            vehicle, state = coordinator.vehicle, coordinator.data
            pending = [d for d in descriptions if d.key not in added]
            new = [d for d in pending if d.exists(vehicle, state)]
            if new:
                async_add_entities(factory(coordinator, d) for d in new)
            gone = [d for d in pending if d.superseded(vehicle, state)]
            registry = er.async_get(coordinator.hass)
            for description in gone:
                unique_id = entity_unique_id(entry, vehicle, description)
                if entity_id := registry.async_get_entity_id(domain, DOMAIN, unique_id):
                    registry.async_remove(entity_id)
            added.update(d.key for d in (*new, *gone))

        add_new()
        entry.async_on_unload(coordinator.async_add_listener(add_new))
