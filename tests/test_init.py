"""Setting up, polling, failing, recovering and unloading an entry."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle import async_remove_config_entry_device
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import DOMAIN
from custom_components.connected_vehicle.coordinator import LATE_START
from custom_components.connected_vehicle.registry import LISTINGS_BEFORE_REMOVAL
from simulator import Simulator

BATTERY = "sensor.leaf_battery_level"


async def test_setup_creates_a_device_per_car(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """One device per car of the account, with a coordinator each."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert set(loaded_entry.runtime_data.coordinators) == {"LEAF", "TWIZY", "KONA"}
    devices = dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
    assert sorted(d.name for d in devices) == ["KONA", "LEAF", "TWIZY"]
    leaf = next(d for d in devices if d.name == "LEAF")
    assert (leaf.manufacturer, leaf.model) == ("Nissan", "Leaf")
    assert hass.states.get(BATTERY) is not None


async def test_unload_logs_out(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Unloading ends the server session and leaves no entity state behind."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert sim.requests.count(method="DELETE", route="/api/cookie") == 1
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, ovms_entry: MockConfigEntry
) -> None:
    """Refused credentials at setup: setup error and a reauth flow, no retry loop."""
    hass.config_entries.async_update_entry(
        ovms_entry, data={**ovms_entry.data, CONF_PASSWORD: "wrong"}
    )
    await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    assert ovms_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


@pytest.mark.parametrize("kind", ["status", "html", "drop", "truncated"])
async def test_server_down_at_setup_retries(
    hass: HomeAssistant, ovms_entry: MockConfigEntry, sim: Simulator, kind: str
) -> None:
    """A failing server at start-up means 'retry later', not an error or a reauth."""
    sim.faults.add(method="GET", path="/api/vehicles", kind=kind, status=503)
    await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    assert ovms_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def refresh_leaf(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll every group of the LEAF now, as its schedule would."""
    await entry.runtime_data.coordinators["LEAF"].async_refresh_groups(set(DataGroup))
    await hass.async_block_till_done()


async def test_unavailable_then_recovered_logged_once_each(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sim: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable while the server fails and come back with it."""
    caplog.set_level(logging.INFO)
    sim.faults.add(method="*", path="/api/*", kind="status", status=502)
    for _ in range(3):
        await refresh_leaf(hass, loaded_entry)
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE
    sim.faults.clear()
    await refresh_leaf(hass, loaded_entry)
    assert hass.states.get(BATTERY).state != STATE_UNAVAILABLE
    leaf_logs = [r.getMessage() for r in caplog.records if "LEAF" in r.getMessage()]
    assert sum("Error fetching" in m for m in leaf_logs) == 1
    assert sum("recovered" in m for m in leaf_logs) == 1


async def test_expired_session_is_not_a_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The server's 300 s session expiry is handled by logging in again, silently."""
    sim.ovms.expire_sessions()
    await refresh_leaf(hass, loaded_entry)
    assert sim.requests.count(method="GET", route="/api/cookie") == 2
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert hass.states.get(BATTERY).state != STATE_UNAVAILABLE


async def test_parked_cars_poll_rarely(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The offline, locked KONA is parked: polled every 10 minutes, its first turn spread.

    Cars on one OVMS server share its request budget, so the account's cars are
    spread over the interval: the third of three first falls due after a third.
    """
    kona = loaded_entry.runtime_data.coordinators["KONA"]
    assert next_refresh_after(kona.update_interval, timedelta(minutes=10) / 3)
    now = dt_util.utcnow()
    assert kona.poller.active_groups(now, kona.data) == frozenset()
    assert kona.poller.due(now + timedelta(minutes=3), kona.data) == set()
    rarely = {DataGroup.LOCATION, DataGroup.TYRES}  # hourly and two-hourly when parked
    assert kona.poller.due(now + timedelta(minutes=10) / 3, kona.data) == (
        set(kona.vehicle.capabilities) - rarely
    )
    leaf = loaded_entry.runtime_data.coordinators["LEAF"]
    assert next_refresh_after(leaf.update_interval, timedelta(minutes=10))


def next_refresh_after(interval: timedelta | None, delay: timedelta) -> bool:
    """Whether Home Assistant's interval starts the next refresh ``delay`` after this one began.

    It counts from the refresh's end (which real time makes up to a second later), and
    the coordinator asks for the next refresh LATE_START sooner.
    """
    assert interval is not None
    return timedelta(0) <= delay - LATE_START - interval < timedelta(seconds=1)


async def test_only_cars_gone_from_the_account_can_be_deleted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A current car's device is kept; a device of a car no longer listed may go."""
    leaf = next(
        d
        for d in dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
        if d.name == "LEAF"
    )
    assert not await async_remove_config_entry_device(hass, loaded_entry, leaf)
    gone = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "sold-car")}
    )
    assert await async_remove_config_entry_device(hass, loaded_entry, gone)


async def test_a_car_gone_from_the_account_leaves_after_several_listings(
    hass: HomeAssistant, ovms_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A device of a car the account stopped listing goes only after a few listings."""
    gone = device_registry.async_get_or_create(
        config_entry_id=ovms_entry.entry_id, identifiers={(DOMAIN, "sold-car")}
    )
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(LISTINGS_BEFORE_REMOVAL - 1):
        assert device_registry.async_get(gone.id) is not None
        assert await hass.config_entries.async_reload(ovms_entry.entry_id)
        await hass.async_block_till_done()
    assert device_registry.async_get(gone.id) is None
    assert len(dr.async_entries_for_config_entry(device_registry, ovms_entry.entry_id)) == 3


async def test_an_empty_car_list_keeps_the_cars(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sim: Simulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """An account that suddenly lists no cars is a passing fault: nothing is removed."""
    entities = len(er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id))
    account = sim.world.account("ovms", "demo")
    assert account is not None
    index = sim.world.accounts.index(account)
    sim.world.accounts[index] = replace(account, vehicle_ids=())
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.SETUP_RETRY
    assert len(dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)) == 3
    after = len(er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id))
    assert after == entities

    sim.world.accounts[index] = account
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BATTERY).state != STATE_UNAVAILABLE


async def test_no_poll_outlives_a_failed_set_up(
    hass: HomeAssistant,
    sim: Simulator,
    ovms_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One car's first refresh fails while another's is still under way: set-up waits for it.

    Set-up then fails (and retries later), and closes its HTTP session on the way
    out: a refresh still running would send on that closed session.
    """
    sim.faults.add(path="/api/status/LEAF", kind="status", status=500)
    # The KONA's session "expired": it logs in again (slowly), then asks again.
    sim.faults.add(path="/api/status/KONA", kind="status", status=401, times=1)
    sim.faults.add(path="/api/cookie", kind="latency", seconds=0.3)
    assert not await hass.config_entries.async_setup(ovms_entry.entry_id)
    assert ovms_entry.state is ConfigEntryState.SETUP_RETRY
    await asyncio.sleep(0.5)  # a refresh left running would now meet the closed session
    await hass.async_block_till_done()
    assert "Session is closed" not in caplog.text
    assert sim.requests.by_path()["GET /api/status/KONA"] == 2
