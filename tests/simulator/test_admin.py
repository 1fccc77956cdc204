"""The admin HTTP API and the index page."""

from __future__ import annotations

import aiohttp

from simulator import Simulator

from .conftest import DEMO


async def test_index_lists_the_accounts(client: aiohttp.ClientSession) -> None:
    async with client.get("/") as response:
        assert response.status == 200
        page = await response.text()
    assert "demo / demo" in page
    assert "LEAF (Nissan Leaf)" in page
    assert "demo2 / demo2" in page
    assert "ZOE" in page


async def test_requests_over_http(client: aiohttp.ClientSession) -> None:
    async with client.get("/api/vehicles", params=DEMO) as response:
        assert response.status == 200
    async with client.get("/admin/requests") as response:
        body = await response.json()
    assert body["total"] == 1
    assert body["routes"] == {"GET /api/vehicles": 1}
    async with client.delete("/admin/requests") as response:
        assert (await response.json())["total"] == 0


async def test_faults_over_http(client: aiohttp.ClientSession) -> None:
    fault = {"method": "GET", "path": "/api/vehicles", "kind": "status", "status": 503, "times": 1}
    async with client.post("/admin/faults", json=fault) as response:
        assert response.status == 200
        assert len((await response.json())["faults"]) == 1
    async with client.get("/api/vehicles", params=DEMO) as response:
        assert response.status == 503
    async with client.post("/admin/faults", json={"path": "/api/*", "status": 500}) as response:
        assert response.status == 200
    hostile = {"path": "/api/x", "kind": "rate_limit", "retry_after": "inf", "body": "[]"}
    async with client.post("/admin/faults", json=hostile) as response:
        assert response.status == 200
    async with client.delete("/admin/faults") as response:
        assert (await response.json()) == {"faults": []}
    async with client.get("/api/vehicles", params=DEMO) as response:
        assert response.status == 200
    for bad in ({"kind": "teapot"}, {"status": "500"}, {"colour": "red"}, {"retry_after": 5}, [1]):
        async with client.post("/admin/faults", json=bad) as response:
            assert response.status == 400


async def test_clock_and_vehicles_over_http(sim: Simulator, client: aiohttp.ClientSession) -> None:
    async with client.post("/admin/clock", json={"advance": 3600}) as response:
        assert (await response.json())["now"] == "2026-11-21T09:00:00+00:00"
    async with client.post(
        "/admin/vehicles/LEAF", json={"online": False, "locked": False, "phase": "charge"}
    ) as response:
        row = await response.json()
    assert (row["online"], row["locked"], row["phase"]) == (False, False, "charge")
    leaf = sim.world.vehicle("LEAF")
    assert (leaf.online, leaf.locked, leaf.plugged) == (False, False, True)
    async with client.get("/admin/vehicles") as response:
        rows = {r["id"]: r for r in await response.json()}
    assert {"LEAF", "TWIZY", "KONA", "ZOE"} <= set(rows)
    assert rows["KONA"]["online"] is False
    async with client.post("/admin/vehicles/LEAF", json={"phase": "fly"}) as response:
        assert response.status == 400
    async with client.post("/admin/vehicles/LEAF", json={"online": "yes"}) as response:
        assert response.status == 400
    async with client.post("/admin/vehicles/NOPE", json={}) as response:
        assert response.status == 404
    async with client.post("/admin/clock", json={"advance": "soon"}) as response:
        assert response.status == 400


async def test_expire_sessions_over_http(client: aiohttp.ClientSession) -> None:
    async with client.get("/api/cookie", params=DEMO) as response:
        assert response.status == 200
    async with client.post("/admin/ovms/expire-sessions") as response:
        assert await response.json() == {"expired": 1}
    async with client.get("/api/vehicles") as response:
        assert response.status == 401
