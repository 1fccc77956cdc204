"""The admin API of the protocol v2 app port: its state, its faults, its CA certificate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

from aiohttp import web

from .app_server import AppServer


class AppAdmin:
    """Routes under /admin/ovms/v2 that mirror ``AppServer``'s Python controls."""

    def __init__(self, server: AppServer) -> None:
        """Control ``server``."""
        self.server = server

    def register(self, app: web.Application) -> None:
        """Add the admin routes under /admin/ovms/v2."""
        add = app.router.add_route
        add("GET", "/admin/ovms/v2", _admin(self._overview))
        add("POST", "/admin/ovms/v2/faults", _admin(self._admin_add_fault))
        add("DELETE", "/admin/ovms/v2/faults", _admin(self._admin_clear_faults))
        add("POST", "/admin/ovms/v2/drop", _admin(self._admin_drop))
        app.router.add_get("/admin/ovms/v2/ca.pem", self._ca)

    async def _overview(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {
            "host": self.server.host,
            "port": self.server.port,
            "tls_port": self.server.tls_port,
            "sessions": sorted(
                (
                    {
                        "username": s.username,
                        "vehicle": s.vehicle_id,
                        "client": s.client_type,
                        "tls": s.tls,
                        "stalled": s.stalled,
                    }
                    for s in self.server.sessions
                ),
                key=lambda row: (row["username"], row["vehicle"]),
            ),
            "faults": self.server.faults.active(),
            "lines_sent": dict(self.server.lines_sent),
        }

    async def _admin_add_fault(self, body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - {"kind", "vehicle", "seconds", "times"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        seconds, times = body.get("seconds", 0.0), body.get("times")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise TypeError("seconds must be a number")
        if times is not None and (not isinstance(times, int) or isinstance(times, bool)):
            raise TypeError("times must be a whole number or null")
        self.server.add_fault(
            str(body.get("kind")), str(body.get("vehicle", "*")), seconds=seconds, times=times
        )
        return {"faults": self.server.faults.active()}

    async def _admin_clear_faults(self, _body: dict[str, Any]) -> dict[str, Any]:
        self.server.faults.clear()
        return {"faults": []}

    async def _admin_drop(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"dropped": self.server.drop(str(body.get("vehicle", "*")))}

    async def _ca(self, _request: web.Request) -> web.StreamResponse:
        return web.Response(
            text=self.server.certificates.ca_pem, content_type="application/x-pem-file"
        )


def _admin(
    handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A JSON route: the body (an object, or nothing) in, JSON out, 400 for bad input."""

    async def route(request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.text() or "{}")
            answer = await handler(body) if isinstance(body, dict) else None
        except (ValueError, TypeError) as err:
            return web.json_response({"error": str(err)}, status=400)
        if answer is None:
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        return web.json_response(answer)

    return route
