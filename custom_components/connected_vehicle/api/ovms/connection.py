"""One car's app connection to the OVMS server kept up: stream, ping, reconnect.

Scheme 0x31 binds a connection to one vehicle: the welcome names a car (``*``
means the account's first car), the server relays only that car's messages,
which carry no vehicle id, and passes commands only to that car. So an
account watches its cars over one connection each. A refused sign-in is
retried after the longest backoff, any other failure after a growing one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import logging
import random
import time

from .. import readings as keys
from ..errors import AuthenticationError, BackendUnavailableError, CommandFailedError, ProtocolError
from ..models import CommandStatus
from .app_commands import CommandReply, PendingCommands, command_payload, raise_for_result
from .app_protocol import parse_message, sign_in_line
from .app_session import (
    CONNECT_TIMEOUT,
    SIGN_IN_TIMEOUT,
    AppEndpoint,
    AppSession,
    describe_error,
    open_session,
)
from .car_stream import CarStream, LiveUpdate

_LOGGER = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class LinkState(StrEnum):
    """Where a car's live link stands."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    UP = "up"
    DOWN = "down"  # failed or dropped; retrying after a backoff
    REFUSED = "refused"  # the server refused the sign-in; retrying slowly


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """A car's link as diagnostics show it."""

    vehicle_id: str
    state: LinkState
    since: datetime | None = None
    last_message_at: datetime | None = None
    messages: int = 0
    car_connected: bool | None = None
    retry_in: float | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """Timeouts and pacing of a live link (seconds)."""

    connect_timeout: float = CONNECT_TIMEOUT
    sign_in_timeout: float = SIGN_IN_TIMEOUT
    ping_interval: float = 60.0  # idle this long: ping (the server drops apps idle 20 min)
    ping_timeout: float = 20.0  # no line this long after a ping: the link is dead
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    stable_after: float = 60.0  # a link up this long starts the backoff afresh
    flush_after: float = 1.0  # records without a following T are read after this
    command_timeout: float = 30.0


def backoff_delay(attempt: int, settings: LinkSettings, rng: random.Random) -> float:
    """Exponential backoff with jitter: between half and all of base x 2^attempt, capped."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * 2 ** min(attempt, 32))
    return rng.uniform(ceiling / 2, ceiling)


class _LinkDeadError(Exception):
    """No line came back in time after a ping."""


class CarLink:
    """Keeps one car's connection up and turns what arrives into updates.

    Runs as one task: connect and sign in, read lines and ping while idle,
    and after any failure wait a jittered, growing backoff and start again.
    Nothing a line holds stops the task: unreadable lines are dropped with a
    debug log. ``on_update`` and ``on_status`` must not raise.
    """

    def __init__(
        self,
        vehicle_id: str,
        endpoint: AppEndpoint,
        username: str,
        secret: str,
        *,
        on_update: Callable[[LiveUpdate], None],
        on_status: Callable[[LinkStatus], None],
        settings: LinkSettings,
        clock: Clock,
        rng: random.Random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Prepare the link; ``start`` runs it. ValueError when the credentials cannot sign in."""
        sign_in_line(username, secret, vehicle_id)
        self.vehicle_id = vehicle_id
        self._endpoint = endpoint
        self._username = username
        self._secret = secret
        self._on_update = on_update
        self._on_status = on_status
        self._settings = settings
        self._clock = clock
        self._rng = rng
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._session: AppSession | None = None
        self._pending = PendingCommands()
        self._received = asyncio.Event()
        self._state = LinkState.STOPPED
        self._since: datetime | None = None
        self._error: str | None = None
        self._retry_in: float | None = None
        self._car_connected: bool | None = None
        self._last_message_at: datetime | None = None
        self._messages = 0
        self._reported_down = False

    @property
    def status(self) -> LinkStatus:
        """The link now: state, when it got there, last message and how many came."""
        return LinkStatus(
            vehicle_id=self.vehicle_id,
            state=self._state,
            since=self._since,
            last_message_at=self._last_message_at,
            messages=self._messages,
            car_connected=self._car_connected,
            retry_in=self._retry_in,
            error=self._error,
        )

    def start(self) -> None:
        """Run the link in the background (again, if it was stopped)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"ovms-live-{self.vehicle_id}")

    async def stop(self) -> None:
        """Hang up and stop reconnecting."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_state(LinkState.STOPPED)

    async def command(
        self, code: int, params: Sequence[str] = (), reply_timeout: float | None = None
    ) -> CommandReply:
        """Send ``C<code>,<params>`` and wait for the car's reply.

        Returns the reply when the car carried the command out. Raises
        CarCommandError for the car's refusals, CommandFailedError with
        TIMEOUT when it does not answer in time and with UNREACHABLE when the
        server says the car is not connected, BackendUnavailableError when the
        link is down or drops first.
        """
        payload = command_payload(code, tuple(params))
        session = self._session
        if session is None or self._state is not LinkState.UP:
            raise BackendUnavailableError(f"the live link to {self.vehicle_id} is not up")
        if self._car_connected is False:
            raise CommandFailedError(
                CommandStatus.UNREACHABLE, f"{self.vehicle_id} is not connected to the server"
            )
        future = self._pending.expect(code)
        limit = self._settings.command_timeout if reply_timeout is None else reply_timeout
        try:
            session.send("C", payload)
            async with asyncio.timeout(limit):
                reply = await asyncio.shield(future)
        except TimeoutError as err:
            raise CommandFailedError(
                CommandStatus.TIMEOUT,
                f"{self.vehicle_id} did not answer command {code} within {limit:g} s",
            ) from err
        finally:
            self._pending.forget(code, future)
        return raise_for_result(reply)

    # The connection task

    async def _run(self) -> None:
        attempt = 0
        while True:
            self._set_state(LinkState.CONNECTING)
            try:
                session = await open_session(
                    self._endpoint,
                    self._username,
                    self._secret,
                    self.vehicle_id,
                    connect_timeout=self._settings.connect_timeout,
                    sign_in_timeout=self._settings.sign_in_timeout,
                )
            except AuthenticationError as err:
                delay = backoff_delay(64, self._settings, self._rng)
                self._report_down(LinkState.REFUSED, err, delay)
            except (BackendUnavailableError, ProtocolError) as err:
                delay = backoff_delay(attempt, self._settings, self._rng)
                attempt += 1
                self._report_down(LinkState.DOWN, err, delay)
            else:
                up_at = time.monotonic()
                reason = await self._serve(session)
                if time.monotonic() - up_at >= self._settings.stable_after:
                    attempt = 0
                delay = backoff_delay(attempt, self._settings, self._rng)
                attempt += 1
                self._report_down(LinkState.DOWN, reason, delay)
            await self._sleep(delay)

    async def _serve(self, session: AppSession) -> str:
        """Stream until the link ends; return why it ended."""
        self._session = session
        self._car_connected = None
        self._set_state(LinkState.UP)
        stream = CarStream(self.vehicle_id)
        reader = asyncio.create_task(self._read(session, stream))
        pinger = asyncio.create_task(self._keep_alive(session))
        try:
            done, _ = await asyncio.wait({reader, pinger}, return_when=asyncio.FIRST_COMPLETED)
            finished = done.pop()
            error = finished.exception()
            if isinstance(error, _LinkDeadError):
                return "no answer to a ping"
            if error is not None:
                return describe_error(error)
            return "the server closed the connection"
        finally:
            for task in (reader, pinger):
                task.cancel()
            await asyncio.gather(reader, pinger, return_exceptions=True)
            self._session = None
            self._pending.fail_all(
                BackendUnavailableError(f"the live link to {self.vehicle_id} dropped")
            )
            self._emit(stream.flush())
            await session.close()

    async def _read(self, session: AppSession, stream: CarStream) -> None:
        while True:
            try:
                async with asyncio.timeout(self._settings.flush_after if stream.pending else None):
                    line = await session.lines.readline()
            except TimeoutError:
                self._emit(stream.flush())
                continue
            if line is None:
                return
            self._messages += 1
            self._last_message_at = self._clock()
            self._received.set()
            try:
                self._dispatch(session, stream, line)
            except ProtocolError as err:
                _LOGGER.debug("Dropping a line from %s: %s", self.vehicle_id, err)

    def _dispatch(self, session: AppSession, stream: CarStream, line: bytes) -> None:
        message = parse_message(line)
        if message.code == "c":
            self._pending.resolve(message.payload)
        elif message.code == "A":
            session.send("a")
        elif message.code != "a":
            update = stream.feed(message, self._clock())
            if message.code == "Z" and update is not None:
                self._car_connected = bool(update.state.value(keys.SERVER_CONNECTED))
            self._emit(update)

    async def _keep_alive(self, session: AppSession) -> None:
        """Ping when nothing came for a while; a ping without an answer ends the link."""
        while True:
            self._received.clear()
            try:
                async with asyncio.timeout(self._settings.ping_interval):
                    await self._received.wait()
                continue
            except TimeoutError:
                session.send("A")
            try:
                async with asyncio.timeout(self._settings.ping_timeout):
                    await self._received.wait()
            except TimeoutError as err:
                raise _LinkDeadError from err

    # Reporting

    def _emit(self, update: LiveUpdate | None) -> None:
        if update is not None:
            self._on_update(update)

    def _set_state(
        self, state: LinkState, error: str | None = None, retry_in: float | None = None
    ) -> None:
        if state is LinkState.UP:
            if self._reported_down:
                _LOGGER.info("OVMS live link to %s is up again", self.vehicle_id)
            self._reported_down = False
        changed = state is not self._state or error != self._error
        self._state, self._error, self._retry_in = state, error, retry_in
        if not changed:
            return
        self._since = self._clock()
        self._on_status(self.status)

    def _report_down(self, state: LinkState, reason: BaseException | str, delay: float) -> None:
        """Log the first failure at warning level and the retries at debug level."""
        text = str(reason)
        if not self._reported_down:
            _LOGGER.warning(
                "OVMS live link to %s is down (%s); retrying with backoff", self.vehicle_id, text
            )
            self._reported_down = True
        else:
            _LOGGER.debug("OVMS live link to %s still down (%s)", self.vehicle_id, text)
        self._set_state(state, text, round(delay, 1))
