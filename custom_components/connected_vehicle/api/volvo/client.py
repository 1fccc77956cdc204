"""Volvo Cars API client: Connected Vehicle v2 (v1 answers tolerated), Energy v2, Location v1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
import hashlib
import logging
import time
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from ..backend import TokenProvider, with_access_token
from ..errors import (
    ApiKeyRefusedError,
    AuthenticationError,
    BackendUnavailableError,
    CommandFailedError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    QuotaExhaustedError,
    RateLimitedError,
    VehicleApiError,
)
from ..http import DEFAULT_TIMEOUT, HttpClient, Response
from ..models import (
    Command,
    CommandArguments,
    CommandResult,
    CommandStatus,
    DataGroup,
    Destination,
    Powertrain,
    Vehicle,
    VehicleState,
)
from .const import (
    API_KEY_HEADER,
    CONNECTED_VEHICLE,
    DEFAULT_API_URL,
    ENERGY,
    LOCATION,
    OPERATION_ID_HEADER,
)
from .endpoints import EndpointLedger
from .errors import error_for
from .parse import parse_endpoint, parse_energy_state
from .quota import ApiKeyQuota
from .results import InvokeAnswer, command_status, parse_invoke
from .vehicle import (
    Details,
    build_vehicle,
    parse_commands,
    parse_details,
    parse_energy_capabilities,
    parse_vehicle_list,
    unsupported_energy_fields,
)

_LOGGER = logging.getLogger(__name__)

ACCEPT: Final = "application/json"
MAX_PAGES: Final = 50
MAX_RUNTIME_MINUTES: Final = 15
DEFAULT_RUNTIME_MINUTES: Final = 15
# The v1 portal's unlock page: ``unlockDuration`` can at most be 120 seconds.
MAX_UNLOCK_SECONDS: Final = 120
# Waits between polls of a v1 command's href, in seconds (about 20 s in all).
ASYNC_POLL_DELAYS: Final = (0.5, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0)

COMMAND_PATHS: Final[Mapping[Command, str]] = {
    Command.LOCK: "lock",
    Command.LOCK_REDUCED_GUARD: "lock-reduced-guard",
    Command.UNLOCK: "unlock",
    Command.HONK: "honk",
    Command.FLASH: "flash",
    Command.HONK_FLASH: "honk-flash",
    Command.ENGINE_START: "engine-start",
    Command.ENGINE_STOP: "engine-stop",
    Command.CLIMATE_START: "climatization-start",
    Command.CLIMATE_STOP: "climatization-stop",
    # v2 documents no path of its own (cars list one in /commands); this is v1's
    # (developer.volvocars.com/apis/connected-vehicle/v1/endpoints/navigation).
    Command.SEND_DESTINATION: "navi-point-of-interest",
}
# The portal's v1 navigation page: a POI name of 3 to 17 characters is mandatory.
POI_NAME_LENGTH: Final = range(3, 18)
# The endpoints of each group; energy-state and fuel only where the car has them.
GROUP_ENDPOINTS: Final[Mapping[DataGroup, tuple[str, ...]]] = {
    DataGroup.LOCK_AND_DOORS: ("doors",),
    DataGroup.LOCKS_OPENINGS: ("doors", "windows", "engine-status"),
    DataGroup.ENERGY: ("fuel", "energy-state"),
    DataGroup.LOCATION: ("location",),
    DataGroup.ODOMETER_TRIPS: ("odometer", "statistics"),
    DataGroup.TYRES: ("tyres",),
    DataGroup.HEALTH: ("diagnostics", "engine", "brakes", "warnings", "command-accessibility"),
}
# Errors that concern the whole account, not one endpoint: never swallowed.
_FATAL: Final = (AuthenticationError, ApiKeyRefusedError, RateLimitedError)


# The API each endpoint belongs to (the rest are Connected Vehicle endpoints).
_OTHER_APIS: Final[Mapping[str, str]] = {"energy-state": ENERGY, "location": LOCATION}


@dataclass
class _Car:
    """What the client learnt about a car: energy support and how its endpoints answer."""

    has_battery: bool
    has_tank: bool
    energy_state: bool
    endpoints: EndpointLedger
    # The href each command's /commands entry gave, where it gave one.
    hrefs: Mapping[Command, str] = field(default_factory=dict)
    # Energy state fields its capabilities deny: left out even when the state reports them.
    unsupported_energy: frozenset[str] = frozenset()


class VolvoClient:
    """One Volvo ID account, through one VCC API key.

    Every request carries the bearer token from ``tokens``, the API key and a
    fresh ``vcc-api-operationId``. ``quota`` (shared by every client of the key)
    counts calls and holds them back once the gateway says the day's quota is
    used up. Neither token nor key ever appears in a message or log.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        api_key: str,
        *,
        base_url: str = DEFAULT_API_URL,
        quota: ApiKeyQuota | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        poll_delays: Sequence[float] = ASYNC_POLL_DELAYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Use the injected session; ``base_url`` may point at another server (the simulator).

        ``clock`` (seconds) schedules when skipped endpoints are asked again.
        """
        self._http = HttpClient(
            session,
            base_url,
            request_id_header=OPERATION_ID_HEADER,
            timeout=timeout,
            error_mapper=error_for,
        )
        self._tokens = tokens
        self._api_key = api_key
        self.quota = quota if quota is not None else ApiKeyQuota()
        self._poll_delays = tuple(poll_delays)
        self._clock = clock
        self._cars: dict[str, _Car] = {}

    # Backend protocol

    async def vehicles(self) -> list[Vehicle]:
        """The account's cars with details, commands and energy support (pages followed)."""
        vins: list[str] = []
        query: str | None = ""
        for _ in range(MAX_PAGES):
            if query is None:
                break
            response = await self._request("GET", CONNECTED_VEHICLE + _page_query(query))
            page, query = parse_vehicle_list(response.json())
            self._http.mask.hide(*page)
            vins += [vin for vin in page if vin not in vins]
        return list(await asyncio.gather(*(self._vehicle(vin) for vin in vins)))

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """The requested groups' readings; each endpoint once, all at once.

        One failing endpoint does not lose the others' readings, unless the
        failure concerns the account (authentication, quota), every endpoint of
        the Connected Vehicle API answered 404 (an outage, or the car left the
        account), or nothing answered at all. Endpoints the car lacks or the
        account may not read are skipped for a while (see ``EndpointLedger``).
        """
        self._http.mask.hide(vehicle.id, vehicle.vin)
        car = self._car(vehicle)
        endpoints = [
            endpoint
            for group in sorted(groups)
            for endpoint in GROUP_ENDPOINTS.get(group, ())
            if self._wanted(car, endpoint)
        ]
        endpoints = list(dict.fromkeys(endpoints))
        results = await asyncio.gather(
            *(self._fetch_endpoint(vehicle.id, car, endpoint) for endpoint in endpoints),
            return_exceptions=True,
        )
        state = VehicleState()
        answered: list[str] = []
        not_found: dict[str, NotFoundError] = {}
        denied: dict[str, PermissionDeniedError] = {}
        errors: list[VehicleApiError] = []
        for endpoint, result in zip(endpoints, results, strict=True):
            if isinstance(result, VehicleState):
                state = state.merged(result)
                answered.append(endpoint)
            elif isinstance(result, NotFoundError):
                not_found[endpoint] = result
            elif isinstance(result, PermissionDeniedError):
                denied[endpoint] = result
            elif isinstance(result, VehicleApiError):
                errors.append(result)
                _LOGGER.debug("/%s failed: %s", endpoint, result)
            elif isinstance(result, BaseException):
                raise result
        if fatal := next((err for err in errors if isinstance(err, _FATAL)), None):
            raise fatal
        connected = [e for e in endpoints if e not in _OTHER_APIS]
        if len(connected) > 1 and all(e in not_found for e in connected):
            raise BackendUnavailableError(
                f"every Connected Vehicle endpoint of {self._http.mask(vehicle.id)} answered 404",
                status=404,
            )
        failures = [*errors, *denied.values(), *not_found.values()]
        if not answered and failures and (errors or len(endpoints) > 1):
            raise failures[0]
        self._record(car, vehicle, answered, not_found, denied)
        return state

    def denied(self, vehicle: Vehicle) -> frozenset[str]:
        """What the account may not read for ``vehicle`` (endpoints that answered 403).

        The readings behind them stay absent; the glue raises a repair issue
        while this is not empty.
        """
        return self._car(vehicle).endpoints.denied

    async def invoke(
        self, vehicle: Vehicle, command: Command, arguments: CommandArguments | None = None
    ) -> CommandResult:
        """Run a command; CommandFailedError unless the car completed it."""
        self._http.mask.hide(vehicle.id, vehicle.vin)
        path = COMMAND_PATHS.get(command)
        if path is None:  # whether this car offers it is the caller's check (vehicle.commands)
            raise CommandFailedError(
                CommandStatus.NOT_SUPPORTED, f"{command} is not a Volvo command"
            )
        body: dict[str, Any] | None = None
        if command is Command.ENGINE_START:
            runtime = arguments.runtime_minutes if arguments else None
            runtime = DEFAULT_RUNTIME_MINUTES if runtime is None else runtime
            if not 1 <= runtime <= MAX_RUNTIME_MINUTES:
                raise CommandFailedError(
                    CommandStatus.REJECTED,
                    f"engine runtime must be 1 to {MAX_RUNTIME_MINUTES} minutes, not {runtime}",
                )
            body = {"runtimeMinutes": runtime}
        elif command is Command.SEND_DESTINATION:
            body = _poi(arguments.destination if arguments else None)
        elif command is Command.UNLOCK and arguments and arguments.unlock_seconds is not None:
            body = _unlock(arguments.unlock_seconds)
        self.quota.acquire_command()
        url = _command_url(self._car(vehicle).hrefs.get(command)) or (
            f"{CONNECTED_VEHICLE}/{vehicle.id}/commands/{path}"
        )
        try:
            response = await self._request("POST", url, json_body=body)
        except NotFoundError as err:
            raise CommandFailedError(
                CommandStatus.NOT_SUPPORTED, str(err), status=err.status, request_id=err.request_id
            ) from err
        answer = parse_invoke(response.json())
        if answer.href is not None and answer.pending:
            answer = await self._follow(answer.href, answer)
        return _result(command, answer, response.request_id)

    async def logout(self) -> None:
        """Nothing to release: Home Assistant owns the OAuth2 tokens."""

    @property
    def calls_today(self) -> int:
        """Calls the API key made today (UTC), by every client using it."""
        return self.quota.calls_today

    @property
    def counter_id(self) -> str:
        """The API key's counter, named by a digest of the key (never the key)."""
        return "volvo-" + hashlib.sha256(self._api_key.encode()).hexdigest()[:16]

    def counted(self) -> tuple[int, int]:
        """Today and the key's calls so far."""
        return self.quota.day, self.quota.calls_today

    def restore(self, day: int, calls: int) -> None:
        """Count on from the calls made earlier today."""
        self.quota.restore(day, calls)

    # Internals

    def _record(
        self,
        car: _Car,
        vehicle: Vehicle,
        answered: list[str],
        not_found: Mapping[str, NotFoundError],
        denied: Mapping[str, PermissionDeniedError],
    ) -> None:
        """Note what each endpoint answered; a 404 counts only while its API answered."""
        apis = {_OTHER_APIS.get(endpoint, CONNECTED_VEHICLE) for endpoint in answered}
        for endpoint in answered:
            car.endpoints.answered(endpoint)
        for endpoint in not_found:
            if _OTHER_APIS.get(endpoint, CONNECTED_VEHICLE) in apis:
                car.endpoints.missing(endpoint)
        for endpoint, err in denied.items():
            newly = car.endpoints.refused(endpoint)
            _LOGGER.log(
                logging.WARNING if newly else logging.DEBUG,
                "The account may not read /%s of %s (%s); asking again in an hour",
                endpoint,
                self._http.mask(vehicle.id),
                err,
            )

    async def _vehicle(self, vin: str) -> Vehicle:
        response = await self._request("GET", f"{CONNECTED_VEHICLE}/{vin}")
        details = parse_details(vin, response.json())
        self._http.mask.hide(details.vin)
        endpoints = EndpointLedger(self._clock)
        commands_raw, energy_raw = await asyncio.gather(
            self._optional(f"{CONNECTED_VEHICLE}/{vin}/commands", "commands", endpoints),
            self._optional(f"{ENERGY}/{vin}/capabilities", "energy-capabilities", endpoints)
            if details.has_battery
            else _none(),
        )
        commands = parse_commands(commands_raw) if commands_raw is not None else {}
        energy = energy_raw is not None and parse_energy_capabilities(energy_raw)
        hrefs = {command: href for command, href in commands.items() if href}
        unsupported = unsupported_energy_fields(energy_raw) if energy else frozenset()
        self._cars[details.vin] = _Car(
            details.has_battery, details.has_tank, energy, endpoints, hrefs, unsupported
        )
        return build_vehicle(details, frozenset(commands), energy)

    def _car(self, vehicle: Vehicle) -> _Car:
        """What we know of the car; from its powertrain if vehicles() did not list it."""
        car = self._cars.get(vehicle.id)
        if car is None:
            details = Details(vehicle.id, None, None, vehicle.powertrain, None, None)
            unknown = vehicle.powertrain is Powertrain.UNKNOWN
            car = _Car(
                details.has_battery or unknown,
                details.has_tank or unknown,
                True,
                EndpointLedger(self._clock),
            )
            self._cars[vehicle.id] = car
        return car

    @staticmethod
    def _wanted(car: _Car, endpoint: str) -> bool:
        if not car.endpoints.due(endpoint):
            return False
        if endpoint == "energy-state":
            return car.has_battery and car.energy_state
        if endpoint == "fuel":
            return car.has_tank
        return True

    async def _fetch_endpoint(self, vin: str, car: _Car, endpoint: str) -> VehicleState:
        path = {
            "energy-state": f"{ENERGY}/{vin}/state",
            "location": f"{LOCATION}/{vin}/location",
        }.get(endpoint, f"{CONNECTED_VEHICLE}/{vin}/{endpoint}")
        try:
            response = await self._request("GET", path)
        except NotFoundError:
            if endpoint != "location":
                raise
            return VehicleState()  # no position known right now
        if endpoint == "energy-state":
            return parse_energy_state(response.json(), car.unsupported_energy)
        return parse_endpoint(endpoint, response.json())

    async def _optional(self, path: str, name: str, endpoints: EndpointLedger) -> Any:
        """JSON of a GET the car may lack: None on 404 or 403 (noted as denied)."""
        try:
            return (await self._request("GET", path)).json()
        except PermissionDeniedError as err:
            endpoints.refused(name)
            _LOGGER.warning("The account may not read %s: %s", name, err)
        except NotFoundError as err:
            _LOGGER.debug("No answer from an optional endpoint: %s", err)
        return None

    async def _follow(self, href: str, answer: InvokeAnswer) -> InvokeAnswer:
        """Poll a v1 request until its status is final (bounded)."""
        path = urlsplit(href).path  # never send our token to another host
        if not path.startswith("/"):
            raise ProtocolError("command answer: unusable async href")
        for delay in self._poll_delays:
            await asyncio.sleep(delay)
            answer = parse_invoke((await self._request("GET", path)).json())
            if not answer.pending:
                return answer
        return InvokeAnswer("TIMEOUT", "no final status from the car")

    async def _request(self, method: str, path: str, *, json_body: Any = None) -> Response:
        """One authenticated call, counted against the key's quota.

        The API may drop an access token before the expiry it announced: a
        refused token (401) is refreshed once and the call sent again; only a
        second refusal is an AuthenticationError. A refused API key
        (ApiKeyRefusedError) is not a token problem and is raised at once.
        """
        return await with_access_token(
            self._tokens, lambda token: self._send(method, path, token, json_body)
        )

    async def _send(self, method: str, path: str, token: str, json_body: Any) -> Response:
        self.quota.check()
        headers = {
            "Authorization": f"Bearer {token}",
            API_KEY_HEADER: self._api_key,
            "Accept": ACCEPT,
        }
        self.quota.record_call()
        try:
            return await self._http.request(method, path, headers=headers, json_body=json_body)
        except QuotaExhaustedError as err:
            if err.replenished_in is not None:
                self.quota.block(err.replenished_in)
            raise


def _page_query(query: str) -> str:
    """The list path's query from the pagination's ``next`` ("?limit=..&offset=..")."""
    query = query.strip()
    if not query:
        return ""
    if "://" in query or query.startswith("/"):
        query = urlsplit(query).query
    return "?" + query.lstrip("?")


def _command_url(href: str | None) -> str | None:
    """The path of a command's listed href, on our API host; None when it is unusable.

    The real hrefs carry no ``/connected-vehicle`` prefix (``/v2/vehicles/{vin}/commands/lock``).
    """
    path = urlsplit(href).path if href else ""  # never send our token to another host
    if not path.startswith("/") or ".." in path:
        return None
    return path if path.startswith("/connected-vehicle/") else "/connected-vehicle" + path


def _poi(destination: Destination | None) -> dict[str, Any]:
    """The v1 portal's body: latitude, longitude and a name (coordinates when none fits)."""
    if destination is None:
        raise CommandFailedError(CommandStatus.REJECTED, "a destination is required")
    lat, lon = destination.latitude, destination.longitude
    name = (destination.name or "").strip()[: POI_NAME_LENGTH.stop - 1]
    if len(name) not in POI_NAME_LENGTH:
        name = f"{lat:.3f},{lon:.3f}"
    return {"latitude": lat, "longitude": lon, "name": name}


def _unlock(seconds: int) -> dict[str, Any]:
    """The v1 body; sent only when a duration is asked for (v2 documents no unlock body)."""
    if not 1 <= seconds <= MAX_UNLOCK_SECONDS:
        raise CommandFailedError(
            CommandStatus.REJECTED,
            f"unlock duration must be 1 to {MAX_UNLOCK_SECONDS} seconds, not {seconds}",
        )
    return {"unlockDuration": seconds}


async def _none() -> None:
    return None


def _result(command: Command, answer: InvokeAnswer, request_id: str) -> CommandResult:
    if answer.status is None:
        raise ProtocolError(f"{command}: the answer has no command status", request_id=request_id)
    status = command_status(answer.status)
    if answer.pending:
        status = CommandStatus.TIMEOUT
    if status is CommandStatus.SUCCESS:
        return CommandResult(CommandStatus.SUCCESS, answer.message or None)
    raise CommandFailedError(
        status,
        f"{command}: {answer.status}" + (f" ({answer.message})" if answer.message else ""),
        request_id=request_id,
    )
