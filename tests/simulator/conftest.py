"""Fixtures: a fresh simulator on 127.0.0.1, a client with its own cookie jar, a webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from simulator import Simulator

START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
DEMO = {"username": "demo", "password": "demo"}

Serve = Callable[[Simulator], Awaitable[aiohttp.ClientSession]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the repository-wide fixture: the simulator needs no Home Assistant."""


@pytest.fixture
def sim() -> Simulator:
    """A fresh world at 08:00 UTC with a manual clock and no rate limit."""
    return Simulator(start=START, realtime=False, rate_limit=False)


@pytest.fixture
async def serve(socket_enabled: None) -> AsyncIterator[Serve]:
    """Serve simulators on 127.0.0.1; each gets a client with its own cookie jar.

    Home Assistant's test plugin blocks sockets; ``socket_enabled`` allows them,
    to 127.0.0.1 only.
    """
    servers: list[TestServer] = []
    clients: list[aiohttp.ClientSession] = []

    async def start(simulator: Simulator) -> aiohttp.ClientSession:
        server = TestServer(simulator.app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        client = aiohttp.ClientSession(
            base_url=server.make_url("/"), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        clients.append(client)
        return client

    try:
        yield start
    finally:
        for client in clients:
            await client.close()
        for server in servers:
            await server.close()


@pytest.fixture
async def client(sim: Simulator, serve: Serve) -> aiohttp.ClientSession:
    """A client of ``sim``, not logged in."""
    return await serve(sim)


@pytest.fixture
async def demo(client: aiohttp.ClientSession) -> aiohttp.ClientSession:
    """A client logged in as demo/demo (session cookie)."""
    await login(client)
    return client


async def login(
    client: aiohttp.ClientSession, username: str = "demo", password: str = "demo"
) -> aiohttp.ClientResponse:
    """Log in with ``GET /api/cookie``; the cookie lands in the client's jar."""
    async with client.get(
        "/api/cookie", params={"username": username, "password": password}
    ) as response:
        await response.read()
        return response


async def get_json(client: aiohttp.ClientSession, path: str, **params: str) -> Any:
    """GET ``path`` and return its JSON body, asserting a 200."""
    async with client.get(path, params=params) as response:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"] == "application/json"
        return await response.json()


async def get_dict(client: aiohttp.ClientSession, path: str, **params: str) -> dict[str, Any]:
    """GET ``path`` and return its JSON object."""
    body = await get_json(client, path, **params)
    assert isinstance(body, dict)
    return body


@dataclass
class Receiver:
    """A webhook target that records what it is sent."""

    url: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    async def final(self, action_id: str) -> dict[str, Any]:
        """The Done event of ``action_id``, once it arrives."""
        async with asyncio.timeout(3.0):
            while True:
                for message in self.messages:
                    event = message["remoteEvent"]
                    if (
                        event["remoteActionId"] == action_id
                        and event["eventStatus"]["type"] == "Done"
                    ):
                        return dict(event["eventStatus"])
                await asyncio.sleep(0.02)


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """A webhook receiver on 127.0.0.1."""
    app = web.Application()
    found = Receiver("")

    async def hook(request: web.Request) -> web.Response:
        found.messages.append(await request.json())
        found.headers.append(dict(request.headers))
        return web.Response(status=200)

    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    found.url = str(server.make_url("/hook"))
    yield found
    await server.close()
