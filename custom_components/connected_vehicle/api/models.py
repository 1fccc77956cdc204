"""The brand-neutral vehicle model every back end is parsed into."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum
from types import MappingProxyType

type Value = float | int | str | bool | datetime


class DataGroup(StrEnum):
    """Groups of readings a back end fetches together and polls on one schedule."""

    LOCKS_OPENINGS = "locks_openings"
    # The lock and doors alone: where a back end reads them apart, the cheapest look.
    LOCK_AND_DOORS = "lock_and_doors"
    ENERGY = "energy"
    LOCATION = "location"
    ODOMETER_TRIPS = "odometer_trips"
    TYRES = "tyres"
    HEALTH = "health"


class Powertrain(StrEnum):
    """What moves the car."""

    COMBUSTION = "combustion"
    HYBRID = "hybrid"
    ELECTRIC = "electric"
    UNKNOWN = "unknown"


class Command(StrEnum):
    """Commands a vehicle may accept; each back end lists the ones it supports."""

    LOCK = "lock"
    LOCK_REDUCED_GUARD = "lock_reduced_guard"
    UNLOCK = "unlock"
    HONK = "honk"
    FLASH = "flash"
    HONK_FLASH = "honk_flash"
    ENGINE_START = "engine_start"
    ENGINE_STOP = "engine_stop"
    CLIMATE_START = "climate_start"
    CLIMATE_STOP = "climate_stop"
    CHARGE_START = "charge_start"
    CHARGE_STOP = "charge_stop"
    SET_CHARGE_MODE = "set_charge_mode"
    SET_CHARGE_CURRENT = "set_charge_current"
    SET_CHARGE_LIMIT = "set_charge_limit"
    SET_CHARGING_POWER_LEVEL = "set_charging_power_level"
    SET_DELAYED_CHARGE_START = "set_delayed_charge_start"
    SET_CLIMATE_PROGRAM = "set_climate_program"
    VALET_ON = "valet_on"
    VALET_OFF = "valet_off"
    HOMELINK = "homelink"
    SEND_DESTINATION = "send_destination"
    WAKE_UP = "wake_up"
    REFRESH = "refresh"


class CommandStatus(StrEnum):
    """The outcome of a command, brand-neutral."""

    SUCCESS = "success"
    ASLEEP = "asleep"
    DOOR_OPEN = "door_open"
    UNLOCK_WINDOW_PASSED = "unlock_window_passed"
    TIMEOUT = "timeout"
    REJECTED = "rejected"
    NOT_SUPPORTED = "not_supported"
    NOT_IMPLEMENTED = "not_implemented"
    UNREACHABLE = "unreachable"
    PIN_REQUIRED = "pin_required"


@dataclass(frozen=True, slots=True, eq=False)
class Reading:
    """One value as the back end reported it, in the back end's unit.

    Equal when value and unit are: a back end that re-stamps an unchanged
    value must not rewrite its entity (the car's own report time is the
    ``last_update`` reading, which changes when the car really reported).
    """

    value: Value
    unit: str | None = None
    observed_at: datetime | None = None

    def __eq__(self, other: object) -> bool:
        """Same value and unit, whenever observed."""
        if not isinstance(other, Reading):
            return NotImplemented
        return self.value == other.value and self.unit == other.unit

    def __hash__(self) -> int:
        """Consistent with equality."""
        return hash((self.value, self.unit))


@dataclass(frozen=True, slots=True, eq=False)
class Location:
    """Where the car is, when the back end said so; equal wherever the fix is the same."""

    latitude: float
    longitude: float
    heading: float | None = None
    speed: float | None = None
    altitude: float | None = None
    observed_at: datetime | None = None

    def _fix(self) -> tuple[float, float, float | None, float | None, float | None]:
        return (self.latitude, self.longitude, self.heading, self.speed, self.altitude)

    def __eq__(self, other: object) -> bool:
        """Same fix, whenever observed."""
        if not isinstance(other, Location):
            return NotImplemented
        return self._fix() == other._fix()

    def __hash__(self) -> int:
        """Consistent with equality."""
        return hash(self._fix())


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A car on the account, with what it can report and do."""

    id: str
    name: str
    brand: str | None = None
    model: str | None = None
    vin: str | None = None
    # The back end's own code for the model (OVMS vehicle type), where it has one.
    model_code: str | None = None
    year: int | None = None
    powertrain: Powertrain = Powertrain.UNKNOWN
    battery_capacity: float | None = None
    image_url: str | None = None
    # How the car is built, where the back end says (for diagnostics).
    colour: str | None = None
    gearbox: str | None = None  # "automatic" or "manual"
    upholstery: str | None = None
    steering_side: str | None = None  # "left" or "right"
    capabilities: frozenset[DataGroup] = frozenset()
    commands: frozenset[Command] = frozenset()


def _frozen(readings: Mapping[str, Reading]) -> Mapping[str, Reading]:
    return MappingProxyType(dict(readings))


@dataclass(frozen=True, slots=True)
class VehicleState:
    """A partial snapshot: readings the back end gave, keyed by brand-neutral names.

    A key is absent when the back end did not say. Two states are equal when
    every reading is, so a poll that changes nothing changes no entity.
    """

    readings: Mapping[str, Reading] = field(default_factory=dict)
    location: Location | None = None

    def __post_init__(self) -> None:
        """Keep the readings read-only."""
        object.__setattr__(self, "readings", _frozen(self.readings))

    def __eq__(self, other: object) -> bool:
        """Compare readings by content (a mapping proxy compares by identity)."""
        if not isinstance(other, VehicleState):
            return NotImplemented
        return dict(self.readings) == dict(other.readings) and self.location == other.location

    __hash__ = None  # type: ignore[assignment]

    def value(self, key: str) -> Value | None:
        """The value of one reading, or None when the back end did not say."""
        reading = self.readings.get(key)
        return None if reading is None else reading.value

    def merged(self, newer: VehicleState) -> VehicleState:
        """This state updated with what a newer, possibly partial, snapshot says."""
        return replace(
            self,
            readings={**self.readings, **newer.readings},
            location=newer.location or self.location,
        )


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the car's navigation should lead; ``name`` as the user gave it, if at all."""

    latitude: float
    longitude: float
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ClimateProgramChange:
    """A change to one of the car's climate programs; None leaves that part as it is."""

    slot: int
    enabled: bool | None = None
    start: time | None = None


@dataclass(frozen=True, slots=True)
class CommandArguments:
    """Optional parameters of a command; a back end ignores what its command does not take."""

    runtime_minutes: int | None = None
    # The car's PIN, for back ends whose car checks one (OVMS lock, unlock, valet).
    pin: str | None = None
    charge_mode: str | None = None
    charge_current: int | None = None
    charge_limit: str | None = None
    charging_power_level: str | None = None
    delayed_charge_start: time | None = None
    climate_program: ClimateProgramChange | None = None
    destination: Destination | None = None
    # Seconds the car stays ready to unlock (Volvo's v1 ``unlockDuration``, at most 120).
    unlock_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What became of a command."""

    status: CommandStatus
    message: str | None = None
