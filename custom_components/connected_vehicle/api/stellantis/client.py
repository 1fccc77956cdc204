"""Stellantis connected-car API v4 client: vehicles, status, health, remote actions.

Every request carries the bearer token, the brand's realm
(``x-introspect-realm``) and the app's ``client_id`` query parameter.
Collections are HAL pages followed through ``_links.next``; vehicle data
comes from the links each vehicle resource gives.

Remote actions need a registered callback: with ``callback_url`` the client
registers that webhook and, when a final event arrives (``deliver`` is fed
the webhook bodies the integration receives), confirms it by reading the
action's status back; without one it registers a webhook at
``NO_WEBHOOK_TARGET`` (a ``.invalid`` host, RFC 6761, which can never
receive anything). Either way the status is also read back every
``status_poll_interval`` seconds at most, and ``command_timeout`` bounds the
wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import logging
from typing import Any, Final

import aiohttp
from yarl import URL

from ..backend import TokenProvider, with_access_token
from ..errors import (
    BackendUnavailableError,
    CommandFailedError,
    NotFoundError,
    ProtocolError,
    VehicleApiError,
)
from ..http import DEFAULT_TIMEOUT, HttpClient, Response, error_for_status
from ..models import (
    Command,
    CommandArguments,
    CommandResult,
    CommandStatus,
    DataGroup,
    Vehicle,
    VehicleState,
)
from .brands import DEFAULT_API_URL, Brand
from .links import Router, expand
from .parse import (
    STATUS_GROUPS,
    RemoteProgress,
    callback_id,
    climate_programs,
    find_callback,
    links_of,
    page_items,
    parse_alerts,
    parse_last_trip,
    parse_maintenance,
    parse_remote_action,
    parse_status,
    parse_vehicle,
    parse_webhook,
    remote_action_id,
)
from .remotes import LABEL, RemoteWaiters, climate_program_body, outcome, remote_body

_LOGGER = logging.getLogger(__name__)

NO_WEBHOOK_TARGET: Final = "https://connected-vehicle.invalid/no-webhook"
PAGE_SIZE: Final = 60  # the API's maximum
MAX_PAGES: Final = 100
TRIP_PAGE_SIZE: Final = 2
FIRST_READ_BACK: Final = 1.0  # seconds before the first read of a command's status
# "No data for such context": a status or maintenance the car never sent.
_NO_DATA_CODES: Final = frozenset({40400, 40499})


class _NoDataError(NotFoundError):
    """404 with the API's no-data code: the resource is empty, not missing."""


def _error_for(response: Response) -> VehicleApiError:
    """The generic mapping, telling "no data yet" 404s from others."""
    if response.status == 404:
        code = response.json_object().get("code")
        if isinstance(code, int) and code in _NO_DATA_CODES:
            return _NoDataError(
                f"{response.path}: no data", status=404, request_id=response.request_id
            )
    return error_for_status(response)


class StellantisClient:
    """One user's account at one Stellantis brand."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        brand: Brand,
        client_id: str,
        *,
        base_url: str = DEFAULT_API_URL,
        callback_url: str | None = None,
        command_timeout: float = 120.0,
        status_poll_interval: float = 5.0,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = PAGE_SIZE,
    ) -> None:
        """Use the injected session; ``tokens`` hands out access tokens."""
        self._http = HttpClient(session, base_url, timeout=timeout, error_mapper=_error_for)
        self._router = Router(base_url)
        self._tokens = tokens
        self.brand = brand
        self._client_id = client_id
        self._callback_url = callback_url
        self._command_timeout = command_timeout
        self._poll_interval = status_poll_interval
        self._page_size = page_size
        self._links: dict[str, dict[str, str]] = {}
        # Each car's climate programs as its last status gave them: a change sets a whole program.
        self._programs: dict[str, dict[int, dict[str, Any]]] = {}
        self._callback_id: str | None = None
        self._callback_lock = asyncio.Lock()
        self._vehicle_locks: dict[str, asyncio.Lock] = {}
        self._waiters = RemoteWaiters()

    # Backend protocol

    async def vehicles(self) -> list[Vehicle]:
        """Every vehicle of the account, over all pages."""
        items = await self._collect(self._api("/user/vehicles"), "vehicles")
        entries = [entry for item in items if (entry := parse_vehicle(item)) is not None]
        for entry in entries:
            self._http.mask.hide(entry.vehicle.id, entry.vehicle.vin)
        self._links = {entry.vehicle.id: entry.links for entry in entries}
        return [entry.vehicle for entry in entries]

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """One ``/status`` call for every status group; alerts and maintenance for HEALTH.

        A status call returns all it holds, whichever of its groups were asked for;
        the latest trip is read beside it, only when odometer and trips are due.
        All go out at once: one round trip.
        """
        self._http.mask.hide(vehicle.id, vehicle.vin)
        jobs = []
        if groups & STATUS_GROUPS:
            jobs.append(self._status(vehicle))
        if DataGroup.ODOMETER_TRIPS in groups:
            jobs.append(self._last_trip(vehicle))
        if DataGroup.HEALTH in groups:
            jobs += [self._alerts(vehicle), self._maintenance(vehicle)]
        state = VehicleState()
        for part in await asyncio.gather(*jobs):
            state = state.merged(part)
        return state

    async def invoke(
        self, vehicle: Vehicle, command: Command, arguments: CommandArguments | None = None
    ) -> CommandResult:
        """Send a remote action and wait for its final status."""
        self._http.mask.hide(vehicle.id, vehicle.vin)
        lock = self._vehicle_locks.setdefault(vehicle.id, asyncio.Lock())
        async with lock:  # the API runs one remote per car at a time
            if command is Command.SET_CLIMATE_PROGRAM:
                change = arguments.climate_program if arguments else None
                current = self._programs.get(vehicle.id, {}).get(change.slot) if change else None
                body = climate_program_body(change, current)
            else:
                body = remote_body(command, arguments)
            action_id, status_href = await self._send(vehicle, body)
            progress = await self._final(action_id, status_href)
        result = outcome(progress)
        if result is not CommandStatus.SUCCESS:
            raise CommandFailedError(
                result, f"{command}: {progress.failure_cause or progress.status}"
            )
        return CommandResult(CommandStatus.SUCCESS, progress.status)

    async def logout(self) -> None:
        """Delete our callback registration, if we made one."""
        if self._callback_id is None:
            return
        try:
            await self._request("DELETE", self._api(f"/user/callbacks/{self._callback_id}"))
        except VehicleApiError as err:
            _LOGGER.debug("Could not delete the callback: %s", err)
        self._callback_id = None

    def deliver(self, payload: Any) -> None:
        """Take a webhook body the integration received; final events resolve ``invoke``.

        Raises ProtocolError when the body is neither a message nor a list of them.
        """
        for progress in parse_webhook(payload):
            _LOGGER.debug("Remote %s: %s", progress.action_id[:8], progress.status)
            self._waiters.update(progress)

    # Requests

    async def _request(
        self,
        method: str,
        target: str,
        *,
        page: URL | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Response:
        """One authenticated call; a refused access token is refreshed once."""
        path, query = self._router.route(target, page)
        query = {**query, **(params or {}), "client_id": self._client_id}

        async def send(token: str) -> Response:
            headers = {
                "Authorization": f"Bearer {token}",
                "x-introspect-realm": self.brand.realm,
                "Accept": "application/hal+json",
            }
            return await self._http.request(
                method, path, params=query, headers=headers, json_body=body
            )

        return await with_access_token(self._tokens, send)

    async def _get(self, target: str) -> Any:
        return (await self._request("GET", target)).json()

    async def _collect(self, first: str, key: str) -> list[dict[str, Any]]:
        """Every item of a collection, following ``next`` links (never building them)."""
        items: list[dict[str, Any]] = []
        params: Mapping[str, str] | None = {"pageSize": str(self._page_size)}
        target, page, seen = first, self._router.base, set()
        for _ in range(MAX_PAGES):
            path, query = self._router.route(target, page)
            response = await self._request("GET", target, page=page, params=params)
            found, next_href = page_items(response.json(), key, path)
            items += found
            seen.add((path, tuple(sorted(query.items()))))
            if next_href is None:
                return items
            page, target, params = self._router.url(path), next_href, None
            next_path, next_query = self._router.route(target, page)
            if (next_path, tuple(sorted(next_query.items()))) in seen:
                _LOGGER.debug("%s: the next link points back; stopping", self._http.mask(path))
                return items
        _LOGGER.debug("%s: more than %s pages; stopping", self._http.mask(first), MAX_PAGES)
        return items

    def _api(self, path: str) -> str:
        """The absolute URL of an API path (links from the server are used as given)."""
        return str(self._router.url(path))

    def _link(self, vehicle: Vehicle, name: str, default: str | None) -> str | None:
        return self._links.get(vehicle.id, {}).get(name, default)

    # Data

    async def _status(self, vehicle: Vehicle) -> VehicleState:
        href = self._link(vehicle, "status", self._api(f"/user/vehicles/{vehicle.id}/status"))
        assert href is not None
        try:
            body = await self._get(href)
        except _NoDataError:
            _LOGGER.debug("No status for the vehicle yet")
            return VehicleState()
        state = parse_status(body)
        self._programs[vehicle.id] = climate_programs(body)
        return state

    async def _last_trip(self, vehicle: Vehicle) -> VehicleState:
        """The newest finished trip: one small first page (newest first), never the history.

        Two items, since the newest may be the one under way.
        """
        if (trips := self._link(vehicle, "trips", None)) is None:
            return VehicleState()
        try:
            response = await self._request("GET", trips, params={"pageSize": str(TRIP_PAGE_SIZE)})
        except _NoDataError:
            _LOGGER.debug("No trips for the vehicle")
            return VehicleState()
        items, _next = page_items(response.json(), "trips", "trips")
        return parse_last_trip(items)

    async def _alerts(self, vehicle: Vehicle) -> VehicleState:
        if (alerts := self._link(vehicle, "alerts", None)) is None:
            return VehicleState()
        try:
            return parse_alerts(await self._collect(alerts, "alerts"))
        except _NoDataError:
            _LOGGER.debug("No alerts for the vehicle")
            return VehicleState()

    async def _maintenance(self, vehicle: Vehicle) -> VehicleState:
        if (maintenance := self._link(vehicle, "maintenance", None)) is None:
            return VehicleState()
        try:
            return parse_maintenance(await self._get(maintenance))
        except _NoDataError:
            _LOGGER.debug("No maintenance data for the vehicle")
            return VehicleState()

    # Remotes

    async def _ensure_callback(self) -> str:
        """Our callback's id: found by label and target, or registered now."""
        async with self._callback_lock:
            if self._callback_id is not None:
                return self._callback_id
            target = self._callback_url or NO_WEBHOOK_TARGET
            items = await self._collect(self._api("/user/callbacks"), "callbacks")
            if (found := find_callback(items, LABEL, target)) is not None:
                self._callback_id = found
                return found
            subscribe = {
                "label": LABEL,
                "type": ["Remote"],
                "callback": {"webhook": {"name": LABEL, "target": target}},
            }
            response = await self._request("POST", self._api("/user/callbacks"), body=subscribe)
            self._callback_id = callback_id(response.json())
            return self._callback_id

    async def _send(self, vehicle: Vehicle, body: dict[str, Any]) -> tuple[str, str]:
        """POST the remote (registering our callback again if the server lost it)."""
        for attempt in (1, 2):
            cbid = await self._ensure_callback()
            template = self._link(vehicle, "remotes", None)
            if template is None:
                template = self._api(f"/user/vehicles/{vehicle.id}/callbacks/{{cbid}}/remotes")
            remotes = expand(template, cbid=cbid)
            try:
                response = await self._request("POST", remotes, body=body)
            except NotFoundError:
                if attempt == 2:
                    raise
                _LOGGER.debug("Our callback is gone; registering it again")
                self._callback_id = None
                continue
            answer = response.json()
            action_id = remote_action_id(answer)
            status_href = links_of(answer if isinstance(answer, dict) else {}).get("remote")
            base = self._router.url(self._router.route(remotes)[0])
            return action_id, str(base.join(URL(status_href or f"{remotes}/{action_id}")))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _final(self, action_id: str, status_href: str) -> RemoteProgress:
        """Wait for the action's final status, read back from the API.

        A webhook event is only a hint (anyone who learns the webhook's address
        can post one): a pushed final event makes the client read the status
        back at once, and only what it reads counts. An event the read-back
        contradicts stops the client listening for this action, so forged posts
        cannot make it read in a loop. Without a push (a webhook URL out of the
        cloud's reach, or none) the status is read back early, then less often.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._command_timeout
        hint = self._waiters.wait_for(action_id) if self._callback_url is not None else None
        wait = min(FIRST_READ_BACK, self._poll_interval)
        try:
            while (remaining := deadline - loop.time()) > 0:
                if hint is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(hint), min(wait, remaining))
                else:
                    await asyncio.sleep(min(wait, remaining))
                progress = await self._read_back(status_href)
                if progress is not None and progress.done:
                    return progress
                if hint is not None and hint.done():
                    _LOGGER.debug("Remote %s: a pushed final status not confirmed", action_id[:8])
                    hint = None
                wait = min(wait * 2, self._poll_interval)
        finally:
            if hint is not None and not hint.done():
                self._waiters.forget(action_id)
        raise CommandFailedError(
            CommandStatus.TIMEOUT, f"no final status after {self._command_timeout:g} s"
        )

    async def _read_back(self, status_href: str) -> RemoteProgress | None:
        """The action's progress; None when it cannot be read right now (asked again later)."""
        try:
            return parse_remote_action(await self._get(status_href))
        except (NotFoundError, BackendUnavailableError, ProtocolError) as err:
            _LOGGER.debug("Could not read the remote's status back: %s", err)
            return None
