"""Sensors: levels, ranges, distances, temperatures, charging and tyres."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfEnergyDistance,
    UnitOfLength,
    UnitOfPower,
    UnitOfPressure,
    UnitOfSpeed,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api.backend import CountsCalls
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 0

WHEELS = ("front_left", "front_right", "rear_left", "rear_right")
CHARGING_STATES = [
    "charging",
    "topoff",
    "done",
    "prepare",
    "heating",
    "stopped",
    "timerwait",
    "error",
    "discharging",
]
CHARGER_CONNECTIONS = ["connected", "disconnected", "fault"]
CHARGING_TYPES = ["ac", "dc", "none"]
IGNITION_STATES = ["stop", "start", "startup"]
CHARGE_MODES = ["standard", "storage", "range", "performance"]
TYRE_WARNINGS = ["ok", "warning", "alert"]


@dataclass(frozen=True, kw_only=True)
class VehicleSensorDescription(VehicleEntityDescription, SensorEntityDescription):
    """A sensor fed by one reading."""


def _measurement(
    key: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    *,
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT,
    category: EntityCategory | None = None,
    enabled: bool = True,
    precision: int | None = None,
) -> VehicleSensorDescription:
    return VehicleSensorDescription(
        key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        state_class=state_class,
        entity_category=category,
        entity_registry_enabled_default=enabled,
        suggested_display_precision=precision,
    )


def _enum(
    key: str, options: list[str], *, category: EntityCategory | None = None
) -> VehicleSensorDescription:
    return VehicleSensorDescription(
        key=key, device_class=SensorDeviceClass.ENUM, options=options, entity_category=category
    )


DIAGNOSTIC = EntityCategory.DIAGNOSTIC
_TEMPERATURE = SensorDeviceClass.TEMPERATURE
_CELSIUS = UnitOfTemperature.CELSIUS
_DISTANCE = SensorDeviceClass.DISTANCE
_KM = UnitOfLength.KILOMETERS

SENSORS: tuple[VehicleSensorDescription, ...] = (
    _measurement("battery_level", SensorDeviceClass.BATTERY, PERCENTAGE, precision=0),
    _measurement("electric_range", _DISTANCE, _KM, precision=0),
    _measurement("fuel_level", None, PERCENTAGE, precision=0),
    _measurement("fuel_amount", SensorDeviceClass.VOLUME_STORAGE, UnitOfVolume.LITERS, precision=1),
    _measurement("fuel_range", _DISTANCE, _KM, precision=0),
    _measurement(
        "battery_capacity",
        SensorDeviceClass.ENERGY_STORAGE,
        UnitOfEnergy.KILO_WATT_HOUR,
        state_class=None,
        category=DIAGNOSTIC,
    ),
    _measurement("ideal_range", _DISTANCE, _KM, precision=0),
    _measurement(
        "odometer", _DISTANCE, _KM, state_class=SensorStateClass.TOTAL_INCREASING, precision=0
    ),
    _measurement(
        "trip_meter", _DISTANCE, _KM, state_class=SensorStateClass.TOTAL_INCREASING, precision=1
    ),
    *(
        _measurement(
            key, _DISTANCE, _KM, state_class=SensorStateClass.TOTAL_INCREASING, precision=1
        )
        for key in ("trip_meter_manual", "trip_meter_automatic")
    ),
    _measurement("speed", SensorDeviceClass.SPEED, UnitOfSpeed.KILOMETERS_PER_HOUR, precision=0),
    *(
        _measurement(key, SensorDeviceClass.SPEED, UnitOfSpeed.KILOMETERS_PER_HOUR, precision=0)
        for key in ("average_speed", "average_speed_automatic")
    ),
    *(
        _measurement(key, None, "L/100km", precision=1)
        for key in ("average_fuel_consumption", "average_fuel_consumption_automatic")
    ),
    *(
        _measurement(
            key,
            SensorDeviceClass.ENERGY_DISTANCE,
            UnitOfEnergyDistance.KILO_WATT_HOUR_PER_100_KM,
            precision=1,
        )
        for key in ("average_energy_consumption", "average_energy_consumption_automatic")
    ),
    _measurement("distance_to_service", _DISTANCE, _KM, state_class=None, precision=0),
    _measurement("time_to_service", SensorDeviceClass.DURATION, UnitOfTime.DAYS, state_class=None),
    _measurement(
        "engine_hours_to_service", SensorDeviceClass.DURATION, UnitOfTime.HOURS, state_class=None
    ),
    VehicleSensorDescription(key="alerts_active", state_class=SensorStateClass.MEASUREMENT),
    _measurement("temperature_cabin", _TEMPERATURE, _CELSIUS),
    _measurement("temperature_ambient", _TEMPERATURE, _CELSIUS),
    _measurement("temperature_battery", _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC),
    _measurement("temperature_motor", _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC),
    _measurement("temperature_inverter", _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC),
    _measurement("temperature_charger", _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC),
    _measurement("state_of_health", None, PERCENTAGE, category=DIAGNOSTIC, precision=0),
    _measurement(
        "twelve_volt_battery",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        category=DIAGNOSTIC,
        precision=1,
    ),
    _measurement(
        "twelve_volt_current",
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        category=DIAGNOSTIC,
        enabled=False,
    ),
    _enum("charging_state", CHARGING_STATES),
    _enum("charge_mode", CHARGE_MODES, category=DIAGNOSTIC),
    _enum("charger_connection", CHARGER_CONNECTIONS),
    _enum("ignition", IGNITION_STATES, category=DIAGNOSTIC),
    _measurement(
        "charging_rate", SensorDeviceClass.SPEED, UnitOfSpeed.KILOMETERS_PER_HOUR, precision=0
    ),
    _measurement("twelve_volt_battery_health", None, PERCENTAGE, category=DIAGNOSTIC, precision=0),
    _enum("charging_type", CHARGING_TYPES),
    VehicleSensorDescription(
        key="charge_substate", entity_category=DIAGNOSTIC, entity_registry_enabled_default=False
    ),
    _measurement(
        "line_voltage", SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, precision=0
    ),
    _measurement(
        "charging_current", SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, precision=1
    ),
    _measurement(
        "charge_current_limit",
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        category=DIAGNOSTIC,
        precision=0,
    ),
    _measurement("charging_power", SensorDeviceClass.POWER, UnitOfPower.KILO_WATT, precision=1),
    _measurement(
        "energy_charged",
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        precision=1,
    ),
    _measurement(
        "charge_time_remaining", SensorDeviceClass.DURATION, UnitOfTime.MINUTES, state_class=None
    ),
    _measurement(
        "charge_time_to_limit", SensorDeviceClass.DURATION, UnitOfTime.MINUTES, state_class=None
    ),
    _measurement("charge_target", None, PERCENTAGE, state_class=None, precision=0),
    VehicleSensorDescription(
        key="last_update", device_class=SensorDeviceClass.TIMESTAMP, entity_category=DIAGNOSTIC
    ),
    *(
        _measurement(
            f"tyre_pressure_{wheel}",
            SensorDeviceClass.PRESSURE,
            UnitOfPressure.KPA,
            precision=1,
        )
        for wheel in WHEELS
    ),
    *(
        _measurement(
            f"tyre_temperature_{wheel}", _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC, enabled=False
        )
        for wheel in WHEELS
    ),
    *(_enum(f"tyre_warning_{wheel}", TYRE_WARNINGS, category=DIAGNOSTIC) for wheel in WHEELS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors each car reports."""
    add_entities_when_reported(entry, async_add_entities, SENSORS, VehicleSensor)
    if isinstance(entry.runtime_data.backend, CountsCalls):
        async_add_entities([ApiCallsSensor(entry, entry.runtime_data.backend)])


class VehicleSensor(VehicleEntity, SensorEntity):
    """A reading shown in the unit the back end gave; Home Assistant converts it."""

    entity_description: VehicleSensorDescription

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The back end's unit (OVMS cars report km or miles), else the description's."""
        reading = self.reading
        if reading is not None and reading.unit is not None:
            return reading.unit
        return self.entity_description.native_unit_of_measurement

    @property
    def native_value(self) -> StateType | datetime:
        """The reading's value; an enum value outside the known options shows as unknown."""
        reading = self.reading
        if reading is None or isinstance(reading.value, bool):
            return None
        value = reading.value
        options = self.entity_description.options
        if options is not None and value not in options:
            return None
        return value


class ApiCallsSensor(SensorEntity):
    """How many calls the account's API key made today (UTC), against its daily quota.

    It belongs to the account (a service device), not to one car, and updates
    whenever any of the account's cars was polled.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "api_calls_today"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.TOTAL_INCREASING
    _attr_should_poll = False

    def __init__(self, entry: ConnectedVehicleConfigEntry, counter: CountsCalls) -> None:
        """Attach to the account's device."""
        self._entry = entry
        self._counter = counter
        self._attr_unique_id = f"{entry.unique_id}_api_calls_today"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            name=entry.title,
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def native_value(self) -> int:
        """Today's count."""
        return self._counter.calls_today

    async def async_added_to_hass(self) -> None:
        """Follow every car's polls, also those that changed nothing (they spent calls too)."""
        for coordinator in self._entry.runtime_data.coordinators.values():
            self.async_on_remove(coordinator.async_add_refresh_listener(self.async_write_ha_state))
