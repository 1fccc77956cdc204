"""The calls one VCC API key may make: a daily quota and a command rate, shared by all its users."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
import time
from typing import Final

from ..errors import LONGEST_QUOTA_WAIT, QuotaExhaustedError, RateLimitedError, bounded_wait

DAY: Final = 86400
DEFAULT_DAILY_LIMIT: Final = 10_000
COMMANDS_PER_MINUTE: Final = 10
_MINUTE: Final = 60.0


class ApiKeyQuota:
    """Counts one API key's calls per UTC day and holds calls back when they would be refused.

    Share one instance between every account and car that uses the key. After
    the gateway says the quota is used up, ``check`` refuses calls locally (no
    request is sent) until the gateway's replenish time. ``acquire_command``
    keeps commands under the gateway's limit of 10 a minute.
    """

    def __init__(
        self,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        *,
        commands_per_minute: int = COMMANDS_PER_MINUTE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Count against ``daily_limit`` calls a day; ``clock`` answers epoch seconds."""
        self.daily_limit = daily_limit
        self._commands_per_minute = commands_per_minute
        self._clock = clock
        self._day = self._today()
        self._calls = 0
        self._blocked_until: float | None = None
        self._commands: deque[float] = deque()

    @property
    def calls_today(self) -> int:
        """Calls sent with the key since the last UTC midnight."""
        self._roll()
        return self._calls

    @property
    def blocked_for(self) -> float:
        """Seconds until calls may be sent again (0 when they may now)."""
        if self._blocked_until is None:
            return 0.0
        return min(max(0.0, self._blocked_until - self._clock()), LONGEST_QUOTA_WAIT)

    def check(self) -> None:
        """Raise RateLimitedError while the gateway's quota is known to be used up."""
        wait = self.blocked_for
        if wait > 0:
            raise QuotaExhaustedError(
                "Volvo API key quota used up; not sending until it replenishes",
                retry_after=wait,
            )
        self._blocked_until = None

    def record_call(self) -> None:
        """Count one call sent with the key."""
        self._roll()
        self._calls += 1

    def block(self, seconds: float) -> None:
        """Hold every call back for ``seconds`` (the gateway said the quota is used up).

        Bounded like every wait, to a day at most: a hostile or garbled answer
        cannot hold the key back for longer.
        """
        wait = bounded_wait(seconds, LONGEST_QUOTA_WAIT, shortest=0.0)
        self._blocked_until = self._clock() + (wait or 0.0)

    def acquire_command(self) -> None:
        """Count a command, or raise RateLimitedError if it would exceed the per-minute limit."""
        now = self._clock()
        while self._commands and self._commands[0] <= now - _MINUTE:
            self._commands.popleft()
        if len(self._commands) >= self._commands_per_minute:
            raise RateLimitedError(
                "Too many Volvo commands this minute",
                retry_after=self._commands[0] + _MINUTE - now,
            )
        self._commands.append(now)

    @property
    def day(self) -> int:
        """The day being counted (days since 1970, UTC)."""
        self._roll()
        return self._day

    def restore(self, day: int, calls: int) -> None:
        """Count on from ``calls`` made earlier today (after a restart); another day's are gone."""
        self._roll()
        if day == self._day and calls > self._calls:
            self._calls = calls

    def _today(self) -> int:
        return int(self._clock() // DAY)

    def _roll(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self._calls = today, 0
