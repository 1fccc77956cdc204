"""Protocol v2 commands: codes, the car's ``c`` replies, and which car type takes which.

An app sends ``C<code>,<parameters>``; the server passes it to the car, and
the car answers ``c<code>,<result>,<text or fields>`` with result 0 (ok),
1 (failed, with a reason), 2 (unsupported) or 3 (unimplemented). Feature and
parameter lists come back as one reply per entry,
``c1,0,<index>,<count>,<value>``.

Where the documents and the module differ: v3 module firmware answers a
command its vehicle type does not implement with 1 (failed, no text), not 3,
and it answers an unknown code with 2; v2 firmware and the server's demo car
answer 3. Either way the command is refused.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
import logging
from typing import Final

from ..errors import CommandFailedError, ProtocolError
from ..models import CommandStatus

_LOGGER = logging.getLogger(__name__)

MAX_REPLY_TEXT: Final = 200
MAX_LIST_ENTRIES: Final = 256


class CommandCode(IntEnum):
    """The command numbers of protocol v2 (documents: "Commands and Expected Responses")."""

    FEATURE_LIST = 1
    SET_FEATURE = 2
    PARAMETER_LIST = 3
    SET_PARAMETER = 4
    REBOOT = 5
    CHARGE_ALERT = 6
    SHELL = 7  # an SMS command on v2 firmware, a shell command on v3
    CHARGE_MODE = 10
    CHARGE_START = 11
    CHARGE_STOP = 12
    CHARGE_CURRENT = 15
    CHARGE_MODE_AND_CURRENT = 16
    CHARGE_TIMER = 17
    WAKE_UP = 18
    WAKE_UP_TEMPERATURE = 19
    LOCK = 20
    VALET_ON = 21
    UNLOCK = 22
    VALET_OFF = 23
    HOMELINK = 24
    COOLDOWN = 25
    CLIMATE = 26  # v3 firmware: 1 on, 0 off


class ReplyResult(IntEnum):
    """The result field of a ``c`` reply."""

    OK = 0
    FAILED = 1
    UNSUPPORTED = 2
    UNIMPLEMENTED = 3


class ChargeMode(IntEnum):
    """Charge modes as command 10 numbers them (the S message names them)."""

    STANDARD = 0
    STORAGE = 1
    RANGE = 3
    PERFORMANCE = 4


LIST_COMMANDS: Final = frozenset({CommandCode.FEATURE_LIST, CommandCode.PARAMETER_LIST})
# Every v3 module handles these itself, whatever the car.
MODULE_COMMANDS: Final = frozenset(
    {
        CommandCode.FEATURE_LIST,
        CommandCode.SET_FEATURE,
        CommandCode.PARAMETER_LIST,
        CommandCode.SET_PARAMETER,
        CommandCode.REBOOT,
        CommandCode.CHARGE_ALERT,
        CommandCode.SHELL,
    }
)
_LOCKS = frozenset({CommandCode.LOCK, CommandCode.UNLOCK})
_VALET = frozenset({CommandCode.VALET_ON, CommandCode.VALET_OFF})
_CHARGE = frozenset({CommandCode.CHARGE_START, CommandCode.CHARGE_STOP})
_CHARGE_SETTINGS = frozenset(
    {CommandCode.CHARGE_MODE, CommandCode.CHARGE_CURRENT, CommandCode.CHARGE_MODE_AND_CURRENT}
)
_WAKE = frozenset({CommandCode.WAKE_UP})
_HOMELINK = frozenset({CommandCode.HOMELINK})
_EVERYTHING = (
    _LOCKS
    | _VALET
    | _CHARGE
    | _CHARGE_SETTINGS
    | _WAKE
    | _HOMELINK
    | {CommandCode.WAKE_UP_TEMPERATURE, CommandCode.COOLDOWN}
)

# Commands beyond MODULE_COMMANDS per vehicle type code (the F message's fifth field).
# Locks, valet and charging follow each vehicle's "Support Status" table in the OVMS
# user guide; wake-up, homelink and climate follow which commands the vehicle's
# firmware class implements (the guide does not list them). Unknown types: None.
VEHICLE_COMMANDS: Final[Mapping[str, frozenset[CommandCode]]] = {
    "NL": _LOCKS | _CHARGE | _WAKE | _HOMELINK | {CommandCode.CLIMATE},  # Nissan Leaf
    "RT": _LOCKS | _VALET | _CHARGE_SETTINGS | _HOMELINK | {CommandCode.CHARGE_STOP},  # Twizy
    "RZ": _WAKE | _HOMELINK | {CommandCode.CLIMATE},  # Renault Zoe
    "HIONVFL": frozenset(),  # Hyundai Ioniq vFL
    "KN": _LOCKS,  # Kia Niro, Hyundai Kona
    "KS": _LOCKS,  # Kia Soul EV
    "MI": frozenset(),  # Mitsubishi i-MiEV and its twins
    "SE": _WAKE | _HOMELINK | {CommandCode.CHARGE_CURRENT},  # Smart ED
    "VWUP": _WAKE | _HOMELINK | {CommandCode.CLIMATE},  # VW e-Up
    "TR": _EVERYTHING,  # Tesla Roadster
    "TRDM": _EVERYTHING,  # the OVMS server's demo car
    "DEMO": _EVERYTHING,  # the module's demonstration vehicle
}

_STATUS: Final = {
    ReplyResult.FAILED: CommandStatus.REJECTED,
    ReplyResult.UNSUPPORTED: CommandStatus.NOT_SUPPORTED,
    ReplyResult.UNIMPLEMENTED: CommandStatus.NOT_IMPLEMENTED,
}
_REASON: Final = {
    ReplyResult.FAILED: "the car could not carry out command {code}",
    ReplyResult.UNSUPPORTED: "the car does not support command {code}",
    ReplyResult.UNIMPLEMENTED: "the car's firmware does not implement command {code}",
}


@dataclass(frozen=True, slots=True)
class CommandReply:
    """The car's answer: its result, its text, and the entries of a list reply."""

    code: int
    result: int
    text: str = ""
    entries: Mapping[int, str] = field(default_factory=dict)


class CarCommandError(CommandFailedError):
    """The car refused a command; ``result`` is its protocol v2 result code."""

    def __init__(self, reply: CommandReply) -> None:
        """Word the refusal after the reply code (and the car's reason, when it gave one)."""
        result = ReplyResult(reply.result) if reply.result in ReplyResult else ReplyResult.FAILED
        reason = _REASON[result].format(code=reply.code)
        text = _printable(reply.text)
        super().__init__(_STATUS[result], f"{reason}: {text}" if text else reason)
        self.result = result


def vehicle_commands(
    vehicle_type: str | None, advertised: frozenset[int] | None = None
) -> frozenset[int] | None:
    """The commands a car accepts: what its V message advertised, else the type table.

    None when neither is known (the glue may try and learn from the reply).
    """
    if advertised is not None:
        return advertised
    known = VEHICLE_COMMANDS.get((vehicle_type or "").upper())
    return None if known is None else MODULE_COMMANDS | known


def command_payload(code: int, params: tuple[str, ...]) -> str:
    """The payload of a ``C`` message; ValueError for a parameter that would break the line."""
    if not 0 <= code <= 65535:
        raise ValueError("command codes are 0 to 65535")
    if any("\r" in param or "\n" in param for param in params):
        raise ValueError("a command parameter cannot hold a line break")
    return ",".join((str(code), *params))


def parse_reply(payload: str) -> tuple[int, int, str]:
    """The code, result and rest of a ``c`` payload, or ProtocolError."""
    parts = payload.split(",", 2)
    if len(parts) < 2 or not all(part.isascii() and part.isdigit() for part in parts[:2]):
        raise ProtocolError("protocol v2: a command reply without code and result")
    if len(parts[0]) > 5 or len(parts[1]) > 5:
        raise ProtocolError("protocol v2: a command reply with an impossible code")
    return int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else ""


def raise_for_result(reply: CommandReply) -> CommandReply:
    """The reply when the car carried the command out, else CarCommandError."""
    if reply.result != ReplyResult.OK:
        raise CarCommandError(reply)
    return reply


@dataclass
class _Waiter:
    future: asyncio.Future[CommandReply]
    entries: dict[int, str] = field(default_factory=dict)


class PendingCommands:
    """Commands sent and not yet answered, matched to replies by code, oldest first.

    The server routes a car's reply to the app whose command it queued first;
    a reply nobody waits for (another app's, relayed to all) is dropped.
    """

    def __init__(self) -> None:
        """Start with nothing pending."""
        self._waiting: dict[int, deque[_Waiter]] = {}

    def expect(self, code: int) -> asyncio.Future[CommandReply]:
        """A future for the next reply to ``code``."""
        future: asyncio.Future[CommandReply] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(code, deque()).append(_Waiter(future))
        return future

    def forget(self, code: int, future: asyncio.Future[CommandReply]) -> None:
        """Stop waiting (the command timed out or was cancelled)."""
        queue = self._waiting.get(code, deque())
        for waiter in list(queue):
            if waiter.future is future:
                queue.remove(waiter)

    def resolve(self, payload: str) -> None:
        """Hand a ``c`` reply to the command waiting for it; ProtocolError if unreadable."""
        code, result, rest = parse_reply(payload)
        queue = self._waiting.get(code)
        if not queue:
            _LOGGER.debug("Dropping a reply to command %d that nobody waits for", code)
            return
        waiter = queue[0]
        if code in LIST_COMMANDS and result == ReplyResult.OK:
            index, count, value = _list_entry(rest)
            waiter.entries[index] = value
            if index < count - 1:
                return
            reply = CommandReply(code, result, entries=dict(waiter.entries))
        else:
            reply = CommandReply(code, result, rest)
        queue.popleft()
        if not waiter.future.done():
            waiter.future.set_result(reply)

    def fail_all(self, error: Exception) -> None:
        """Fail every waiting command (the link dropped)."""
        for queue in self._waiting.values():
            for waiter in queue:
                if not waiter.future.done():
                    waiter.future.set_exception(error)
        self._waiting.clear()


def _list_entry(rest: str) -> tuple[int, int, str]:
    """Index, count and value of one list reply entry (the real lists hold 32)."""
    parts = rest.split(",", 2)
    if len(parts) < 2 or not all(part.isascii() and part.isdigit() for part in parts[:2]):
        raise ProtocolError("protocol v2: a list reply without index and count")
    index, count = int(parts[0][:6]), int(parts[1][:6])
    if count > MAX_LIST_ENTRIES or index >= count:
        raise ProtocolError("protocol v2: a list reply with an impossible index")
    return index, count, parts[2] if len(parts) > 2 else ""


def _printable(text: str) -> str:
    cleaned = "".join(char if char.isprintable() else " " for char in text).strip()
    return cleaned[:MAX_REPLY_TEXT]
