"""The Stellantis client against the simulated API over real HTTP: paging, faults, commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
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
    CommandArguments,
    CommandStatus,
    DataGroup,
    Destination,
    Powertrain,
    Vehicle,
)
from custom_components.connected_vehicle.api.stellantis import BRANDS, StellantisClient
from simulator import Simulator

ALL = set(DataGroup)


class SimTokens:
    """A TokenProvider issuing tokens from the simulator's brand IdP."""

    def __init__(self, sim: Simulator, brand: str, username: str) -> None:
        self.sim, self.brand, self.username = sim, brand, username
        self.token: str | None = None
        self.refreshes = 0

    async def access_token(self) -> str:
        if self.token is None:
            self.token = self._issue()
        return self.token

    async def refreshed_token(self, refused: str) -> str:
        if refused == self.token:
            self.refreshes += 1
            self.token = self._issue()
        return self.token

    def _issue(self) -> str:
        return str(self.sim.stellantis.oauth[self.brand].issue(self.username)["access_token"])


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def make_client(
    session: aiohttp.ClientSession,
    sim: Simulator,
    url: str,
    username: str = "demo",
    brand: str = "peugeot",
    **options: object,
) -> StellantisClient:
    settings: dict[str, object] = {"timeout": 2, "status_poll_interval": 0.05, "command_timeout": 3}
    settings.update(options)
    return StellantisClient(
        session,
        SimTokens(sim, brand, username),
        BRANDS[brand],
        "test",
        base_url=f"{url}/connectedcar/v4",
        **settings,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: Simulator, sim_url: str) -> StellantisClient:
    return make_client(session, sim, sim_url)


async def by_vin(client: StellantisClient, vin: str) -> Vehicle:
    return next(v for v in await client.vehicles() if v.vin == vin)


E208_VIN, P3008_VIN, P308_VIN = "VR3UHZKXZLT123456", "VR3MRHNSSLJ654321", "VF3LBHNSJKS112233"


async def test_vehicles_and_state(client: StellantisClient, sim: Simulator) -> None:
    """Three cars with powertrains and commands; one status call for four groups, plus trips."""
    cars = {v.vin: v for v in await client.vehicles()}
    assert set(cars) == {E208_VIN, P3008_VIN, P308_VIN}
    e208, hybrid, petrol = cars[E208_VIN], cars[P3008_VIN], cars[P308_VIN]
    assert (e208.name, e208.powertrain) == ("Peugeot e-208", Powertrain.ELECTRIC)
    assert hybrid.powertrain is Powertrain.HYBRID
    assert Command.CHARGE_START in hybrid.commands
    assert petrol.powertrain is Powertrain.COMBUSTION
    assert Command.CHARGE_START not in petrol.commands
    assert e208.id == sim.stellantis.api_id("E208")
    sim.requests.reset()
    state = await client.fetch(e208, ALL - {DataGroup.HEALTH})
    assert sim.requests.snapshot() == {
        "GET /connectedcar/v4/user/vehicles/{id}/status": 1,
        "GET /connectedcar/v4/user/vehicles/{id}/trips": 1,
    }
    assert state.value("last_trip_distance") is not None
    sim.requests.reset()
    await client.fetch(e208, {DataGroup.LOCKS_OPENINGS, DataGroup.ENERGY})
    assert sim.requests.total() == 1  # no trips without the odometer group
    world = sim.world.vehicle("E208")
    assert state.value("battery_level") == pytest.approx(world.soc, abs=0.1)
    assert state.value("central_lock") is True
    assert state.location is not None
    assert state.location.latitude == pytest.approx(world.position.lat, abs=1e-5)
    health = await client.fetch(e208, {DataGroup.HEALTH})
    assert isinstance(health.value("alerts_active"), int)
    assert health.readings["time_to_service"].unit == "d"
    text_numbers = await client.fetch(hybrid, ALL)
    assert text_numbers.value("odometer") == pytest.approx(
        sim.world.vehicle("P3008").odometer_km, abs=0.1
    )
    assert text_numbers.value("fuel_level") is not None


async def test_paging_over_23_cars(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """Pages of 10 followed by (relative) next links; every car once; hostile cars parse."""
    fleet = make_client(session, sim, sim_url, "fleet", page_size=10)
    sim.requests.reset()
    cars = await fleet.vehicles()
    assert len(cars) == len({v.id for v in cars}) == 23
    assert sim.requests.total() == 3
    states = await asyncio.gather(*(fleet.fetch(v, ALL) for v in cars))
    by_vin_state = {v.vin: s for v, s in zip(cars, states, strict=True)}
    assert by_vin_state["VR3FLEET010007919"].location is None  # no lastPosition
    no_status = by_vin_state["VR3FLEET050039595"]  # status 404 40400: health and trips only
    assert no_status.location is None
    assert set(no_status.readings) <= {
        "alerts_active",
        "latest_alert",
        "latest_alert_code",
        "latest_alert_started",
        "time_to_service",
        "distance_to_service",
        "last_trip_distance",
        "last_trip_duration",
        "last_trip_energy_consumption",
        "last_trip_fuel_consumption",
    }
    no_remotes = next(v for v in cars if v.vin == "VR3FLEET060047514")
    assert no_remotes.commands == frozenset()
    assert DataGroup.HEALTH not in no_remotes.capabilities


async def test_other_brand(session: aiohttp.ClientSession, sim: Simulator, sim_url: str) -> None:
    """The Opel account: one Corsa, old lockedState key, no door list."""
    opel = make_client(session, sim, sim_url, brand="opel")
    (corsa,) = await opel.vehicles()
    assert corsa.name == "Opel Corsa Electric"
    state = await opel.fetch(corsa, ALL)
    assert state.value("central_lock") is not None
    assert "door_front_left" not in state.readings


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("status", 500, BackendUnavailableError),
        ("status", 404, NotFoundError),
        ("status", 403, PermissionDeniedError),
        ("status", 401, AuthenticationError),
        ("latency", None, BackendUnavailableError),
        ("malformed", None, ProtocolError),
        ("truncated", None, ProtocolError),
        ("html", None, BackendUnavailableError),
        ("html", 200, ProtocolError),
        ("drop", None, BackendUnavailableError),
        ("rate_limit", None, RateLimitedError),
    ],
)
async def test_faults(
    client: StellantisClient, sim: Simulator, kind: str, status: int | None, error: type[Exception]
) -> None:
    """Every fault kind on /status becomes the right error, with no secret in it."""
    car = await by_vin(client, E208_VIN)
    sim.faults.add(
        "GET", "*/status", kind=kind, status=status, seconds=3 if kind == "latency" else 7
    )
    with pytest.raises(error) as caught:
        await client.fetch(car, {DataGroup.ENERGY})
    token = await client._tokens.access_token()
    assert token not in str(caught.value)
    assert "client_id" not in str(caught.value)
    if kind == "rate_limit":
        assert isinstance(caught.value, RateLimitedError)
        assert caught.value.retry_after == 7


async def test_expired_token_and_foreign_car(client: StellantisClient, sim: Simulator) -> None:
    """A token refused before its expiry is refreshed once; a car of another account is 403."""
    car = await by_vin(client, E208_VIN)
    sim.stellantis.expire_tokens()
    assert await client.fetch(car, ALL)
    assert client._tokens.refreshes == 1  # type: ignore[attr-defined]
    foreign = Vehicle(id=sim.stellantis.api_id("FLEET01"), name="x")
    with pytest.raises(PermissionDeniedError):
        await client.fetch(foreign, {DataGroup.ENERGY})


@pytest.fixture
async def webhook(socket_enabled: None) -> AsyncIterator[tuple[str, list[StellantisClient]]]:
    """A webhook receiver that hands every body to the clients in its list."""
    clients: list[StellantisClient] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        for one in clients:
            one.deliver(body)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/hook")), clients
    await server.close()


async def test_commands_via_webhook(
    session: aiohttp.ClientSession,
    sim: Simulator,
    sim_url: str,
    webhook: tuple[str, list[StellantisClient]],
) -> None:
    """Unlock, lock, climate and charging through webhook events; logout deletes the callback.

    Each pushed final event is confirmed by reading the action back, once.
    """
    url, receivers = webhook
    client = make_client(session, sim, sim_url, callback_url=url, status_poll_interval=60)
    receivers.append(client)
    car = await by_vin(client, P308_VIN)
    sim.requests.reset()
    result = await client.invoke(car, Command.UNLOCK)
    assert result.status is CommandStatus.SUCCESS
    assert not sim.world.vehicle("P308").locked
    read_backs = [p for p in sim.requests.by_path() if p.startswith("GET ") and "/remotes/" in p]
    assert len(read_backs) == 1
    assert (await client.invoke(car, Command.LOCK)).status is CommandStatus.SUCCESS
    assert sim.world.vehicle("P308").locked
    e208 = await by_vin(client, E208_VIN)
    await client.invoke(e208, Command.CLIMATE_START)
    assert sim.world.vehicle("E208").climate_on
    state = await client.fetch(e208, {DataGroup.ENERGY})
    assert state.value("climate_on") is True
    callbacks = sim.stellantis.remotes.of(("peugeot", "demo"))
    assert [c.target for c in callbacks] == [url]
    assert callbacks[0].delivered >= 6
    requests = sim.requests.total()
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(car, Command.ENGINE_START)  # no Stellantis remote does this
    assert caught.value.command_status == CommandStatus.NOT_SUPPORTED
    assert sim.requests.total() == requests
    await client.logout()
    assert sim.stellantis.remotes.of(("peugeot", "demo")) == []


async def test_commands_by_reading_back(client: StellantisClient, sim: Simulator) -> None:
    """Without a webhook: the status is polled; the callback is reused by a second client."""
    car = await by_vin(client, P3008_VIN)
    sim.world.vehicle("P3008").set_phase("charge")
    assert (await client.invoke(car, Command.CHARGE_STOP)).status is CommandStatus.SUCCESS
    sim.clock.advance(300)
    assert not sim.world.vehicle("P3008").charging
    assert (await client.invoke(car, Command.HONK)).status is CommandStatus.SUCCESS
    assert (await client.invoke(car, Command.WAKE_UP)).status is CommandStatus.SUCCESS
    (callback,) = sim.stellantis.remotes.of(("peugeot", "demo"))
    assert callback.target is not None
    assert callback.target.endswith("/no-webhook")


async def test_destination_is_a_navigation_remote(client: StellantisClient, sim: Simulator) -> None:
    """One GeoJSON point, [longitude, latitude]; the car's navigation leads there."""
    car = await by_vin(client, P308_VIN)
    assert Command.SEND_DESTINATION in car.commands
    where = CommandArguments(destination=Destination(48.8584, 2.2945, "Tour Eiffel"))
    result = await client.invoke(car, Command.SEND_DESTINATION, where)
    assert result.status is CommandStatus.SUCCESS
    (action,) = sim.stellantis.remotes.actions.values()
    assert action.remote["navigation"] == {
        "positions": [{"type": "Point", "coordinates": [2.2945, 48.8584]}]
    }
    navigation = sim.world.vehicle("P308").navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon) == (48.8584, 2.2945)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("asleep", CommandStatus.ASLEEP),
        ("unreachable", CommandStatus.UNREACHABLE),
        ("rejected", CommandStatus.REJECTED),
        ("timeout", CommandStatus.TIMEOUT),
    ],
)
async def test_command_failures(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, mode: str, expected: CommandStatus
) -> None:
    """A car that sleeps, cannot be reached, refuses or never answers."""
    client = make_client(session, sim, sim_url, command_timeout=0.8)
    car = await by_vin(client, E208_VIN)
    sim.stellantis.set_remote_mode("E208", mode)
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(car, Command.FLASH)
    assert caught.value.command_status == expected


async def test_door_open_and_webhook_timeout(
    session: aiohttp.ClientSession,
    sim: Simulator,
    sim_url: str,
    webhook: tuple[str, list[StellantisClient]],
) -> None:
    """DoorsOpen maps to door_open; a webhook that never reports times out."""
    url, receivers = webhook
    client = make_client(session, sim, sim_url, callback_url=url, command_timeout=0.8)
    receivers.append(client)
    car = await by_vin(client, P308_VIN)
    world = sim.world.vehicle("P308")
    world.locked, world.doors["fr"] = False, True
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(car, Command.LOCK)
    assert caught.value.command_status == CommandStatus.DOOR_OPEN
    sim.stellantis.set_remote_mode("P308", "timeout")
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(car, Command.HONK)
    assert caught.value.command_status == CommandStatus.TIMEOUT


def forged_success(action_id: str) -> dict[str, object]:
    """What anyone who learnt the webhook's address could post."""
    return {
        "callbackId": "whatever",
        "type": "Remote",
        "remoteEvent": {
            "remoteActionId": action_id,
            "eventStatus": {"type": "Done", "status": "Success"},
        },
    }


async def pending_action(sim: Simulator) -> str:
    """The id of the simulated remote that is running, once there is one."""
    for _ in range(200):
        running = [a.id for a in sim.stellantis.remotes.actions.values() if not a.done]
        if running:
            return running[0]
        await asyncio.sleep(0.005)
    raise AssertionError("no remote action started")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("timeout", CommandStatus.TIMEOUT), ("rejected", CommandStatus.REJECTED)],
)
async def test_a_forged_success_does_not_make_a_command_succeed(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, mode: str, expected: CommandStatus
) -> None:
    """A pushed Success while the remote is still pending (then never ends, or fails)."""
    client = make_client(
        session,
        sim,
        sim_url,
        callback_url="http://127.0.0.1:9/hook",  # the cloud cannot reach it: pushes are forged
        command_timeout=1.0,
        status_poll_interval=0.1,
    )
    car = await by_vin(client, P308_VIN)
    sim.stellantis.set_remote_mode("P308", mode)
    unlock = asyncio.create_task(client.invoke(car, Command.UNLOCK))
    action_id = await pending_action(sim)
    for _ in range(20):  # a flood of them: read back once, then ignored
        client.deliver(forged_success(action_id))
    with pytest.raises(CommandFailedError) as caught:
        await unlock
    assert caught.value.command_status == expected
    assert sim.world.vehicle("P308").locked


async def test_callback_lost_is_registered_again(client: StellantisClient, sim: Simulator) -> None:
    """A server that forgot our callback gets a new registration, once."""
    car = await by_vin(client, P308_VIN)
    await client.invoke(car, Command.HONK)
    sim.stellantis.remotes.callbacks.clear()
    assert (await client.invoke(car, Command.HONK)).status is CommandStatus.SUCCESS
    assert len(sim.stellantis.remotes.of(("peugeot", "demo"))) == 1


async def test_deliver_rejects_junk(client: StellantisClient) -> None:
    """A webhook body of the wrong type is a ProtocolError; unknown events are ignored."""
    with pytest.raises(ProtocolError):
        client.deliver("nope")
    client.deliver({"type": "Monitor", "monitorEvent": {}})


async def test_the_last_trip_is_read_beside_the_status(
    client: StellantisClient, sim: Simulator
) -> None:
    """One small page of trips, concurrently with /status; a drive in the world is the newest."""
    car = await by_vin(client, E208_VIN)
    world = sim.world.vehicle("E208")
    world.set_phase("drive")
    sim.clock.advance(600)
    sim.world.advance()
    world.set_phase("park")
    (trip,) = world.trips
    for route in ("*/status", "*/trips"):
        sim.faults.add("GET", route, kind="latency", seconds=0.4)
    began = asyncio.get_running_loop().time()
    state = await client.fetch(car, {DataGroup.ODOMETER_TRIPS})
    assert asyncio.get_running_loop().time() - began < 0.75  # not one after the other
    assert state.value("last_trip_distance") == pytest.approx(trip.km, abs=0.1)
    assert state.value("last_trip_duration") == pytest.approx(600, abs=1)
    assert state.readings["last_trip_duration"].unit == "s"
    consumption = state.readings["last_trip_energy_consumption"]
    assert consumption.unit == "kWh/100km"
    assert consumption.value == pytest.approx(trip.energy_kwh * 100 / trip.km, rel=0.01)
    assert "last_trip_fuel_consumption" not in state.readings
