"""The OVMS request budget against the server's own limiter, and a 429 that postpones."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from hypothesis import given, settings, strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.http import RequestBudget, ServerQuota
from custom_components.connected_vehicle.api.models import DataGroup
from simulator import Simulator
from simulator.ovms.ratelimit import RateLimiter

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
HOST = "127.0.0.1"
# Gaps between requests: bursts, a few seconds, the minute, and idle spells around 300 s.
gaps = st.lists(
    st.one_of(
        st.just(0.0),
        st.floats(0, 5),
        st.floats(55, 65),
        st.floats(290, 310),
        st.sampled_from([60.0, 300.0, 120.0]),
    ),
    min_size=1,
    max_size=400,
)


def server_would_serve(limiter: RateLimiter, now: float) -> bool:
    """Whether the server would serve a request at ``now`` (asked of a copy)."""
    return copy.deepcopy(limiter).allow(HOST, T0 + timedelta(seconds=now))


@settings(max_examples=300, deadline=None)
@given(gaps)
def test_the_client_sends_only_what_the_server_serves(waits: list[float]) -> None:
    """With a margin, whatever the client sends is served: its own traffic meets no 429."""
    quota, limiter, now = ServerQuota(), RateLimiter(), 0.0
    for wait in waits:
        now += wait
        if quota.take(now):
            assert limiter.allow(HOST, T0 + timedelta(seconds=now)), now


@settings(max_examples=300, deadline=None)
@given(gaps)
def test_without_a_margin_the_client_is_the_server(waits: list[float]) -> None:
    """With no latency to allow for, the client sends exactly what the server would serve."""
    quota, limiter, now = ServerQuota(margin=0.0), RateLimiter(), 0.0
    for wait in waits:
        now += wait
        serves = server_would_serve(limiter, now)
        assert quota.take(now) is serves, now
        if serves:
            limiter.allow(HOST, T0 + timedelta(seconds=now))


def test_a_429_empties_the_quota_for_a_minute() -> None:
    """Refused by the server (another client of the host): nothing until a minute has passed."""
    quota = ServerQuota()
    assert quota.take(0.0)
    quota.refused(10.0)
    assert not quota.take(69.0)
    assert quota.next_chance(69.0) == 72.0
    assert quota.take(72.0)


def test_a_reserve_is_left_to_the_first_rank() -> None:
    """Asked to keep places, the quota refuses while no more than those are left."""
    quota = ServerQuota(burst=5)
    assert quota.take(0.0, keep=3)  # fresh: 5 left
    assert quota.take(1.0, keep=3)  # 4 left
    assert not quota.take(2.0, keep=3)
    assert quota.take(2.0)
    assert quota.take(3.0)
    assert quota.take(4.0)  # the fifth of a burst of five
    assert not quota.take(5.0)


async def test_overdue_cars_first_the_oldest_first(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Within a rank, the request whose car was refreshed longest ago goes first."""
    budget = RequestBudget(ServerQuota(burst=1, per_minute=2, margin=0.0), reserve=1)
    assert await budget.acquire("a")
    served: list[str] = []

    async def ask(name: str, rank: int, since: float) -> None:
        if await budget.acquire("a", rank=rank, since=since):
            served.append(name)

    tasks = [
        hass.async_create_task(ask(name, rank, since))
        for name, rank, since in (("active", 1, 50.0), ("recent", 0, 30.0), ("old", 0, 10.0))
    ]
    freezer.tick(61)
    for _ in range(5):
        await asyncio.sleep(0)
    # Two places at the minute, both rank 0, the oldest first; the active car keeps waiting.
    assert served == ["old", "recent"]
    freezer.tick(60)
    await asyncio.gather(*tasks)
    assert served[-1] == "active"


async def test_active_cars_first_then_accounts_in_turn(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """When the quota is spent, the lower rank (an active car) goes first, then accounts in turn."""
    budget = RequestBudget(ServerQuota(burst=2, per_minute=4, margin=0.0))
    assert await budget.acquire("a")
    assert await budget.acquire("a")
    assert not await budget.acquire("b", patience=0)
    served: list[str] = []

    async def ask(name: str, account: str, rank: int) -> None:
        if await budget.acquire(account, rank=rank):
            served.append(name)

    tasks = [
        hass.async_create_task(ask(name, account, rank))
        for name, account, rank in (
            ("a1", "a", 1),
            ("a2", "a", 1),
            ("b1", "b", 1),
            ("b2", "b", 1),
            ("b-active", "b", 0),
        )
    ]
    await asyncio.sleep(0)
    assert served == []
    freezer.tick(61)
    for _ in range(5):
        await asyncio.sleep(0)
    # Four places at the minute: the active car's, then the accounts in turn (b just had one).
    assert served == ["b-active", "a1", "b1", "a2"]
    freezer.tick(61)
    await asyncio.gather(*tasks)
    assert served[-1] == "b2"


async def test_a_429_postpones_only_the_request_it_hit(
    hass: HomeAssistant,
    sim: Simulator,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One endpoint refused with 429: the car stays available, that group stays due."""
    leaf = loaded_entry.runtime_data.coordinators["LEAF"]
    sim.faults.add(path="/api/location/LEAF", kind="rate_limit", seconds=30, times=1)
    leaf.poller.expire(DataGroup)
    await leaf.async_refresh()
    assert leaf.last_update_success
    assert hass.states.get("sensor.leaf_battery_level").state != STATE_UNAVAILABLE
    assert leaf.poller.due(datetime.now(UTC), leaf.data) == {DataGroup.LOCATION}
    freezer.tick(63)  # the 429 emptied the budget for a minute
    await leaf.async_refresh()
    assert leaf.poller.due(datetime.now(UTC), leaf.data) == set()
