"""TokenProviders for the clients' tests: tokens the simulator's identity servers issued."""

from __future__ import annotations

from custom_components.connected_vehicle.api.errors import AuthenticationError
from simulator import Simulator


class FixedTokens:
    """One access token; one the API refuses cannot be refreshed (as for a fresh sign-in)."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token

    async def refreshed_token(self, refused: str) -> str:
        raise AuthenticationError("no refresh here")


def volvo_tokens(sim: Simulator, username: str = "demo") -> FixedTokens:
    return FixedTokens(str(sim.volvo.oauth.issue(username)["access_token"]))


def peugeot_tokens(sim: Simulator, username: str = "demo") -> FixedTokens:
    return FixedTokens(str(sim.stellantis.oauth["peugeot"].issue(username)["access_token"]))
