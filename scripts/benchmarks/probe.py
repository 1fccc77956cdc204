"""A middleware the benchmarks wrap around the simulator: its answers, and their CPU.

The simulator runs on Home Assistant's event loop, so the main thread's CPU includes
its handlers; the probe sums them so that a bench can subtract them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import time

from aiohttp import web
from aiohttp.typedefs import Handler


@dataclass(frozen=True)
class Answer:
    """One request the simulator answered (loop time: simulated)."""

    start: float
    end: float
    method: str
    path: str
    status: int
    flag: object  # what the probe's ``flag`` said right after the answer


@dataclass
class Probe:
    """A middleware around the simulator's app: answers in order, and their thread CPU."""

    log: list[Answer] = field(default_factory=list)
    cpu: float = 0.0
    flag: Callable[[], object] = lambda: None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Time the request and sum the thread CPU its handler used."""
        loop = asyncio.get_running_loop()
        start, before = loop.time(), time.thread_time()
        status = 0
        try:
            response = await handler(request)
            status = response.status
            return response
        finally:
            flag = self.flag()
            self.cpu += time.thread_time() - before
            if not request.path.startswith(("/pictures/", "/admin/")):
                answer = Answer(start, loop.time(), request.method, request.path, status, flag)
                self.log.append(answer)
