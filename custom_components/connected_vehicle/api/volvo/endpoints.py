"""Which of a car's endpoints to ask now, from what they answered lately.

One 404 does not mean the car lacks an endpoint: Volvo's API answers 404
for "no data right now" too, and a whole API answering 404 is an outage. An
endpoint is taken as missing only after it answered 404 in ``MISSING_AFTER``
polls in a row while the rest of its API answered, and is asked again about
daily. A 403 is a permission the account lacks, not a missing endpoint: it
is asked again hourly and reported (``denied``) until it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import logging
from typing import Final

_LOGGER = logging.getLogger(__name__)

MISSING_AFTER: Final = 3  # polls in a row answering 404
RECHECK_MISSING: Final = 86400.0  # seconds until a missing endpoint is asked again
RECHECK_DENIED: Final = 3600.0  # seconds until a refused endpoint is asked again


@dataclass
class _Record:
    misses: int = 0
    denied: bool = False
    ask_at: float = 0.0


class EndpointLedger:
    """What one car's endpoints answered lately; ``clock`` answers seconds (monotonic)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        """Every endpoint is due until it answers otherwise."""
        self._clock = clock
        self._records: dict[str, _Record] = {}

    @property
    def denied(self) -> frozenset[str]:
        """The endpoints the account may not read (403 the last time they were asked)."""
        return frozenset(name for name, record in self._records.items() if record.denied)

    def due(self, endpoint: str) -> bool:
        """Tell whether to ask ``endpoint`` in this poll."""
        record = self._records.get(endpoint)
        return record is None or self._clock() >= record.ask_at

    def answered(self, endpoint: str) -> None:
        """The endpoint answered: ask it every poll again."""
        self._records.pop(endpoint, None)

    def missing(self, endpoint: str) -> None:
        """The endpoint answered 404 while its API answered otherwise."""
        record = self._records.setdefault(endpoint, _Record())
        record.misses += 1
        if record.misses >= MISSING_AFTER:
            record.ask_at = self._clock() + RECHECK_MISSING
            _LOGGER.debug(
                "/%s answered 404 in %s polls in a row; asking again in a day",
                endpoint,
                record.misses,
            )

    def refused(self, endpoint: str) -> bool:
        """The endpoint answered 403; True when it was readable until now."""
        record = self._records.setdefault(endpoint, _Record())
        newly = not record.denied
        record.denied = True
        record.ask_at = self._clock() + RECHECK_DENIED
        return newly
