"""When to fetch which data group: often while the car is active, rarely when parked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .api.models import Command, DataGroup, VehicleState

MIN_DELAY = timedelta(seconds=5)
# With nothing to poll (a car that reports no group), look again rarely.
IDLE_DELAY = timedelta(hours=1)
_NEVER_FETCHED = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Schedule:
    """How often one group is fetched in each mode."""

    active: timedelta
    parked: timedelta


class PollPlan:
    """Tracks when each group was fetched and which are due."""

    def __init__(self, schedules: Mapping[DataGroup, Schedule]) -> None:
        """Every group starts due."""
        self._schedules = dict(schedules)
        self._fetched: dict[DataGroup, datetime] = {}

    def due(self, now: datetime, active: bool) -> set[DataGroup]:
        """The groups whose interval has run out (within the minimum delay)."""
        return {group for group in self._schedules if self._next(group, active) <= now + MIN_DELAY}

    def mark_fetched(self, groups: Iterable[DataGroup], now: datetime) -> None:
        """Remember that these groups are fresh as of now."""
        self._fetched.update(dict.fromkeys(groups, now))

    def expire(self, groups: Iterable[DataGroup]) -> None:
        """Make these groups due now."""
        for group in groups:
            self._fetched.pop(group, None)

    def next_delay(self, now: datetime, active: bool) -> timedelta:
        """How long until the next group falls due."""
        if not self._schedules:
            return IDLE_DELAY
        soonest = min(self._next(group, active) for group in self._schedules)
        return max(soonest - now, MIN_DELAY)

    def _next(self, group: DataGroup, active: bool) -> datetime:
        fetched = self._fetched.get(group)
        if fetched is None:
            return _NEVER_FETCHED
        schedule = self._schedules[group]
        return fetched + (schedule.active if active else schedule.parked)


def uniform_plan(groups: Iterable[DataGroup], active: timedelta, parked: timedelta) -> PollPlan:
    """A plan polling every group at the same pair of intervals."""
    return PollPlan(dict.fromkeys(groups, Schedule(active, parked)))


def is_in_use(state: VehicleState) -> bool:
    """Whether the car's own readings say it is in use: on, charging, moving or unlocked."""
    speed = state.value("speed")
    return bool(
        state.value("car_on")
        or state.value("charging")
        or state.value("engine_running")
        or (isinstance(speed, int | float) and not isinstance(speed, bool) and speed > 0)
        or state.value("central_lock") is False
    )


# Readings whose change means someone is at the car: poll it as active for a while.
_ACTIVITY_KEYS = frozenset(
    {"central_lock", "hood", "tailgate", "tank_lid", "charge_port", "plugged_in", "sunroof"}
)
_ACTIVITY_PREFIXES = ("door_", "window_")

# What each command changes, so only those groups are fetched after it.
COMMAND_GROUPS: Mapping[Command, frozenset[DataGroup]] = {
    Command.REFRESH: frozenset(DataGroup),
    Command.LOCK: frozenset({DataGroup.LOCKS_OPENINGS, DataGroup.LOCATION}),
    Command.UNLOCK: frozenset({DataGroup.LOCKS_OPENINGS}),
    Command.ENGINE_START: frozenset({DataGroup.HEALTH, DataGroup.ENERGY}),
    Command.ENGINE_STOP: frozenset({DataGroup.HEALTH, DataGroup.ENERGY, DataGroup.LOCATION}),
    Command.CLIMATE_START: frozenset({DataGroup.HEALTH}),
    Command.CLIMATE_STOP: frozenset({DataGroup.HEALTH}),
}


def openings_changed(previous: VehicleState, current: VehicleState) -> bool:
    """Whether a lock, door, window or lid changed between two snapshots."""
    keys = set(previous.readings) | set(current.readings)
    return any(
        previous.value(key) != current.value(key)
        for key in keys
        if key in _ACTIVITY_KEYS or key.startswith(_ACTIVITY_PREFIXES)
    )
