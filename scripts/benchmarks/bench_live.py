"""OVMS live link: REST calls over a simulated day with and without it, and message delay.

The demo OVMS account (Leaf, Twizy, Kona) lives one simulated day of its cars' plans
in Home Assistant, once with the protocol v2 live link and once with REST polling
only. Every two hours the Leaf's front left door opens and, ten minutes later,
closes again in the simulated car. Reported for the Leaf: the REST requests that name
it, the account's shared requests, and for each door change the delay until the
entity showed it, in simulated time at a resolution of 0.1 s (the simulated module
reports every half second).
"""

from __future__ import annotations

import statistics

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from scripts.benchmarks.clock import VirtualClock
from simulator import Simulator

DAY = 24 * 3600.0
STEP = 30.0
VISIT_EVERY = 2 * 3600.0
DOOR = "binary_sensor.leaf_front_left_door"
FINE = 0.1  # simulated seconds per step while waiting for a door change
results: dict[str, dict[str, object]] = {}


async def door_delay(
    hass: HomeAssistant, clock: VirtualClock, sim: Simulator, opened: bool
) -> float:
    """Change the Leaf's door; return the simulated seconds until its entity shows it."""
    want = STATE_ON if opened else STATE_OFF
    sim.world.vehicle("LEAF").doors["fl"] = opened
    waited = 0.0
    while waited < 3600:
        step = FINE if waited < 5 else STEP
        await clock.run(step, step)
        waited += step
        state = hass.states.get(DOOR)
        if state is not None and state.state == want:
            return waited
    raise AssertionError(f"{DOOR} never showed {want}")


async def test_with_the_live_link(
    hass: HomeAssistant, clock: VirtualClock, sim: Simulator, live_ovms_entry: MockConfigEntry
) -> None:
    """The day with the live link (the simulated module reports every half second)."""
    await a_day(hass, clock, sim, live_ovms_entry, live=True)


async def test_with_rest_only(
    hass: HomeAssistant, clock: VirtualClock, sim: Simulator, ovms_entry: MockConfigEntry
) -> None:
    """The same day with REST polling only."""
    await a_day(hass, clock, sim, ovms_entry, live=False)


async def a_day(
    hass: HomeAssistant, clock: VirtualClock, sim: Simulator, entry: MockConfigEntry, *, live: bool
) -> None:
    """One simulated day; print the Leaf's REST calls and door delays."""
    if live:
        sim.ovms.app_server.tick = 0.5
    assert await clock.meanwhile(hass.config_entries.async_setup(entry.entry_id))
    await clock.run(600, STEP)
    sim.requests.reset()
    simulated: list[float] = []
    start = clock.elapsed
    visit = start + VISIT_EVERY
    while clock.elapsed < start + DAY:
        await clock.run(min(visit, start + DAY) - clock.elapsed, STEP)
        if clock.elapsed >= visit:
            visit += VISIT_EVERY
            for opened in (True, False):
                delay = await door_delay(hass, clock, sim, opened)
                simulated.append(delay)
                hour = (clock.elapsed - start) / 3600
                print(
                    f"  {hour:4.1f} h: door {'opened' if opened else 'closed'}, shown after {delay:.1f} s",
                    flush=True,
                )
                if opened:
                    await clock.run(600, STEP)
    paths = sim.requests.by_path()
    leaf = sum(n for path, n in paths.items() if "LEAF" in path)
    shared = sum(
        n for path, n in paths.items() if not any(c in path for c in ("LEAF", "TWIZY", "KONA"))
    )
    name = "live link" if live else "REST only"
    results[name] = {"leaf": leaf, "shared": shared, "simulated": simulated}
    print(f"\n{name}: one simulated day, {len(simulated)} door changes of the Leaf")
    print(f"  REST requests naming the Leaf {leaf}; the account's shared requests {shared}")
    print(
        f"  delay car -> entity, simulated: median {statistics.median(simulated):.1f} s,"
        f" max {max(simulated):.1f} s"
    )
    assert entry.state is ConfigEntryState.LOADED
    await clock.finish()
