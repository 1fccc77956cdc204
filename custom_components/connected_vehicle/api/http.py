"""The one request helper: timeouts, JSON decoding, status -> error, request ids."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import logging
import math
import re
import time
from typing import Any
import uuid

import aiohttp

from .errors import (
    AuthenticationError,
    BackendUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    UntrustedCertificateError,
    VehicleApiError,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Response:
    """An answered request: status, headers, body text, the request id and the masked path."""

    status: int
    headers: Mapping[str, str]
    text: str
    request_id: str
    path: str

    def json(self) -> Any:
        """The body as JSON, or ProtocolError.

        HTML error pages, truncated bodies, integers of more digits than Python
        reads and nesting deeper than its decoder recurses all end here.
        ``NaN``, ``Infinity`` and ``1e400`` (not numbers JSON can hold) become
        null, so no non-finite number leaves the decoder.
        """
        try:
            return json.loads(self.text, parse_float=_finite, parse_constant=_no_number)
        except (ValueError, RecursionError) as err:
            raise ProtocolError(
                f"{self.path}: answer is not JSON", status=self.status, request_id=self.request_id
            ) from err

    def json_object(self) -> dict[str, Any]:
        """The body's JSON object (an error body, a token); empty when the body is not one."""
        try:
            body = self.json()
        except ProtocolError:
            return {}
        return body if isinstance(body, dict) else {}


def _finite(text: str) -> float | None:
    number = float(text)
    return number if math.isfinite(number) else None


def _no_number(_text: str) -> None:
    return None


def masked(identifier: str) -> str:
    """A short form of a VIN or vehicle id that tells cars apart in a log but names none.

    ``YV1XZEDV0P2123456`` -> ``YV1…3456`` (maker code and last four); a short
    id keeps only its first and last character.
    """
    if len(identifier) >= 10:
        return f"{identifier[:3]}…{identifier[-4:]}"
    if len(identifier) >= 4:
        return f"{identifier[0]}…{identifier[-1]}"
    return "…"


class IdentifierMask:
    """Masks the VINs and vehicle ids a client registered, wherever they stand in a text.

    HttpClient shows every path, and every error message it raises (a server's
    own message may name the car), through its mask; clients register what
    identifies a car as soon as they learn it and show texts of their own
    through the same mask.
    """

    def __init__(self) -> None:
        """Mask nothing yet."""
        self._hidden: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def hide(self, *identifiers: str | None) -> None:
        """Mask these identifiers from now on (empty ones are ignored)."""
        new = {identifier for identifier in identifiers if identifier} - self._hidden
        if new:
            self._hidden |= new
            names = "|".join(
                re.escape(name) for name in sorted(self._hidden, key=len, reverse=True)
            )
            self._pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{names})(?![A-Za-z0-9])")

    def __call__(self, text: str) -> str:
        """``text`` with every registered identifier (as a whole word) masked."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda found: masked(found.group()), text)


class RequestBudget:
    """A token bucket shared by every client of one server (burst, then N a minute).

    Requests wait for a token instead of running into the server's limiter.
    """

    def __init__(self, burst: int, per_minute: float) -> None:
        """Start full."""
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._rate = per_minute / 60.0
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Take one token, waiting for the bucket to refill when it is empty."""
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self._rate)
                self._refill()
            self._tokens -= 1

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a ``Retry-After`` header asks for: delay-seconds or an HTTP date (RFC 9110).

    Any number is passed on as read (``nan``, ``inf``, ``-30``): RateLimitedError
    bounds it. None when the header is absent or neither form.
    """
    text = headers.get("Retry-After", "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except TypeError, ValueError, IndexError, OverflowError:
        _LOGGER.debug("Ignoring an unreadable Retry-After header")
        return None
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def error_for_status(response: Response) -> VehicleApiError:
    """The generic error for a non-2xx answer; back ends refine it where they know better."""
    status, path, rid = response.status, response.path, response.request_id
    message = f"{path}: HTTP {status}"
    if status == 401:
        return AuthenticationError(message, status=status, request_id=rid)
    if status == 403:
        return PermissionDeniedError(message, status=status, request_id=rid)
    if status == 404:
        return NotFoundError(message, status=status, request_id=rid)
    if status == 429:
        return RateLimitedError(
            message, retry_after=retry_after(response.headers), status=status, request_id=rid
        )
    if status >= 500:
        return BackendUnavailableError(message, status=status, request_id=rid)
    return ProtocolError(message, status=status, request_id=rid)


class HttpClient:
    """Sends requests to one base URL and turns every failure into a VehicleApiError.

    Only the path (never the query string, which may hold credentials) appears
    in messages and logs, and only through ``mask`` (no VIN, no vehicle id).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        request_id_header: str = "X-Request-Id",
        timeout: float = DEFAULT_TIMEOUT,
        budget: RequestBudget | None = None,
        error_mapper: Callable[[Response], VehicleApiError] = error_for_status,
        verify_ssl: bool = True,
    ) -> None:
        """Use the injected session; nothing here owns or closes it.

        ``verify_ssl`` False accepts any certificate (a self-signed home
        server's); otherwise an untrusted one is an UntrustedCertificateError.
        """
        self._error_mapper = error_mapper
        self._verify_ssl = verify_ssl
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._request_id_header = request_id_header
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._budget = budget
        self.mask = IdentifierMask()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        """Send one request; answer the response on 2xx, raise otherwise."""
        request_id = str(uuid.uuid4())
        shown = self.mask(path)
        all_headers = {self._request_id_header: request_id, **(headers or {})}
        if self._budget is not None:
            await self._budget.acquire()
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                params=params,
                headers=all_headers,
                json=json_body,
                timeout=self._timeout,
                allow_redirects=False,
                ssl=self._verify_ssl,
            ) as resp:
                text = await resp.text(errors="replace")
                response = Response(resp.status, resp.headers, text, request_id, shown)
        except TimeoutError as err:
            raise BackendUnavailableError(f"{shown}: timed out", request_id=request_id) from err
        except aiohttp.ClientConnectorCertificateError as err:
            reason = getattr(err.certificate_error, "verify_message", None) or "not verified"
            raise UntrustedCertificateError(
                f"{shown}: the server's certificate is not trusted ({reason})",
                request_id=request_id,
            ) from err
        except aiohttp.ClientError as err:
            raise BackendUnavailableError(
                f"{shown}: {type(err).__name__}", request_id=request_id
            ) from err
        if not 200 <= response.status < 300:
            _LOGGER.debug(
                "%s %s answered %s (request %s)", method, shown, response.status, request_id
            )
            error = self._error_mapper(response)
            error.args = tuple(
                self.mask(arg) if isinstance(arg, str) else arg for arg in error.args
            )
            raise error
        return response
