"""Hostile values and bodies: dropped with a debug log, or a ProtocolError; nothing else.

Each reproduction of a value that cannot be represented (a number of 400
digits, a time before year 1 in UTC, 1e308 months, a duration of 400 digits)
and of a body no decoder can read (nesting 100,000 deep, an error body whose
code is a list), first at the parser, then through every client over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
import math

import aiohttp
import pytest

from custom_components.connected_vehicle.api.coerce import as_float, as_text, as_utc
from custom_components.connected_vehicle.api.errors import NotFoundError, ProtocolError
from custom_components.connected_vehicle.api.models import DataGroup, Vehicle
from custom_components.connected_vehicle.api.ovms import OvmsClient
from custom_components.connected_vehicle.api.ovms.parse import parse_record
from custom_components.connected_vehicle.api.stellantis.parse import parse_status
from custom_components.connected_vehicle.api.volvo import parse_endpoint
from simulator import Simulator

from .api_clients import peugeot_client, volvo_client

HUGE = 10**400
BEFORE_YEAR_ONE = "0001-01-01T00:00:00+14:00"
XC40 = "YV1XZEDV0P2123456"


@pytest.mark.parametrize(
    "raw", [HUGE, -HUGE, "1" * 400, "1e400", math.nan, math.inf, "nan", "-inf", []]
)
def test_numbers_that_cannot_be_represented_are_dropped(
    raw: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert as_float(raw, field="soc") is None
    assert "Ignoring soc" in caplog.text


def test_text_of_unrepresentable_numbers_is_dropped() -> None:
    assert as_text(math.inf) is None
    assert as_text(math.nan) is None
    assert as_text(HUGE) == "1" + "0" * 400
    assert as_text(10**5000) is None  # more digits than Python turns into text


@pytest.mark.parametrize("raw", [BEFORE_YEAR_ONE, "9999-12-31T23:59:59-14:00"])
def test_times_beyond_the_calendar_are_dropped(raw: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert as_utc(raw) is None
    assert "beyond the calendar" in caplog.text


def test_ovms_400_digit_soc_is_absent() -> None:
    state = parse_record({"soc": HUGE, "estimatedrange": "1" * 400, "odometer": "12345"})
    assert "battery_level" not in state.readings
    assert "electric_range" not in state.readings
    assert state.value("odometer") == 1234.5


def test_volvo_time_to_service_of_1e308_months_is_absent() -> None:
    body = {"data": {"timeToService": {"value": 1e308, "unit": "months"}}}
    assert "time_to_service" not in parse_endpoint("diagnostics", body).readings
    body = {"data": {"timeToService": {"value": 5, "unit": "months"}}}
    assert parse_endpoint("diagnostics", body).value("time_to_service") == 150


def test_stellantis_extreme_times_and_durations_are_absent() -> None:
    status = {
        "updatedAt": BEFORE_YEAR_ONE,
        "energies": [
            {
                "type": "Electric",
                "level": 50,
                "extension": {
                    "electric": {
                        "charging": {
                            "status": "InProgress",
                            "remainingTime": "PT" + "9" * 400 + "M",
                        }
                    }
                },
            }
        ],
    }
    state = parse_status(status)
    assert state.value("battery_level") == 50
    assert state.readings["battery_level"].observed_at is None
    assert "charge_time_remaining" not in state.readings
    assert state.value("charging_state") == "charging"


# --- Through the clients, over HTTP ------------------------------------------------------


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


async def test_deep_json_is_a_protocol_error_in_every_client(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    sim.faults.add(path="*vehicles", kind="deep")  # every list; not the OVMS login
    for client in (
        volvo_client(session, sim, sim_url),
        peugeot_client(session, sim, sim_url),
        OvmsClient(session, sim_url, "demo", "demo"),
    ):
        with pytest.raises(ProtocolError):
            await client.vehicles()


async def test_deep_or_mistyped_error_bodies_keep_their_status(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """A 404 whose body nests 100,000 deep, or whose code is a list, is still a 404."""
    car = Vehicle(id=XC40, name="XC40")
    client = volvo_client(session, sim, sim_url)
    sim.faults.add(path="*/odometer", kind="deep", status=404)
    sim.faults.add(path="*/tyres", status=404, body='{"error": {"message": []}}')
    state = await client.fetch(car, {DataGroup.ODOMETER_TRIPS, DataGroup.TYRES})
    assert "trip_meter_manual" in state.readings
    peugeot = peugeot_client(session, sim, sim_url)
    e208 = next(v for v in await peugeot.vehicles() if v.vin == "VR3UHZKXZLT123456")
    for fault in ({"kind": "deep", "status": 404}, {"status": 404, "body": '{"code": []}'}):
        sim.faults.clear()
        sim.faults.add(path="*/status", **fault)  # type: ignore[arg-type]
        with pytest.raises(NotFoundError):
            await peugeot.fetch(e208, {DataGroup.ENERGY})
