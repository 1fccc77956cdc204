"""CPU per car per poll cycle on Home Assistant's event-loop thread, and where it goes.

Unlike the other benchmarks this one runs in real time: freezegun's fake clocks cost
several microseconds a call (the event loop asks for the time on every iteration),
which would swamp what is measured; nor does it run asyncio in debug mode (the test
harness does; Home Assistant does not). The simulator runs on a loop of its own in
another thread, so none of its work (handlers, aiohttp's server side) is counted.

Each back end's demo entry is set up. Then two simulated hours pass a minute at a
time: the world moves on, Home Assistant's ``dt_util.utcnow`` (which the coordinator
asks) follows it, and every car whose coordinator's interval has run out refreshes
as its timer would (``async_refresh``: the poller picks the due groups). Counted is
``time.thread_time()`` of the main thread around each such poll cycle (request,
parse, compare, entity writes). Shown beside it: a refresh with every group due,
the heaviest poll a car makes (its first, or a Refresh press).

A profile of the scheduled polls splits the loop thread's time by where the code
lives (idle waits in the selector left out).
"""

from __future__ import annotations

from collections import Counter
import cProfile
from datetime import datetime, timedelta
import os
import pstats
import statistics
import time

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.http import RequestBudget, ServerQuota
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.coordinator import VehicleCoordinator
from custom_components.connected_vehicle.providers import ovms as ovms_provider
from scripts.benchmarks.figures import FIGURES
from scripts.benchmarks.threaded import threaded_sim_server  # noqa: F401 - as sim_server
from simulator import Simulator

MINUTES = 120
FULL_REFRESHES = 10
PROFILE_LINES = int(os.environ.get("CPU_PROFILE_LINES", "0"))  # the profile's top functions
# Where code runs, by path fragment, first match wins (the simulator's thread left out).
PLACES = (
    ("integration: parsers, client, models", "connected_vehicle/api/"),
    ("integration: entities, coordinator", "connected_vehicle/"),
    (None, "/simulator/"),
    (None, "aiohttp/web"),
    ("aiohttp client", "/aiohttp/"),
    ("Home Assistant core", "/homeassistant/"),
    ("asyncio", "/asyncio/"),
)
IDLE = ("poll", "select", "sleep", "acquire")  # built-ins that wait, not work


@pytest.fixture(autouse=True)
def clock(hass: HomeAssistant) -> None:
    """No virtual clock here: real time, without freezegun's fakes or asyncio's debug mode."""
    hass.loop.set_debug(False)


def unlimited_budget() -> RequestBudget:
    """A request budget that never makes a request wait."""
    return RequestBudget(ServerQuota(burst=10**9, maximum=10**9))


def place(filename: str, name: str) -> str | None:
    """Where a profiled function's code lives; None: not the loop thread's work."""
    if filename == "~":
        return None if any(word in name for word in IDLE) else "built-ins (sockets, json, ...)"
    for label, part in PLACES:
        if part in filename:
            return label
    return "other (yarl, multidict, ...)"


async def measured(hass: HomeAssistant, coordinator: VehicleCoordinator, full: bool) -> float:
    """One refresh, as its timer would run it (or with every group due); its CPU in ms."""
    before = time.thread_time()
    if full:
        await coordinator.async_refresh_groups(DataGroup)
    else:
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    return (time.thread_time() - before) * 1000


async def cycles(
    hass: HomeAssistant,
    sim: Simulator,
    entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, object]:
    """Per car: CPU per scheduled poll and per full refresh; the profile by place."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinators = list(entry.runtime_data.coordinators.values())
    now = [dt_util.utcnow()]
    monkeypatch.setattr(dt_util, "utcnow", lambda: now[0])
    last: dict[str, datetime] = dict.fromkeys(entry.runtime_data.coordinators, now[0])
    polls: dict[str, list[float]] = {c.vehicle.id: [] for c in coordinators}
    profiling = dict.fromkeys(polls, False)
    profiler = cProfile.Profile()
    for _ in range(MINUTES):
        now[0] += timedelta(minutes=1)
        sim.clock.advance(60)
        for coordinator in coordinators:
            car = coordinator.vehicle.id
            if now[0] < last[car] + (coordinator.update_interval or timedelta(0)):
                continue
            last[car] = now[0]
            # Every other poll is profiled (and not counted: profiling slows it down).
            profiled = len(polls[car]) % 2 == 1 and not profiling[car]
            profiling[car] = profiled
            if profiled:
                profiler.enable()
                await measured(hass, coordinator, full=False)
                profiler.disable()
            else:
                polls[car].append(await measured(hass, coordinator, full=False))
    full = {
        c.vehicle.id: statistics.median(
            [await measured(hass, c, full=True) for _ in range(FULL_REFRESHES)]
        )
        for c in coordinators
    }
    await hass.config_entries.async_unload(entry.entry_id)
    stats = pstats.Stats(profiler)
    if PROFILE_LINES:
        stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    places: Counter[str] = Counter()
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if (where := place(filename, name)) is not None:
            places[where] += row[2]  # own time (tottime)
    names = {c.vehicle.id: c.vehicle.name for c in coordinators}
    return {"names": names, "polls": polls, "full": full, "places": places}


def report(backend: str, figures: dict[str, object]) -> None:
    """Print the back end's cars and where the time went; keep the worst car's mean."""
    names: dict[str, str] = figures["names"]  # type: ignore[assignment]
    polls: dict[str, list[float]] = figures["polls"]  # type: ignore[assignment]
    full: dict[str, float] = figures["full"]  # type: ignore[assignment]
    places: Counter[str] = figures["places"]  # type: ignore[assignment]
    print(f"\n{backend}: CPU per car per poll cycle, {MINUTES} simulated minutes")
    print(f"  {'car':22} {'polls':>5} {'mean':>8} {'median':>8} {'max':>8}  every group due")
    for car, ms in polls.items():
        print(
            f"  {names[car]:22} {len(ms):5} {statistics.mean(ms):6.2f} ms"
            f" {statistics.median(ms):6.2f} ms {max(ms):6.2f} ms  {full[car]:6.2f} ms"
        )
    total = places.total() or 1.0
    print("  where the loop thread's time went (profiled own time):")
    for name, seconds in places.most_common():
        print(f"    {name:40} {seconds / total:5.0%}")
    FIGURES.setdefault("cpu", {})[backend] = {
        "poll": max(statistics.mean(ms) for ms in polls.values()),
        "full": max(full.values()),
    }


async def test_cpu_volvo(
    hass: HomeAssistant,
    sim: Simulator,
    volvo_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo Volvo account's four cars."""
    report("volvo", await cycles(hass, sim, volvo_entry, monkeypatch))


async def test_cpu_stellantis(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo Peugeot account's three cars."""
    report("stellantis", await cycles(hass, sim, peugeot_entry, monkeypatch))


async def test_cpu_ovms(
    hass: HomeAssistant,
    sim: Simulator,
    ovms_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo OVMS account's cars, over REST.

    The simulator's limiter is off and a simulated minute passes in milliseconds here:
    the server's budget would make the polls wait (real) minutes, which is no CPU.
    """
    monkeypatch.setattr(ovms_provider, "new_request_budget", unlimited_budget)
    report("ovms", await cycles(hass, sim, ovms_entry, monkeypatch))
