"""The simulated Stellantis API: gateway checks, HAL, paging, resources and their quirks."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from simulator import Simulator
from simulator.stellantis.quirks import rfc3339

API = "/connectedcar/v4"
REALMS = {
    "peugeot": "clientsB2CPeugeot",
    "citroen": "clientsB2CCitroen",
    "ds": "clientsB2CDS",
    "opel": "clientsB2COpel",
    "vauxhall": "clientsB2CVauxhall",
}


def headers(sim: Simulator, brand: str = "peugeot", user: str = "demo") -> dict[str, str]:
    """Bearer token of ``user`` at ``brand``'s IdP, and the brand's realm."""
    token = sim.stellantis.oauth[brand].issue(user)["access_token"]
    return {"Authorization": f"Bearer {token}", "x-introspect-realm": REALMS[brand]}


async def call(
    client: aiohttp.ClientSession,
    path: str,
    auth: dict[str, str],
    *,
    method: str = "GET",
    expect: int = 200,
    body: Any = None,
    **params: str,
) -> Any:
    """Call the API (client_id test); assert the status; answer the JSON body."""
    query = {"client_id": "test", **params}
    url = path if path.startswith("http") else API + path
    async with client.request(method, url, params=query, headers=auth, json=body) as response:
        assert response.status == expect, await response.text()
        return await response.json(content_type=None) if response.status != 204 else None


async def test_gateway_checks(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """No client id or realm: the gateway's 401 shape; a bad token: the API's error body."""
    auth = headers(sim)
    async with client.get(f"{API}/user/vehicles", headers=auth) as response:
        assert response.status == 401
        assert (await response.json())["moreInformation"] == "Invalid client id or secret."
    no_realm = {"Authorization": auth["Authorization"]}
    body = await call(client, "/user/vehicles", no_realm, expect=401)
    assert body["httpCode"] == "401"
    wrong_realm = {**auth, "x-introspect-realm": REALMS["opel"]}
    body = await call(client, "/user/vehicles", wrong_realm, expect=401)
    assert body["code"] == 40100
    assert {"uuid", "message", "timestamp"} <= set(body)
    body = await call(
        client, "/user/vehicles", {**auth, "Authorization": "Bearer nope"}, expect=401
    )
    assert body["code"] == 40100
    async with client.get(
        f"{API}/user/vehicles", params={"client_id": "other"}, headers=auth
    ) as response:
        assert response.status == 401
        assert (await response.json())["moreInformation"] == "Not registered to plan"


async def test_oauth_per_brand(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Each brand's IdP signs in its own accounts; tokens work only with their realm."""
    async with client.get(
        "/idp/opel/am/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": "app",
            "redirect_uri": "mymopsdk://oauth2redirect/de",
            "scope": "openid profile",
            "state": "s1",
        },
    ) as response:
        assert response.status == 200
        page = await response.text()
    assert "mymopsdk://oauth2redirect/de?code=" in page
    code = parse_qs(urlsplit(page.split('id="redirect">')[1].split("<")[0]).query)["code"][0]
    secret = base64.b64encode(b"app:secret").decode()
    async with client.post(
        "/idp/opel/am/oauth2/access_token",
        data={"grant_type": "authorization_code", "code": code},
        headers={"Authorization": f"Basic {secret}"},
    ) as response:
        tokens = await response.json()
    auth = {
        "Authorization": f"Bearer {tokens['access_token']}",
        "x-introspect-realm": REALMS["opel"],
    }
    async with client.get(
        f"{API}/user/vehicles", params={"client_id": "app"}, headers=auth
    ) as response:
        body = await response.json(content_type=None)
    assert body["total"] == 1
    assert body["_embedded"]["vehicles"][0]["brandCode"] == "OP"
    peugeot_realm = {**auth, "x-introspect-realm": REALMS["peugeot"]}
    async with client.get(
        f"{API}/user/vehicles", params={"client_id": "app"}, headers=peugeot_realm
    ) as response:
        assert response.status == 401


async def test_vehicle_collection_is_hal(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """The demo account: three cars, HAL links, opaque ids, rate-limit headers."""
    auth = headers(sim)
    async with client.get(
        f"{API}/user/vehicles", params={"client_id": "test"}, headers=auth
    ) as response:
        assert response.headers["Content-Type"] == "application/hal+json"
        assert response.headers["X-RateLimit-Limit-1"] == "100000"
        body = await response.json(content_type=None)
    assert (body["total"], body["totalPage"], body["currentPage"]) == (3, 1, 1)
    assert {"self", "first", "last"} <= set(body["_links"])
    assert "next" not in body["_links"]
    cars = {car["vin"]: car for car in body["_embedded"]["vehicles"]}
    e208 = cars["VR3UHZKXZLT123456"]
    assert e208["id"] == sim.stellantis.api_id("E208")
    assert len(e208["id"]) == 96
    assert e208["motorization"] == "Electric"
    assert "{cbid}" in e208["_links"]["remotes"]["href"]
    assert e208["_links"]["remotes"]["templated"] is True
    single = await call(client, f"/user/vehicles/{e208['id']}", auth)
    assert single["vin"] == e208["vin"]
    assert "createdAt" in single
    assert "updatedAt" in single


async def test_paging_by_range_size_and_token(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    """23 cars in pages of 10; next links carry opaque tokens; indexRange cuts first."""
    auth = headers(sim, user="fleet")
    first = await call(client, "/user/vehicles", auth, pageSize="10")
    assert (first["total"], first["totalPage"], first["currentPage"]) == (23, 3, 1)
    seen = [car["vin"] for car in first["_embedded"]["vehicles"]]
    page = first
    while "next" in page["_links"]:
        href = page["_links"]["next"]["href"]
        assert href.startswith(API)
        assert "pageToken=" in href
        page = await call(client, href.removeprefix(API), auth, **_query(href))
        seen += [car["vin"] for car in page["_embedded"]["vehicles"]]
    assert page["currentPage"] == 3
    assert "prev" in page["_links"]
    assert len(seen) == len(set(seen)) == 23
    cut = await call(client, "/user/vehicles", auth, indexRange="5-9", pageSize="3")
    assert (cut["total"], cut["totalPage"]) == (5, 2)
    assert [c["vin"] for c in cut["_embedded"]["vehicles"]] == seen[5:8]
    for bad in ({"indexRange": "x"}, {"pageSize": "61"}, {"pageSize": "0"}, {"pageToken": "!!"}):
        error = await call(client, "/user/vehicles", auth, expect=400, **bad)
        assert error["code"] == 40000


def _query(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


async def test_status_shapes(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """The e-208 (sent driving), the 3008 Hybrid and the petrol 308, with their quirks."""
    sim.world.vehicle("E208").set_phase("drive")
    sim.clock.advance(120)
    auth = headers(sim)
    e208 = await call(client, f"/user/vehicles/{sim.stellantis.api_id('E208')}/status", auth)
    assert e208["lastPosition"]["type"] == "Feature"
    lon, lat, _alt = e208["lastPosition"]["geometry"]["coordinates"]
    assert 51.0 < lat < 51.1
    assert 3.6 < lon < 3.8
    assert e208["kinetic"]["moving"] is True
    assert e208["ignition"]["type"] == "Start"
    assert e208["energies"][0]["type"] == "Electric"
    assert "energy" not in e208  # a plain car: the spec's spellings only
    assert "preconditioning" in e208
    assert "preconditionning" not in e208
    both = await call(  # FLEET03: the legacy duplicates as well, as the real API sends them
        client,
        f"/user/vehicles/{sim.stellantis.api_id('FLEET03')}/status",
        headers(sim, user="fleet"),
    )
    assert {"energy", "energies", "preconditioning", "preconditionning"} <= set(both)
    assert e208["energies"][0]["extension"]["electric"]["charging"]["status"] == "Disconnected"
    assert e208["doorsState"]["lockedStates"] == ["Unlocked"]
    health = e208["energies"][0]["extension"]["electric"]["battery"]["health"]
    assert health["capacity"] == health["resistance"] == 97  # the car's SoH
    assert set(e208) & {"xDiag", "sourceSystem", "_trace", "qualityIndex", "ecuRevision"}
    petrol = await call(client, f"/user/vehicles/{sim.stellantis.api_id('P308')}/status", auth)
    assert [e["type"] for e in petrol["energies"]] == ["Fuel"]
    assert "energy" not in petrol
    assert "preconditionning" not in petrol
    assert petrol["createdAt"][10] == "t"
    assert petrol["createdAt"].endswith("z")
    assert petrol["_links"]["self"]["href"].startswith(API)  # relative links
    hybrid = await call(client, f"/user/vehicles/{sim.stellantis.api_id('P3008')}/status", auth)
    assert "energies" not in hybrid
    assert {e["type"] for e in hybrid["energy"]} == {
        "Fuel",
        "Electric",
    }
    electric = next(e for e in hybrid["energy"] if e["type"] == "Electric")
    assert {k: v for k, v in electric["battery"]["health"].items() if k != "createdAt"} == {
        "resistance": 99
    }
    assert isinstance(hybrid["odometer"]["mileage"], str)  # numbers as text
    assert "+01:00" in hybrid["createdAt"]


async def test_hostile_fleet_gaps(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Fleet cars leave blocks out; one has no status at all, one no remotes or health."""
    auth = headers(sim, user="fleet")

    def status(index: int) -> str:
        return f"/user/vehicles/{sim.stellantis.api_id(f'FLEET{index:02d}')}/status"

    assert "lastPosition" not in await call(client, status(1), auth)
    assert "opening" not in (await call(client, status(2), auth))["doorsState"]
    missing = await call(client, status(5), auth, expect=404)
    assert missing["code"] == 40400
    seven = await call(client, status(7), auth)
    assert "doorsState" not in seven
    assert "battery" not in seven
    car = await call(client, f"/user/vehicles/{sim.stellantis.api_id('FLEET06')}", auth)
    assert "remotes" not in car["_links"]
    assert "alerts" not in car["_links"]
    old = await call(client, status(14), auth)
    assert "lockedState" in old["doorsState"]


async def test_foreign_car_is_403_and_unknown_path_404(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    """A car of another account is forbidden; an unknown route is the API's 404."""
    auth = headers(sim)
    await call(
        client, f"/user/vehicles/{sim.stellantis.api_id('FLEET01')}/status", auth, expect=403
    )
    await call(client, f"/user/vehicles/{hashlib.sha256(b'x').hexdigest()}", auth, expect=403)
    assert (await call(client, "/user/nothing", auth, expect=404))["code"] == 40400


async def test_alerts_trips_maintenance(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Collections page like the vehicles; maintenance is a single object."""
    auth = headers(sim)
    base = f"/user/vehicles/{sim.stellantis.api_id('E208')}"
    alerts = await call(client, f"{base}/alerts", auth, pageSize="2")
    assert alerts["totalPage"] == -(-alerts["total"] // 2)
    assert "next" in alerts["_links"]
    assert {"id", "active", "type", "startedAt"} <= set(alerts["_embedded"]["alerts"][0])
    trips = await call(client, f"{base}/trips", auth)
    assert trips["total"] == len(trips["_embedded"]["trips"]) >= 6
    maintenance = await call(client, f"{base}/maintenance", auth)
    assert {"daysBeforeMaintenance", "mileageBeforeMaintenance", "createdAt"} <= set(maintenance)
    position = await call(client, f"{base}/lastPosition", auth)
    assert position["geometry"]["type"] == "Point"


async def test_token_expiry_and_revocation(client: aiohttp.ClientSession, sim: Simulator) -> None:
    """Admin actions: expired access tokens and revoked grants are refused."""
    auth = headers(sim)
    await call(client, "/user/vehicles", auth)
    async with client.post("/admin/stellantis/expire-tokens", json={"brand": "peugeot"}) as r:
        assert r.status == 200
    await call(client, "/user/vehicles", auth, expect=401)
    auth = headers(sim)
    async with client.post("/admin/stellantis/revoke", json={"username": "demo"}) as r:
        assert r.status == 200
    await call(client, "/user/vehicles", auth, expect=401)


@pytest.mark.parametrize(
    ("style", "text"),
    [
        (0, "2026-11-21T08:00:00Z"),
        (1, "2026-11-21T09:00:00+01:00"),
        (2, "2026-11-21t08:00:00.000000z"),
        (3, "2026-11-21T08:00:00.000+0000"),
        (4, "2026-11-21T08:00:00.5Z"),
    ],
)
def test_time_styles(style: int, text: str) -> None:
    """Every car's time spelling is one the docs or RFC 3339 allow."""
    from tests.simulator.conftest import START  # noqa: PLC0415

    assert rfc3339(START, style) == text


async def test_low_fuel_raises_and_clears_an_alert(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    """FuelLevelLow is active from when the tank fell below 15 % until it is filled."""
    auth = headers(sim)
    base = f"/user/vehicles/{sim.stellantis.api_id('P308')}"
    car = sim.world.vehicle("P308")
    car.fuel_l = car.spec.fuel_tank_l * 0.151
    car.set_phase("drive")
    sim.clock.advance(600)
    sim.world.advance()

    async def newest() -> dict[str, object]:
        page = await call(client, f"{base}/alerts", auth)
        return page["_embedded"]["alerts"][0]

    first = await newest()
    assert (first["type"], first["active"]) == ("FuelLevelLow", True)
    sim.clock.advance(60)
    sim.world.advance()
    assert (await newest())["startedAt"] == first["startedAt"]  # raised once, not each poll
    car.fuel_l = car.spec.fuel_tank_l
    assert (await newest())["type"] != "FuelLevelLow"
