"""Fault injection and request counting."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from simulator import Simulator

from .conftest import DEMO, get_dict

STATUS = "/api/status/LEAF"
STATUS_ROUTE = "/api/status/{vehicle_id}"


async def test_status_fault_answers_once(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(method="GET", path="/api/status/*", kind="status", status=500, times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 500
        assert response.headers["Content-Type"] == "text/plain"
        assert await response.text() == "500 Internal Server Error\n"
    assert (await get_dict(client, STATUS, **DEMO))["soc"] == "84.5"


async def test_latency_then_the_real_answer(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="latency", seconds=0.3, times=1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert (await get_dict(client, STATUS, **DEMO))["soc"] == "84.5"
    assert loop.time() - began >= 0.3


async def test_latency_ends_when_the_client_gives_up(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    sim.faults.add(path=STATUS, kind="latency", seconds=30)
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(TimeoutError):
        await client.get(STATUS, params=DEMO, timeout=aiohttp.ClientTimeout(total=0.2))
    assert loop.time() - began < 5  # and the server's task ends too (no lingering task)


async def test_malformed_json(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="malformed", times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(await response.text())


async def test_truncated_body(sim: Simulator, client: aiohttp.ClientSession) -> None:
    async with client.get(STATUS, params=DEMO) as response:
        whole = await response.read()
    sim.faults.add(path=STATUS, kind="truncated", times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        half = await response.read()
    assert half == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(half)


async def test_together_holds_requests_until_all_have_come(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    """Two requests sent at once are both answered; one alone waits its bound and gets 504."""
    sim.faults.add(path="/api/status/*", kind="together", times=2, seconds=30)
    leaf, twizy = await asyncio.gather(
        get_dict(client, STATUS, **DEMO), get_dict(client, "/api/status/TWIZY", **DEMO)
    )
    assert leaf["soc"] == "84.5"
    assert "soc" in twizy
    assert sim.faults.active() == []
    sim.faults.add(path="/api/status/*", kind="together", times=2, seconds=0)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 504


async def test_html_error_page(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="html", times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 502
        assert response.headers["Content-Type"] == "text/html"
        assert await response.text() == "<html><body><h1>502 Bad Gateway</h1></body></html>"


async def test_dropped_connection(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="drop", times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.get(STATUS, params=DEMO)
    # The client retried at once; the retry was dropped too, without using up the fault.
    assert sim.requests.count(method="GET", route=STATUS_ROUTE) == 2
    assert (await get_dict(client, STATUS, **DEMO))["soc"] == "84.5"


async def test_rate_limit_fault(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="rate_limit", seconds=42, times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "42"
        assert await response.text() == "Too many requests\n"


async def test_rate_limit_with_any_retry_after_text(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    """A hostile server's Retry-After goes out as given (the client must cope)."""
    sim.faults.add(path=STATUS, kind="rate_limit", retry_after="nan", times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "nan"


async def test_deep_and_empty_bodies(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, kind="deep", times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 200
        body = await response.text()
    assert body == "[" * 100_000 + "]" * 100_000
    sim.faults.add(path=STATUS, kind="empty", status=200, times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 200
        assert await response.read() == b""


async def test_status_with_a_json_body(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.faults.add(path=STATUS, status=404, body='{"code": []}', times=1)
    async with client.get(STATUS, params=DEMO) as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
        assert await response.json() == {"code": []}


async def test_fault_matching(sim: Simulator, client: aiohttp.ClientSession) -> None:
    """Method and glob must match; times=None lasts until cleared."""
    sim.faults.add(method="DELETE", path="/api/*", status=503)
    sim.faults.add(method="*", path="/api/charge/*", status=503)
    assert (await get_dict(client, STATUS, **DEMO))["soc"] == "84.5"
    for _ in range(3):
        async with client.get("/api/charge/LEAF", params=DEMO) as response:
            assert response.status == 503
    async with client.delete("/api/vehicle/LEAF", params=DEMO) as response:
        assert response.status == 503
    sim.faults.clear()
    async with client.get("/api/charge/LEAF", params=DEMO) as response:
        assert response.status == 200


def test_bad_faults_are_refused(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sim.faults.add(kind="teapot")
    with pytest.raises(ValueError, match="times"):
        sim.faults.add(times=0)
    with pytest.raises(ValueError, match="together needs times"):
        sim.faults.add(kind="together")


async def test_requests_are_counted_per_route(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    sim.faults.add(path="/api/location/*", status=500, times=1)
    for path in (STATUS, "/api/status/TWIZY", "/api/location/LEAF", "/api/nosuchthing"):
        async with client.get(path, params=DEMO) as response:
            await response.read()
    async with client.get("/admin/requests") as response:  # admin and index are not counted
        await response.read()
    async with client.get("/") as response:
        await response.read()
    assert sim.requests.count(method="GET", route=STATUS_ROUTE) == 2
    assert sim.requests.count(method="GET", route="/api/location/{vehicle_id}") == 1  # faulted
    assert sim.requests.count(method="DELETE", route=STATUS_ROUTE) == 0
    assert sim.requests.total() == 4
    assert sim.requests.snapshot() == {
        "GET /api/status/{vehicle_id}": 2,
        "GET /api/location/{vehicle_id}": 1,
        "GET /api/{tail}": 1,
    }
    assert sim.requests.by_path()["GET /api/status/TWIZY"] == 1
    sim.requests.reset()
    assert sim.requests.total() == 0
    assert sim.requests.snapshot() == {}
