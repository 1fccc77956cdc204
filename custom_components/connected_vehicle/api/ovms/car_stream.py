"""One car's protocol v2 messages turned into brand-neutral states.

The server replays its stored records right after sign-in and then sends
``T<seconds>``: how long ago the car last reported. After that it relays each
car message as it comes, followed by ``T0``. So records wait here for the next
``T`` to learn when the car sent them, and a batch is read in a fixed order:
S first (its ``units`` field tells the distance unit of D), and W only for a
car that never sent Y (the server's REST API prefers Y the same way). The
protocol gives one age per batch: a replayed L older than the newest record
gets the newest record's time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import logging
from typing import Final

from .. import readings as keys
from ..coerce import as_text
from ..errors import ProtocolError
from ..models import Reading, VehicleState
from .app_messages import (
    ModuleInfo,
    environment_fields,
    location_fields,
    parse_age,
    parse_capabilities,
    parse_firmware,
    parse_peers,
    status_fields,
    tpms_v2_fields,
    tpms_v3_fields,
)
from .app_protocol import Message
from .parse import location_state, record_state, tyre_state

_LOGGER = logging.getLogger(__name__)

RECORD_CODES: Final = ("S", "D", "L", "Y", "W", "F", "V")  # the order a batch is read in


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """What a batch of a car's messages said: readings, and module facts when they came."""

    vehicle_id: str
    state: VehicleState
    module: ModuleInfo | None = None
    commands: frozenset[int] | None = None  # from a V message


class CarStream:
    """Reads one car's messages; keeps what later messages need (units, Y seen)."""

    def __init__(self, vehicle_id: str) -> None:
        """Start with nothing known about the car."""
        self.vehicle_id = vehicle_id
        self.units: str | None = None
        self._sends_y = False
        self._pending: dict[str, str] = {}
        self._first_arrival: datetime | None = None

    @property
    def pending(self) -> bool:
        """Tell whether records wait for a ``T``."""
        return bool(self._pending)

    def feed(self, message: Message, now: datetime) -> LiveUpdate | None:
        """Take one message; an update when it completes a batch or says something itself."""
        if message.code in RECORD_CODES:
            self._pending[message.code] = message.payload
            self._first_arrival = self._first_arrival or now
            return None
        if message.code == "T":
            age = parse_age(message.payload)
            return self.flush(now if age is None else now - timedelta(seconds=age))
        if message.code == "Z" and (peers := parse_peers(message.payload)) is not None:
            return LiveUpdate(
                self.vehicle_id, VehicleState({keys.SERVER_CONNECTED: Reading(peers > 0)})
            )
        if message.code == "E":
            _LOGGER.debug(
                "%s sends in paranoid mode, which the app link cannot read", self.vehicle_id
            )
        return None

    def flush(self, observed: datetime | None = None) -> LiveUpdate | None:
        """Read the waiting records as sent at ``observed`` (default: when the first arrived)."""
        pending, arrived = self._pending, self._first_arrival
        self._pending, self._first_arrival = {}, None
        if not pending or (when := observed or arrived) is None:
            return None
        when = when.replace(microsecond=0)
        update = LiveUpdate(self.vehicle_id, VehicleState())
        for code in RECORD_CODES:
            if (payload := pending.get(code)) is not None:
                try:
                    update = self._read(update, code, payload, when)
                except ProtocolError as err:
                    _LOGGER.debug("Dropping a %s message from %s: %s", code, self.vehicle_id, err)
        return update

    def _read(self, update: LiveUpdate, code: str, payload: str, when: datetime) -> LiveUpdate:
        """``update`` with one more record read into it."""
        match code:
            case "F":
                return replace(update, module=parse_firmware(payload))
            case "V":
                return replace(update, commands=parse_capabilities(payload))
            case "S":
                fields = status_fields(payload)
                self.units = as_text(fields.get("units")) or self.units
                state = record_state(fields, {"S": when})
            case "D":
                fields = environment_fields(payload)
                state = record_state({**fields, "units": self.units or "K"}, {"D": when})
            case "L":
                state = location_state(location_fields(payload), when)
            case "Y":
                self._sends_y = True
                state = tyre_state(tpms_v3_fields(payload), when)
            case _:  # W, read only from a car that never sent Y
                if self._sends_y:
                    return update
                state = tyre_state(tpms_v2_fields(payload), when)
        return replace(update, state=update.state.merged(state))
