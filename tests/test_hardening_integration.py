"""Hardening, seen from Home Assistant: hostile waits, dropped endpoints, wrong reauths.

Black-box: only the fixtures of ``conftest.py``, Home Assistant's services,
states and config entries, entity ids, and the stable contracts
(``entry.runtime_data.coordinators``, ``coordinator.async_refresh_groups``,
``coordinator.data``, ``coordinator.vehicle``). Polls are driven with
``async_refresh_groups``; where the schedule itself is under test, with
Home Assistant's (fake) clock.
"""

from __future__ import annotations

from datetime import timedelta
import logging
import time
from typing import Any

from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.connected_vehicle import coordinator as coordinator_module
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.const import DOMAIN
from simulator import Simulator

from .conftest import V90, XC40, XC60, XC90

BATTERY = "sensor.volvo_xc40_battery_level"
PEUGEOT_BATTERY = "sensor.peugeot_e_208_battery_level"
LEAF_BATTERY = "sensor.leaf_battery_level"
ALL_GROUPS = frozenset(DataGroup)
VOLVO_TOKEN = "/as/token.oauth2"
PEUGEOT_TOKEN = "/idp/peugeot/am/oauth2/access_token"


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def poll_all(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll every group of every car of the entry now."""
    for coordinator in entry.runtime_data.coordinators.values():
        await coordinator.async_refresh_groups(ALL_GROUPS)
    await hass.async_block_till_done()


def expire_token(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Home Assistant's copy of the token expired: the next call refreshes it."""
    token = {**entry.data["token"], "expires_at": time.time() - 60}
    hass.config_entries.async_update_entry(entry, data={**entry.data, "token": token})


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == "reauth"
    ]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]


async def later(hass: HomeAssistant, seconds: float) -> None:
    """Let Home Assistant's clock run ``seconds`` on: due polls run."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def volvo_locks(hass: HomeAssistant) -> dict[str, str]:
    return {state.entity_id: state.state for state in hass.states.async_all("lock")}


# --- Hostile waits ------------------------------------------------------------------


@pytest.mark.parametrize("header", ["nan", "inf", "1e12", "-30", "0"])
async def test_a_hostile_retry_after_neither_stalls_nor_stops_polling(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator, header: str
) -> None:
    """429 with Retry-After nan, inf, 1e12, -30 or 0: no storm, and polling resumes."""
    sim.faults.add(kind="rate_limit", retry_after=header)
    await poll_all(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    sim.requests.reset()
    await later(hass, 3)  # a wait of -30 or 0 would poll again at once, and again
    assert sim.requests.total() == 0
    sim.faults.clear()
    await later(hass, 3600 + 60)  # an infinite wait would never poll again
    assert state_of(hass, BATTERY) == "64.0"
    assert loaded_volvo.state is ConfigEntryState.LOADED


# --- Dropped endpoints ---------------------------------------------------------------


async def test_after_a_connected_vehicle_outage_unlocked_cars_show_unlocked(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """One poll with /connected-vehicle/* answering 404 while Energy and Location answer."""
    assert set(volvo_locks(hass).values()) == {LockState.LOCKED}
    sim.faults.add(path="/connected-vehicle/*", status=404)
    await poll_all(hass, loaded_volvo)
    assert set(volvo_locks(hass).values()) == {STATE_UNAVAILABLE}
    sim.faults.clear()
    for vin in (XC40, XC60, V90, XC90):
        sim.world.vehicle(vin).locked = False
    await poll_all(hass, loaded_volvo)
    assert set(volvo_locks(hass).values()) == {LockState.UNLOCKED}
    assert len(volvo_locks(hass)) == 4


async def test_an_ovms_server_answering_404_everywhere_makes_the_cars_unavailable(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, sim: Simulator
) -> None:
    """No stale values shown as current while every call answers 404; back afterwards."""
    assert state_of(hass, LEAF_BATTERY) != STATE_UNAVAILABLE
    sim.faults.add(path="/api/*", status=404)
    await poll_all(hass, loaded_entry)
    assert state_of(hass, LEAF_BATTERY) == STATE_UNAVAILABLE
    sim.faults.clear()
    await poll_all(hass, loaded_entry)
    assert state_of(hass, LEAF_BATTERY) != STATE_UNAVAILABLE


# --- Wrong reauths: the token endpoint ---------------------------------------------------

TOKEN_FAULTS = [
    pytest.param({"kind": "html", "status": 403}, id="firewall-403"),
    pytest.param({"kind": "html", "status": 404}, id="maintenance-404"),
    pytest.param({"kind": "status", "status": 404}, id="plain-404"),
    pytest.param({"kind": "malformed"}, id="malformed-200"),
    pytest.param({"kind": "empty"}, id="empty-200"),
    pytest.param({"kind": "deep"}, id="deep-200"),
    pytest.param({"kind": "html", "status": 200}, id="html-200"),
    pytest.param({"kind": "status", "status": 200, "body": "{}"}, id="no-token-200"),
    pytest.param({"kind": "status", "status": 503}, id="503"),
]


@pytest.mark.parametrize("fault", TOKEN_FAULTS)
async def test_a_failing_token_endpoint_is_passing_not_a_reauth(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    sim: Simulator,
    fault: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While the token endpoint fails: unavailable, no reauth, no traceback; then back."""
    sim.faults.add(method="POST", path=VOLVO_TOKEN, **fault)
    expire_token(hass, loaded_volvo)
    await poll_all(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    assert not reauth_flows(hass)
    assert loaded_volvo.state is ConfigEntryState.LOADED
    assert not tracebacks(caplog)
    sim.faults.clear()
    await poll_all(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == "64.0"
    assert not reauth_flows(hass)


@pytest.mark.parametrize("fault", TOKEN_FAULTS[:4])
async def test_a_failing_token_endpoint_at_setup_is_retried_not_reauthed(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator, fault: dict[str, Any]
) -> None:
    sim.faults.add(method="POST", path=VOLVO_TOKEN, **fault)
    expire_token(hass, volvo_entry)
    await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    assert volvo_entry.state is ConfigEntryState.SETUP_RETRY
    assert not reauth_flows(hass)


async def test_a_failing_stellantis_token_endpoint_is_passing_not_a_reauth(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    sim.faults.add(method="POST", path=PEUGEOT_TOKEN, kind="html", status=403)
    expire_token(hass, peugeot_entry)
    await poll_all(hass, peugeot_entry)
    assert state_of(hass, PEUGEOT_BATTERY) == STATE_UNAVAILABLE
    assert not reauth_flows(hass)
    sim.faults.clear()
    await poll_all(hass, peugeot_entry)
    assert state_of(hass, PEUGEOT_BATTERY) != STATE_UNAVAILABLE


async def test_an_access_token_dropped_early_is_refreshed_for_every_car(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The API refuses a token Home Assistant thinks valid: one refresh, no reauth."""
    sim.volvo.oauth.expire_access_tokens()
    sim.requests.reset()
    await poll_all(hass, loaded_volvo)
    assert sim.requests.count(method="POST", route=VOLVO_TOKEN) == 1
    assert not reauth_flows(hass)
    coordinator = loaded_volvo.runtime_data.coordinators[XC40]
    assert coordinator.data is not None
    assert state_of(hass, BATTERY) == "64.0"


async def test_a_stellantis_token_dropped_early_is_refreshed_not_a_reauth(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The same for Stellantis: found by ``scripts/bench soak`` (it started a reauth)."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    sim.stellantis.oauth["peugeot"].expire_access_tokens()
    sim.requests.reset()
    await poll_all(hass, peugeot_entry)
    assert sim.requests.count(method="POST", route=PEUGEOT_TOKEN) == 1
    assert not reauth_flows(hass)
    assert state_of(hass, PEUGEOT_BATTERY) != STATE_UNAVAILABLE


# --- Logging: once per outage ---------------------------------------------------------


async def test_an_outage_logs_one_warning_and_its_end_one_info(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sim: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three failed polls per car: one warning per car, no error; back: one info per car."""
    cars = len(loaded_entry.runtime_data.coordinators)
    caplog.clear()
    sim.faults.add(path="/api/*", status=503)
    for _ in range(3):
        await poll_all(hass, loaded_entry)
    sim.faults.clear()
    await poll_all(hass, loaded_entry)
    await poll_all(hass, loaded_entry)
    ours = [r for r in caplog.records if r.name.startswith(f"custom_components.{DOMAIN}")]
    assert not [r for r in ours if r.levelno >= logging.ERROR]
    assert len([r for r in ours if "Error fetching" in r.message]) == cars
    assert all(r.levelno == logging.WARNING for r in ours if "Error fetching" in r.message)
    assert len([r for r in ours if r.levelno == logging.INFO and "recovered" in r.message]) == cars


def test_only_a_passing_outage_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A failed poll is a warning; an unexpected exception while polling stays an error."""
    logger = coordinator_module._LOGGER
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.error("Error fetching %s data: %s", "XC40", "503")
        logger.error("Timeout fetching %s data", "XC40")
        logger.error("Unexpected error fetching %s data", "XC40")
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING, logging.ERROR]
