"""An account's live link to one OVMS server over protocol v2: updates and commands.

One app connection per car (see ``connection``): each car's messages arrive
the moment the server relays them, as LiveUpdate objects with the readings
the REST client would read from the same records, and commands go out over
the car's connection. An app connection counts as a watching app, so the car's
module sends at its connected interval (60 s by default, instead of 600 s)
and reports important changes at once; that costs the car's mobile data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
import contextlib
from datetime import UTC, datetime
import logging
import random

from ..errors import BackendUnavailableError, CommandFailedError
from ..models import CommandStatus
from .app_commands import CarCommandError, ChargeMode, CommandCode, CommandReply, vehicle_commands
from .app_messages import ModuleInfo
from .app_protocol import sign_in_line
from .app_session import AppEndpoint
from .car_stream import LiveUpdate
from .connection import CarLink, LinkSettings, LinkState, LinkStatus, Sleep

_LOGGER = logging.getLogger(__name__)

UpdateListener = Callable[[LiveUpdate], None]
StatusListener = Callable[[LinkStatus], None]

# v3 firmware shell command that makes the module send every message now.
UPDATE_ALL = "server v2 update all"
HOMELINK_BUTTONS = range(3)
CHARGE_CURRENTS = range(1, 256)
REBOOT_WAIT = 10.0  # a v3 module restarts without answering


class OvmsLiveLink:
    """The live link for the cars of one account on one server."""

    def __init__(
        self,
        endpoint: AppEndpoint,
        username: str,
        secret: str,
        *,
        settings: LinkSettings | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Prepare links with these credentials (password or API token with the ``v2`` right).

        ValueError when they cannot be carried by protocol v2 (a space in them).
        """
        sign_in_line(username, secret)
        self._endpoint = endpoint
        self._username = username
        self._secret = secret
        self._settings = settings or LinkSettings()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.SystemRandom()
        self._sleep = sleep
        self._links: dict[str, CarLink] = {}
        self._update_listeners: list[UpdateListener] = []
        self._status_listeners: list[StatusListener] = []
        self._modules: dict[str, ModuleInfo] = {}
        self._advertised: dict[str, frozenset[int]] = {}
        self._status_waiters: dict[str, list[asyncio.Future[LiveUpdate]]] = {}

    # Listening

    def add_update_listener(self, listener: UpdateListener) -> Callable[[], None]:
        """Call ``listener`` with every update; returns a function that stops it."""
        self._update_listeners.append(listener)
        return lambda: _discard(self._update_listeners, listener)

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener`` whenever a car's link changes state; returns its remover."""
        self._status_listeners.append(listener)
        return lambda: _discard(self._status_listeners, listener)

    # Running

    def start(self, vehicle_ids: Iterable[str]) -> None:
        """Keep a link up for each of these cars (more may be added by calling again)."""
        for vehicle_id in vehicle_ids:
            link = self._links.get(vehicle_id)
            if link is None:
                link = self._links[vehicle_id] = CarLink(
                    vehicle_id,
                    self._endpoint,
                    self._username,
                    self._secret,
                    on_update=self._deliver,
                    on_status=self._changed,
                    settings=self._settings,
                    clock=self._clock,
                    rng=self._rng,
                    sleep=self._sleep,
                )
            link.start()

    async def stop(self, vehicle_ids: Iterable[str] | None = None) -> None:
        """Hang up the links of these cars (default: every car's)."""
        chosen = list(self._links) if vehicle_ids is None else list(vehicle_ids)
        await asyncio.gather(*(self._links[v].stop() for v in chosen if v in self._links))
        for vehicle_id in chosen:
            for waiter in self._status_waiters.pop(vehicle_id, []):
                waiter.cancel()

    def status(self, vehicle_id: str) -> LinkStatus:
        """A car's link now (STOPPED for a car without one)."""
        link = self._links.get(vehicle_id)
        return link.status if link else LinkStatus(vehicle_id, LinkState.STOPPED)

    def is_up(self, vehicle_id: str) -> bool:
        """Tell whether a car's link is up."""
        return self.status(vehicle_id).state is LinkState.UP

    def module(self, vehicle_id: str) -> ModuleInfo | None:
        """What the car's last F message said about its module."""
        return self._modules.get(vehicle_id)

    def commands(self, vehicle_id: str) -> frozenset[int] | None:
        """The commands the car takes: from its V message or its vehicle type; None if unknown."""
        module = self._modules.get(vehicle_id)
        return vehicle_commands(
            module.vehicle_type if module else None, self._advertised.get(vehicle_id)
        )

    # Commands

    async def send_command(
        self,
        vehicle_id: str,
        code: int,
        params: Sequence[str] = (),
        reply_timeout: float | None = None,
    ) -> CommandReply:
        """Run a command on the car; see ``CarLink.command`` for what it raises."""
        link = self._links.get(vehicle_id)
        if link is None:
            raise BackendUnavailableError(f"no live link to {vehicle_id}")
        return await link.command(code, params, reply_timeout)

    async def lock(self, vehicle_id: str, pin: str) -> None:
        """Lock the car (the module checks the PIN where the car needs one)."""
        await self.send_command(vehicle_id, CommandCode.LOCK, (_pin(pin),))

    async def unlock(self, vehicle_id: str, pin: str) -> None:
        """Unlock the car."""
        await self.send_command(vehicle_id, CommandCode.UNLOCK, (_pin(pin),))

    async def set_valet(self, vehicle_id: str, on: bool, pin: str) -> None:
        """Turn valet mode on or off."""
        code = CommandCode.VALET_ON if on else CommandCode.VALET_OFF
        await self.send_command(vehicle_id, code, (_pin(pin),))

    async def set_charging(self, vehicle_id: str, on: bool) -> None:
        """Start or stop charging."""
        code = CommandCode.CHARGE_START if on else CommandCode.CHARGE_STOP
        await self.send_command(vehicle_id, code)

    async def set_charge_mode(self, vehicle_id: str, mode: ChargeMode) -> None:
        """Set the charge mode (standard, storage, range, performance)."""
        await self.send_command(vehicle_id, CommandCode.CHARGE_MODE, (str(int(mode)),))

    async def set_charge_current(self, vehicle_id: str, amps: int) -> None:
        """Set the charge current limit in amperes."""
        if amps not in CHARGE_CURRENTS:
            raise ValueError(
                f"charge current must be {CHARGE_CURRENTS.start}-{CHARGE_CURRENTS.stop - 1} A"
            )
        await self.send_command(vehicle_id, CommandCode.CHARGE_CURRENT, (str(amps),))

    async def wake_up(self, vehicle_id: str) -> None:
        """Wake the car up."""
        await self.send_command(vehicle_id, CommandCode.WAKE_UP)

    async def homelink(self, vehicle_id: str, button: int = 0) -> None:
        """Press a homelink button (0, 1 or 2; some cars map them to climate on/off)."""
        if button not in HOMELINK_BUTTONS:
            raise ValueError("homelink buttons are 0, 1 and 2")
        await self.send_command(vehicle_id, CommandCode.HOMELINK, (str(button),))

    async def reboot(self, vehicle_id: str) -> None:
        """Restart the car's module; silence counts as done (v3 modules restart unanswered)."""
        try:
            await self.send_command(vehicle_id, CommandCode.REBOOT, reply_timeout=REBOOT_WAIT)
        except CommandFailedError as err:
            if err.command_status != CommandStatus.TIMEOUT:
                raise

    async def features(self, vehicle_id: str) -> dict[int, str]:
        """The module's feature list: number -> value."""
        reply = await self.send_command(vehicle_id, CommandCode.FEATURE_LIST)
        return dict(reply.entries)

    async def parameters(self, vehicle_id: str) -> dict[int, str]:
        """The module's parameter list: number -> value (some are secrets: never log them)."""
        reply = await self.send_command(vehicle_id, CommandCode.PARAMETER_LIST)
        return dict(reply.entries)

    async def request_update(self, vehicle_id: str) -> None:
        """Ask the module to send every message now (v3 firmware; others refuse it)."""
        await self.send_command(vehicle_id, CommandCode.SHELL, (UPDATE_ALL,))

    async def refresh(self, vehicle_id: str, wait: float = 10.0) -> LiveUpdate | None:
        """Ask for fresh data and wait for the car's next status (S) message.

        None when none arrives within ``wait`` seconds. A module that refuses the
        update request still reports at its connected interval.
        """
        waiter: asyncio.Future[LiveUpdate] = asyncio.get_running_loop().create_future()
        waiters = self._status_waiters.setdefault(vehicle_id, [])
        waiters.append(waiter)
        try:
            async with asyncio.timeout(wait):
                with contextlib.suppress(CarCommandError):
                    await self.request_update(vehicle_id)
                return await waiter
        except TimeoutError:
            return None
        finally:
            _discard(waiters, waiter)

    # Plumbing

    def _deliver(self, update: LiveUpdate) -> None:
        if update.module is not None:
            self._modules[update.vehicle_id] = update.module
        if update.commands is not None:
            self._advertised[update.vehicle_id] = update.commands
        if "last_update" in update.state.readings:
            for waiter in self._status_waiters.get(update.vehicle_id, ()):
                if not waiter.done():
                    waiter.set_result(update)
        _notify(self._update_listeners, update, update.vehicle_id)

    def _changed(self, status: LinkStatus) -> None:
        _notify(self._status_listeners, status, status.vehicle_id)


def _notify[T](listeners: list[Callable[[T], None]], item: T, vehicle_id: str) -> None:
    """Call every listener; one that fails is logged and the others still hear."""
    for listener in list(listeners):
        try:
            listener(item)
        except Exception:
            _LOGGER.exception("A live link listener failed on news of %s", vehicle_id)


def _pin(pin: str) -> str:
    if not pin or "\r" in pin or "\n" in pin:
        raise ValueError("the PIN must be one line of text")
    return pin


def _discard[T](items: list[T], item: T) -> None:
    with contextlib.suppress(ValueError):
        items.remove(item)
