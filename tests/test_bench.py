"""The benchmark's counting: request paths to cars and endpoints, groups, core's tiers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
import importlib.util
from pathlib import Path
import sys
from types import ModuleType

import pytest

XC40 = "YV1XZEDV0P2123456"
V90 = "YV1PWA8BDL1234567"
T0 = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench_script", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_paths_to_cars_and_endpoints(bench: ModuleType) -> None:
    counts = bench.count_calls(
        {
            f"GET /connected-vehicle/v2/vehicles/{XC40}/doors": 5,
            f"GET /connected-vehicle/v2/vehicles/{XC40}/command-accessibility": 1,
            f"GET /energy/v2/vehicles/{XC40}/state": 3,
            f"GET /energy/v2/vehicles/{XC40}/capabilities": 1,
            f"GET /location/v1/vehicles/{XC40}/location": 2,
            f"GET /connected-vehicle/v2/vehicles/{XC40}": 1,
            f"POST /connected-vehicle/v2/vehicles/{XC40}/commands/lock": 1,
            f"GET /connected-vehicle/v1/vehicles/{V90}/doors": 4,
            "GET /connected-vehicle/v2/vehicles": 2,
        },
        [XC40, V90],
    )
    assert counts[XC40] == Counter(
        {
            "doors": 5,
            "command-accessibility": 1,
            "energy-state": 3,
            "energy-caps": 1,
            "location": 2,
            "details": 1,
            "commands/lock": 1,
        }
    )
    assert counts[V90] == Counter({"doors": 4})  # v1 paths count for the same endpoint
    assert counts[bench.ACCOUNT] == Counter({"connected-vehicle/v2/vehicles": 2})


def test_groups_and_core_tiers(bench: ModuleType) -> None:
    grouped = bench.by_group(
        Counter({"doors": 3, "windows": 3, "engine-status": 3, "fuel": 2, "tyres": 1, "x": 1})
    )
    assert grouped == Counter({"locks_openings": 9, "energy": 2, "tyres": 1, "x": 1})
    # Every minute: doors, windows; every 2: engine status, statistics; every 15: odometer.
    answered = {"doors", "windows", "engine-status", "statistics", "odometer", "commands"}
    assert bench.core_calls_per_day(answered) == 2 * 1440 + 2 * 720 + 96


def test_staleness_and_active_time(bench: ModuleType) -> None:
    poll = bench.Poll
    minute = timedelta(minutes=1)
    polls = [
        poll(T0, True, True),
        poll(T0 + minute, True, True),
        poll(T0 + 2 * minute, False, False),  # parked from here: openings not due yet
        poll(T0 + 11 * minute, False, True),
    ]
    end = T0 + 21 * minute
    assert bench.max_staleness(polls, T0, end) == {True: minute, False: 10 * minute}
    assert bench.active_time(polls, T0, end) == 2 * minute
