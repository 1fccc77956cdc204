"""When to fetch which data group: often while the car is active, rarely when parked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .api import readings
from .api.models import Command, CommandStatus, DataGroup, VehicleState

MIN_DELAY = timedelta(seconds=5)
# While a car pushes its news over a live link, polling is only a safety net.
SAFETY_NET = timedelta(minutes=30)
# A car the server has not heard from for this long is parked, whatever it last said.
OFFLINE_AFTER = timedelta(hours=2)
# How long a car counts as active after a command or a change it reported.
ACTIVE_AFTER_CHANGE = timedelta(minutes=10)
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
        self._offset: timedelta | None = None
        self._epoch: datetime | None = None
        self._seen: set[DataGroup] = set()

    def stagger(self, offset: timedelta) -> None:
        """Count each group's first fetch as made ``offset`` before the plan's first one.

        Cars set up together then fall due apart (offsets spread over the
        interval), and a group first fetched late (its request postponed) falls
        due with the car's others.
        """
        self._offset = offset

    def due(self, now: datetime, active: bool, streaming: bool = False) -> set[DataGroup]:
        """The groups whose interval has run out (within the minimum delay)."""
        return {
            group
            for group in self._schedules
            if self._next(group, active, streaming) <= now + MIN_DELAY
        }

    def mark_fetched(self, groups: Iterable[DataGroup], now: datetime) -> None:
        """Remember that these groups are fresh as of now."""
        if self._offset is None:
            self._fetched.update(dict.fromkeys(groups, now))
            return
        if self._epoch is None:
            self._epoch = now - self._offset
        for group in groups:
            self._fetched[group] = now if group in self._seen else self._epoch
            self._seen.add(group)

    def expire(self, groups: Iterable[DataGroup]) -> None:
        """Make these groups due now."""
        for group in groups:
            self._fetched.pop(group, None)

    def next_delay(self, now: datetime, active: bool, streaming: bool = False) -> timedelta:
        """How long until the next group falls due."""
        if not self._schedules:
            return IDLE_DELAY
        soonest = min(self._next(group, active, streaming) for group in self._schedules)
        return max(soonest - now, MIN_DELAY)

    def _next(self, group: DataGroup, active: bool, streaming: bool) -> datetime:
        fetched = self._fetched.get(group)
        if fetched is None:
            return _NEVER_FETCHED
        schedule = self._schedules[group]
        interval = schedule.active if active else schedule.parked
        return fetched + (max(interval, SAFETY_NET) if streaming else interval)


# Multiples of the active and parked intervals per group, for back ends that
# count calls: openings and energy follow the intervals, the rest changes only
# while driving (location, odometer) or rarely (tyres, health).
PER_CALL_TIERS: Mapping[DataGroup, tuple[int, int]] = {
    DataGroup.LOCKS_OPENINGS: (1, 1),
    DataGroup.ENERGY: (1, 1),
    DataGroup.LOCATION: (1, 6),
    DataGroup.ODOMETER_TRIPS: (5, 6),
    DataGroup.TYRES: (15, 12),
    DataGroup.HEALTH: (30, 36),
}


def tiered_plan(
    groups: Iterable[DataGroup],
    active: timedelta,
    parked: timedelta,
    tiers: Mapping[DataGroup, tuple[int, int]] | None = None,
) -> PollPlan:
    """A plan polling each group at its tier's multiples of the two intervals (default 1)."""
    tiers = tiers or {}
    return PollPlan(
        {
            group: Schedule(
                active * tiers.get(group, (1, 1))[0], parked * tiers.get(group, (1, 1))[1]
            )
            for group in groups
        }
    )


class VehiclePoller:
    """One car's polling decisions: which groups to fetch now, when to look next.

    A car is active while in use, or for a while after a command or a change
    at the car (a door opened, the lock changed). Free of Home Assistant, so
    the coordinator and the benchmark make the very same decisions.
    """

    def __init__(
        self,
        plan: PollPlan,
        capabilities: Iterable[DataGroup],
        active_after_change: timedelta = ACTIVE_AFTER_CHANGE,
    ) -> None:
        """Poll only the groups the car can report."""
        self._plan = plan
        self._capabilities = frozenset(capabilities)
        self._active_after_change = active_after_change
        self._active_until: datetime | None = None
        # True while the car pushes its news over a live link (polling is a safety net).
        self.streaming = False

    def is_active(self, now: datetime, state: VehicleState | None) -> bool:
        """Active while in use, or for a while after a command or a change at the car."""
        recently = self._active_until is not None and now < self._active_until
        return recently or (state is not None and is_in_use(state, now))

    def due(self, now: datetime, state: VehicleState | None) -> set[DataGroup]:
        """The groups to fetch now: all of them before the first poll."""
        if state is None:
            return set(self._capabilities)
        return self._plan.due(now, self.is_active(now, state), self.streaming) & self._capabilities

    def next_delay(self, now: datetime, state: VehicleState) -> timedelta:
        """How long until the next poll."""
        return self._plan.next_delay(now, self.is_active(now, state), self.streaming)

    def observe(self, now: datetime, previous: VehicleState, state: VehicleState) -> timedelta:
        """News the car pushed, from ``previous`` to ``state``; answer the next poll's delay."""
        if openings_changed(previous, state):
            self.mark_active(now)
        return self.next_delay(now, state)

    def fetched(
        self,
        groups: Iterable[DataGroup],
        now: datetime,
        previous: VehicleState | None,
        state: VehicleState,
    ) -> timedelta:
        """Record a poll that led from ``previous`` to ``state``; answer the next delay."""
        self._plan.mark_fetched(groups, now)
        if previous is not None and openings_changed(previous, state):
            self.mark_active(now)
        return self.next_delay(now, state)

    def mark_active(self, now: datetime) -> None:
        """Count the car as active for a while from now (a command ran)."""
        self._active_until = now + self._active_after_change

    def expire(self, groups: Iterable[DataGroup]) -> None:
        """Make these groups due now."""
        self._plan.expire(groups)


def is_in_use(state: VehicleState, now: datetime | None = None) -> bool:
    """Whether the car's own readings say it is in use: on, charging, moving or unlocked.

    A car the server reports offline and has not heard from for hours is not in
    use, whatever its last record said (it would be polled as active for ever).
    """
    last = state.value(readings.LAST_UPDATE)
    if (
        now is not None
        and state.value(readings.SERVER_CONNECTED) is False
        and isinstance(last, datetime)
        and now - last > OFFLINE_AFTER
    ):
        return False
    speed = state.value(readings.SPEED)
    return bool(
        state.value(readings.CAR_ON)
        or state.value(readings.CHARGING)
        or state.value(readings.ENGINE_RUNNING)
        or (isinstance(speed, int | float) and not isinstance(speed, bool) and speed > 0)
        or state.value(readings.CENTRAL_LOCK) is False
    )


# What each command changes, so only those groups are fetched after it.
COMMAND_GROUPS: Mapping[Command, frozenset[DataGroup]] = {
    Command.REFRESH: frozenset(DataGroup),
    Command.WAKE_UP: frozenset(DataGroup),
    Command.LOCK: frozenset({DataGroup.LOCKS_OPENINGS, DataGroup.LOCATION}),
    Command.LOCK_REDUCED_GUARD: frozenset({DataGroup.LOCKS_OPENINGS, DataGroup.LOCATION}),
    Command.UNLOCK: frozenset({DataGroup.LOCKS_OPENINGS}),
    Command.CHARGE_START: frozenset({DataGroup.ENERGY}),
    Command.CHARGE_STOP: frozenset({DataGroup.ENERGY}),
    Command.ENGINE_START: frozenset({DataGroup.LOCKS_OPENINGS}),
    Command.ENGINE_STOP: frozenset({DataGroup.LOCKS_OPENINGS, DataGroup.LOCATION}),
    Command.CLIMATE_START: frozenset({DataGroup.ENERGY}),
    Command.CLIMATE_STOP: frozenset({DataGroup.ENERGY}),
    Command.SET_CHARGE_MODE: frozenset({DataGroup.ENERGY}),
    Command.SET_CHARGE_CURRENT: frozenset({DataGroup.ENERGY}),
    Command.SET_CHARGE_LIMIT: frozenset({DataGroup.ENERGY}),
    Command.SET_CHARGING_POWER_LEVEL: frozenset({DataGroup.ENERGY}),
    Command.SET_DELAYED_CHARGE_START: frozenset({DataGroup.ENERGY}),
    Command.SET_CLIMATE_PROGRAM: frozenset({DataGroup.ENERGY}),
    Command.VALET_ON: frozenset({DataGroup.LOCKS_OPENINGS}),
    Command.VALET_OFF: frozenset({DataGroup.LOCKS_OPENINGS}),
}


# What a failed command's outcome reveals about the car, fetched at once to show it.
FAILURE_GROUPS: Mapping[CommandStatus, frozenset[DataGroup]] = {
    CommandStatus.DOOR_OPEN: frozenset({DataGroup.LOCKS_OPENINGS}),
}


def openings_changed(previous: VehicleState, current: VehicleState) -> bool:
    """Whether a lock, door, window, lid or the plug changed between two snapshots."""
    return any(previous.value(key) != current.value(key) for key in readings.ACTIVITY)
