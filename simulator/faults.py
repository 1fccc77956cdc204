"""Fault injection: answer matching requests with errors instead of the real handler."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
import fnmatch
from http import HTTPStatus
import math
import time
from typing import Any, Final, Literal, cast, get_args

from aiohttp import web
from aiohttp.typedefs import Handler

from .responses import client_gone, hold, text

FaultKind = Literal[
    "status",
    "latency",
    "malformed",
    "truncated",
    "html",
    "drop",
    "rate_limit",
    "deep",
    "empty",
    "together",
]
FAULT_KINDS: Final = frozenset(get_args(FaultKind))

_DEFAULT_STATUS: Final = {"status": 500, "html": 502, "rate_limit": 429}
_MALFORMED: Final = b'{"soc":"84.5","units":"K",,"m_msgage_s":\n'
# Deeper than any JSON decoder's recursion limit; valid JSON all the same.
DEEP_NESTING: Final = 100_000
# HTTP clients (aiohttp among them) retry an idempotent request once, at once, when the
# connection drops; such a retry is dropped too, so that the client sees the drop.
_RETRY_WINDOW: Final = 1.0
_IDEMPOTENT: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})


@dataclass
class Fault:
    """One injected fault; ``times`` None means until cleared."""

    method: str
    path: str
    kind: FaultKind
    status: int
    seconds: float
    times: int | None
    retry_after: str | None = None
    body: str | None = None
    # Set once the last of a ``together`` fault's requests has arrived.
    met: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    def matches(self, method: str, path: str) -> bool:
        """Tell whether the fault applies to a request."""
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Faults:
    """The active faults, first added first matched."""

    def __init__(self) -> None:
        """Start without faults."""
        self._faults: list[Fault] = []
        self._dropped: dict[tuple[str, str, str], float] = {}  # request -> retry deadline

    def add(
        self,
        method: str = "*",
        path: str = "*",
        *,
        kind: str = "status",
        status: int | None = None,
        seconds: float = 0.0,
        times: int | None = None,
        retry_after: str | None = None,
        body: str | None = None,
    ) -> None:
        """Inject a fault for requests whose path matches the glob ``path``.

        Kinds: ``status`` (``status``, default 500, a plain-text body, or ``body``
        served as JSON, e.g. a hostile error body), ``latency`` (wait ``seconds``,
        then answer normally), ``malformed`` (200, invalid JSON), ``truncated`` (200,
        the real body cut in half), ``html`` (``status``, default 502, an HTML error
        page), ``drop`` (close the connection without answering), ``rate_limit`` (429,
        ``Retry-After: seconds`` when ``seconds`` > 0, or the header text
        ``retry_after`` as given: ``nan``, ``-30``, an HTTP date), ``deep``
        (``status``, default 200, JSON arrays nested 100,000 deep), ``empty``
        (``status``, default 200, no body at all), ``together`` (hold each request
        until ``times`` of them have arrived, then answer normally; a request that
        waited ``seconds`` alone gets 504: its client did not send them at once).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for until cleared")
        if kind == "together" and times is None:
            raise ValueError("together needs times: how many requests are to meet")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._faults.append(
            Fault(
                method=method.upper(),
                path=path,
                kind=cast("FaultKind", kind),
                status=status if status is not None else _DEFAULT_STATUS.get(kind, 200),
                seconds=seconds,
                times=times,
                retry_after=retry_after,
                body=body,
            )
        )

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()
        self._dropped.clear()

    def active(self) -> list[dict[str, Any]]:
        """Return the active faults as plain dicts."""
        return [
            {f.name: getattr(fault, f.name) for f in fields(fault) if f.init}
            for fault in self._faults
        ]

    def take(self, request: web.Request) -> Fault | None:
        """Return the fault that answers ``request``, using up one of its times.

        A client's immediate automatic retry of a dropped request is dropped as well,
        without using up a time.
        """
        key = (request.remote or "", request.method, request.path_qs)
        now = time.monotonic()
        if self._dropped.pop(key, 0.0) > now:
            return Fault(request.method, request.path, "drop", 200, 0.0, None)
        fault = next((f for f in self._faults if f.matches(request.method, request.path)), None)
        if fault is None:
            return None
        if fault.times is not None:
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
                fault.met.set()
        if fault.kind == "drop" and request.method in _IDEMPOTENT:
            self._dropped[key] = now + _RETRY_WINDOW
        return fault


async def answer(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ``request`` as ``fault`` says, calling the real handler where needed."""
    match fault.kind:
        case "latency":
            if not await hold(request, fault.seconds):
                return web.Response()  # the client left; nobody reads this
            return await handler(request)
        case "together":
            try:
                async with asyncio.timeout(fault.seconds):
                    await fault.met.wait()
            except TimeoutError:
                return text(504, "The other requests did not come while this one waited\n")
            return await handler(request)
        case "malformed":
            return web.Response(body=_MALFORMED, headers={"Content-Type": "application/json"})
        case "truncated":
            real = await handler(request)
            body = real.body if isinstance(real, web.Response) else b""
            data = bytes(body) if isinstance(body, (bytes, bytearray)) else b""
            return web.Response(
                body=data[: len(data) // 2], headers={"Content-Type": "application/json"}
            )
        case "html":
            title = f"{fault.status} {_reason(fault.status)}"
            page = f"<html><body><h1>{title}</h1></body></html>"
            return text(fault.status, page, content_type="text/html")
        case "drop":
            if not client_gone(request):
                assert request.transport is not None
                request.transport.close()
            return web.Response()  # never reaches the client
        case "rate_limit":
            headers = {"Retry-After": str(math.ceil(fault.seconds))} if fault.seconds > 0 else {}
            if fault.retry_after is not None:
                headers = {"Retry-After": fault.retry_after}
            return text(429, "Too many requests\n", reason="Too many requests", headers=headers)
        case "deep":
            nested = "[" * DEEP_NESTING + "]" * DEEP_NESTING
            return text(fault.status, nested, content_type="application/json")
        case "empty":
            return web.Response(status=fault.status, body=b"")
        case "status" if fault.body is not None:
            return text(fault.status, fault.body, content_type="application/json")
        case "status":
            return text(fault.status, f"{fault.status} {_reason(fault.status)}\n")
