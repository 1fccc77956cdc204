"""The catalogue of brand-neutral readings: every key a parser may emit, and what it holds.

A key is a ``str`` that also says what kind of value it carries (a number of
some quantity, a flag, one of a set of options, a time, a text). Parsers
write ``VehicleState`` readings under these keys, the polling plan looks at
some of them, and the Home Assistant side names its entities after them; each
enum's options are written here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class ReadingKind(StrEnum):
    """What a reading's value is."""

    NUMBER = "number"  # a finite int or float, in one of its quantity's units
    FLAG = "flag"  # a bool
    ENUM = "enum"  # one of the key's options
    TIME = "time"  # an aware datetime
    TEXT = "text"  # a free text (diagnostic)


class Quantity(StrEnum):
    """What a number measures."""

    PERCENTAGE = "percentage"
    DISTANCE = "distance"
    SPEED = "speed"
    TEMPERATURE = "temperature"
    PRESSURE = "pressure"
    POWER = "power"
    ENERGY = "energy"
    CURRENT = "current"
    VOLTAGE = "voltage"
    DURATION = "duration"
    VOLUME = "volume"
    FUEL_CONSUMPTION = "fuel_consumption"
    ENERGY_CONSUMPTION = "energy_consumption"
    COUNT = "count"


# The units a reading of each quantity may carry (None: a plain count).
UNITS: Final[Mapping[Quantity, frozenset[str | None]]] = MappingProxyType(
    {
        Quantity.PERCENTAGE: frozenset({"%"}),
        Quantity.DISTANCE: frozenset({"km", "mi"}),
        Quantity.SPEED: frozenset({"km/h", "mph"}),
        Quantity.TEMPERATURE: frozenset({"°C", "°F"}),
        Quantity.PRESSURE: frozenset({"kPa", "psi", "bar"}),
        Quantity.POWER: frozenset({"W", "kW"}),
        Quantity.ENERGY: frozenset({"kWh"}),
        Quantity.CURRENT: frozenset({"A"}),
        Quantity.VOLTAGE: frozenset({"V"}),
        Quantity.DURATION: frozenset({"s", "min", "h", "d"}),
        Quantity.VOLUME: frozenset({"L"}),
        Quantity.FUEL_CONSUMPTION: frozenset({"L/100km", "mpg"}),
        Quantity.ENERGY_CONSUMPTION: frozenset({"kWh/100km", "kWh/100mi", "mi/kWh"}),
        Quantity.COUNT: frozenset({None}),
    }
)


class ReadingKey(str):
    """A reading's key, and what its value is.

    ``activity`` marks readings whose change means someone is at the car (a
    door, a lid, the lock): the car is then polled as active for a while.
    """

    kind: ReadingKind
    quantity: Quantity | None
    options: tuple[str, ...]
    activity: bool

    def __new__(
        cls,
        key: str,
        kind: ReadingKind,
        *,
        quantity: Quantity | None = None,
        options: tuple[str, ...] = (),
        activity: bool = False,
    ) -> ReadingKey:
        """Describe the reading called ``key``."""
        self = super().__new__(cls, key)
        self.kind, self.quantity, self.options, self.activity = kind, quantity, options, activity
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str, ReadingKind], dict[str, object]]:
        """Let copies and pickles be made (a ``str`` is rebuilt from its arguments)."""
        described: dict[str, object] = {
            "quantity": self.quantity,
            "options": self.options,
            "activity": self.activity,
        }
        return (str(self), self.kind), described


# Every key declared below, in order: the catalogue.
_DECLARED: list[ReadingKey] = []


def _declare(key: ReadingKey) -> ReadingKey:
    if key in _DECLARED:
        raise ValueError(f"reading {key} is declared twice")
    _DECLARED.append(key)
    return key


def _number(key: str, quantity: Quantity) -> ReadingKey:
    return _declare(ReadingKey(key, ReadingKind.NUMBER, quantity=quantity))


def _flag(key: str, *, activity: bool = False) -> ReadingKey:
    return _declare(ReadingKey(key, ReadingKind.FLAG, activity=activity))


def _enum(key: str, options: tuple[str, ...]) -> ReadingKey:
    return _declare(ReadingKey(key, ReadingKind.ENUM, options=options))


_P, _D, _S = Quantity.PERCENTAGE, Quantity.DISTANCE, Quantity.SPEED
_T, _DUR = Quantity.TEMPERATURE, Quantity.DURATION

WHEELS: Final = ("front_left", "front_right", "rear_left", "rear_right")
CHARGING_STATES: Final = (
    "charging",
    "topoff",
    "done",
    "prepare",
    "heating",
    "stopped",
    "timerwait",
    "error",
    "discharging",
)
CHARGE_MODES: Final = ("standard", "storage", "range", "performance")
CHARGER_CONNECTIONS: Final = ("connected", "disconnected", "fault")
CHARGING_TYPES: Final = ("ac", "dc", "none")
# Whether the charger has power for the car (Volvo's chargerPowerStatus).
CHARGING_POWER_STATUSES: Final = (
    "providing_power",
    "power_available_but_not_activated",
    "no_power_available",
    "initialization",
    "fault",
)
CHARGING_MODES: Final = ("not_charging", "slow", "quick")
CHARGE_LIMITS: Final = ("partial", "full")
CHARGING_POWER_LEVELS: Final = ("level_1", "level_2", "level_3", "level_4", "level_5")
# Alerts a car may raise, as the Stellantis API names them (AlertMsgEnum, spelling kept),
# in snake case; "other" for a type the list does not know.
ALERT_TYPES: Final = (
    "abs_braking_system_fault",
    "active_spoiler_fault",
    "ad_blue_fault",
    "ad_blue_fault_starting_impossible",
    "ad_blue_fault_starting_impossible_soon",
    "add_washer_fluid",
    "airbag_or_seat_belt_pretensioner_or_active_hood_failure",
    "assistance_button_fault",
    "automatic_braking_deactivated",
    "automatic_headlight_adjustment_fault",
    "battery_charge_or_electrical_circuit_system_failure",
    "braking_system_failure",
    "charging_failure",
    "check_the_center_brake_lamp",
    "collision_detection_system_fault",
    "collision_mitigation_system_fault",
    "coolant_levellow",
    "driving_assistance_sensor_blind",
    "electric_traction_system_failure_limit_speed",
    "electric_traction_system_failure_stop_vehicle",
    "electric_traction_system_fault",
    "electronic_immobiliser_fault",
    "emission_system_or_ad_blue_quality_failue_starting_impossible",
    "emission_system_or_ad_blue_quality_failue_starting_impossible_soon",
    "emission_system_or_ad_blue_quality_failure",
    "engine_failure",
    "engine_fault",
    "engine_misfiring_fuel",
    "engine_oil_pressure_failure",
    "engine_temperature_failure",
    "esp_asr_system_fault",
    "front_left_flashing_indicator_fault",
    "front_left_fog_lamps_fault",
    "front_left_parking_lamps_fault",
    "front_right_flashing_indicator_fault",
    "front_right_fog_lamps_fault",
    "front_right_parking_lamps_fault",
    "fuel_level_low",
    "gearbox_fault",
    "headlights_fault",
    "installed_spare_wheel_fault",
    "inter_vehicle_time_measurement_fault",
    "lane_change_assistance_fault",
    "lane_departure_warning_system_fault",
    "left_brake_lamp_fault",
    "left_front_door_open",
    "left_front_door_open_low_speed",
    "left_front_tire_pressur_sensor_fault",
    "left_front_tire_puncture",
    "left_front_tire_under_inflated",
    "left_rear_door_open",
    "left_rear_door_open_low_speed",
    "left_rear_tire_pressur_sensor_fault",
    "left_rear_tire_puncture",
    "left_rear_tire_under_inflated",
    "left_reverse_lamp_fault",
    "oil_level_low",
    "park_assist_system_fault",
    "parking_brake_or_hill_start_system_failure",
    "particle_filter_additive_level_too_low",
    "particle_filter_full",
    "particle_filter_regenerating",
    "power_steering_failure",
    "power_steering_fault",
    "preheating_preventilation_deactivated_battery_low",
    "preheating_preventilation_deactivated_clock_unset",
    "preheating_preventilation_deactivated_fuel_level_low",
    "rear_left_flashing_indicator_fault",
    "rear_left_fog_lamps_fault",
    "rear_left_parking_lamps_fault",
    "rear_right_flashing_indicator_fault",
    "rear_right_fog_lamps_fault",
    "rear_right_parking_lamps_fault",
    "rear_window_open",
    "rear_window_open_low_speed",
    "replace_brake_pads",
    "replace_the_remote_control_battery",
    "retractable_roof_mechanism_fault",
    "right_brake_lamp_fault",
    "right_front_door_open_low_speed",
    "right_front_door_open",
    "right_front_tire_pressur_sensor_fault",
    "right_front_tire_puncture",
    "right_front_tire_under_inflated",
    "right_rear_door_open",
    "right_rear_door_open_low_speed",
    "right_rear_tire_pressur_sensor_fault",
    "right_rear_tire_puncture",
    "right_rear_tire_under_inflated",
    "right_reverse_lamp_fault",
    "risk_of_ice",
    "roof_operation_not_possible_speed_unknown",
    "roof_operation_not_possible_too_high_temp",
    "shift_to_park",
    "steering_lock_fault",
    "suspension_fault",
    "suspension_fault_limit_speed",
    "suspension_fault_repaire_vehicle",
    "tire_under_inflation_detection_system_fault",
    "too_many_roof_operation",
    "trailer_connection_fault",
    "trunk_or_hood_open",
    "trunk_or_hood_open_low_speed",
    "water_in_the_diesel_fuel_filter",
    "other",
)
IGNITION_STATES: Final = ("stop", "start", "startup")
TYRE_WARNINGS: Final = ("ok", "warning", "alert")
# The bulbs a car may report as failed (Volvo's warnings endpoint).
BULBS: Final = (
    "brake_light_center",
    "brake_light_left",
    "brake_light_right",
    "fog_light_front",
    "fog_light_rear",
    "position_light_front_left",
    "position_light_front_right",
    "position_light_rear_left",
    "position_light_rear_right",
    "high_beam_left",
    "high_beam_right",
    "low_beam_left",
    "low_beam_right",
    "daytime_running_light_left",
    "daytime_running_light_right",
    "turn_indication_front_left",
    "turn_indication_front_right",
    "turn_indication_rear_left",
    "turn_indication_rear_right",
    "registration_plate_light",
    "side_mark_lights",
    "hazard_lights",
    "reverse_lights",
)

# Energy
BATTERY_LEVEL: Final = _number("battery_level", _P)
ELECTRIC_RANGE: Final = _number("electric_range", _D)
IDEAL_RANGE: Final = _number("ideal_range", _D)
FUEL_LEVEL: Final = _number("fuel_level", _P)
FUEL_AMOUNT: Final = _number("fuel_amount", Quantity.VOLUME)
FUEL_RANGE: Final = _number("fuel_range", _D)
BATTERY_CAPACITY: Final = _number("battery_capacity", Quantity.ENERGY)
STATE_OF_HEALTH: Final = _number("state_of_health", _P)
CHARGING: Final = _flag("charging")
PLUGGED_IN: Final = _flag("plugged_in", activity=True)
CHARGING_STATE: Final = _enum("charging_state", CHARGING_STATES)
CHARGE_SUBSTATE: Final = _declare(ReadingKey("charge_substate", ReadingKind.TEXT))
CHARGE_MODE: Final = _enum("charge_mode", CHARGE_MODES)
CHARGER_CONNECTION: Final = _enum("charger_connection", CHARGER_CONNECTIONS)
CHARGING_TYPE: Final = _enum("charging_type", CHARGING_TYPES)
CHARGING_POWER_STATUS: Final = _enum("charging_power_status", CHARGING_POWER_STATUSES)
CHARGING_MODE: Final = _enum("charging_mode", CHARGING_MODES)
# Full, or partial: the car stops short of full to spare the battery (no percentage is given).
CHARGE_LIMIT: Final = _enum("charge_limit", CHARGE_LIMITS)
CHARGING_POWER_LEVEL: Final = _enum("charging_power_level", CHARGING_POWER_LEVELS)
# The delayed charge's start, as minutes after midnight (the car's clock).
DELAYED_CHARGE_START: Final = _number("delayed_charge_start", _DUR)
CHARGING_POWER: Final = _number("charging_power", Quantity.POWER)
CHARGING_RATE: Final = _number("charging_rate", _S)  # range gained per hour
CHARGING_CURRENT: Final = _number("charging_current", Quantity.CURRENT)
CHARGE_CURRENT_LIMIT: Final = _number("charge_current_limit", Quantity.CURRENT)
LINE_VOLTAGE: Final = _number("line_voltage", Quantity.VOLTAGE)
ENERGY_CHARGED: Final = _number("energy_charged", Quantity.ENERGY)
CHARGE_TIME_REMAINING: Final = _number("charge_time_remaining", _DUR)
CHARGE_TIME_TO_LIMIT: Final = _number("charge_time_to_limit", _DUR)
CHARGE_TARGET: Final = _number("charge_target", _P)
TWELVE_VOLT_BATTERY: Final = _number("twelve_volt_battery", Quantity.VOLTAGE)
TWELVE_VOLT_CURRENT: Final = _number("twelve_volt_current", Quantity.CURRENT)
TWELVE_VOLT_BATTERY_HEALTH: Final = _number("twelve_volt_battery_health", _P)
TWELVE_VOLT_CHARGING: Final = _flag("twelve_volt_charging")

# Locks and openings
CENTRAL_LOCK: Final = _flag("central_lock", activity=True)
DOORS: Final = {wheel: _flag(f"door_{wheel}", activity=True) for wheel in WHEELS}
WINDOWS: Final = {wheel: _flag(f"window_{wheel}", activity=True) for wheel in WHEELS}
HOOD: Final = _flag("hood", activity=True)
TAILGATE: Final = _flag("tailgate", activity=True)
TANK_LID: Final = _flag("tank_lid", activity=True)
CHARGE_PORT: Final = _flag("charge_port", activity=True)
SUNROOF: Final = _flag("sunroof", activity=True)

# Driving and the car's state
ODOMETER: Final = _number("odometer", _D)
TRIP_METER: Final = _number("trip_meter", _D)
TRIP_METER_MANUAL: Final = _number("trip_meter_manual", _D)
TRIP_METER_AUTOMATIC: Final = _number("trip_meter_automatic", _D)
SPEED: Final = _number("speed", _S)
AVERAGE_SPEED: Final = _number("average_speed", _S)
AVERAGE_SPEED_AUTOMATIC: Final = _number("average_speed_automatic", _S)
AVERAGE_FUEL_CONSUMPTION: Final = _number("average_fuel_consumption", Quantity.FUEL_CONSUMPTION)
AVERAGE_FUEL_CONSUMPTION_AUTOMATIC: Final = _number(
    "average_fuel_consumption_automatic", Quantity.FUEL_CONSUMPTION
)
AVERAGE_ENERGY_CONSUMPTION: Final = _number(
    "average_energy_consumption", Quantity.ENERGY_CONSUMPTION
)
AVERAGE_ENERGY_CONSUMPTION_AUTOMATIC: Final = _number(
    "average_energy_consumption_automatic", Quantity.ENERGY_CONSUMPTION
)
# The last finished trip, as a trips history reports it (not a resettable trip meter).
LAST_TRIP_DISTANCE: Final = _number("last_trip_distance", _D)
LAST_TRIP_DURATION: Final = _number("last_trip_duration", _DUR)
LAST_TRIP_ENERGY_CONSUMPTION: Final = _number(
    "last_trip_energy_consumption", Quantity.ENERGY_CONSUMPTION
)
LAST_TRIP_FUEL_CONSUMPTION: Final = _number("last_trip_fuel_consumption", Quantity.FUEL_CONSUMPTION)
MOVING: Final = _flag("moving")
ENGINE_RUNNING: Final = _flag("engine_running")
CAR_ON: Final = _flag("car_on")
IGNITION: Final = _enum("ignition", IGNITION_STATES)
AWAKE: Final = _flag("awake")
VALET_MODE: Final = _flag("valet_mode")
ALARM_SOUNDING: Final = _flag("alarm_sounding")
CLIMATE_ON: Final = _flag("climate_on")
COMMANDS_AVAILABLE: Final = _flag("commands_available")
SERVER_CONNECTED: Final = _flag("server_connected")
LIVE_LINK: Final = _flag("live_link")  # the back end's push link to the car is up
# The car's climate (preconditioning) programs by slot: on or off, and the start in
# minutes after midnight (the car's clock).
CLIMATE_PROGRAM_SLOTS: Final = (1, 2, 3, 4)
CLIMATE_PROGRAM: Final = {n: _flag(f"climate_program_{n}") for n in CLIMATE_PROGRAM_SLOTS}
CLIMATE_PROGRAM_START: Final = {
    n: _number(f"climate_program_{n}_start", _DUR) for n in CLIMATE_PROGRAM_SLOTS
}
LAST_UPDATE: Final = _declare(ReadingKey("last_update", ReadingKind.TIME))

# Temperatures
TEMPERATURE_CABIN: Final = _number("temperature_cabin", _T)
TEMPERATURE_AMBIENT: Final = _number("temperature_ambient", _T)
TEMPERATURE_BATTERY: Final = _number("temperature_battery", _T)
TEMPERATURE_MOTOR: Final = _number("temperature_motor", _T)
TEMPERATURE_INVERTER: Final = _number("temperature_inverter", _T)
TEMPERATURE_CHARGER: Final = _number("temperature_charger", _T)

# Tyres
TYRE_PRESSURES: Final = {w: _number(f"tyre_pressure_{w}", Quantity.PRESSURE) for w in WHEELS}
TYRE_TEMPERATURES: Final = {w: _number(f"tyre_temperature_{w}", _T) for w in WHEELS}
TYRE_WARNING: Final = {w: _enum(f"tyre_warning_{w}", TYRE_WARNINGS) for w in WHEELS}

# Health and service
SERVICE_WARNING: Final = _flag("service_warning")
OIL_LEVEL_WARNING: Final = _flag("oil_level_warning")
COOLANT_LEVEL_WARNING: Final = _flag("coolant_level_warning")
BRAKE_FLUID_WARNING: Final = _flag("brake_fluid_warning")
WASHER_FLUID_WARNING: Final = _flag("washer_fluid_warning")
BULB_WARNINGS: Final = {bulb: _flag(f"bulb_{bulb}") for bulb in BULBS}
DISTANCE_TO_SERVICE: Final = _number("distance_to_service", _D)
TIME_TO_SERVICE: Final = _number("time_to_service", _DUR)
ENGINE_HOURS_TO_SERVICE: Final = _number("engine_hours_to_service", _DUR)
ALERTS_ACTIVE: Final = _number("alerts_active", Quantity.COUNT)
# The newest active alert: its type, the back end's own name for it, and when it began.
LATEST_ALERT: Final = _enum("latest_alert", ALERT_TYPES)
LATEST_ALERT_CODE: Final = _declare(ReadingKey("latest_alert_code", ReadingKind.TEXT))
LATEST_ALERT_STARTED: Final = _declare(ReadingKey("latest_alert_started", ReadingKind.TIME))


CATALOGUE: Final[Mapping[str, ReadingKey]] = MappingProxyType({key: key for key in _DECLARED})
ACTIVITY: Final = frozenset(key for key in _DECLARED if key.activity)
