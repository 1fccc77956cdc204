"""The OVMS v3 server's HTTP API (ApiHttpCore.pm) on the simulated world, under /api."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from ..responses import canonical_json, hold, text
from ..world import World
from . import views
from .app_admin import AppAdmin
from .app_server import AppServer
from .auth import Accounts, demo_token, permits
from .fleet import MODULES
from .module import CarModule, ModuleSettings
from .ratelimit import RateLimiter

COOKIE: Final = "ovmsapisession"
TOKEN_RIGHTS: Final = ("token.admin", "admin")
NOT_IMPLEMENTED: Final = (
    ("PUT", "charge"), ("DELETE", "charge"),
    ("GET", "lock"), ("PUT", "lock"), ("DELETE", "lock"),
    ("GET", "valet"), ("PUT", "valet"), ("DELETE", "valet"),
    ("GET", "features"), ("PUT", "features"), ("PUT", "feature"),
    ("GET", "parameters"), ("PUT", "parameters"), ("PUT", "parameter"),
    ("PUT", "reset"), ("PUT", "homelink"),
)  # fmt: skip
_METHODS: Final = ("GET", "PUT", "POST", "DELETE")


@dataclass(frozen=True)
class _Caller:
    username: str
    permissions: str
    session_id: str  # query auth: the stale cookie or "-", as the real server has it
    expires: datetime | None


_CallerHandler = Callable[[web.Request, _Caller], Awaitable[web.StreamResponse]]
_CarHandler = Callable[[web.Request, _Caller, CarModule], Awaitable[web.StreamResponse]]


def _refused(status: int, body: str, reason: str) -> web.Response:
    return text(status, body, reason=reason)


async def _server_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """Add the real server's headers; it speaks HTTP/1.0 and closes every connection."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "max-age=0"
    response.headers["Connection"] = "close"
    response.force_close()


class OvmsBackend:
    """The OVMS server: accounts, sessions, car modules and the /api routes."""

    name = "ovms"

    def __init__(
        self,
        world: World,
        *,
        rate_limit: bool = True,
        rate_limit_hold: float = 20.0,
    ) -> None:
        """Give every car on an OVMS account a module, and watch the world."""
        self.world = world
        self.accounts = Accounts(world, self.name)
        self.rate_limiter = RateLimiter() if rate_limit else None
        self.rate_limit_hold = rate_limit_hold
        self.modules: dict[str, CarModule] = {}
        self.app_server = AppServer(world, self.accounts, self.modules)
        self.adopt_new_cars()
        world.observe(self._tick)

    # Python API

    def adopt_new_cars(self) -> None:
        """Give a module to each car on an OVMS account that has none (a fleet added later)."""
        for account in self.world.accounts:
            if account.backend != self.name:
                continue
            for vehicle_id in account.vehicle_ids:
                if vehicle_id not in self.modules:
                    settings = MODULES.get(vehicle_id, ModuleSettings())
                    module = CarModule(self.world.vehicle(vehicle_id), settings, self.world.time)
                    self.modules[vehicle_id] = module
                    self.app_server.add_module(vehicle_id, module)

    def expire_sessions(self) -> int:
        """End every cookie session now; the next cookie request gets 401."""
        gone = self.accounts.end_all()
        for session in gone:
            self._release(session.id, session.username)
        return len(gone)

    def describe(self) -> list[str]:
        """Return lines for the index page."""
        lines = ["OVMS v3 server API under /api; log in with GET /api/cookie?username=&password="]
        lines += [
            f"{a.username}: API token {demo_token(a.username)}"
            for a in self.world.accounts
            if a.backend == self.name
        ]
        return lines + self.app_server.describe()

    def register(self, app: web.Application) -> None:
        """Mount the API under /api and its admin action under /admin/ovms."""
        api = web.Application(middlewares=[self._gate])
        api.on_response_prepare.append(_server_headers)
        route = api.router.add_route
        route("GET", "/cookie", self._authed(self._login))
        route("DELETE", "/cookie", self._authed(self._logout))
        route("GET", "/token", self._authed(self._list_tokens, *TOKEN_RIGHTS))
        route("POST", "/token", self._authed(self._new_token, *TOKEN_RIGHTS))
        route("DELETE", "/token", self._authed(self._no_token, *TOKEN_RIGHTS))
        route("DELETE", "/token/{token}", self._authed(self._delete_token, *TOKEN_RIGHTS))
        route("GET", "/vehicles", self._authed(self._vehicles))
        route("GET", "/vehicle/{vehicle_id}", self._car(self._connect))
        route("DELETE", "/vehicle/{vehicle_id}", self._car(self._disconnect))
        route("GET", "/protocol/{vehicle_id}", self._car(self._protocol))
        route("GET", "/status/{vehicle_id}", self._car(self._status))
        route("GET", "/charge/{vehicle_id}", self._car(self._charge))
        route("GET", "/location/{vehicle_id}", self._car(self._location))
        route("GET", "/tpms/{vehicle_id}", self._car(self._tpms))
        route("GET", "/historical/{vehicle_id}", self._car(self._history_summary))
        route("GET", "/historical/{vehicle_id}/{record_type}", self._car(self._history))
        for method, call in NOT_IMPLEMENTED:
            route(method, f"/{call}/{{vehicle_id}}", self._authed(self._not_implemented))
        route("*", "/{tail:.*}", self._unknown)
        app.add_subapp("/api", api)
        app.router.add_post("/admin/ovms/expire-sessions", self._admin_expire_sessions)
        AppAdmin(self.app_server).register(app)

    # Plumbing

    def _tick(self, when: datetime) -> None:
        for module in self.modules.values():
            module.tick(when)

    def _release(self, session_id: str, username: str) -> None:
        """Disconnect a session from the user's cars."""
        for vehicle_id in self.accounts.vehicle_ids(username):
            if module := self.modules.get(vehicle_id):
                module.disconnect(session_id)

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Apply the per-host quota, then bring the world and the sessions up to date."""
        now = self.world.clock.now()
        if self.rate_limiter and not self.rate_limiter.allow(request.remote or "", now):
            await hold(request, self.rate_limit_hold)
            return _refused(429, "Too many requests\n", "Too many requests")
        self.world.advance()
        for session in self.accounts.expired(now):
            self._release(session.id, session.username)
        return await handler(request)

    def _caller(self, request: web.Request) -> _Caller | None:
        now = self.world.clock.now()
        cookie = request.cookies.get(COOKIE, "-")
        session = self.accounts.session(cookie, now)
        if session is not None:
            return _Caller(session.username, session.permissions, session.id, session.expires)
        username, password = request.query.get("username"), request.query.get("password")
        if username is None or password is None:
            return None
        permissions = self.accounts.authenticate(username, password)
        return _Caller(username, permissions, cookie, None) if permissions else None

    def _authed(self, handler: _CallerHandler, *rights: str) -> Handler:
        async def authed(request: web.Request) -> web.StreamResponse:
            caller = self._caller(request)
            if caller is None:
                return _refused(401, "Authentication failed\n", "Unauthorized")
            if rights and not permits(caller.permissions, *rights):
                return _refused(403, "Insufficient rights\n", "Forbidden")
            return await handler(request, caller)

        return authed

    def _car(self, handler: _CarHandler) -> Handler:
        async def owned(request: web.Request, caller: _Caller) -> web.StreamResponse:
            vehicle_id = request.match_info["vehicle_id"]
            module = self.modules.get(vehicle_id)
            if module is None or vehicle_id not in self.accounts.vehicle_ids(caller.username):
                return _refused(403, "Forbidden\n", "Forbidden")
            return await handler(request, caller, module)

        return self._authed(owned)

    # /api/cookie, /api/token, /api/vehicles

    async def _login(self, _request: web.Request, caller: _Caller) -> web.StreamResponse:
        if caller.expires is not None:  # logging in again from a live session ends it
            self.accounts.logout(caller.session_id)
            self._release(caller.session_id, caller.username)
        session = self.accounts.login(caller.username, caller.permissions, self.world.clock.now())
        return text(200, "Login ok\n", headers={"Set-Cookie": f"{COOKIE}={session.id}"})

    async def _logout(self, _request: web.Request, caller: _Caller) -> web.StreamResponse:
        self.accounts.logout(caller.session_id)
        self._release(caller.session_id, caller.username)
        return text(200, "Logout ok\n")

    async def _list_tokens(self, _request: web.Request, caller: _Caller) -> web.StreamResponse:
        return canonical_json([t.as_json() for t in self.accounts.tokens(caller.username)])

    async def _new_token(self, request: web.Request, caller: _Caller) -> web.StreamResponse:
        form = await request.post()
        params = {**request.query, **{k: v for k, v in form.items() if isinstance(v, str)}}
        token = self.accounts.new_token(
            caller.username,
            params.get("application", "notspecified"),
            params.get("purpose", "notspecified"),
            params.get("permit", "auth"),
        )
        return canonical_json(token.as_json(), status=201)

    async def _no_token(self, _request: web.Request, _caller: _Caller) -> web.StreamResponse:
        return _refused(404, "Token not specified\n", "Token missing")

    async def _delete_token(self, request: web.Request, caller: _Caller) -> web.StreamResponse:
        token = request.match_info["token"]
        self.accounts.delete_token(caller.username, token)
        return canonical_json({"owner": caller.username, "token": token})

    async def _vehicles(self, _request: web.Request, caller: _Caller) -> web.StreamResponse:
        now = self.world.clock.now()
        return canonical_json(
            [
                {
                    "id": vehicle_id,
                    "v_apps_connected": self.modules[vehicle_id].peer_count(now),
                    "v_btcs_connected": 0,
                    "v_net_connected": int(self.modules[vehicle_id].vehicle.online),
                }
                for vehicle_id in self.accounts.vehicle_ids(caller.username)
                if vehicle_id in self.modules
            ]
        )

    # /api/vehicle, records and history

    async def _connect(
        self, _request: web.Request, caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        now = self.world.clock.now()
        first = module.connect(caller.session_id, caller.expires, now)
        result: views.JsonDict = {
            "v_net_connected": int(module.vehicle.online),
            "v_apps_connected": module.peer_count(now),
            "v_btcs_connected": 0,
            "v_first_peer": int(first),
        }
        status = module.records.get("S")
        if status is not None:
            result["m_msgtime_s"] = status.time.strftime(views.TIME_FORMAT)
            result["m_msgage_s"] = int(now.timestamp()) - int(status.time.timestamp())
        return canonical_json(result)

    async def _disconnect(
        self, _request: web.Request, caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        module.disconnect(caller.session_id)
        # The real server labels this plain text as JSON.
        return text(200, "Disconnect OK\n", content_type="application/json")

    async def _protocol(
        self, _request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        return canonical_json(views.protocol(list(module.records.values())))

    async def _status(
        self, _request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        get = module.records.get
        return canonical_json(views.status(get("S"), get("D"), self.world.clock.now()))

    async def _charge(
        self, _request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        get = module.records.get
        return canonical_json(views.charge(get("S"), get("D"), self.world.clock.now()))

    async def _location(
        self, _request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        return canonical_json(views.location(module.records.get("L"), self.world.clock.now()))

    async def _tpms(
        self, _request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        get = module.records.get
        return canonical_json(views.tpms(get("W"), get("Y"), self.world.clock.now()))

    async def _history_summary(
        self, request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        since = _since(request)
        return canonical_json(
            views.history_summary(
                {
                    code: [r for r in rows if r.time.strftime(views.TIME_FORMAT) > since]
                    for code, rows in module.history.items()
                }
            )
        )

    async def _history(
        self, request: web.Request, _caller: _Caller, module: CarModule
    ) -> web.StreamResponse:
        since = _since(request)
        rows = module.history.get(request.match_info["record_type"], ())
        return canonical_json(
            views.history_records([r for r in rows if r.time.strftime(views.TIME_FORMAT) > since])
        )

    # Everything else

    async def _not_implemented(self, _request: web.Request, _caller: _Caller) -> web.StreamResponse:
        return _refused(501, "Not yet implemented\n", "Not Implemented")

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        if request.method not in _METHODS:
            return _refused(501, "501 not implemented\n", "not implemented")
        return _refused(404, "Unrecognised API call\n", "Unrecongised API call")

    async def _admin_expire_sessions(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response({"expired": self.expire_sessions()})


def _since(request: web.Request) -> str:
    """Return ``?since=`` as a comparable ``YYYY-MM-DD HH:MM:SS`` string ("" when absent)."""
    return request.query.get("since", "").replace("T", " ")
