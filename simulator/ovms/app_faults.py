"""Faults of the protocol v2 app port, injected per car (a glob on the vehicle id).

Kinds: ``refuse`` (sign-ins are refused: closed without an answer),
``slow`` (the sign-in answer and command replies wait ``seconds``),
``silent`` (the car never answers commands), ``stall`` (the server stops
sending anything, pings included, on open and new connections). ``times``
counts uses (sign-ins, replies, connections); None means until cleared.
Dropping the open links is an action, not a fault: ``AppServer.drop``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import fnmatch
from typing import Any, Final, Literal, cast, get_args

AppFaultKind = Literal["refuse", "slow", "silent", "stall"]
APP_FAULT_KINDS: Final = frozenset(get_args(AppFaultKind))


@dataclass
class AppFault:
    """One injected fault."""

    kind: AppFaultKind
    vehicle: str
    seconds: float
    times: int | None


class AppFaults:
    """The active app-port faults, first added first matched."""

    def __init__(self) -> None:
        """Start without faults."""
        self._faults: list[AppFault] = []

    def add(
        self, kind: str, vehicle: str = "*", *, seconds: float = 0.0, times: int | None = None
    ) -> None:
        """Inject a fault for the cars whose id matches ``vehicle``."""
        if kind not in APP_FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(APP_FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for until cleared")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._faults.append(AppFault(cast("AppFaultKind", kind), vehicle, seconds, times))

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def active(self) -> list[dict[str, Any]]:
        """Return the active faults as plain dicts."""
        return [asdict(fault) for fault in self._faults]

    def peek(self, kind: AppFaultKind, vehicle_id: str) -> AppFault | None:
        """Return the fault of ``kind`` that applies to the car, without using it up."""
        return next(
            (
                fault
                for fault in self._faults
                if fault.kind == kind and fnmatch.fnmatchcase(vehicle_id, fault.vehicle)
            ),
            None,
        )

    def take(self, kind: AppFaultKind, vehicle_id: str) -> AppFault | None:
        """Return the fault of ``kind`` that applies to the car, using up one of its times."""
        fault = self.peek(kind, vehicle_id)
        if fault is not None and fault.times is not None:
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
        return fault
