"""The contract every back-end client fulfils."""

from __future__ import annotations

from typing import Protocol

from .models import Command, CommandResult, DataGroup, Vehicle, VehicleState


class Backend(Protocol):
    """An account at one back end: its cars, their state, their commands."""

    async def vehicles(self) -> list[Vehicle]:
        """The account's cars, with what each can report and do."""

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """A partial snapshot holding the requested groups."""

    async def invoke(self, vehicle: Vehicle, command: Command) -> CommandResult:
        """Run a command; raises CommandFailedError when it does not succeed."""

    async def logout(self) -> None:
        """Release what the account holds on the server (sessions)."""
