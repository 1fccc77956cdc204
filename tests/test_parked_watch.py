"""A parked car is watched by its lock and doors alone, and a short visit still shows.

Home Assistant's real entry and coordinator poll the simulator over loopback; time
moves for both (the freezer for Home Assistant, the manual clock for the simulator),
and each refresh fetches what the poller says is due, as a timer-driven one would.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.coordinator import (
    LATE_START,
    VehicleCoordinator,
    next_interval,
)
from simulator import Simulator

from .conftest import XC90

WATCH = timedelta(seconds=150)


async def later(
    hass: HomeAssistant, sim: Simulator, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Let ``delta`` pass for Home Assistant and the simulated world alike."""
    freezer.tick(delta)
    sim.clock.advance(delta.total_seconds())
    sim.world.advance()


def xc90_paths(sim: Simulator) -> set[str]:
    """The XC90's endpoints requested since the last reset (``doors``, ``windows`` ...)."""
    return {path.rsplit("/", 1)[-1] for path in sim.requests.by_path() if XC90 in path}


async def parked_xc90(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> VehicleCoordinator:
    """The XC90 (parked and locked all day), with every group fetched at the frozen now."""
    freezer.move_to(freezer.time_to_freeze)  # stop the clock where set-up left it
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    xc90: VehicleCoordinator = entry.runtime_data.coordinators[XC90]
    await xc90.async_refresh_groups(DataGroup)
    return xc90


async def test_a_parked_car_is_watched_by_one_cheap_call(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    sim: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Parked and locked, the next look in 150 s asks only for the doors (lock included)."""
    xc90 = await parked_xc90(hass, volvo_entry, freezer)
    assert xc90.update_interval == WATCH - LATE_START  # time stands still: no refresh time
    await later(hass, sim, freezer, WATCH)
    sim.requests.reset()
    await xc90.async_refresh()
    assert xc90_paths(sim) == {"doors"}


async def test_a_visit_between_two_looks_makes_the_car_watched_closely(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    sim: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unlocked and locked again between two polls: the lock's later stamp tells of it."""
    xc90 = await parked_xc90(hass, volvo_entry, freezer)
    car = sim.world.vehicle(XC90)
    await later(hass, sim, freezer, timedelta(seconds=30))
    car.locked = False
    await later(hass, sim, freezer, timedelta(seconds=60))
    car.locked = True
    await later(hass, sim, freezer, WATCH - timedelta(seconds=90))
    await xc90.async_refresh()
    assert hass.states.get("lock.volvo_xc90_lock").state == "locked"
    assert xc90.update_interval is not None
    assert xc90.update_interval < WATCH  # the windows and engine are due at once
    await later(hass, sim, freezer, xc90.update_interval)
    sim.requests.reset()
    await xc90.async_refresh()
    assert {"doors", "windows", "engine-status"} <= xc90_paths(sim)


async def test_an_ovms_module_resending_on_a_timer_tells_no_visit(
    hass: HomeAssistant,
    ovms_entry: MockConfigEntry,
    sim: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """OVMS modules re-send their records every 10 minutes, changed or not: no one came."""
    freezer.move_to(freezer.time_to_freeze)
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    leaf: VehicleCoordinator = ovms_entry.runtime_data.coordinators["LEAF"]
    before = leaf.data.readings["central_lock"]
    assert leaf.poller.active_groups(dt_util.utcnow(), leaf.data) == frozenset()
    await later(hass, sim, freezer, timedelta(minutes=10))
    await leaf.async_refresh_groups(DataGroup)
    after = leaf.data.readings["central_lock"]
    assert after.value == before.value
    assert after.observed_at is not None
    assert before.observed_at is not None
    assert after.observed_at > before.observed_at  # the module re-sent its records
    assert leaf.poller.active_groups(dt_util.utcnow(), leaf.data) == frozenset()


def test_the_next_refresh_starts_on_time_after_a_slow_one() -> None:
    """A 600 s plan after a refresh that took 3 s: Home Assistant waits 596 s from its end.

    Home Assistant counts from the end and may start half a second late (and the
    answer takes a moment); a short delay (a postponed group) stays as the plan said.
    """
    started = dt_util.utcnow()
    ended = started + timedelta(seconds=3)
    assert next_interval(started, timedelta(seconds=600), ended) == timedelta(seconds=596)
    assert next_interval(started, timedelta(seconds=5), ended) == timedelta(seconds=5)
