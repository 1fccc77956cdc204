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

from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

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
DIAGNOSTIC = EntityCategory.DIAGNOSTIC

BINARY_SENSORS: tuple[VehicleBinarySensorDescription, ...] = (
    _binary("door_front_left", _DOOR),
    _binary("door_front_right", _DOOR),
    _binary("door_rear_left", _DOOR),
    _binary("door_rear_right", _DOOR),
    _binary("hood", _OPENING),
    _binary("tailgate", _OPENING),
    _binary("charge_port", _OPENING),
    # The lock device class means "on = unlocked"; the reading says "locked".
    _binary("central_lock", BinarySensorDeviceClass.LOCK, inverted=True),
    _binary("plugged_in", BinarySensorDeviceClass.PLUG),
    _binary("charging", BinarySensorDeviceClass.BATTERY_CHARGING),
    _binary("car_on", BinarySensorDeviceClass.POWER),
    _binary("awake", category=DIAGNOSTIC),
    _binary("valet_mode", category=DIAGNOSTIC),
    _binary("alarm_sounding", BinarySensorDeviceClass.SAFETY),
    _binary(
        "twelve_volt_charging",
        BinarySensorDeviceClass.BATTERY_CHARGING,
        category=DIAGNOSTIC,
        enabled=False,
    ),
    _binary("server_connected", BinarySensorDeviceClass.CONNECTIVITY, category=DIAGNOSTIC),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors each car reports."""
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
