"""Volvo API calls per car over one simulated day: this integration next to core Volvo's tiers.

The simulator's demo Volvo account (XC40, XC60, V90, XC90) lives one day of its cars'
own plans (park, drive, park, charge) on a manual clock, served on 127.0.0.1. For each
car the integration's own decisions run unchanged: the Volvo provider's plan with the default
options, ``VehiclePoller`` saying which groups are due, ``VolvoClient.fetch`` fetching
them and the state merged as the coordinator merges it. The simulator counts every
request; the table shows them per car and data group.

Home Assistant's core Volvo integration polls fixed tiers whatever the car does (see
homeassistant/components/volvo/coordinator.py): every minute doors and windows; every
2 minutes engine status and statistics (energy state for a battery with the Energy API,
fuel for a tank); every 15 minutes brakes, engine warnings, odometer and location; every
30 minutes command accessibility, diagnostics, tyres and warnings. Its calls per day
are 1440 / interval for each of those endpoints the car answers (probed once).

The measured day runs 00:00 to 24:00 UTC after an hour of warm-up (the first, full
poll and the one-off 404s of endpoints a car lacks), so it shows the steady state.
Deterministic: same clock, same world, same decisions every run.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import heapq
from itertools import pairwise
from pathlib import Path
import sys
import time
from typing import Final

import aiohttp
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.connected_vehicle.api.models import (  # noqa: E402
    DataGroup,
    Powertrain,
    Vehicle,
    VehicleState,
)
from custom_components.connected_vehicle.api.volvo import (  # noqa: E402
    GROUP_ENDPOINTS,
    ApiKeyQuota,
    VolvoClient,
)
from custom_components.connected_vehicle.api.volvo.quota import (  # noqa: E402
    DEFAULT_DAILY_LIMIT,
)
from custom_components.connected_vehicle.api.volvo.vehicle import (  # noqa: E402
    parse_energy_capabilities,
)
from custom_components.connected_vehicle.const import (  # noqa: E402
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_PARKED_INTERVAL,
)
from custom_components.connected_vehicle.polling import VehiclePoller  # noqa: E402
from custom_components.connected_vehicle.providers import PROVIDERS  # noqa: E402
from simulator import Simulator  # noqa: E402

API_KEY: Final = "demo-vcc-api-key"
USER: Final = "demo"
DAY_START: Final = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; the plans repeat daily
WARM_UP: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
MINUTES_PER_DAY: Final = 1440
TOKEN_MARGIN: Final = timedelta(minutes=1)
ACCOUNT: Final = "(account)"  # requests that name no car (the vehicle list)

# Core Volvo's tiers: endpoint -> minutes between calls.
CORE_INTERVALS: Final[Mapping[str, int]] = {
    "doors": 1,
    "windows": 1,
    "engine-status": 2,
    "statistics": 2,
    "energy-state": 2,
    "fuel": 2,
    "brakes": 15,
    "engine": 15,
    "odometer": 15,
    "location": 15,
    "command-accessibility": 30,
    "diagnostics": 30,
    "tyres": 30,
    "warnings": 30,
}
GROUP_OF: Final[Mapping[str, DataGroup]] = {
    endpoint: group for group, endpoints in GROUP_ENDPOINTS.items() for endpoint in endpoints
}
# Paths whose last segment is not the endpoint's name.
_RENAMED: Final = {("energy", "state"): "energy-state", ("energy", "capabilities"): "energy-caps"}
_HAS_BATTERY: Final = (Powertrain.ELECTRIC, Powertrain.HYBRID)
_HAS_TANK: Final = (Powertrain.COMBUSTION, Powertrain.HYBRID)


# --- Counting (pure) ----------------------------------------------------------------------


def endpoint_of(path: str, vins: Iterable[str]) -> tuple[str, str]:
    """The car (VIN, or ACCOUNT) and endpoint name of a request path.

    ``/connected-vehicle/v2/vehicles/VIN/doors`` is the car's "doors",
    ``/energy/v2/vehicles/VIN/state`` its "energy-state", ``.../vehicles/VIN``
    its "details", ``.../VIN/commands/lock`` "commands/lock".
    """
    parts = [part for part in path.split("?", 1)[0].split("/") if part]
    known = set(vins)
    for index, part in enumerate(parts):
        if part in known:
            rest = parts[index + 1 :]
            if not rest:
                return part, "details"
            return part, _RENAMED.get((parts[0], rest[0]), "/".join(rest))
    return ACCOUNT, "/".join(parts) or "/"


def count_calls(by_path: Mapping[str, int], vins: Iterable[str]) -> dict[str, Counter[str]]:
    """Requests per car and endpoint from the simulator's ``{"GET /path": count}``."""
    vins = tuple(vins)
    counts: dict[str, Counter[str]] = {}
    for key, count in by_path.items():
        _method, _, path = key.partition(" ")
        car, endpoint = endpoint_of(path, vins)
        counts.setdefault(car, Counter())[endpoint] += count
    return counts


def by_group(endpoints: Mapping[str, int]) -> Counter[str]:
    """Calls per data group (endpoints of no group under their own name)."""
    groups: Counter[str] = Counter()
    for endpoint, count in endpoints.items():
        group = GROUP_OF.get(endpoint)
        groups[group.value if group else endpoint] += count
    return groups


def core_calls_per_day(answered: Iterable[str]) -> int:
    """Core Volvo's calls per day for a car answering these endpoints."""
    return sum(
        MINUTES_PER_DAY // CORE_INTERVALS[endpoint]
        for endpoint in set(answered)
        if endpoint in CORE_INTERVALS
    )


# --- The simulated day --------------------------------------------------------------------


class SimTokens:
    """Access tokens from the simulator's Volvo ID, renewed as simulated time passes."""

    def __init__(self, sim: Simulator) -> None:
        """Issue on first use."""
        self._sim = sim
        self._token = ""
        self._expires = datetime.min.replace(tzinfo=UTC)
        self.issued = 0

    async def access_token(self) -> str:
        """A token valid for at least another minute of simulated time."""
        now = self._sim.clock.now()
        if now + TOKEN_MARGIN >= self._expires:
            answer = self._sim.volvo.oauth.issue(USER)
            self._token = str(answer["access_token"])
            self._expires = now + timedelta(seconds=int(answer["expires_in"]))
            self.issued += 1
        return self._token


@dataclass(frozen=True)
class Poll:
    """One coordinator update."""

    when: datetime
    active: bool
    openings: bool


@dataclass
class Car:
    """One car's poller and state, and what its polls looked like."""

    vehicle: Vehicle
    poller: VehiclePoller
    state: VehicleState | None = None
    next_poll: datetime = DAY_START
    delay: timedelta = timedelta(0)
    # Every poll: when, whether the car counted as active after it, whether it
    # fetched locks & openings (doors, windows, engine status).
    polls: list[Poll] = field(default_factory=list)
    errors: int = 0


async def poll(client: VolvoClient, car: Car, now: datetime) -> None:
    """One coordinator update of one car, as the integration's coordinator does it."""
    previous = car.state
    groups = car.poller.due(now, previous)
    try:
        fresh = await client.fetch(car.vehicle, groups) if groups else VehicleState()
    except Exception as err:  # noqa: BLE001 (the coordinator retries at the same interval)
        car.errors += 1
        print(f"bench: {car.vehicle.name} at {now:%H:%M:%S}: {type(err).__name__}: {err}")
        car.next_poll = now + (car.delay or timedelta(minutes=1))
        return
    car.state = fresh if previous is None else previous.merged(fresh)
    car.delay = car.poller.fetched(groups, now, previous, car.state)
    active = car.poller.is_active(now, car.state)
    car.polls.append(Poll(now, active, DataGroup.LOCKS_OPENINGS in groups))
    car.next_poll = now + car.delay


async def run_until(sim: Simulator, client: VolvoClient, cars: list[Car], end: datetime) -> None:
    """Poll every car when it is due, moving the simulated clock, until ``end``."""
    queue = [(car.next_poll, index) for index, car in enumerate(cars)]
    heapq.heapify(queue)
    while queue and queue[0][0] < end:
        when, index = heapq.heappop(queue)
        car = cars[index]
        now = sim.clock.now()
        if when > now:
            sim.clock.advance((when - now).total_seconds())
        await poll(client, car, sim.clock.now())
        heapq.heappush(queue, (car.next_poll, index))
    now = sim.clock.now()
    if end > now:
        sim.clock.advance((end - now).total_seconds())


def active_time(polls: list[Poll], start: datetime, end: datetime) -> timedelta:
    """How long the car counted as active within [start, end): from each poll to the next."""
    total = timedelta(0)
    for this, following in pairwise([*polls, Poll(end, False, False)]):
        if this.active:
            total += max(min(following.when, end) - max(this.when, start), timedelta(0))
    return total


def max_staleness(polls: list[Poll], start: datetime, end: datetime) -> dict[bool, timedelta]:
    """The oldest the doors and lock readings got within [start, end), by the car's mode.

    Between two polls the car is in the mode the earlier one left it in, and the
    readings age until the next fetch of locks & openings; so the age peaks just
    before a poll, at (that poll's time - the last fetch before it).
    """
    oldest = {True: timedelta(0), False: timedelta(0)}
    last_fetch: datetime | None = None
    for this, following in pairwise([*polls, Poll(end, False, False)]):
        if this.openings:
            last_fetch = this.when
        if last_fetch is not None and start <= this.when < end:
            age = min(following.when, end) - last_fetch
            oldest[this.active] = max(oldest[this.active], age)
    return oldest


async def probe(
    session: aiohttp.ClientSession, base: str, tokens: SimTokens, vehicle: Vehicle
) -> set[str]:
    """The core tiers' endpoints this car answers, by core's own rules for energy and fuel."""
    headers = {
        "Authorization": f"Bearer {await tokens.access_token()}",
        "vcc-api-key": API_KEY,
        "Accept": "application/json",
    }

    async def answers(path: str) -> tuple[bool, object]:
        async with session.get(base + path, headers=headers) as response:
            ok = response.status == 200
            return ok, (await response.json(content_type=None)) if ok else None

    vin = vehicle.id
    answered: set[str] = set()
    for endpoint in CORE_INTERVALS:
        if endpoint == "energy-state":
            if vehicle.powertrain not in _HAS_BATTERY:
                continue
            ok, caps = await answers(f"/energy/v2/vehicles/{vin}/capabilities")
            if not (ok and parse_energy_capabilities(caps)):
                continue
            path = f"/energy/v2/vehicles/{vin}/state"
        elif endpoint == "location":
            path = f"/location/v1/vehicles/{vin}/location"
        else:
            if endpoint == "fuel" and vehicle.powertrain not in _HAS_TANK:
                continue
            path = f"/connected-vehicle/v2/vehicles/{vin}/{endpoint}"
        if (await answers(path))[0]:
            answered.add(endpoint)
    return answered


@dataclass
class Result:
    """What the day cost."""

    cars: list[Car]
    setup: int
    warm_up: int
    day: dict[str, Counter[str]]
    answered: dict[str, set[str]]  # the core tiers' endpoints each car answers
    core: dict[str, int]
    tokens: int
    seconds: float


async def simulate() -> Result:
    """Set up, warm up an hour, then count one day."""
    began = time.monotonic()
    sim = Simulator(start=DAY_START - WARM_UP, realtime=False, rate_limit=False)
    sim.volvo.command_delay = 0
    # Measure the demand, not the gateway's refusals: the 10,000 a day is compared below.
    sim.volvo.keys.set_quota(API_KEY, 10**9)
    tokens = SimTokens(sim)
    quota = ApiKeyQuota(clock=lambda: sim.clock.now().timestamp())
    async with TestServer(sim.app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        base = str(server.make_url("")).rstrip("/")
        client = VolvoClient(session, tokens, API_KEY, base_url=base, quota=quota)
        vehicles = sorted(await client.vehicles(), key=lambda v: v.name)
        setup = sim.requests.total()
        cars = [
            Car(
                v,
                VehiclePoller(PROVIDERS["volvo"].plan({}, v), v.capabilities),
                next_poll=sim.clock.now(),
            )
            for v in vehicles
        ]
        sim.requests.reset()
        answered = {v.id: await probe(session, base, tokens, v) for v in vehicles}
        sim.requests.reset()
        await run_until(sim, client, cars, DAY_START)
        warm_up = sim.requests.total()
        sim.requests.reset()
        await run_until(sim, client, cars, DAY_START + DAY)
        day = count_calls(sim.requests.by_path(), [v.id for v in vehicles])
    core = {vin: core_calls_per_day(endpoints) for vin, endpoints in answered.items()}
    seconds = time.monotonic() - began
    return Result(cars, setup, warm_up, day, answered, core, tokens.issued, seconds)


# --- The report ---------------------------------------------------------------------------


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds else "-"


_SHORT: Final = {
    DataGroup.LOCK_AND_DOORS: "watch",
    DataGroup.LOCKS_OPENINGS: "locks",
    DataGroup.ENERGY: "energy",
    DataGroup.LOCATION: "place",
    DataGroup.ODOMETER_TRIPS: "odo",
    DataGroup.TYRES: "tyres",
    DataGroup.HEALTH: "health",
}


def report(result: Result) -> str:
    """The table and the notes under it."""
    start, end = DAY_START, DAY_START + DAY
    header = (
        f"{'car':<6} {'powertrain':<10} {'active':>6} {'ours/day':>8}  "
        + " ".join(f"{_SHORT[group]:>6}" for group in DataGroup)
        + f"  {'core/day':>8} {'core/ours':>9}"
    )
    rule = "-" * len(header)
    lines = [
        (
            "Volvo API calls per car over one simulated day "
            f"({start:%Y-%m-%d} 00:00-24:00 UTC; the demo cars' own plans)"
        ),
        (
            f"ours: the default options (active {DEFAULT_ACTIVE_INTERVAL} s, parked "
            f"{DEFAULT_PARKED_INTERVAL} s, per-group multiples); core: Home Assistant's "
            "Volvo tiers (1/2/15/30 min)"
        ),
        "",
        header,
        rule,
    ]
    total_ours = total_core = 0
    for car in result.cars:
        endpoints = result.day.get(car.vehicle.id, Counter())
        ours, core = endpoints.total(), result.core[car.vehicle.id]
        groups = by_group(endpoints)
        total_ours += ours
        total_core += core
        hours = active_time(car.polls, start, end).total_seconds() / 3600
        lines.append(
            f"{car.vehicle.name:<6} {car.vehicle.powertrain.value:<10} {hours:>5.1f}h "
            f"{ours:>8}  "
            + " ".join(f"{groups.get(group.value, 0):>6}" for group in DataGroup)
            + f"  {core:>8} {_ratio(core, ours):>9}"
        )
    account = result.day.get(ACCOUNT, Counter()).total()
    total_ours += account
    width = len(f"{'car':<6} {'powertrain':<10} {'active':>6}")
    groups_width = 7 * len(DataGroup) + 1
    lines += [
        rule,
        (
            f"{'total':<{width}} {total_ours:>8}  {'':<{groups_width}} {total_core:>8} "
            f"{_ratio(total_core, total_ours):>9}"
        ),
        "",
        (
            f"One API key's quota is {DEFAULT_DAILY_LIMIT:,} calls a day: ours use "
            f"{total_ours:,} ({100 * total_ours / DEFAULT_DAILY_LIMIT:.0f} %), core's tiers "
            f"{total_core:,} ({100 * total_core / DEFAULT_DAILY_LIMIT:.0f} %)."
        ),
        (
            f"Not counted above: set-up (vehicle list, details, commands, energy "
            f"capabilities) {result.setup} calls once per start; the hour before the day "
            f"(first full poll, one 404 per endpoint a car lacks) {result.warm_up} calls."
        ),
    ]
    known = set(GROUP_OF)
    stray = sorted({e for car in result.cars for e in result.day.get(car.vehicle.id, {})} - known)
    if stray or account:
        lines.append(f"Other calls in the day: endpoints {stray}, {account} account-wide.")
    lines += [
        "",
        "How old the doors and lock readings got (min:s), by the car's mode:",
        f"{'car':<6} {'active':>7} {'parked':>7}",
    ]
    for car in result.cars:
        oldest = max_staleness(car.polls, start, end)
        lines.append(
            f"{car.vehicle.name:<6} {_duration(oldest[True]):>7} {_duration(oldest[False]):>7}"
        )
    errors = sum(car.errors for car in result.cars)
    lines += [
        (
            f"(plan: every {DEFAULT_ACTIVE_INTERVAL} s active, {DEFAULT_PARKED_INTERVAL} s "
            "parked; core: every 60 s in both)"
        ),
        "",
        (
            "active: hours the car counted as active (in use: on, moving, charging or "
            "unlocked; or within 10 min of a change at the car)."
        ),
        (f"Errors: {errors}. Tokens issued: {result.tokens}. Ran in {result.seconds:.1f} s."),
    ]
    return "\n".join(lines)


def _ratio(core: int, ours: int) -> str:
    return f"{core / ours:.1f}x" if ours else "-"


def endpoint_report(result: Result) -> str:
    """Calls in the day per car and endpoint, ours next to core's."""
    lines = ["", "Per endpoint, ours / core's (calls in the day):"]
    for car in result.cars:
        ours = result.day.get(car.vehicle.id, Counter())
        answered = result.answered[car.vehicle.id]
        names = sorted(set(ours) | answered, key=lambda e: (GROUP_OF.get(e, ""), e))
        cells = [
            f"{name} {ours.get(name, 0)}/"
            + (str(MINUTES_PER_DAY // CORE_INTERVALS[name]) if name in answered else "0")
            for name in names
        ]
        lines.append(f"{car.vehicle.name:<6} " + ", ".join(cells))
    return "\n".join(lines)


def main() -> int:
    """Run the day and print the table (with --endpoints, per endpoint too)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoints", action="store_true", help="also list calls per endpoint")
    args = parser.parse_args()
    result = asyncio.run(simulate())
    print(report(result))
    if args.endpoints:
        print(endpoint_report(result))
    return 1 if any(car.errors for car in result.cars) else 0


if __name__ == "__main__":
    sys.exit(main())
