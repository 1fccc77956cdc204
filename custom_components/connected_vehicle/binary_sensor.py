"""Binary sensors: doors, lids, lock, plug, charging, power and alarm states."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import Command, Vehicle, VehicleState
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import (
    VehicleEntity,
    VehicleEntityDescription,
    add_entities_when_reported,
    entity_unique_id,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VehicleBinarySensorDescription(VehicleEntityDescription, BinarySensorEntityDescription):
    """A binary sensor fed by one boolean reading; ``inverted`` flips it (locked -> lock off).

    ``shown_by`` names the command of a control that shows the same fact (the
    lock entity, the valet switch): a car that accepts it gets the control only.
    """

    inverted: bool = False
    shown_by: Command | None = None

    def exists(self, vehicle: Vehicle, state: VehicleState) -> bool:
        """Reported, and not shown by a control of the car."""
        return super().exists(vehicle, state) and not self.replaced(vehicle)

    def replaced(self, vehicle: Vehicle) -> bool:
        """Whether a control of the car shows this fact instead."""
        return self.shown_by is not None and self.shown_by in vehicle.commands


def _binary(
    key: str,
    device_class: BinarySensorDeviceClass | None = None,
    *,
    category: EntityCategory | None = None,
    inverted: bool = False,
    enabled: bool = True,
) -> VehicleBinarySensorDescription:
    return VehicleBinarySensorDescription(
        key=key,
        device_class=device_class,
        entity_category=category,
        inverted=inverted,
        entity_registry_enabled_default=enabled,
    )


_DOOR = BinarySensorDeviceClass.DOOR
_OPENING = BinarySensorDeviceClass.OPENING
_WINDOW = BinarySensorDeviceClass.WINDOW
_PROBLEM = BinarySensorDeviceClass.PROBLEM
WARNINGS = (
    readings.SERVICE_WARNING,
    readings.OIL_LEVEL_WARNING,
    readings.COOLANT_LEVEL_WARNING,
    readings.BRAKE_FLUID_WARNING,
    readings.WASHER_FLUID_WARNING,
)
DIAGNOSTIC = EntityCategory.DIAGNOSTIC

BINARY_SENSORS: tuple[VehicleBinarySensorDescription, ...] = (
    *(_binary(key, _DOOR) for key in readings.DOORS.values()),
    _binary(readings.HOOD, _OPENING),
    _binary(readings.TAILGATE, _OPENING),
    _binary(readings.TANK_LID, _OPENING),
    _binary(readings.CHARGE_PORT, _OPENING),
    *(_binary(key, _WINDOW) for key in readings.WINDOWS.values()),
    _binary(readings.SUNROOF, _WINDOW),
    # The lock device class means "on = unlocked"; the reading says "locked".
    VehicleBinarySensorDescription(
        key=readings.CENTRAL_LOCK,
        device_class=BinarySensorDeviceClass.LOCK,
        inverted=True,
        shown_by=Command.LOCK,
    ),
    _binary(readings.ENGINE_RUNNING, BinarySensorDeviceClass.RUNNING),
    _binary(readings.MOVING, BinarySensorDeviceClass.MOVING),
    *(_binary(key, _PROBLEM) for key in WARNINGS),
    *(
        _binary(key, _PROBLEM, category=DIAGNOSTIC, enabled=False)
        for key in readings.BULB_WARNINGS.values()
    ),
    _binary(readings.COMMANDS_AVAILABLE, BinarySensorDeviceClass.CONNECTIVITY, category=DIAGNOSTIC),
    _binary(readings.PLUGGED_IN, BinarySensorDeviceClass.PLUG),
    _binary(readings.CHARGING, BinarySensorDeviceClass.BATTERY_CHARGING),
    _binary(readings.CAR_ON, BinarySensorDeviceClass.POWER),
    _binary(readings.AWAKE, category=DIAGNOSTIC),
    VehicleBinarySensorDescription(
        key=readings.VALET_MODE, entity_category=DIAGNOSTIC, shown_by=Command.VALET_ON
    ),
    _binary(readings.ALARM_SOUNDING, BinarySensorDeviceClass.SAFETY),
    _binary(
        readings.TWELVE_VOLT_CHARGING,
        BinarySensorDeviceClass.BATTERY_CHARGING,
        category=DIAGNOSTIC,
        enabled=False,
    ),
    _binary(readings.SERVER_CONNECTED, BinarySensorDeviceClass.CONNECTIVITY, category=DIAGNOSTIC),
    _binary(readings.LIVE_LINK, BinarySensorDeviceClass.CONNECTIVITY, category=DIAGNOSTIC),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors each car reports; drop those a control now shows."""
    registry = er.async_get(hass)
    for coordinator in entry.runtime_data.coordinators.values():
        for description in BINARY_SENSORS:
            if description.replaced(coordinator.vehicle):
                unique_id = entity_unique_id(entry, coordinator.vehicle, description)
                if entity_id := registry.async_get_entity_id(
                    Platform.BINARY_SENSOR, DOMAIN, unique_id
                ):
                    registry.async_remove(entity_id)
    add_entities_when_reported(entry, async_add_entities, BINARY_SENSORS, VehicleBinarySensor)


class VehicleBinarySensor(VehicleEntity, BinarySensorEntity):
    """A boolean reading."""

    entity_description: VehicleBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The reading, flipped where the description says so; None when not reported."""
        reading = self.reading
        if reading is None or not isinstance(reading.value, bool):
            return None
        return reading.value != self.entity_description.inverted
