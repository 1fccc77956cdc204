"""The simulated Stellantis API against the official B2C OpenAPI spec (v4.17.2).

Every Stellantis account is walked the way a client would: the vehicle list,
every link of every answer, a callback, a remote and its read-backs. Plain
cars must answer by the spec; quirky cars (``Quirks.plain`` false) show the
real API's documented deviations, and must show them, or the clients'
tolerance goes untested.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from simulator import Simulator
from simulator.stellantis.brands import BRANDS
from simulator.stellantis.fleet import api_id, profile_for

from ..real_fixtures import real_path
from .conftest import Receiver
from .openapi import Spec
from .test_stellantis_api import API, headers
from .test_stellantis_remotes import register, send

ACCOUNT = "account"  # answers about no one car: callbacks, the vehicle list


@dataclass(frozen=True)
class Answer:
    """One answer of the walk and what the spec finds wrong with it."""

    car: str  # a world vehicle id, or ACCOUNT
    method: str
    path: str
    status: int
    errors: tuple[str, ...]


@dataclass
class Walk:
    """Every answer of a walk over the simulated Stellantis accounts."""

    spec: Spec
    answers: list[Answer] = field(default_factory=list)
    plain: dict[str, bool] = field(default_factory=dict)  # world id -> Quirks.plain

    def failing(self, *, plain: bool) -> list[Answer]:
        """The answers about plain (or quirky) cars that break the spec."""
        return [
            a for a in self.answers if a.errors and (a.car == ACCOUNT or self.plain[a.car]) == plain
        ]


def spec() -> Spec:
    """The official spec, read from the shared real fixtures."""
    return Spec(real_path("stellantis/openapi/api-b2c.yaml"))


async def walk(sim: Simulator, client: aiohttp.ClientSession) -> Walk:
    """Walk every Stellantis account of ``sim`` and check each answer."""
    found = Walk(spec())
    for account in sim.world.accounts:
        if account.backend not in BRANDS:
            continue
        ids = {api_id(v): v for v in account.vehicle_ids}
        for vehicle_id in account.vehicle_ids:
            quirks = profile_for(sim.world.vehicle(vehicle_id), account.backend).quirks
            found.plain[vehicle_id] = quirks.plain
        await _walk_account(found, client, headers(sim, account.backend, account.username), ids)
    return found


async def _walk_account(
    found: Walk, client: aiohttp.ClientSession, auth: dict[str, str], ids: dict[str, str]
) -> None:
    async def ask(method: str, href: str, body: Any = None) -> Any:
        path = urlsplit(href).path.removeprefix(API)
        params = {"client_id": "test"}
        async with client.request(method, href, params=params, headers=auth, json=body) as answer:
            text = await answer.text()
            data = await answer.json(content_type=None) if text else None
            content_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
            parts = path.split("/")
            car = ids[parts[3]] if len(parts) > 3 and parts[2] == "vehicles" else ACCOUNT
            errors = found.spec.check(method, path, answer.status, content_type, data)
            if path == "/user/vehicles":  # each car's item is checked as that car's
                vehicle = found.spec.doc["components"]["schemas"]["Vehicle"]
                for item in (data or {}).get("_embedded", {}).get("vehicles", []):
                    problems = tuple(found.spec.validate(vehicle, item, "$"))
                    found.answers.append(Answer(ids[item["id"]], "item", path, 200, problems))
                car = next((c for c in ids.values() if not found.plain[c]), ACCOUNT)
            found.answers.append(Answer(car, method, path, answer.status, tuple(errors)))
            return data

    seen: set[str] = set()
    posted: set[str] = set()  # one remote per car
    queue = [API + "/user/vehicles"]
    callback = await ask(
        "POST",
        API + "/user/callbacks",
        {
            "label": "spec",
            "type": ["Remote"],
            "callback": {"webhook": {"name": "spec", "target": "https://spec.invalid/hook"}},
        },
    )
    queue.append(callback["_links"]["callback"]["href"])
    queue.append(API + "/user/callbacks")
    while queue:
        href = queue.pop(0)
        if href in seen:
            continue
        seen.add(href)
        data = await ask("GET", href)
        for link in _links(data):
            href = link["href"].replace("{cbid}", callback["callbackId"])
            if link.get("templated") and href.endswith("/remotes") and href not in posted:
                posted.add(href)
                sent = await ask("POST", href, {"wakeUp": {"action": "WakeUp"}})
                queue += [link["href"] for link in _links(sent)]
            queue.append(href)
    await ask("DELETE", callback["_links"]["callback"]["href"])


def _links(data: Any) -> list[dict[str, Any]]:
    """Every link in ``data``, its embedded items' included."""
    if isinstance(data, list):
        return [link for item in data for link in _links(item)]
    if not isinstance(data, dict):
        return []
    links = [v for v in (data.get("_links") or {}).values() if isinstance(v, dict)]
    return links + [link for value in data.values() for link in _links(value)]


def summary(found: Walk) -> str:
    """Counts per car kind, and the most common spec breaks."""
    reasons = Counter(
        re.sub(r"'[^']*'|\d+", "_", error.split(": ", 1)[-1])[:70]
        for a in found.answers
        for error in a.errors
    )
    return (
        f"{len(found.answers)} answers; failing: {len(found.failing(plain=True))} plain, "
        f"{len(found.failing(plain=False))} quirky\n"
        + "\n".join(f"{n:4} {reason}" for reason, n in reasons.most_common(25))
    )


async def test_plain_cars_follow_the_spec(sim: Simulator, client: aiohttp.ClientSession) -> None:
    """Every answer about a plain car, and every account-wide one, is spec-valid."""
    found = await walk(sim, client)
    failing = found.failing(plain=True)
    assert not failing, summary(found) + "\n" + "\n".join(map(str, failing[:10]))
    assert any(found.plain.values())


async def test_quirky_cars_break_it(sim: Simulator, client: aiohttp.ClientSession) -> None:
    """The check can fail: every quirky car has answers the spec refuses."""
    found = await walk(sim, client)
    broken = {a.car for a in found.failing(plain=False)}
    quirky = {car for car, plain in found.plain.items() if not plain}
    assert quirky <= broken, sorted(quirky - broken)


async def test_no_listed_link_is_missing(sim: Simulator, client: aiohttp.ClientSession) -> None:
    """A link the simulator lists answers, unless the car has no such data (code 404xx)."""
    found = await walk(sim, client)
    missing = [a for a in found.answers if a.status == 404]
    assert all(a.path.endswith(("/status", "/lastPosition")) for a in missing), missing


@pytest.mark.parametrize("mode", ["ok", "asleep"])
async def test_webhook_messages_follow_the_template(
    client: aiohttp.ClientSession, sim: Simulator, receiver: Receiver, mode: str
) -> None:
    """What the simulator posts to a webhook is a Message of the webhook template."""
    sim.stellantis.set_remote_mode("E208", mode)
    auth = headers(sim)
    cbid = await register(client, auth, receiver.url)
    answer = await send(client, sim, auth, cbid, "E208", {"door": {"state": "Locked"}})
    await receiver.final(answer["remoteActionId"])
    template = Spec(real_path("stellantis/openapi/api-b2c-webhook-template.yaml"))
    message = template.doc["components"]["schemas"]["Message"]
    assert len(receiver.messages) >= 2
    for posted in receiver.messages:
        assert not template.validate(message, posted, "$"), posted


def test_validator_catches_what_it_should() -> None:
    """Type, enum, date-time, required and content-type breaks are all reported."""
    checked = spec()
    schemas = checked.doc["components"]["schemas"]
    assert checked.validate(schemas["Maintenance"], {"createdAt": "2026-01-01T00:00:00Z"}, "$")
    status = {"createdAt": "2026-01-01T08:00:00.000+0000"}
    assert any("RFC 3339" in e for e in checked.validate(schemas["Status"], status, "$"))
    assert not checked.validate(
        schemas["CreatedAtField"], {"createdAt": "2026-01-01t08:00:00z"}, "$"
    )
    assert checked.check("GET", "/user/vehicles/x/lastPosition", 200, "application/hal+json", {})
    charging = {"chargingMode": "No", "status": "Stopped"}
    assert not checked.validate(schemas["EnergyCharging"], charging, "$")
    assert checked.validate(schemas["EnergyCharging"], {"chargingMode": False}, "$")


@pytest.mark.parametrize("car", ["E208", "P3008"])
async def test_walk_reaches_every_resource(
    sim: Simulator, client: aiohttp.ClientSession, car: str
) -> None:
    """The walk gets to status, position, alerts, trips, maintenance and remotes."""
    found = await walk(sim, client)
    paths = {a.path.split(api_id(car))[-1] for a in found.answers if a.car == car}
    assert {"", "/status", "/lastPosition", "/alerts", "/trips", "/maintenance"} <= paths
    assert any(p.endswith("/remotes") for p in paths)
