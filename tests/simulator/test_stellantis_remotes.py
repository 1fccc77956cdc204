"""Simulated Stellantis callbacks and remote actions: 202, webhook events, read-back, failures."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from typing import Any

import aiohttp
import pytest

from simulator import Simulator

from .conftest import Receiver
from .test_stellantis_api import call, headers


async def register(client: aiohttp.ClientSession, auth: dict[str, str], target: str) -> str:
    """Register a webhook; answer its id."""
    body = {
        "label": "test",
        "type": ["Remote"],
        "callback": {
            "webhook": {
                "name": "t",
                "target": target,
                "attributes": [{"type": "Header", "key": "X-Vin", "value": "$vin"}],
            }
        },
    }
    answer = await call(client, "/user/callbacks", auth, method="POST", body=body)
    assert answer["status"] == "Running"
    return str(answer["callbackId"])


async def send(
    client: aiohttp.ClientSession,
    sim: Simulator,
    auth: dict[str, str],
    cbid: str,
    car: str,
    remote: dict[str, Any],
) -> dict[str, Any]:
    """POST a remote; assert 202."""
    path = f"/user/vehicles/{sim.stellantis.api_id(car)}/callbacks/{cbid}/remotes"
    answer: dict[str, Any] = await call(client, path, auth, method="POST", body=remote, expect=202)
    return answer


async def test_callback_lifecycle(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Register, list, get and delete a callback; another user cannot see it."""
    auth = headers(sim)
    cbid = await register(client, auth, "https://example.invalid/hook")
    listed = await call(client, "/user/callbacks", auth)
    assert [c["id"] for c in listed["_embedded"]["callbacks"]] == [cbid]
    one = await call(client, f"/user/callbacks/{cbid}", auth)
    assert one["subscribe"]["callback"]["webhook"]["target"] == "https://example.invalid/hook"
    await call(client, f"/user/callbacks/{cbid}", headers(sim, user="fleet"), expect=404)
    await call(client, f"/user/callbacks/{cbid}", auth, method="DELETE", expect=204)
    await call(client, f"/user/callbacks/{cbid}", auth, expect=404)
    bad = {"label": "x", "callback": {"webhook": {"name": "x"}}}
    await call(client, "/user/callbacks", auth, method="POST", body=bad, expect=400)


async def test_unlock_pushes_events_and_changes_the_world(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver
) -> None:
    """Pending events, then Done/Success; the car is unlocked; the status reads back."""
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    assert sim.world.vehicle("P308").locked
    answer = await send(client, sim, auth, cbid, "P308", {"door": {"state": "Unlocked"}})
    assert answer["type"] == "Doors"  # a RemoteType string, as the spec has it
    assert answer["remoteActionId"]
    rid = answer["remoteActionId"]
    assert await receiver.final(rid) == {"type": "Done", "status": "Success"}
    assert not sim.world.vehicle("P308").locked
    statuses = [m["remoteEvent"]["eventStatus"]["status"] for m in receiver.messages]
    assert statuses == ["Accepted", "WakingUpVehicle", "Success"]
    assert receiver.headers[0]["X-Vin"] == "VF3LBHNSJKS112233"
    assert receiver.messages[0]["callbackId"] == cbid
    assert receiver.messages[0]["type"] == "Remote"
    href = answer["_links"]["remote"]["href"]
    action = await call(client, href, auth)
    assert (action["status"], action["remoteActionId"]) == ("Success", rid)
    history = await call(client, href.rsplit("/", 1)[0], auth)
    assert history["total"] == 1
    again = await send(client, sim, auth, cbid, "P308", {"door": {"state": "Unlocked"}})
    assert (await receiver.final(again["remoteActionId"]))["status"] == "AlreadyDone"


@pytest.mark.parametrize(
    ("mode", "cause"),
    [
        ("asleep", "TooManyWakeUpsOverMonth"),
        ("unreachable", "VehicleConnectionTimeout"),
        ("rejected", "VehicleError"),
    ],
)
async def test_failures(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver, mode: str, cause: str
) -> None:
    """A car set asleep, unreachable or rejecting fails with its cause; nothing changes."""
    async with client.post("/admin/stellantis/vehicles/P308", json={"remote": mode}) as response:
        assert response.status == 200
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    answer = await send(client, sim, auth, cbid, "P308", {"horn": {"state": "Activated"}})
    done = await receiver.final(answer["remoteActionId"])
    assert done == {"type": "Done", "status": "Failed", "failureCause": cause}


async def test_timeout_never_finishes_and_busy_car(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver
) -> None:
    """A timing-out car stays SentToVehicle; a second remote meanwhile is SameActionInProgress."""
    sim.stellantis.set_remote_mode("E208", "timeout")
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    first = await send(client, sim, auth, cbid, "E208", {"lights": {"on": True}})
    second = await send(client, sim, auth, cbid, "E208", {"wakeUp": {"action": "WakeUp"}})
    assert (await receiver.final(second["remoteActionId"]))[
        "failureCause"
    ] == "SameActionInProgress"
    await asyncio.sleep(0.5)
    path = f"/user/vehicles/{sim.stellantis.api_id('E208')}/callbacks/{cbid}/remotes/{first['remoteActionId']}"
    assert (await call(client, path, auth))["status"] == "SentToVehicle"


async def test_doors_open_and_charging(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver
) -> None:
    """Locking with a door open fails; charging stops and starts on a plugged-in car."""
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    sim.world.vehicle("P3008").set_phase("charge")
    assert sim.world.vehicle("P3008").charging
    stop = await send(client, sim, auth, cbid, "P3008", {"charging": {"immediate": False}})
    assert (await receiver.final(stop["remoteActionId"]))["status"] == "Success"
    sim.clock.advance(600)
    assert not sim.world.vehicle("P3008").charging
    start = await send(client, sim, auth, cbid, "P3008", {"charging": {"immediate": True}})
    assert (await receiver.final(start["remoteActionId"]))["status"] == "Success"
    sim.clock.advance(60)
    assert sim.world.vehicle("P3008").charging
    petrol = await send(client, sim, auth, cbid, "P308", {"charging": {"immediate": True}})
    assert (await receiver.final(petrol["remoteActionId"]))["failureCause"] == "WrongCommand"
    sim.world.vehicle("P308").locked = False
    sim.world.vehicle("P308").doors["trunk"] = True
    lock = await send(client, sim, auth, cbid, "P308", {"door": {"state": "Locked"}})
    assert (await receiver.final(lock["remoteActionId"]))["failureCause"] == "DoorsOpen"
    climate = {"preconditioning": {"airConditioning": {"immediate": True}}}
    warm = await send(client, sim, auth, cbid, "E208", climate)
    assert (await receiver.final(warm["remoteActionId"]))["status"] == "Success"
    assert sim.world.vehicle("E208").climate_on


async def test_bad_remotes(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Two actions, an unknown one, a bad value, an unknown callback, a car without remotes."""
    auth = headers(sim)
    cbid = await register(client, auth, "https://x.invalid/")
    path = f"/user/vehicles/{sim.stellantis.api_id('E208')}/callbacks/{cbid}/remotes"
    for body in (
        {"horn": {"state": "Activated"}, "lights": {"on": True}},
        {"teleport": {}},
        {"door": {"state": "Open"}},
        {"navigation": {"positions": []}},
        {"navigation": {"positions": [{"type": "Point", "coordinates": [2.29, 98.0]}]}},
        {"navigation": {"positions": [{"type": "Point", "coordinates": [2.29, 48.8]}] * 11}},
        [],
    ):
        await call(client, path, auth, method="POST", body=body, expect=400)
    await call(client, path.replace(cbid, "nope"), auth, method="POST", body={}, expect=404)
    fleet = headers(sim, user="fleet")
    fleet_cb = await register(client, fleet, "https://x.invalid/")
    no_remotes = f"/user/vehicles/{sim.stellantis.api_id('FLEET06')}/callbacks/{fleet_cb}/remotes"
    await call(
        client, no_remotes, fleet, method="POST", body={"horn": {"state": "Activated"}}, expect=403
    )


async def test_admin_rejects_bad_modes(client: aiohttp.ClientSession) -> None:
    """Unknown cars and modes are refused."""
    async with client.post("/admin/stellantis/vehicles/NOPE", json={"remote": "ok"}) as r:
        assert r.status == 404
    async with client.post("/admin/stellantis/vehicles/E208", json={"remote": "sleepy"}) as r:
        assert r.status == 400
    async with client.get("/admin/stellantis/callbacks") as r:
        assert await r.json() == []


async def charging_block(client: aiohttp.ClientSession, sim: Simulator, car: str) -> Any:
    """The status's electric ``energies[].extension.electric.charging``."""
    status = await call(client, f"/user/vehicles/{sim.stellantis.api_id(car)}/status", headers(sim))
    electric = next(e for e in status["energies"] if e["type"] == "Electric")
    return electric["extension"]["electric"]["charging"]


async def test_charging_preferences_and_schedule_change_the_car(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver
) -> None:
    """Preferences and the delayed start, each its own remote, show in the status."""
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    for remote in (
        {"charging": {"preferences": {"type": "Partial"}}},
        {"charging": {"preferences": {"level": "Level4"}}},
        {"charging": {"schedule": {"nextDelayedTime": "PT22H31M"}}},
    ):
        sent = await send(client, sim, auth, cbid, "E208", remote)
        assert (await receiver.final(sent["remoteActionId"]))["status"] == "Success"
    charging = await charging_block(client, sim, "E208")
    assert charging["type"] == "Partial"
    assert charging["chargingPowerLevel"] == "Level4"
    assert charging["nextDelayedTime"] == "PT22H31M"
    for remote in (
        {"charging": {"preferences": {"type": "Full"}, "immediate": True}},
        {"charging": {"schedule": {"nextDelayedTime": "PT25H"}}},
        {"charging": {"preferences": {"level": "Level9"}}},
    ):
        sent = await send(client, sim, auth, cbid, "E208", remote)
        assert (await receiver.final(sent["remoteActionId"]))["failureCause"] == "WrongCommand"
    assert (await charging_block(client, sim, "E208"))["type"] == "Partial"


async def test_a_delayed_charge_starts_at_its_time(sim: Simulator) -> None:
    """Stopped ("not immediately") on the plug, the car charges once the clock passes the start."""
    car = sim.world.vehicle("P3008")
    car.set_phase("charge")
    car.charge_paused, car.charge_state = True, "stopped"
    start = sim.clock.now() + timedelta(minutes=5)
    car.delayed_start = time(start.hour, start.minute)
    sim.clock.advance(120)
    assert not sim.world.vehicle("P3008").charging
    sim.clock.advance(240)
    assert sim.world.vehicle("P3008").charging
