"""Stellantis in Home Assistant: the OAuth2 flows, setup, and commands with pushed results."""

from __future__ import annotations

import json
import logging

from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import (
    CONF_ALLOW_WAKE_UP,
    CONF_WAKE_UP_LIMIT,
)
from simulator import Simulator

from .states import record_states

LOCK = "lock.peugeot_e_208_lock"


async def setup_with_webhook(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Serve Home Assistant's HTTP on loopback and make it the webhook's address.

    The webhook view must exist before the test client freezes the router.
    """
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    await hass.config.async_update(internal_url=str(client.make_url("")).rstrip("/"))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_cars_and_entities(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Three cars; the same brand-neutral keys as the other back ends."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    names = {c.vehicle.name for c in peugeot_entry.runtime_data.coordinators.values()}
    assert names == {"Peugeot e-208", "Peugeot 3008 Hybrid", "Peugeot 308"}
    entities = er.async_entries_for_config_entry(entity_registry, peugeot_entry.entry_id)
    ids = {e.entity_id for e in entities}
    assert {"sensor.peugeot_e_208_battery_level", LOCK, "switch.peugeot_e_208_charging"} <= ids
    assert "sensor.peugeot_308_fuel_level" in ids
    assert "switch.peugeot_308_charging" not in ids  # a petrol car has nothing to charge
    assert not any(i.startswith("button.") and i.endswith("_wake_up") for i in ids)


async def test_battery_health_from_resistance(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The 3008 reports its SoH only as health.resistance; the e-208 as capacity too."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    hybrid = hass.states.get("sensor.peugeot_3008_hybrid_battery_health")
    assert hybrid is not None
    assert float(hybrid.state) == sim.world.vehicle("P3008").spec.soh
    e208 = hass.states.get("sensor.peugeot_e_208_battery_health")
    assert e208 is not None
    assert float(e208.state) == sim.world.vehicle("E208").spec.soh


async def test_a_refresh_is_one_round_trip(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Status, the latest trip, alerts and maintenance go out at once.

    The simulator holds each of them until all four have arrived (a client sending
    one after another would leave the first waiting alone, answered 504); each is
    asked once.
    """
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    car = sim.stellantis.api_id("E208")
    coordinator = peugeot_entry.runtime_data.coordinators[car]
    sim.faults.add(
        "GET", f"/connectedcar/v4/user/vehicles/{car}/*", kind="together", times=4, seconds=5
    )
    sim.requests.reset()
    await coordinator.async_refresh_groups(DataGroup)
    assert coordinator.last_update_success
    base = "GET /connectedcar/v4/user/vehicles/{id}"
    assert sim.requests.snapshot() == {
        f"{base}/status": 1,
        f"{base}/trips": 1,
        f"{base}/alerts": 1,
        f"{base}/maintenance": 1,
    }


async def test_lock_shows_locking_until_the_webhook_reports_success(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The result arrives at the entry's webhook: locking, then locked."""
    sim.world.vehicle("E208").locked = False
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    assert hass.states.get(LOCK).state == LockState.UNLOCKED
    seen, unsubscribe = record_states(hass, LOCK)
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    unsubscribe()
    assert seen[0] == "locking"
    assert hass.states.get(LOCK).state == LockState.LOCKED
    assert sim.world.vehicle("E208").locked
    callbacks = sim.stellantis.remotes.callbacks
    assert any("/api/webhook/" in str(c) for c in callbacks.values())


async def test_an_unreachable_webhook_falls_back_to_reading_the_status(
    hass: HomeAssistant, sim: Simulator, peugeot_entry: MockConfigEntry
) -> None:
    """Home Assistant's address is out of the cloud's reach: the status is read back."""
    sim.world.vehicle("E208").locked = False
    await hass.config.async_update(internal_url="http://127.0.0.1:9")
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert hass.states.get(LOCK).state == LockState.LOCKED


async def test_a_failed_command_raises_a_translated_error(
    hass: HomeAssistant,
    sim: Simulator,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An unreachable car: the webhook reports the failure, the service call says why."""
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    sim.stellantis.set_remote_mode("E208", "unreachable")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "command_unreachable"
    assert hass.states.get(LOCK).state == LockState.LOCKED


async def test_wake_ups_follow_the_options(
    hass: HomeAssistant, sim: Simulator, peugeot_entry: MockConfigEntry
) -> None:
    """Off by default (no button); when allowed, at most the daily limit."""
    hass.config_entries.async_update_entry(
        peugeot_entry, options={CONF_ALLOW_WAKE_UP: True, CONF_WAKE_UP_LIMIT: 1}
    )
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    button = "button.peugeot_e_208_wake_up"
    assert hass.states.get(button) is not None
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: button}, blocking=True)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: button}, blocking=True)
    assert err.value.translation_key == "wake_up_limit"


async def test_unload_removes_the_webhook(
    hass: HomeAssistant,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After unloading, the webhook no longer takes posts."""
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    client = await hass_client_no_auth()
    path = f"/api/webhook/{peugeot_entry.data['webhook_id']}"
    assert (await client.post(path, data="not json")).status == 400
    assert await hass.config_entries.async_unload(peugeot_entry.entry_id)
    assert (await client.post(path, data="not json")).status == 200  # nobody listens


async def test_hostile_webhook_bodies_are_refused_quietly(
    hass: HomeAssistant,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """17 MB, deep nesting, truncated JSON: refused, no traceback, the webhook id not logged."""
    await setup_with_webhook(hass, peugeot_entry, hass_client_no_auth)
    client = await hass_client_no_auth()
    webhook_id = peugeot_entry.data["webhook_id"]
    path = f"/api/webhook/{webhook_id}"
    caplog.clear()
    assert (await client.post(path, data=b"[" * (17 * 1024 * 1024))).status in (400, 413)
    assert (await client.post(path, data=b"[" * 60_000)).status == 400
    assert (await client.post(path, data=b'{"remoteEvent": {"remoteAc')).status == 400
    assert (await client.post(path, json=[])).status == 200  # an empty batch is harmless
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert ours  # the refusals are logged (at debug), without the webhook id
    assert not [m for m in ours if webhook_id in m]


async def test_diagnostics_hold_no_token_webhook_or_car_identity(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Tokens, the webhook id, the account, VINs and car ids are redacted."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, peugeot_entry)
    text = json.dumps(diagnostics, default=str)
    token = peugeot_entry.data["token"]
    secrets = [token["access_token"], token["refresh_token"], peugeot_entry.data["webhook_id"]]
    for coordinator in peugeot_entry.runtime_data.coordinators.values():
        secrets += [coordinator.vehicle.id, str(coordinator.vehicle.vin)]
    assert not [secret for secret in secrets if secret in text]
    assert len(diagnostics["vehicles"]) == 3
