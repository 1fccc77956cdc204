"""Soak: three back ends in one Home Assistant under random faults, then every check.

The demo accounts (Volvo, Peugeot, OVMS with its live link) run for SOAK_MINUTES
simulated minutes (default 30) while one fault at a time hits one back end: an error
status, an HTML error page, a malformed, truncated or empty body, a dropped
connection, a slow answer, a 429 with Retry-After, an expired token or session, a
dropped live link. Cars are locked and unlocked in the simulated world meanwhile.
Then the faults stop and the run goes on until every car has been polled again.

It checks what a user would see: every entry loaded, no reauth, every entity
available, the lock and battery of every car equal to the simulator's, no traceback
in the log, one warning per outage and one info per recovery (coordinators and live
links alike), nothing else at warning level or above. It prints the figures and
fails when a check does not hold. Deterministic for one SOAK_SEED (default 1).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import logging
import os
from pathlib import Path
import random
import resource

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import DOMAIN
from custom_components.connected_vehicle.coordinator import OUTAGE_MESSAGES, VehicleCoordinator
from custom_components.connected_vehicle.entity import vehicle_unique_id
from scripts.benchmarks.clock import VirtualClock
from simulator import Simulator

MINUTES = int(os.environ.get("SOAK_MINUTES", "30"))
SEED = int(os.environ.get("SOAK_SEED", "1"))
STEP = 10.0  # simulated seconds per clock step
RECOVERY = 40 * 60.0  # fault-free simulated seconds at the end: longer than any poll interval
PATHS = {
    "volvo": ("/connected-vehicle/*", "/energy/*", "/location/*"),
    "stellantis": ("/connectedcar/*",),
    "ovms": ("/api/*",),
}
HTTP_FAULTS = (
    {"kind": "status", "status": 500},
    {"kind": "status", "status": 503},
    {"kind": "html", "status": 502},
    {"kind": "malformed"},
    {"kind": "truncated"},
    {"kind": "empty"},
    {"kind": "drop"},
    {"kind": "latency", "seconds": 45.0},
    {"kind": "rate_limit", "seconds": 60.0},
)
RECOVERED = "Fetching %s data recovered"
LINK_DOWN = "OVMS live link to %s is down (%s); retrying with backoff"
LINK_UP = "OVMS live link to %s is up again"


@dataclass
class Transitions:
    """How often something went from working to failing and back."""

    outages: int = 0
    recoveries: int = 0
    up: dict[str, bool] = field(default_factory=dict)

    def see(self, key: str, working: bool) -> None:
        """Note the current condition of ``key``."""
        before = self.up.get(key, True)
        if before and not working:
            self.outages += 1
        elif working and not before:
            self.recoveries += 1
        self.up[key] = working


def coordinators(entries: list[MockConfigEntry]) -> list[VehicleCoordinator]:
    """Every car's coordinator."""
    return [c for entry in entries for c in entry.runtime_data.coordinators.values()]


def watch(entries: list[MockConfigEntry], seen: Transitions) -> None:
    """Follow every coordinator's success, as Home Assistant sees it."""
    for coordinator in coordinators(entries):

        def update(coordinator: VehicleCoordinator = coordinator) -> None:
            seen.see(coordinator.name, coordinator.last_update_success)

        coordinator.async_add_listener(update)


class FaultPlan:
    """One fault at a time on one back end, with quiet spells in between."""

    def __init__(self, sim: Simulator, rng: random.Random) -> None:
        """Start quiet."""
        self.sim, self.rng = sim, rng
        self.injected: Counter[str] = Counter()
        self._until = 0.0
        self._active = False

    def stop(self) -> None:
        """End the fault in force, if any."""
        self.sim.faults.clear()
        self.sim.ovms.app_server.faults.clear()
        self._active = False

    def step(self, now: float) -> None:
        """Start or end a fault when its time has come."""
        if now < self._until:
            return
        if self._active:
            self.stop()
            self._until = now + self.rng.uniform(30, 120)
            return
        self._start()
        self._active = True
        self._until = now + self.rng.uniform(20, 180)

    def _start(self) -> None:
        backend = self.rng.choice(sorted(PATHS))
        choice = self.rng.random()
        if choice < 0.1:
            self._once(backend)
            return
        fault = self.rng.choice(HTTP_FAULTS)
        for path in PATHS[backend]:
            self.sim.faults.add(path=path, **fault)
        self.injected[f"{backend} {fault['kind']} {fault.get('status', '')}".strip()] += 1

    def _once(self, backend: str) -> None:
        """A fault a client must absorb without an outage: expired tokens, sessions, links."""
        if backend == "volvo":
            self.sim.volvo.oauth.expire_access_tokens()
            self.injected["volvo token expired"] += 1
        elif backend == "stellantis":
            for oauth in self.sim.stellantis.oauth.values():
                oauth.expire_access_tokens()
            self.injected["stellantis token expired"] += 1
        else:
            self.sim.ovms.expire_sessions()
            self.sim.ovms.app_server.drop("*")
            self.injected["ovms session expired + live link dropped"] += 1


def mismatches(hass: HomeAssistant, sim: Simulator, entries: list[MockConfigEntry]) -> list[str]:
    """Each car's lock and battery level next to the simulator's."""
    registry = er.async_get(hass)
    wrong = []
    for coordinator in coordinators(entries):
        car = next(v for v in sim.world.vehicles() if v.spec.vin == coordinator.vehicle.vin)
        prefix = f"{vehicle_unique_id(coordinator.config_entry, coordinator.vehicle)}_"
        for entity in er.async_entries_for_config_entry(
            registry, coordinator.config_entry.entry_id
        ):
            state = hass.states.get(entity.entity_id)
            if state is None or not entity.unique_id.startswith(prefix):
                continue
            if entity.domain == "lock":
                expected = "locked" if car.locked else "unlocked"
                if state.state != expected:
                    wrong.append(f"{entity.entity_id} {state.state} != {expected}")
            elif entity.translation_key == "battery_level" and not _near(state.state, car.soc):
                wrong.append(f"{entity.entity_id} {state.state} != {car.soc:.1f}")
    return wrong


def _near(shown: str, soc: float) -> bool:
    """A battery level within a percent of the simulator's (``unknown`` is not)."""
    try:
        return abs(float(shown) - soc) <= 1
    except ValueError:
        return False


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class World:
    """What happens in the simulated world during the soak, besides the faults."""

    hass: HomeAssistant
    sim: Simulator
    entries: list[MockConfigEntry]
    rng: random.Random
    toggled: int = 0
    refreshes: int = 0

    def step(self) -> None:
        """Now and then a car is locked or unlocked, or someone presses Refresh."""
        cars = coordinators(self.entries)
        if self.rng.random() < 0.05:
            vin = self.rng.choice(cars).vehicle.vin
            car = next((v for v in self.sim.world.vehicles() if v.spec.vin == vin), None)
            if car is not None and car.online:  # an offline OVMS module cannot tell its server
                car.locked = not car.locked
                self.toggled += 1
        if self.rng.random() < 0.2:
            # Not awaited: the refresh may wait on simulated time (a slow answer, the
            # request budget), which moves only between steps.
            self.hass.async_create_task(
                self.rng.choice(cars).async_refresh_groups(frozenset(DataGroup))
            )
            self.refreshes += 1


@dataclass
class Findings:
    """What the log and Home Assistant show after the soak."""

    tracebacks: list[logging.LogRecord]
    outage_warnings: list[logging.LogRecord]
    recovery_infos: list[logging.LogRecord]
    other_loud: list[logging.LogRecord]
    not_loaded: list[str]
    reauths: int
    entities: int
    unavailable_after_recovery: list[str]
    unavailable: list[str]
    wrong: list[str]
    unpaired: list[str]


def unpaired(records: list[logging.LogRecord], outages_and_recoveries: set[int]) -> list[str]:
    """The sources whose outage and recovery lines do not alternate.

    A source is a car's coordinator or live link; its lines must read warning, info,
    warning, info ... and end with the info of the last recovery. ``records`` are in
    the order they were logged (their timestamps are the frozen, stepped time).
    """
    lines: dict[tuple[str, object], list[int]] = {}
    for record in records:
        if id(record) not in outages_and_recoveries:
            continue
        args = record.args if isinstance(record.args, tuple) else ()
        source = (record.name, args[0] if args else None)
        lines.setdefault(source, []).append(record.levelno)
    return [
        f"{name} {car}: {levels}"
        for (name, car), levels in lines.items()
        if levels != [logging.WARNING, logging.INFO] * (len(levels) // 2) or len(levels) % 2
    ]


def read_log(records: list[logging.LogRecord]) -> tuple[list[logging.LogRecord], ...]:
    """Tracebacks, outage warnings, recovery infos, and every other warning or error."""
    # Home Assistant's coordinator logs each failure's traceback at debug level ("Full
    # error:") for whoever turns debug logging on: not a crash.
    tracebacks = [
        r
        for r in records
        if (r.exc_info or "Traceback" in r.getMessage()) and r.msg != "Full error:"
    ]
    outages = [
        r
        for r in records
        if r.levelno == logging.WARNING and r.msg in {*OUTAGE_MESSAGES, LINK_DOWN}
    ]
    recoveries = [r for r in records if r.levelno == logging.INFO and r.msg in {RECOVERED, LINK_UP}]
    loud = [r for r in records if r.levelno >= logging.WARNING and r not in outages]
    return tracebacks, outages, recoveries, loud


def unavailable_entities(hass: HomeAssistant, entries: list[MockConfigEntry]) -> list[str]:
    """The enabled entities of the entries that are unavailable (or have no state)."""
    registry = er.async_get(hass)
    return [
        e.entity_id
        for entry in entries
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if not e.disabled
        and ((s := hass.states.get(e.entity_id)) is None or s.state == STATE_UNAVAILABLE)
    ]


def print_report(
    plan: FaultPlan, world: World, seen: Transitions, found: Findings, memory: tuple[float, float]
) -> None:
    """The soak's figures, and the first offending log records and states."""
    print(f"\nsoak: {MINUTES} simulated minutes (seed {SEED}), then {RECOVERY / 60:.0f} fault-free")
    print(f"  cars {len(coordinators(world.entries))}, entities {found.entities}")
    print(f"  locks toggled in the world {world.toggled}, Refresh pressed {world.refreshes}")
    print(f"  faults injected {sum(plan.injected.values())}:")
    for name, count in sorted(plan.injected.items()):
        print(f"    {count:3d}  {name}")
    print(f"  requests served {world.sim.requests.total()}")
    print(f"  car outages (coordinators) {seen.outages}, recoveries {seen.recoveries}")
    print(
        f"  outage warnings {len(found.outage_warnings)},"
        f" recovery infos {len(found.recovery_infos)} (coordinators and live links)"
    )
    print(f"  other warnings or errors {len(found.other_loud)}, tracebacks {len(found.tracebacks)}")
    print(f"  entries not loaded {len(found.not_loaded)}, reauth flows {found.reauths}")
    print(
        f"  entities unavailable after the fault-free spell {len(found.unavailable_after_recovery)},"
        f" after a full poll {len(found.unavailable)}"
    )
    print(f"  states unlike the simulator's {len(found.wrong)}")
    print(f"  memory (RSS) before {memory[0]:.0f} MiB, after {memory[1]:.0f} MiB")
    for record in (*found.other_loud, *found.tracebacks)[:10]:
        print(f"    {record.levelname} {record.name}: {record.getMessage()[:200]}")
    for line in found.wrong[:10]:
        print(f"    {line}")
    for source in found.unpaired:
        print(f"    not one warning then one info per outage: {source}")


async def test_soak(  # noqa: PLR0917 - pytest passes fixtures by name
    hass: HomeAssistant,
    clock: VirtualClock,
    sim: Simulator,
    volvo_entry: MockConfigEntry,
    peugeot_entry: MockConfigEntry,
    live_ovms_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Soak, then report and check."""
    caplog.set_level(logging.DEBUG, logger="custom_components.connected_vehicle")
    entries = [volvo_entry, peugeot_entry, live_ovms_entry]
    # Sets up all three entries.
    assert await clock.meanwhile(hass.config_entries.async_setup(volvo_entry.entry_id))
    await clock.run(60, STEP)
    memory_before = rss_mib()
    seen = Transitions()
    watch(entries, seen)
    rng = random.Random(SEED)
    plan = FaultPlan(sim, rng)
    world = World(hass, sim, entries, rng)

    async def each_step() -> None:
        plan.step(clock.elapsed)
        world.step()

    caplog.clear()
    await clock.run(MINUTES * 60.0, STEP, each_step)
    plan.stop()
    await clock.run(RECOVERY, STEP)
    unavailable_after_recovery = unavailable_entities(hass, entries)
    for coordinator in coordinators(entries):
        await coordinator.async_refresh_groups(frozenset(DataGroup))
    await clock.settle()
    tracebacks, outages, recoveries, loud = read_log(caplog.records)
    found = Findings(
        tracebacks=tracebacks,
        outage_warnings=outages,
        recovery_infos=recoveries,
        other_loud=loud,
        not_loaded=[e.title for e in entries if e.state is not ConfigEntryState.LOADED],
        reauths=sum(
            f["context"]["source"] == "reauth"
            for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        entities=sum(
            len(er.async_entries_for_config_entry(er.async_get(hass), e.entry_id)) for e in entries
        ),
        unavailable_after_recovery=unavailable_after_recovery,
        unavailable=unavailable_entities(hass, entries),
        wrong=mismatches(hass, sim, entries),
        unpaired=unpaired(caplog.records, {id(r) for r in (*outages, *recoveries)}),
    )
    print_report(plan, world, seen, found, (memory_before, rss_mib()))
    await clock.finish()

    assert not found.not_loaded
    assert not found.reauths
    assert not found.tracebacks
    assert not found.other_loud
    assert not found.unpaired
    assert not found.unavailable_after_recovery
    assert not found.unavailable
    assert not found.wrong
