"""The Stellantis connected-car API v4 on the simulated world, under /connectedcar/v4.

Every request needs a bearer token from a brand's IdP, that brand's realm in
``x-introspect-realm`` and the app's ``client_id`` query parameter (the
gateway answers 401 with its own body shape otherwise). Each brand's IdP is
an ``OAuthServer`` at /idp/<brand>/am/oauth2/{authorize,access_token}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from ..oauth import OAuthServer
from ..vehicle import Vehicle
from ..world import World
from . import views
from .brands import BRANDS, BY_REALM, SCOPES
from .fleet import api_id, profile_for
from .hal import (
    API_PREFIX,
    Linker,
    Paging,
    PagingError,
    api_error,
    collection,
    gateway_refusal,
    hal,
    linker,
)
from .quirks import Dresser
from .remotes import REMOTE_MODES, Owner, RemoteAction, RemoteError, Remotes

DAY_LIMIT: Final = 100000
BURST_LIMIT: Final = 100
_OWNER: Final = "stellantis_owner"

_OwnerHandler = Callable[[web.Request, Owner], Awaitable[web.StreamResponse]]
_CarHandler = Callable[[web.Request, Owner, views.Car], Awaitable[web.StreamResponse]]


class StellantisBackend:
    """The API, the five brand IdPs, callbacks and remote actions."""

    name = "stellantis"

    def __init__(self, world: World, *, remote_step_delay: float = 0.08) -> None:
        """Serve the world's accounts of every brand."""
        self.world = world
        self.oauth = {
            code: OAuthServer(
                world,
                backend=code,
                authorize_path=brand.authorize_path,
                token_path=brand.token_path,
                scopes=SCOPES,
            )
            for code, brand in BRANDS.items()
        }
        self.remotes = Remotes(world, step_delay=remote_step_delay)
        self._calls: dict[Owner, int] = {}

    # Python API (tests and the admin routes)

    def set_remote_mode(self, vehicle_id: str, mode: str) -> None:
        """How the car answers remotes: ok, asleep, unreachable, timeout or rejected."""
        if mode not in REMOTE_MODES:
            raise ValueError(f"unknown remote mode {mode!r}; use one of {sorted(REMOTE_MODES)}")
        self.world.vehicle(vehicle_id)  # KeyError for an unknown car
        self.remotes.modes[vehicle_id] = mode  # type: ignore[assignment]

    def expire_tokens(self, brand: str | None = None) -> None:
        """Expire the access tokens of one brand's IdP (default: all)."""
        for code, server in self.oauth.items():
            if brand in (None, code):
                server.expire_access_tokens()

    def revoke(self, brand: str | None = None, username: str | None = None) -> None:
        """Revoke refresh and access tokens (of one brand, one user; default: all)."""
        for code, server in self.oauth.items():
            if brand in (None, code):
                server.revoke(username)

    def api_id(self, vehicle_id: str) -> str:
        """The API's id of a world car."""
        return api_id(vehicle_id)

    def describe(self) -> list[str]:
        """Lines for the index page."""
        lines = [
            f"API under {API_PREFIX}; IdPs at /idp/<brand>/am/oauth2/{{authorize,access_token}}"
        ]
        lines += [
            f"{BRANDS[a.backend].name} ({BRANDS[a.backend].realm}): "
            f"{a.username}, {len(a.vehicle_ids)} cars"
            for a in self.world.accounts
            if a.backend in BRANDS
        ]
        lines.append(
            "Admin: POST /admin/stellantis/vehicles/{id} {remote: ok|asleep|unreachable|timeout|"
            "rejected}, /admin/stellantis/expire-tokens, /admin/stellantis/revoke; "
            "GET /admin/stellantis/callbacks"
        )
        return lines

    def register(self, app: web.Application) -> None:
        """Mount the API, the IdPs and the admin routes."""
        for server in self.oauth.values():
            server.register(app)
        api = web.Application(middlewares=[self._gate])
        route = api.router.add_route
        route("GET", "/user/vehicles", self._owned(self._vehicles))
        route("GET", "/user/vehicles/{id}", self._car(self._vehicle))
        route("GET", "/user/vehicles/{id}/status", self._car(self._status))
        route("GET", "/user/vehicles/{id}/lastPosition", self._car(self._position))
        route("GET", "/user/vehicles/{id}/alerts", self._car(self._alerts))
        route("GET", "/user/vehicles/{id}/alerts/{item}", self._car(self._item(views.alerts)))
        route("GET", "/user/vehicles/{id}/trips", self._car(self._trips))
        route("GET", "/user/vehicles/{id}/trips/{item}", self._car(self._item(views.trips)))
        route("GET", "/user/vehicles/{id}/maintenance", self._car(self._maintenance))
        route("GET", "/user/callbacks", self._owned(self._list_callbacks))
        route("POST", "/user/callbacks", self._owned(self._new_callback))
        route("GET", "/user/callbacks/{cbid}", self._owned(self._get_callback))
        route("DELETE", "/user/callbacks/{cbid}", self._owned(self._delete_callback))
        remotes = "/user/vehicles/{id}/callbacks/{cbid}/remotes"
        route("POST", remotes, self._car(self._send_remote))
        route("GET", remotes, self._car(self._list_remotes))
        route("GET", remotes + "/{rid}", self._car(self._get_remote))
        route("*", "/{tail:.*}", self._unknown)
        app.add_subapp(API_PREFIX, api)
        app.router.add_post("/admin/stellantis/vehicles/{vehicle_id}", self._admin_vehicle)
        app.router.add_post("/admin/stellantis/expire-tokens", self._admin_expire)
        app.router.add_post("/admin/stellantis/revoke", self._admin_revoke)
        app.router.add_get("/admin/stellantis/callbacks", self._admin_callbacks)
        app.on_cleanup.append(self._cleanup)

    async def _cleanup(self, _app: web.Application) -> None:
        await self.remotes.close()

    # Plumbing

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Gateway checks (client id, realm), then the token against the realm's IdP."""
        realm = request.headers.get("x-introspect-realm", "")
        brand = BY_REALM.get(realm)
        if not request.query.get("client_id"):
            return gateway_refusal("Invalid client id or secret.")
        if brand is None:
            return gateway_refusal(
                "Cannot pass the security checks that are required by the target API or operation"
            )
        grant = self.oauth[brand.code].grant_for(request)
        if grant is None:
            return api_error(401, "Unauthorized: invalid or expired token", self.world.clock.now())
        if grant.client_id != request.query["client_id"]:
            return gateway_refusal("Not registered to plan")
        self.world.advance()
        owner = (brand.code, grant.username)
        request[_OWNER] = owner
        response = await handler(request)
        used = self._calls[owner] = self._calls.get(owner, 0) + 1
        response.headers["X-RateLimit-Limit-1"] = str(DAY_LIMIT)
        response.headers["X-RateLimit-Remaining-1"] = str(max(0, DAY_LIMIT - used))
        response.headers["X-RateLimit-Limit-2"] = str(BURST_LIMIT)
        response.headers["X-RateLimit-Remaining-2"] = str(BURST_LIMIT - 1)
        return response

    def _owned(self, handler: _OwnerHandler) -> Handler:
        async def owned(request: web.Request) -> web.StreamResponse:
            return await handler(request, request[_OWNER])

        return owned

    def _cars(self, owner: Owner) -> list[Vehicle]:
        account = self.world.account(*owner)
        if account is None:
            return []
        return [self.world.vehicle(vehicle_id) for vehicle_id in account.vehicle_ids]

    def _view(self, request: web.Request, owner: Owner, vehicle: Vehicle) -> views.Car:
        profile = profile_for(vehicle, owner[0])
        dresser = Dresser(vehicle.id, profile.quirks)
        links = linker(request, relative=dresser.quirks.relative_links)
        return views.Car(
            vehicle, profile, dresser, api_id(vehicle.id), links, self.world.clock.now()
        )

    def _car(self, handler: _CarHandler) -> Handler:
        async def car(request: web.Request, owner: Owner) -> web.StreamResponse:
            wanted = request.match_info["id"]
            vehicle = next((v for v in self._cars(owner) if api_id(v.id) == wanted), None)
            if vehicle is None:  # the real API: 403 for a car not on the account
                return self._error(403, "Forbidden: no access to this vehicle")
            return await handler(request, owner, self._view(request, owner, vehicle))

        return self._owned(car)

    def _error(self, status: int, message: str, code: int | None = None) -> web.Response:
        return api_error(status, message, self.world.clock.now(), code)

    def _page(
        self, request: web.Request, items: list[dict[str, Any]], key: str, links: Linker
    ) -> web.StreamResponse:
        try:
            paging = Paging.from_request(request)
        except PagingError as err:
            return self._error(400, f"Bad request: {err}")
        path = request.path.removeprefix(API_PREFIX)
        return hal(collection(paging, items, key, path, links))

    # Vehicles and their data

    async def _vehicles(self, request: web.Request, owner: Owner) -> web.StreamResponse:
        items = [
            views.vehicle_resource(self._view(request, owner, vehicle))
            for vehicle in self._cars(owner)
        ]
        # The fleet account's page links are relative, to keep clients honest.
        relative = owner[1] == "fleet"
        return self._page(request, items, "vehicles", linker(request, relative))

    async def _vehicle(self, _r: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        return hal(views.vehicle_resource(car))

    async def _status(self, _r: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        if not car.dresser.has("status"):
            message = "Not Found: We didn't find the status for this vehicle."
            return self._error(404, message, 40400)
        return hal(views.status(car))

    async def _position(self, _r: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        if not car.dresser.has("lastPosition"):
            return self._error(404, "No data available for such context.", 40499)
        return hal(
            views.position(car.vehicle, car.dresser, car.now),
            content_type="application/vnd.geo+json",
        )

    async def _alerts(self, request: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        return self._page(request, views.alerts(car), "alerts", car.links)

    async def _trips(self, request: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        return self._page(request, views.trips(car), "trips", car.links)

    def _item(self, items: Callable[[views.Car], list[dict[str, Any]]]) -> _CarHandler:
        """One alert or trip by id: the target of each listed item's self link."""

        async def item(request: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
            wanted = request.match_info["item"]
            found = next((i for i in items(car) if i["id"] == wanted), None)
            return self._error(404, "Not Found: no such item") if found is None else hal(found)

        return item

    async def _maintenance(self, _r: web.Request, _o: Owner, car: views.Car) -> web.StreamResponse:
        if not car.dresser.has("health"):
            return self._error(404, "No data available for such context.", 40499)
        return hal(views.maintenance(car))

    # Callbacks

    def _callback_json(self, request: web.Request, callback: Any) -> dict[str, Any]:
        return {
            "id": callback.id,
            "label": callback.label,
            "status": callback.status,
            "subscribe": callback.subscribe,
            "_links": {"self": linker(request).link(f"/user/callbacks/{callback.id}")},
        }

    async def _list_callbacks(self, request: web.Request, owner: Owner) -> web.StreamResponse:
        items = [self._callback_json(request, c) for c in self.remotes.of(owner)]
        return self._page(request, items, "callbacks", linker(request))

    async def _new_callback(self, request: web.Request, owner: Owner) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict):
            return self._error(400, "Bad request: body must be a JSON object")
        try:
            callback = self.remotes.register(owner, body)
        except RemoteError as err:
            return self._error(400, f"Bad request: {err}")
        return hal(
            {
                "callbackId": callback.id,
                "status": callback.status,
                "_links": {"callback": linker(request).link(f"/user/callbacks/{callback.id}")},
            }
        )

    async def _get_callback(self, request: web.Request, owner: Owner) -> web.StreamResponse:
        callback = self.remotes.callback(owner, request.match_info["cbid"])
        if callback is None:
            return self._error(404, "Not Found: no such callback")
        return hal(self._callback_json(request, callback))

    async def _delete_callback(self, request: web.Request, owner: Owner) -> web.StreamResponse:
        if not self.remotes.delete(owner, request.match_info["cbid"]):
            return self._error(404, "Not Found: no such callback")
        return web.Response(status=204)

    # Remote actions

    def _action_json(self, request: web.Request, action: RemoteAction, vid: str) -> dict[str, Any]:
        base = f"/user/vehicles/{vid}/callbacks/{action.callback_id}/remotes"
        body: dict[str, Any] = {
            "remoteActionId": action.id,
            "type": action.type,
            "remote": action.remote,
            "status": action.status,
            "createdAt": action.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "_links": {
                "self": linker(request).link(f"{base}/{action.id}"),
                "callback": linker(request).link(f"/user/callbacks/{action.callback_id}"),
            },
        }
        if action.failure_cause is not None:
            body["failureCause"] = action.failure_cause
        return body

    async def _send_remote(
        self, request: web.Request, owner: Owner, car: views.Car
    ) -> web.StreamResponse:
        vehicle, vid = car.vehicle, car.api_id
        callback = self.remotes.callback(owner, request.match_info["cbid"])
        if callback is None:
            return self._error(404, "Not Found: no such callback")
        if not car.dresser.has("remotes"):
            return self._error(403, "Forbidden: remote services not available for this vehicle")
        body = await _json_body(request)
        try:
            action = self.remotes.submit(owner, vehicle, callback, body)
        except RemoteError as err:
            return self._error(400, f"Bad request: {err}")
        base = f"/user/vehicles/{vid}/callbacks/{callback.id}/remotes"
        return hal(
            {
                "remoteActionId": action.id,
                "type": action.type,
                "_links": {
                    "callback": linker(request).link(f"/user/callbacks/{callback.id}"),
                    "remote": linker(request).link(f"{base}/{action.id}"),
                },
            },
            status=202,
        )

    async def _list_remotes(
        self, request: web.Request, owner: Owner, car: views.Car
    ) -> web.StreamResponse:
        vehicle, vid = car.vehicle, car.api_id
        cbid = request.match_info["cbid"]
        items = [
            self._action_json(request, a, vid)
            for a in reversed(self.remotes.actions.values())
            if a.owner == owner and a.vehicle_id == vehicle.id and a.callback_id == cbid
        ]
        return self._page(request, items, "remoteActions", linker(request))

    async def _get_remote(
        self, request: web.Request, owner: Owner, car: views.Car
    ) -> web.StreamResponse:
        vehicle, vid = car.vehicle, car.api_id
        action = self.remotes.action(owner, vehicle.id, request.match_info["rid"])
        if action is None or action.callback_id != request.match_info["cbid"]:
            return self._error(404, "Not Found: no such remote action")
        return hal(self._action_json(request, action, vid))

    async def _unknown(self, _request: web.Request) -> web.StreamResponse:
        return self._error(404, "Not Found")

    # Admin

    async def _admin_vehicle(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("remote"), str):
            return web.json_response({"error": 'body must be {"remote": mode}'}, status=400)
        try:
            self.set_remote_mode(request.match_info["vehicle_id"], body["remote"])
        except KeyError:
            return web.json_response({"error": "unknown vehicle"}, status=404)
        except ValueError as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response(
            {"vehicle": request.match_info["vehicle_id"], "remote": body["remote"]}
        )

    async def _admin_expire(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        brand = body.get("brand") if isinstance(body, dict) else None
        self.expire_tokens(brand if isinstance(brand, str) else None)
        return web.json_response({"expired": brand or "all"})

    async def _admin_revoke(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        body = body if isinstance(body, dict) else {}
        brand, username = body.get("brand"), body.get("username")
        self.revoke(
            brand if isinstance(brand, str) else None,
            username if isinstance(username, str) else None,
        )
        return web.json_response({"revoked": {"brand": brand, "username": username}})

    async def _admin_callbacks(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response(
            [
                {
                    "id": c.id,
                    "brand": c.owner[0],
                    "username": c.owner[1],
                    "label": c.label,
                    "target": c.target,
                    "delivered": c.delivered,
                    "failed": c.failed,
                }
                for c in self.remotes.callbacks.values()
            ]
        )


async def _json_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    try:
        return json.loads(await request.text())
    except ValueError:
        return None
