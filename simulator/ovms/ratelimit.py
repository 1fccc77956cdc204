"""The OVMS server's per-host request quota (ApiHttp.pm), on simulated time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

MINUTE: Final = timedelta(minutes=1)


@dataclass
class _Quota:
    left: int
    refilled: datetime
    expires: datetime


class RateLimiter:
    """A burst of 120 requests per client host, then 60 more each minute, at most 240.

    A host's quota is forgotten after 300 s without requests.
    """

    def __init__(
        self,
        burst: int = 120,
        per_minute: int = 60,
        maximum: int = 240,
        expire: timedelta = timedelta(seconds=300),
    ) -> None:
        """Configure the quota like ``[httpapi] ratelimit_http_*``."""
        self.burst = burst
        self.per_minute = per_minute
        self.maximum = maximum
        self.expire = expire
        self._quotas: dict[str, _Quota] = {}

    def allow(self, host: str, now: datetime) -> bool:
        """Count a request from ``host``; tell whether it may be served."""
        quota = self._quotas.get(host)
        if quota is None or quota.expires <= now:
            quota = self._quotas[host] = _Quota(self.burst, now, now)
        else:
            minutes = int((now - quota.refilled) / MINUTE)
            quota.left = min(self.maximum, quota.left + minutes * self.per_minute)
            quota.refilled += minutes * MINUTE
            quota.left = max(0, quota.left - 1)
        quota.expires = now + self.expire
        return quota.left > 0
