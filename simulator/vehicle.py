"""One simulated car: its physical state and how it evolves over time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import math
from typing import Final

from .geo import Point, Route, destination
from .scenario import PHASES, Phase, Plan, ambient_temperature

WHEELS: Final = ("fl", "fr", "rl", "rr")
DOORS: Final = ("fl", "fr", "rl", "rr", "trunk", "hood", "chargeport", "tanklid")
WINDOWS: Final = ("fl", "fr", "rl", "rr", "sunroof")
# A plug-in hybrid drives on electricity down to this charge, then on fuel.
HYBRID_RESERVE_SOC: Final = 12.0
CHARGE_EFFICIENCY: Final = 0.92
_LOOP_MINUTES: Final = 30.0


@dataclass(frozen=True)
class VehicleSpec:
    """What a car is: fixed facts and its daily plan."""

    id: str
    make: str
    model: str
    vin: str
    capacity_kwh: float
    consumption_wh_km: float
    ideal_wh_km: float
    charge_kw: float
    charge_limit: float
    pack_voltage: float
    soh: float
    home: Point
    plan: Plan = field(default_factory=Plan)
    line_voltage: float = 230.0
    charge_phases: int = 1
    tyre_kpa: float | None = None
    fuel_tank_l: float = 0.0
    fuel_l_100km: float = 0.0

    @property
    def electric(self) -> bool:
        """Tell whether the car has a traction battery."""
        return self.capacity_kwh > 0

    @property
    def combustion(self) -> bool:
        """Tell whether the car has a fuel tank."""
        return self.fuel_tank_l > 0


@dataclass
class Tyre:
    """A tyre with a pressure sensor; pressure follows its temperature."""

    cold_kpa: float
    temperature: float
    health: float = 100.0
    alert: int = 0

    @property
    def kpa(self) -> float:
        """Return the pressure at the tyre's current temperature."""
        return self.cold_kpa * (self.temperature + 273.15) / 288.15


@dataclass(frozen=True)
class NaviDestination:
    """Where a remote command told the car's navigation to lead (the name, if one came)."""

    point: Point
    name: str | None = None


@dataclass
class _Trip:
    route: Route
    began: datetime
    seconds: float
    fuel_at_start_l: float
    done_km: float = 0.0


@dataclass
class ClimateProgram:
    """A climate program of the car: on which days, from when."""

    enabled: bool
    start: time
    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class FinishedTrip:
    """A drive the car completed, as a trips history lists it."""

    started: datetime
    stopped: datetime
    km: float
    start_km: float
    energy_kwh: float
    fuel_l: float


def _relax(value: float, target: float, seconds: float, tau: float) -> float:
    return target + (value - target) * math.exp(-seconds / tau)


class Vehicle:
    """A car's live state. Attributes may be changed freely by tests and the admin API."""

    trips: list[FinishedTrip]  # oldest first
    alerts: list[tuple[str, datetime]]  # raised (type, since), oldest first; they stay active
    # Climate programs by slot (1-4): enabled, start (a time of day), days ("Mon" ...).
    climate_programs: dict[int, ClimateProgram]
    _reported: tuple[object, ...] = ()  # the signature last reported
    # A stuck latch: remote lock and unlock succeed, yet the lock stays as it is.
    lock_stuck: bool = False

    def __init__(
        self,
        spec: VehicleSpec,
        *,
        when: datetime,
        soc: float,
        odometer_km: float,
        fuel_l: float = 0.0,
        online: bool = True,
        parked_since: datetime | None = None,
    ) -> None:
        """Create the car at home at ``when``, parked or charging as its plan says."""
        self.spec = spec
        self.id = spec.id
        # The synthetic alert history ends at created. When the car last reported to its
        # cloud: all the time while awake, else when something at it changed (a cloud
        # stamps its values with this time).
        self.created = self.time = self.reported_at = when
        self.online = online
        self.phase: Phase = "park"
        self.soc = soc if spec.electric else 0.0
        self.fuel_l = min(fuel_l, spec.fuel_tank_l)
        self.odometer_km = odometer_km
        self.trip_km = 0.0
        self.position = spec.home
        self.direction = 0.0
        self.speed_kmh = 0.0
        self.locked = True
        self.valet = False
        self.alarm = False
        self.doors = dict.fromkeys(DOORS, False)
        self.windows = dict.fromkeys(WINDOWS, False)
        # Until when a remote start keeps the engine running / the cabin conditioned.
        self.engine_until: datetime | None = None
        self.climate_until: datetime | None = None
        self.plugged = False
        self.charge_state = "stopped"
        # A remote "stop charging" pauses a plugged-in car until it is told to start again.
        self.charge_paused = False
        # Set remotely: a charge mode name and a charge current limit (amperes per phase).
        self.charge_mode = "standard"
        self.charge_current_limit: float | None = None
        # Set remotely (Stellantis): stop Full or Partial, a power level (None: the charger's
        # own), and the clock time a paused ("delayed") charge starts by itself.
        self.charge_preference = "Full"
        self.charge_power_level: str | None = None
        self.delayed_start: time | None = None
        # The destination a remote command last sent to the navigation system.
        self.navigation: NaviDestination | None = None
        # Seconds the last remote unlock kept the car ready to open (Volvo's unlockDuration).
        self.unlock_seconds: int | None = None
        # Until when a remote wake-up keeps the electronics awake.
        self.woken_until: datetime | None = None
        self.charge_power_kw = 0.0
        self.charge_kwh = 0.0
        self.charge_began: datetime | None = None
        self.energy_used_wh = 0.0
        self.energy_recd_wh = 0.0
        self.parked_since: datetime | None = parked_since or when
        self.ambient_temp = ambient_temperature(when)
        self.battery_temp = self.ambient_temp + 3
        self.motor_temp = self.pem_temp = self.charger_temp = self.ambient_temp
        self.cabin_temp = self.ambient_temp + 1
        self.tyres = (
            {w: Tyre(spec.tyre_kpa, self.ambient_temp) for w in WHEELS} if spec.tyre_kpa else {}
        )
        self.sync: Callable[[], None] = lambda: None  # the world sets this to its catch-up
        self._leg: datetime | None = None
        self._trip: _Trip | None = None
        self.trips, self.alerts, self.climate_programs = (
            [],
            [("FuelLevelLow", when)] if self.fuel_low() else [],
            {1: ClimateProgram(enabled=False, start=time(7, 15))},
        )
        if (current := spec.plan.current(when)) is not None:
            # A drive that began before the car existed is over: it starts out parked.
            self._leg, leg = current
            if leg.phase == "charge":
                self._begin("charge", when)

    # Derived state

    def signature(self) -> tuple[object, ...]:
        """What a car reports as soon as it changes: phase, locks, doors, windows, charging."""
        return (
            self.phase, self.locked, self.plugged, self.charge_state, self.valet, self.alarm,
            self.awake, self.climate_on, self.charge_mode, self.charge_current_limit,
            *self.doors.values(), *self.windows.values(),
        )  # fmt: skip

    def note_report(self) -> None:
        """Stamp a report now when the car is awake or something at it changed."""
        if self.awake:
            # Reporting all the time; the first step asleep reports once more.
            self.reported_at, self._reported = self.time, ()
            return
        signature = self.signature()
        if signature != self._reported:
            self.reported_at, self._reported = self.time, signature

    @property
    def car_on(self) -> bool:
        """Tell whether the car is switched on (driving)."""
        return self.phase == "drive"

    @property
    def engine_running(self) -> bool:
        """Tell whether the engine runs: driving a combustion car, or remote started."""
        burning = self.car_on and (not self.spec.electric or self._on_fuel())
        return burning or self.engine_until is not None

    @property
    def climate_on(self) -> bool:
        """Tell whether the cabin is being pre-conditioned."""
        return self.climate_until is not None

    @property
    def charging(self) -> bool:
        """Tell whether energy is flowing into the battery."""
        return self.plugged and self.charge_state in ("charging", "topoff")

    @property
    def awake(self) -> bool:
        """Tell whether the car's electronics are awake."""
        awake = self.car_on or self.charging or self.engine_running or self.climate_on
        return awake or self.woken_until is not None

    def fuel_range_km(self) -> float:
        """Return the distance the fuel left is good for."""
        if not self.spec.combustion:
            return 0.0
        return self.fuel_l / self.spec.fuel_l_100km * 100

    @property
    def power_kw(self) -> float:
        """Return the battery power: positive when driving, negative when charging."""
        if self.car_on:
            return max(0.3, self.speed_kmh * self._consumption_wh_km() / 1000)
        if self.charging:
            return -self.charge_power_kw * CHARGE_EFFICIENCY
        return 0.0

    @property
    def pack_voltage(self) -> float:
        """Return the high-voltage battery's voltage."""
        return self.spec.pack_voltage * (0.92 + 0.16 * self.soc / 100)

    @property
    def battery_current(self) -> float:
        """Return the high-voltage battery current (positive when discharging)."""
        return self.power_kw * 1000 / self.pack_voltage

    @property
    def capacity_ah(self) -> float:
        """Return the battery's capacity in ampere-hours, health included."""
        if not self.spec.electric:
            return 0.0
        return self.spec.capacity_kwh * 1000 / self.spec.pack_voltage * self.spec.soh / 100

    @property
    def charge_current(self) -> float:
        """Return the charging current per phase."""
        volts = self.spec.line_voltage * self.spec.charge_phases
        return self.charge_power_kw * 1000 / volts if self.charging else 0.0

    @property
    def twelve_volt(self) -> float:
        """Return the 12 V battery's voltage (the DC converter lifts it when awake)."""
        return 14.2 if self.awake else 12.5 + 0.01 * self.ambient_temp

    @property
    def twelve_volt_current(self) -> float:
        """Return the DC converter's output current."""
        return 12.5 if self.car_on else 3.0 if self.charging else 0.0

    def ideal_range_km(self, soc: float | None = None) -> float:
        """Return the ideal range at ``soc`` (default: now)."""
        soc = self.soc if soc is None else soc
        if not self.spec.electric:
            return 0.0
        return self.spec.capacity_kwh * 10 * soc / self.spec.ideal_wh_km

    def estimated_range_km(self) -> float:
        """Return the electric range expected at today's temperature."""
        if not self.spec.electric:
            return 0.0
        return self.spec.capacity_kwh * 10 * self.soc / self._consumption_wh_km()

    def minutes_to(self, soc: float) -> float:
        """Return the charging minutes to reach ``soc``, 0 when not charging."""
        if not self.charging or self.soc >= soc:
            return 0.0
        kwh = self.spec.capacity_kwh * (soc - self.soc) / 100
        return kwh / (self.spec.charge_kw * CHARGE_EFFICIENCY) * 60

    def parked_seconds(self) -> int:
        """Return how long the car has been parked, 0 while driving."""
        if self.car_on or self.parked_since is None:
            return 0
        return int((self.time - self.parked_since).total_seconds())

    # Control

    def set_phase(self, phase: str) -> None:
        """Force ``park``, ``drive`` (a 30 minute loop) or ``charge`` now.

        The plan takes over again when its next leg begins.
        """
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; use one of {sorted(PHASES)}")
        self.sync()
        if phase == "drive":
            heading = (self.time.minute * 6) % 360
            far = destination(self.position, heading, 6)
            side = destination(far, heading + 100, 3)
            self._begin("drive", self.time, (far, side, self.position), _LOOP_MINUTES)
        else:
            self._begin("park" if phase == "park" else "charge", self.time)

    def lock_remotely(self, locked: bool) -> None:
        """Carry out a remote lock or unlock the back end reports as done (unless stuck)."""
        if not self.lock_stuck:
            self.locked = locked

    def step(self, when: datetime) -> None:
        """Advance the car to ``when``."""
        seconds = (when - self.time).total_seconds()
        if seconds <= 0:
            return
        started = self.time
        self.time = when
        self._end_remote(when)
        self._start_delayed(started, when)
        self._follow_plan(when)
        if self._trip is not None:
            self._drive(when)
        elif self.plugged and not self.charge_paused:
            self._charge(seconds)
        self._warm_or_cool(seconds)

    def raise_alert(self, kind: str) -> None:
        """Raise an alert of the Stellantis type ``kind`` now; it stays active."""
        self.alerts.append((kind, self.time))

    # Internals

    def fuel_low(self) -> bool:
        """Tell whether the tank is below 15 % (the FuelLevelLow alert)."""
        return self.spec.combustion and self.fuel_l < 0.15 * self.spec.fuel_tank_l

    def _check_fuel(self, when: datetime) -> None:
        """FuelLevelLow is raised when the level falls below 15 %, and cleared above it."""
        raised = any(kind == "FuelLevelLow" for kind, _ in self.alerts)
        if self.fuel_low() and not raised:
            self.alerts.append(("FuelLevelLow", when))
        elif not self.fuel_low() and raised:
            self.alerts = [alert for alert in self.alerts if alert[0] != "FuelLevelLow"]

    def _start_delayed(self, before: datetime, now: datetime) -> None:
        """A paused charge starts when the clock passes its delayed start."""
        if self.delayed_start is None or not (self.plugged and self.charge_paused):
            return
        start = datetime.combine(before.date(), self.delayed_start, before.tzinfo)
        if start <= before:
            start += timedelta(days=1)
        if start <= now:
            self.charge_paused = False
            self.charge_state = "charging"

    def _consumption_wh_km(self) -> float:
        return self.spec.consumption_wh_km * (1 + 0.012 * max(0.0, 15 - self.ambient_temp))

    def _on_fuel(self) -> bool:
        return self.spec.combustion and (not self.spec.electric or self.soc <= HYBRID_RESERVE_SOC)

    def _end_remote(self, when: datetime) -> None:
        if self.engine_until is not None and (when >= self.engine_until or self.car_on):
            self.engine_until = None
        if self.climate_until is not None and when >= self.climate_until:
            self.climate_until = None
        if self.woken_until is not None and when >= self.woken_until:
            self.woken_until = None

    def _follow_plan(self, when: datetime) -> None:
        current = self.spec.plan.current(when)
        if current is None or current[0] == self._leg:
            return
        self._leg, leg = current
        self._begin(leg.phase, when, leg.via, leg.minutes)

    def _begin(
        self, phase: Phase, when: datetime, via: tuple[Point, ...] = (), minutes: float = 0.0
    ) -> None:
        if phase != "charge" and self.plugged:
            self._unplug()
        if phase != "drive" and self._trip is not None:
            self._arrive(when)
        if phase == "drive":
            route = Route((self.position, *via))
            self._trip = _Trip(route, when, max(minutes, 1.0) * 60, self.fuel_l)
            self.phase = "drive"
            self.locked = False
            self.parked_since = None
            self.trip_km = self.energy_used_wh = self.energy_recd_wh = 0.0
        elif phase == "charge" and not self.spec.electric:
            self.phase = "park"  # nothing to plug in: the plan's charge is a rest
        elif phase == "charge":
            self.phase = "charge"
            if not self.plugged:
                self.plugged = True
                self.doors["chargeport"] = True
                self.charge_kwh = 0.0
                self.charge_began = when
                self.charge_state = "charging"
                self._charge(0.0)
        else:
            self.phase = "park"

    def _unplug(self) -> None:
        self.plugged = False
        self.charge_paused = False
        self.doors["chargeport"] = False
        self.charge_power_kw = 0.0
        if self.charge_state != "done":
            self.charge_state = "stopped"

    def _arrive(self, when: datetime) -> None:
        if (trip := self._trip) is not None and trip.done_km > 0:
            self.trips.append(
                FinishedTrip(
                    started=trip.began,
                    stopped=when,
                    km=trip.done_km,
                    start_km=self.odometer_km - trip.done_km,
                    energy_kwh=(self.energy_used_wh - self.energy_recd_wh) / 1000,
                    fuel_l=max(0.0, trip.fuel_at_start_l - self.fuel_l),
                )
            )
        self._trip = None
        self.phase = "park"
        self.speed_kmh = 0.0
        self.locked = True
        self.parked_since = when

    def _drive(self, when: datetime) -> None:
        trip = self._trip
        assert trip is not None
        length = trip.route.length_km
        u = min(1.0, (when - trip.began).total_seconds() / trip.seconds)
        done = length * (1 - math.cos(math.pi * u)) / 2
        km = done - trip.done_km
        trip.done_km = done
        self.odometer_km += km
        self.trip_km += km
        if self._on_fuel():
            self.fuel_l = max(0.0, self.fuel_l - km * self.spec.fuel_l_100km / 100)
            self._check_fuel(when)
        else:
            wh = km * self._consumption_wh_km()
            self.energy_used_wh += wh * 1.15
            self.energy_recd_wh += wh * 0.15
            self.soc = max(0.0, self.soc - wh / (self.spec.capacity_kwh * 10))
        self.position, self.direction = trip.route.at(done)
        self.speed_kmh = length * math.pi / (2 * trip.seconds / 3600) * math.sin(math.pi * u)
        if u >= 1.0:
            self._arrive(when)

    def _charge(self, seconds: float) -> None:
        limit = self.spec.charge_limit
        if self.soc >= limit:
            self.charge_state = "done"
            self.charge_power_kw = 0.0
            return
        taper = 1.0 if self.soc < 90 else max(0.25, (100 - self.soc) / 10)
        self.charge_power_kw = min(self.spec.charge_kw * taper, self._current_limit_kw())
        kwh = self.charge_power_kw * seconds / 3600
        self.charge_kwh += kwh
        self.soc = min(limit, self.soc + kwh * CHARGE_EFFICIENCY / self.spec.capacity_kwh * 100)
        self.charge_state = "topoff" if self.soc >= 90 else "charging"

    def _current_limit_kw(self) -> float:
        if self.charge_current_limit is None:
            return math.inf
        volts = self.spec.line_voltage * self.spec.charge_phases
        return self.charge_current_limit * volts / 1000

    def _warm_or_cool(self, seconds: float) -> None:
        ambient = self.ambient_temp = ambient_temperature(self.time)
        on, charging = self.car_on, self.charging
        self.battery_temp = _relax(
            self.battery_temp, ambient + (10 if on else 14 if charging else 0), seconds, 2400
        )
        self.motor_temp = _relax(self.motor_temp, ambient + (35 if on else 0), seconds, 900)
        self.pem_temp = _relax(
            self.pem_temp, ambient + (25 if on else 8 if charging else 0), seconds, 600
        )
        self.charger_temp = _relax(
            self.charger_temp, ambient + (22 if charging else 0), seconds, 600
        )
        self.cabin_temp = _relax(
            self.cabin_temp, 20.0 if on else ambient, seconds, 600 if on else 1800
        )
        for tyre in self.tyres.values():
            tyre.temperature = _relax(tyre.temperature, ambient + (12 if on else 0), seconds, 1200)
