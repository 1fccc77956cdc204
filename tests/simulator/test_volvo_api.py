"""The simulated Volvo cloud over real HTTP: gateway, vehicles, status, energy, location.

The helpers here are shared by the other Volvo simulator tests."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from simulator import Simulator

KEY = "demo-vcc-api-key"
XC40 = "YV1XZEDV0P2123456"
XC60 = "YV1UZBHV1M1234567"
V90 = "YV1PWA8BDL1234567"
XC90 = "YV1LFA2BCJ1234567"
CV = "/connected-vehicle/v2/vehicles"


def headers(
    sim: Simulator,
    username: str = "demo",
    scopes: tuple[str, ...] | None = None,
    key: str = KEY,
    **extra: str,
) -> dict[str, str]:
    """Headers of an API call with a freshly issued token."""
    token = sim.volvo.oauth.issue(username, scopes)["access_token"]
    return {"Authorization": f"Bearer {token}", "vcc-api-key": key, **extra}


async def call(
    client: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str],
    json: Any = None,
) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
    """Status, JSON body and headers of one call."""
    async with client.request(method, path, headers=headers, json=json) as response:
        body = await response.json(content_type=None)
        return response.status, body, response.headers


# The gateway: key, token, scopes, quota


async def test_envelope_and_operation_id(client: aiohttp.ClientSession, sim: Simulator) -> None:
    status, body, _ = await call(
        client, "GET", f"{CV}/{XC40}/odometer", headers(sim, **{"vcc-api-operationId": "op-1"})
    )
    assert status == 200
    assert body["status"] == 200
    assert body["operationId"] == "op-1"
    assert body["data"]["odometer"]["unit"] == "km"
    assert isinstance(body["data"]["odometer"]["value"], int)
    _, body, _ = await call(client, "GET", f"{CV}/{XC40}/odometer", headers(sim))
    assert len(body["operationId"]) == 36


async def test_bad_key_and_bad_token_are_401(client: aiohttp.ClientSession, sim: Simulator) -> None:
    status, body, _ = await call(client, "GET", CV, headers(sim, key="nope"))
    assert status == 401
    assert "VCC-API-KEY" in body["error"]["message"]
    status, body, _ = await call(client, "GET", CV, {"vcc-api-key": KEY})
    assert status == 401
    assert body["operationId"]
    assert sim.volvo.calls_today() == 1  # the key was valid: the call counted


async def test_missing_scope_is_403(client: aiohttp.ClientSession, sim: Simulator) -> None:
    limited = headers(sim, scopes=("openid", "conve:vehicle_relation"))
    assert (await call(client, "GET", CV, limited))[0] == 200
    status, body, _ = await call(client, "GET", f"{CV}/{XC40}/doors", limited)
    assert status == 403
    assert body["error"]["detail"]["missingScopes"] == ["conve:doors_status", "conve:lock_status"]


async def test_daily_quota(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.volvo.keys.add("small", quota=2)
    auth = headers(sim, key="small")
    assert [(await call(client, "GET", CV, auth))[0] for _ in range(2)] == [200, 200]
    status, body, _ = await call(client, "GET", CV, auth)
    assert status == 403
    assert body["message"] == (
        "Out of call volume quota. Quota will be replenished in 16:00:00."
    )  # the simulated clock stands at 08:00 UTC
    assert sim.volvo.calls_today("small") == 2
    sim.clock.advance(16 * 3600)
    assert (await call(client, "GET", CV, auth))[0] == 401  # a new day; the token expired
    assert sim.volvo.calls_today("small") == 1


async def test_admin_sets_quota_and_reports_counts(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    async with client.post("/admin/volvo/keys", json={"key": "k2", "quota": 1}) as response:
        assert response.status == 200
    await call(client, "GET", CV, headers(sim, key="k2"))
    assert (await call(client, "GET", CV, headers(sim, key="k2")))[0] == 403
    async with client.get("/admin/volvo") as response:
        state = await response.json()
    assert state["keys"]["k2"] == {"quota": 1, "calls": 1}
    async with client.post("/admin/volvo/keys", json={"key": 3}) as response:
        assert response.status == 400


# Vehicles


async def test_vehicle_list_pages(client: aiohttp.ClientSession, sim: Simulator) -> None:
    auth = headers(sim)
    _, first, _ = await call(client, "GET", CV, auth)
    assert [item["vin"] for item in first["data"]] == [XC40, XC60, V90]
    assert first["pagination"] == {"limit": 3, "offset": 0, "total": 4, "next": "?limit=3&offset=3"}
    _, second, _ = await call(client, "GET", CV + first["pagination"]["next"], auth)
    assert [item["vin"] for item in second["data"]] == [XC90]
    assert "next" not in second["pagination"]
    assert second["pagination"]["previous"] == "?limit=3&offset=0"
    assert (await call(client, "GET", CV + "?limit=0", auth))[0] == 400
    assert (await call(client, "GET", CV + "?offset=x", auth))[0] == 400


async def test_details_like_the_real_api(client: aiohttp.ClientSession, sim: Simulator) -> None:
    _, body, _ = await call(client, "GET", f"{CV}/{XC40}", headers(sim))
    data = body["data"]
    assert data["fuelType"] == "ELECTRIC"
    assert data["batteryCapacityKWH"] == 78.0
    assert data["descriptions"]["model"] == "XC40"
    assert data["images"]["exteriorImageUrl"].startswith("http://127.0.0.1:")  # its own picture
    _, body, _ = await call(client, "GET", f"{CV}/{V90}", headers(sim))
    assert body["data"]["fuelType"] == "DIESEL"
    assert "batteryCapacityKWH" not in body["data"]


async def test_foreign_car_and_missing_endpoint_are_404(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    assert (await call(client, "GET", f"{CV}/{XC40}/doors", headers(sim, "empty")))[0] == 404
    assert (await call(client, "GET", f"{CV}/NOPE/doors", headers(sim)))[0] == 404
    status, body, _ = await call(client, "GET", f"{CV}/{V90}/tyres", headers(sim))
    assert status == 404
    assert body["error"]["message"] == "Not Found"
    assert (await call(client, "GET", f"{CV}/{XC40}/fuel", headers(sim)))[0] == 404


async def test_status_endpoints_follow_the_world(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    car = sim.world.vehicle(XC60)
    car.doors["fl"] = True
    car.windows["sunroof"] = True
    car.locked = False
    auth = headers(sim)
    _, doors, _ = await call(client, "GET", f"{CV}/{XC60}/doors", auth)
    assert doors["data"]["centralLock"]["value"] == "UNLOCKED"
    assert doors["data"]["frontLeftDoor"]["value"] == "OPEN"
    assert doors["data"]["tankLid"]["value"] == "CLOSED"
    assert doors["data"]["centralLock"]["timestamp"] == "2026-11-21T08:00:00.000Z"
    _, windows, _ = await call(client, "GET", f"{CV}/{XC60}/windows", auth)
    assert windows["data"]["sunroof"]["value"] == "OPEN"
    _, windows, _ = await call(client, "GET", f"{CV}/{XC40}/windows", auth)
    assert windows["data"]["sunroof"]["value"] == "UNSPECIFIED"
    _, fuel, _ = await call(client, "GET", f"{CV}/{XC60}/fuel", auth)
    assert fuel["data"]["fuelAmount"] == {
        "value": "41.0", "unit": "l", "timestamp": "2026-11-21T08:00:00.000Z"
    }  # fmt: skip
    _, stats, _ = await call(client, "GET", f"{CV}/{XC60}/statistics", auth)
    assert {"distanceToEmptyTank", "distanceToEmptyBattery", "averageFuelConsumption"} <= set(
        stats["data"]
    )
    _, warnings, _ = await call(client, "GET", f"{CV}/{V90}/warnings", auth)
    assert warnings["data"]["brakeLightLeftWarning"]["value"] == "FAILURE"
    assert len(warnings["data"]) == 23
    _, diagnostics, _ = await call(client, "GET", f"{CV}/{V90}/diagnostics", auth)
    assert diagnostics["data"]["washerFluidLevelWarning"]["value"] == "TOO_LOW"
    assert diagnostics["data"]["timeToService"]["unit"] == "months"
    _, engine, _ = await call(client, "GET", f"{CV}/{V90}/engine-status", auth)
    assert engine["data"]["engineStatus"]["value"] == "STOPPED"


async def test_v1_car_answers_in_v1_spellings(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    auth = headers(sim)
    _, doors, _ = await call(client, "GET", f"{CV}/{XC90}/doors", auth)
    assert set(doors["data"]) == {
        "carLocked", "frontLeft", "frontRight", "rearLeft", "rearRight", "tailGate", "hood"
    }  # fmt: skip
    _, windows, _ = await call(client, "GET", f"{CV}/{XC90}/windows", auth)
    assert "frontLeft" in windows["data"]
    _, stats, _ = await call(client, "GET", f"{CV}/{XC90}/statistics", auth)
    assert {"tripMeter1", "tripMeter2", "distanceToEmpty"} <= set(stats["data"])
    assert stats["data"]["tripMeter1"]["unit"] == "kilometers"
    _, doors_v1, _ = await call(client, "GET", f"/connected-vehicle/v1/vehicles/{XC90}/doors", auth)
    assert doors_v1["data"] == doors["data"]


async def test_commands_and_accessibility(client: aiohttp.ClientSession, sim: Simulator) -> None:
    auth = headers(sim)
    _, body, _ = await call(client, "GET", f"{CV}/{V90}/commands", auth)
    assert {"command": "HONK_AND_FLASH", "href": f"/v2/vehicles/{V90}/commands/honk-flash"} in (
        body["data"]
    )
    assert "HONK" not in {item["command"] for item in body["data"]}
    _, body, _ = await call(client, "GET", f"{CV}/{V90}/command-accessibility", auth)
    assert body["data"]["availabilityStatus"]["value"] == "AVAILABLE"
    sim.volvo.cars[V90].asleep = True
    _, body, _ = await call(client, "GET", f"{CV}/{V90}/command-accessibility", auth)
    assert body["data"]["availabilityStatus"]["value"] == "UNAVAILABLE"
    assert body["data"]["availabilityStatus"]["unavailableReason"] == "POWER_SAVING_MODE"


async def test_car_falls_asleep_after_days_parked(sim: Simulator) -> None:
    car, vehicle = sim.volvo.cars[XC90], sim.world.vehicle(XC90)
    assert not car.sleeping(vehicle)
    sim.clock.advance(2 * 86400)
    assert car.sleeping(sim.world.vehicle(XC90))
    car.asleep = False
    assert not car.sleeping(vehicle)


# Energy and location


async def test_energy_state_and_capabilities(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.world.vehicle(XC40).set_phase("charge")
    auth = headers(sim)
    _, state, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC40}/state", auth)
    assert "data" not in state
    assert state["chargingStatus"]["value"] == "CHARGING"
    assert state["chargerConnectionStatus"]["value"] == "CONNECTED"
    assert state["chargingPower"] == {
        "status": "OK", "value": 11000, "unit": "watts", "updatedAt": "2026-11-21T08:00:00Z"
    }  # fmt: skip
    assert state["chargerPowerStatus"]["value"] == "PROVIDING_POWER"
    sim.world.vehicle(XC40).charge_state = "done"
    _, state, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC40}/state", auth)
    assert state["chargerPowerStatus"]["value"] == "POWER_AVAILABLE_BUT_NOT_ACTIVATED"
    _, caps, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC40}/capabilities", auth)
    assert caps["getEnergyState"]["isSupported"] is True
    assert caps["getEnergyState"]["chargingSystemStatus"] == {"isSupported": True}
    _, state, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC60}/state", auth)
    assert state["batteryChargeLevel"]["code"] == "NOT_SUPPORTED"
    assert state["targetBatteryChargeLevel"]["value"] == 100
    assert state["chargerPowerStatus"]["code"] == "NOT_SUPPORTED"
    # Reported although the capabilities deny it, as a real EX30 does.
    assert state["chargingCurrentLimit"]["value"] == 32
    _, caps, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC60}/capabilities", auth)
    assert caps["getEnergyState"]["chargingCurrentLimit"] == {"isSupported": False}
    _, caps, _ = await call(client, "GET", f"/energy/v2/vehicles/{V90}/capabilities", auth)
    assert caps["getEnergyState"]["isSupported"] is False
    limited = headers(sim, scopes=("openid", "energy:capability:read"))
    status, _, _ = await call(client, "GET", f"/energy/v2/vehicles/{XC40}/state", limited)
    assert status == 403


async def test_location_is_a_geojson_feature(client: aiohttp.ClientSession, sim: Simulator) -> None:
    sim.world.vehicle(V90).set_phase("drive")
    sim.clock.advance(300)
    _, body, _ = await call(client, "GET", f"/location/v1/vehicles/{V90}/location", headers(sim))
    feature = body["data"]
    vehicle = sim.world.vehicle(V90)
    assert feature["type"] == "Feature"
    lon, lat, altitude = feature["geometry"]["coordinates"]
    assert (lat, lon, altitude) == (
        pytest.approx(vehicle.position.lat),
        pytest.approx(vehicle.position.lon),
        0.0,
    )
    assert isinstance(feature["properties"]["heading"], str)
    assert feature["properties"]["timestamp"] == "2026-11-21T08:05:00.000Z"


async def test_index_lists_the_volvo_accounts(client: aiohttp.ClientSession) -> None:
    async with client.get("/") as response:
        page = await response.text()
    assert "volvo" in page
    assert XC40 in page
    assert "demo-vcc-api-key" in page
