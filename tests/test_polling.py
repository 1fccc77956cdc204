"""The polling plan: which groups are due, in which mode, and when to look again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.connected_vehicle.api.models import DataGroup, Reading, VehicleState
from custom_components.connected_vehicle.polling import (
    ALL_GROUPS,
    IDLE_DELAY,
    MIN_DELAY,
    WATCHED_TIERS,
    PollPlan,
    Schedule,
    VehiclePoller,
    is_driving,
    tiered_plan,
)

NOW = datetime(2026, 11, 21, 8, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LOCKS = DataGroup.LOCKS_OPENINGS
WATCH = DataGroup.LOCK_AND_DOORS
PARKED = VehicleState(
    {
        "central_lock": Reading(True, None, NOW),
        "front_left_door": Reading(False, None, NOW),
        "speed": Reading(0.0, "km/h"),
    }
)


def test_groups_fall_due_per_mode() -> None:
    """Fetched groups wait their active or parked interval; expired ones are due at once."""
    plan = PollPlan(
        {
            LOCKS: Schedule(active=MINUTE, parked=10 * MINUTE),
            DataGroup.TYRES: Schedule(active=5 * MINUTE, parked=60 * MINUTE),
        }
    )
    assert plan.due(NOW, active=set()) == {LOCKS, DataGroup.TYRES}
    plan.mark_fetched([LOCKS, DataGroup.TYRES], NOW)
    assert plan.due(NOW + 2 * MINUTE, active=set()) == set()
    assert plan.due(NOW + 2 * MINUTE, active={LOCKS}) == {LOCKS}
    assert plan.due(NOW + 2 * MINUTE, active={DataGroup.TYRES}) == set()
    assert plan.next_delay(NOW, active=set()) == 10 * MINUTE
    assert plan.next_delay(NOW, active=ALL_GROUPS) == MINUTE
    plan.expire([DataGroup.TYRES])
    assert plan.due(NOW, active=set()) == {DataGroup.TYRES}
    assert plan.next_delay(NOW, active=set()) == MIN_DELAY


def test_a_car_without_groups_is_looked_at_rarely() -> None:
    """No group to poll is no error: the next look is an hour away."""
    plan = tiered_plan([], MINUTE, 10 * MINUTE)
    assert plan.due(NOW, active=ALL_GROUPS) == set()
    assert plan.next_delay(NOW, active=ALL_GROUPS) == IDLE_DELAY


def test_driving() -> None:
    """On, engine running or moving is driving; parked, unlocked or charging is not."""
    assert not is_driving(PARKED)
    assert not is_driving(VehicleState())
    for key, value in (("car_on", True), ("engine_running", True), ("speed", 30.0)):
        assert is_driving(PARKED.merged(VehicleState({key: Reading(value)})))
    for key, value in (("central_lock", False), ("charging", True)):
        assert not is_driving(PARKED.merged(VehicleState({key: Reading(value)})))


def watched_poller() -> VehiclePoller:
    """A Volvo-like car: the lock and doors watched apart, every group fetched at NOW."""
    groups = set(WATCHED_TIERS)
    poller = VehiclePoller(tiered_plan(groups, MINUTE, 10 * MINUTE, WATCHED_TIERS), groups)
    poller.fetched(groups, NOW, None, PARKED)
    return poller


def test_a_parked_car_is_watched_by_its_lock_and_doors_alone() -> None:
    """Parked and locked, only the cheap lock-and-doors look comes every 2.5 minutes."""
    poller = watched_poller()
    assert poller.active_groups(NOW, PARKED) == frozenset()
    assert poller.next_delay(NOW, PARKED) == timedelta(seconds=150)
    assert poller.due(NOW + timedelta(seconds=150), PARKED) == {WATCH}


def test_charging_makes_only_the_energy_active() -> None:
    """A charging car polls its energy often; location and odometer stay at their pace."""
    poller = watched_poller()
    charging = PARKED.merged(VehicleState({"charging": Reading(True)}))
    assert poller.active_groups(NOW, charging) == {DataGroup.ENERGY}
    assert poller.due(NOW + MINUTE, charging) == {DataGroup.ENERGY}


def test_unlocked_makes_the_locks_and_openings_active() -> None:
    """Someone at the car: its locks, doors, windows and engine are polled every minute."""
    poller = watched_poller()
    unlocked = PARKED.merged(VehicleState({"central_lock": Reading(False, None, NOW)}))
    assert poller.due(NOW + MINUTE, unlocked) == {LOCKS, WATCH}


def test_a_report_between_two_looks_makes_the_car_attended() -> None:
    """The same lock value stamped later: the car was visited between polls, so watch it."""
    poller = watched_poller()
    later = NOW + timedelta(seconds=150)
    restamped = PARKED.merged(VehicleState({"central_lock": Reading(True, None, later)}))
    poller.fetched({WATCH}, later, PARKED, restamped)
    assert poller.active_groups(later, restamped) == {LOCKS, WATCH}
    assert poller.active_groups(later + timedelta(minutes=11), restamped) == frozenset()


def test_a_charging_car_reporting_all_the_time_is_not_attended() -> None:
    """A car that charges stamps its values on every report: that is no visit."""
    poller = watched_poller()
    later = NOW + timedelta(seconds=150)
    charging = PARKED.merged(VehicleState({"charging": Reading(True)}))
    restamped = charging.merged(VehicleState({"central_lock": Reading(True, None, later)}))
    poller.fetched({WATCH}, later, charging, restamped)
    assert poller.active_groups(later, restamped) == {DataGroup.ENERGY}


def test_the_end_of_a_drive_reads_where_it_ended() -> None:
    """When the car stops driving, its location and odometer are due once more at once."""
    poller = watched_poller()
    driving = PARKED.merged(VehicleState({"car_on": Reading(True)}))
    poller.fetched(set(WATCHED_TIERS), NOW, PARKED, driving)
    parked = NOW + timedelta(seconds=30)
    poller.fetched({LOCKS}, parked, driving, PARKED)
    assert {DataGroup.LOCATION, DataGroup.ODOMETER_TRIPS} <= poller.due(parked, PARKED)


def test_a_command_makes_every_group_active() -> None:
    """After a command everything may change: every group is polled at its active pace."""
    poller = watched_poller()
    poller.mark_active(NOW)
    assert poller.active_groups(NOW + MINUTE, PARKED) == ALL_GROUPS


def test_a_charging_cars_parked_groups_make_a_needed_refresh() -> None:
    """Its energy alone is a frequent refresh; with the lock and doors due, a needed one."""
    poller = watched_poller()
    charging = PARKED.merged(VehicleState({"charging": Reading(True)}))
    assert poller.frequent(NOW, charging, {DataGroup.ENERGY})
    assert not poller.frequent(NOW, charging, {DataGroup.ENERGY, WATCH})
    assert not poller.frequent(NOW, PARKED, {WATCH})


def test_a_lock_first_seen_late_is_no_visit() -> None:
    """The first fetch left the locks out (postponed): their first values are no change."""
    groups = set(WATCHED_TIERS)
    poller = VehiclePoller(tiered_plan(groups, MINUTE, 10 * MINUTE, WATCHED_TIERS), groups)
    facts_only = VehicleState({"battery_capacity": Reading(64.0, "kWh")})
    poller.fetched({DataGroup.ENERGY}, NOW, None, facts_only)
    poller.fetched({WATCH, LOCKS}, NOW + MINUTE, facts_only, PARKED)
    assert poller.active_groups(NOW + MINUTE, PARKED) == frozenset()
