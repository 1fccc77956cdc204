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

from .api.models import Command
from .api.volvo import BULB_KEYS
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
_WINDOW = BinarySensorDeviceClass.WINDOW
_PROBLEM = BinarySensorDeviceClass.PROBLEM
PLACES = ("front_left", "front_right", "rear_left", "rear_right")
WARNINGS = (
    "service_warning",
    "oil_level_warning",
    "coolant_level_warning",
    "brake_fluid_warning",
    "washer_fluid_warning",
)
DIAGNOSTIC = EntityCategory.DIAGNOSTIC

BINARY_SENSORS: tuple[VehicleBinarySensorDescription, ...] = (
    _binary("door_front_left", _DOOR),
    _binary("door_front_right", _DOOR),
    _binary("door_rear_left", _DOOR),
    _binary("door_rear_right", _DOOR),
    _binary("hood", _OPENING),
    _binary("tailgate", _OPENING),
    _binary("tank_lid", _OPENING),
    _binary("charge_port", _OPENING),
    *(_binary(f"window_{place}", _WINDOW) for place in PLACES),
    _binary("sunroof", _WINDOW),
    # The lock device class means "on = unlocked"; the reading says "locked". Cars
    # with a lock entity show the lock there instead.
    VehicleBinarySensorDescription(
        key="central_lock",
        device_class=BinarySensorDeviceClass.LOCK,
        inverted=True,
        exists_fn=lambda vehicle, state: (
            "central_lock" in state.readings and Command.LOCK not in vehicle.commands
        ),
    ),
    _binary("engine_running", BinarySensorDeviceClass.RUNNING),
    _binary("moving", BinarySensorDeviceClass.MOVING),
    *(_binary(key, _PROBLEM) for key in WARNINGS),
    *(_binary(key, _PROBLEM, category=DIAGNOSTIC, enabled=False) for key in BULB_KEYS),
    _binary("commands_available", BinarySensorDeviceClass.CONNECTIVITY, category=DIAGNOSTIC),
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
