"""The Volvo client against the simulated Volvo cloud over real HTTP, faults included."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.connected_vehicle.api.errors import (
    ApiKeyRefusedError,
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
from custom_components.connected_vehicle.api.volvo import (
    AUTHORIZE_PATH,
    AUTHORIZE_URL,
    COMMAND_PATHS,
    SCOPES,
    TOKEN_PATH,
    TOKEN_URL,
    ApiKeyQuota,
    VolvoClient,
)
from custom_components.connected_vehicle.api.volvo.client import _command_url
from simulator import Simulator

from .api_clients import FixedTokens

KEY = "demo-vcc-api-key"
XC40 = "YV1XZEDV0P2123456"
XC60 = "YV1UZBHV1M1234567"
V90 = "YV1PWA8BDL1234567"
XC90 = "YV1LFA2BCJ1234567"
ALL = set(DataGroup)


class SimTokens:
    """A TokenProvider handing out tokens the simulator's Volvo ID issued.

    A refresh issues a new token, as a valid refresh token would, unless the
    test set ``revoked`` (the grant is gone).
    """

    def __init__(
        self, sim: Simulator, username: str = "demo", scopes: tuple[str, ...] | None = None
    ) -> None:
        self.sim, self.username, self.scopes = sim, username, scopes
        self.token = self._issue()
        self.refreshes = 0
        self.revoked = False

    def _issue(self) -> str:
        return str(self.sim.volvo.oauth.issue(self.username, self.scopes)["access_token"])

    async def access_token(self) -> str:
        return self.token

    async def refreshed_token(self, refused: str) -> str:
        if self.revoked:
            raise AuthenticationError("the grant was revoked")
        if refused == self.token:
            self.refreshes += 1
            self.token = self._issue()
        return self.token


@pytest.fixture(autouse=True)
def quick(sim: Simulator) -> None:
    sim.volvo.command_delay = 0.0


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


def make(
    session: aiohttp.ClientSession,
    sim: Simulator,
    url: str,
    *,
    key: str = KEY,
    quota: ApiKeyQuota | None = None,
    tokens: SimTokens | None = None,
) -> VolvoClient:
    return VolvoClient(
        session,
        tokens or SimTokens(sim),
        key,
        base_url=url,
        quota=quota,
        timeout=2,
        poll_delays=(0.2, 0.2, 0.2),
    )


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: Simulator, sim_url: str) -> VolvoClient:
    return make(session, sim, sim_url)


async def car(client: VolvoClient, vin: str) -> Vehicle:
    return next(v for v in await client.vehicles() if v.id == vin)


def test_volvo_id_constants() -> None:
    assert AUTHORIZE_URL == "https://volvoid.eu.volvocars.com/as/authorization.oauth2"
    assert TOKEN_URL == "https://volvoid.eu.volvocars.com/as/token.oauth2"
    assert AUTHORIZE_URL.endswith(AUTHORIZE_PATH)
    assert TOKEN_URL.endswith(TOKEN_PATH)
    assert "openid" in SCOPES
    assert {"energy:state:read", "location:read", "conve:engine_start_stop"} <= set(SCOPES)


async def test_vehicles_follow_pages_and_describe_cars(client: VolvoClient, sim: Simulator) -> None:
    vehicles = {v.id: v for v in await client.vehicles()}
    assert list(vehicles) == [XC40, XC60, V90, XC90]
    assert sim.requests.count("GET", "/connected-vehicle/v2/vehicles") == 2  # two pages
    xc40 = vehicles[XC40]
    assert (xc40.brand, xc40.model, xc40.name, xc40.year) == ("Volvo", "XC40", "Volvo XC40", 2023)
    assert xc40.powertrain is Powertrain.ELECTRIC
    assert xc40.battery_capacity == 78.0
    assert xc40.image_url is not None
    assert DataGroup.ENERGY in xc40.capabilities
    assert xc40.commands == {
        Command.LOCK, Command.LOCK_REDUCED_GUARD, Command.UNLOCK, Command.HONK, Command.FLASH,
        Command.HONK_FLASH, Command.CLIMATE_START, Command.CLIMATE_STOP,
    }  # fmt: skip
    assert vehicles[XC60].powertrain is Powertrain.HYBRID
    assert vehicles[V90].powertrain is Powertrain.COMBUSTION
    assert Command.HONK not in vehicles[V90].commands
    assert vehicles[XC90].image_url is None
    # Energy capabilities only for cars with a battery.
    assert sim.requests.count("GET", "/energy/v2/vehicles/{vin}/capabilities") == 2


async def test_empty_account(session: aiohttp.ClientSession, sim: Simulator, sim_url: str) -> None:
    client = make(session, sim, sim_url, tokens=SimTokens(sim, "empty"))
    assert await client.vehicles() == []


async def test_every_request_carries_key_token_and_operation_id(
    session: aiohttp.ClientSession, socket_enabled: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A recording server sees the headers; the secrets never reach a log or message."""
    caplog.set_level(logging.DEBUG)
    seen: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"error": {"message": "nope"}}, status=401)

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        tokens = FixedTokens("secret-token-123")  # refused, and no refresh to be had
        client = VolvoClient(session, tokens, "secret-key-456", base_url=str(server.make_url("/")))
        for _ in range(2):
            with pytest.raises(AuthenticationError) as caught:
                await client.vehicles()
    finally:
        await server.close()
    assert [h["vcc-api-key"] for h in seen] == ["secret-key-456"] * 2
    assert [h["Authorization"] for h in seen] == ["Bearer secret-token-123"] * 2
    assert seen[0]["Accept"] == "application/json"
    operation_ids = {h["vcc-api-operationId"] for h in seen}
    assert len(operation_ids) == 2
    assert caught.value.request_id in operation_ids
    for secret in ("secret-key-456", "secret-token-123"):
        assert secret not in caplog.text
        assert secret not in str(caught.value)


async def test_full_state_of_each_car(client: VolvoClient, sim: Simulator) -> None:
    vehicles = {v.id: v for v in await client.vehicles()}
    sim.world.vehicle(XC40).set_phase("charge")
    xc40 = await client.fetch(vehicles[XC40], ALL)
    assert xc40.value("charging_state") == "charging"
    assert xc40.value("plugged_in") is True
    assert xc40.readings["charging_power"].unit == "W"
    assert xc40.value("battery_level") == pytest.approx(sim.world.vehicle(XC40).soc, abs=0.1)
    assert "fuel_amount" not in xc40.readings
    assert "tank_lid" not in xc40.readings
    assert xc40.location is not None
    assert xc40.value("tyre_warning_front_left") == "ok"
    xc60 = await client.fetch(vehicles[XC60], ALL)
    assert xc60.readings["fuel_amount"].unit == "L"
    assert xc60.value("battery_level") == 100  # from /fuel: the energy API lacks it
    assert xc60.value("sunroof") is False
    assert xc60.value("charge_target") == 100
    v90 = await client.fetch(vehicles[V90], ALL)
    assert v90.value("washer_fluid_warning") is True
    assert v90.value("bulb_brake_light_left") is True
    assert not any(key.startswith("tyre_") for key in v90.readings)
    # Only cars whose energy capabilities say so: the XC40 and XC60, not the V90.
    assert sim.requests.count("GET", "/energy/v2/vehicles/{vin}/state") == 2
    xc90 = await client.fetch(vehicles[XC90], ALL)
    assert xc90.value("central_lock") is True
    assert xc90.value("tailgate") is False
    assert xc90.readings["trip_meter_manual"].unit == "km"
    assert xc90.readings["odometer"].value == 102345


async def test_missing_endpoint_is_skipped_after_three_polls(
    client: VolvoClient, sim: Simulator
) -> None:
    """The V90 has no /tyres: after three polls answering 404 it is no longer asked."""
    v90 = await car(client, V90)
    groups = {DataGroup.TYRES, DataGroup.ODOMETER_TRIPS}
    tyres = "/connected-vehicle/v2/vehicles/{vin}/tyres"
    for _ in range(3):
        assert "odometer" in (await client.fetch(v90, groups)).readings
    assert sim.requests.count("GET", tyres) == 3
    await client.fetch(v90, groups)
    assert sim.requests.count("GET", tyres) == 3


async def test_only_requested_groups(client: VolvoClient, sim: Simulator) -> None:
    xc40 = await car(client, XC40)
    sim.requests.reset()
    state = await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    assert sim.requests.total() == 3
    assert "central_lock" in state.readings
    assert state.location is None


async def test_world_changes_show(client: VolvoClient, sim: Simulator) -> None:
    xc60 = await car(client, XC60)
    vehicle = sim.world.vehicle(XC60)
    vehicle.doors["rl"] = True
    vehicle.windows["fr"] = True
    state = await client.fetch(xc60, {DataGroup.LOCKS_OPENINGS})
    assert state.value("door_rear_left") is True
    assert state.value("window_front_right") is True
    assert state.readings["door_rear_left"].observed_at == sim.clock.now()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 500}, BackendUnavailableError),
        ({"kind": "status", "status": 503}, BackendUnavailableError),
        ({"kind": "latency", "seconds": 3}, BackendUnavailableError),
        ({"kind": "malformed"}, ProtocolError),
        ({"kind": "truncated"}, ProtocolError),
        ({"kind": "html", "status": 200}, ProtocolError),
        ({"kind": "html", "status": 502}, BackendUnavailableError),
        ({"kind": "drop"}, BackendUnavailableError),
        ({"kind": "rate_limit", "seconds": 30}, RateLimitedError),
        ({"kind": "status", "status": 401}, AuthenticationError),
        ({"kind": "status", "status": 404}, NotFoundError),
    ],
)
async def test_faults_map_to_documented_errors(
    client: VolvoClient, sim: Simulator, fault: dict[str, object], error: type[Exception]
) -> None:
    """Faults on the vehicle list fail vehicles() with the documented error."""
    sim.faults.add(method="GET", path="/connected-vehicle/v2/vehicles", **fault)  # type: ignore[arg-type]
    with pytest.raises(error) as caught:
        await client.vehicles()
    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 30
    sim.faults.clear()
    assert await client.vehicles()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 500}, BackendUnavailableError),
        ({"kind": "malformed"}, ProtocolError),
        ({"kind": "drop"}, BackendUnavailableError),
    ],
)
async def test_one_failing_endpoint_keeps_the_others(
    client: VolvoClient, sim: Simulator, fault: dict[str, object], error: type[Exception]
) -> None:
    xc40 = await car(client, XC40)
    sim.faults.add(method="GET", path="*/windows", **fault)  # type: ignore[arg-type]
    state = await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    assert "central_lock" in state.readings
    assert "window_front_left" not in state.readings
    sim.faults.add(method="GET", path="*", **fault)  # type: ignore[arg-type]
    with pytest.raises(error):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    sim.faults.clear()
    assert "window_front_left" in (await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})).readings


async def test_account_errors_are_never_swallowed(client: VolvoClient, sim: Simulator) -> None:
    xc40 = await car(client, XC40)
    sim.faults.add(method="GET", path="*/windows", kind="status", status=401)
    with pytest.raises(AuthenticationError):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    sim.faults.clear()
    sim.faults.add(method="GET", path="*/doors", kind="rate_limit", seconds=5)
    with pytest.raises(RateLimitedError):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})


async def test_a_token_refused_early_is_refreshed_once_and_the_call_sent_again(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """The server dropped the token before its expiry: one refresh for all calls at once.

    Refused again after the refresh, or with the grant gone: AuthenticationError.
    """
    tokens = SimTokens(sim)
    client = make(session, sim, sim_url, tokens=tokens)
    xc40 = await car(client, XC40)
    sim.volvo.oauth.expire_access_tokens()
    state = await client.fetch(xc40, ALL)
    assert state.value("central_lock") is True
    assert tokens.refreshes == 1
    sim.faults.add(path="*/doors", status=401)  # refused whatever the token
    with pytest.raises(AuthenticationError):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    sim.faults.clear()
    sim.volvo.oauth.expire_access_tokens()
    tokens.revoked = True  # the refresh token is gone too
    with pytest.raises(AuthenticationError):
        await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})


async def test_bad_api_key_is_not_a_refused_sign_in(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """The gateway's 401 names the key: no token refresh, and not an AuthenticationError."""
    tokens = SimTokens(sim)
    client = make(session, sim, sim_url, key="wrong", tokens=tokens)
    with pytest.raises(ApiKeyRefusedError, match="VCC-API-KEY") as caught:
        await client.vehicles()
    assert not isinstance(caught.value, AuthenticationError)
    assert tokens.refreshes == 0
    good = make(session, sim, sim_url, tokens=tokens)
    xc40 = await car(good, XC40)
    sim.volvo.keys.remove(KEY)  # refused at run time
    with pytest.raises(ApiKeyRefusedError):
        await client.fetch(xc40, ALL)
    with pytest.raises(ApiKeyRefusedError):
        await good.fetch(xc40, {DataGroup.TYRES})
    assert tokens.refreshes == 0


async def test_missing_scope(session: aiohttp.ClientSession, sim: Simulator, sim_url: str) -> None:
    """A missing scope: the list refuses (PermissionDenied); a lacking endpoint is skipped."""
    no_list = SimTokens(sim, scopes=("openid",))
    with pytest.raises(PermissionDeniedError):
        await make(session, sim, sim_url, tokens=no_list).vehicles()
    scopes = tuple(s for s in SCOPES if s != "conve:windows_status")
    client = make(session, sim, sim_url, tokens=SimTokens(sim, scopes=scopes))
    xc40 = await car(client, XC40)
    state = await client.fetch(xc40, {DataGroup.LOCKS_OPENINGS})
    assert "central_lock" in state.readings
    assert "window_front_left" not in state.readings


async def test_quota_used_up_blocks_locally(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    sim.volvo.keys.add("small", quota=3)
    quota = ApiKeyQuota()
    client = make(session, sim, sim_url, key="small", quota=quota)
    with pytest.raises(RateLimitedError) as caught:
        await client.vehicles()  # 2 pages, 4 details, ...: beyond 3 calls
    assert not isinstance(caught.value, (AuthenticationError, PermissionDeniedError))
    assert caught.value.retry_after == 16 * 3600  # to the simulated clock's midnight
    assert quota.calls_today >= 4
    assert quota.blocked_for == pytest.approx(16 * 3600, abs=5)
    sim.requests.reset()
    other = make(session, sim, sim_url, key="small", quota=quota)  # another entry, same key
    with pytest.raises(RateLimitedError) as caught:
        await other.vehicles()
    assert caught.value.retry_after == pytest.approx(16 * 3600, abs=5)
    assert sim.requests.total() == 0


def test_quota_counts_per_utc_day_and_limits_commands() -> None:
    now = [86400.0 * 100 + 3600]
    quota = ApiKeyQuota(commands_per_minute=2, clock=lambda: now[0])
    quota.record_call()
    quota.record_call()
    assert quota.calls_today == 2
    now[0] += 23 * 3600
    assert quota.calls_today == 0
    quota.acquire_command()
    quota.acquire_command()
    with pytest.raises(RateLimitedError) as caught:
        quota.acquire_command()
    assert caught.value.retry_after == 60
    now[0] += 60
    quota.acquire_command()
    quota.block(10)
    with pytest.raises(RateLimitedError):
        quota.check()
    now[0] += 10
    quota.check()


# Commands


async def test_every_command_of_every_car(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    client = make(session, sim, sim_url, quota=ApiKeyQuota(commands_per_minute=100))
    done = 0
    for vehicle in await client.vehicles():
        for command in sorted(vehicle.commands):
            sim.clock.advance(6)  # the gateway takes 10 commands a minute
            arguments = CommandArguments(runtime_minutes=3, destination=Destination(57.7, 11.9))
            result = await client.invoke(vehicle, command, arguments)
            assert result.status is CommandStatus.SUCCESS
            done += 1
    assert done == 8 + 11 + 7 + 5
    assert [event[2] for event in sim.volvo.cars[V90].events] == ["COMPLETED"] * 7


async def test_destination_goes_to_the_listed_href(
    client: VolvoClient, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEND_NAVI_POI is posted where /commands lists it, with the v1 portal's body."""
    monkeypatch.setitem(COMMAND_PATHS, Command.SEND_DESTINATION, "not-the-listed-path")
    xc60 = await car(client, XC60)
    assert Command.SEND_DESTINATION in xc60.commands
    sim.requests.reset()
    where = Destination(57.70887, 11.97456, "Gothenburg Central Station")
    await client.invoke(xc60, Command.SEND_DESTINATION, CommandArguments(destination=where))
    route = "/connected-vehicle/v2/vehicles/{vin}/commands/navi-point-of-interest"
    assert sim.requests.count(method="POST", route=route) == 1
    navigation = sim.world.vehicle(XC60).navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon) == (57.70887, 11.97456)
    assert navigation.name == "Gothenburg Centra"  # the API takes at most 17 characters
    await client.invoke(
        xc60, Command.SEND_DESTINATION, CommandArguments(destination=Destination(-33.9, 18.4))
    )
    navigation = sim.world.vehicle(XC60).navigation
    assert navigation is not None
    assert navigation.name == "-33.900,18.400"  # no name given: the coordinates


@pytest.mark.parametrize(
    ("href", "path"),
    [
        ("/v2/vehicles/VIN/commands/lock", "/connected-vehicle/v2/vehicles/VIN/commands/lock"),
        ("https://elsewhere.example/connected-vehicle/v2/x", "/connected-vehicle/v2/x"),
        ("commands/lock", None),
        ("/v2/../../oauth/token", None),
        (None, None),
    ],
)
def test_listed_hrefs_stay_on_the_api_host(href: str | None, path: str | None) -> None:
    assert _command_url(href) == path


async def test_commands_change_the_world(client: VolvoClient, sim: Simulator) -> None:
    xc60 = await car(client, XC60)
    await client.invoke(xc60, Command.UNLOCK)
    assert sim.world.vehicle(XC60).locked is False
    await client.invoke(xc60, Command.ENGINE_START, CommandArguments(runtime_minutes=7))
    vehicle = sim.world.vehicle(XC60)
    assert vehicle.engine_until is not None
    assert (vehicle.engine_until - sim.clock.now()).total_seconds() == 420
    state = await client.fetch(xc60, {DataGroup.LOCKS_OPENINGS})
    assert state.value("engine_running") is True
    assert state.value("central_lock") is False
    await client.invoke(xc60, Command.ENGINE_START)
    assert (sim.world.vehicle(XC60).engine_until - sim.clock.now()).total_seconds() == 900  # type: ignore[operator]


@pytest.mark.parametrize("runtime", [0, 16, -1])
async def test_engine_runtime_bounds(client: VolvoClient, sim: Simulator, runtime: int) -> None:
    xc60 = await car(client, XC60)
    sim.requests.reset()
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(xc60, Command.ENGINE_START, CommandArguments(runtime_minutes=runtime))
    assert caught.value.command_status == CommandStatus.REJECTED
    assert sim.requests.total() == 0  # refused without sending


async def test_unlock_duration_reaches_the_car(client: VolvoClient, sim: Simulator) -> None:
    """The v1 body's unlockDuration, sent only when one is asked for."""
    xc60 = await car(client, XC60)
    await client.invoke(xc60, Command.UNLOCK, CommandArguments(unlock_seconds=90))
    assert sim.world.vehicle(XC60).unlock_seconds == 90


@pytest.mark.parametrize("seconds", [0, 121])
async def test_unlock_duration_bounds(client: VolvoClient, sim: Simulator, seconds: int) -> None:
    xc60 = await car(client, XC60)
    sim.requests.reset()
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(xc60, Command.UNLOCK, CommandArguments(unlock_seconds=seconds))
    assert caught.value.command_status == CommandStatus.REJECTED
    assert sim.requests.total() == 0  # refused without sending


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("asleep", CommandStatus.ASLEEP),
        ("door", CommandStatus.DOOR_OPEN),
        ("UNLOCK_TIME_FRAME_PASSED", CommandStatus.UNLOCK_WINDOW_PASSED),
        ("TIMEOUT", CommandStatus.TIMEOUT),
        ("REJECTED", CommandStatus.REJECTED),
        ("SOMETHING_NEW", CommandStatus.REJECTED),
        ("offline", CommandStatus.TIMEOUT),
    ],
)
async def test_failed_commands(
    client: VolvoClient, sim: Simulator, setup: str, expected: CommandStatus
) -> None:
    xc40 = await car(client, XC40)
    if setup == "asleep":
        sim.volvo.cars[XC40].asleep = True
    elif setup == "door":
        sim.world.vehicle(XC40).doors["hood"] = True
    elif setup == "offline":
        sim.world.vehicle(XC40).online = False
    else:
        sim.volvo.cars[XC40].outcomes.append(setup)
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(xc40, Command.LOCK)
    assert caught.value.command_status == expected


async def test_v90_sleep_spelling(client: VolvoClient, sim: Simulator) -> None:
    v90 = await car(client, V90)
    sim.volvo.cars[V90].asleep = True
    with pytest.raises(CommandFailedError, match="VEHICLE_IN_SLEEP_MODE") as caught:
        await client.invoke(v90, Command.HONK_FLASH)
    assert caught.value.command_status == CommandStatus.ASLEEP


async def test_unsupported_commands(client: VolvoClient, sim: Simulator) -> None:
    """A command Volvo has no path for is refused unsent; one the car lacks, by the API.

    Whether the car lists a command is the coordinator's check, made once for every back end.
    """
    v90 = await car(client, V90)
    assert Command.REFRESH not in COMMAND_PATHS
    sim.requests.reset()
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(v90, Command.REFRESH)
    assert caught.value.command_status == CommandStatus.NOT_SUPPORTED
    assert sim.requests.total() == 0  # refused without asking
    assert Command.HONK not in v90.commands
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(v90, Command.HONK)
    assert (caught.value.command_status, caught.value.status) == (CommandStatus.NOT_SUPPORTED, 422)


async def test_command_limit_is_kept_locally(client: VolvoClient, sim: Simulator) -> None:
    xc40 = await car(client, XC40)
    for _ in range(10):
        await client.invoke(xc40, Command.FLASH)
    sim.requests.reset()
    with pytest.raises(RateLimitedError) as caught:
        await client.invoke(xc40, Command.FLASH)
    assert caught.value.retry_after is not None
    assert sim.requests.total() == 0


async def test_server_command_limit_is_a_rate_limit(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """Two clients of one key without a shared quota run into the gateway's 429."""
    first, second = make(session, sim, sim_url), make(session, sim, sim_url)
    xc40 = await car(first, XC40)
    for _ in range(6):
        await first.invoke(xc40, Command.FLASH)
    for _ in range(4):
        await second.invoke(xc40, Command.FLASH)
    with pytest.raises(RateLimitedError) as caught:
        await second.invoke(xc40, Command.FLASH)
    assert caught.value.status == 429
    assert caught.value.retry_after == 60


async def test_v1_car_async_commands(client: VolvoClient, sim: Simulator) -> None:
    xc90 = await car(client, XC90)
    result = await client.invoke(xc90, Command.UNLOCK)
    assert result.status is CommandStatus.SUCCESS
    assert sim.world.vehicle(XC90).locked is False
    assert (
        sim.requests.count("GET", "/connected-vehicle/v1/vehicles/{vin}/requests/{request_id}") >= 2
    )
    sim.volvo.cars[XC90].asleep = True
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(xc90, Command.LOCK)
    assert caught.value.command_status == CommandStatus.ASLEEP


async def test_v1_result_that_never_ends_is_a_timeout(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    client = VolvoClient(session, SimTokens(sim), KEY, base_url=sim_url, poll_delays=(0.01, 0.01))
    xc90 = await car(client, XC90)
    with pytest.raises(CommandFailedError) as caught:
        await client.invoke(xc90, Command.LOCK)
    assert caught.value.command_status == CommandStatus.TIMEOUT


async def test_logout_is_harmless(client: VolvoClient, sim: Simulator) -> None:
    sim.requests.reset()
    await client.logout()
    assert sim.requests.total() == 0
