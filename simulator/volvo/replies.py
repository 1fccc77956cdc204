"""The Volvo envelope: ``{status, operationId, data}`` and ``{status, operationId, error}``."""

from __future__ import annotations

from typing import Any, Final
import uuid

from aiohttp import web

from ..responses import canonical_json

OPERATION_ID: Final = "vcc-api-operationId"


def operation_id(request: web.Request) -> str:
    """The caller's ``vcc-api-operationId``, or a fresh one."""
    return request.headers.get(OPERATION_ID) or str(uuid.uuid4())


def ok(request: web.Request, data: Any, status: int = 200, **extra: Any) -> web.Response:
    """A successful answer with ``data`` (and extra top-level keys, e.g. pagination)."""
    body = {"status": status, "operationId": operation_id(request), "data": data, **extra}
    return canonical_json(body, status)


def fail(
    request: web.Request,
    status: int,
    message: str,
    description: str | None = None,
    *,
    detail: Any = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An error in Volvo's error model."""
    error: dict[str, Any] = {"message": message}
    if description is not None:
        error["description"] = description
    if detail is not None:
        error["detail"] = detail
    response = canonical_json(
        {"status": status, "operationId": operation_id(request), "error": error}, status
    )
    response.headers.update(headers or {})
    return response


def not_found(request: web.Request, what: str) -> web.Response:
    """404 for a VIN not on the account or an endpoint the car does not have."""
    return fail(request, 404, "Not Found", f"{what} could not be found")
