"""Remote actions: request bodies, outcome mapping, and waiting for webhook results.

A remote is accepted with 202 and a ``remoteActionId``; its progress arrives
later, pushed to the registered webhook (``Message.remoteEvent``) or read
back with ``GET .../remotes/{rid}``. Pending statuses (Accepted,
WakingUpVehicle, SentToVehicle, ...) are not final; Success and AlreadyDone
are success; Failed carries a ``failureCause`` mapped to a CommandStatus.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import time
from typing import Any, Final

from ..errors import CommandFailedError
from ..models import ClimateProgramChange, Command, CommandArguments, CommandStatus
from .parse import RemoteProgress
from .values import flag, minutes, obj

LABEL: Final = "connected-vehicle"
_BODIES: Final[dict[Command, dict[str, Any]]] = {
    Command.LOCK: {"door": {"state": "Locked"}},
    Command.UNLOCK: {"door": {"state": "Unlocked"}},
    Command.HONK: {"horn": {"state": "Activated"}},
    Command.FLASH: {"lights": {"on": True}},
    Command.CLIMATE_START: {"preconditioning": {"airConditioning": {"immediate": True}}},
    Command.CLIMATE_STOP: {"preconditioning": {"airConditioning": {"immediate": False}}},
    Command.CHARGE_START: {"charging": {"immediate": True}},
    Command.CHARGE_STOP: {"charging": {"immediate": False}},
    Command.WAKE_UP: {"wakeUp": {"action": "WakeUp"}},
}
_CAUSES: Final = {
    "toomanywakeupsovermonth": CommandStatus.ASLEEP,
    "notpossibleduetovehiclebatterylevel": CommandStatus.ASLEEP,
    "vehiclebatterychargetoolow": CommandStatus.ASLEEP,
    "vehicleconnectiontimeout": CommandStatus.UNREACHABLE,
    "doorsopen": CommandStatus.DOOR_OPEN,
}
_SUCCESS: Final = frozenset({"success", "alreadydone"})
_KEPT_EARLY: Final = 64


def remote_body(command: Command, arguments: CommandArguments | None = None) -> dict[str, Any]:
    """The ``Remote`` body for ``command``; CommandFailedError when the API has no such remote."""
    if command is Command.SEND_DESTINATION:
        return {"label": LABEL, "navigation": _navigation(arguments)}
    if command in _CHARGING:
        return {"label": LABEL, "charging": _CHARGING[command](arguments or CommandArguments())}
    if command not in _BODIES:
        raise CommandFailedError(
            CommandStatus.NOT_SUPPORTED, f"{command} is not a Stellantis remote"
        )
    return {"label": LABEL, **_BODIES[command]}


def _preference(field: str, value: str | None, options: dict[str, str]) -> dict[str, Any]:
    """``RemoteCharging.preferences`` with one field: it may not share a remote with a schedule."""
    if value not in options:
        raise CommandFailedError(CommandStatus.REJECTED, f"unknown charging {field} {value!r}")
    return {"preferences": {field: options[value]}}


def _schedule(start: time | None) -> dict[str, Any]:
    """``RemoteCharging.schedule.nextDelayedTime``: the start's clock time, as PT22H30M."""
    if start is None:
        raise CommandFailedError(CommandStatus.REJECTED, "a start time is required")
    return {"schedule": {"nextDelayedTime": f"PT{start.hour}H{start.minute}M"}}


_CHARGE_LIMITS: Final = {"partial": "Partial", "full": "Full"}
_POWER_LEVELS: Final = {f"level_{n}": f"Level{n}" for n in range(1, 6)}
_CHARGING: Final[dict[Command, Callable[[CommandArguments], dict[str, Any]]]] = {
    Command.SET_CHARGE_LIMIT: lambda a: _preference("type", a.charge_limit, _CHARGE_LIMITS),
    Command.SET_CHARGING_POWER_LEVEL: lambda a: _preference(
        "level", a.charging_power_level, _POWER_LEVELS
    ),
    Command.SET_DELAYED_CHARGE_START: lambda a: _schedule(a.delayed_charge_start),
}


_WEEK: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def climate_program_body(
    change: ClimateProgramChange | None, current: dict[str, Any] | None
) -> dict[str, Any]:
    """``RemotePreconditioning`` setting one whole program (Set needs slot, enabled, occurence, start).

    What the change leaves alone comes from the program as the last status
    reported it (its days and recurrence kept); a program never reported runs daily.
    """
    if change is None:
        raise CommandFailedError(CommandStatus.REJECTED, "a program change is required")
    current = current or {}
    enabled = (
        change.enabled if change.enabled is not None else flag(current.get("enabled"), "enabled")
    )
    if change.start is not None:
        start = f"PT{change.start.hour}H{change.start.minute}M"
    elif (reported := minutes(current.get("start"), "start")) is not None:
        hours, rest = divmod(int(reported) % (24 * 60), 60)
        start = f"PT{hours}H{rest}M"
    else:
        start = "PT0S"
    days = obj(current.get("occurence")).get("day")
    recurrence = current.get("recurrence")
    program = {
        "slot": change.slot,
        "actionsType": "Set",
        "enabled": bool(enabled),
        "recurrence": recurrence if recurrence in ("None", "Daily") else "Daily",
        "start": start,
        "occurence": {
            "day": [d for d in days if d in _WEEK] if isinstance(days, list) else [*_WEEK]
        },
    }
    return {"label": LABEL, "preconditioning": {"airConditioning": {"programs": [program]}}}


def _navigation(arguments: CommandArguments | None) -> dict[str, Any]:
    """``RemoteNavigation``: one GeoJSON point, the destination (the API takes no name)."""
    destination = arguments.destination if arguments else None
    if destination is None:
        raise CommandFailedError(CommandStatus.REJECTED, "a destination is required")
    point = [destination.longitude, destination.latitude]
    return {"positions": [{"type": "Point", "coordinates": point}]}


def outcome(progress: RemoteProgress) -> CommandStatus:
    """The brand-neutral status of a final remote event."""
    if progress.status.lower() in _SUCCESS:
        return CommandStatus.SUCCESS
    cause = (progress.failure_cause or progress.status).lower()
    return _CAUSES.get(cause, CommandStatus.REJECTED)


class RemoteWaiters:
    """Futures for remote actions awaiting their final event.

    An event may arrive before the waiter exists (the webhook can beat the
    202 answer); the last few final events are kept for that case.
    """

    def __init__(self) -> None:
        """Start with nothing pending."""
        self._waiting: dict[str, asyncio.Future[RemoteProgress]] = {}
        self._early: OrderedDict[str, RemoteProgress] = OrderedDict()

    def wait_for(self, action_id: str) -> asyncio.Future[RemoteProgress]:
        """A future resolved with the action's final progress."""
        future: asyncio.Future[RemoteProgress] = asyncio.get_running_loop().create_future()
        if (early := self._early.pop(action_id, None)) is not None:
            future.set_result(early)
        else:
            self._waiting[action_id] = future
        return future

    def forget(self, action_id: str) -> None:
        """Stop waiting for ``action_id``."""
        self._waiting.pop(action_id, None)

    def update(self, progress: RemoteProgress) -> None:
        """Record an event: resolve the waiter when the event is final."""
        if not progress.done:
            return
        future = self._waiting.pop(progress.action_id, None)
        if future is None:
            self._early[progress.action_id] = progress
            while len(self._early) > _KEPT_EARLY:
                self._early.popitem(last=False)
        elif not future.done():
            future.set_result(progress)
