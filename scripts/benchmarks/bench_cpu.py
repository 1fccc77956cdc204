"""CPU per car per poll cycle on Home Assistant's event-loop thread, and where it goes.

Unlike the other benchmarks this one runs in real time: freezegun's fake clocks cost
several microseconds a call (the event loop asks for the time on every iteration),
which would swamp what is measured. Each back end's demo entry is set up; then, for
CYCLES rounds, the simulated world moves a minute on (values change as between two
polls) and every car refreshes every group (the heaviest poll: request, parse,
compare, entity writes). Counted is ``time.thread_time()`` of the main thread around
each refresh, minus what the simulator's handlers spent (the probe sums it); aiohttp's
server side of the loopback requests stays in, so the figure is a slight upper bound.

A profile of a few more rounds (in CPU time; the simulator left out) splits the time by where the code lives (the integration's
parsers and models, its entities, Home Assistant's core, aiohttp, the simulator).
"""

from __future__ import annotations

from collections import Counter
import cProfile
import pstats
import statistics
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import DataGroup
from scripts.benchmarks.figures import FIGURES
from scripts.benchmarks.probe import Probe
from simulator import Simulator

CYCLES = 30
SIMULATOR = "simulator"  # not counted: the probe takes its handlers out of the figure
PROFILED = 5
GOAL_MS = 5.0
# Where code lives, by path fragment, first match wins.
PLACES = (
    ("integration: parsers, client, models", "connected_vehicle/api/"),
    ("integration: entities, coordinator", "connected_vehicle/"),
    (SIMULATOR, "/simulator/"),
    ("aiohttp", "/aiohttp/"),
    ("Home Assistant core", "/homeassistant/"),
    ("asyncio", "/asyncio/"),
)


@pytest.fixture(autouse=True)
def clock(hass: HomeAssistant) -> None:
    """No virtual clock here: real time, without freezegun's fakes.

    Nor asyncio's debug mode, which the test harness turns on (Home Assistant runs
    without it): it records a stack for every callback.
    """
    hass.loop.set_debug(False)


def place(filename: str) -> str:
    """Where a profiled function's code lives."""
    return next((name for name, part in PLACES if part in filename), "other (json, yarl, ...)")


async def cycles(
    hass: HomeAssistant, sim: Simulator, probe: Probe, entry: MockConfigEntry
) -> tuple[dict[str, float], Counter[str]]:
    """Median CPU (ms) per car per full refresh; profiled seconds by place."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinators = list(entry.runtime_data.coordinators.values())
    for coordinator in coordinators:  # the first, full poll is done: measure steady polls
        await coordinator.async_refresh_groups(DataGroup)
    costs: dict[str, list[float]] = {c.vehicle.name: [] for c in coordinators}
    for _ in range(CYCLES):
        sim.clock.advance(60)
        for coordinator in coordinators:
            before, served = time.thread_time(), probe.cpu
            await coordinator.async_refresh_groups(DataGroup)
            await hass.async_block_till_done()
            spent = time.thread_time() - before - (probe.cpu - served)
            costs[coordinator.vehicle.name].append(spent * 1000)
    # The profile in rounds of its own (profiling slows what it watches), in CPU time.
    profiler = cProfile.Profile(time.thread_time)
    for _ in range(PROFILED):
        sim.clock.advance(60)
        for coordinator in coordinators:
            profiler.enable()
            await coordinator.async_refresh_groups(DataGroup)
            await hass.async_block_till_done()
            profiler.disable()
    stats = pstats.Stats(profiler)
    places: Counter[str] = Counter()
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        places[place(filename)] += row[2]  # own time (tottime)
    del places[SIMULATOR]
    await hass.config_entries.async_unload(entry.entry_id)
    return {car: statistics.median(ms) for car, ms in costs.items()}, places


def report(backend: str, per_car: dict[str, float], places: Counter[str]) -> None:
    """Print the back end's cars and where the time went; keep the worst car's figure."""
    print(f"\n{backend}: CPU per car per poll cycle (median of {CYCLES}, every group due)")
    for car, ms in per_car.items():
        print(f"  {car:20} {ms:6.2f} ms")
    total = places.total() or 1.0
    print("  where it went (profiled own time):")
    for name, seconds in places.most_common():
        print(f"    {name:40} {seconds / total:5.0%}")
    FIGURES.setdefault("cpu", {})[backend] = max(per_car.values())


async def test_cpu_volvo(
    hass: HomeAssistant, sim: Simulator, probe: Probe, volvo_entry: MockConfigEntry
) -> None:
    """The demo Volvo account's four cars."""
    report("volvo", *await cycles(hass, sim, probe, volvo_entry))


async def test_cpu_stellantis(
    hass: HomeAssistant, sim: Simulator, probe: Probe, peugeot_entry: MockConfigEntry
) -> None:
    """The demo Peugeot account's three cars."""
    report("stellantis", *await cycles(hass, sim, probe, peugeot_entry))


async def test_cpu_ovms(
    hass: HomeAssistant, sim: Simulator, probe: Probe, ovms_entry: MockConfigEntry
) -> None:
    """The demo OVMS account's cars, over REST."""
    report("ovms", *await cycles(hass, sim, probe, ovms_entry))
