"""The OVMS v3 server API of the simulator, checked against the seed and the real captures."""

from __future__ import annotations

from dataclasses import replace
import json
import math
import re
from typing import Any

import aiohttp
import pytest

from simulator import Simulator
from simulator.demo import KONA
from simulator.ovms.auth import demo_token
from simulator.vehicle import Vehicle
from simulator.world import Account

from .conftest import DEMO, Serve, get_dict, get_json, login

TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

# Every field the seed document lists, per endpoint.
SEED_STATUS = [
    "soc",
    "units",
    "idealrange",
    "idealrange_max",
    "estimatedrange",
    "mode",
    "chargestate",
    "cac100",
    "soh",
    "cooldown_active",
    "fl_dooropen",
    "fr_dooropen",
    "cp_dooropen",
    "pilotpresent",
    "charging",
    "caron",
    "carlocked",
    "valetmode",
    "bt_open",
    "tr_open",
    "temperature_pem",
    "temperature_motor",
    "temperature_battery",
    "temperature_charger",
    "temperature_cabin",
    "tripmeter",
    "odometer",
    "speed",
    "parkingtimer",
    "temperature_ambient",
    "carawake",
    "staletemps",
    "staleambient",
    "charging_12v",
    "vehicle12v",
    "vehicle12v_ref",
    "vehicle12v_current",
    "alarmsounding",
    "m_msgage_s",
    "m_msgtime_s",
    "m_msgage_d",
    "m_msgtime_d",
]
SEED_CHARGE = [
    "linevoltage",
    "battvoltage",
    "chargecurrent",
    "chargepower",
    "chargetype",
    "chargestate",
    "soc",
    "units",
    "idealrange",
    "estimatedrange",
    "mode",
    "chargelimit",
    "chargeduration",
    "chargeb4",
    "chargekwh",
    "chargesubstate",
    "chargetimermode",
    "chargestarttime",
    "chargetimerstale",
    "cac100",
    "soh",
    "charge_etr_full",
    "charge_etr_limit",
    "charge_limit_range",
    "charge_limit_soc",
    "cooldown_active",
    "cooldown_tbattery",
    "cooldown_timelimit",
    "charge_estimate",
    "charge_etr_range",
    "charge_etr_soc",
    "idealrange_max",
    "cp_dooropen",
    "pilotpresent",
    "charging",
    "caron",
    "temperature_pem",
    "temperature_motor",
    "temperature_battery",
    "temperature_charger",
    "temperature_ambient",
    "temperature_cabin",
    "carawake",
    "staletemps",
    "staleambient",
    "charging_12v",
    "vehicle12v",
    "vehicle12v_ref",
    "vehicle12v_current",
    "m_msgage_s",
    "m_msgtime_s",
    "m_msgage_d",
    "m_msgtime_d",
]
SEED_LOCATION = [
    "latitude",
    "longitude",
    "direction",
    "altitude",
    "gpslock",
    "stalegps",
    "speed",
    "tripmeter",
    "drivemode",
    "power",
    "energyused",
    "energyrecd",
    "m_msgage_l",
    "m_msgtime_l",
]
SEED_TPMS = [
    "fr_pressure",
    "fr_temperature",
    "rr_pressure",
    "rr_temperature",
    "fl_pressure",
    "fl_temperature",
    "rl_pressure",
    "rl_temperature",
    "staletpms",
    "m_msgage_w",
    "m_msgtime_w",
]
SEED_VEHICLE = ["m_msgage_s", "m_msgtime_s", "v_apps_connected", "v_btcs_connected", "v_first_peer"]
FLAGS = {
    "fl_dooropen": 1, "fr_dooropen": 2, "cp_dooropen": 4, "pilotpresent": 8, "charging": 16,
    "handbrake": 64, "caron": 128, "carlocked": 8, "valetmode": 16, "bt_open": 64, "tr_open": 128,
    "carawake": 2, "alarmsounding": 4, "charging_12v": 16,
}  # fmt: skip


async def status_of(client: aiohttp.ClientSession, vehicle_id: str) -> dict[str, Any]:
    """The car's status; the credentials count only once the cookie has expired."""
    return await get_dict(client, f"/api/status/{vehicle_id}", **DEMO)


async def connect(client: aiohttp.ClientSession, vehicle_id: str) -> dict[str, Any]:
    return await get_dict(client, f"/api/vehicle/{vehicle_id}")


def assert_typed(body: dict[str, Any], ages: tuple[str, ...]) -> None:
    """Ages are ints and times real; flags are their bit or 0; everything else a string."""
    for key, value in body.items():
        if key.startswith("m_msgage_"):
            assert isinstance(value, int), key
        elif key.startswith("m_msgtime_"):
            assert isinstance(value, str), key
            assert TIME.match(value), value
        elif key in FLAGS:
            assert value in (0, FLAGS[key]), (key, value)
        else:
            assert isinstance(value, str) or value is None, (key, value)
    assert all(f"m_msgage_{x}" in body for x in ages)


# Login and authentication


async def test_login_sets_a_bare_session_cookie(client: aiohttp.ClientSession) -> None:
    response = await login(client)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert await response.text() == "Login ok\n"
    assert re.fullmatch(
        r"ovmsapisession=[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}",
        response.headers["Set-Cookie"],
    )
    cars = await get_json(client, "/api/vehicles")
    assert [car["id"] for car in cars] == ["LEAF", "TWIZY", "KONA"]


@pytest.mark.parametrize(
    "params",
    [
        {"username": "demo", "password": "wrong"},
        {"username": "nobody", "password": "demo"},
        {"username": "demo"},
        {},
    ],
)
async def test_bad_login_is_refused(client: aiohttp.ClientSession, params: dict[str, str]) -> None:
    async with client.get("/api/cookie", params=params) as response:
        assert response.status == 401
        assert response.headers["Content-Type"] == "text/plain"
        assert await response.text() == "Authentication failed\n"
        assert "Set-Cookie" not in response.headers


async def test_no_credentials_is_401(client: aiohttp.ClientSession) -> None:
    for path in ("/api/vehicles", "/api/status/LEAF", "/api/vehicle/LEAF", "/api/token"):
        async with client.get(path) as response:
            assert response.status == 401
            assert await response.text() == "Authentication failed\n"


async def test_query_auth_without_cookie(client: aiohttp.ClientSession) -> None:
    status = await get_dict(client, "/api/status/LEAF", username="demo", password="demo")
    assert status["soc"] == "84.5"
    assert len(client.cookie_jar) == 0
    async with client.get("/api/status/LEAF", params={"username": "demo", "password": "x"}) as r:
        assert r.status == 401


async def test_api_tokens(client: aiohttp.ClientSession) -> None:
    """List, create, use as password, delete; a token's own rights stop at 'auth'."""
    password = {"username": "demo", "password": "demo"}
    tokens = await get_json(client, "/api/token", **password)
    assert tokens == [
        {
            "application": "demo",
            "owner": "demo",
            "permit": "auth",
            "purpose": "demo",
            "token": demo_token("demo"),
        }
    ]
    async with client.post(
        "/api/token", params=password, data={"application": "ha", "purpose": "test"}
    ) as response:
        assert response.status == 201
        made = await response.json()
    assert set(made) == {"application", "owner", "permit", "purpose", "token"}
    assert made["owner"] == "demo"
    assert made["permit"] == "auth"
    assert made["application"] == "ha"
    assert re.fullmatch(r"[0-9a-f]{64}", made["token"])

    response = await login(client, "demo", made["token"])
    assert response.status == 200
    assert len(await get_json(client, "/api/vehicles")) == 3
    async with client.get("/api/token") as refused:  # the cookie carries the token's rights
        assert refused.status == 403
        assert await refused.text() == "Insufficient rights\n"

    client.cookie_jar.clear()  # a live cookie wins over query credentials
    async with client.delete(f"/api/token/{made['token']}", params=password) as response:
        assert response.status == 200
        assert await response.json() == {"owner": "demo", "token": made["token"]}
    async with client.delete("/api/token", params=password) as response:
        assert response.status == 404
        assert await response.text() == "Token not specified\n"
    assert (await login(client, "demo", made["token"])).status == 401
    assert (await login(client, "demo", demo_token("demo"))).status == 200


async def test_session_expires_300_s_after_login_however_used(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    for _ in range(9):  # used every 33 s, like the real capture
        sim.clock.advance(33)
        await get_json(demo, "/api/vehicles")
    sim.clock.advance(2)  # 299 s
    await get_json(demo, "/api/vehicles")
    sim.clock.advance(1.5)
    async with demo.get("/api/vehicles") as response:
        assert response.status == 401
        assert await response.text() == "Authentication failed\n"
    assert (await login(demo)).status == 200
    await get_json(demo, "/api/vehicles")


async def test_logout_ends_the_session(demo: aiohttp.ClientSession) -> None:
    await connect(demo, "LEAF")
    async with demo.delete("/api/cookie") as response:
        assert response.status == 200
        assert await response.text() == "Logout ok\n"
    async with demo.get("/api/vehicles") as response:
        assert response.status == 401
    cars = await get_json(demo, "/api/vehicles", username="demo", password="demo")
    assert cars[0]["v_apps_connected"] == 0


async def test_expire_sessions_disconnects_the_cars(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    assert (await connect(demo, "LEAF"))["v_apps_connected"] == 1
    sim.ovms.expire_sessions()
    async with demo.get("/api/vehicles") as response:
        assert response.status == 401
    await login(demo)
    cars = await get_json(demo, "/api/vehicles")
    assert cars[0] == {
        "id": "LEAF",
        "v_apps_connected": 0,
        "v_btcs_connected": 0,
        "v_net_connected": 1,
    }


# Vehicles and connecting


async def test_vehicles_list(sim: Simulator, demo: aiohttp.ClientSession, serve: Serve) -> None:
    assert await get_json(demo, "/api/vehicles") == [
        {"id": "LEAF", "v_apps_connected": 0, "v_btcs_connected": 0, "v_net_connected": 1},
        {"id": "TWIZY", "v_apps_connected": 0, "v_btcs_connected": 0, "v_net_connected": 1},
        {"id": "KONA", "v_apps_connected": 0, "v_btcs_connected": 0, "v_net_connected": 0},
    ]
    other = await serve(sim)
    assert await get_json(other, "/api/vehicles", username="empty", password="empty") == []
    # A live cookie wins over query credentials, like on the real server.
    assert len(await get_json(demo, "/api/vehicles", username="empty", password="empty")) == 3


async def test_connect_refreshes_an_online_car(sim: Simulator, demo: aiohttp.ClientSession) -> None:
    sim.clock.advance(250)  # the LEAF last reported at 07:56:00, it reports every 600 s idle
    before = await status_of(demo, "LEAF")
    assert before["m_msgage_s"] == 490
    assert before["m_msgtime_s"] == "2026-11-21 07:56:00"
    info = await connect(demo, "LEAF")
    assert set(SEED_VEHICLE) <= set(info)
    assert info == {
        "m_msgage_s": 0,
        "m_msgtime_s": "2026-11-21 08:04:10",
        "v_apps_connected": 1,
        "v_btcs_connected": 0,
        "v_first_peer": 1,
        "v_net_connected": 1,
    }
    after = await status_of(demo, "LEAF")
    assert after["m_msgage_s"] == after["m_msgage_d"] == 0
    location = await get_dict(demo, "/api/location/LEAF")
    assert location["m_msgage_l"] == 0

    again = await connect(demo, "LEAF")  # the same session again: still one peer
    assert again["v_apps_connected"] == 1
    assert again["v_first_peer"] == 0


async def test_second_app_is_not_the_first_peer(
    sim: Simulator, demo: aiohttp.ClientSession, serve: Serve
) -> None:
    await connect(demo, "LEAF")
    sim.clock.advance(30)
    other = await serve(sim)
    await login(other)
    second = await connect(other, "LEAF")
    assert second["v_first_peer"] == 0
    assert second["v_apps_connected"] == 2
    assert second["m_msgage_s"] == 30  # no new full update for a second peer


async def test_connect_does_not_refresh_an_offline_car(demo: aiohttp.ClientSession) -> None:
    info = await connect(demo, "KONA")
    assert info["v_net_connected"] == 0
    assert info["v_first_peer"] == 1
    assert info["m_msgage_s"] == (2 * 24 + 3) * 3600
    assert info["m_msgtime_s"] == "2026-11-19 05:00:00"
    status = await status_of(demo, "KONA")
    assert status["m_msgage_s"] == status["m_msgage_d"] == (2 * 24 + 3) * 3600
    assert status["carawake"] == 0


async def test_connected_interval_then_idle_again(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    await connect(demo, "LEAF")  # full update at 08:00:00
    sim.clock.advance(65)
    assert (await status_of(demo, "LEAF"))["m_msgage_s"] == 5  # sent again at 08:01:00
    async with demo.delete("/api/vehicle/LEAF") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"  # a real-server quirk
        assert await response.text() == "Disconnect OK\n"
    sim.clock.advance(120)
    assert (await status_of(demo, "LEAF"))["m_msgage_s"] == 125  # idle: every 600 s


async def test_a_session_that_expires_disconnects(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    await connect(demo, "LEAF")
    sim.clock.advance(301)
    cars = await get_json(demo, "/api/vehicles", username="demo", password="demo")
    assert cars[0]["v_apps_connected"] == 0


# Record contents and encoding


async def test_status_has_every_seed_field_typed_like_the_real_server(
    demo: aiohttp.ClientSession,
) -> None:
    status = await status_of(demo, "LEAF")
    assert set(SEED_STATUS) <= set(status)
    assert "handbrake" in status
    assert_typed(status, ("s", "d"))
    assert status["units"] == "K"
    assert status["soc"] == "84.5"
    assert status["carlocked"] == 8
    assert status["handbrake"] == 64
    assert status["caron"] == 0
    assert status["odometer"] == "234567"  # 1/10 km
    assert status["cooldown_active"] == "0"
    assert status["staletemps"] == "1"
    assert float(status["vehicle12v"]) == pytest.approx(12.5, abs=0.2)


async def test_charge_has_every_seed_field(demo: aiohttp.ClientSession) -> None:
    charge = await get_dict(demo, "/api/charge/LEAF")
    assert set(SEED_CHARGE) <= set(charge)
    assert "odometer" not in charge
    assert "fl_dooropen" not in charge
    assert_typed(charge, ("s", "d"))
    assert charge["chargestate"] == "stopped"
    assert charge["charge_limit_soc"] == "85"
    assert charge["chargetype"] == ""


async def test_location_has_every_seed_field(demo: aiohttp.ClientSession) -> None:
    location = await get_dict(demo, "/api/location/LEAF")
    assert set(SEED_LOCATION) <= set(location)
    assert_typed(location, ("l",))
    assert location["gpslock"] == "1"
    assert float(location["latitude"]) == pytest.approx(51.04, abs=0.1)
    assert float(location["longitude"]) == pytest.approx(3.72, abs=0.1)


async def test_tpms_extended_record(demo: aiohttp.ClientSession) -> None:
    tpms = await get_dict(demo, "/api/tpms/LEAF")
    assert set(SEED_TPMS) <= set(tpms)
    for wheel in ("fl", "fr", "rl", "rr"):
        kpa = tpms[f"{wheel}_pressure_kpa"]
        assert isinstance(kpa, str)
        assert isinstance(tpms[f"{wheel}_pressure"], float)
        assert tpms[f"{wheel}_pressure"] == pytest.approx(float(kpa) * 0.14504, abs=0.01)
        assert tpms[f"{wheel}_alert"] == "0"
        assert tpms[f"{wheel}_health"] == "100"
        assert isinstance(tpms[f"{wheel}_temperature"], str)
    assert tpms["staletpms"] == 1
    assert tpms["m_msgage_y"] == tpms["m_msgage_w"]
    assert tpms["m_msgtime_y"] == tpms["m_msgtime_w"]


async def test_miles_car_with_older_firmware(sim: Simulator, demo: aiohttp.ClientSession) -> None:
    status = await status_of(demo, "TWIZY")
    twizy = sim.world.vehicle("TWIZY")
    assert status["units"] == "M"
    assert status["odometer"] == str(math.floor(8765.4 / 1.609344 * 10))
    assert int(status["idealrange"]) == round(twizy.ideal_range_km() / 1.609344)
    assert status["temperature_cabin"] is None  # its D record is one field short
    assert status["cac100"] == ""
    charge = await get_dict(demo, "/api/charge/TWIZY")
    assert charge["chargepowerinput"] is None
    assert charge["batt_capacity"] is None
    tpms = await get_dict(demo, "/api/tpms/TWIZY")
    assert set(tpms) == set(SEED_TPMS)
    assert all(isinstance(tpms[f"{w}_pressure"], str) for w in ("fl", "fr", "rl", "rr"))
    assert float(tpms["fl_pressure"]) == pytest.approx(28, abs=2)  # psi
    assert tpms["staletpms"] == "1"


async def test_car_without_tpms_answers_empty(demo: aiohttp.ClientSession) -> None:
    assert await get_json(demo, "/api/tpms/KONA") == {}


async def test_flags_are_masked_bits(sim: Simulator, demo: aiohttp.ClientSession) -> None:
    twizy = await status_of(demo, "TWIZY")  # charging at home
    assert (twizy["charging"], twizy["pilotpresent"], twizy["cp_dooropen"]) == (16, 8, 4)
    assert (twizy["carawake"], twizy["charging_12v"], twizy["caron"]) == (2, 16, 0)

    leaf = sim.world.vehicle("LEAF")
    leaf.doors["fl"] = leaf.doors["fr"] = leaf.doors["trunk"] = leaf.doors["hood"] = True
    leaf.locked = False
    leaf.valet = leaf.alarm = True
    await connect(demo, "LEAF")  # the first peer gets a full update
    status = await status_of(demo, "LEAF")
    for flag in ("fl_dooropen", "fr_dooropen", "tr_open", "bt_open", "valetmode", "alarmsounding"):
        assert status[flag] == FLAGS[flag], flag
    assert status["carlocked"] == 0

    leaf.set_phase("drive")
    sim.clock.advance(300)
    status = await status_of(demo, "LEAF")
    assert status["caron"] == 128
    assert status["handbrake"] == 0
    assert int(status["speed"]) > 0


async def test_values_are_as_of_the_last_record(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    sim.world.vehicle("LEAF").soc = 42.0
    assert (await status_of(demo, "LEAF"))["soc"] == "84.5"
    sim.clock.advance(370)  # the next idle report is at 08:06:00
    status = await status_of(demo, "LEAF")
    assert status["soc"] == "42.0"
    assert status["m_msgtime_s"] == "2026-11-21 08:06:00"
    assert status["m_msgage_s"] == 10


async def test_location_is_only_sent_when_it_changed(
    sim: Simulator, demo: aiohttp.ClientSession
) -> None:
    """Like the firmware: S and D every interval, L only when it changed (parked: never)."""
    sim.clock.advance(700)  # 08:11:40; an idle report went out at 08:06:00
    assert (await status_of(demo, "LEAF"))["m_msgage_s"] == 340  # 08:11:40 - 08:06:00
    location = await get_dict(demo, "/api/location/LEAF", **DEMO)
    assert location["m_msgage_l"] == 940
    assert location["m_msgtime_l"] == "2026-11-21 07:56:00"


async def test_json_is_canonical(demo: aiohttp.ClientSession) -> None:
    async with demo.get("/api/status/LEAF") as response:
        raw = await response.text()
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Connection"] == "close"
    assert raw.endswith("}\n")
    body = json.loads(raw)
    assert raw == json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n"


async def test_protocol_and_history(sim: Simulator, demo: aiohttp.ClientSession) -> None:
    await connect(demo, "LEAF")
    sim.clock.advance(125)
    protocol = await get_json(demo, "/api/protocol/LEAF")
    assert isinstance(protocol, list)
    assert [r["m_code"] for r in protocol] == ["F", "S", "D", "L", "W", "Y"]
    assert all(r["m_paranoid"] == 0 and r["m_ptoken"] == "" for r in protocol)
    assert all(TIME.match(r["m_msgtime"]) for r in protocol)
    assert protocol[1]["m_msg"].startswith("84.5,K,")

    summary = await get_json(demo, "/api/historical/LEAF")
    assert isinstance(summary, list)
    by_type = {row["h_recordtype"]: row for row in summary}
    assert set(by_type) == {"D", "F", "L", "S", "W", "Y"}
    s = by_type["S"]
    assert s["totalrecs"] == 4  # 07:56:00, connect at 08:00:00, then 08:01:00 and 08:02:00
    assert (s["first"], s["last"]) == ("2026-11-21 07:56:00", "2026-11-21 08:02:00")
    assert isinstance(s["totalsize"], str)

    rows = await get_json(demo, "/api/historical/LEAF/S", since="2026-11-21 08:00:30")
    assert [r["h_timestamp"] for r in rows] == ["2026-11-21 08:01:00", "2026-11-21 08:02:00"]
    assert all(r["h_data"].startswith("84.5,K,") for r in rows)
    assert await get_json(demo, "/api/historical/LEAF/NOPE") == []


# Errors


@pytest.mark.parametrize("path", ["/api/status/ZOE", "/api/vehicle/ZOE", "/api/status/NOPE"])
async def test_a_car_not_on_the_account_is_forbidden(
    sim: Simulator, demo: aiohttp.ClientSession, serve: Serve, path: str
) -> None:
    async with demo.get(path) as response:
        assert response.status == 403
        assert response.headers["Content-Type"] == "text/plain"
        assert await response.text() == "Forbidden\n"
    mine = await get_dict(await serve(sim), "/api/status/ZOE", username="demo2", password="demo2")
    assert mine["units"] == "K"


async def test_unknown_api_call(client: aiohttp.ClientSession) -> None:
    for method, path in (("GET", "/api/nosuchthing/LEAF"), ("POST", "/api/status/LEAF")):
        async with client.request(method, path) as response:
            assert response.status == 404
            assert response.reason == "Unrecongised API call"  # sic, like the real server
            assert await response.text() == "Unrecognised API call\n"
    async with client.request("PATCH", "/api/vehicles") as response:
        assert response.status == 501


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("PUT", "charge"),
        ("DELETE", "charge"),
        ("GET", "lock"),
        ("PUT", "lock"),
        ("DELETE", "lock"),
        ("GET", "valet"),
        ("PUT", "valet"),
        ("DELETE", "valet"),
        ("GET", "features"),
        ("PUT", "feature"),
        ("GET", "parameters"),
        ("PUT", "parameter"),
        ("PUT", "reset"),
        ("PUT", "homelink"),
    ],
)
async def test_commands_are_not_implemented(
    client: aiohttp.ClientSession, method: str, call: str
) -> None:
    async with client.request(method, f"/api/{call}/LEAF") as response:
        assert response.status == 401
    await login(client)
    async with client.request(method, f"/api/{call}/LEAF") as response:
        assert response.status == 501
        assert await response.text() == "Not yet implemented\n"


async def test_cars_added_to_the_world_later_get_a_module(sim: Simulator, serve: Serve) -> None:
    """A fleet added to the world after the start is served once the server adopts it."""
    spec = replace(KONA, id="FLEET1", vin="KMHK381GFLU099999")
    sim.world.add_vehicle(Vehicle(spec, when=sim.world.time, soc=50.0, odometer_km=100.0))
    sim.world.add_account(Account("ovms", "fleet", "fleet", ("FLEET1",)))
    sim.ovms.adopt_new_cars()
    client = await serve(sim)
    await login(client, "fleet", "fleet")
    assert [car["id"] for car in await get_json(client, "/api/vehicles")] == ["FLEET1"]
    assert (await get_dict(client, "/api/status/FLEET1"))["soc"] == "50.0"
