"""Binary sensors: doors, lids, lock, plug, charging, power and alarm states."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import readings
from .api.models import Command
from .coordinator import ConnectedVehicleConfigEntry
from .entity import (
    ReadingEntity,
    VehicleEntityDescription,
    add_entities_when_reported,
    shown_by,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VehicleBinarySensorDescription(VehicleEntityDescription, BinarySensorEntityDescription):
    """A binary sensor fed by one boolean reading; ``inverted`` flips it (locked -> lock off)."""

    inverted: bool = False


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
        superseded_fn=shown_by(Command.LOCK),
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
    VehicleBinarySensorDescription(
        key=readings.CHARGING,
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        superseded_fn=shown_by(Command.CHARGE_START),
    ),
    _binary(readings.CAR_ON, BinarySensorDeviceClass.POWER),
    _binary(readings.AWAKE, category=DIAGNOSTIC),
    VehicleBinarySensorDescription(
        key=readings.VALET_MODE,
        entity_category=DIAGNOSTIC,
        superseded_fn=shown_by(Command.VALET_ON),
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
    """Add the binary sensors each car reports."""
    add_entities_when_reported(entry, async_add_entities, BINARY_SENSORS, VehicleBinarySensor)


class VehicleBinarySensor(ReadingEntity, BinarySensorEntity):
    """A boolean reading."""

    entity_description: VehicleBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The reading, flipped where the description says so; None when not reported."""
        reading = self.reading
        if reading is None or not isinstance(reading.value, bool):
            return None
        return reading.value != self.entity_description.inverted
