"""The OVMS server's protocol v2 port for apps (ApiV2.pm), over the simulated cars.

Plain TCP and TLS (a self-signed certificate made at start), encryption
scheme 0x31 only: ``MP-A 1 <user> <password or API token> <car or *>``. A token
needs the ``v2`` right (tokens made with the default ``auth`` right are refused,
as on the real server). A refused sign-in is closed without an answer. After
``MP-S 1 <user> <car> <all cars>`` the server sends ``Z`` (is the car
connected), the records it stored, ``T<seconds since the car last reported>``,
and from then on each record the car's module sends, followed by ``T0``.
Lines go out bare, without the documents' ``MP-0 `` prefix. An app counts as
a watching peer: its car's module reports at the connected interval and sends
changes at once. Commands run on the car's module; replies go to the app
that asked. Nothing runs unless an app is connected: then a ticker keeps the
world moving with the clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
import contextlib
import fnmatch
import logging
import re
import ssl
from typing import Final

from aiohttp import web

from ..certificates import SelfSignedCertificates
from ..world import World
from .app_commands import FollowUp, ModuleCommands
from .app_faults import AppFaults
from .auth import Accounts, permits
from .module import CarModule
from .records import Record

_LOGGER = logging.getLogger(__name__)

WELCOME: Final = re.compile(r"^MP-(\S)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(\s+(.+))?")
WELCOME_TIMEOUT: Final = 30.0
SERVER_VERSION: Final = "3.0.0-simulator"
LINE_LIMIT: Final = 65536
APP, BATCH = "A", "B"


class AppSession:
    """One app's connection: its sign-in, the car it watches, what it sends."""

    def __init__(
        self,
        server: AppServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        tls: bool,
    ) -> None:
        """Serve the app on this stream."""
        self.server = server
        self.reader = reader
        self.writer = writer
        self.tls = tls
        self.username = ""
        self.vehicle_id = ""
        self.client_type = ""
        self.stalled = False
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def peer(self) -> str:
        """The name the car's module knows this app by."""
        return f"v2-app-{id(self):x}"

    def send(self, code: str, payload: str = "") -> None:
        """Send one message line (nothing while stalled or closing)."""
        self.send_line(f"{code}{payload}")

    def send_line(self, line: str) -> None:
        """Send one line as it is."""
        if not self.stalled and not self.writer.is_closing():
            self.writer.write(f"{line}\r\n".encode())
            self.server.lines_sent[self.vehicle_id or "-"] += 1

    def close(self) -> None:
        """Hang up."""
        self.writer.close()

    async def run(self) -> None:
        """Sign the app in, then serve its lines until it leaves."""
        try:
            if await self._sign_in():
                await self._serve()
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError) as err:
            _LOGGER.debug("App connection ended: %s", err)
        finally:
            for task in self._tasks:
                task.cancel()
            self.server.leave(self)
            self.close()

    async def _sign_in(self) -> bool:
        async with asyncio.timeout(WELCOME_TIMEOUT):
            line = (await self.reader.readline()).decode(errors="replace").strip()
        match = WELCOME.match(line)
        if match is None or match[1] not in (APP, BATCH) or match[2] != "1":
            return False  # unknown client, or a scheme other than 0x31: closed
        return await self.server.sign_in(self, match[3], match[4], match[5].upper(), match[1])

    async def _serve(self) -> None:
        while line := await self.reader.readline():
            text = line.decode(errors="replace").rstrip("\r\n")
            if not text or text[0].isspace():
                return  # the real server cannot decode it and ends the connection
            if self.stalled:
                continue
            code, payload = text[0], text[1:]
            if code == "A":
                self.send("a")
            elif code == "C":
                task = asyncio.create_task(self.server.command(self, payload))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)


class AppServer:
    """The app port: listeners, signed-in apps, faults, and the module stream."""

    def __init__(
        self,
        world: World,
        accounts: Accounts,
        modules: dict[str, CarModule],
        *,
        tick: float = 0.5,
    ) -> None:
        """Serve ``modules``' cars to the apps of ``accounts``; relay what the modules send."""
        self.world = world
        self.accounts = accounts
        self.modules = modules
        self.tick = tick
        self.faults = AppFaults()
        self.controls: dict[str, ModuleCommands] = {}
        self.sessions: set[AppSession] = set()
        self.lines_sent: Counter[str] = Counter()
        self.host: str | None = None
        self.port: int | None = None
        self.tls_port: int | None = None
        self._certificates: SelfSignedCertificates | None = None
        self._tls_context: ssl.SSLContext | None = None
        self._servers: list[asyncio.Server] = []
        self._ticker: asyncio.Task[None] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        for vehicle_id, module in modules.items():
            self.add_module(vehicle_id, module)

    def add_module(self, vehicle_id: str, module: CarModule) -> None:
        """Take commands for a car's module and relay what it sends."""
        self.modules[vehicle_id] = module
        self.controls[vehicle_id] = ModuleCommands(module)
        module.record_listeners.append(self._relay_to(vehicle_id))
        module.presence_listeners.append(self._presence_to(vehicle_id))

    @property
    def certificates(self) -> SelfSignedCertificates:
        """The TLS certificate and its CA (made on first use)."""
        if self._certificates is None:
            self._certificates = SelfSignedCertificates()
        return self._certificates

    # Running

    async def start(
        self, host: str = "127.0.0.1", port: int | None = 0, tls_port: int | None = 0
    ) -> None:
        """Listen on ``port`` (TCP) and ``tls_port`` (TLS); 0 picks a free one, None none."""
        self.host = host
        if port is not None:
            server = await asyncio.start_server(self._plain, host, port, limit=LINE_LIMIT)
            self.port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        if tls_port is not None:
            self._tls_context = self.certificates.server_context()
            server = await asyncio.start_server(self._secure, host, tls_port, limit=LINE_LIMIT)
            self.tls_port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        self._ticker = asyncio.create_task(self._keep_world_moving())

    async def stop(self) -> None:
        """Stop listening and hang up on every app."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for server in self._servers:
            server.close()
        for session in list(self.sessions):
            session.close()
        for server in self._servers:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await server.wait_closed()
        self._servers.clear()
        self.port = self.tls_port = None

    def serving(
        self, host: str, port: int | None, tls_port: int | None
    ) -> Callable[[web.Application], AsyncIterator[None]]:
        """An aiohttp cleanup context that runs the app port with the HTTP server."""

        async def run(_app: web.Application) -> AsyncIterator[None]:
            await self.start(host, port, tls_port)
            yield
            await self.stop()

        return run

    def drop(self, vehicle: str = "*") -> int:
        """Hang up on the apps watching the cars matching ``vehicle``; return how many."""
        dropped = [s for s in self.sessions if fnmatch.fnmatchcase(s.vehicle_id, vehicle)]
        for session in dropped:
            session.close()
        return len(dropped)

    def add_fault(
        self, kind: str, vehicle: str = "*", *, seconds: float = 0.0, times: int | None = None
    ) -> None:
        """Inject a fault; a stall also silences the apps already connected."""
        self.faults.add(kind, vehicle, seconds=seconds, times=times)
        if kind == "stall":
            for session in self.sessions:
                if fnmatch.fnmatchcase(session.vehicle_id, vehicle):
                    session.stalled = True

    def describe(self) -> list[str]:
        """Return lines for the index page."""
        if self.port is None and self.tls_port is None:
            return ["Protocol v2 for apps: not listening (python -m simulator opens it)"]
        ports = [f"TCP {self.host}:{self.port}"] if self.port is not None else []
        if self.tls_port is not None:
            ports.append(f"TLS {self.host}:{self.tls_port} (CA at /admin/ovms/v2/ca.pem)")
        return [
            "Protocol v2 for apps, scheme 0x31 (MP-A 1 <user> <password or v2 token> <car or *>): "
            + ", ".join(ports),
            (
                "Protocol v2 admin: GET /admin/ovms/v2; POST and DELETE /admin/ovms/v2/faults "
                "(refuse, slow, silent, stall); POST /admin/ovms/v2/drop"
            ),
        ]

    # Sessions

    async def sign_in(
        self, session: AppSession, username: str, secret: str, vehicle: str, client: str
    ) -> bool:
        """Check a welcome; on success answer it, replay the car's records and watch it."""
        permissions = self.accounts.authenticate(username, secret)
        owned = self.accounts.vehicle_ids(username)
        vehicle_id = owned[0] if vehicle == "*" and owned else vehicle
        if not permissions or not permits(permissions, "v2") or vehicle_id not in owned:
            return False
        if vehicle_id not in self.modules or self.faults.take("refuse", vehicle_id):
            return False
        session.username, session.vehicle_id, session.client_type = username, vehicle_id, client
        if self.faults.take("stall", vehicle_id):
            session.stalled = True
        if slow := self.faults.take("slow", vehicle_id):
            await asyncio.sleep(slow.seconds)
        self.world.advance()
        module = self.modules[vehicle_id]
        session.send_line(f"MP-S 1 {username} {vehicle_id} {' '.join(owned)}")
        session.send("Z", "1" if module.vehicle.online else "0")
        for record in sorted(module.records.values(), key=_replay_order):
            session.send(record.code, record.msg)
        now = self.world.clock.now()
        latest = max((r.time for r in module.records.values()), default=now)
        session.send("T", str(max(0, int((now - latest).total_seconds()))))
        self.sessions.add(session)
        if client == APP:
            module.connect(session.peer, None, now)
        return True

    def leave(self, session: AppSession) -> None:
        """Forget an app that left."""
        self.sessions.discard(session)
        if module := self.modules.get(session.vehicle_id):
            module.disconnect(session.peer)

    async def command(self, session: AppSession, payload: str) -> None:
        """Pass ``C<payload>`` to the car's module and send its replies to the app."""
        code_text, _, rest = payload.partition(",")
        code = int(code_text) if code_text.isascii() and code_text.isdigit() else 0
        vehicle_id = session.vehicle_id
        module = self.modules[vehicle_id]
        if not module.vehicle.online or self.faults.take("silent", vehicle_id):
            return  # no car on the line: nobody answers
        async with self._locks.setdefault(vehicle_id, asyncio.Lock()):
            if slow := self.faults.take("slow", vehicle_id):
                await asyncio.sleep(slow.seconds)
            self.world.advance()
            outcome = self.controls[vehicle_id].execute(code, rest.split(",") if rest else [])
            for reply in outcome.replies:
                session.send("c", reply)
            now = self.world.clock.now()
            if outcome.follow_up is FollowUp.SEND_ALL:
                module.send_all(now)
            elif outcome.follow_up is FollowUp.RESTART:
                module.reconnect(now)
            self.world.advance()  # the module reports what changed at once

    # Plumbing

    async def _plain(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await AppSession(self, reader, writer, tls=False).run()

    async def _secure(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """TLS on an accepted connection; a failed handshake just ends it, unlogged."""
        assert self._tls_context is not None
        try:
            await writer.start_tls(self._tls_context, ssl_handshake_timeout=WELCOME_TIMEOUT)
        except OSError, TimeoutError:
            writer.close()
            return
        await AppSession(self, reader, writer, tls=True).run()

    async def _keep_world_moving(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            if self.sessions:
                self.world.advance()

    def _watching(self, vehicle_id: str) -> list[AppSession]:
        return [s for s in self.sessions if s.vehicle_id == vehicle_id]

    def _relay_to(self, vehicle_id: str) -> Callable[[Record], None]:
        def relay(record: Record) -> None:
            for session in self._watching(vehicle_id):
                session.send(record.code, record.msg)
                if record.code == "F":
                    session.send("f", SERVER_VERSION)
                session.send("T", "0")

        return relay

    def _presence_to(self, vehicle_id: str) -> Callable[[bool], None]:
        def presence(online: bool) -> None:
            for session in self._watching(vehicle_id):
                session.send("Z", "1" if online else "0")

        return presence


def _replay_order(record: Record) -> tuple[bool, bool, str]:
    """F, then S, then the rest by letter, as the real server's query sorts them."""
    return record.code != "F", record.code != "S", record.code
