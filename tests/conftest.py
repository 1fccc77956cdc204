"""Shared fixtures: the simulator on 127.0.0.1 and config entries pointing at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
import tempfile
import time
from typing import Any
from unittest.mock import PropertyMock, patch

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import the integration before Home Assistant's loader puts its own testing
# config first on sys.path (see DESIGN.md, "Gotchas").
import custom_components.connected_vehicle  # noqa: F401
from custom_components.connected_vehicle.const import (
    CONF_ACCOUNT,
    CONF_APP_PORT,
    CONF_BACKEND,
    CONF_BRAND,
    CONF_SERVER_URL,
    DOMAIN,
)
from simulator import Simulator
from simulator.ovms.app_server import AppServer

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
async def sim_server(sim: Simulator, socket_enabled: None) -> AsyncIterator[TestServer]:
    """The simulator served over real HTTP on 127.0.0.1 (sockets stay limited to it)."""
    server = TestServer(sim.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def sim_url(sim_server: TestServer) -> str:
    """The simulator's address."""
    return str(sim_server.make_url("")).rstrip("/")


@pytest.fixture
async def sim_other_url(sim_server: TestServer) -> str:
    """The same simulator at a second address (another port): a server that moved."""
    assert sim_server.runner is not None
    site = web.TCPSite(sim_server.runner, "127.0.0.1", 0)
    await site.start()
    return site.name.rstrip("/")


@pytest.fixture
async def ovms_app_server(sim: Simulator, socket_enabled: None) -> AsyncIterator[AppServer]:
    """The simulator's OVMS protocol v2 app port, TCP and TLS on 127.0.0.1 (free ports)."""
    server = sim.ovms.app_server
    server.tick = 0.02
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def ovms_data(
    url: str, username: str = OVMS_USER, password: str = OVMS_PASSWORD, *, app_port: int = 0
) -> dict[str, Any]:
    """Entry data for an OVMS account on the simulator; live updates off unless ``app_port``."""
    return {
        CONF_BACKEND: "ovms",
        CONF_SERVER_URL: url,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
        CONF_VERIFY_SSL: True,
        CONF_APP_PORT: app_port,
    }


@pytest.fixture
def ovms_entry(hass: HomeAssistant, sim_url: str) -> MockConfigEntry:
    """A config entry for the demo OVMS account, added to Home Assistant."""
    data = ovms_data(sim_url)
    entry = MockConfigEntry(
        domain=DOMAIN, title="OVMS demo", data=data, unique_id=f"ovms:{OVMS_USER}@{sim_url}"
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, ovms_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo OVMS entry, set up."""
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    return ovms_entry


@pytest.fixture
def live_ovms_entry(
    hass: HomeAssistant, sim_url: str, ovms_app_server: AppServer
) -> MockConfigEntry:
    """The demo OVMS entry with live updates over the simulator's app port (plain TCP)."""
    assert ovms_app_server.port is not None
    data = ovms_data(sim_url, app_port=ovms_app_server.port)
    entry = MockConfigEntry(
        domain=DOMAIN, title="OVMS demo", data=data, unique_id=f"ovms:{OVMS_USER}@{sim_url}"
    )
    entry.add_to_hass(hass)
    return entry


# --- Volvo -----------------------------------------------------------------------------

VOLVO_API_KEY = "demo-vcc-api-key"
CREDENTIAL_ID = "test_app"
XC40 = "YV1XZEDV0P2123456"
XC60 = "YV1UZBHV1M1234567"
V90 = "YV1PWA8BDL1234567"
XC90 = "YV1LFA2BCJ1234567"


@pytest.fixture
async def credentials(hass: HomeAssistant) -> None:
    """Application credentials (any client id: the simulator accepts all)."""
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential("test-client", "test-secret", name="Test app"), CREDENTIAL_ID
    )


def oauth_token(issued: Mapping[str, Any]) -> dict[str, Any]:
    """A token as Home Assistant stores it (with an absolute expiry)."""
    return {**issued, "expires_at": time.time() + float(issued["expires_in"])}


def volvo_data(sim: Simulator, url: str, api_key: str = VOLVO_API_KEY) -> dict[str, Any]:
    """Entry data for the demo Volvo account on the simulator."""
    return {
        CONF_BACKEND: "volvo",
        CONF_SERVER_URL: url,
        CONF_API_KEY: api_key,
        CONF_ACCOUNT: "volvo-demo",
        "auth_implementation": CREDENTIAL_ID,
        "token": oauth_token(sim.volvo.oauth.issue("demo")),
    }


@pytest.fixture
def volvo_entry(
    hass: HomeAssistant, sim: Simulator, sim_url: str, credentials: None
) -> MockConfigEntry:
    """A config entry for the demo Volvo account, added to Home Assistant."""
    sim.volvo.command_delay = 0
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Volvo (4 cars)",
        data=volvo_data(sim, sim_url),
        unique_id=f"volvo:volvo-demo@{sim_url}",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_volvo(hass: HomeAssistant, volvo_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo Volvo entry, set up."""
    assert await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    return volvo_entry


# --- Stellantis ------------------------------------------------------------------------

CLIENT_ID = "test-client"


def stellantis_data(sim: Simulator, url: str, brand: str = "peugeot") -> dict[str, Any]:
    """Entry data for the brand's demo account on the simulator."""
    issued = sim.stellantis.oauth[brand].issue("demo", client_id=CLIENT_ID)
    return {
        CONF_BACKEND: "stellantis",
        CONF_BRAND: brand,
        CONF_SERVER_URL: url,
        CONF_ACCOUNT: f"{brand}-demo",
        CONF_WEBHOOK_ID: "0123456789abcdef",
        "auth_implementation": CREDENTIAL_ID,
        "token": oauth_token(issued),
    }


@pytest.fixture
async def peugeot_entry(
    hass: HomeAssistant, sim: Simulator, sim_url: str, credentials: None
) -> MockConfigEntry:
    """A config entry for the demo Peugeot account (three cars), added to Home Assistant.

    Home Assistant's address is one the simulated cloud cannot reach (as a LAN
    address is for the real one) unless a test serves it.
    """
    await hass.config.async_update(internal_url="http://127.0.0.1:9")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Peugeot (3 cars)",
        data=stellantis_data(sim, sim_url),
        unique_id=f"peugeot:peugeot-demo@{sim_url}",
    )
    entry.add_to_hass(hass)
    return entry


# --- One demo entry per back end (platform tests) ---------------------------------------

DEMO_ENTRIES = {"ovms": "live_ovms_entry", "volvo": "volvo_entry", "stellantis": "peugeot_entry"}


@pytest.fixture
def demo_entry(request: pytest.FixtureRequest, backend: str) -> MockConfigEntry:
    """The demo entry of the test's ``backend`` (parametrize ``backend``), added, not loaded."""
    entry: MockConfigEntry = request.getfixturevalue(DEMO_ENTRIES[backend])
    return entry


# --- TLS ------------------------------------------------------------------------------


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture
async def refused_handshakes_expected() -> AsyncIterator[None]:
    """The server side of a handshake our client refuses ends in a reset: not an error here."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(the_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), ConnectionResetError):
            return
        if previous is not None:
            previous(the_loop, context)
        else:
            the_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    yield
    loop.set_exception_handler(previous)
