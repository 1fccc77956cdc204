"""Volvo commands on the simulator: outcomes, world changes, limits, v1 async requests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest

from simulator import Simulator

from .test_volvo_api import CV, V90, XC40, XC60, XC90, call, headers


@pytest.fixture(autouse=True)
def quick(sim: Simulator) -> None:
    """Commands answer at once (one test keeps the realistic delay)."""
    sim.volvo.command_delay = 0.0


async def command(
    client: aiohttp.ClientSession, sim: Simulator, vin: str, path: str, json: object = None
) -> tuple[int, dict]:
    status, body, _ = await call(client, "POST", f"{CV}/{vin}/commands/{path}", headers(sim), json)
    return status, body


async def test_lock_unlock_change_the_world(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.volvo.command_delay = 0.2
    status, body = await command(client, sim, XC40, "unlock")
    assert status == 200
    assert body["data"]["invokeStatus"] == "COMPLETED"
    assert body["data"]["readyToUnlock"] is True
    assert sim.world.vehicle(XC40).locked is False
    _, body = await command(client, sim, XC40, "lock-reduced-guard")
    assert body["data"] == {"vin": XC40, "invokeStatus": "COMPLETED", "message": ""}
    assert sim.world.vehicle(XC40).locked is True
    assert [event[1:] for event in sim.volvo.cars[XC40].events] == [
        ("UNLOCK", "COMPLETED"),
        ("LOCK_REDUCED_GUARD", "COMPLETED"),
    ]


async def test_unlock_duration(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """The v1 body's unlockDuration (1 to 120 s) is the car's window to open; 120 without one."""
    for bad in ({"unlockDuration": 0}, {"unlockDuration": 121}, {"unlockDuration": "60"}, [60]):
        assert (await command(client, sim, XC40, "unlock", bad))[0] == 400, bad
    assert sim.world.vehicle(XC40).locked is True
    now = int(sim.clock.now().timestamp())
    _, body = await command(client, sim, XC40, "unlock", {"unlockDuration": 30})
    assert body["data"]["readyToUnlockUntil"] == now + 30
    assert sim.world.vehicle(XC40).unlock_seconds == 30
    async with client.get("/admin/vehicles") as response:
        rows = {row["id"]: row for row in await response.json()}
    assert rows[XC40]["unlock_seconds"] == 30
    await command(client, sim, XC40, "unlock")
    assert sim.world.vehicle(XC40).unlock_seconds == 120


async def test_lock_with_a_door_open(client: aiohttp.ClientSession, sim: Simulator) -> None:
    vehicle = sim.world.vehicle(XC60)
    vehicle.locked = False
    vehicle.doors["trunk"] = True
    _, body = await command(client, sim, XC60, "lock")
    assert body["data"]["invokeStatus"] == "UNABLE_TO_LOCK_DOOR_OPEN"
    assert vehicle.locked is False


async def test_engine_start_and_stop(client: aiohttp.ClientSession, sim: Simulator) -> None:
    for runtime in (0, 16, "5", None):
        status, body = await command(client, sim, V90, "engine-start", {"runtimeMinutes": runtime})
        assert status == 400, runtime
        assert body["error"]["message"] == "Bad Request"
    assert (await command(client, sim, V90, "engine-start"))[0] == 400
    _, body = await command(client, sim, V90, "engine-start", {"runtimeMinutes": 5})
    assert body["data"]["invokeStatus"] == "COMPLETED"
    vehicle = sim.world.vehicle(V90)
    assert vehicle.engine_until == sim.clock.now() + timedelta(minutes=5)
    assert vehicle.engine_running
    _, body, _ = await call(client, "GET", f"{CV}/{V90}/engine-status", headers(sim))
    assert body["data"]["engineStatus"]["value"] == "RUNNING"
    await command(client, sim, V90, "engine-stop")
    assert not sim.world.vehicle(V90).engine_running


async def test_climatization(client: aiohttp.ClientSession, sim: Simulator) -> None:
    await command(client, sim, XC40, "climatization-start")
    assert sim.world.vehicle(XC40).climate_on
    sim.clock.advance(1801)
    assert not sim.world.vehicle(XC40).climate_on
    await command(client, sim, XC40, "climatization-start")
    await command(client, sim, XC40, "climatization-stop")
    assert not sim.world.vehicle(XC40).climate_on


async def test_navigation_poi(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """SEND_NAVI_POI takes the v1 portal's body; the car's navigation leads there."""
    poi = "navi-point-of-interest"
    for bad in (
        {"latitude": 91, "longitude": 11.9, "name": "Home"},
        {"latitude": "57.7", "longitude": 11.9, "name": "Home"},
        {"latitude": 57.7, "longitude": 11.9, "name": "Ho"},
        {"latitude": 57.7, "longitude": 11.9, "name": "A name far too long"},
        None,
    ):
        assert (await command(client, sim, XC60, poi, bad))[0] == 400, bad
    assert sim.world.vehicle(XC60).navigation is None
    good = {"latitude": 57.7, "longitude": 11.9, "name": "Home"}
    _, body = await command(client, sim, XC60, poi, good)
    assert body["data"]["invokeStatus"] == "COMPLETED"
    navigation = sim.world.vehicle(XC60).navigation
    assert navigation is not None
    assert (navigation.point.lat, navigation.point.lon, navigation.name) == (57.7, 11.9, "Home")
    assert (await command(client, sim, XC40, poi, good))[0] == 422  # the XC40 does not list it
    async with client.get("/admin/vehicles") as response:
        rows = {row["id"]: row for row in await response.json()}
    assert rows[XC60]["navigation"] == {"latitude": 57.7, "longitude": 11.9, "name": "Home"}


async def test_unsupported_command_is_422(client: aiohttp.ClientSession, sim: Simulator) -> None:
    status, body = await command(client, sim, V90, "honk")
    assert status == 422
    assert "HONK" in body["error"]["description"]
    status, _ = await command(client, sim, XC40, "engine-start", {"runtimeMinutes": 3})
    assert status == 422


async def test_sleeping_car(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.volvo.cars[XC40].asleep = True
    _, body = await command(client, sim, XC40, "flash")
    assert body["data"]["invokeStatus"] == "VEHICLE_IN_SLEEP"
    async with client.post(f"/admin/volvo/vehicles/{V90}", json={"asleep": True}) as response:
        assert response.status == 200
    _, body = await command(client, sim, V90, "honk-flash")
    assert body["data"]["invokeStatus"] == "VEHICLE_IN_SLEEP_MODE"


async def test_forced_outcomes_and_offline_car(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    async with client.post(
        f"/admin/volvo/vehicles/{XC60}",
        json={"outcomes": ["UNLOCK_TIME_FRAME_PASSED", "TIMEOUT"], "doors": {"fl": True}},
    ) as response:
        assert response.status == 200
        assert (await response.json())["vehicles"][1]["outcomes"] == [
            "UNLOCK_TIME_FRAME_PASSED",
            "TIMEOUT",
        ]
    assert sim.world.vehicle(XC60).doors["fl"] is True
    assert (await command(client, sim, XC60, "unlock"))[1]["data"]["invokeStatus"] == (
        "UNLOCK_TIME_FRAME_PASSED"
    )
    assert (await command(client, sim, XC60, "honk"))[1]["data"]["invokeStatus"] == "TIMEOUT"
    sim.world.vehicle(XC60).online = False
    assert (await command(client, sim, XC60, "honk"))[1]["data"]["invokeStatus"] == "TIMEOUT"
    async with client.post(f"/admin/volvo/vehicles/{XC60}", json={"doors": {"x": 1}}) as response:
        assert response.status == 400


async def test_driving_car_refuses(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.world.vehicle(XC40).set_phase("drive")
    _, body = await command(client, sim, XC40, "lock")
    assert body["data"]["invokeStatus"] == "NOT_ALLOWED_WRONG_USAGE_MODE"


async def test_ten_commands_a_minute(client: aiohttp.ClientSession, sim: Simulator) -> None:
    statuses = [(await command(client, sim, XC40, "flash"))[0] for _ in range(10)]
    assert statuses == [200] * 10
    status, body, response_headers = await call(
        client, "POST", f"{CV}/{XC40}/commands/flash", headers(sim)
    )
    assert status == 429
    assert response_headers["Retry-After"] == "60"
    assert body["error"]["message"] == "Too Many Requests"
    sim.clock.advance(60)
    assert (await command(client, sim, XC40, "flash"))[0] == 200


async def test_command_scope(client: aiohttp.ClientSession, sim: Simulator) -> None:
    limited = headers(sim, scopes=("openid", "conve:lock"))
    status, _, _ = await call(client, "POST", f"{CV}/{XC40}/commands/unlock", limited)
    assert status == 403
    status, _, _ = await call(client, "POST", f"{CV}/{XC40}/commands/lock", limited)
    assert status == 200


async def test_v1_car_runs_commands_asynchronously(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    status, body = await command(client, sim, XC90, "unlock")
    assert status == 202
    pending = body["async"]
    assert pending["status"] == "WAITING"
    assert sim.world.vehicle(XC90).locked is False
    href = pending["href"].split("//", 1)[1].split("/", 1)[1]
    _, result, _ = await call(client, "GET", "/" + href, headers(sim))
    assert result["data"]["status"] == "RUNNING"
    await asyncio.sleep(0.35)
    _, result, _ = await call(client, "GET", "/" + href, headers(sim))
    assert result["data"]["status"] == "COMPLETED"
    assert result["data"]["command"] == "UNLOCK"
    other = f"/connected-vehicle/v1/vehicles/{XC40}/requests/{pending['id']}"
    assert (await call(client, "GET", other, headers(sim)))[0] == 404


async def test_v1_failure_lands_after_simulated_time(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    sim.volvo.cars[XC90].asleep = True
    _, body = await command(client, sim, XC90, "lock")
    sim.clock.advance(10)
    path = "/" + body["async"]["href"].split("//", 1)[1].split("/", 1)[1]
    _, result, _ = await call(client, "GET", path, headers(sim))
    assert result["data"]["status"] == "VEHICLE_IN_SLEEP"
