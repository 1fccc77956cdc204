"""OVMS v3 server REST API client: cookie login, vehicles, state, connect."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
import logging
from time import monotonic
from typing import Any

import aiohttp

from .. import readings as keys
from ..errors import (
    AuthenticationError,
    CommandFailedError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    VehicleApiError,
)
from ..http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    RequestBudget,
    Response,
    ServerQuota,
    error_for_status,
)
from ..models import (
    Command,
    CommandArguments,
    CommandResult,
    CommandStatus,
    DataGroup,
    Reading,
    Vehicle,
    VehicleState,
)
from .parse import (
    ConnectInfo,
    parse_connect,
    parse_location,
    parse_record,
    parse_tpms,
    parse_vehicle,
    parse_vehicle_list,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_SERVER_URL = "https://api.openvehicles.com:6869"
SESSION_COOKIE = "ovmsapisession"
# Whether the server hears from each car (the account's car list), shared by its cars for
# five minutes: a car counts as offline only after two hours of silence.
VEHICLE_LIST_TTL = 300.0
# The server ends a session this long after login, however often it is used;
# the client logs in again this much earlier, so no request runs into the end.
SESSION_LIFETIME = 300.0
SESSION_MARGIN = 30.0
# How long a refresh waits for a place in the request budget before it leaves an
# endpoint for the next one; a car's first refresh (set-up) does not wait.
BUDGET_PATIENCE = 60.0
# When the budget is short, first what keeps every car within its parked interval:
# logging in, listing the cars, parked cars' refreshes (one an interval) and any car
# not refreshed for OVERDUE_AFTER seconds, the one refreshed longest ago first. Then
# the active cars' (driving, charging, just commanded) frequent refreshes, which
# leave BUDGET_RESERVE places to the first (a minute's refill, twice what a 50-car
# fleet's parked refreshes take), so those need not wait for the next minute. In
# steady state the reserve costs the active cars nothing: they get the rest.
OVERDUE_AFTER = 480.0
BUDGET_RESERVE = 60
RANK_NEEDED, RANK_ACTIVE = 0, 1

_ENDPOINTS: Mapping[DataGroup, str] = {
    DataGroup.LOCKS_OPENINGS: "status",
    DataGroup.ODOMETER_TRIPS: "status",
    DataGroup.HEALTH: "status",
    DataGroup.ENERGY: "charge",
    DataGroup.LOCATION: "location",
    DataGroup.TYRES: "tpms",
}
_PARSERS = {
    "status": parse_record,
    "charge": parse_record,
    "location": parse_location,
    "tpms": parse_tpms,
}


def new_request_budget() -> RequestBudget:
    """The request budget one OVMS server grants each client host (ApiHttp.pm's defaults)."""
    return RequestBudget(ServerQuota(), reserve=BUDGET_RESERVE)


class OvmsClient:
    """One account on one OVMS v3 server.

    The session cookie lives only in memory. The server ends it 300 s after
    login, so a request logs in again first once it is nearly that old (a
    refresh then takes two round trips, not a wave of 401s); an unexpected end
    (a server restart) makes the first 401 log in again, once.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        server_url: str,
        username: str,
        password: str,
        *,
        budget: RequestBudget | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        verify_ssl: bool = True,
    ) -> None:
        """Use an injected session (one that keeps no cookies of its own is best).

        ``verify_ssl`` False accepts a server's self-signed certificate; with
        it on, an untrusted certificate raises UntrustedCertificateError.
        """
        self._http = HttpClient(
            session,
            server_url,
            budget=budget,
            budget_account=username.strip().lower(),
            timeout=timeout,
            error_mapper=_error_for,
            verify_ssl=verify_ssl,
        )
        self._username = username
        self._password = password
        self._cookie: str | None = None
        self._logged_in_at = 0.0
        self._login_lock = asyncio.Lock()
        self._list_lock = asyncio.Lock()
        self._vehicle_list: tuple[float, dict[str, bool]] | None = None
        self._refreshed: dict[str, float] = {}  # when each car's last full refresh began
        self._tried: set[str] = set()
        self._frequent: set[str] = set()
        self._postponed: dict[str, frozenset[DataGroup]] = {}

    async def login(self) -> None:
        """Log in and keep the session cookie.

        AuthenticationError only when the server refuses the credentials (401,
        or 404 "Authentication failed" from old servers). A 200 without a
        session cookie (an HTML page, an empty, truncated or malformed body: a
        proxy or a server that is not OVMS) is a ProtocolError: signing in
        again would not help.
        """
        params = {"username": self._username, "password": self._password}
        sent = monotonic()  # the server's 300 s start when it answers, a little later
        response = await self._http.request("GET", "/api/cookie", params=params)
        cookie = SimpleCookie()
        cookie.load(response.headers.get("Set-Cookie", ""))
        if SESSION_COOKIE not in cookie:
            raise ProtocolError(
                "/api/cookie: the answer holds no session cookie",
                status=response.status,
                request_id=response.request_id,
            )
        self._cookie = cookie[SESSION_COOKIE].value
        self._logged_in_at = sent

    async def logout(self) -> None:
        """End the server session (which disconnects our connected cars)."""
        if self._cookie is None:
            return
        try:
            await self._http.request("DELETE", "/api/cookie", headers=self._cookie_header())
        except VehicleApiError as err:
            _LOGGER.debug("Logout failed: %s", err)
        self._cookie = None

    async def vehicles(self) -> list[Vehicle]:
        """The account's cars, named by their ids, with VIN and model where the car told."""
        online = await self._vehicle_list_cached(max_age=0)
        self._http.mask.hide(*online)
        protocols = await asyncio.gather(
            *(self._get_json_or_none(f"/api/protocol/{vehicle_id}") for vehicle_id in online)
        )
        vehicles = [
            parse_vehicle(vehicle_id, protocol)
            for vehicle_id, protocol in zip(online, protocols, strict=True)
        ]
        self._http.mask.hide(*(vehicle.vin for vehicle in vehicles))
        return vehicles

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """The requested groups' state, one request per endpoint and the car list, all at once.

        An endpoint the request budget cannot serve in time, or that the server
        answered 429, is left for the next refresh (``postponed``); only when
        the server refused every one is the refresh a RateLimitedError. When
        every endpoint answered 404, the server is asked (afresh) whether it
        lists the car at all: a server answering 404 everywhere, or a car gone
        from the account, raises instead of passing for "no data".
        """
        self._http.mask.hide(vehicle.id, vehicle.vin)
        endpoints = sorted({_ENDPOINTS[group] for group in groups if group in _ENDPOINTS})
        wait = self._wait(vehicle.id)
        started = monotonic()
        fetches = [self._fetch_endpoint(vehicle.id, endpoint, wait) for endpoint in endpoints]
        if DataGroup.LOCKS_OPENINGS in groups:
            fetches.append(self._server_connected(vehicle.id, wait))
        results = await asyncio.gather(*fetches, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, RateLimitedError):
                raise result
        limited = [
            e for e, r in zip(endpoints, results, strict=False) if isinstance(r, RateLimitedError)
        ]
        refused = [r for r in results if isinstance(r, RateLimitedError) and r.status == 429]
        if endpoints and len(refused) == len(endpoints):
            raise refused[0]
        self._postponed[vehicle.id] = frozenset(
            group for group in groups if _ENDPOINTS.get(group) in limited
        )
        if not limited:
            self._refreshed[vehicle.id] = started
        if endpoints and not limited and all(r is None for r in results[: len(endpoints)]):
            await self._confirm_listed(vehicle)
        state = VehicleState()
        for result in results:
            if isinstance(result, VehicleState):
                state = state.merged(result)
        return state

    def postponed(self, vehicle: Vehicle) -> frozenset[DataGroup]:
        """The groups the car's last fetch left for later."""
        return self._postponed.get(vehicle.id, frozenset())

    def prefer(self, vehicle: Vehicle, frequent: bool) -> None:
        """Whether the car's next fetch is a frequent one: it comes after the parked ones'."""
        if frequent:
            self._frequent.add(vehicle.id)
        else:
            self._frequent.discard(vehicle.id)

    def _wait(self, vehicle_id: str) -> _Wait:
        """How the car's requests wait: not at all in its first refresh (set-up)."""
        if vehicle_id not in self._tried:
            self._tried.add(vehicle_id)
            return _Wait(RANK_NEEDED, None, 0)
        refreshed = self._refreshed.get(vehicle_id)
        if refreshed is None:
            return _Wait(RANK_NEEDED, 0.0, BUDGET_PATIENCE)
        frequent = vehicle_id in self._frequent and monotonic() - refreshed < OVERDUE_AFTER
        return _Wait(RANK_ACTIVE if frequent else RANK_NEEDED, refreshed, BUDGET_PATIENCE)

    async def connect(self, vehicle: Vehicle) -> ConnectInfo:
        """Connect to the car as a peer: it then sends fresh data at its short interval."""
        self._http.mask.hide(vehicle.id, vehicle.vin)
        response = await self._authenticated("GET", f"/api/vehicle/{vehicle.id}")
        return parse_connect(response.json())

    async def invoke(
        self, vehicle: Vehicle, command: Command, arguments: CommandArguments | None = None
    ) -> CommandResult:
        """Only REFRESH: the server API does not implement lock or charge control."""
        if command is not Command.REFRESH:
            raise CommandFailedError(
                CommandStatus.NOT_SUPPORTED, f"{command} is not available over the OVMS server API"
            )
        await self.connect(vehicle)
        return CommandResult(CommandStatus.SUCCESS)

    async def _fetch_endpoint(
        self, vehicle_id: str, endpoint: str, wait: _Wait
    ) -> VehicleState | None:
        """The endpoint's state; None when it answered 404."""
        payload = await self._get_json_or_none(f"/api/{endpoint}/{vehicle_id}", wait)
        return None if payload is None else _PARSERS[endpoint](payload)

    async def _server_connected(self, vehicle_id: str, wait: _Wait) -> VehicleState:
        """Whether the server hears from the car, from the account's (shared) car list.

        It is only a hint, so no refresh waits for another's: while one car
        fetches the list the others take the last one. The list is shared, so
        it goes first; nothing when the budget has no place for it in time.
        """
        if self._list_lock.locked() and self._vehicle_list is not None:
            listed = self._vehicle_list[1]
        else:
            first = _Wait(RANK_NEEDED, None, wait.patience)
            try:
                listed = await self._vehicle_list_cached(VEHICLE_LIST_TTL, first)
            except RateLimitedError:
                return VehicleState()
        online = listed.get(vehicle_id)
        if online is None:
            return VehicleState()
        return VehicleState({keys.SERVER_CONNECTED: Reading(online)})

    async def _confirm_listed(self, vehicle: Vehicle) -> None:
        """NotFoundError unless a fresh vehicle list names the car (its own 404s raise too)."""
        if vehicle.id not in await self._vehicle_list_cached(max_age=0):
            raise NotFoundError(
                f"/api/vehicles: {self._http.mask(vehicle.id)} is not on the account", status=404
            )

    async def _get_json_or_none(self, path: str, wait: _Wait | None = None) -> Any:
        """JSON of a GET, None when the server has nothing there (404).

        The real server answers 404 ``not found`` when a handler fails on a
        record it cannot read (``/api/tpms`` with extended TPMS records).
        """
        try:
            return (await self._authenticated("GET", path, wait)).json()
        except NotFoundError:
            _LOGGER.debug("%s: no data on the server", self._http.mask(path))
            return None

    async def _vehicle_list_cached(
        self, max_age: float, wait: _Wait | None = None
    ) -> dict[str, bool]:
        """``/api/vehicles``, shared by every car of the account for ``max_age`` seconds."""
        async with self._list_lock:
            now = monotonic()
            if self._vehicle_list is None or now - self._vehicle_list[0] > max_age:
                response = await self._authenticated("GET", "/api/vehicles", wait)
                self._vehicle_list = (now, parse_vehicle_list(response.json()))
            return self._vehicle_list[1]

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self._cookie}"}

    async def _authenticated(self, method: str, path: str, wait: _Wait | None = None) -> Response:
        """A request in the session; on an expired session log in again, once.

        ``wait`` says how the request waits for the budget (None: first, as long
        as it takes); logging in always does. A session is renewed early enough
        that a request waiting its full patience still finds it alive.
        """
        wait = wait or _Wait()

        async def send() -> Response:
            return await self._http.request(
                method,
                path,
                headers=self._cookie_header(),
                rank=wait.rank,
                since=wait.since,
                patience=wait.patience,
            )

        cookie = await self._ensure_login()
        try:
            return await send()
        except AuthenticationError:
            _LOGGER.debug("OVMS session expired; logging in again")
        async with self._login_lock:
            if self._cookie == cookie:
                await self.login()
        return await send()

    async def _ensure_login(self) -> str:
        """The session cookie, logging in first when there is none or it nearly ended."""
        async with self._login_lock:
            if (
                self._cookie is None
                or monotonic() - self._logged_in_at
                >= SESSION_LIFETIME - SESSION_MARGIN - BUDGET_PATIENCE
            ):
                await self.login()
            assert self._cookie is not None
            return self._cookie


@dataclass(frozen=True, slots=True)
class _Wait:
    """How a request waits for the budget: by rank, then oldest ``since``, up to ``patience`` s.

    ``since`` is when the car was last refreshed (monotonic), None if never.
    """

    rank: int = RANK_NEEDED
    since: float | None = None
    patience: float | None = None


def _error_for(response: Response) -> VehicleApiError:
    """OVMS specifics on top of the generic mapping.

    Servers before 2021 answer a failed login or expired session with 404
    ``Authentication failed``; a car in paranoid (end-to-end encrypted) mode
    gets 502, which no retry will fix.
    """
    body = response.text.strip().lower()
    if response.status == 404 and body.startswith("authentication failed"):
        return AuthenticationError(
            f"{response.path}: authentication failed", status=404, request_id=response.request_id
        )
    if response.status == 502 and "paranoid" in body:
        return PermissionDeniedError(
            f"{response.path}: the car is in paranoid mode, which the server API cannot read",
            status=502,
            request_id=response.request_id,
        )
    return error_for_status(response)
