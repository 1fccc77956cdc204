"""The shared world: accounts and vehicles, advanced lazily to the clock's now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .clock import Clock
from .vehicle import Vehicle

STEP: Final = timedelta(seconds=10)


@dataclass(frozen=True)
class Account:
    """A user of one back end and the cars it may see."""

    backend: str
    username: str
    password: str
    vehicle_ids: tuple[str, ...]


class World:
    """Every account and vehicle, plus observers that watch the world change.

    Nothing runs in the background: ``advance`` brings the world from its last
    update to ``clock.now()`` in fixed steps, calling the observers after each.
    The back ends call it on every request, and ``vehicle``/``vehicles`` call it
    before they hand out a car.
    """

    def __init__(self, clock: Clock) -> None:
        """Create an empty world at the clock's current time."""
        self.clock = clock
        self.time = clock.now()
        self.accounts: list[Account] = []
        self._vehicles: dict[str, Vehicle] = {}
        self._observers: list[Callable[[datetime], None]] = []

    def add_vehicle(self, vehicle: Vehicle) -> None:
        """Put a car in the world."""
        vehicle.sync = self.advance
        self._vehicles[vehicle.id] = vehicle

    def add_account(self, account: Account) -> None:
        """Add a user account."""
        self.accounts.append(account)

    def account(self, backend: str, username: str) -> Account | None:
        """Return the back end's account called ``username``, if any."""
        return next(
            (a for a in self.accounts if a.backend == backend and a.username == username), None
        )

    def observe(self, callback: Callable[[datetime], None]) -> None:
        """Call ``callback(time)`` after every step, and once at the end of each advance."""
        self._observers.append(callback)

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """Return the car ``vehicle_id``, brought up to date (KeyError if unknown)."""
        self.advance()
        return self._vehicles[vehicle_id]

    def vehicles(self) -> list[Vehicle]:
        """Return every car, brought up to date."""
        self.advance()
        return list(self._vehicles.values())

    def advance(self) -> None:
        """Bring the world to the clock's now."""
        target = self.clock.now()
        while self.time < target:
            self.time = min(self.time + STEP, target)
            for vehicle in self._vehicles.values():
                vehicle.step(self.time)
                vehicle.note_report()
            self._notify()
        for vehicle in self._vehicles.values():
            vehicle.note_report()  # a change made between steps (a test, the admin API)
        self._notify()

    def _notify(self) -> None:
        for callback in self._observers:
            callback(self.time)
