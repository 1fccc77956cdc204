"""Response helpers shared by the back ends."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

_POLL = 0.05


def text(
    status: int,
    body: str,
    *,
    reason: str | None = None,
    content_type: str = "text/plain",
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Return a response with a bare ``Content-Type`` (no charset), like most real servers."""
    return web.Response(
        status=status,
        reason=reason,
        body=body.encode(),
        headers={"Content-Type": content_type, **(headers or {})},
    )


def canonical_json(data: Any, status: int = 200) -> web.Response:
    """Return JSON with sorted keys, compact separators and a trailing newline."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    return text(status, body, content_type="application/json")


def client_gone(request: web.Request) -> bool:
    """Tell whether the client has closed its connection."""
    transport = request.transport
    return transport is None or transport.is_closing()


async def hold(request: web.Request, seconds: float) -> bool:
    """Wait ``seconds`` of real time; stop early if the client leaves.

    Returns True when the client is still there. Stopping early keeps server tasks
    from outliving the test that started them.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        if client_gone(request):
            return False
        await asyncio.sleep(min(_POLL, remaining))
    return not client_gone(request)
