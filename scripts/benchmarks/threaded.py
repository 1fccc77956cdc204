"""The simulator served from a thread of its own, for benchmarks that measure CPU.

On Home Assistant's event loop the simulator's request handling would count as the
integration's; on a loop of its own in another thread it does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import threading

from aiohttp import web
import pytest
from yarl import URL

from simulator import Simulator


class ThreadedServer:
    """The simulator on 127.0.0.1, on an event loop of its own in another thread.

    So the CPU time of Home Assistant's loop thread is the integration's (and Home
    Assistant's), not the simulator's.
    """

    def __init__(self, app: web.Application) -> None:
        """Start serving ``app`` on a free port."""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(app, access_log=None)
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> int:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # noqa: SLF001 - the port the system chose
        assert isinstance(server, asyncio.Server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    def make_url(self, path: str) -> URL:
        """The address of ``path`` on the simulator."""
        return URL(f"http://127.0.0.1:{self.port}{path}")

    def close(self) -> None:
        """Stop serving and end the thread."""
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(name="sim_server")
def threaded_sim_server(sim: Simulator, socket_enabled: None) -> Iterator[ThreadedServer]:
    """The simulator served from a thread of its own (a module imports it to use it)."""
    server = ThreadedServer(sim.app)
    try:
        yield server
    finally:
        server.close()
