"""VCC API keys: which are valid, their daily call quota and their command rate."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

DEMO_API_KEY: Final = "demo-vcc-api-key"
DAILY_QUOTA: Final = 10_000
COMMANDS_PER_MINUTE: Final = 10
_MINUTE: Final = timedelta(minutes=1)


@dataclass
class _Key:
    quota: int
    counts: dict[date, int] = field(default_factory=dict)
    commands: deque[datetime] = field(default_factory=deque)


class ApiKeys:
    """The developer applications' keys.

    Every accepted call counts against its key's quota for the UTC day of the
    simulated clock; beyond it the gateway refuses calls until midnight UTC.
    Commands are further limited to ``COMMANDS_PER_MINUTE`` per key.
    """

    def __init__(self) -> None:
        """Start with the demo key only."""
        self._keys: dict[str, _Key] = {}
        self.add(DEMO_API_KEY)

    def add(self, key: str, quota: int = DAILY_QUOTA) -> None:
        """Accept ``key`` with a daily quota of ``quota`` calls."""
        self._keys[key] = _Key(quota)

    def remove(self, key: str) -> None:
        """Stop accepting ``key`` (KeyError if unknown)."""
        del self._keys[key]

    def set_quota(self, key: str, quota: int) -> None:
        """Change the daily quota of ``key`` (KeyError if unknown)."""
        if quota < 0:
            raise ValueError("quota must not be negative")
        self._keys[key].quota = quota

    def valid(self, key: str) -> bool:
        """Tell whether ``key`` belongs to an application."""
        return key in self._keys

    def calls(self, key: str, day: date) -> int:
        """Return how many calls ``key`` made on the UTC ``day``."""
        entry = self._keys.get(key)
        return entry.counts.get(day, 0) if entry else 0

    def snapshot(self, day: date) -> dict[str, dict[str, int]]:
        """Return every key's quota and calls on ``day``."""
        return {
            key: {"quota": entry.quota, "calls": entry.counts.get(day, 0)}
            for key, entry in self._keys.items()
        }

    def spend(self, key: str, now: datetime) -> timedelta | None:
        """Count a call; return the time until the quota replenishes if it is used up."""
        entry = self._keys[key]
        day = now.date()
        if entry.counts.get(day, 0) >= entry.quota:
            midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), now.tzinfo)
            return midnight - now
        entry.counts[day] = entry.counts.get(day, 0) + 1
        return None

    def command(self, key: str, now: datetime) -> float | None:
        """Count a command; return seconds to wait if the key sent too many this minute."""
        window = self._keys[key].commands
        while window and window[0] <= now - _MINUTE:
            window.popleft()
        if len(window) >= COMMANDS_PER_MINUTE:
            return (window[0] + _MINUTE - now).total_seconds()
        window.append(now)
        return None


def quota_message(wait: timedelta) -> str:
    """The gateway's words when a key's quota is used up."""
    seconds = max(0, int(wait.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return (
        "Out of call volume quota. Quota will be replenished in "
        f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}."
    )
