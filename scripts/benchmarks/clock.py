"""A virtual clock for benchmarks: Home Assistant, its event loop and the simulator in step.

Under freezegun the event loop's time is the frozen time too, so moving the frozen
time makes every timer that falls due run as it would (coordinator refreshes, the
live link's pings, the simulator's ticker). Between steps the clock waits in real
time until the loopback traffic and the state machine have gone quiet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback

from simulator import Simulator

QUIET_WINDOW = 0.01  # seconds of real time without a request or a state write
QUIET_WINDOWS = 3


class VirtualClock:
    """Moves simulated time on and lets everything that fell due run."""

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: Simulator) -> None:
        """Start counting state writes."""
        self.hass, self.freezer, self.sim = hass, freezer, sim
        self.elapsed = 0.0
        self.writes = 0
        hass.bus.async_listen("state_changed", self._count)
        # The test harness runs the loop in debug mode, which records a stack for every
        # callback (slow over a simulated day) and takes each step for a slow callback.
        hass.loop.set_debug(False)

    @callback
    def _count(self, _event: Event) -> None:
        self.writes += 1

    async def settle(self) -> None:
        """Wait until no request reaches the simulator and no state is written for a while."""
        quiet, last = 0, (-1, -1)
        while quiet < QUIET_WINDOWS:
            # Not hass.async_block_till_done: a task waiting for a timer would wait for
            # ever, as time moves only between steps.
            await asyncio.to_thread(time.sleep, QUIET_WINDOW)
            now = (self.sim.requests.total(), self.writes)
            quiet = quiet + 1 if now == last else 0
            last = now

    async def finish(self) -> None:
        """Unload every entry and stop the app port while time still runs virtually.

        In pytest's teardown freezegun may hand some callers the real clock (it
        ignores pytest's runner frames), so clients and timers would disagree on the
        time: everything that waits on a timer stops here, before the teardown.
        """
        await self.meanwhile(self._stop(self.hass.config_entries.async_entries()))

    async def meanwhile[T](self, work: Awaitable[T]) -> T:
        """Await ``work`` while time runs on a second per step (it may wait on timers)."""
        task = asyncio.ensure_future(work)
        while not task.done():
            self.freezer.tick(1.0)
            self.sim.clock.advance(1.0)
            self.elapsed += 1.0
            await asyncio.to_thread(time.sleep, 0.005)
        return await task

    async def _stop(self, entries: list[ConfigEntry]) -> None:
        for entry in entries:
            if entry.state is ConfigEntryState.LOADED:
                await self.hass.config_entries.async_unload(entry.entry_id)
        await self.sim.ovms.app_server.stop()

    async def run(
        self,
        seconds: float,
        step: float,
        each_step: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Let ``seconds`` of simulated time pass, ``step`` at a time."""
        end = self.elapsed + seconds
        while self.elapsed < end:
            delta = min(step, end - self.elapsed)
            self.freezer.tick(delta)
            self.sim.clock.advance(delta)
            self.elapsed += delta
            await self.settle()
            if each_step is not None:
                await each_step()
                await self.settle()
