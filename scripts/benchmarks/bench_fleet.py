"""Fleets within the OVMS server's request budget, and a 23-car Stellantis account.

The real integration runs in Home Assistant's test harness against the simulator on
loopback, with the OVMS server's per-host limiter on (simulator/ovms/ratelimit.py, as
ApiHttp.pm: a burst of 120, then 60 a minute). Time is virtual and moves from one
timer to the next (at most STEP at a time), so a poll runs when it falls due, not at
the end of a coarse step, and the gaps measured are the integration's own.

Measured on the simulator's side (a middleware): every request's simulated time and
status. A car's longest gap is the longest stretch without a successful answer of one
of its endpoints that follow the polling intervals (status: locks, doors, odometer;
charge: battery and charging), from set-up to the end of the run. Location and tyres
follow tiers of their own (a parked car's position hourly, its tyres every two hours).

Set-up time: under the virtual clock a wall clock means nothing unless nothing waited
on a timer. So set-up runs with time standing still, and the clock moves (SETUP_STEP at
a time) only when set-up has gone quiet, waiting for a timer. Reported: the real time it
took (os.times().elapsed: freezegun does not touch it), the simulated seconds it had to wait (budget
waits, retries: 0 when it never waited), and the result of the first attempt.

CPU per car per poll cycle: time.thread_time() of the event loop's thread over the
steady state (freezegun does not touch it), less the benchmark's own stepping (its CPU
per idle step, measured first, times the steps), divided by the car refreshes. The
simulator runs on a loop of its own in another thread, so what is left is the
integration's CPU (parse, compare, entity updates, aiohttp's client side) and Home
Assistant's other work: an upper bound. FLEET_PROFILE=1 prints a cProfile of the 50-car steady state (own
time per area, per car refresh); FLEET_DEBUG=1 lists the requests of the car with the
longest gap around it; FLEET_HOURS shortens the day.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
import cProfile
from dataclasses import dataclass, field, replace
import itertools
import logging
import os
import pstats
import time

from aiohttp import web
from aiohttp.typedefs import Handler
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import (
    CONF_ACCOUNT,
    CONF_BRAND,
    CONF_SERVER_URL,
    DOMAIN as DOMAIN_NAME,
)
from custom_components.connected_vehicle.coordinator import VehicleCoordinator
from scripts.benchmarks.clock import VirtualClock
from scripts.benchmarks.threaded import threaded_sim_server  # noqa: F401 - as sim_server
from simulator import Simulator
from simulator.demo import KONA, LEAF, TWIZY, ZOE
from simulator.vehicle import Vehicle
from simulator.world import Account
from tests.conftest import CLIENT_ID, CREDENTIAL_ID, SIM_START, oauth_token, ovms_data

STEP = 60.0  # the longest move of the virtual clock, in simulated seconds
SETUP_STEP = 0.1  # simulated seconds per step while set-up has gone quiet
TOGETHER = 0.5  # timers this close run in one step (as late as this: the gap goal allows it)
QUIET_WINDOW = 0.003  # real seconds without a request or a state write ...
QUIET_WINDOWS = 3  # ... this many times over: the step's work is done
DAY = float(os.environ.get("FLEET_HOURS", "24")) * 3600.0  # the 50-car run
INTERVAL = 600.0  # the parked interval (the default)
OVMS_ENDPOINTS = ("status", "charge")  # the records that follow the two intervals
rows: list[tuple[str, str, str, bool | None]] = []
# Under freezegun every clock read is slow: the CPU goal is measured by bench_cpu, in real time.
CPU_GOAL = "-, see bench day"


@dataclass
class Traffic:
    """Every request the simulator answered: simulated time, method, path, status."""

    sim: Simulator
    log: list[tuple[float, str, str, int]] = field(default_factory=list)

    @web.middleware
    async def record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Note the answer."""
        response = await handler(request)
        when = self.sim.clock.now().timestamp()
        self.log.append((when, request.method, request.path, response.status))
        return response

    def statuses(self, since: float = 0.0) -> Counter[int]:
        """How many answers of each status since a simulated time."""
        return Counter(status for when, _m, _p, status in self.log if when >= since)

    def longest_gaps(self, start: float, end: float) -> dict[str, Gap]:
        """Per OVMS car, the longest stretch without a 200 from one of its endpoints."""
        times: dict[tuple[str, str], list[float]] = defaultdict(list)
        for when, method, path, status in self.log:
            parts = path.split("/")
            served = method == "GET" and status == 200 and start <= when <= end
            if served and len(parts) == 4 and parts[1] == "api" and parts[2] in OVMS_ENDPOINTS:
                times[parts[3], parts[2]].append(when)
        gaps: dict[str, Gap] = {}
        for (car, endpoint), seen in times.items():
            marks = [start, *sorted(seen), end]
            longest = max(itertools.pairwise(marks), key=lambda pair: pair[1] - pair[0])
            gap = Gap(longest[1] - longest[0], endpoint, longest[0] - start)
            if car not in gaps or gap.seconds > gaps[car].seconds:
                gaps[car] = gap
        return gaps


@dataclass(frozen=True)
class Gap:
    """A car's longest stretch without fresh data: how long, of which endpoint, from when."""

    seconds: float
    endpoint: str
    after: float  # simulated seconds from the start of the run

    def __str__(self) -> str:
        """``780 s (location, from 1.2 h)``."""
        return f"{self.seconds:.1f} s ({self.endpoint}, from {self.after / 3600:.1f} h)"


def gap_row(case: str, gaps: dict[str, Gap]) -> None:
    """The longest gap over the cars, and which car it was."""
    car, worst = max(gaps.items(), key=lambda item: item[1].seconds)
    row(
        case,
        f"<= {INTERVAL:.0f} s (+{TOGETHER} s step)",
        f"{worst} {car}",
        worst.seconds <= INTERVAL + TOGETHER,
    )


@pytest.fixture
def sim() -> Simulator:
    """The simulated world with the OVMS server's limiter on, its traffic recorded."""
    simulator = Simulator(start=SIM_START, realtime=False, rate_limit=True)
    traffic = Traffic(simulator)
    simulator.app.middlewares.insert(0, traffic.record)
    simulator.traffic = traffic  # type: ignore[attr-defined]
    return simulator


@pytest.fixture
def traffic(sim: Simulator) -> Traffic:
    """What the simulator answered."""
    found: Traffic = sim.traffic  # type: ignore[attr-defined]
    return found


@pytest.fixture(autouse=True)
def thread_time_is_real(clock: VirtualClock) -> None:
    """The CPU figures need a thread_time that freezegun left alone."""
    started = time.thread_time()
    while time.thread_time() - started < 0.002:
        pass


def add_ovms_fleet(sim: Simulator, cars: int, username: str = "fleet") -> list[str]:
    """``cars`` OVMS cars on one account: a few drive or charge on a plan, most stand."""
    now = sim.world.time
    ids = []
    for index in range(1, cars + 1):
        model = (LEAF, TWIZY, ZOE, KONA, KONA)[index % 5]
        spec = replace(model, id=f"OVMS{index:02d}", vin=f"SJNFAAZE1U{index:07d}")
        sim.world.add_vehicle(
            Vehicle(spec, when=now, soc=30.0 + index % 60, odometer_km=10000.0 + 137 * index)
        )
        ids.append(spec.id)
    sim.world.add_account(Account("ovms", username, username, tuple(ids)))
    sim.ovms.adopt_new_cars()
    return ids


def ovms_fleet_entry(hass: HomeAssistant, url: str, username: str = "fleet") -> MockConfigEntry:
    """An OVMS entry of the fleet account (REST only)."""
    entry = MockConfigEntry(
        domain=DOMAIN_NAME,
        title=f"OVMS {username}",
        data=ovms_data(url, username, username),
        unique_id=f"ovms:{username}@{url}",
    )
    entry.add_to_hass(hass)
    return entry


def next_timer(loop: asyncio.AbstractEventLoop) -> float:
    """When the loop's next live timer falls due (loop time)."""
    scheduled = getattr(loop, "_scheduled", [])
    return min((h.when() for h in scheduled if not h.cancelled()), default=float("inf"))


def tick(clock: VirtualClock, seconds: float) -> None:
    """Move Home Assistant's, the loop's and the simulator's time on together."""
    clock.freezer.tick(seconds)
    clock.sim.clock.advance(seconds)
    clock.elapsed += seconds


def step_size(clock: VirtualClock, limit: float) -> float:
    """To the next timer and those within TOGETHER after it, at most ``limit``."""
    loop = clock.hass.loop
    return min(limit, max(next_timer(loop) - loop.time() + TOGETHER, 0.001))


async def settle(clock: VirtualClock) -> None:
    """Wait in real time until no request reaches the simulator and no state is written."""
    quiet, last = 0, (-1, -1)
    while quiet < QUIET_WINDOWS:
        await asyncio.to_thread(time.sleep, QUIET_WINDOW)
        now = (clock.sim.requests.total(), clock.writes)
        quiet = quiet + 1 if now == last else 0
        last = now


async def stepping_cpu(clock: VirtualClock, steps: int = 200) -> float:
    """The loop thread's CPU per step of the benchmark's own stepping, with nothing due."""
    cpu = time.thread_time()
    for _ in range(steps):
        await settle(clock)
    return (time.thread_time() - cpu) / steps


async def advance(clock: VirtualClock, seconds: float) -> int:
    """Let ``seconds`` of simulated time pass, timer by timer; answer the steps taken."""
    end, steps = clock.elapsed + seconds, 0
    while clock.elapsed < end:
        tick(clock, step_size(clock, min(STEP, end - clock.elapsed)))
        await settle(clock)
        steps += 1
    return steps


@dataclass
class SetUp:
    """How an entry's set-up went."""

    result: str
    real: float
    simulated: float
    cpu: float


async def set_up(hass: HomeAssistant, clock: VirtualClock, entry: MockConfigEntry) -> SetUp:
    """Set an entry up with time standing still unless set-up waits for a timer."""
    cpu, real, simulated = time.thread_time(), os.times().elapsed, clock.elapsed
    task = hass.async_create_task(hass.config_entries.async_setup(entry.entry_id))
    while True:
        await clock.settle()
        if task.done():
            break
        tick(clock, SETUP_STEP)
    await task
    return SetUp(
        entry.state.value,
        os.times().elapsed - real,
        clock.elapsed - simulated,
        time.thread_time() - cpu,
    )


@dataclass
class Polls:
    """Every car refresh after set-up: how many, which failed and why."""

    done: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def follow(self, coordinators: list[VehicleCoordinator]) -> None:
        """Listen to each coordinator's refreshes."""
        for coordinator in coordinators:

            def refreshed(coordinator: VehicleCoordinator = coordinator) -> None:
                self.done += 1
                if not coordinator.last_update_success:
                    self.failed[type(coordinator.last_exception).__name__] += 1

            coordinator.async_add_refresh_listener(refreshed)


AREAS = (
    ("connected_vehicle/api", "the integration: clients, parsers"),
    ("connected_vehicle", "the integration: coordinators, entities"),
    ("simulator", "the simulator (its own thread)"),
    ("aiohttp/web", "aiohttp's server side (the simulator's thread)"),
    ("aiohttp", "aiohttp's client side"),
    ("freezegun", "freezegun's clock (benchmark only)"),
    ("patch_time", "freezegun's clock (benchmark only)"),
    ("homeassistant", "Home Assistant (state machine, entity writes)"),
    ("concurrent/futures", "the benchmark's stepping (sleeping threads)"),
    ("asyncio", "asyncio"),
    ("poll", "waiting (idle)"),
    ("sleep", "waiting (idle)"),
    ("acquire", "waiting (idle)"),
    ("socket", "sockets (both sides)"),
)


def print_profile(profile: cProfile.Profile, refreshes: int) -> None:
    """Own time per area (wall clock, every thread), per car refresh."""
    spent: Counter[str] = Counter()
    for (path, _line, name), row_stats in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        where = path if path != "~" else name
        area = next((label for key, label in AREAS if key in where), f"other: {where[:60]}")
        spent[area] += row_stats[2]
    print(f"  profile of the steady state, own time per car refresh ({refreshes} refreshes):")
    for area, seconds in spent.most_common(14):
        print(f"    {1000 * seconds / max(refreshes, 1):6.2f} ms  {area}")


def coordinators(entry: MockConfigEntry) -> list[VehicleCoordinator]:
    """The entry's car coordinators."""
    return list(entry.runtime_data.coordinators.values())


def closed_sessions(caplog: pytest.LogCaptureFixture) -> int:
    """Log records that tell of a request on a closed session."""
    return sum(
        "Session is closed" in record.getMessage() or "Session is closed" in str(record.exc_info)
        for record in caplog.records
    )


def row(case: str, goal: str, measured: str, passed: bool | None) -> None:
    """One line of the table (``passed`` None: a figure shown for information)."""
    rows.append((case, goal, measured, passed))
    print(f"  {case}: {measured} (goal {goal}) {verdict(passed)}", flush=True)


def verdict(passed: bool | None) -> str:
    """PASS, FAIL, or info."""
    return "info" if passed is None else "PASS" if passed else "FAIL"


async def test_ten_ovms_cars(
    hass: HomeAssistant,
    clock: VirtualClock,
    sim: Simulator,
    sim_url: str,
    traffic: Traffic,
) -> None:
    """10 cars on one account, two simulated hours: each ≤ 10 min old, no 429."""
    add_ovms_fleet(sim, 10)
    entry = ovms_fleet_entry(hass, sim_url)
    start = sim.clock.now().timestamp()
    setup = await set_up(hass, clock, entry)
    assert setup.result == ConfigEntryState.LOADED.value, setup
    await advance(clock, 2 * 3600.0)
    gaps = traffic.longest_gaps(start, sim.clock.now().timestamp())
    print("\n10 OVMS cars, 2 simulated hours", flush=True)
    gap_row("10 OVMS: longest gap, max over cars", gaps)
    too_many = traffic.statuses()[429]
    row("10 OVMS: 429 answers", "0", str(too_many), too_many == 0)
    await clock.finish()


async def test_fifty_ovms_cars_for_a_day(  # noqa: PLR0917 - pytest passes fixtures by name
    hass: HomeAssistant,
    clock: VirtualClock,
    sim: Simulator,
    sim_url: str,
    traffic: Traffic,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """50 cars on one account and server for a simulated day."""
    caplog.set_level(logging.WARNING)
    add_ovms_fleet(sim, 50)
    entry = ovms_fleet_entry(hass, sim_url)
    start = sim.clock.now().timestamp()
    setup = await set_up(hass, clock, entry)
    print(f"\n50 OVMS cars, one simulated day (set-up {setup})", flush=True)
    polls = Polls()
    if entry.state is ConfigEntryState.LOADED:
        polls.follow(coordinators(entry))
    else:  # the retry's coordinators are new: follow them once it loaded
        await advance(clock, 600.0)
        polls.follow(coordinators(entry))
    warm = 1800.0
    await advance(clock, warm)
    steady = sim.clock.now().timestamp()
    before_polls = polls.done
    idle = await stepping_cpu(clock)
    profile = cProfile.Profile() if os.environ.get("FLEET_PROFILE") else None
    cpu = time.thread_time()
    if profile is not None:
        profile.enable()
    steps = await advance(clock, DAY - warm)
    if profile is not None:
        profile.disable()
    cpu = time.thread_time() - cpu - steps * idle
    end = sim.clock.now().timestamp()
    gaps = traffic.longest_gaps(start, end)
    statuses = traffic.statuses()
    gap_row("50 OVMS: longest gap, max over cars", gaps)
    if os.environ.get("FLEET_DEBUG"):
        car, worst = max(gaps.items(), key=lambda item: item[1].seconds)
        for when, method, path, status in traffic.log:
            if (
                car in path
                and start + worst.after - 700 <= when <= start + worst.after + worst.seconds + 60
            ):
                print(f"    {when - start:8.1f} {method} {path} {status}")
    row("50 OVMS: 429 answers", "0", str(statuses[429]), statuses[429] == 0)
    unauthorized = traffic.statuses(steady)[401]
    row("50 OVMS: 401 answers, steady state", "0", str(unauthorized), unauthorized == 0)
    row("50 OVMS: set-up, first attempt", "loaded", setup.result, setup.result == "loaded")
    row(
        "50 OVMS: set-up time",
        "< 3 s, no wait",
        f"{setup.real:.2f} s real, {setup.simulated:.0f} s waited, {setup.cpu:.2f} s CPU",
        setup.real < 3 and setup.simulated < 3,
    )
    failed = sum(polls.failed.values())
    row("50 OVMS: failed polls", "0", f"{failed} {dict(polls.failed)}", failed == 0)
    closed = closed_sessions(caplog)
    row("50 OVMS: 'Session is closed'", "0", str(closed), closed == 0)
    per_car = 1000 * cpu / max(polls.done - before_polls, 1)
    row("OVMS: CPU per car per refresh", CPU_GOAL, f"{per_car:.1f} ms (upper bound)", None)
    requests = len([r for r in traffic.log if r[0] >= steady])
    print(
        f"  steady state: {polls.done - before_polls} car refreshes, {requests} requests"
        f" ({requests / max(polls.done - before_polls, 1):.1f} per refresh), {steps} clock steps",
        flush=True,
    )
    if profile is not None:
        print_profile(profile, polls.done - before_polls)
    await clock.finish()


@pytest.fixture
async def fleet_entry(
    hass: HomeAssistant, sim: Simulator, sim_url: str, credentials: None
) -> MockConfigEntry:
    """The Peugeot fleet account (23 cars)."""
    await hass.config.async_update(internal_url="http://127.0.0.1:9")
    issued = sim.stellantis.oauth["peugeot"].issue("fleet", client_id=CLIENT_ID)
    data = {
        "backend": "stellantis",
        CONF_BRAND: "peugeot",
        CONF_SERVER_URL: sim_url,
        CONF_ACCOUNT: "peugeot-fleet",
        CONF_WEBHOOK_ID: "0123456789abcdef",
        "auth_implementation": CREDENTIAL_ID,
        "token": oauth_token(issued),
    }
    entry = MockConfigEntry(
        domain=DOMAIN_NAME, title="Peugeot fleet", data=data, unique_id=f"peugeot:fleet@{sim_url}"
    )
    entry.add_to_hass(hass)
    return entry


async def test_stellantis_fleet(
    hass: HomeAssistant,
    clock: VirtualClock,
    sim: Simulator,
    traffic: Traffic,
    fleet_entry: MockConfigEntry,
) -> None:
    """23 Stellantis cars on one account, one simulated hour."""
    setup = await set_up(hass, clock, fleet_entry)
    assert setup.result == ConfigEntryState.LOADED.value, setup
    print(f"\n23 Stellantis cars, one simulated hour (set-up {setup})", flush=True)
    cars = coordinators(fleet_entry)
    polls = Polls()
    polls.follow(cars)
    await advance(clock, INTERVAL)
    sim.requests.reset()
    idle = await stepping_cpu(clock)
    cpu = time.thread_time()
    before = polls.done
    hour = 3600.0
    steps = await advance(clock, hour)
    cpu = time.thread_time() - cpu - steps * idle
    statuses = sum(n for path, n in sim.requests.by_path().items() if path.endswith("/status"))
    refreshes = polls.done - before
    # A poll cycle is a car's refresh (a parked car's is its 150 s watch): one status each.
    per_cycle = statuses / max(refreshes, 1)
    row(
        "23 Stellantis: set-up time",
        "< 3 s, no wait",
        f"{setup.real:.2f} s real, {setup.simulated:.0f} s waited",
        setup.real < 3 and setup.simulated < 3,
    )
    row("23 Stellantis: status calls per car refresh", "1", f"{per_cycle:.2f}", per_cycle <= 1.0)
    per_car = 1000 * cpu / max(refreshes, 1)
    row("23 Stellantis: CPU per car per refresh", CPU_GOAL, f"{per_car:.1f} ms (upper bound)", None)
    await clock.finish()


def test_table() -> None:
    """The table of every case; fails when one missed its goal."""
    width = max(len(case) for case, *_ in rows)
    goal_width = max(len(goal) for _c, goal, *_ in rows)
    print(f"\n{'case':<{width}}  {'goal':<{goal_width}}  measured  result")
    for case, goal, measured, passed in rows:
        print(f"{case:<{width}}  {goal:<{goal_width}}  {measured}  {verdict(passed)}")
    assert all(passed is not False for *_, passed in rows)  # info rows (None) pass
