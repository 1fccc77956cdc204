"""The admin HTTP API: the Python controls over JSON, for the demo and other processes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

from aiohttp import web

from .clock import Clock
from .counting import RequestCounter
from .faults import Faults
from .vehicle import Vehicle
from .world import World

_JsonHandler = Callable[[web.Request], Awaitable[Any]]
_FAULT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "method": str,
    "path": str,
    "kind": str,
    "status": (int, type(None)),
    "seconds": (int, float),
    "times": (int, type(None)),
    "retry_after": (str, type(None)),
    "body": (str, type(None)),
}


def _vehicle_row(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.id,
        "model": f"{vehicle.spec.make} {vehicle.spec.model}",
        "phase": vehicle.phase,
        "online": vehicle.online,
        "locked": vehicle.locked,
        "soc": round(vehicle.soc, 1),
        "odometer_km": round(vehicle.odometer_km, 1),
        "charge_state": vehicle.charge_state,
        "latitude": round(vehicle.position.lat, 6),
        "longitude": round(vehicle.position.lon, 6),
        "navigation": None
        if (navi := vehicle.navigation) is None
        else {"latitude": navi.point.lat, "longitude": navi.point.lon, "name": navi.name},
        "unlock_seconds": vehicle.unlock_seconds,
    }


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except json.JSONDecodeError as err:
        raise ValueError(f"body is not JSON: {err}") from err
    if not isinstance(data, dict):
        raise TypeError("body must be a JSON object")
    return data


def _json(handler: _JsonHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Turn a handler returning data into one answering JSON, 400 on bad input."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return web.json_response(await handler(request))
        except KeyError as err:
            return web.json_response({"error": f"unknown: {err}"}, status=404)
        except (ValueError, TypeError) as err:
            return web.json_response({"error": str(err)}, status=400)

    return wrapped


class Admin:
    """Routes under /admin that mirror ``Simulator``'s Python API."""

    def __init__(
        self, clock: Clock, world: World, faults: Faults, requests: RequestCounter
    ) -> None:
        """Control these parts of the simulator."""
        self.clock = clock
        self.world = world
        self.faults = faults
        self.requests = requests

    def register(self, app: web.Application) -> None:
        """Add the admin routes to ``app``."""
        add = app.router.add_route
        add("GET", "/admin/requests", _json(self._requests))
        add("DELETE", "/admin/requests", _json(self._reset_requests))
        add("GET", "/admin/faults", _json(self._faults))
        add("POST", "/admin/faults", _json(self._add_fault))
        add("DELETE", "/admin/faults", _json(self._clear_faults))
        add("GET", "/admin/clock", _json(self._clock))
        add("POST", "/admin/clock", _json(self._advance))
        add("GET", "/admin/vehicles", _json(self._vehicles))
        add("POST", "/admin/vehicles/{vehicle_id}", _json(self._change_vehicle))

    async def _requests(self, _request: web.Request) -> dict[str, Any]:
        return {
            "total": self.requests.total(),
            "routes": self.requests.snapshot(),
            "paths": self.requests.by_path(),
        }

    async def _reset_requests(self, request: web.Request) -> dict[str, Any]:
        self.requests.reset()
        return await self._requests(request)

    async def _faults(self, _request: web.Request) -> dict[str, Any]:
        return {"faults": self.faults.active()}

    async def _add_fault(self, request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        unknown = set(body) - set(_FAULT_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        for field, value in body.items():
            if not isinstance(value, _FAULT_FIELDS[field]) or isinstance(value, bool):
                raise TypeError(f"{field} has the wrong type")
        self.faults.add(**body)
        return await self._faults(request)

    async def _clear_faults(self, request: web.Request) -> dict[str, Any]:
        self.faults.clear()
        return await self._faults(request)

    async def _clock(self, _request: web.Request) -> dict[str, Any]:
        return {
            "now": self.clock.now().isoformat(),
            "realtime": self.clock.realtime,
            "speed": self.clock.speed,
        }

    async def _advance(self, request: web.Request) -> dict[str, Any]:
        seconds = (await _body(request)).get("advance", 0)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise TypeError("advance must be a number of seconds")
        self.clock.advance(seconds)
        return await self._clock(request)

    async def _vehicles(self, _request: web.Request) -> list[dict[str, Any]]:
        return [_vehicle_row(v) for v in self.world.vehicles()]

    async def _change_vehicle(self, request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        vehicle = self.world.vehicle(request.match_info["vehicle_id"])
        for flag in ("online", "locked"):
            if flag in body and not isinstance(body[flag], bool):
                raise TypeError(f"{flag} must be true or false")
        if "phase" in body:
            vehicle.set_phase(str(body["phase"]))
        if "online" in body:
            vehicle.online = body["online"]
        if "locked" in body:
            vehicle.locked = body["locked"]
        return _vehicle_row(vehicle)
