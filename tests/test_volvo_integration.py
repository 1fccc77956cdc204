"""The Volvo back end in Home Assistant: polling, reauth, quota, commands, actions, diagnostics.

Everything runs through Home Assistant's real entry, coordinator, entity and
service machinery against the simulator over loopback HTTP. Polls are driven
with ``coordinator.async_refresh_groups`` (timer-driven polls are not needed
to exercise the same code path).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
import json
import logging
import time
from typing import Any

import aiohttp
from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID, CONF_API_KEY, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.api.volvo import VolvoClient
from custom_components.connected_vehicle.const import (
    CONF_ACTIVE_INTERVAL,
    CONF_PARKED_INTERVAL,
    CONF_UNLOCK_PIN,
    DOMAIN,
)
from custom_components.connected_vehicle.coordinator import VehicleCoordinator
from simulator import Simulator

from .conftest import SIM_START, V90, VOLVO_API_KEY, XC40, XC60, XC90
from .states import record_states

LOCK = "lock.volvo_xc40_lock"
BATTERY = "sensor.volvo_xc40_battery_level"
API_CALLS = "sensor.volvo_account_api_calls_today"
REDACTED = "**REDACTED**"
ALL_GROUPS = frozenset(DataGroup)
CV = "/connected-vehicle/v2/vehicles/{vin}"


def coordinator(entry: MockConfigEntry, vin: str = XC40) -> VehicleCoordinator:
    """The coordinator of one car of a loaded entry."""
    found: VehicleCoordinator = entry.runtime_data.coordinators[vin]
    return found


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """An entity's current state (it must exist)."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def attributes_of(hass: HomeAssistant, entity_id: str) -> Mapping[str, Any]:
    """An entity's current attributes (it must exist)."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.attributes


async def poll(hass: HomeAssistant, entry: MockConfigEntry, vin: str = XC40) -> None:
    """Poll every group of one car now, as its schedule would."""
    await coordinator(entry, vin).async_refresh_groups(ALL_GROUPS)
    await hass.async_block_till_done()


async def a_minute_later(hass: HomeAssistant) -> None:
    """Let a minute pass for Home Assistant's timers (*API calls today* writes then)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()


def flow_sources(hass: HomeAssistant) -> list[str]:
    """The sources of the integration's flows in progress."""
    return [
        f["context"]["source"] for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


def device_id(hass: HomeAssistant, entry: MockConfigEntry, vin: str) -> str:
    """The device registry id of one car."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"{entry.unique_id}:{vin}"), entry.entry_id
    )
    assert device is not None
    return device.id


def expire_entry_token(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Make Home Assistant's copy of the token expired, so the next call refreshes it."""
    token = {**entry.data["token"], "expires_at": time.time() - 60}
    hass.config_entries.async_update_entry(entry, data={**entry.data, "token": token})


# --- Set-up and reauth -----------------------------------------------------------------


async def test_setup_lists_four_cars_with_devices(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Four cars, one device each (plus the account's service device)."""
    assert loaded_volvo.state is ConfigEntryState.LOADED
    names = {c.vehicle.name for c in loaded_volvo.runtime_data.coordinators.values()}
    assert names == {"Volvo XC40", "Volvo XC60", "Volvo V90", "Volvo XC90"}
    devices = dr.async_entries_for_config_entry(device_registry, loaded_volvo.entry_id)
    cars = {d.serial_number for d in devices if d.entry_type is None}
    assert cars == {XC40, XC60, V90, XC90}
    xc40 = device_registry.async_get(device_id(hass, loaded_volvo, XC40))
    assert isinstance(xc40, dr.DeviceEntry)
    assert (xc40.manufacturer, xc40.model) == ("Volvo", "XC40 (2023)")  # with its model year
    assert xc40.identifiers == {(DOMAIN, f"{loaded_volvo.unique_id}:{XC40}")}
    assert state_of(hass, BATTERY) == "64.0"


async def test_token_is_refreshed_before_it_expires(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """An expired token is refreshed through Home Assistant's OAuth2 session and stored."""
    old_access = loaded_volvo.data["token"]["access_token"]
    expire_entry_token(hass, loaded_volvo)
    sim.volvo.oauth.expire_access_tokens()
    await poll(hass, loaded_volvo)
    assert sim.requests.count(method="POST", route="/as/token.oauth2") == 1
    assert loaded_volvo.data["token"]["access_token"] != old_access
    assert loaded_volvo.data["token"]["expires_at"] > time.time()
    assert state_of(hass, BATTERY) != STATE_UNAVAILABLE
    assert not flow_sources(hass)


async def test_revoked_sign_in_starts_reauth(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The refresh token was revoked: the refresh gets invalid_grant -> one reauth flow."""
    sim.volvo.oauth.revoke("demo")
    expire_entry_token(hass, loaded_volvo)
    await poll(hass, loaded_volvo)
    assert flow_sources(hass) == [SOURCE_REAUTH]
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    assert flow["context"]["entry_id"] == loaded_volvo.entry_id
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    # A second failing poll does not start a second flow.
    await poll(hass, loaded_volvo, XC60)
    assert flow_sources(hass) == [SOURCE_REAUTH]


async def test_revoked_sign_in_at_setup_is_an_auth_failure(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator
) -> None:
    """Set-up with a revoked, expired sign-in: setup error and reauth, no retry loop."""
    sim.volvo.oauth.revoke("demo")
    expire_entry_token(hass, volvo_entry)
    await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    assert volvo_entry.state is ConfigEntryState.SETUP_ERROR
    assert flow_sources(hass) == [SOURCE_REAUTH]


async def test_access_token_refused_by_the_api_is_refreshed_not_reauthed(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The server dropped the access token early; the refresh token is still good."""
    sim.volvo.oauth.expire_access_tokens()
    await poll(hass, loaded_volvo)
    assert not flow_sources(hass)
    assert state_of(hass, BATTERY) == "64.0"


async def test_refused_api_key_at_runtime_raises_a_repair_issue_not_reauth(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The gateway refuses the key (401 naming it): a repair issue points to Reconfigure.

    Signing in again cannot fix a refused key, so no reauth starts.
    """
    sim.volvo.keys.remove(VOLVO_API_KEY)
    await poll(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    assert flow_sources(hass) == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"api_key_refused_{loaded_volvo.entry_id}")
    assert issue is not None
    assert issue.translation_key == "api_key_refused"


async def test_spent_quota_is_not_a_reauth_and_holds_calls_back(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """403 "Out of call volume quota": unavailable, a repair issue, no reauth, no more calls."""
    sim.volvo.keys.set_quota(VOLVO_API_KEY, sim.volvo.calls_today())
    await poll(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    assert not flow_sources(hass)
    issue_id = f"quota_exhausted_{loaded_volvo.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "quota_exhausted"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["account"] == "Volvo (4 cars)"
    # The gateway said 16 h (08:00 UTC to midnight): the next poll waits that long ...
    failure = coordinator(loaded_volvo).last_exception
    assert isinstance(failure, UpdateFailed)
    assert failure.retry_after == timedelta(hours=16).total_seconds()
    # ... and every other car of the key waits too, without asking the gateway.
    sent = sim.requests.total()
    await poll(hass, loaded_volvo, XC60)
    assert sim.requests.total() == sent
    failure = coordinator(loaded_volvo, XC60).last_exception
    assert isinstance(failure, UpdateFailed)
    assert failure.retry_after == pytest.approx(timedelta(hours=16).total_seconds(), abs=60)
    assert state_of(hass, "sensor.volvo_xc60_battery_level") == STATE_UNAVAILABLE
    assert not flow_sources(hass)
    assert loaded_volvo.state is ConfigEntryState.LOADED


async def test_quota_issue_clears_after_midnight(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """Quota spent just before UTC midnight; after it the next poll succeeds and the issue goes."""
    midnight = SIM_START.replace(hour=0) + timedelta(days=1)
    sim.clock.advance((midnight - SIM_START).total_seconds() - 0.5)
    # The simulator's access token lived one of those 16 hours: let Home Assistant refresh it.
    expire_entry_token(hass, loaded_volvo)
    await poll(hass, loaded_volvo)  # with quota to spare
    sim.volvo.keys.set_quota(VOLVO_API_KEY, sim.volvo.calls_today())
    await poll(hass, loaded_volvo)
    issue_id = f"quota_exhausted_{loaded_volvo.entry_id}"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    sim.clock.advance(1)  # a new UTC day at the gateway: the quota is replenished
    await poll(hass, loaded_volvo)
    assert state_of(hass, BATTERY) != STATE_UNAVAILABLE
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert not flow_sources(hass)


# --- Faults on a poll ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "latency", "seconds": 2.0},
        {"kind": "malformed"},
        {"kind": "truncated"},
        {"kind": "html"},
        {"kind": "drop"},
    ],
    ids=["500", "503", "latency", "malformed", "truncated", "html", "drop"],
)
async def test_every_fault_on_a_poll_makes_entities_unavailable_then_recovers(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator, fault: dict[str, Any]
) -> None:
    """Each fault kind on every endpoint: unavailable, no reauth, no crash; back once cleared."""
    client = loaded_volvo.runtime_data.backend
    assert isinstance(client, VolvoClient)
    # A short timeout keeps the latency case fast (the default is 30 s).
    client._http._timeout = aiohttp.ClientTimeout(total=0.3)
    sim.faults.add(method="GET", path="/*", **fault)
    await poll(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == STATE_UNAVAILABLE
    assert state_of(hass, LOCK) == STATE_UNAVAILABLE
    assert state_of(hass, "sensor.volvo_xc60_battery_level") != STATE_UNAVAILABLE
    assert not coordinator(loaded_volvo).last_update_success
    assert not flow_sources(hass)
    assert loaded_volvo.state is ConfigEntryState.LOADED
    sim.faults.clear()
    await poll(hass, loaded_volvo)
    assert state_of(hass, BATTERY) == "64.0"
    assert state_of(hass, LOCK) == LockState.LOCKED


async def test_one_failing_endpoint_keeps_the_others(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """Only the energy endpoint fails: the car stays available with its other readings."""
    sim.faults.add(method="GET", path="/energy/v2/vehicles/*/state", kind="status", status=500)
    await poll(hass, loaded_volvo)
    assert state_of(hass, LOCK) == LockState.LOCKED
    assert state_of(hass, BATTERY) == "64.0"


# --- Lock ------------------------------------------------------------------------------


async def test_lock_and_unlock(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """Unlock shows unlocking, then unlocked as the command succeeds; lock likewise."""
    assert state_of(hass, LOCK) == LockState.LOCKED
    seen, stop = record_states(hass, LOCK)
    await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert seen[0] == LockState.UNLOCKING
    assert seen[-1] == LockState.UNLOCKED
    assert state_of(hass, LOCK) == LockState.UNLOCKED
    assert not sim.world.vehicle(XC40).locked
    seen.clear()
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    stop()
    assert seen[0] == LockState.LOCKING
    assert state_of(hass, LOCK) == LockState.LOCKED
    assert sim.world.vehicle(XC40).locked
    assert [(c, s) for _t, c, s in sim.volvo.cars[XC40].events] == [
        ("UNLOCK", "COMPLETED"),
        ("LOCK", "COMPLETED"),
    ]


async def test_a_command_refetches_only_the_groups_it_touches(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """After lock: doors, windows, engine status and location, not statistics or health."""
    sim.world.vehicle(XC40).locked = False
    sim.requests.reset()
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    counts = {route.split(" ", 1)[1]: n for route, n in sim.requests.snapshot().items()}
    assert counts == {
        CV + "/commands/lock": 1,
        CV + "/doors": 1,
        CV + "/windows": 1,
        CV + "/engine-status": 1,
        "/location/v1/vehicles/{vin}/location": 1,
    }


async def test_lock_with_a_door_open_raises_the_translated_error(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """UNABLE_TO_LOCK_DOOR_OPEN -> command_door_open, in words; the lock stays as it was."""
    sim.world.vehicle(XC40).locked = False
    sim.world.vehicle(XC40).doors["fl"] = True
    await poll(hass, loaded_volvo)
    assert state_of(hass, "binary_sensor.volvo_xc40_front_left_door") == "on"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "command_door_open"
    assert str(err.value) == "The lock command failed because a door is open"
    assert state_of(hass, LOCK) == LockState.UNLOCKED


async def test_command_to_a_sleeping_car(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """VEHICLE_IN_SLEEP -> command_asleep."""
    sim.volvo.cars[XC40].asleep = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "command_asleep"
    assert str(err.value) == "The car is asleep and did not answer the unlock command"
    assert state_of(hass, LOCK) == LockState.LOCKED


async def test_command_timeout(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """A forced TIMEOUT outcome -> command_timeout; the lock is not left 'unlocking'."""
    sim.volvo.cars[XC40].outcomes.append("TIMEOUT")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "command_timeout"
    assert state_of(hass, LOCK) == LockState.LOCKED


async def test_unlock_pin_from_the_options(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """With a PIN set in the options, unlocking needs it: wrong or none is refused."""
    result = await hass.config_entries.options.async_init(loaded_volvo.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_ACTIVE_INTERVAL: 60, CONF_PARKED_INTERVAL: 600, CONF_UNLOCK_PIN: "2468"},
    )
    await hass.async_block_till_done()
    assert loaded_volvo.options[CONF_UNLOCK_PIN] == "2468"
    assert attributes_of(hass, LOCK)["code_format"] == r"^\S*$"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "lock", "unlock", {ATTR_ENTITY_ID: LOCK, ATTR_CODE: "1111"}, blocking=True
        )
    assert err.value.translation_key == "wrong_pin"
    assert str(err.value) == "The unlock PIN is wrong"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "wrong_pin"
    assert state_of(hass, LOCK) == LockState.LOCKED
    assert sim.volvo.cars[XC40].events == []
    await hass.services.async_call(
        "lock", "unlock", {ATTR_ENTITY_ID: LOCK, ATTR_CODE: "2468"}, blocking=True
    )
    assert state_of(hass, LOCK) == LockState.UNLOCKED
    # Locking needs no PIN (an automation locking the car must not need it).
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert state_of(hass, LOCK) == LockState.LOCKED


async def test_v1_car_command_is_followed_to_its_end(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The 2018 XC90 answers commands asynchronously: the client follows the request."""
    sim.requests.reset()
    await hass.services.async_call(
        "lock", "unlock", {ATTR_ENTITY_ID: "lock.volvo_xc90_lock"}, blocking=True
    )
    assert state_of(hass, "lock.volvo_xc90_lock") == LockState.UNLOCKED
    follow = "/connected-vehicle/v1/vehicles/{vin}/requests/{request_id}"
    assert sim.requests.count(method="GET", route=follow) >= 1
    assert not sim.world.vehicle(XC90).locked


# --- Buttons, climate, actions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "vin", "command"),
    [
        ("button.volvo_xc40_honk", XC40, "HONK"),
        ("button.volvo_xc40_flash_lights", XC40, "FLASH"),
        ("button.volvo_xc40_honk_and_flash", XC40, "HONK_AND_FLASH"),
        ("button.volvo_xc40_lock_with_reduced_guard", XC40, "LOCK_REDUCED_GUARD"),
        ("button.volvo_v90_honk_and_flash", V90, "HONK_AND_FLASH"),
    ],
)
async def test_buttons_send_their_command(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    sim: Simulator,
    button: str,
    vin: str,
    command: str,
) -> None:
    """Each button runs its command at the car, and records when it was pressed."""
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: button}, blocking=True)
    assert [(c, s) for _t, c, s in sim.volvo.cars[vin].events] == [(command, "COMPLETED")]
    assert state_of(hass, button) not in ("unknown", STATE_UNAVAILABLE)


async def test_engine_buttons(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """Start (the default 15 minutes) and stop the XC60's engine; the state follows."""
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.volvo_xc60_start_engine"}, blocking=True
    )
    assert sim.world.vehicle(XC60).engine_until == sim.clock.now() + timedelta(minutes=15)
    assert state_of(hass, "binary_sensor.volvo_xc60_engine") == "on"
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.volvo_xc60_stop_engine"}, blocking=True
    )
    assert sim.world.vehicle(XC60).engine_until is None
    assert state_of(hass, "binary_sensor.volvo_xc60_engine") == "off"


async def test_failed_button_raises(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """A rejected command raises a translated error from the button."""
    sim.volvo.cars[XC40].outcomes.append("SOMETHING_ELSE")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: "button.volvo_xc40_honk"}, blocking=True
        )
    assert err.value.translation_key == "command_rejected"
    assert str(err.value) == "The car rejected the honk command"


async def test_climate_on_and_off_is_an_assumed_state(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """Volvo does not report climatization: the entity assumes the last command's state."""
    climate = "climate.volvo_xc40_climatization"
    assert state_of(hass, climate) == "off"
    assert attributes_of(hass, climate)["assumed_state"] is True
    await hass.services.async_call("climate", "turn_on", {ATTR_ENTITY_ID: climate}, blocking=True)
    assert state_of(hass, climate) == "heat_cool"
    assert sim.world.vehicle(XC40).climate_until is not None
    await hass.services.async_call(
        "climate", "set_hvac_mode", {ATTR_ENTITY_ID: climate, "hvac_mode": "off"}, blocking=True
    )
    assert state_of(hass, climate) == "off"
    assert sim.world.vehicle(XC40).climate_until is None
    events = [c for _t, c, _s in sim.volvo.cars[XC40].events]
    assert events == ["CLIMATIZATION_START", "CLIMATIZATION_STOP"]


async def test_failed_climate_start_keeps_it_off(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """A car asleep: the error is raised and the assumed state stays off."""
    climate = "climate.volvo_xc40_climatization"
    sim.volvo.cars[XC40].asleep = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "climate", "turn_on", {ATTR_ENTITY_ID: climate}, blocking=True
        )
    assert err.value.translation_key == "command_asleep"
    assert state_of(hass, climate) == "off"


@pytest.mark.parametrize("minutes", [1, 7, 15])
async def test_engine_start_action_sends_the_runtime(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator, minutes: int
) -> None:
    """connected_vehicle.engine_start with runtime_minutes reaches the car."""
    await hass.services.async_call(
        DOMAIN,
        "engine_start",
        {"device_id": device_id(hass, loaded_volvo, XC60), "runtime_minutes": minutes},
        blocking=True,
    )
    assert sim.world.vehicle(XC60).engine_until == sim.clock.now() + timedelta(minutes=minutes)
    assert [c for _t, c, _s in sim.volvo.cars[XC60].events] == ["ENGINE_START"]


@pytest.mark.parametrize("minutes", [0, 16, -1, "many"])
async def test_engine_start_action_rejects_a_runtime_out_of_range(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator, minutes: object
) -> None:
    """0 and 16 minutes (and nonsense) fail the action's schema; nothing is sent."""
    sim.requests.reset()
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "engine_start",
            {"device_id": device_id(hass, loaded_volvo, XC60), "runtime_minutes": minutes},
            blocking=True,
        )
    assert sim.requests.total() == 0
    assert sim.volvo.cars[XC60].events == []


async def test_engine_start_action_on_an_electric_car(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry
) -> None:
    """The XC40 has no engine to start: command_unavailable."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "engine_start",
            {"device_id": device_id(hass, loaded_volvo, XC40), "runtime_minutes": 5},
            blocking=True,
        )
    assert err.value.translation_key == "command_unavailable"


async def test_refresh_action_fetches_every_group(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """connected_vehicle.refresh polls every group of the car at once, and only that car."""
    sim.world.vehicle(XC40).doors["trunk"] = True
    sim.requests.reset()
    await hass.services.async_call(
        DOMAIN, "refresh", {"device_id": device_id(hass, loaded_volvo, XC40)}, blocking=True
    )
    paths = sim.requests.by_path()
    for endpoint in ("doors", "statistics", "diagnostics", "tyres", "odometer"):
        assert paths[f"GET /connected-vehicle/v2/vehicles/{XC40}/{endpoint}"] == 1
    assert paths[f"GET /energy/v2/vehicles/{XC40}/state"] == 1
    assert not any(XC60 in path for path in paths)
    assert state_of(hass, "binary_sensor.volvo_xc40_trunk") == "on"


@pytest.mark.parametrize("service", ["refresh", "engine_start"])
async def test_actions_on_an_unknown_device(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    service: str,
) -> None:
    """A device id that is no car of the integration: unknown_vehicle."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    stranger = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    for device in ("not-a-device", stranger.id):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(DOMAIN, service, {"device_id": device}, blocking=True)
        assert err.value.translation_key == "unknown_vehicle"


# --- API calls, diagnostics, logs ------------------------------------------------------


async def test_api_calls_today_counts_up(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The account's sensor shows the key's calls today, as the gateway counted them.

    It counts up after every poll and command, also one that changed no reading,
    written at most once a minute.
    """
    calls = int(state_of(hass, API_CALLS))
    assert calls == sim.volvo.calls_today() > 0
    await poll(hass, loaded_volvo, XC60)  # nothing changed in the XC60's state
    assert int(state_of(hass, API_CALLS)) == calls  # not yet: a minute has not passed
    await a_minute_later(hass)
    after_poll = int(state_of(hass, API_CALLS))
    assert after_poll == sim.volvo.calls_today() > calls
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.volvo_xc40_honk"}, blocking=True
    )
    await a_minute_later(hass)
    assert int(state_of(hass, API_CALLS)) == sim.volvo.calls_today() > after_poll
    # A failed poll spent its calls as well.
    sim.faults.add(method="GET", path="/connected-vehicle/*", kind="status", status=500)
    before = sim.volvo.calls_today()
    await poll(hass, loaded_volvo, V90)
    await poll(hass, loaded_volvo, V90)
    await a_minute_later(hass)
    assert int(state_of(hass, API_CALLS)) == loaded_volvo.runtime_data.backend.quota.calls_today
    assert int(state_of(hass, API_CALLS)) > before


async def test_diagnostics_redact_secrets_and_places(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_volvo: MockConfigEntry
) -> None:
    """Token, API key, server, VIN and coordinates are redacted; readings are kept."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_volvo)
    data = diagnostics["entry"]["data"]
    assert data["token"] == REDACTED
    assert data["server_url"] == REDACTED
    assert data[CONF_API_KEY] == REDACTED
    assert data["account"] == REDACTED
    assert len(diagnostics["vehicles"]) == 4
    xc40 = next(v for v in diagnostics["vehicles"] if v["vehicle"]["model"] == "XC40")
    assert xc40["vehicle"]["vin"] == REDACTED
    assert xc40["vehicle"]["id"] == REDACTED
    assert xc40["location"]["latitude"] == REDACTED
    assert xc40["location"]["longitude"] == REDACTED
    assert xc40["readings"]["battery_level"]["value"] == 64.0
    build = ("colour", "gearbox", "upholstery", "steering_side")
    assert [xc40["vehicle"][key] for key in build] == ["Sage Green", "automatic", None, "left"]
    xc60 = next(v for v in diagnostics["vehicles"] if v["vehicle"]["model"] == "XC60")
    assert xc60["vehicle"]["upholstery"] == "CHARCOAL/LEABR3/CHARC/SPO"
    text = json.dumps(diagnostics, default=str)
    token = loaded_volvo.data["token"]
    secrets = (token["access_token"], token["refresh_token"], VOLVO_API_KEY, "volvo-demo")
    for secret in (*secrets, token["id_token"], XC40, XC60, V90, XC90):
        assert secret not in text
    location = coordinator(loaded_volvo).data.location
    assert location is not None
    assert str(location.latitude) not in text


async def test_no_secret_in_any_log_record(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    sim: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Set-up, a token refresh, a failing poll and a refused refresh, at debug level."""
    caplog.set_level(logging.DEBUG)
    secrets = {VOLVO_API_KEY, *_tokens(volvo_entry)}
    assert await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    expire_entry_token(hass, volvo_entry)
    await poll(hass, volvo_entry)  # refreshes the token
    secrets |= _tokens(volvo_entry)
    sim.faults.add(method="GET", path="/connected-vehicle/*", kind="status", status=500)
    await poll(hass, volvo_entry, XC60)
    sim.faults.clear()
    sim.volvo.keys.remove(VOLVO_API_KEY)
    await poll(hass, volvo_entry, V90)  # 401 for the key
    sim.volvo.oauth.revoke("demo")
    expire_entry_token(hass, volvo_entry)
    await poll(hass, volvo_entry, XC90)  # invalid_grant
    assert len(secrets) == 4  # the key, two access tokens, the refresh token
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in text, record.name


def _tokens(entry: MockConfigEntry) -> set[str]:
    token = entry.data["token"]
    return {token["access_token"], token["refresh_token"]}


# --- Energy readings -------------------------------------------------------------------

POWER_STATUS = "sensor.volvo_xc40_charging_power_status"


async def test_charging_power_status_follows_the_car(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The simulator's chargerPowerStatus, lowercased: no power parked, power while charging."""
    assert not sim.world.vehicle(XC40).plugged
    assert state_of(hass, POWER_STATUS) == "no_power_available"
    assert attributes_of(hass, POWER_STATUS)["options"] == [
        "providing_power",
        "power_available_but_not_activated",
        "no_power_available",
        "initialization",
        "fault",
    ]
    sim.world.vehicle(XC40).set_phase("charge")
    await poll(hass, loaded_volvo)
    assert sim.world.vehicle(XC40).charging
    assert state_of(hass, POWER_STATUS) == "providing_power"


async def test_energy_fields_the_capabilities_deny_have_no_entity(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """The XC60's state reports a current limit its capabilities deny: no entity for it."""
    car = f"{loaded_volvo.unique_id}:"
    limit = "_charge_current_limit"
    assert entity_registry.async_get_entity_id("sensor", DOMAIN, car + XC40 + limit)
    assert entity_registry.async_get_entity_id("sensor", DOMAIN, car + XC60 + limit) is None
    assert "charge_current_limit" not in coordinator(loaded_volvo, XC60).data.readings
    assert "sensor.volvo_xc60_charging_power_status" not in hass.states.async_entity_ids()
