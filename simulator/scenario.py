"""Daily plans that drive the cars: when to park, drive and charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
import math
from typing import Final, Literal, get_args

from .geo import Point

Phase = Literal["park", "drive", "charge"]
PHASES: Final = frozenset(get_args(Phase))


@dataclass(frozen=True)
class Leg:
    """From ``at`` (UTC time of day) on, the car parks, drives ``via`` or charges.

    A drive ends by itself at the last waypoint after ``minutes``, and the car parks
    there. A charge stops adding energy at the car's charge limit but stays plugged
    in. Either lasts until the next leg of the plan begins.
    """

    at: time
    phase: Phase
    via: tuple[Point, ...] = ()
    minutes: float = 0.0


@dataclass(frozen=True)
class Plan:
    """The legs of one day, repeated every day."""

    legs: tuple[Leg, ...] = ()

    def __post_init__(self) -> None:
        """Keep the legs in time-of-day order."""
        object.__setattr__(self, "legs", tuple(sorted(self.legs, key=lambda leg: leg.at)))

    def current(self, when: datetime) -> tuple[datetime, Leg] | None:
        """Return the leg running at ``when`` and the moment it began, if any."""
        for day in (when.date(), when.date() - timedelta(days=1)):
            for leg in reversed(self.legs):
                began = datetime.combine(day, leg.at, tzinfo=UTC)
                if began <= when:
                    return began, leg
        return None


def ambient_temperature(when: datetime) -> float:
    """Return a November day's outside temperature: about 3 °C at night, 11 °C mid-afternoon."""
    hours = when.hour + when.minute / 60 + when.second / 3600
    return 7.0 + 4.0 * math.sin(2 * math.pi * (hours - 9) / 24)
