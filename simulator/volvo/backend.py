"""The Volvo Cars cloud on the simulated world, at the real paths.

Volvo ID (OAuth2 + PKCE) at /as/..., Connected Vehicle v2 (and v1) under
/connected-vehicle/, Energy v2 under /energy/v2, Location under /location/v1.
Every API call needs a valid ``vcc-api-key`` (401), spends one call of the
key's daily quota (403 "Out of call volume quota" when used up), and needs a
bearer token (401) with the endpoint's scopes (403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
import math
from typing import Any, Final

from aiohttp import web

from ..admin import _body, _json
from ..geo import Point
from ..oauth import Grant, OAuthServer
from ..responses import canonical_json, hold
from ..vehicle import DOORS, WINDOWS, NaviDestination, Vehicle
from ..world import World
from . import commands as cmd, views
from .cars import VolvoCar
from .fleet import BACKEND, PROFILES
from .keys import DEMO_API_KEY, ApiKeys, quota_message
from .profiles import COMMAND_PATHS, STATUS_ENDPOINTS
from .replies import fail, not_found, ok, operation_id
from .scopes import COMMAND_SCOPES, ENDPOINT_SCOPES, SCOPES

AUTHORIZE_PATH: Final = "/as/authorization.oauth2"
TOKEN_PATH: Final = "/as/token.oauth2"  # noqa: S105 (a path, not a secret)
PREFIXES: Final = ("/connected-vehicle/v2", "/connected-vehicle/v1")
PAGE_SIZE: Final = 3  # small, so that the demo account's list spans two pages
MAX_PAGE_SIZE: Final = 100
COMMAND_DELAY: Final = 0.2  # real seconds a v2 command takes to answer
MAX_RUNTIME: Final = 15
# The v1 portal's unlock page: unlockDuration at most 120 s (also the default window).
MAX_UNLOCK_SECONDS: Final = 120
_BAD_KEY: Final = (
    "Access denied due to invalid VCC-API-KEY. "
    "Make sure to provide a valid key for an active application."
)


@dataclass(frozen=True)
class _Call:
    grant: Grant
    key: str


_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
_Handler = Callable[[web.Request, _Call], Awaitable[web.StreamResponse]]
_CarHandler = Callable[[web.Request, _Call, VolvoCar, Vehicle], Awaitable[web.StreamResponse]]


class VolvoBackend:
    """Volvo ID, the API gateway (keys, quota) and the car APIs.

    Python API for tests: ``oauth`` (issue, expire, revoke tokens), ``keys``
    (add keys, set quotas, read daily counts), ``cars[vin]`` (sleep, forced
    outcomes, field overrides, command log), ``command_delay``.
    """

    name = BACKEND

    def __init__(self, world: World, *, command_delay: float = COMMAND_DELAY) -> None:
        """Serve the world's cars that a Volvo account owns."""
        self.world = world
        self.command_delay = command_delay
        self.oauth = OAuthServer(
            world,
            backend=BACKEND,
            authorize_path=AUTHORIZE_PATH,
            token_path=TOKEN_PATH,
            scopes=SCOPES,
        )
        self.keys = ApiKeys()
        self.cars = {
            vin: VolvoCar(PROFILES[vin])
            for account in world.accounts
            if account.backend == BACKEND
            for vin in account.vehicle_ids
            if vin in PROFILES
        }
        self.requests = cmd.AsyncRequests()

    # Python API

    def calls_today(self, key: str = DEMO_API_KEY) -> int:
        """Return the calls ``key`` made on the simulated clock's UTC day."""
        return self.keys.calls(key, self.world.clock.now().date())

    def describe(self) -> list[str]:
        """Return lines for the index page."""
        return [
            f"Volvo ID at {AUTHORIZE_PATH} and {TOKEN_PATH} (PKCE S256; any client id)",
            f"API key: {DEMO_API_KEY}; Connected Vehicle v2, Energy v2, Location v1",
            (
                "Admin: GET /admin/volvo; POST /admin/volvo/vehicles/{vin} "
                '{"asleep", "outcomes", "fields", "doors", "windows"}, /admin/volvo/keys '
                '{"key", "quota"}, /admin/volvo/expire-tokens, /admin/volvo/revoke {"username"}'
            ),
        ]

    def register(self, app: web.Application) -> None:
        """Add Volvo ID, the API routes and the admin actions."""
        self.oauth.register(app)
        route = app.router.add_route
        for prefix in PREFIXES:
            base = f"{prefix}/vehicles"
            route("GET", base, self._api(self._list, ENDPOINT_SCOPES["vehicles"]))
            route("GET", base + "/{vin}", self._car(self._details, ENDPOINT_SCOPES["vehicles"]))
            for endpoint in STATUS_ENDPOINTS:
                handler = self._status_handler(endpoint)
                route(
                    "GET",
                    f"{base}/{{vin}}/{endpoint}",
                    self._car(handler, ENDPOINT_SCOPES[endpoint]),
                )
            for name, path in COMMAND_PATHS.items():
                handler = self._command_handler(name)
                route(
                    "POST",
                    f"{base}/{{vin}}/commands/{path}",
                    self._car(handler, COMMAND_SCOPES[name]),
                )
        route(
            "GET",
            "/connected-vehicle/v1/vehicles/{vin}/requests/{request_id}",
            self._car(self._async_result, ()),
        )
        energy = "/energy/v2/vehicles/{vin}"
        route(
            "GET", energy + "/state", self._car(self._energy_state, ENDPOINT_SCOPES["energy-state"])
        )
        route(
            "GET",
            energy + "/capabilities",
            self._car(self._energy_capabilities, ENDPOINT_SCOPES["energy-capabilities"]),
        )
        route(
            "GET",
            "/location/v1/vehicles/{vin}/location",
            self._car(self._location, ENDPOINT_SCOPES["location"]),
        )
        route("GET", "/admin/volvo", _json(self._admin_state))
        route("POST", "/admin/volvo/vehicles/{vin}", _json(self._admin_car))
        route("POST", "/admin/volvo/keys", _json(self._admin_key))
        route("POST", "/admin/volvo/expire-tokens", _json(self._admin_expire))
        route("POST", "/admin/volvo/revoke", _json(self._admin_revoke))

    # The gateway

    def _api(self, handler: _Handler, scopes: Iterable[str]) -> _Route:
        needed = frozenset({"openid", *scopes})

        async def gated(request: web.Request) -> web.StreamResponse:
            key = request.headers.get("vcc-api-key", "")
            if not self.keys.valid(key):
                return fail(request, 401, _BAD_KEY)
            wait = self.keys.spend(key, self.world.clock.now())
            if wait is not None:
                return canonical_json({"statusCode": 403, "message": quota_message(wait)}, 403)
            grant = self.oauth.grant_for(request)
            if grant is None:
                return fail(
                    request,
                    401,
                    "Unauthorized",
                    "The access token is missing, invalid or expired",
                )
            missing = sorted(needed - grant.scopes)
            if missing:
                return fail(
                    request,
                    403,
                    "Forbidden",
                    "The access token lacks the scopes this resource requires",
                    detail={"missingScopes": missing},
                )
            self.world.advance()
            return await handler(request, _Call(grant, key))

        return gated

    def _car(self, handler: _CarHandler, scopes: Iterable[str]) -> _Route:
        async def owned(request: web.Request, call: _Call) -> web.StreamResponse:
            vin = request.match_info["vin"]
            account = self.world.account(BACKEND, call.grant.username)
            car = self.cars.get(vin)
            if account is None or car is None or vin not in account.vehicle_ids:
                return not_found(request, f"Vehicle {vin}")
            return await handler(request, call, car, self.world.vehicle(vin))

        return self._api(owned, scopes)

    # Connected Vehicle

    async def _list(self, request: web.Request, call: _Call) -> web.StreamResponse:
        account = self.world.account(BACKEND, call.grant.username)
        vins = [v for v in (account.vehicle_ids if account else ()) if v in self.cars]
        try:
            limit = int(request.query.get("limit", PAGE_SIZE))
            offset = int(request.query.get("offset", 0))
        except ValueError:
            return fail(request, 400, "Bad Request", "limit and offset must be integers")
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            return fail(request, 400, "Bad Request", f"limit 1-{MAX_PAGE_SIZE}, offset >= 0")
        pagination: dict[str, Any] = {"limit": limit, "offset": offset, "total": len(vins)}
        if offset + limit < len(vins):
            pagination["next"] = f"?limit={limit}&offset={offset + limit}"
        if offset > 0:
            pagination["previous"] = f"?limit={limit}&offset={max(0, offset - limit)}"
        page = [{"vin": vin} for vin in vins[offset : offset + limit]]
        return ok(request, page, pagination=pagination)

    async def _details(
        self, request: web.Request, _call: _Call, car: VolvoCar, vehicle: Vehicle
    ) -> web.StreamResponse:
        return ok(request, views.details(car, vehicle, str(request.url.origin())))

    def _status_handler(self, endpoint: str) -> _CarHandler:
        async def status(
            request: web.Request, _call: _Call, car: VolvoCar, vehicle: Vehicle
        ) -> web.StreamResponse:
            if endpoint not in car.profile.endpoints:
                return not_found(request, f"/{endpoint} of this vehicle")
            if endpoint == "commands":
                return ok(request, views.commands(car, vehicle))
            if endpoint == "command-accessibility":
                return ok(request, views.accessibility(car, vehicle, car.sleeping(vehicle)))
            return ok(request, views.STATUS_VIEWS[endpoint](car, vehicle))

        return status

    def _command_handler(self, command: str) -> _CarHandler:
        async def invoke(
            request: web.Request, call: _Call, car: VolvoCar, vehicle: Vehicle
        ) -> web.StreamResponse:
            return await self._invoke(request, call, car, vehicle, command)

        return invoke

    async def _invoke(
        self, request: web.Request, call: _Call, car: VolvoCar, vehicle: Vehicle, command: str
    ) -> web.StreamResponse:
        wait = self.keys.command(call.key, self.world.clock.now())
        if wait is not None:
            seconds = str(max(1, math.ceil(wait)))
            return fail(
                request,
                429,
                "Too Many Requests",
                "Rate limit of invocation methods exceeded",
                headers={"Retry-After": seconds},
            )
        runtime = 0
        if command == "ENGINE_START":
            runtime_or_error = await _runtime(request)
            if isinstance(runtime_or_error, str):
                return fail(request, 400, "Bad Request", runtime_or_error)
            runtime = runtime_or_error
        poi = None
        if command == "SEND_NAVI_POI":
            poi_or_error = await _poi(request)
            if isinstance(poi_or_error, str):
                return fail(request, 400, "Bad Request", poi_or_error)
            poi = poi_or_error
        unlock_seconds = MAX_UNLOCK_SECONDS
        if command == "UNLOCK":
            seconds_or_error = await _unlock_seconds(request)
            if isinstance(seconds_or_error, str):
                return fail(request, 400, "Bad Request", seconds_or_error)
            unlock_seconds = seconds_or_error
        if command not in car.profile.commands:
            return fail(
                request, 422, "Unprocessable Entity", f"{command} is not supported by this vehicle"
            )
        if car.profile.shape == "v1":
            return self._start_async(
                request, car, vehicle, command, runtime, poi=poi, unlock_seconds=unlock_seconds
            )
        if self.command_delay and not await hold(request, self.command_delay):
            return web.Response()  # the client left; the command never reached the car
        self.world.advance()
        now = self.world.clock.now()
        status = cmd.run(
            car, vehicle, command, runtime, now, poi=poi, unlock_seconds=unlock_seconds
        )
        data: dict[str, Any] = {
            "vin": car.profile.vin,
            "invokeStatus": status,
            "message": cmd.message(status),
        }
        if command == "UNLOCK" and status == cmd.COMPLETED:
            data["readyToUnlock"] = True
            data["readyToUnlockUntil"] = int(now.timestamp()) + unlock_seconds
        return ok(request, data)

    def _start_async(
        self,
        request: web.Request,
        car: VolvoCar,
        vehicle: Vehicle,
        command: str,
        runtime: int,
        *,
        poi: NaviDestination | None,
        unlock_seconds: int,
    ) -> web.StreamResponse:
        now = self.world.clock.now()
        status = cmd.run(
            car, vehicle, command, runtime, now, poi=poi, unlock_seconds=unlock_seconds
        )
        pending = self.requests.add(car.profile.vin, command, status, now)
        href = f"{request.url.origin()}/connected-vehicle/v1/vehicles/{car.profile.vin}/requests/{pending.id}"
        body = {
            "status": 202,
            "operationId": operation_id(request),
            "async": {
                "status": "WAITING",
                "id": pending.id,
                "href": href,
                "expires": views.stamp(now.replace(year=now.year + 1)),
            },
        }
        return canonical_json(body, 202)

    async def _async_result(
        self, request: web.Request, _call: _Call, car: VolvoCar, _vehicle: Vehicle
    ) -> web.StreamResponse:
        pending = self.requests.get(car.profile.vin, request.match_info["request_id"])
        if pending is None:
            return not_found(request, "The request")
        now = self.world.clock.now()
        return ok(
            request,
            {
                "id": pending.id,
                "vin": pending.vin,
                "command": pending.command,
                "status": pending.current(now),
                "created": views.stamp(pending.created),
                "updated": views.stamp(now),
            },
        )

    # Energy and location

    async def _energy_state(
        self, request: web.Request, _call: _Call, car: VolvoCar, vehicle: Vehicle
    ) -> web.StreamResponse:
        return canonical_json(views.energy_state(car, vehicle))

    async def _energy_capabilities(
        self, request: web.Request, _call: _Call, car: VolvoCar, _vehicle: Vehicle
    ) -> web.StreamResponse:
        return canonical_json(views.energy_capabilities(car))

    async def _location(
        self, request: web.Request, _call: _Call, car: VolvoCar, vehicle: Vehicle
    ) -> web.StreamResponse:
        return ok(request, views.location(car, vehicle))

    # Admin

    async def _admin_state(self, _request: web.Request) -> dict[str, Any]:
        now = self.world.clock.now()
        return {
            "keys": self.keys.snapshot(now.date()),
            "vehicles": [
                {
                    "vin": vin,
                    "shape": car.profile.shape,
                    "asleep": car.asleep,
                    "sleeping": car.sleeping(self.world.vehicle(vin)),
                    "outcomes": list(car.outcomes),
                    "fields": car.fields,
                    "commands": [[t.isoformat(), c, s] for t, c, s in car.events],
                }
                for vin, car in self.cars.items()
            ],
        }

    async def _admin_car(self, request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        vin = request.match_info["vin"]
        car, vehicle = self.cars[vin], self.world.vehicle(vin)
        if "asleep" in body:
            if body["asleep"] is not None and not isinstance(body["asleep"], bool):
                raise TypeError("asleep must be true, false or null")
            car.asleep = body["asleep"]
        for name, value in _strings(body.get("fields", {}), "fields").items():
            car.fields[name] = value
        car.outcomes.extend(
            _strings(dict(enumerate(body.get("outcomes", []))), "outcomes").values()
        )
        for part, names, target in (
            ("doors", DOORS, vehicle.doors),
            ("windows", WINDOWS, vehicle.windows),
        ):
            for name, flag in (body.get(part) or {}).items():
                if name not in names or not isinstance(flag, bool):
                    raise ValueError(f"{part}: use {list(names)} with true or false")
                target[name] = flag
        return await self._admin_state(request)

    async def _admin_key(self, request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        key, quota = body.get("key"), body.get("quota", 10_000)
        if not isinstance(key, str) or not key or not isinstance(quota, int):
            raise TypeError("key must be a string and quota an integer")
        if self.keys.valid(key):
            self.keys.set_quota(key, quota)
        else:
            self.keys.add(key, quota)
        return await self._admin_state(request)

    async def _admin_expire(self, request: web.Request) -> dict[str, Any]:
        self.oauth.expire_access_tokens()
        return await self._admin_state(request)

    async def _admin_revoke(self, request: web.Request) -> dict[str, Any]:
        username = (await _body(request)).get("username")
        if username is not None and not isinstance(username, str):
            raise TypeError("username must be a string")
        self.oauth.revoke(username)
        return await self._admin_state(request)


def _strings(raw: Any, what: str) -> dict[Any, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise TypeError(f"{what} must hold strings")
    return raw


async def _runtime(request: web.Request) -> int | str:
    """The engine-start body's ``runtimeMinutes``, or what is wrong with it."""
    try:
        body = await request.json() if request.can_read_body else None
    except ValueError:
        return "the body is not JSON"
    runtime = body.get("runtimeMinutes") if isinstance(body, dict) else None
    if not isinstance(runtime, int) or isinstance(runtime, bool):
        return "runtimeMinutes (an integer) is required"
    if not 1 <= runtime <= MAX_RUNTIME:
        return f"runtimeMinutes must be between 1 and {MAX_RUNTIME}"
    return runtime


async def _unlock_seconds(request: web.Request) -> int | str:
    """The v1 unlock body's ``unlockDuration`` (120 without a body), or what is wrong with it."""
    try:
        body = await request.json() if request.can_read_body else None
    except ValueError:
        return "the body is not JSON"
    if body is None:
        return MAX_UNLOCK_SECONDS
    seconds = body.get("unlockDuration") if isinstance(body, dict) else None
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return "unlockDuration (an integer) is required"
    if not 1 <= seconds <= MAX_UNLOCK_SECONDS:
        return f"unlockDuration must be between 1 and {MAX_UNLOCK_SECONDS}"
    return seconds


async def _poi(request: web.Request) -> NaviDestination | str:
    """SEND_NAVI_POI's body, as the v1 portal documents it, or what is wrong with it.

    latitude and longitude are numbers, name 3 to 17 characters; phone is optional.
    """
    try:
        body = await request.json() if request.can_read_body else None
    except ValueError:
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "latitude, longitude and name are required"
    lat, lon, name = _number(body.get("latitude")), _number(body.get("longitude")), body.get("name")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "latitude (-90 to 90) and longitude (-180 to 180) are required"
    if not isinstance(name, str) or not 3 <= len(name) <= 17:
        return "name must be 3 to 17 characters"
    return NaviDestination(Point(lat, lon), name)


def _number(raw: Any) -> float | None:
    """A JSON number (not a boolean), else None."""
    return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
