"""OVMS in Home Assistant with the live link: news at once, commands, fallback to polling.

The demo OVMS account runs against the simulator's REST API and its protocol
v2 app port (plain TCP on loopback, as for an http server): every car message
reaches its entity without a REST poll, and the cars' controls run over the link.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging

from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import CONF_UNLOCK_PIN, DOMAIN
from custom_components.connected_vehicle.polling import SAFETY_NET
from simulator import Simulator
from simulator.ovms.app_server import AppServer

from .states import record_states

LEAF_LINK = "binary_sensor.leaf_live_link"
LEAF_DOOR = "binary_sensor.leaf_front_left_door"
LEAF_LOCK = "lock.leaf_lock"
PIN = "1234"  # the simulated modules' PIN


async def until(predicate: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait for ``predicate`` to hold (the test fails when it never does)."""
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - Home Assistant's states are plain state
            await asyncio.sleep(0.02)


def state(hass: HomeAssistant, entity_id: str) -> str:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


async def load(hass: HomeAssistant, entry: MockConfigEntry, pin: str | None = PIN) -> None:
    """Set the entry up (with the module's PIN in the options) and wait for the links."""
    if pin is not None:
        hass.config_entries.async_update_entry(entry, options={CONF_UNLOCK_PIN: pin})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await until(lambda: (s := hass.states.get(LEAF_LINK)) is not None and s.state == STATE_ON)


async def test_news_reach_the_entity_without_a_rest_poll(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """A door opened in the car shows at once; REST is only a slow safety net then."""
    await load(hass, live_ovms_entry)
    coordinator = live_ovms_entry.runtime_data.coordinators["LEAF"]
    assert coordinator.update_interval is not None
    assert coordinator.update_interval > SAFETY_NET / 2
    sim.requests.reset()
    sim.world.vehicle("LEAF").doors["fl"] = True
    await until(lambda: state(hass, LEAF_DOOR) == STATE_ON)
    assert sim.requests.total() == 0


async def test_locking_the_leaf_runs_over_the_link(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Unlock (with the PIN), then lock: the car follows and the lock shows it."""
    await load(hass, live_ovms_entry)
    assert state(hass, LEAF_LOCK) == LockState.LOCKED
    assert hass.states.get("binary_sensor.leaf_lock") is None  # the lock entity shows it
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "lock", "unlock", {ATTR_ENTITY_ID: LEAF_LOCK, "code": "9999"}, blocking=True
        )
    assert err.value.translation_key == "wrong_pin"
    await hass.services.async_call(
        "lock", "unlock", {ATTR_ENTITY_ID: LEAF_LOCK, "code": PIN}, blocking=True
    )
    assert sim.world.vehicle("LEAF").locked is False
    await until(lambda: state(hass, LEAF_LOCK) == LockState.UNLOCKED)
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LEAF_LOCK}, blocking=True)
    assert sim.world.vehicle("LEAF").locked is True
    await until(lambda: state(hass, LEAF_LOCK) == LockState.LOCKED)


async def test_a_lock_that_did_not_latch_shows_unlocked_again(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The module answers the lock command, the latch is stuck: locked, then unlocked again.

    The module's answer shows at once; the car's news and the fetch after it win.
    """
    leaf = sim.world.vehicle("LEAF")
    leaf.locked, leaf.lock_stuck = False, True
    await load(hass, live_ovms_entry)
    await until(lambda: state(hass, LEAF_LOCK) == LockState.UNLOCKED)
    seen, stop = record_states(hass, LEAF_LOCK)
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LEAF_LOCK}, blocking=True)
    stop()
    assert seen == [LockState.LOCKING, LockState.LOCKED, LockState.UNLOCKED]
    assert leaf.locked is False


@pytest.mark.parametrize(
    ("pin", "key"), [(None, "command_pin_required"), ("0000", "command_rejected")]
)
async def test_refused_commands_raise_translated_errors(
    hass: HomeAssistant,
    live_ovms_entry: MockConfigEntry,
    sim: Simulator,
    pin: str | None,
    key: str,
) -> None:
    """No PIN in the options, or one the module refuses (reply code 1): the car stays locked."""
    await load(hass, live_ovms_entry, pin=pin)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "lock", "unlock", {ATTR_ENTITY_ID: LEAF_LOCK, "code": pin or ""}, blocking=True
        )
    assert err.value.translation_key == key
    assert sim.world.vehicle("LEAF").locked is True


async def test_twizy_charge_mode_current_and_valet(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The Twizy's type takes charge mode (standard or storage), charge current and valet mode."""
    await load(hass, live_ovms_entry)
    twizy = sim.world.vehicle("TWIZY")
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: "select.twizy_charge_mode", "option": "storage"},
        blocking=True,
    )
    assert twizy.charge_mode == "storage"
    await until(lambda: state(hass, "select.twizy_charge_mode") == "storage")
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.twizy_charge_current_limit", "value": 10},
        blocking=True,
    )
    assert twizy.charge_current_limit == 10
    await until(lambda: state(hass, "number.twizy_charge_current_limit") == "10.0")
    await hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.twizy_valet_mode"}, blocking=True
    )
    assert twizy.valet is True
    await until(lambda: state(hass, "switch.twizy_valet_mode") == STATE_ON)
    assert hass.states.get("binary_sensor.twizy_valet_mode") is None


async def test_leaf_buttons_and_refresh_wait_for_fresh_data(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Homelink and wake-up run; Refresh asks the car and waits for its new status."""
    await load(hass, live_ovms_entry)
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.leaf_homelink"}, blocking=True
    )
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.leaf_wake_up"}, blocking=True
    )
    assert sim.world.vehicle("LEAF").woken_until is not None
    sim.clock.advance(120)
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.leaf_refresh"}, blocking=True
    )
    coordinator = live_ovms_entry.runtime_data.coordinators["LEAF"]
    assert coordinator.data.value("last_update") == sim.clock.now().replace(microsecond=0)
    assert hass.states.get("button.kona_homelink") is None  # its type takes no command


async def test_a_dropped_link_falls_back_to_polling_and_comes_back(
    hass: HomeAssistant,
    live_ovms_entry: MockConfigEntry,
    ovms_app_server: AppServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hung up: the link sensor goes off and polling resumes; it reconnects, logging once each."""
    await load(hass, live_ovms_entry)
    coordinator = live_ovms_entry.runtime_data.coordinators["LEAF"]
    caplog.clear()
    caplog.set_level(logging.INFO)
    assert ovms_app_server.drop("LEAF") == 1
    await until(lambda: state(hass, LEAF_LINK) == STATE_OFF)
    assert coordinator.update_interval is not None
    assert coordinator.update_interval <= timedelta(minutes=10)
    await until(lambda: state(hass, LEAF_LINK) == STATE_ON)
    messages = [r.getMessage() for r in caplog.records if "LEAF" in r.getMessage()]
    assert sum("is down" in m for m in messages) == 1
    assert sum("is up again" in m for m in messages) == 1


async def test_news_after_a_failed_poll_end_the_outage_with_one_info(
    hass: HomeAssistant,
    live_ovms_entry: MockConfigEntry,
    sim: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """REST fails while the link still carries news: one warning, then one recovery info."""
    await load(hass, live_ovms_entry)
    coordinator = live_ovms_entry.runtime_data.coordinators["LEAF"]
    caplog.clear()
    caplog.set_level(logging.INFO)
    sim.faults.add(path="/api/*", status=503)
    await coordinator.async_refresh_groups(frozenset(DataGroup))
    assert not coordinator.last_update_success
    sim.world.vehicle("LEAF").doors["fl"] = True
    await until(lambda: state(hass, LEAF_DOOR) == STATE_ON)
    assert coordinator.last_update_success
    leaf = [
        r
        for r in caplog.records
        if r.name == coordinator.logger.name
        and "LEAF" in r.getMessage()
        and r.levelno >= logging.INFO
    ]
    assert [r.levelno for r in leaf] == [logging.WARNING, logging.INFO]
    assert "recovered" in leaf[-1].getMessage()


async def test_a_refused_link_is_not_a_reauth_while_rest_signs_in(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, ovms_app_server: AppServer
) -> None:
    """The app port refuses the sign-in; REST takes it: no reauth, the cars stay available."""
    ovms_app_server.add_fault("refuse")
    hass.config_entries.async_update_entry(live_ovms_entry, options={CONF_UNLOCK_PIN: PIN})
    assert await hass.config_entries.async_setup(live_ovms_entry.entry_id)
    await hass.async_block_till_done()
    await until(lambda: (s := hass.states.get(LEAF_LINK)) is not None and s.state == STATE_OFF)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert state(hass, "sensor.leaf_battery_level") != STATE_UNAVAILABLE


async def test_diagnostics_show_the_link(
    hass: HomeAssistant, live_ovms_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Each car's link state, since when, its last message and how many arrived."""
    await load(hass, live_ovms_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, live_ovms_entry)
    leaf = next(v for v in diagnostics["vehicles"] if v["vehicle"]["model"] == "Leaf")
    link = leaf["live_link"]
    assert link["state"] == "up"
    assert link["messages"] > 0
    assert link["last_message_at"] is not None
