"""Home Assistant's core ``volvo`` integration (volvocarsapi) pointed at the simulator.

Core Volvo has one config entry per car. The library builds every URL from the
module constant ``volvocarsapi.api._API_URL`` at call time, and core's OAuth
implementation takes its token URL from ``volvocarsapi.auth.TOKEN_URL``, imported
into ``homeassistant.components.volvo.application_credentials`` when its
implementation is made: both are patched to the simulator, which serves the v2
Connected Vehicle, Energy and Location APIs and Volvo ID's token endpoint.

Each car's entry has an API key of its own (as a user may make one application per
car): with one key for the four, core's fixed tiers spend the gateway's daily quota
of 10,000 calls about 14.7 simulated hours in, and every coordinator then fails with
403, starts reauth and stops polling.
"""

from __future__ import annotations

from collections.abc import Iterator

from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator
from simulator.volvo.backend import TOKEN_PATH
from simulator.volvo.fleet import PROFILES
from tests.conftest import oauth_token

CORE = "volvo"
CREDENTIAL = "core_volvo_app"


@pytest.fixture
def core_volvo_urls(sim_url: str) -> Iterator[None]:
    """Point the library and core's OAuth implementation at the simulator."""
    from homeassistant.components.volvo import application_credentials  # noqa: PLC0415
    import volvocarsapi.api  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(volvocarsapi.api, "_API_URL", sim_url)
        patch.setattr(application_credentials, "TOKEN_URL", f"{sim_url}{TOKEN_PATH}")
        yield


@pytest.fixture
async def core_volvo_entries(
    hass: HomeAssistant, sim: Simulator, core_volvo_urls: None
) -> list[MockConfigEntry]:
    """One core Volvo entry per demo car (as core's config flow makes them), added, not loaded."""
    sim.volvo.command_delay = 0
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, CORE, ClientCredential("test-client", "test-secret", name="Core app"), CREDENTIAL
    )
    entries = []
    for number, vin in enumerate(PROFILES):
        # A key of its own per car: four cars of core's on one key spend more than the
        # gateway's 10,000 calls a day (403 from about 14 h on, then reauth, no polling).
        key = f"core-volvo-key-{number}"
        sim.volvo.keys.add(key)
        entry = MockConfigEntry(
            domain=CORE,
            title=f"Volvo {vin}",
            unique_id=vin,
            data={
                "auth_implementation": CREDENTIAL,
                "token": oauth_token(sim.volvo.oauth.issue("demo")),
                "api_key": key,
                "vin": vin,
            },
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    return entries
