"""The polling plan: which groups are due, in which mode, and when to look again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.connected_vehicle.api.models import DataGroup, Reading, VehicleState
from custom_components.connected_vehicle.polling import (
    IDLE_DELAY,
    MIN_DELAY,
    PollPlan,
    Schedule,
    is_in_use,
    tiered_plan,
)

NOW = datetime(2026, 11, 21, 8, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_groups_fall_due_per_mode() -> None:
    """Fetched groups wait their active or parked interval; expired ones are due at once."""
    plan = PollPlan(
        {
            DataGroup.LOCKS_OPENINGS: Schedule(active=MINUTE, parked=10 * MINUTE),
            DataGroup.TYRES: Schedule(active=5 * MINUTE, parked=60 * MINUTE),
        }
    )
    assert plan.due(NOW, active=False) == {DataGroup.LOCKS_OPENINGS, DataGroup.TYRES}
    plan.mark_fetched([DataGroup.LOCKS_OPENINGS, DataGroup.TYRES], NOW)
    assert plan.due(NOW + 2 * MINUTE, active=False) == set()
    assert plan.due(NOW + 2 * MINUTE, active=True) == {DataGroup.LOCKS_OPENINGS}
    assert plan.next_delay(NOW, active=False) == 10 * MINUTE
    assert plan.next_delay(NOW, active=True) == MINUTE
    plan.expire([DataGroup.TYRES])
    assert plan.due(NOW, active=False) == {DataGroup.TYRES}
    assert plan.next_delay(NOW, active=False) == MIN_DELAY


def test_a_car_without_groups_is_looked_at_rarely() -> None:
    """No group to poll is no error: the next look is an hour away."""
    plan = tiered_plan([], MINUTE, 10 * MINUTE)
    assert plan.due(NOW, active=True) == set()
    assert plan.next_delay(NOW, active=True) == IDLE_DELAY


def test_in_use() -> None:
    """On, charging, moving or unlocked counts as in use; parked and locked does not."""
    parked = VehicleState({"central_lock": Reading(True), "speed": Reading(0.0, "km/h")})
    assert not is_in_use(parked)
    assert not is_in_use(VehicleState())
    for key, value in (
        ("car_on", True),
        ("charging", True),
        ("speed", 30.0),
        ("central_lock", False),
    ):
        assert is_in_use(parked.merged(VehicleState({key: Reading(value)})))
