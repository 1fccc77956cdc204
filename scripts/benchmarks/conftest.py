"""The benchmarks run the real integration in Home Assistant's test harness.

They reuse the test suite's fixtures (the simulator, one demo entry per back end)
and add a virtual clock: Home Assistant's time, the event loop's time and the
simulator's clock move together, a step at a time, so a simulated day takes
minutes. Run them with ``scripts/bench <name>``, never as part of the test suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
from pathlib import Path
import sys

from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.benchmarks.clock import VirtualClock  # noqa: E402
from scripts.benchmarks.probe import Probe  # noqa: E402
from simulator import Simulator  # noqa: E402
from tests.conftest import *  # noqa: E402, F403
from tests.conftest import SIM_START  # noqa: E402


@pytest.fixture(autouse=True)
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: Simulator) -> VirtualClock:
    """The virtual clock, from the simulator's start.

    Autouse, so that time is moved before the entries are made (their tokens' expiry
    then agrees with the simulator's). A benchmark ends with ``clock.finish()``.
    """
    freezer.move_to(sim.clock.now())
    return VirtualClock(hass, freezer, sim)


@pytest.fixture(autouse=True)
def quiet_console() -> None:
    """Only warnings and worse on the console: the debug log of a day is millions of lines."""
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler:
            handler.setLevel(logging.WARNING)


@pytest.fixture
async def sim_server(sim: Simulator, socket_enabled: None) -> AsyncIterator[TestServer]:
    """The simulator on 127.0.0.1 without an access log (aiohttp's breaks under freezegun)."""
    server = TestServer(sim.app, host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def probe() -> Probe:
    """The bench's middleware, wrapped around the simulator's app."""
    return Probe()


@pytest.fixture
def sim(probe: Probe) -> Simulator:
    """The test suite's simulator (manual clock, no rate limit), with the probe outermost."""
    simulator = Simulator(start=SIM_START, realtime=False, rate_limit=False)
    simulator.app.middlewares.insert(0, probe.middleware)
    return simulator
