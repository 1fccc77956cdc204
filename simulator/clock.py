"""Simulated time: a manual clock for tests, a scaled wall clock for the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
import time


class Clock:
    """The simulator's notion of now, as an aware UTC datetime.

    Manual (``realtime=False``): time stands still until ``advance`` moves it.
    Realtime: time runs with the wall clock multiplied by ``speed``; ``advance``
    still jumps ahead on top of that.
    """

    def __init__(self, start: datetime, *, realtime: bool = False, speed: float = 1.0) -> None:
        """Start the clock at ``start`` (must be timezone aware)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.realtime = realtime
        self.speed = speed
        self._start = start
        self._origin = time.monotonic()
        self._offset = timedelta()

    def now(self) -> datetime:
        """Return the simulated current time."""
        now = self._start + self._offset
        if self.realtime:
            now += timedelta(seconds=(time.monotonic() - self._origin) * self.speed)
        return now

    def advance(self, seconds: float) -> None:
        """Move simulated time forward; the world catches up on its next use."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._offset += timedelta(seconds=seconds)
