"""The simulator draws its cars' pictures and serves them from its own origin."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import aiohttp
from yarl import URL

from simulator import Simulator
from simulator.pictures import BODIES, COLOURS, MODELS, body_of, draw, picture_url, slug
from simulator.stellantis.fleet import PROFILES as STELLANTIS_PROFILES
from simulator.volvo.fleet import PROFILES as VOLVO_PROFILES

from . import test_stellantis_api as stellantis
from .test_volvo_api import CV, XC40, XC90, call, headers

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(body: str) -> ET.Element:
    """The picture as XML (a malformed drawing fails here)."""
    root = ET.fromstring(body)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    return root


async def fetch(client: aiohttp.ClientSession, url: str) -> aiohttp.ClientResponse:
    async with client.get(url) as response:
        await response.read()
        return response


def test_every_body_and_colour_draws_a_car() -> None:
    """Each kind of car in each colour is a well-formed SVG with a body, windows and two wheels."""
    drawings = set()
    for body in BODIES.values():
        for paint in COLOURS.values():
            svg = draw(body, paint)
            root = parse_svg(svg)
            assert len(root.findall(f"{SVG}path")) >= 8  # body, windows, seams, lights, ...
            assert len(root.findall(f"{SVG}circle")) >= 8  # two wheels of four circles
            assert paint in svg
            drawings.add(svg)
    assert len(drawings) == len(BODIES) * len(COLOURS)


def test_every_simulated_colour_is_one_the_simulator_paints() -> None:
    """A car whose colour has no paint would show a broken picture."""
    colours = [p.colour for p in VOLVO_PROFILES.values() if p.pictured]
    colours += [p.colour for p in STELLANTIS_PROFILES.values()]
    assert len(colours) > 20
    colours += [usual for _kind, usual in MODELS.values()]
    assert {slug(c) for c in colours if c} <= set(COLOURS)


def test_models_map_to_their_kind_of_car() -> None:
    assert body_of("XC90") == BODIES["large_suv"]
    assert body_of("3008 Hybrid") == BODIES["suv"]  # by its first word
    assert body_of("Twizy") == BODIES["microcar"]
    assert body_of("Some Future Model") == BODIES["hatchback"]
    assert slug("Sage Green") == "sage-green"
    assert picture_url("http://127.0.0.1:1/", "e-208", "Vertigo Blue") == (
        "http://127.0.0.1:1/pictures/e-208.svg?colour=vertigo-blue"
    )


async def test_pictures_are_served_as_svg(client: aiohttp.ClientSession, sim: Simulator) -> None:
    response = await fetch(client, "/pictures/xc40.svg?colour=sage-green")
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    async with client.get("/pictures/xc40.svg?colour=sage-green") as again:
        parse_svg(await again.text())
    assert (await fetch(client, "/pictures/xc40.svg")).status == 200  # the default colour
    assert (await fetch(client, "/pictures/xc40.svg?colour=tartan")).status == 404
    assert sim.requests.total() == 0  # pictures are no API calls: not counted


async def test_volvo_details_point_at_the_simulators_own_picture(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    _, body, _ = await call(client, "GET", f"{CV}/{XC40}", headers(sim))
    exterior = URL(body["data"]["images"]["exteriorImageUrl"])
    assert exterior.origin() == client._base_url.origin()
    assert exterior.query["colour"] == "sage-green"  # the car's colour, "Sage Green"
    assert (await fetch(client, exterior.path_qs)).status == 200
    _, body, _ = await call(client, "GET", f"{CV}/{XC90}", headers(sim))
    assert body["data"]["images"]["exteriorImageUrl"] == ""  # as the real API sends for some


async def test_stellantis_vehicles_point_at_the_simulators_own_pictures(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    """Legacy ``pictures`` and ``extension.pictures`` alike: the simulator's own, in each colour."""
    body = await stellantis.call(client, "/user/vehicles", stellantis.headers(sim))
    items: list[dict[str, Any]] = body["_embedded"]["vehicles"]
    pictures = [
        url
        for item in items
        for url in item.get("pictures", [])
        + item.get("extension", {}).get("pictures", {}).get("pictures", [])
    ]
    assert len({URL(url).query["colour"] for url in pictures}) == len(items) == 3
    for url in pictures:
        picture = URL(url)
        assert picture.origin() == client._base_url.origin()
        assert (await fetch(client, picture.path_qs)).status == 200
