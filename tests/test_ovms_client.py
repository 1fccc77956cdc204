"""The OVMS client against the simulated server over real HTTP, faults included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.connected_vehicle.api.errors import (
    AuthenticationError,
    BackendUnavailableError,
    CommandFailedError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
)
from custom_components.connected_vehicle.api.models import (
    Command,
    CommandStatus,
    DataGroup,
    Vehicle,
)
from custom_components.connected_vehicle.api.ovms import OvmsClient, client as client_module
from simulator import Simulator

ALL = set(DataGroup)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session that, like the integration's, keeps no cookies of its own."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


@pytest.fixture
def client(session: aiohttp.ClientSession, sim_url: str) -> OvmsClient:
    """The demo account's client, with a short timeout for the latency fault."""
    return OvmsClient(session, sim_url, "demo", "demo", timeout=2)


async def vehicle(client: OvmsClient, vehicle_id: str) -> Vehicle:
    return next(v for v in await client.vehicles() if v.id == vehicle_id)


async def test_vehicles_and_full_state(client: OvmsClient, sim: Simulator) -> None:
    """Login, the account's cars, and every group of an online car."""
    vehicles = {v.id: v for v in await client.vehicles()}
    assert set(vehicles) == {"LEAF", "TWIZY", "KONA"}
    leaf = vehicles["LEAF"]
    assert Command.REFRESH in leaf.commands
    state = await client.fetch(leaf, ALL)
    assert state.readings["battery_level"].value == pytest.approx(
        sim.world.vehicle("LEAF").soc, abs=1
    )
    assert state.readings["odometer"].unit == "km"
    assert state.value("server_connected") is True
    assert state.location is not None
    assert state.readings["tyre_pressure_front_left"].unit == "kPa"
    assert sim.requests.count(method="GET", route="/api/cookie") == 1


async def test_miles_car_and_offline_car(client: OvmsClient) -> None:
    """The Twizy reports miles; the offline Kona is not connected and has no tyres."""
    twizy = await client.fetch(await vehicle(client, "TWIZY"), ALL)
    assert twizy.readings["electric_range"].unit == "mi"
    assert twizy.readings["tyre_pressure_front_left"].unit == "psi"
    kona = await client.fetch(await vehicle(client, "KONA"), ALL)
    assert kona.value("server_connected") is False
    assert not any(key.startswith("tyre_") for key in kona.readings)


async def test_only_requested_groups_are_fetched(client: OvmsClient, sim: Simulator) -> None:
    """A location-only fetch costs one request."""
    leaf = await vehicle(client, "LEAF")
    sim.requests.reset()
    state = await client.fetch(leaf, {DataGroup.LOCATION})
    assert state.location is not None
    assert "battery_level" not in state.readings
    assert sim.requests.total() == 1


async def test_wrong_password(session: aiohttp.ClientSession, sim_url: str) -> None:
    """A refused login is an AuthenticationError."""
    with pytest.raises(AuthenticationError):
        await OvmsClient(session, sim_url, "demo", "wrong").vehicles()


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "html", "status": 200},
        {"kind": "empty", "status": 200},
        {"kind": "truncated"},
        {"kind": "malformed"},
        {"kind": "deep"},
    ],
)
async def test_login_answer_without_a_cookie_is_not_a_refusal(
    client: OvmsClient, sim: Simulator, fault: dict[str, object]
) -> None:
    """200 without a session cookie (a portal page, a cut answer): no reauth, a ProtocolError."""
    sim.faults.add(method="GET", path="/api/cookie", **fault)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError, match="no session cookie") as caught:
        await client.vehicles()
    assert not isinstance(caught.value, AuthenticationError)
    sim.faults.clear()
    assert await client.vehicles()
    # The same on the re-login after the session expired.
    sim.ovms.expire_sessions()
    sim.faults.add(method="GET", path="/api/cookie", **fault)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError):
        await client.vehicles()


async def test_api_token_as_password(
    session: aiohttp.ClientSession, sim_url: str, client: OvmsClient
) -> None:
    """An API token made on the server works in place of the password."""
    async with session.post(
        f"{sim_url}/api/token",
        params={"username": "demo", "password": "demo", "application": "ha", "purpose": "test"},
    ) as resp:
        assert resp.status == 201
        token = (await resp.json())["token"]
    assert [v.id for v in await OvmsClient(session, sim_url, "demo", token).vehicles()]


async def test_expired_session_logs_in_again_once(client: OvmsClient, sim: Simulator) -> None:
    """After expiry, concurrent requests share one new login."""
    cars = await client.vehicles()
    sim.ovms.expire_sessions()
    states = await asyncio.gather(*(client.fetch(car, ALL) for car in cars))
    assert all("battery_level" in state.readings for state in states)
    assert sim.requests.count(method="GET", route="/api/cookie") == 2


async def test_session_expires_with_time(client: OvmsClient, sim: Simulator) -> None:
    """The server drops sessions 300 s after login; the client recovers."""
    leaf = await vehicle(client, "LEAF")
    sim.clock.advance(301)
    assert "battery_level" in (await client.fetch(leaf, ALL)).readings
    assert sim.requests.count(method="GET", route="/api/cookie") == 2


async def test_a_session_near_its_end_is_renewed_before_the_requests(
    client: OvmsClient, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """280 s after login (the server ends it at 300 s) one login goes first, then the cars."""
    cars = await client.vehicles()
    later = client_module.monotonic() + 280
    monkeypatch.setattr(client_module, "monotonic", lambda: later)
    sim.clock.advance(280)
    sim.requests.reset()
    states = await asyncio.gather(*(client.fetch(car, ALL) for car in cars))
    assert all("battery_level" in state.readings for state in states)
    assert sim.requests.count(method="GET", route="/api/cookie") == 1


async def test_foreign_vehicle_is_permission_denied(client: OvmsClient) -> None:
    """Another user's car answers 403."""
    await client.vehicles()
    foreign = Vehicle(id="ZOE", name="ZOE")
    with pytest.raises(PermissionDeniedError):
        await client.fetch(foreign, {DataGroup.LOCKS_OPENINGS})


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 500}, BackendUnavailableError),
        ({"kind": "status", "status": 503}, BackendUnavailableError),
        ({"kind": "html", "status": 502}, BackendUnavailableError),
        ({"kind": "html", "status": 200}, ProtocolError),
        ({"kind": "malformed"}, ProtocolError),
        ({"kind": "truncated"}, ProtocolError),
        ({"kind": "drop"}, BackendUnavailableError),
        ({"kind": "latency", "seconds": 3}, BackendUnavailableError),
        ({"kind": "rate_limit", "seconds": 42}, RateLimitedError),
        ({"kind": "status", "status": 400}, ProtocolError),
    ],
)
async def test_faults_map_to_documented_errors(
    client: OvmsClient, sim: Simulator, fault: dict[str, object], error: type[Exception]
) -> None:
    """Every injected fault becomes one of the documented errors, nothing else."""
    leaf = await vehicle(client, "LEAF")
    # Until cleared: aiohttp retries a GET once when a kept-alive connection drops.
    sim.faults.add(method="GET", path="/api/status/*", **fault)  # type: ignore[arg-type]
    with pytest.raises(error) as caught:
        await client.fetch(leaf, {DataGroup.LOCKS_OPENINGS})
    if error is RateLimitedError:
        assert caught.value.retry_after == 42  # type: ignore[attr-defined]
    sim.faults.clear()
    assert "battery_level" in (await client.fetch(leaf, {DataGroup.LOCKS_OPENINGS})).readings


async def test_missing_tpms_handler_is_no_data(client: OvmsClient, sim: Simulator) -> None:
    """The real server answers 404 'not found' when its TPMS handler fails: no tyres, no error."""
    leaf = await vehicle(client, "LEAF")
    sim.faults.add(method="GET", path="/api/tpms/*", kind="status", status=404)
    state = await client.fetch(leaf, ALL)
    assert "battery_level" in state.readings
    assert not any(key.startswith("tyre_") for key in state.readings)


async def test_tyres_alone_answering_404_is_no_data(client: OvmsClient, sim: Simulator) -> None:
    """A poll of the crashing TPMS handler alone: the server lists the car, so no error."""
    leaf = await vehicle(client, "LEAF")
    sim.faults.add(method="GET", path="/api/tpms/*", kind="status", status=404)
    assert not (await client.fetch(leaf, {DataGroup.TYRES})).readings


async def test_a_server_answering_404_everywhere_raises(client: OvmsClient, sim: Simulator) -> None:
    """Every endpoint and the vehicle list answer 404: no stale state passes for current."""
    leaf = await vehicle(client, "LEAF")
    sim.faults.add(method="GET", path="/api/*", kind="status", status=404)
    for groups in (ALL, {DataGroup.ENERGY}, {DataGroup.TYRES}):
        with pytest.raises(NotFoundError):
            await client.fetch(leaf, groups)
    sim.faults.clear()
    assert "battery_level" in (await client.fetch(leaf, ALL)).readings


async def test_a_car_gone_from_the_account_raises(client: OvmsClient, sim: Simulator) -> None:
    """Its endpoints answer 404 and the fresh vehicle list no longer names it."""
    leaf = await vehicle(client, "LEAF")
    sim.faults.add(method="GET", path="/api/*/LEAF", kind="status", status=404)
    sim.faults.add(method="GET", path="/api/vehicles", kind="status", status=200, body="[]")
    with pytest.raises(NotFoundError, match="not on the account"):
        await client.fetch(leaf, {DataGroup.ENERGY, DataGroup.LOCATION})


async def test_refresh_connects_and_other_commands_are_refused(
    client: OvmsClient, sim: Simulator
) -> None:
    """REFRESH connects to the car; lock is not in the server API."""
    leaf = await vehicle(client, "LEAF")
    result = await client.invoke(leaf, Command.REFRESH)
    assert result.status is CommandStatus.SUCCESS
    assert sim.requests.count(method="GET", route="/api/vehicle/{vehicle_id}") == 1
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(leaf, Command.LOCK)
    assert caught.value.command_status == CommandStatus.NOT_SUPPORTED


async def test_connect_makes_status_fresh(client: OvmsClient, sim: Simulator) -> None:
    """Connecting to an online car makes it send a fresh status record."""
    leaf = await vehicle(client, "LEAF")
    sim.clock.advance(250)
    info = await client.connect(leaf)
    assert info.online is True
    assert info.status_age is not None
    assert info.status_age < 5
    kona = await client.connect(await vehicle(client, "KONA"))
    assert kona.online is False
    assert kona.status_age is not None
    assert kona.status_age > 3600


async def test_logout_ends_the_session(client: OvmsClient, sim: Simulator) -> None:
    """Logout deletes the server session; the next call logs in again."""
    await client.vehicles()
    await client.logout()
    assert sim.requests.count(method="DELETE", route="/api/cookie") == 1
    await client.vehicles()
    assert sim.requests.count(method="GET", route="/api/cookie") == 2
