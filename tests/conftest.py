"""Shared fixtures: the simulator on 127.0.0.1 and config entries pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from unittest.mock import PropertyMock, patch

from aiohttp.test_utils import TestServer
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import the integration before Home Assistant's loader puts its own testing
# config first on sys.path (see DESIGN.md, "Gotchas").
import custom_components.connected_vehicle  # noqa: F401
from custom_components.connected_vehicle.backends import account_unique_id
from custom_components.connected_vehicle.const import CONF_BACKEND, CONF_SERVER_URL, DOMAIN
from simulator import Simulator

SIM_START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
OVMS_USER = "demo"
OVMS_PASSWORD = "demo"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def sim() -> Simulator:
    """A fresh simulated world with a manual clock and no rate limit."""
    return Simulator(start=SIM_START, realtime=False, rate_limit=False)


@pytest.fixture
async def sim_url(sim: Simulator, socket_enabled: None) -> AsyncIterator[str]:
    """The simulator served over real HTTP on 127.0.0.1 (sockets stay limited to it)."""
    server = TestServer(sim.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def ovms_data(url: str, username: str = OVMS_USER, password: str = OVMS_PASSWORD) -> dict[str, str]:
    """Entry data for an OVMS account on the simulator."""
    return {
        CONF_BACKEND: "ovms",
        CONF_SERVER_URL: url,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
    }


@pytest.fixture
def ovms_entry(hass: HomeAssistant, sim_url: str) -> MockConfigEntry:
    """A config entry for the demo OVMS account, added to Home Assistant."""
    data = ovms_data(sim_url)
    entry = MockConfigEntry(
        domain=DOMAIN, title="OVMS demo", data=data, unique_id=account_unique_id(data)
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, ovms_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo OVMS entry, set up."""
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    return ovms_entry
