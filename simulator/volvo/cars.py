"""A car on the Volvo cloud: its profile plus what the cloud keeps per car."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from ..vehicle import Vehicle
from .profiles import VolvoProfile

# A parked car that nobody used for this long goes to sleep (the portal says 3-5 days).
SLEEP_AFTER: Final = timedelta(days=4)


@dataclass
class VolvoCar:
    """Per-car cloud state; tests and the admin API change it freely.

    ``asleep`` None lets the car fall asleep by itself after ``SLEEP_AFTER``
    parked; True or False forces it. ``outcomes`` are invoke statuses the next
    commands end with instead of the simulated one (e.g. ``TIMEOUT``).
    ``fields`` override status values by Volvo field name. ``events`` log every
    command: (time, command, final status).
    """

    profile: VolvoProfile
    asleep: bool | None = None
    outcomes: deque[str] = field(default_factory=deque)
    fields: dict[str, str] = field(default_factory=dict)
    events: list[tuple[datetime, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start from the profile's preset field values."""
        self.fields = {**self.profile.fields, **self.fields}

    def sleeping(self, vehicle: Vehicle) -> bool:
        """Tell whether the car's telematics unit is asleep now."""
        if self.asleep is not None:
            return self.asleep
        idle = timedelta(seconds=vehicle.parked_seconds())
        return not vehicle.awake and not vehicle.plugged and idle >= SLEEP_AFTER
