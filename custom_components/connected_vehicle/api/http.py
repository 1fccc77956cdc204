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


class ServerQuota:
    """The OVMS server's per-host quota (ApiHttp.pm), as the one client of that host sees it.

    The server starts a quota at a host's first request with a burst of 120,
    adds 60 at each whole minute since it started (at most 240) and forgets it
    after 300 s without a request. The client runs the same arithmetic on its
    own clock, ``margin`` seconds behind (a request reaches the server a little
    after it is sent), so it never counts a minute or a reset the server has
    not: it sends only what the server will serve. While a reset is in doubt
    (an idle spell within ``margin`` of 300 s) it sends nothing.
    """

    def __init__(
        self,
        burst: int = 120,
        per_minute: int = 60,
        maximum: int = 240,
        forget_after: float = 300.0,
        margin: float = 2.0,
    ) -> None:
        """No quota at the server yet."""
        self.burst, self.per_minute, self.maximum = burst, per_minute, maximum
        self.forget_after, self.margin = forget_after, margin
        self._left: int | None = None  # the server's count after our last request
        self._refilled = 0.0
        self._last = 0.0

    def take(self, now: float, keep: int = 0) -> bool:
        """Count one request sent at ``now`` if the server will serve it; tell whether.

        ``keep``: refuse unless that many more places would still be left.
        """
        idle = now - self._last
        if self._left is None or idle >= self.forget_after + self.margin:
            # A fresh quota: the server serves its first request without counting it.
            if keep >= self.burst:
                return False
            self._left, self._refilled, self._last = self.burst, now, now
            return True
        if idle >= self.forget_after - self.margin:
            return False
        minutes = self._minutes(now)
        left = min(self.maximum, self._left + minutes * self.per_minute)
        if left <= 1 + keep:
            return False
        self._left, self._last = left - 1, now
        self._refilled += minutes * 60.0
        return True

    def refused(self, now: float) -> None:
        """The server answered 429: its count is 0, its next minute at most 60 s away."""
        self._left, self._refilled, self._last = 0, now, now

    def next_chance(self, now: float) -> float:
        """When a request refused now may next be served: a refill, or a forgotten quota."""
        forgotten = self._last + self.forget_after + self.margin
        refill = self._refilled + (self._minutes(now) + 1) * 60.0 + self.margin
        return min(forgotten, refill) if self._left is not None else now

    def _minutes(self, now: float) -> int:
        return max(0, math.floor((now - self._refilled - self.margin) / 60.0))


@dataclass(eq=False)
class _Waiter:
    future: asyncio.Future[bool]
    account: str
    rank: int
    since: float


class RequestBudget:
    """One server's quota, shared by every client of it in this Home Assistant.

    A request that the quota cannot serve now waits its turn: by rank (lower
    first), then the accounts in turn (the one served longest ago first), then
    the one waiting ``since`` longest (its car's data the oldest; no ``since``,
    as a sign-in has none, goes first). Requests of a
    rank above 0 leave ``reserve`` places in the quota for rank 0, which then
    need not wait for the next minute.
    """

    def __init__(self, quota: ServerQuota, reserve: int = 0) -> None:
        """Serve requests from ``quota``, keeping ``reserve`` places for rank 0."""
        self._quota = quota
        self._reserve = reserve
        self._waiters: list[_Waiter] = []
        self._served: dict[str, int] = {}
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(
        self,
        account: str = "",
        *,
        rank: int = 0,
        since: float | None = None,
        patience: float | None = None,
    ) -> bool:
        """Take a request's place in the quota; False when none came within ``patience`` s."""
        loop = asyncio.get_running_loop()
        ahead = any(waiter.rank <= rank for waiter in self._waiters)
        if not ahead and self._quota.take(loop.time(), self._keep(rank)):
            self._note(account)
            return True
        if patience is not None and patience <= 0:
            return False
        waiter = _Waiter(loop.create_future(), account, rank, -math.inf if since is None else since)
        self._waiters.append(waiter)
        self._wake_later(loop)
        try:
            async with asyncio.timeout(patience):
                return await waiter.future
        except TimeoutError:
            return False
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            if not self._waiters and self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def refused(self) -> None:
        """The server answered 429 after all (another client of this host): start over."""
        self._quota.refused(asyncio.get_running_loop().time())

    def _keep(self, rank: int) -> int:
        return self._reserve if rank > 0 else 0

    def _note(self, account: str) -> None:
        self._count += 1
        self._served[account] = self._count

    def _wake_later(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None and self._waiters:
            self._timer = loop.call_at(self._quota.next_chance(loop.time()), self._serve)

    def _serve(self) -> None:
        """Let the waiters in turn go for as long as the quota serves them."""
        self._timer = None
        loop = asyncio.get_running_loop()
        while self._waiters:
            waiter = min(
                self._waiters,
                key=lambda w: (w.rank, self._served.get(w.account, 0), w.since),
            )
            if waiter.future.done():
                self._waiters.remove(waiter)
                continue
            if not self._quota.take(loop.time(), self._keep(waiter.rank)):
                break
            self._waiters.remove(waiter)
            self._note(waiter.account)
            waiter.future.set_result(True)
        self._wake_later(loop)


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
        budget_account: str = "",
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
        self._budget_account = budget_account
        self.mask = IdentifierMask()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        rank: int = 0,
        since: float | None = None,
        patience: float | None = None,
    ) -> Response:
        """Send one request; answer the response on 2xx, raise otherwise.

        With a budget, the request waits for its place (lower ``rank`` first,
        then the one waiting ``since`` longest) up to ``patience`` seconds (None:
        as long as it takes), else RateLimitedError without anything sent.
        """
        request_id = str(uuid.uuid4())
        shown = self.mask(path)
        all_headers = {self._request_id_header: request_id, **(headers or {})}
        if self._budget is not None and not await self._budget.acquire(
            self._budget_account, rank=rank, since=since, patience=patience
        ):
            raise RateLimitedError(f"{shown}: postponed, the request budget is spent")
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
        if response.status == 429 and self._budget is not None:
            self._budget.refused()
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
