"""Sensors: levels, ranges, distances, temperatures, charging and tyres."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api import readings
from .api.backend import CountsCalls
from .api.readings import ReadingKey
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import ReadingEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 0
# *API calls today* is written at most this often (each poll would write it otherwise).
CALLS_WRITE_EVERY = timedelta(minutes=1)


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
    precision: int,
    suggested_unit: str | None = None,
) -> VehicleSensorDescription:
    """A numeric sensor; every one says how many decimals it shows."""
    return VehicleSensorDescription(
        key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_unit_of_measurement=suggested_unit,
        state_class=state_class,
        entity_category=category,
        entity_registry_enabled_default=enabled,
        suggested_display_precision=precision,
    )


def _enum(key: ReadingKey, *, category: EntityCategory | None = None) -> VehicleSensorDescription:
    return VehicleSensorDescription(
        key=key,
        device_class=SensorDeviceClass.ENUM,
        options=list(key.options),
        entity_category=category,
    )


DIAGNOSTIC = EntityCategory.DIAGNOSTIC
_TEMPERATURE = SensorDeviceClass.TEMPERATURE
_CELSIUS = UnitOfTemperature.CELSIUS
_DISTANCE = SensorDeviceClass.DISTANCE
_KM = UnitOfLength.KILOMETERS

SENSORS: tuple[VehicleSensorDescription, ...] = (
    _measurement(readings.BATTERY_LEVEL, SensorDeviceClass.BATTERY, PERCENTAGE, precision=0),
    _measurement(readings.ELECTRIC_RANGE, _DISTANCE, _KM, precision=0),
    _measurement(readings.FUEL_LEVEL, None, PERCENTAGE, precision=0),
    _measurement(
        readings.FUEL_AMOUNT, SensorDeviceClass.VOLUME_STORAGE, UnitOfVolume.LITERS, precision=1
    ),
    _measurement(readings.FUEL_RANGE, _DISTANCE, _KM, precision=0),
    _measurement(
        readings.BATTERY_CAPACITY,
        SensorDeviceClass.ENERGY_STORAGE,
        UnitOfEnergy.KILO_WATT_HOUR,
        state_class=None,
        category=DIAGNOSTIC,
        precision=1,
    ),
    _measurement(readings.IDEAL_RANGE, _DISTANCE, _KM, precision=0),
    _measurement(
        readings.ODOMETER,
        _DISTANCE,
        _KM,
        state_class=SensorStateClass.TOTAL_INCREASING,
        precision=0,
    ),
    _measurement(
        readings.TRIP_METER,
        _DISTANCE,
        _KM,
        state_class=SensorStateClass.TOTAL_INCREASING,
        precision=1,
    ),
    *(
        _measurement(
            key, _DISTANCE, _KM, state_class=SensorStateClass.TOTAL_INCREASING, precision=1
        )
        for key in (readings.TRIP_METER_MANUAL, readings.TRIP_METER_AUTOMATIC)
    ),
    _measurement(
        readings.SPEED, SensorDeviceClass.SPEED, UnitOfSpeed.KILOMETERS_PER_HOUR, precision=0
    ),
    *(
        _measurement(key, SensorDeviceClass.SPEED, UnitOfSpeed.KILOMETERS_PER_HOUR, precision=0)
        for key in (readings.AVERAGE_SPEED, readings.AVERAGE_SPEED_AUTOMATIC)
    ),
    *(
        _measurement(key, None, "L/100km", precision=1)
        for key in (readings.AVERAGE_FUEL_CONSUMPTION, readings.AVERAGE_FUEL_CONSUMPTION_AUTOMATIC)
    ),
    *(
        _measurement(
            key,
            SensorDeviceClass.ENERGY_DISTANCE,
            UnitOfEnergyDistance.KILO_WATT_HOUR_PER_100_KM,
            precision=1,
        )
        for key in (
            readings.AVERAGE_ENERGY_CONSUMPTION,
            readings.AVERAGE_ENERGY_CONSUMPTION_AUTOMATIC,
        )
    ),
    _measurement(readings.LAST_TRIP_DISTANCE, _DISTANCE, _KM, precision=1),
    _measurement(
        readings.LAST_TRIP_DURATION,
        SensorDeviceClass.DURATION,
        UnitOfTime.SECONDS,
        suggested_unit=UnitOfTime.MINUTES,
        precision=0,
    ),
    _measurement(
        readings.LAST_TRIP_ENERGY_CONSUMPTION,
        SensorDeviceClass.ENERGY_DISTANCE,
        UnitOfEnergyDistance.KILO_WATT_HOUR_PER_100_KM,
        precision=1,
    ),
    _measurement(readings.LAST_TRIP_FUEL_CONSUMPTION, None, "L/100km", precision=1),
    _measurement(readings.DISTANCE_TO_SERVICE, _DISTANCE, _KM, state_class=None, precision=0),
    _measurement(
        readings.TIME_TO_SERVICE,
        SensorDeviceClass.DURATION,
        UnitOfTime.DAYS,
        state_class=None,
        precision=0,
    ),
    _measurement(
        readings.ENGINE_HOURS_TO_SERVICE,
        SensorDeviceClass.DURATION,
        UnitOfTime.HOURS,
        state_class=None,
        precision=0,
    ),
    VehicleSensorDescription(
        key=readings.ALERTS_ACTIVE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
    ),
    _measurement(readings.TEMPERATURE_CABIN, _TEMPERATURE, _CELSIUS, precision=1),
    _measurement(readings.TEMPERATURE_AMBIENT, _TEMPERATURE, _CELSIUS, precision=1),
    *(
        _measurement(key, _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC, precision=1)
        for key in (
            readings.TEMPERATURE_BATTERY,
            readings.TEMPERATURE_MOTOR,
            readings.TEMPERATURE_INVERTER,
            readings.TEMPERATURE_CHARGER,
        )
    ),
    _measurement(readings.STATE_OF_HEALTH, None, PERCENTAGE, category=DIAGNOSTIC, precision=0),
    _measurement(
        readings.TWELVE_VOLT_BATTERY,
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        category=DIAGNOSTIC,
        precision=1,
    ),
    _measurement(
        readings.TWELVE_VOLT_CURRENT,
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        category=DIAGNOSTIC,
        enabled=False,
        precision=1,
    ),
    _enum(readings.CHARGING_STATE),
    _enum(readings.CHARGE_MODE, category=DIAGNOSTIC),
    _enum(readings.CHARGER_CONNECTION),
    VehicleSensorDescription(  # the car-on sensor shows it where the car reports both
        key=readings.IGNITION,
        device_class=SensorDeviceClass.ENUM,
        options=list(readings.IGNITION.options),
        entity_category=DIAGNOSTIC,
        superseded_fn=lambda _vehicle, state: readings.CAR_ON in state.readings,
    ),
    _measurement(
        readings.CHARGING_RATE,
        SensorDeviceClass.SPEED,
        UnitOfSpeed.KILOMETERS_PER_HOUR,
        precision=0,
    ),
    _measurement(
        readings.TWELVE_VOLT_BATTERY_HEALTH, None, PERCENTAGE, category=DIAGNOSTIC, precision=0
    ),
    _enum(readings.CHARGING_TYPE),
    _enum(readings.CHARGING_POWER_STATUS),
    _enum(readings.CHARGING_MODE),
    VehicleSensorDescription(
        key=readings.CHARGE_SUBSTATE,
        entity_category=DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
    _measurement(
        readings.LINE_VOLTAGE, SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, precision=0
    ),
    _measurement(
        readings.CHARGING_CURRENT,
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        precision=1,
    ),
    _measurement(
        readings.CHARGE_CURRENT_LIMIT,
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        category=DIAGNOSTIC,
        precision=0,
    ),
    # Volvo reports watts, the others kilowatts: shown in kilowatts for all.
    _measurement(
        readings.CHARGING_POWER,
        SensorDeviceClass.POWER,
        UnitOfPower.KILO_WATT,
        precision=1,
        suggested_unit=UnitOfPower.KILO_WATT,
    ),
    # The Energy dashboard's "individual device" source. OVMS's chargekwh counts one
    # session and restarts at 0 at the next: total_increasing reads that drop as a
    # new meter cycle and adds each session in full, so no total (and no restore
    # logic) is kept here. Volvo and Stellantis report no charged energy.
    _measurement(
        readings.ENERGY_CHARGED,
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        precision=1,
    ),
    _measurement(
        readings.CHARGE_TIME_REMAINING,
        SensorDeviceClass.DURATION,
        UnitOfTime.MINUTES,
        state_class=None,
        precision=0,
    ),
    _measurement(
        readings.CHARGE_TIME_TO_LIMIT,
        SensorDeviceClass.DURATION,
        UnitOfTime.MINUTES,
        state_class=None,
        precision=0,
    ),
    _measurement(readings.CHARGE_TARGET, None, PERCENTAGE, state_class=None, precision=0),
    VehicleSensorDescription(
        key=readings.LAST_UPDATE,
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=DIAGNOSTIC,
    ),
    *(
        _measurement(key, SensorDeviceClass.PRESSURE, UnitOfPressure.KPA, precision=1)
        for key in readings.TYRE_PRESSURES.values()
    ),
    *(
        _measurement(key, _TEMPERATURE, _CELSIUS, category=DIAGNOSTIC, enabled=False, precision=1)
        for key in readings.TYRE_TEMPERATURES.values()
    ),
    *(_enum(key, category=DIAGNOSTIC) for key in readings.TYRE_WARNING.values()),
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


class VehicleSensor(ReadingEntity, SensorEntity):
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

    It belongs to the account (a service device), not to one car, and follows
    the polls of the account's cars, written at most once a minute (at once
    when the count starts again on a new day).
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
        self._written = counter.calls_today
        self._written_at = dt_util.utcnow()
        self._pending: CALLBACK_TYPE | None = None
        maker = entry.runtime_data.provider.maker(entry.data)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            name=f"{maker} account",
            manufacturer=maker,
            model="API key",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def native_value(self) -> int:
        """Today's count, as last written."""
        return self._written

    async def async_added_to_hass(self) -> None:
        """Follow every car's polls, also those that changed nothing (they spent calls too)."""
        self._written = self._counter.calls_today
        self._written_at = dt_util.utcnow()
        for coordinator in self._entry.runtime_data.coordinators.values():
            self.async_on_remove(coordinator.async_add_refresh_listener(self._async_counted))
        self.async_on_remove(self._cancel_pending)

    @callback
    def _async_counted(self) -> None:
        """A poll spent calls: write now if a minute passed or a new day began, else later."""
        calls = self._counter.calls_today
        wait = (self._written_at + CALLS_WRITE_EVERY - dt_util.utcnow()).total_seconds()
        if calls < self._written or (wait <= 0 and calls != self._written):
            self._cancel_pending()
            self._async_write_count()
        elif self._pending is None and calls != self._written:
            self._pending = async_call_later(self.hass, wait, self._async_write_count)

    @callback
    def _async_write_count(self, _now: datetime | None = None) -> None:
        self._pending = None
        self._written = self._counter.calls_today
        self._written_at = dt_util.utcnow()
        self.async_write_ha_state()

    @callback
    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending()
            self._pending = None
