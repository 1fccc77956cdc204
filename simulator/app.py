"""The simulator: one aiohttp app serving every back end over one shared world."""

from __future__ import annotations

from datetime import UTC, datetime
import html
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler

from .admin import Admin
from .clock import Clock
from .counting import RequestCounter
from .demo import build_world
from .faults import Faults, answer
from .ovms import OvmsBackend
from .pictures import register as register_pictures
from .responses import text
from .stellantis import StellantisBackend
from .volvo import VolvoBackend


class Backend(Protocol):
    """A simulated cloud: registers its routes on the shared app."""

    name: str

    def register(self, app: web.Application) -> None:
        """Add the back end's routes (and its own admin actions) to ``app``."""

    def describe(self) -> list[str]:
        """Return lines about the back end for the index page."""


def _uncounted(path: str) -> bool:
    """Tell the index, the admin API and the pictures (a CDN's job) from the clouds' API calls."""
    return path == "/" or path.startswith(("/admin/", "/pictures/"))


class Simulator:
    """Fake clouds for tests and the demo.

    ``app`` serves every back end (OVMS under /api), the admin API under /admin,
    the cars' pictures under /pictures and an index page at /. Requests are
    counted per route, and injected faults answer matching requests first;
    neither touches /admin, /pictures or /. Nothing runs in the background: the
    world catches up with ``clock`` whenever it is used.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        realtime: bool = False,
        speed: float = 1.0,
        rate_limit: bool = True,
        rate_limit_hold: float = 20.0,
    ) -> None:
        """Build the demo world at ``start`` (default: now) and the app serving it."""
        self.clock = Clock(
            start or datetime.now(UTC).replace(microsecond=0), realtime=realtime, speed=speed
        )
        self.world = build_world(self.clock)
        self.faults = Faults()
        self.requests = RequestCounter()
        self.ovms = OvmsBackend(self.world, rate_limit=rate_limit, rate_limit_hold=rate_limit_hold)
        self.backends: list[Backend] = [self.ovms]
        self.volvo = VolvoBackend(self.world)
        self.backends.append(self.volvo)
        self.stellantis = StellantisBackend(self.world)
        self.backends.append(self.stellantis)
        self.app = web.Application(middlewares=[self._count_and_inject])
        self.app.router.add_get("/", self._index)
        Admin(self.clock, self.world, self.faults, self.requests).register(self.app)
        register_pictures(self.app)
        for backend in self.backends:
            backend.register(self.app)

    @web.middleware
    async def _count_and_inject(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count the request, then let a matching fault answer instead of the handler."""
        if _uncounted(request.path):
            return await handler(request)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        self.requests.record(request.method, route, request.path)
        fault = self.faults.take(request)
        if fault is None:
            return await handler(request)
        return await answer(fault, request, handler)

    async def _index(self, _request: web.Request) -> web.StreamResponse:
        """List the demo accounts and their cars per back end."""
        parts = ["<html><head><title>Connected Vehicle simulator</title></head><body>"]
        parts.append("<h1>Connected Vehicle simulator</h1>")
        parts.append(f"<p>Simulated time: {self.clock.now():%Y-%m-%d %H:%M:%S} UTC</p>")
        for backend in self.backends:
            parts.append(f"<h2>{html.escape(backend.name)}</h2><ul>")
            for account in self.world.accounts:
                if account.backend != backend.name:
                    continue
                cars = ", ".join(
                    f"{v.id} ({v.spec.make} {v.spec.model})"
                    for v in self.world.vehicles()
                    if v.id in account.vehicle_ids
                )
                parts.append(
                    f"<li>{html.escape(account.username)} / {html.escape(account.password)}: "
                    f"{html.escape(cars or 'no cars')}</li>"
                )
            parts.append("</ul><ul>")
            parts += [f"<li>{html.escape(line)}</li>" for line in backend.describe()]
            parts.append("</ul>")
        parts.append(
            "<h2>Admin</h2><p>GET /admin/requests, /admin/faults, /admin/clock, "
            "/admin/vehicles; POST /admin/faults, /admin/clock, /admin/vehicles/{id}, "
            "/admin/ovms/expire-sessions; DELETE /admin/requests, /admin/faults</p>"
        )
        parts.append("</body></html>\n")
        return text(200, "\n".join(parts), content_type="text/html")
