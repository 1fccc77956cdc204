"""A poll whose answers are identical writes no state, on every back end.

Home Assistant's real entry, coordinators and entities against the simulator:
the simulator re-stamps its answers when the clock moves, the values stay.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import (
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.connected_vehicle.api.models import DataGroup
from simulator import Simulator

ENTRIES = {"ovms": "ovms_entry", "volvo": "volvo_entry", "stellantis": "peugeot_entry"}


@pytest.fixture
def entry(request: pytest.FixtureRequest) -> MockConfigEntry:
    """The back end's demo entry, added (no live link: polling only)."""
    found: MockConfigEntry = request.getfixturevalue(ENTRIES[request.param])
    return found


async def poll_every_car(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    for coordinator in entry.runtime_data.coordinators.values():
        await coordinator.async_refresh_groups(DataGroup)
    await hass.async_block_till_done()


def record_writes(hass: HomeAssistant) -> list[str]:
    """Every entity written from now on: changed, or written again unchanged (reported)."""
    written: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData] | Event[EventStateReportedData]) -> None:
        written.append(event.data["entity_id"])

    @callback
    def every(_data: EventStateReportedData) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    hass.bus.async_listen(EVENT_STATE_REPORTED, record, event_filter=every)
    return written


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("entry", list(ENTRIES), indirect=True)
async def test_an_identical_poll_writes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator
) -> None:
    """Every car polled again, later, with nothing changed at the car: no entity written.

    Not even unchanged (Home Assistant then reports the state instead of changing it).
    Every entity is enabled (diagnostic ones too), the cars' trackers among them.
    """
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await poll_every_car(hass, entry)  # settle what the first poll left due
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert "device_tracker" in {e.domain for e in entities}
    assert all(hass.states.get(e.entity_id) is not None for e in entities)
    sim.clock.advance(30)
    written = record_writes(hass)
    await poll_every_car(hass, entry)
    assert written == []


async def test_api_calls_today_follows_within_a_minute(
    hass: HomeAssistant, volvo_entry: MockConfigEntry
) -> None:
    """The polls' calls show a minute after the last write, in one write, not one per poll."""
    assert await hass.config_entries.async_setup(volvo_entry.entry_id)
    await hass.async_block_till_done()
    entity_id = "sensor.volvo_account_api_calls_today"
    shown = hass.states.get(entity_id)
    assert shown is not None
    written = record_writes(hass)
    await poll_every_car(hass, volvo_entry)
    await poll_every_car(hass, volvo_entry)
    assert entity_id not in written
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()
    assert written.count(entity_id) == 1
    now = hass.states.get(entity_id)
    assert now is not None
    assert int(now.state) == volvo_entry.runtime_data.backend.calls_today > int(shown.state)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_change_rewrites_only_the_entities_showing_it(
    hass: HomeAssistant, ovms_entry: MockConfigEntry, sim: Simulator
) -> None:
    """A new battery level writes the battery's entities, not the car's doors and tyres."""
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    await poll_every_car(hass, ovms_entry)
    sim.world.vehicle("LEAF").soc -= 10
    sim.clock.advance(600)  # the module's next report to the server
    written = record_writes(hass)
    await poll_every_car(hass, ovms_entry)
    assert "sensor.leaf_battery_level" in written
    for unchanged in ("binary_sensor.leaf_front_left_door", "device_tracker.leaf_location"):
        assert unchanged not in written
    assert "button.leaf_refresh" not in written
    leaf = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), ovms_entry.entry_id)
        if e.entity_id.split(".")[1].startswith("leaf_")
    ]
    assert len(set(written)) < len(leaf) / 2
