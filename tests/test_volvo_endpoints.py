"""Volvo endpoints that answer 404 or 403: skipped only when the car really lacks them.

A 404 from a whole API is an outage, not a car without doors; a 403 is a
permission the account lacks, reported until it answers again. Against the
simulated Volvo cloud over real HTTP, with the client's clock under control.
"""

from __future__ import annotations

import logging

import aiohttp
import pytest

from custom_components.connected_vehicle.api.backend import ReportsDeniedAccess
from custom_components.connected_vehicle.api.errors import (
    BackendUnavailableError,
    PermissionDeniedError,
)
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.api.volvo import VolvoClient
from custom_components.connected_vehicle.api.volvo.endpoints import (
    MISSING_AFTER,
    RECHECK_DENIED,
    RECHECK_MISSING,
)
from simulator import Simulator

from .test_volvo_client import KEY, V90, XC40, SimTokens, car, quick, session  # noqa: F401

ALL = set(DataGroup)
ROUTE = "/connected-vehicle/v2/vehicles/{vin}/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(
    session: aiohttp.ClientSession,  # noqa: F811
    sim: Simulator,
    sim_url: str,
    clock: Clock,
) -> VolvoClient:
    return VolvoClient(session, SimTokens(sim), KEY, base_url=sim_url, timeout=2, clock=clock)


async def test_a_connected_vehicle_outage_is_not_a_car_without_doors(
    client: VolvoClient, sim: Simulator
) -> None:
    """One poll with /connected-vehicle/* answering 404 while Energy and Location answer."""
    xc40 = await car(client, XC40)
    sim.faults.add(path="/connected-vehicle/*", status=404)
    with pytest.raises(BackendUnavailableError, match="every Connected Vehicle endpoint"):
        await client.fetch(xc40, ALL)
    assert sim.requests.count("GET", "/energy/v2/vehicles/{vin}/state") == 1
    sim.faults.clear()
    sim.world.vehicle(XC40).locked = False
    sim.requests.reset()
    state = await client.fetch(xc40, ALL)
    assert state.value("central_lock") is False
    assert sim.requests.count("GET", ROUTE + "doors") == 1
    assert client.denied(xc40) == frozenset()


async def test_repeated_outages_drop_nothing(client: VolvoClient, sim: Simulator) -> None:
    xc40 = await car(client, XC40)
    sim.faults.add(path="/connected-vehicle/*", status=404)
    for _ in range(MISSING_AFTER + 2):
        with pytest.raises(BackendUnavailableError):
            await client.fetch(xc40, ALL)
    sim.faults.clear()
    assert "window_front_left" in (await client.fetch(xc40, ALL)).readings


async def test_an_endpoint_lacking_for_three_polls_is_asked_again_daily(
    client: VolvoClient, sim: Simulator, clock: Clock
) -> None:
    """The V90 has no /tyres; it is skipped after three polls, asked again a day later."""
    v90 = await car(client, V90)
    for _ in range(MISSING_AFTER):
        await client.fetch(v90, ALL)
    sim.requests.reset()
    clock.now += RECHECK_MISSING - 1
    await client.fetch(v90, ALL)
    assert sim.requests.count("GET", ROUTE + "tyres") == 0
    clock.now += 1
    await client.fetch(v90, ALL)
    assert sim.requests.count("GET", ROUTE + "tyres") == 1
    await client.fetch(v90, ALL)  # still 404: a day again
    assert sim.requests.count("GET", ROUTE + "tyres") == 1


async def test_a_404_without_the_rest_of_its_api_answering_counts_for_nothing(
    client: VolvoClient, sim: Simulator
) -> None:
    """Polls of /tyres alone give no evidence: it stays asked."""
    v90 = await car(client, V90)
    for _ in range(MISSING_AFTER + 1):
        assert not (await client.fetch(v90, {DataGroup.TYRES})).readings
    assert sim.requests.count("GET", ROUTE + "tyres") == MISSING_AFTER + 1


async def test_an_endpoint_that_answers_again_is_asked_every_poll(
    client: VolvoClient, sim: Simulator
) -> None:
    """404, 404, then data: the count starts over."""
    xc40 = await car(client, XC40)
    sim.faults.add(path="*/windows", status=404, times=MISSING_AFTER - 1)
    for _ in range(MISSING_AFTER + 2):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    sim.faults.add(path="*/windows", status=404, times=MISSING_AFTER - 1)
    for _ in range(MISSING_AFTER):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    assert sim.requests.count("GET", ROUTE + "windows") == 2 * MISSING_AFTER + 2


async def test_a_refused_endpoint_is_a_denial_not_a_missing_endpoint(
    client: VolvoClient, sim: Simulator, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """403 on /windows: the other readings come, the denial is reported, asked hourly."""
    assert isinstance(client, ReportsDeniedAccess)
    xc40 = await car(client, XC40)
    sim.faults.add(path="*/windows", status=403)
    with caplog.at_level(logging.DEBUG):
        state = await client.fetch(xc40, ALL)
        for _ in range(3):
            await client.fetch(xc40, ALL)
    assert state.value("central_lock") is True
    assert "window_front_left" not in state.readings
    assert client.denied(xc40) == {"windows"}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "api" in r.name]
    assert len(warnings) == 1
    assert "windows" in warnings[0].getMessage()
    assert sim.requests.count("GET", ROUTE + "windows") == 1
    clock.now += RECHECK_DENIED
    await client.fetch(xc40, ALL)
    assert sim.requests.count("GET", ROUTE + "windows") == 2
    assert client.denied(xc40) == {"windows"}
    sim.faults.clear()
    clock.now += RECHECK_DENIED
    state = await client.fetch(xc40, ALL)
    assert state.value("window_front_left") is False
    assert client.denied(xc40) == frozenset()


async def test_everything_refused_is_a_permission_error(
    client: VolvoClient, sim: Simulator
) -> None:
    xc40 = await car(client, XC40)
    sim.faults.add(path="/connected-vehicle/*", status=403)
    sim.faults.add(path="/energy/*", status=403)
    sim.faults.add(path="/location/*", status=403)
    with pytest.raises(PermissionDeniedError):
        await client.fetch(xc40, ALL)


async def test_a_refused_command_list_is_reported(client: VolvoClient, sim: Simulator) -> None:
    sim.faults.add(path="*/commands", status=403)
    xc40 = await car(client, XC40)
    assert xc40.commands == frozenset()
    assert client.denied(xc40) == {"commands"}
