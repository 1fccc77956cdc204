"""Callbacks and remote actions: 202 at once, progress pushed to the webhook later.

A remote runs in the background: a Pending event (Accepted, then
WakingUpVehicle for a sleeping car), then after a short real-time delay a Done
event (Success, AlreadyDone or Failed with a failureCause), when the world
changes too. Each event is POSTed to the callback's webhook target; failed
posts are logged and dropped. The action's status can be read back by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
import logging
import re
import secrets
from typing import Any, Final, Literal, get_args
from urllib.parse import urlsplit

import aiohttp

from ..geo import Point
from ..vehicle import ClimateProgram, NaviDestination, Vehicle
from ..world import World

_LOGGER = logging.getLogger(__name__)

RemoteMode = Literal["ok", "asleep", "unreachable", "timeout", "rejected"]
REMOTE_MODES: Final = frozenset(get_args(RemoteMode))
REMOTE_TYPES: Final = {
    "door": "Doors",
    "horn": "Horn",
    "lights": "Lights",
    "wakeUp": "WakeUp",
    "charging": "ElectricBatteryChargingRequest",
    "preconditioning": "ThermalPreconditioning",
    "navigation": "Navigation",
}
_NOT_ACTIONS: Final = frozenset({"label", "attributes", "callbackAttributes"})
CLIMATE_MINUTES: Final = 30
MAX_POSITIONS: Final = 10  # RemoteNavigation: 9 points and the destination
POST_TIMEOUT: Final = 3.0

type Owner = tuple[str, str]  # (brand, username)
type Json = dict[str, Any]


@dataclass
class Callback:
    """A registered callback (webhook) of one user."""

    id: str
    owner: Owner
    label: str
    subscribe: Json
    status: str = "Running"
    delivered: int = 0
    failed: int = 0

    @property
    def target(self) -> str | None:
        """The webhook URL, if the callback is a webhook."""
        webhook = self.subscribe.get("callback", {}).get("webhook")
        target = webhook.get("target") if isinstance(webhook, dict) else None
        return target if isinstance(target, str) else None

    @property
    def attributes(self) -> list[Json]:
        """The webhook's attribute set (headers, query parameters, body values)."""
        webhook = self.subscribe.get("callback", {}).get("webhook")
        attributes = webhook.get("attributes") if isinstance(webhook, dict) else None
        return [a for a in attributes or [] if isinstance(a, dict)]


@dataclass
class RemoteAction:
    """One remote action and how far it got."""

    id: str
    owner: Owner
    vehicle_id: str
    callback_id: str
    remote: Json
    action: str  # the remote's key: door, horn, ...
    created: datetime
    status: str = "Accepted"
    failure_cause: str | None = None
    done: bool = False
    events: list[Json] = field(default_factory=list)

    @property
    def type(self) -> str:
        """The RemoteType."""
        return REMOTE_TYPES[self.action]


class RemoteError(ValueError):
    """A remote body the API refuses with 400."""


def validate(body: Any) -> str:
    """The one action key of a remote body, or RemoteError."""
    if not isinstance(body, dict):
        raise RemoteError("body must be a JSON object")
    actions = [key for key in body if key not in _NOT_ACTIONS]
    if len(actions) != 1 or actions[0] not in REMOTE_TYPES:
        raise RemoteError("exactly one remote action (door, horn, lights, ...) is required")
    action = str(actions[0])
    value = body[action]
    checks: dict[str, Callable[[Any], bool]] = {
        "door": lambda v: v.get("state") in ("Locked", "Unlocked"),
        "horn": lambda v: v.get("state") in ("Activated", "Unactivated"),
        "lights": lambda v: isinstance(v.get("on"), bool),
        "wakeUp": lambda v: v.get("action", "WakeUp") == "WakeUp",
        "charging": lambda v: (
            isinstance(v.get("immediate"), bool) or "schedule" in v or "preferences" in v
        ),
        "preconditioning": lambda v: isinstance(v.get("airConditioning"), dict),
        "navigation": lambda v: _positions(v.get("positions")) is not None,
    }
    if not isinstance(value, dict) or not checks[action](value):
        raise RemoteError(f"invalid {action} remote")
    return action


def _positions(raw: Any) -> list[Point] | None:
    """``RemoteNavigation.positions``: 1 to 10 GeoJSON points ([lon, lat, ...]), else None."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_POSITIONS:
        return None
    points = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") != "Point":
            return None
        where = item.get("coordinates")
        if not isinstance(where, list) or len(where) < 2:
            return None
        lon, lat = where[0], where[1]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        points.append(Point(lat, lon))
    return points


class Remotes:
    """Every user's callbacks and remote actions, and the webhook poster."""

    def __init__(self, world: World, *, step_delay: float = 0.08) -> None:
        """``step_delay``: real seconds between the events of a remote."""
        self.world = world
        self.step_delay = step_delay
        self.callbacks: dict[str, Callback] = {}
        self.actions: dict[str, RemoteAction] = {}
        self.modes: dict[str, RemoteMode] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    # Callbacks

    def register(self, owner: Owner, subscribe: Json) -> Callback:
        """Register a callback for ``owner``; RemoteError when it names no target."""
        callback = subscribe.get("callback")
        if not isinstance(callback, dict) or not any(
            isinstance(callback.get(kind), dict) for kind in ("webhook", "websocket", "pushnotif")
        ):
            raise RemoteError("callback must be one of webhook, websocket or pushnotif")
        webhook = callback.get("webhook")
        if isinstance(webhook, dict) and not isinstance(webhook.get("target"), str):
            raise RemoteError("a webhook needs a target URL")
        label = subscribe.get("label")
        new = Callback(
            secrets.token_hex(16), owner, label if isinstance(label, str) else "", subscribe
        )
        self.callbacks[new.id] = new
        return new

    def callback(self, owner: Owner, callback_id: str) -> Callback | None:
        """The owner's callback ``callback_id``."""
        callback = self.callbacks.get(callback_id)
        return callback if callback is not None and callback.owner == owner else None

    def of(self, owner: Owner) -> list[Callback]:
        """The owner's callbacks."""
        return [c for c in self.callbacks.values() if c.owner == owner]

    def delete(self, owner: Owner, callback_id: str) -> bool:
        """Delete the owner's callback; False when there is none."""
        if self.callback(owner, callback_id) is None:
            return False
        del self.callbacks[callback_id]
        return True

    # Remote actions

    def submit(
        self, owner: Owner, vehicle: Vehicle, callback: Callback, body: Json
    ) -> RemoteAction:
        """Accept a remote (validated by ``validate``) and run it in the background."""
        action = RemoteAction(
            secrets.token_hex(20),
            owner,
            vehicle.id,
            callback.id,
            body,
            validate(body),
            self.world.clock.now(),
        )
        busy = any(a.vehicle_id == vehicle.id and not a.done for a in self.actions.values())
        self.actions[action.id] = action
        task = asyncio.get_running_loop().create_task(self._run(action, callback, busy))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return action

    def action(self, owner: Owner, vehicle_id: str, action_id: str) -> RemoteAction | None:
        """One of the owner's actions on the car."""
        action = self.actions.get(action_id)
        if action is None or action.owner != owner or action.vehicle_id != vehicle_id:
            return None
        return action

    async def close(self) -> None:
        """Stop running remotes and close the webhook session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self, action: RemoteAction, callback: Callback, busy: bool) -> None:
        if busy:
            await self._finish(action, callback, "Failed", "SameActionInProgress")
            return
        vehicle = self.world.vehicle(action.vehicle_id)
        mode: RemoteMode = self.modes.get(vehicle.id, "ok") if vehicle.online else "unreachable"
        await asyncio.sleep(self.step_delay)
        await self._event(action, callback, "Pending", "Accepted")
        if mode in ("asleep", "unreachable") or not vehicle.awake:
            await asyncio.sleep(self.step_delay)
            await self._event(action, callback, "Pending", "WakingUpVehicle")
        await asyncio.sleep(self.step_delay)
        match mode:
            case "timeout":
                await self._event(action, callback, "Pending", "SentToVehicle")
            case "asleep":
                await self._finish(action, callback, "Failed", "TooManyWakeUpsOverMonth")
            case "unreachable":
                await self._finish(action, callback, "Failed", "VehicleConnectionTimeout")
            case "rejected":
                await self._finish(action, callback, "Failed", "VehicleError")
            case "ok":
                status, cause = apply(
                    self.world.vehicle(vehicle.id), action.action, action.remote[action.action]
                )
                await self._finish(action, callback, status, cause)

    async def _finish(
        self, action: RemoteAction, callback: Callback, status: str, cause: str | None
    ) -> None:
        action.done = True
        action.failure_cause = cause
        await self._event(action, callback, "Done", status, cause)

    async def _event(
        self,
        action: RemoteAction,
        callback: Callback,
        kind: str,
        status: str,
        cause: str | None = None,
    ) -> None:
        action.status = status
        event: Json = {"type": kind, "status": status}
        if cause is not None:
            event["failureCause"] = cause
        action.events.append(event)
        vehicle = self.world.vehicle(action.vehicle_id)
        message: Json = {
            "callbackId": callback.id,
            "type": "Remote",
            "date": self.world.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "remoteEvent": {
                "remoteActionId": action.id,
                "remoteType": action.type,
                "eventStatus": event,
            },
        }
        await self._post(callback, message, vehicle.spec.vin)

    async def _post(self, callback: Callback, message: Json, vin: str) -> None:
        target = callback.target
        if target is None or (urlsplit(target).hostname or "").endswith(".invalid"):
            return  # nowhere to deliver (RFC 6761: .invalid never resolves)
        values = {"$vin": vin, "$callbackid": callback.id, "$callbacklabel": callback.label}
        headers: dict[str, str] = {}
        params: dict[str, str] = {}
        body_attributes = []
        for attribute in callback.attributes:
            key, value = str(attribute.get("key", "")), str(attribute.get("value", ""))
            value = values.get(value.lower(), value)
            match attribute.get("type"):
                case "Header":
                    headers[key] = value
                case "Query":
                    params[key] = value
                case _:
                    body_attributes.append({"key": key, "value": value})
        if body_attributes:
            message = {**message, "attributes": body_attributes}
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT))
        try:
            async with self._session.post(
                target, json=message, headers=headers, params=params
            ) as response:
                await response.read()
                ok = response.status < 300
        except (aiohttp.ClientError, TimeoutError) as err:
            _LOGGER.info(
                "Webhook %s of callback %s failed: %s", target, callback.id, type(err).__name__
            )
            ok = False
        if ok:
            callback.delivered += 1
        else:
            callback.failed += 1


_PREFERENCE_TYPES: Final = frozenset({"Partial", "Full"})
_POWER_LEVELS: Final = frozenset(f"Level{n}" for n in range(1, 6))
_CLOCK_TIME: Final = re.compile(r"PT(?:(\d{1,2})H)?(?:(\d{1,2})M)?")


def _charging_settings(vehicle: Vehicle, value: Json) -> tuple[str, str | None]:
    """Preferences or a schedule, never with each other or ``immediate`` (the spec's rule)."""
    if sum(key in value for key in ("preferences", "schedule", "immediate")) > 1:
        return "Failed", "WrongCommand"
    if "preferences" in value:
        preferences = value["preferences"]
        kind, level = _field(preferences, "type"), _field(preferences, "level")
        if (kind is None and level is None) or kind not in (None, *_PREFERENCE_TYPES):
            return "Failed", "WrongCommand"
        if level not in (None, *_POWER_LEVELS):
            return "Failed", "WrongCommand"
        vehicle.charge_preference = kind or vehicle.charge_preference
        vehicle.charge_power_level = level or vehicle.charge_power_level
        return "Success", None
    start = _clock_time(_field(value["schedule"], "nextDelayedTime"))
    if start is None:
        return "Failed", "WrongCommand"
    vehicle.delayed_start = start
    return "Success", None


def _field(raw: Any, key: str) -> Any:
    """``raw[key]`` of a JSON object, None for anything else."""
    return raw.get(key) if isinstance(raw, dict) else None


def _clock_time(raw: Any) -> time | None:
    """PT22H30M as 22:30; None for anything that is no clock time."""
    match = _CLOCK_TIME.fullmatch(raw) if isinstance(raw, str) and raw != "PT" else None
    if match is None:
        return None
    hours, minutes = (int(part or 0) for part in match.groups())
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def apply(vehicle: Vehicle, action: str, value: Json) -> tuple[str, str | None]:
    """Carry out a remote on the car: its status and failure cause."""
    spec = vehicle.spec
    match action:
        case "door":
            lock = value["state"] == "Locked"
            if lock and any(vehicle.doors[d] for d in ("fl", "fr", "rl", "rr", "trunk")):
                return "Failed", "DoorsOpen"
            if vehicle.locked == lock:
                return "AlreadyDone", None
            vehicle.lock_remotely(lock)
        case "charging":
            if not spec.electric:
                return "Failed", "WrongCommand"
            if "preferences" in value or "schedule" in value:
                return _charging_settings(vehicle, value)
            if not vehicle.plugged:
                return "Failed", "VehicleChargingSystemError"
            if value["immediate"]:
                if vehicle.charging:
                    return "AlreadyDone", None
                vehicle.charge_paused = False
                vehicle.charge_state = "charging"
            else:
                if not vehicle.charging:
                    return "AlreadyDone", None
                vehicle.charge_paused = True
                vehicle.charge_state = "stopped"
                vehicle.charge_power_kw = 0.0
        case "preconditioning":
            _set_programs(vehicle, value["airConditioning"].get("programs"))
            immediate = value["airConditioning"].get("immediate")
            if immediate is True:
                vehicle.climate_until = vehicle.time + timedelta(minutes=CLIMATE_MINUTES)
            elif immediate is False:
                vehicle.climate_until = None
        case "navigation":
            positions = _positions(value["positions"])
            assert positions is not None  # validated on submit
            vehicle.navigation = NaviDestination(positions[-1])  # the last one is the end
    return "Success", None


def _set_programs(vehicle: Vehicle, programs: Any) -> None:
    """Apply RemotePreconditioning programs: Set (slot, enabled, start, days) or Delete (slot)."""
    for program in programs if isinstance(programs, list) else []:
        slot = program.get("slot") if isinstance(program, dict) else None
        if not isinstance(slot, int) or not 1 <= slot <= 4:
            continue
        if program.get("actionsType", "Set") == "Delete":
            vehicle.climate_programs.pop(slot, None)
            continue
        match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:0S)?", str(program.get("start", "")))
        if match is None:
            continue
        hours, minutes = int(match[1] or 0), int(match[2] or 0)
        occurence = program.get("occurence")
        days = occurence.get("day") if isinstance(occurence, dict) else None
        vehicle.climate_programs[slot] = ClimateProgram(
            enabled=program.get("enabled") is True,
            start=time(hours % 24, minutes % 60),
            days=tuple(d for d in days if isinstance(d, str)) if isinstance(days, list) else (),
        )
