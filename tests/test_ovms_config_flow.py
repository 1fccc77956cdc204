"""The config flow through Home Assistant's real flow manager, against the simulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.const import (
    CONF_ACTIVE_INTERVAL,
    CONF_PARKED_INTERVAL,
    CONF_SERVER_URL,
    DOMAIN,
)
from custom_components.connected_vehicle.providers import PROVIDERS, FormStep
from custom_components.connected_vehicle.providers.base import (
    normalized_server_url,
    url_problem,
)
from simulator import Simulator

from .conftest import ovms_data
from .tls import LOOPBACK, self_signed, serve


async def start_ovms_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "ovms" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ovms"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ovms"
    return result["flow_id"]


def form(
    url: str, password: str = "demo", username: str = "demo", *, app_port: int = 0
) -> dict[str, Any]:
    """The account form's answer; live updates off unless ``app_port``."""
    return {
        CONF_SERVER_URL: url,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
        "advanced": {"app_port": app_port, "verify_ssl": True},
    }


async def test_user_flow_creates_entry(hass: HomeAssistant, sim_url: str) -> None:
    """Signing in lists the cars and creates one entry for the account."""
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form(sim_url + "/"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "OVMS demo"
    assert result["data"] == ovms_data(sim_url)
    assert result["result"].unique_id == f"ovms:demo@{sim_url}"
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("fault", "password", "error"),
    [
        (None, "wrong", "invalid_auth"),
        ({"kind": "status", "status": 503}, "demo", "cannot_connect"),
        ({"kind": "drop"}, "demo", "cannot_connect"),
        ({"kind": "malformed"}, "demo", "unknown"),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    sim: Simulator,
    sim_url: str,
    fault: dict[str, Any] | None,
    password: str,
    error: str,
) -> None:
    """Each failure shows its translated error, and a corrected try succeeds."""
    if fault:
        sim.faults.add(method="GET", path="/api/vehicles", **fault)
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form(sim_url, password))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    sim.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, form(sim_url))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.usefixtures("socket_enabled")
async def test_unreachable_server(hass: HomeAssistant) -> None:
    """Nothing listening on the port: cannot_connect."""
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form("http://127.0.0.1:9"))
    assert result["errors"] == {"base": "cannot_connect"}


async def test_account_without_cars(hass: HomeAssistant, sim_url: str) -> None:
    """An account with no vehicles cannot be added."""
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form(sim_url, username="empty", password="empty")
    )
    assert result["errors"] == {"base": "no_vehicles"}


async def test_same_account_twice_is_refused(
    hass: HomeAssistant, ovms_entry: MockConfigEntry, sim_url: str
) -> None:
    """The same username on the same server aborts, however the URL is written."""
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form(f" {sim_url}/api "))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A wrong password is refused; the right one updates the entry and reloads it."""
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_password"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "demo"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_PASSWORD] == "demo"


async def test_reconfigure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim_url: str
) -> None:
    """The server URL can be changed for the same account; another account is refused."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_server"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(sim_url, username="demo2", password="demo2")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"

    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(sim_url, password="wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(sim_url + "/", password="demo")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data[CONF_SERVER_URL] == sim_url
    await hass.async_block_till_done()


async def test_reconfigure_moves_the_account_to_another_server_address(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sim_url: str,
    sim_other_url: str,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The same account at another address: the unique id follows, entities and devices stay."""
    before = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    }
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(sim_other_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.data[CONF_SERVER_URL] == sim_other_url
    assert loaded_entry.unique_id == f"ovms:demo@{sim_other_url}"
    assert loaded_entry.state is ConfigEntryState.LOADED
    after = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    }
    assert after == {key: uid.replace(sim_url, sim_other_url) for key, uid in before.items()}
    devices = dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
    assert {i for d in devices for _domain, i in d.identifiers} == {
        f"ovms:demo@{sim_other_url}:{car}" for car in ("LEAF", "TWIZY", "KONA")
    }
    assert hass.states.get("sensor.leaf_battery_level").state not in ("unavailable", "unknown")


async def test_reconfigure_refuses_a_server_listing_other_cars(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator, sim_other_url: str
) -> None:
    """The same username on a server that lists other cars is another account."""
    account = sim.world.account("ovms", "demo")
    assert account is not None
    sim.world.accounts[sim.world.accounts.index(account)] = replace(account, vehicle_ids=("LEAF",))
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(sim_other_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert loaded_entry.data[CONF_SERVER_URL] != sim_other_url


async def test_options(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The polling intervals are stored as whole seconds."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ACTIVE_INTERVAL: 90.0, CONF_PARKED_INTERVAL: 1200.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {CONF_ACTIVE_INTERVAL: 90, CONF_PARKED_INTERVAL: 1200}
    coordinator = next(iter(loaded_entry.runtime_data.coordinators.values()))
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() <= 1200


def test_an_address_without_a_scheme_means_https() -> None:
    """``ovms.example.net:6869`` is the https server there."""
    assert normalized_server_url(" OVMS.example.net:6869/ ") == "https://ovms.example.net:6869"
    assert url_problem("http://") == "invalid_url"
    assert url_problem("ftp://ovms.example.net") == "invalid_url"
    assert url_problem("ovms.example.net:6869") is None


async def test_a_plain_http_server_elsewhere_is_warned_of_until_confirmed(
    hass: HomeAssistant,
) -> None:
    """The password would cross the network in clear: a warning first, on that field."""
    flow_id = await start_ovms_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form("http://ovms.example.net:6868")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"server_url": "plain_http"}
    result = await hass.config_entries.flow.async_configure(flow_id, form("http://"))
    assert result["errors"] == {"server_url": "invalid_url"}


def test_only_a_second_submit_confirms_plain_http() -> None:
    """Submitting the same http:// address again goes on; loopback needs no warning."""
    check = PROVIDERS["ovms"].setup_path[0]
    assert isinstance(check, FormStep)
    assert check.check is not None
    answer = form("http://ovms.example.net:6868")
    assert check.check(answer, None) == {"server_url": "plain_http"}
    assert check.check(answer, answer) == {}
    assert check.check(form("http://127.0.0.1:6868"), None) == {}


@pytest.mark.usefixtures("refused_handshakes_expected")
async def test_a_self_signed_server_is_said_untrusted_until_checks_are_off(
    hass: HomeAssistant, sim: Simulator, folder: Path, socket_enabled: None
) -> None:
    """A home server's own certificate: "not trusted", then accepted with checks off."""
    server = await serve(sim, self_signed(folder, LOOPBACK))
    try:
        url = str(server.make_url("")).rstrip("/")
        flow_id = await start_ovms_flow(hass)
        result = await hass.config_entries.flow.async_configure(flow_id, form(url))
        assert result["errors"] == {"base": "certificate_not_trusted"}
        answer = form(url)
        answer["advanced"]["verify_ssl"] = False
        result = await hass.config_entries.flow.async_configure(flow_id, answer)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"]["verify_ssl"] is False
        await hass.async_block_till_done()
        assert hass.states.get("sensor.leaf_battery_level") is not None
        assert await hass.config_entries.async_unload(result["result"].entry_id)
    finally:
        await server.close()
