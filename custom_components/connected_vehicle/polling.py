"""When to fetch which data group: often while the car is active, rarely when parked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

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
    """How often one group is fetched while it is active, and while it is not."""

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

    def due(
        self, now: datetime, active: AbstractSet[DataGroup], streaming: bool = False
    ) -> set[DataGroup]:
        """The groups whose interval has run out (within the minimum delay).

        ``active``: the groups polled at their active interval now.
        """
        return {
            group
            for group in self._schedules
            if self._next(group, group in active, streaming) <= now + MIN_DELAY
        }

    def mark_fetched(self, groups: Iterable[DataGroup], now: datetime) -> None:
        """Remember that these groups, and those they cover, are fresh as of now.

        A staggered plan counts each group's first fetch as made at its epoch.
        """
        if self._offset is not None and self._epoch is None:
            self._epoch = now - self._offset
        fresh = {covered for group in groups for covered in (group, *COVERS.get(group, ()))}
        for group in fresh:
            first = self._epoch is not None and group not in self._seen
            self._fetched[group] = self._epoch if first and self._epoch else now
        self._seen |= fresh

    def expire(self, groups: Iterable[DataGroup]) -> None:
        """Make these groups due now."""
        for group in groups:
            self._fetched.pop(group, None)

    def next_delay(
        self, now: datetime, active: AbstractSet[DataGroup], streaming: bool = False
    ) -> timedelta:
        """How long until the next group falls due."""
        if not self._schedules:
            return IDLE_DELAY
        soonest = min(self._next(group, group in active, streaming) for group in self._schedules)
        return max(soonest - now, MIN_DELAY)

    def _next(self, group: DataGroup, active: bool, streaming: bool) -> datetime:
        fetched = self._fetched.get(group)
        if fetched is None:
            return _NEVER_FETCHED
        schedule = self._schedules[group]
        interval = schedule.active if active else schedule.parked
        return fetched + (max(interval, SAFETY_NET) if streaming else interval)


# A group whose fetch includes another's endpoints: fetching it makes the other fresh.
COVERS: Mapping[DataGroup, frozenset[DataGroup]] = {
    DataGroup.LOCKS_OPENINGS: frozenset({DataGroup.LOCK_AND_DOORS}),
}

# Multiples of the active and parked intervals per group, for back ends that count
# calls. The lock and doors alone (one cheap call) are watched at a quarter of the
# parked interval, so that a visit to a parked car (unlock, door, lock) is seen
# within minutes; what changes only while driving (location, odometer) or rarely
# (tyres, health), and windows and energy of a parked car, are read rarely.
WATCHED_TIERS: Mapping[DataGroup, tuple[float, float]] = {
    DataGroup.LOCK_AND_DOORS: (1, 0.25),
    DataGroup.LOCKS_OPENINGS: (1, 6),
    DataGroup.ENERGY: (1, 3),
    DataGroup.LOCATION: (1, 12),
    DataGroup.ODOMETER_TRIPS: (5, 12),
    DataGroup.TYRES: (15, 12),
    DataGroup.HEALTH: (30, 72),
}
# For a back end whose one status call holds the lock, doors and energy alike: that call
# is the watch of a parked car.
PER_CALL_TIERS: Mapping[DataGroup, tuple[float, float]] = {
    DataGroup.LOCK_AND_DOORS: (1, 0.25),
    DataGroup.LOCKS_OPENINGS: (1, 1),
    DataGroup.ENERGY: (2, 1),  # a charge is read every 2 minutes
    DataGroup.LOCATION: (1, 6),
    DataGroup.ODOMETER_TRIPS: (5, 6),
    DataGroup.TYRES: (15, 12),
    DataGroup.HEALTH: (30, 36),
}


# OVMS: the status and charge records follow the two intervals; a parked car's position
# is read hourly, its tyres every 15 minutes while active and every 2 hours parked (each
# endpoint is a request against the server's budget shared by every car on it).
OVMS_TIERS: Mapping[DataGroup, tuple[float, float]] = {
    DataGroup.LOCATION: (1, 6),
    DataGroup.TYRES: (15, 12),
}


def tiered_plan(
    groups: Iterable[DataGroup],
    active: timedelta,
    parked: timedelta,
    tiers: Mapping[DataGroup, tuple[float, float]] | None = None,
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


# The groups polled at their active interval, by what the car is doing. Driving
# changes everything; someone at the car (unlocked, a door or the lock just changed,
# the car just reported) changes its locks and openings; charging its energy.
ALL_GROUPS: Final = frozenset(DataGroup)
ATTENDED_GROUPS: Final = frozenset({DataGroup.LOCK_AND_DOORS, DataGroup.LOCKS_OPENINGS})
CHARGING_GROUPS: Final = frozenset({DataGroup.ENERGY})
# What a drive that just ended leaves to read once more: where, and how far, it ended.
AFTER_A_DRIVE: Final = frozenset({DataGroup.LOCATION, DataGroup.ODOMETER_TRIPS})


class VehiclePoller:
    """One car's polling decisions: which groups to fetch now, when to look next.

    Each group is active (polled often) while what the car does can change it:
    everything while it is driving or just after a command, the locks and
    openings while someone is at the car, the energy while it charges. Free of
    Home Assistant, so the coordinator and the benchmarks make the very same
    decisions.
    """

    def __init__(
        self,
        plan: PollPlan,
        capabilities: Iterable[DataGroup],
        active_after_change: timedelta = ACTIVE_AFTER_CHANGE,
        *,
        stamps_tell_visits: bool = True,
    ) -> None:
        """Poll only the groups the car can report.

        ``stamps_tell_visits``: False when the car re-sends its readings on a
        timer, changed or not, so that a later stamp is no sign of a visit.
        """
        self._plan = plan
        self._capabilities = frozenset(capabilities)
        self._active_after_change = active_after_change
        self._stamps_tell_visits = stamps_tell_visits
        self._commanded_until: datetime | None = None
        self._attended_until: datetime | None = None
        # True while the car pushes its news over a live link (polling is a safety net).
        self.streaming = False

    def active_groups(self, now: datetime, state: VehicleState | None) -> frozenset[DataGroup]:
        """The groups polled at their active interval now."""
        if _before(now, self._commanded_until) or (state is not None and is_driving(state, now)):
            return ALL_GROUPS
        groups: frozenset[DataGroup] = frozenset()
        if _before(now, self._attended_until) or (
            state is not None and state.value(readings.CENTRAL_LOCK) is False
        ):
            groups |= ATTENDED_GROUPS
        if state is not None and state.value(readings.CHARGING):
            groups |= CHARGING_GROUPS
        return groups

    def frequent(
        self, now: datetime, state: VehicleState | None, groups: AbstractSet[DataGroup]
    ) -> bool:
        """Whether fetching ``groups`` now is a frequent refresh: each at its active interval.

        One group due at its parked interval makes it a needed one (a charging car's
        lock and doors every 10 minutes), which a shared budget serves first.
        """
        return groups <= self.active_groups(now, state)

    def due(self, now: datetime, state: VehicleState | None) -> set[DataGroup]:
        """The groups to fetch now: all of them before the first poll."""
        if state is None:
            return set(self._capabilities)
        active = self.active_groups(now, state)
        return self._plan.due(now, active, self.streaming) & self._capabilities

    def next_delay(self, now: datetime, state: VehicleState) -> timedelta:
        """How long until the next poll."""
        return self._plan.next_delay(now, self.active_groups(now, state), self.streaming)

    def observe(self, now: datetime, previous: VehicleState, state: VehicleState) -> timedelta:
        """News the car pushed, from ``previous`` to ``state``; answer the next poll's delay."""
        self._follow(now, previous, state)
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
        if previous is not None:
            self._follow(now, previous, state)
        return self.next_delay(now, state)

    def _follow(self, now: datetime, previous: VehicleState, state: VehicleState) -> None:
        """Someone is at the car when a lock or opening changed, or the car told of one.

        A lock or door reading stamped later than before, though its value is the
        same, means the car reported between two looks (a short visit): watch it
        closely for a while. A car that drives or charges reports all the time,
        and one whose stamps tell no visits re-sends its readings on a timer.
        """
        in_use = is_driving(state, now) or bool(state.value(readings.CHARGING))
        reported = self._stamps_tell_visits and not in_use and openings_reported(previous, state)
        if openings_changed(previous, state) or reported:
            self._attended_until = now + self._active_after_change
        if is_driving(previous, now) and not is_driving(state, now):
            self._plan.expire(AFTER_A_DRIVE & self._capabilities)

    def mark_active(self, now: datetime) -> None:
        """Count every group as active for a while from now (a command ran)."""
        self._commanded_until = now + self._active_after_change

    def expire(self, groups: Iterable[DataGroup]) -> None:
        """Make these groups due now."""
        self._plan.expire(groups)


def _before(now: datetime, until: datetime | None) -> bool:
    return until is not None and now < until


def is_driving(state: VehicleState, now: datetime | None = None) -> bool:
    """Whether the car's own readings say it is on, its engine runs, or it moves.

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
        or state.value(readings.ENGINE_RUNNING)
        or (isinstance(speed, int | float) and not isinstance(speed, bool) and speed > 0)
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
    """Whether a lock, door, window, lid or the plug changed between two snapshots.

    A reading seen for the first time (its first fetch postponed) is no change.
    """
    for key in readings.ACTIVITY:
        old, new = previous.value(key), current.value(key)
        if old is not None and new is not None and old != new:
            return True
    return False


def openings_reported(previous: VehicleState, current: VehicleState) -> bool:
    """Whether the car stamped a lock, door, window, lid or plug reading later than before."""
    for key in readings.ACTIVITY:
        old, new = previous.readings.get(key), current.readings.get(key)
        if (
            old is not None
            and new is not None
            and old.observed_at is not None
            and new.observed_at is not None
            and new.observed_at > old.observed_at
        ):
            return True
    return False
