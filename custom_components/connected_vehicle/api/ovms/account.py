"""One OVMS account: REST for the cars and their records, protocol v2 for news and commands.

The server's REST API lists the cars and answers their last records, but
implements no command. Its protocol v2 app port relays each car message as
it comes and carries the commands, so an account with a live link pushes
news the moment a car sends it and can lock, charge, set the charge mode and
current, switch valet mode, wake the car or press its homelink. Without a
link (or while it is down) the account is read by polling alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, replace
import logging
from typing import Any, Final

from ..errors import CommandFailedError
from ..models import (
    Command,
    CommandArguments,
    CommandResult,
    CommandStatus,
    DataGroup,
    Reading,
    Vehicle,
    VehicleState,
)
from ..readings import LIVE_LINK
from .app_commands import ChargeMode, CommandCode, vehicle_commands
from .client import OvmsClient
from .connection import LinkState, LinkStatus
from .live import OvmsLiveLink

_LOGGER = logging.getLogger(__name__)

# How long Refresh waits for the car's fresh status over the live link.
REFRESH_WAIT: Final = 15.0
# The protocol v2 command behind each of ours.
COMMAND_CODES: Final[Mapping[Command, CommandCode]] = {
    Command.LOCK: CommandCode.LOCK,
    Command.UNLOCK: CommandCode.UNLOCK,
    Command.VALET_ON: CommandCode.VALET_ON,
    Command.VALET_OFF: CommandCode.VALET_OFF,
    Command.CHARGE_START: CommandCode.CHARGE_START,
    Command.CHARGE_STOP: CommandCode.CHARGE_STOP,
    Command.SET_CHARGE_MODE: CommandCode.CHARGE_MODE,
    Command.SET_CHARGE_CURRENT: CommandCode.CHARGE_CURRENT,
    Command.WAKE_UP: CommandCode.WAKE_UP,
    Command.HOMELINK: CommandCode.HOMELINK,
    Command.CLIMATE_START: CommandCode.CLIMATE,
    Command.CLIMATE_STOP: CommandCode.CLIMATE,
}
_NEEDS_PIN: Final = frozenset({Command.LOCK, Command.UNLOCK, Command.VALET_ON, Command.VALET_OFF})


class OvmsAccount:
    """The cars of one account on one OVMS server, polled over REST and followed live."""

    def __init__(self, rest: OvmsClient, link: OvmsLiveLink | None) -> None:
        """Use the REST client, and the live link unless live updates are off (None)."""
        self._rest = rest
        self._link = link
        self._stop_listening: list[Callable[[], None]] = []

    # Backend protocol

    async def vehicles(self) -> list[Vehicle]:
        """The account's cars, with the commands their vehicle type takes over the link."""
        return [self._with_commands(car) for car in await self._rest.vehicles()]

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """The requested groups' last records, over REST."""
        return await self._rest.fetch(vehicle, groups)

    def postponed(self, vehicle: Vehicle) -> frozenset[DataGroup]:
        """The groups the car's last fetch left for later (the request budget)."""
        return self._rest.postponed(vehicle)

    def prefer(self, vehicle: Vehicle, active: bool) -> None:
        """Give an active car's requests the budget first."""
        self._rest.prefer(vehicle, active)

    async def invoke(
        self, vehicle: Vehicle, command: Command, arguments: CommandArguments | None = None
    ) -> CommandResult:
        """Run a command over the live link; Refresh falls back to REST's connect."""
        if command is Command.REFRESH:
            if self._link is not None and self._link.is_up(vehicle.id):
                await self._link.refresh(vehicle.id, wait=REFRESH_WAIT)
                return CommandResult(CommandStatus.SUCCESS)
            return await self._rest.invoke(vehicle, command, arguments)
        code = COMMAND_CODES.get(command)
        if self._link is None or code is None:
            raise CommandFailedError(
                CommandStatus.NOT_SUPPORTED, f"{command} needs the OVMS live link"
            )
        params = _params(command, arguments or CommandArguments())
        await self._link.send_command(vehicle.id, code, params)
        return CommandResult(CommandStatus.SUCCESS)

    async def logout(self) -> None:
        """Hang up the live links, then end the REST session."""
        for stop in self._stop_listening:
            stop()
        self._stop_listening.clear()
        if self._link is not None:
            await self._link.stop()
        await self._rest.logout()

    # Streaming

    def stream(
        self, vehicles: Iterable[Vehicle], on_news: Callable[[str, VehicleState], None]
    ) -> None:
        """Start each car's live link; its messages and link changes go to ``on_news``."""
        if self._link is None:
            return

        def status(changed: LinkStatus) -> None:
            up = Reading(changed.state is LinkState.UP, None, changed.since)
            on_news(changed.vehicle_id, VehicleState({LIVE_LINK: up}))

        self._stop_listening += [
            self._link.add_update_listener(lambda update: on_news(update.vehicle_id, update.state)),
            self._link.add_status_listener(status),
        ]
        self._link.start(vehicle.id for vehicle in vehicles)

    def is_streaming(self, vehicle_id: str) -> bool:
        """Whether the car's live link is up."""
        return self._link is not None and self._link.is_up(vehicle_id)

    def link_details(self, vehicle_id: str) -> dict[str, Any]:
        """The car's link state, since when, its last message and how many came."""
        if self._link is None:
            return {"state": "off"}
        details = asdict(self._link.status(vehicle_id))
        details.pop("vehicle_id")
        return details

    # Internals

    def _with_commands(self, car: Vehicle) -> Vehicle:
        if self._link is None:
            return car
        codes = vehicle_commands(car.model_code)
        if codes is None:
            _LOGGER.debug("Unknown OVMS vehicle type %s: no commands offered", car.model_code)
            return car
        offered = {command for command, code in COMMAND_CODES.items() if code in codes}
        return replace(car, commands=car.commands | offered)


def _params(command: Command, arguments: CommandArguments) -> tuple[str, ...]:
    """The protocol v2 parameters of a command, or CommandFailedError when one is missing."""
    if command in _NEEDS_PIN:
        pin = (arguments.pin or "").strip()
        if not pin or "," in pin:
            raise CommandFailedError(CommandStatus.PIN_REQUIRED, f"{command} needs the car's PIN")
        return (pin,)
    if command is Command.SET_CHARGE_MODE:
        mode = ChargeMode.__members__.get((arguments.charge_mode or "").upper())
        if mode is None:
            raise CommandFailedError(CommandStatus.REJECTED, "no such charge mode")
        return (str(int(mode)),)
    if command is Command.SET_CHARGE_CURRENT:
        if arguments.charge_current is None or not 1 <= arguments.charge_current <= 255:
            raise CommandFailedError(CommandStatus.REJECTED, "charge current must be 1-255 A")
        return (str(arguments.charge_current),)
    if command in (Command.CLIMATE_START, Command.CLIMATE_STOP):
        return ("1" if command is Command.CLIMATE_START else "0",)
    if command is Command.HOMELINK:
        return ("0",)
    return ()
