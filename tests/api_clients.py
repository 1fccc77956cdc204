"""Clients on the simulator for the api-level tests, with tokens its identity servers issued."""

from __future__ import annotations

from typing import Any

import aiohttp

from custom_components.connected_vehicle.api.errors import AuthenticationError
from custom_components.connected_vehicle.api.stellantis import BRANDS, StellantisClient
from custom_components.connected_vehicle.api.volvo import VolvoClient
from simulator import Simulator

VOLVO_KEY = "demo-vcc-api-key"


class FixedTokens:
    """One access token; one the API refuses cannot be refreshed (as for a fresh sign-in)."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token

    async def refreshed_token(self, refused: str) -> str:
        raise AuthenticationError("no refresh here")


def volvo_client(
    session: aiohttp.ClientSession, sim: Simulator, url: str, **options: Any
) -> VolvoClient:
    """The demo Volvo account's client (a short timeout, unless ``options`` say otherwise)."""
    token = str(sim.volvo.oauth.issue("demo")["access_token"])
    settings = {"timeout": 2, **options}
    return VolvoClient(session, FixedTokens(token), VOLVO_KEY, base_url=url, **settings)


def peugeot_client(
    session: aiohttp.ClientSession, sim: Simulator, url: str, **options: Any
) -> StellantisClient:
    """The demo Peugeot account's client (a short timeout, unless ``options`` say otherwise)."""
    token = str(sim.stellantis.oauth["peugeot"].issue("demo")["access_token"])
    settings = {"timeout": 2, **options}
    return StellantisClient(
        session,
        FixedTokens(token),
        BRANDS["peugeot"],
        "test",
        base_url=f"{url}/connectedcar/v4",
        **settings,
    )
