"""The OVMS protocol v2 live link against the simulated server over real TCP and TLS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import logging
import random

import aiohttp
import pytest

from custom_components.connected_vehicle.api.errors import (
    AuthenticationError,
    BackendUnavailableError,
    CommandFailedError,
)
from custom_components.connected_vehicle.api.models import CommandStatus, DataGroup, VehicleState
from custom_components.connected_vehicle.api.ovms import (
    AppEndpoint,
    CarCommandError,
    ChargeMode,
    LinkSettings,
    LinkState,
    LinkStatus,
    LiveUpdate,
    OvmsClient,
    OvmsLiveLink,
    sign_in,
)
from custom_components.connected_vehicle.api.ovms.app_commands import ReplyResult
from simulator import Simulator
from simulator.ovms.app_server import AppServer
from simulator.ovms.auth import demo_token

FAST = LinkSettings(
    connect_timeout=2,
    sign_in_timeout=2,
    ping_interval=30,
    ping_timeout=5,
    backoff_base=0.02,
    backoff_cap=0.2,
    stable_after=30,
    flush_after=0.2,
    command_timeout=5,
)


def tls(server: AppServer) -> AppEndpoint:
    """The TLS port, trusting the simulator's CA."""
    assert server.tls_port is not None
    return AppEndpoint("127.0.0.1", server.tls_port, server.certificates.client_context())


async def until(predicate: Callable[[], object], seconds: float = 5.0) -> None:
    """Wait for ``predicate`` to hold (fails the test when it never does)."""
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - the conditions are plain state, not events
            await asyncio.sleep(0.01)


class Recorder:
    """Collects what a link reports, and the backoff delays it sleeps."""

    def __init__(self) -> None:
        self.updates: list[LiveUpdate] = []
        self.statuses: list[LinkStatus] = []
        self.delays: list[float] = []

    def state(self, vehicle_id: str) -> VehicleState:
        merged = VehicleState()
        for update in self.updates:
            if update.vehicle_id == vehicle_id:
                merged = merged.merged(update.state)
        return merged

    def states_of(self, vehicle_id: str) -> list[LinkState]:
        return [s.state for s in self.statuses if s.vehicle_id == vehicle_id]

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


def make_link(
    sim: Simulator,
    endpoint: AppEndpoint,
    recorder: Recorder,
    *,
    secret: str = "demo",
    settings: LinkSettings = FAST,
) -> OvmsLiveLink:
    link = OvmsLiveLink(
        endpoint,
        "demo",
        secret,
        settings=settings,
        clock=sim.clock.now,
        rng=random.Random(7),  # noqa: S311
        sleep=recorder.sleep,
    )
    link.add_update_listener(recorder.updates.append)
    link.add_status_listener(recorder.statuses.append)
    return link


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def live(
    sim: Simulator, ovms_app_server: AppServer, recorder: Recorder
) -> AsyncIterator[OvmsLiveLink]:
    """The demo account's live link over TLS, not yet started."""
    link = make_link(sim, tls(ovms_app_server), recorder)
    try:
        yield link
    finally:
        await link.stop()


async def started(live: OvmsLiveLink, *vehicle_ids: str) -> OvmsLiveLink:
    live.start(vehicle_ids)
    await until(lambda: all(live.is_up(v) for v in vehicle_ids))
    return live


# Sign-in


async def test_sign_in_with_password_over_verified_tls(ovms_app_server: AppServer) -> None:
    """``*`` is the account's first car; the answer lists all of them."""
    answer = await sign_in(tls(ovms_app_server), "demo", "demo")
    assert answer.vehicle_id == "LEAF"
    assert set(answer.vehicles) == {"LEAF", "TWIZY", "KONA"}
    assert (await sign_in(tls(ovms_app_server), "demo", "demo", "twizy")).vehicle_id == "TWIZY"


async def test_sign_in_with_api_token_and_refusals(
    sim: Simulator, ovms_app_server: AppServer
) -> None:
    """A token with the v2 right signs in; wrong secrets, auth-only tokens, foreign cars do not."""
    token = sim.ovms.accounts.new_token("demo", "ha", "live", "v2").token
    assert (await sign_in(tls(ovms_app_server), "demo", token)).username == "demo"
    for secret, car in (("wrong", "*"), (demo_token("demo"), "*"), ("demo", "ZOE")):
        with pytest.raises(AuthenticationError) as caught:
            await sign_in(tls(ovms_app_server), "demo", secret, car)
        assert secret not in str(caught.value)


async def test_tls_is_verified_unless_told_otherwise(ovms_app_server: AppServer) -> None:
    """A self-signed server fails the default verification; opting out or plain TCP work."""
    assert ovms_app_server.tls_port is not None
    assert ovms_app_server.port is not None
    url = "https://127.0.0.1:6869"
    strict = AppEndpoint.for_server(url, port=ovms_app_server.tls_port)
    with pytest.raises(BackendUnavailableError, match="CERTIFICATE_VERIFY_FAILED"):
        await sign_in(strict, "demo", "demo")
    lax = AppEndpoint.for_server(url, port=ovms_app_server.tls_port, verify_ssl=False)
    assert (await sign_in(lax, "demo", "demo")).vehicle_id == "LEAF"
    plain = AppEndpoint.for_server(url, port=ovms_app_server.port, tls=False)
    assert plain.tls is None
    assert (await sign_in(plain, "demo", "demo")).vehicle_id == "LEAF"


async def test_no_server_is_transient(socket_enabled: None) -> None:
    """Nothing listening: BackendUnavailableError, not an authentication problem."""
    server = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(BackendUnavailableError):
        await sign_in(AppEndpoint("127.0.0.1", port), "demo", "demo")


def test_credentials_with_spaces_cannot_sign_in() -> None:
    """The welcome is split at whitespace: such a password is refused up front, unquoted."""
    with pytest.raises(ValueError, match="password") as caught:
        OvmsLiveLink(AppEndpoint("127.0.0.1"), "demo", "pass word")
    assert "pass word" not in str(caught.value)


# The stream


async def test_replay_and_stream_read_like_rest(
    sim: Simulator, sim_url: str, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """Live readings, units and times equal a REST poll of the same records (km and miles cars)."""
    await started(live, "LEAF", "TWIZY")
    now = sim.clock.now()

    def fresh(vehicle_id: str) -> bool:
        reading = recorder.state(vehicle_id).readings.get("last_update")
        return reading is not None and reading.value == now

    await until(lambda: fresh("LEAF") and fresh("TWIZY"))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        client = OvmsClient(session, sim_url, "demo", "demo")
        cars = {car.id: car for car in await client.vehicles()}
        for vehicle_id in ("LEAF", "TWIZY"):
            rest = await client.fetch(cars[vehicle_id], set(DataGroup))
            assert len(rest.readings) > 30
            assert rest.location is not None
            assert recorder.state(vehicle_id) == rest, vehicle_id
    assert recorder.state("TWIZY").readings["odometer"].unit == "mi"
    assert recorder.state("LEAF").readings["tyre_pressure_front_left"].unit == "kPa"
    leaf_module = live.module("LEAF")
    assert leaf_module is not None
    assert leaf_module.vehicle_type == "NL"
    assert "SJNFAAZE1U0123456" not in repr(leaf_module)


async def test_replayed_records_carry_their_age(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """Stored records come with T<age>: their time is when the car sent them, not now."""
    sim.ovms.modules["KONA"].vehicle.online = False
    await started(live, "KONA")
    await until(lambda: "last_update" in recorder.state("KONA").readings)
    sent = sim.ovms.modules["KONA"].records["S"].time
    assert recorder.state("KONA").readings["battery_level"].observed_at == sent
    assert recorder.state("KONA").value("server_connected") is False


async def test_world_change_reaches_the_listener_without_rest(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """A door opened in the simulated car arrives as a D message; no REST request is made."""
    await started(live, "LEAF")
    await until(lambda: "door_front_left" in recorder.state("LEAF").readings)
    sim.requests.reset()
    sim.world.vehicle("LEAF").doors["fl"] = True
    await until(lambda: recorder.state("LEAF").value("door_front_left") is True)
    assert sim.requests.total() == 0
    status = live.status("LEAF")
    assert status.messages > 0
    assert status.last_message_at == sim.clock.now()


# Commands


async def test_lock_is_answered_and_then_reported(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """Unlock, then lock the Leaf: each reply comes first, the D message with the state follows."""
    await started(live, "LEAF")
    await live.unlock("LEAF", "1234")
    await until(lambda: recorder.state("LEAF").value("central_lock") is False)
    assert sim.world.vehicle("LEAF").locked is False
    await live.lock("LEAF", "1234")
    await until(lambda: recorder.state("LEAF").value("central_lock") is True)
    assert sim.world.vehicle("LEAF").locked is True


@pytest.mark.parametrize(
    ("code", "params", "result", "status", "text"),
    [
        (22, ("0000",), ReplyResult.FAILED, CommandStatus.REJECTED, "Invalid PIN"),
        (99, (), ReplyResult.UNSUPPORTED, CommandStatus.NOT_SUPPORTED, "does not support"),
        (21, ("1234",), ReplyResult.UNIMPLEMENTED, CommandStatus.NOT_IMPLEMENTED, "implement"),
    ],
)
async def test_each_refusal_code(
    live: OvmsLiveLink,
    code: int,
    params: tuple[str, ...],
    result: ReplyResult,
    status: CommandStatus,
    text: str,
) -> None:
    """1 failed (with the car's reason), 2 unsupported, 3 unimplemented (valet on a Leaf)."""
    await started(live, "LEAF")
    with pytest.raises(CarCommandError) as caught:
        await live.send_command("LEAF", code, params)
    assert caught.value.result is result
    assert caught.value.command_status == status
    assert text in str(caught.value)
    assert all(param not in str(caught.value) for param in params)


async def test_feature_and_parameter_lists(live: OvmsLiveLink) -> None:
    """One reply per entry, gathered into one answer."""
    await started(live, "LEAF")
    features = await live.features("LEAF")
    assert sorted(features) == list(range(32))
    assert features[15] == "1"
    assert (await live.parameters("LEAF"))[8] == "LEAF"


async def test_charging_controls_on_the_twizy(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """Stop and start charging, set the current and mode; each shows in the car's messages."""
    await started(live, "TWIZY")
    await until(lambda: recorder.state("TWIZY").value("charging") is True)
    await live.set_charging("TWIZY", on=False)
    await until(lambda: recorder.state("TWIZY").value("charging") is False)
    with pytest.raises(CarCommandError):  # the Twizy can stop charging, not start it
        await live.set_charging("TWIZY", on=True)
    await live.set_charge_current("TWIZY", 10)
    await live.set_charge_mode("TWIZY", ChargeMode.STORAGE)
    await until(lambda: recorder.state("TWIZY").value("charge_mode") == "storage")
    assert recorder.state("TWIZY").value("charge_current_limit") == 10
    assert sim.world.vehicle("TWIZY").charge_current_limit == 10
    with pytest.raises(ValueError, match="charge current"):
        await live.set_charge_current("TWIZY", 0)


async def test_wake_up_homelink_and_refresh(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder
) -> None:
    """Wake-up and homelink change the car; refresh returns the status sent on request."""
    await started(live, "LEAF")
    await live.wake_up("LEAF")
    await live.homelink("LEAF", 0)
    assert sim.world.vehicle("LEAF").climate_on
    await until(lambda: recorder.state("LEAF").value("awake") is True)
    update = await live.refresh("LEAF")
    assert update is not None
    assert "last_update" in update.state.readings
    assert live.commands("LEAF") is not None
    assert 20 in (live.commands("LEAF") or ())


async def test_silent_car_times_out(live: OvmsLiveLink, ovms_app_server: AppServer) -> None:
    """A car that never answers: CommandFailedError TIMEOUT."""
    await started(live, "LEAF")
    ovms_app_server.add_fault("silent", "LEAF")
    with pytest.raises(CommandFailedError) as caught:
        await live.send_command("LEAF", 20, ("1234",), reply_timeout=0.2)
    assert caught.value.command_status == CommandStatus.TIMEOUT


async def test_slow_reply_can_outlast_the_wait(
    live: OvmsLiveLink, ovms_app_server: AppServer
) -> None:
    """A reply slower than the wait times out; the next one (fault used up) arrives."""
    await started(live, "LEAF")
    ovms_app_server.add_fault("slow", "LEAF", seconds=0.5, times=1)
    with pytest.raises(CommandFailedError) as caught:
        await live.send_command("LEAF", 20, ("1234",), reply_timeout=0.1)
    assert caught.value.command_status == CommandStatus.TIMEOUT
    await live.lock("LEAF", "1234")


async def test_offline_car_is_unreachable(live: OvmsLiveLink, recorder: Recorder) -> None:
    """The server says the Kona is not connected (Z0): commands fail at once."""
    await started(live, "KONA")
    await until(lambda: live.status("KONA").car_connected is False)
    with pytest.raises(CommandFailedError) as caught:
        await live.lock("KONA", "1234")
    assert caught.value.command_status == CommandStatus.UNREACHABLE


async def test_commands_need_a_link(live: OvmsLiveLink, ovms_app_server: AppServer) -> None:
    """No link for the car, or a stopped one: BackendUnavailableError."""
    with pytest.raises(BackendUnavailableError):
        await live.lock("LEAF", "1234")
    await started(live, "LEAF", "TWIZY")
    await live.stop(["LEAF"])
    assert live.status("LEAF").state is LinkState.STOPPED
    assert live.is_up("TWIZY")
    await until(lambda: {s.vehicle_id for s in ovms_app_server.sessions} == {"TWIZY"})
    with pytest.raises(BackendUnavailableError):
        await live.lock("LEAF", "1234")
    with pytest.raises(ValueError, match="PIN"):
        await live.lock("LEAF", "12\r\n34")


# Reconnecting, pinging, faults


async def test_dropped_link_reconnects_with_backoff_logging_once_each_way(
    live: OvmsLiveLink,
    ovms_app_server: AppServer,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server hangs up: DOWN, one warning, a jittered wait, UP again, one info."""
    await started(live, "LEAF")
    caplog.set_level(logging.DEBUG)
    assert ovms_app_server.drop("LEAF") == 1
    await until(lambda: LinkState.DOWN in recorder.states_of("LEAF"))
    await until(lambda: live.is_up("LEAF") and len(ovms_app_server.sessions) == 1)
    assert FAST.backoff_base / 2 <= recorder.delays[0] <= FAST.backoff_base
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert sum("is down" in m for m in messages) == 1
    assert sum("is up again" in m for m in messages) == 1


async def test_backoff_grows_with_jitter_up_to_its_cap(
    sim: Simulator, ovms_app_server: AppServer, recorder: Recorder
) -> None:
    """Sign-ins that never get an answer: each wait is in [ceiling/2, ceiling], the ceiling doubles."""
    settings = LinkSettings(sign_in_timeout=0.02, backoff_base=0.01, backoff_cap=0.08)
    link = make_link(sim, tls(ovms_app_server), recorder, settings=settings)
    ovms_app_server.add_fault("stall", "LEAF")
    link.start(["LEAF"])
    try:
        await until(lambda: len(recorder.delays) >= 6)
        for attempt, delay in enumerate(recorder.delays[:6]):
            ceiling = min(settings.backoff_cap, settings.backoff_base * 2**attempt)
            assert ceiling / 2 <= delay <= ceiling
        assert link.status("LEAF").state in (LinkState.DOWN, LinkState.CONNECTING)
        ovms_app_server.faults.clear()
        await until(lambda: link.is_up("LEAF"))
    finally:
        await link.stop()
    assert recorder.states_of("LEAF")[-1] is LinkState.STOPPED


async def test_pings_keep_the_link_and_a_silent_server_is_dropped(
    sim: Simulator, ovms_app_server: AppServer, recorder: Recorder
) -> None:
    """Idle: A goes out, a comes back. A stalled server answers nothing: the link is dropped."""
    settings = LinkSettings(
        ping_interval=0.05, ping_timeout=0.1, sign_in_timeout=0.2, backoff_base=0.01
    )
    link = make_link(sim, tls(ovms_app_server), recorder, settings=settings)
    link.start(["LEAF"])
    try:
        await until(lambda: link.is_up("LEAF"))
        before = ovms_app_server.lines_sent["LEAF"]
        await until(lambda: ovms_app_server.lines_sent["LEAF"] >= before + 3)
        assert link.is_up("LEAF")
        ovms_app_server.add_fault("stall", "LEAF", times=1)
        await until(lambda: any(s.error == "no answer to a ping" for s in recorder.statuses))
        await until(lambda: link.is_up("LEAF"))
    finally:
        await link.stop()


async def test_refused_sign_in_waits_the_longest_backoff(
    sim: Simulator,
    ovms_app_server: AppServer,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refusal is REFUSED (not DOWN), retried only after the capped wait; no secret is logged."""
    token = sim.ovms.accounts.new_token("demo", "ha", "live", "v2").token
    link = make_link(sim, tls(ovms_app_server), recorder, secret=token)
    ovms_app_server.add_fault("refuse", "LEAF", times=1)
    caplog.set_level(logging.DEBUG)
    link.start(["LEAF"])
    try:
        await until(lambda: link.is_up("LEAF"))
    finally:
        await link.stop()
    assert LinkState.REFUSED in recorder.states_of("LEAF")
    assert FAST.backoff_cap / 2 <= recorder.delays[0] <= FAST.backoff_cap
    assert token not in caplog.text


async def test_listener_errors_do_not_stop_the_link(
    sim: Simulator, live: OvmsLiveLink, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """A failing listener is logged; the others keep getting updates."""

    def broken(_news: object) -> None:
        raise RuntimeError("listener bug")

    live._update_listeners.insert(0, broken)
    remove = live.add_status_listener(broken)
    await started(live, "LEAF")
    await until(lambda: "last_update" in recorder.state("LEAF").readings)
    assert "listener failed" in caplog.text
    remove()
    live._update_listeners.remove(broken)
    sim.world.vehicle("LEAF").doors["fr"] = True
    await until(lambda: recorder.state("LEAF").value("door_front_right") is True)


async def test_hostile_lines_cost_only_themselves(
    sim: Simulator, recorder: Recorder, socket_enabled: None
) -> None:
    """Garbage, binary, overlong and broken messages are dropped; the next good one arrives."""
    hostile = [
        b"\x00\xff\xfe\r\n",
        b"\r\n",
        b" x\r\n",
        b"S" + b"9" * 40000 + b"\r\n",
        b"Y4,fl,fr\r\nT0\r\n",
        b"Snan,K,inf,1e999\r\nT0\r\n",
        b"c\r\ncx,y\r\nc1,0,99999,3,x\r\n",
        b"Z99999999999999999999\r\nT-5\r\nTnan\r\nQ???\r\nE\xff\r\n",
        b"D\xc3\x28,9e999,-1\r\nT0\r\n",
    ]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b"MP-S 1 demo LEAF LEAF\r\nZ1\r\n")
        for line in hostile:
            writer.write(line)
        writer.write(b"S55.5,K\r\nT0\r\n")
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    link = make_link(sim, AppEndpoint("127.0.0.1", port), recorder)
    link.start(["LEAF"])
    try:
        await until(lambda: recorder.state("LEAF").value("battery_level") == 55.5)
        assert link.is_up("LEAF")
        assert recorder.states_of("LEAF") == [LinkState.CONNECTING, LinkState.UP]
    finally:
        await link.stop()
        server.close()
