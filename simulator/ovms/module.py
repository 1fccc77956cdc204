"""The OVMS module in a car: when it reports, and what the server stores of it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from ..vehicle import Vehicle
from . import firmware, records
from .records import Record, Units

TpmsRecord = Literal["W", "Y"]
HISTORY: Final = 2000  # records kept per type


@dataclass(frozen=True)
class ModuleSettings:
    """How a car's module is configured, and when it last reported before the start."""

    units: Units = "K"
    tpms: TpmsRecord = "W"
    legacy: bool = False  # older firmware: shorter S and D records
    vehicle_type: str = ""
    last_contact: timedelta = timedelta(minutes=5)
    idle_interval: timedelta = timedelta(seconds=600)
    connected_interval: timedelta = timedelta(seconds=60)
    pin: str = "1234"  # the module's PIN for lock, unlock and valet commands


class CarModule:
    """Sends records while the car is online; keeps the server's copy of them.

    Like the v3 firmware it sends S and D every interval (idle, or connected while
    apps are connected) and L, W and Y only when they changed. Coming online, and
    the first app connecting, trigger a full update. With apps connected, a change
    of phase, locks, doors, charging or climate is sent at once. Older (legacy)
    firmware also sends V, the commands it takes. ``record_listeners`` hear every
    record sent, ``presence_listeners`` the car coming online or going offline.
    """

    def __init__(self, vehicle: Vehicle, settings: ModuleSettings, now: datetime) -> None:
        """Create the module with the records it sent at ``now - last_contact``."""
        self.vehicle = vehicle
        self.settings = settings
        self.peers: dict[str, datetime | None] = {}  # peer -> when it expires (None: never)
        self.records: dict[str, Record] = {}
        self.history: dict[str, deque[Record]] = {}
        self._online = vehicle.online
        self._last_tx = now
        self._sent: tuple[object, ...] = ()
        self.record_listeners: list[Callable[[Record], None]] = []
        self.presence_listeners: list[Callable[[bool], None]] = []
        self._transmit(now - settings.last_contact, full=True)

    def peer_count(self, when: datetime) -> int:
        """Return the number of apps connected at ``when``."""
        return sum(1 for expires in self.peers.values() if expires is None or expires > when)

    def connect(self, peer: str, expires: datetime | None, when: datetime) -> bool:
        """Connect an app; return True when it is the first one.

        The first app makes an online car send a full update right away.
        """
        first = self.peer_count(when) == 0
        self.peers[peer] = expires
        if first and self.vehicle.online:
            self._transmit(when, full=True)
        return first

    def disconnect(self, peer: str) -> None:
        """Disconnect an app."""
        self.peers.pop(peer, None)

    def tick(self, when: datetime) -> None:
        """Send whatever is due at ``when``."""
        if not self.vehicle.online:
            if self._online:
                self._online = False
                self._tell_presence(online=False)
            return
        if not self._online:
            self._online = True
            self._tell_presence(online=True)
            self._transmit(when, full=True)
            return
        connected = self.peer_count(when) > 0
        interval = self.settings.connected_interval if connected else self.settings.idle_interval
        if when >= self._last_tx + interval or (
            connected and self.vehicle.signature() != self._sent
        ):
            self._transmit(when, full=False)

    def send_all(self, when: datetime) -> None:
        """Send every record now (the module was asked for an update, or restarted)."""
        if self.vehicle.online:
            self._transmit(when, full=True)

    def reconnect(self, when: datetime) -> None:
        """Drop off the server and come back at once, sending everything (a restart)."""
        if self.vehicle.online:
            self._tell_presence(online=False)
            self._tell_presence(online=True)
            self._transmit(when, full=True)

    def _tell_presence(self, *, online: bool) -> None:
        for listener in list(self.presence_listeners):
            listener(online)

    def _messages(self, full: bool) -> dict[str, str]:
        v, s = self.vehicle, self.settings
        messages = {
            "S": records.status(v, s.units, legacy=s.legacy),
            "D": records.environment(v, s.units, legacy=s.legacy),
        }
        optional = {"L": records.location(v, s.units)}
        if v.tyres:
            optional["W"] = records.tpms_v2(v)
            if s.tpms == "Y":
                optional["Y"] = records.tpms_v3(v)
        for code, msg in optional.items():
            stored = self.records.get(code)
            if full or stored is None or stored.msg != msg:
                messages[code] = msg
        if full:
            messages = {"F": records.firmware(v, s.vehicle_type), **messages}
            if s.legacy:
                messages["V"] = records.capabilities(firmware.commands_for(s.vehicle_type))
        return messages

    def _transmit(self, when: datetime, *, full: bool) -> None:
        when = when.replace(microsecond=0)
        for code, msg in self._messages(full).items():
            record = Record(code, when, msg)
            self.records[code] = record
            self.history.setdefault(code, deque(maxlen=HISTORY)).append(record)
            for listener in list(self.record_listeners):
                listener(record)
        self._last_tx = when
        self._sent = self.vehicle.signature()
