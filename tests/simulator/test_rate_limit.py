"""The OVMS server's per-host quota: a burst of 120, then 60 a minute, then a held 429."""

from __future__ import annotations

import asyncio

import aiohttp

from simulator import Simulator

from .conftest import START, Serve

HOLD = 0.05


async def statuses(client: aiohttp.ClientSession, count: int) -> list[int]:
    """Send ``count`` cheap requests (unknown calls need no login) and collect the codes."""
    codes = []
    for _ in range(count):
        async with client.get("/api/nosuchthing") as response:
            await response.read()
            codes.append(response.status)
    return codes


async def test_burst_then_refill_then_expiry(serve: Serve) -> None:
    sim = Simulator(start=START, rate_limit=True, rate_limit_hold=HOLD)
    client = await serve(sim)
    assert await statuses(client, 120) == [404] * 120
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with client.get("/api/vehicles") as response:
        assert response.status == 429
        assert response.reason == "Too many requests"
        assert await response.text() == "Too many requests\n"
    assert loop.time() - began >= HOLD
    sim.clock.advance(30)
    assert await statuses(client, 1) == [429]  # no refill before a full minute
    sim.clock.advance(30)
    assert await statuses(client, 61) == [404] * 59 + [429] * 2  # +60 after one minute
    sim.clock.advance(301)  # an idle host is forgotten: a new burst
    assert await statuses(client, 121) == [404] * 120 + [429]
    assert sim.requests.total() == 120 + 1 + 1 + 61 + 121  # refused requests count too


async def test_no_limit_when_disabled(sim: Simulator, client: aiohttp.ClientSession) -> None:
    assert set(await statuses(client, 130)) == {404}
