"""No VIN and no full vehicle id in any log record or error message of the api layer.

Every client is driven through failures on its per-car endpoints (server
errors, refusals, missing resources, error bodies that name the car,
unreadable answers, dropped connections, failed commands) with the log at
DEBUG; the cars' VINs and ids must appear nowhere, masked (``YV1…3456``)
where a car must be told apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
import json
import logging

import aiohttp
import pytest

from custom_components.connected_vehicle.api.errors import VehicleApiError
from custom_components.connected_vehicle.api.http import IdentifierMask, masked
from custom_components.connected_vehicle.api.models import (
    Command,
    DataGroup,
    Vehicle,
)
from custom_components.connected_vehicle.api.ovms import OvmsClient
from simulator import Simulator

from .api_clients import peugeot_client, volvo_client

ALL = set(DataGroup)
API_LOGGER = "custom_components.connected_vehicle.api"


def test_masks() -> None:
    assert masked("YV1XZEDV0P2123456") == "YV1…3456"
    assert masked("LEAF") == "L…F"
    assert masked("ZOE") == "…"
    mask = IdentifierMask()
    assert mask("/api/status/LEAF") == "/api/status/LEAF"
    mask.hide("LEAF", None, "", "YV1XZEDV0P2123456")
    assert mask("/api/status/LEAF") == "/api/status/L…F"
    assert (
        mask("Vehicle YV1XZEDV0P2123456 could not be found")
        == "Vehicle YV1…3456 could not be found"
    )
    assert mask("/api/status/LEAFY and LEAF.") == "/api/status/LEAFY and L…F."


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


def identifiers(vehicles: Iterable[Vehicle]) -> set[str]:
    return {text for vehicle in vehicles for text in (vehicle.id, vehicle.vin) if text}


async def attempt(*calls: object) -> list[str]:
    """Await each call; the messages of the errors they raise."""
    messages = []
    for call in calls:
        try:
            await call  # type: ignore[misc]
        except VehicleApiError as err:
            messages.append(str(err))
    return messages


def assert_nothing_names(
    cars: set[str], caplog: pytest.LogCaptureFixture, messages: list[str]
) -> None:
    records = [r.getMessage() for r in caplog.records if r.name.startswith(API_LOGGER)]
    assert records, "the failures were not logged at all"
    assert messages, "no call failed"
    for text in records + messages:
        for car in cars:
            assert car not in text, text


def naming_body(vehicle: Vehicle) -> str:
    """An error body that names the car, as Volvo's and Stellantis's do."""
    return json.dumps({"error": {"message": f"Vehicle {vehicle.vin} of {vehicle.id} not found"}})


async def test_volvo(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sim.volvo.command_delay = 0
    client = volvo_client(session, sim, sim_url)
    caplog.set_level(logging.DEBUG)
    vehicles = await client.vehicles()
    car = vehicles[0]
    sim.faults.add(path="*/doors", status=500)
    sim.faults.add(path="*/windows", status=404, body=naming_body(car))
    sim.faults.add(path="*/warnings", status=403, body=naming_body(car))
    sim.faults.add(path="*/odometer", kind="malformed")
    sim.faults.add(path="*/statistics", kind="drop")
    sim.faults.add(path="*/engine", kind="deep")
    sim.faults.add(path="*/commands/honk", status=422, body=naming_body(car))
    sim.faults.add(path="*/commands/flash", status=404)
    foreign = Vehicle(id="YV1FOREIGN0000001", name="x", vin="YV1FOREIGN0000001")
    messages = await attempt(
        client.fetch(car, ALL),
        client.invoke(car, Command.HONK),
        client.invoke(car, Command.FLASH),
        client.fetch(foreign, {DataGroup.LOCKS_OPENINGS}),
    )
    sim.faults.add(status=500)
    messages += await attempt(*(client.fetch(v, ALL) for v in vehicles))
    assert_nothing_names(identifiers([*vehicles, foreign]), caplog, messages)


async def test_stellantis(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = peugeot_client(session, sim, sim_url, status_poll_interval=0.05, command_timeout=2)
    caplog.set_level(logging.DEBUG)
    vehicles = await client.vehicles()
    car = vehicles[0]
    sim.stellantis.set_remote_mode("E208", "rejected")
    sim.stellantis.set_remote_mode("P3008", "rejected")
    sim.stellantis.set_remote_mode("P308", "rejected")
    messages = await attempt(*(client.invoke(v, Command.FLASH) for v in vehicles))
    for fault in (
        {"status": 500},
        {"status": 404, "body": naming_body(car)},
        {"status": 403, "body": naming_body(car)},
        {"kind": "malformed"},
        {"kind": "deep"},
        {"kind": "drop"},
    ):
        sim.faults.clear()
        sim.faults.add(path="*/status", **fault)  # type: ignore[arg-type]
        sim.faults.add(path="*/alerts", **fault)  # type: ignore[arg-type]
        messages += await attempt(*(client.fetch(v, ALL) for v in vehicles))
    assert_nothing_names(identifiers(vehicles), caplog, messages)


async def test_ovms(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = OvmsClient(session, sim_url, "demo", "demo", timeout=2)
    caplog.set_level(logging.DEBUG)
    vehicles = await client.vehicles()
    sim.faults.add(path="/api/status/*", status=500, times=1)
    sim.faults.add(path="/api/charge/*", kind="malformed", times=1)
    sim.faults.add(path="/api/location/*", status=404)
    sim.faults.add(path="/api/tpms/*", kind="drop", times=1)
    sim.faults.add(path="/api/vehicle/*", kind="html", status=502)
    messages = await attempt(*(client.fetch(v, ALL) for v in vehicles))
    messages += await attempt(*(client.invoke(v, Command.REFRESH) for v in vehicles))
    foreign = Vehicle(id="ZOE", name="ZOE", vin="VF1AG000664123456")
    messages += await attempt(client.fetch(foreign, ALL))
    assert_nothing_names(identifiers([*vehicles, foreign]), caplog, messages)
