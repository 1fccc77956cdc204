"""Remote commands: their outcome, what they change in the world, and v1 async requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import secrets
import time
from typing import Final

from ..vehicle import NaviDestination, Vehicle
from .cars import VolvoCar

COMPLETED: Final = "COMPLETED"
CLIMATE_MINUTES: Final = 30
# A v1 request reports its final status once this much real or simulated time has passed.
ASYNC_REAL_SECONDS: Final = 0.3
ASYNC_SIM_SECONDS: Final = 10.0
_LOCKS: Final = frozenset({"LOCK", "LOCK_REDUCED_GUARD"})
_DOORS: Final = ("fl", "fr", "rl", "rr", "trunk", "hood")


def outcome(car: VolvoCar, vehicle: Vehicle, command: str) -> str:
    """The invoke status ``command`` ends with, given the car's state now."""
    if car.outcomes:
        return car.outcomes.popleft()
    if not vehicle.online:
        return "TIMEOUT"
    if car.sleeping(vehicle):
        return car.profile.sleep_status
    if vehicle.car_on:
        return "NOT_ALLOWED_WRONG_USAGE_MODE"
    if command in _LOCKS and any(vehicle.doors[door] for door in _DOORS):
        return "UNABLE_TO_LOCK_DOOR_OPEN"
    return COMPLETED


def apply(
    vehicle: Vehicle,
    command: str,
    runtime_minutes: int,
    now: datetime,
    poi: NaviDestination | None = None,
    *,
    unlock_seconds: int | None = None,
) -> None:
    """Change the world as a completed ``command`` does (``poi``, ``unlock_seconds``: its body's)."""
    if command in _LOCKS:
        vehicle.lock_remotely(True)
    elif command == "UNLOCK":
        vehicle.lock_remotely(False)
        vehicle.unlock_seconds = unlock_seconds
    elif command == "ENGINE_START":
        vehicle.engine_until = now + timedelta(minutes=runtime_minutes)
    elif command == "ENGINE_STOP":
        vehicle.engine_until = None
    elif command == "CLIMATIZATION_START":
        vehicle.climate_until = now + timedelta(minutes=CLIMATE_MINUTES)
    elif command == "CLIMATIZATION_STOP":
        vehicle.climate_until = None
    elif command == "SEND_NAVI_POI":
        vehicle.navigation = poi


def run(
    car: VolvoCar,
    vehicle: Vehicle,
    command: str,
    runtime_minutes: int,
    now: datetime,
    *,
    poi: NaviDestination | None = None,
    unlock_seconds: int | None = None,
) -> str:
    """Decide the outcome, apply it when it succeeds, log it; return the invoke status."""
    status = outcome(car, vehicle, command)
    if status == COMPLETED:
        apply(vehicle, command, runtime_minutes, now, poi, unlock_seconds=unlock_seconds)
    car.events.append((now, command, status))
    return status


def message(status: str) -> str:
    """A human explanation of an invoke status."""
    return {
        COMPLETED: "",
        "VEHICLE_IN_SLEEP": "The vehicle is in sleep mode",
        "VEHICLE_IN_SLEEP_MODE": "The vehicle is in sleep mode",
        "UNABLE_TO_LOCK_DOOR_OPEN": "Unable to lock, a door is open",
        "UNLOCK_TIME_FRAME_PASSED": "The vehicle was not opened within the unlock time frame",
        "TIMEOUT": "The vehicle did not answer in time",
        "NOT_ALLOWED_WRONG_USAGE_MODE": "The vehicle is in use",
    }.get(status, "The command was rejected")


@dataclass
class AsyncRequest:
    """A v1 command whose final status the client fetches from ``href``."""

    id: str
    vin: str
    command: str
    status: str
    created: datetime
    began: float

    def current(self, now: datetime) -> str:
        """``RUNNING`` until enough time passed, then the final status."""
        real = time.monotonic() - self.began >= ASYNC_REAL_SECONDS
        simulated = (now - self.created).total_seconds() >= ASYNC_SIM_SECONDS
        return self.status if real or simulated else "RUNNING"


class AsyncRequests:
    """The v1 invocation log."""

    def __init__(self) -> None:
        """Start empty."""
        self._requests: dict[str, AsyncRequest] = {}

    def add(self, vin: str, command: str, status: str, now: datetime) -> AsyncRequest:
        """Log a command that ends with ``status``."""
        request = AsyncRequest(secrets.token_hex(16), vin, command, status, now, time.monotonic())
        self._requests[request.id] = request
        return request

    def get(self, vin: str, request_id: str) -> AsyncRequest | None:
        """The request ``request_id`` of car ``vin``, if any."""
        request = self._requests.get(request_id)
        return request if request is not None and request.vin == vin else None
