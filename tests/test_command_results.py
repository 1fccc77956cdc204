"""A command's success shows at once; the refresh after it confirms, and wins.

Home Assistant's real entry, coordinators and entities against the simulator over
HTTP on loopback. The simulator's latest request, noted when the entity changes,
tells what the change waited for: the command's final answer, not a poll.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.climate import HVACMode
from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import DataGroup
from simulator import Simulator
from simulator.vehicle import Vehicle

from .conftest import XC40
from .states import record_states

E208 = "E208"
VOLVO_LOCK = "POST /connected-vehicle/v2/vehicles/{vin}/commands/lock"
# The read-back of a remote's status: where the Stellantis client learns it is done.
STELLANTIS_DONE = "GET /connectedcar/v4/user/vehicles/{id}/callbacks/{cbid}/remotes/{rid}"


def unlocked(car: Vehicle) -> None:
    car.locked = False


def plugged_and_paused(car: Vehicle) -> None:
    car.plugged, car.charge_paused = True, True


def charging(car: Vehicle) -> None:
    car.set_phase("charge")


@dataclass(frozen=True)
class Case:
    """A command run from an entity, the car as it was before, and what the entity shows."""

    entry: str
    car: str
    entity_id: str
    service: tuple[str, str]
    before: Callable[[Vehicle], None]
    shown: str
    final_answer: str


CASES = {
    "volvo lock": Case(
        "volvo_entry",
        XC40,
        "lock.volvo_xc40_lock",
        ("lock", "lock"),
        unlocked,
        "locked",
        VOLVO_LOCK,
    ),
    "stellantis lock": Case(
        "peugeot_entry",
        E208,
        "lock.peugeot_e_208_lock",
        ("lock", "lock"),
        unlocked,
        LockState.LOCKED,
        STELLANTIS_DONE,
    ),
    "stellantis unlock": Case(
        "peugeot_entry",
        E208,
        "lock.peugeot_e_208_lock",
        ("lock", "unlock"),
        lambda _car: None,
        LockState.UNLOCKED,
        STELLANTIS_DONE,
    ),
    "stellantis climate start": Case(
        "peugeot_entry",
        E208,
        "climate.peugeot_e_208_climatization",
        ("climate", "turn_on"),
        lambda _car: None,
        HVACMode.HEAT_COOL,
        STELLANTIS_DONE,
    ),
    "stellantis charge start": Case(
        "peugeot_entry",
        E208,
        "switch.peugeot_e_208_charging",
        ("switch", "turn_on"),
        plugged_and_paused,
        STATE_ON,
        STELLANTIS_DONE,
    ),
    "stellantis charge stop": Case(
        "peugeot_entry",
        E208,
        "switch.peugeot_e_208_charging",
        ("switch", "turn_off"),
        charging,
        STATE_OFF,
        STELLANTIS_DONE,
    ),
}


@pytest.fixture
def entry(request: pytest.FixtureRequest) -> MockConfigEntry:
    """The demo entry named by the parameter, added."""
    found: MockConfigEntry = request.getfixturevalue(request.param)
    return found


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def note_requests_when_shown(
    hass: HomeAssistant, sim: Simulator, entity_id: str, shown: str
) -> list[tuple[int, str | None]]:
    """The simulator's request count and latest request each time the entity turns ``shown``."""
    noted: list[tuple[int, str | None]] = []

    @callback
    def note(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == entity_id and new is not None and new.state == shown:
            noted.append((sim.requests.total(), sim.requests.last))

    hass.bus.async_listen("state_changed", note)
    return noted


@pytest.mark.parametrize(
    ("entry", "case"),
    [(case.entry, case) for case in CASES.values()],
    ids=CASES.keys(),
    indirect=["entry"],
)
async def test_a_success_shows_before_any_further_request(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator, case: Case
) -> None:
    """The entity shows the command's result at the command's final answer: 0 requests later.

    The refresh that confirms it comes after, and changes nothing the car did.
    """
    case.before(sim.world.vehicle(case.car))
    await set_up(hass, entry)
    state = hass.states.get(case.entity_id)
    assert state is not None
    assert state.state != case.shown
    noted = note_requests_when_shown(hass, sim, case.entity_id, case.shown)
    domain, service = case.service
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: case.entity_id}, blocking=True)
    assert len(noted) == 1
    requests_when_shown, latest = noted[0]
    assert latest == case.final_answer
    assert sim.requests.total() > requests_when_shown  # then the confirming refresh
    shown = hass.states.get(case.entity_id)
    assert shown is not None
    assert shown.state == case.shown


@pytest.mark.parametrize(
    ("entry", "car", "lock"),
    [
        ("volvo_entry", XC40, "lock.volvo_xc40_lock"),
        ("peugeot_entry", E208, "lock.peugeot_e_208_lock"),
    ],
    indirect=["entry"],
)
async def test_a_lock_the_car_did_not_carry_out_shows_unlocked_again(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator, car: str, lock: str
) -> None:
    """The back end reports success, the latch is stuck: the confirming refresh wins."""
    vehicle = sim.world.vehicle(car)
    vehicle.locked, vehicle.lock_stuck = False, True
    await set_up(hass, entry)
    seen, stop = record_states(hass, lock)
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: lock}, blocking=True)
    stop()
    assert seen == [LockState.LOCKING, LockState.LOCKED, LockState.UNLOCKED]
    assert not vehicle.locked


async def test_a_failed_command_shows_nothing_new(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator
) -> None:
    """A lock that times out never shows locked, not even for a moment."""
    lock = "lock.volvo_xc40_lock"
    sim.world.vehicle(XC40).locked = False
    await set_up(hass, volvo_entry)
    sim.volvo.cars[XC40].outcomes.append("TIMEOUT")
    seen, stop = record_states(hass, lock)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: lock}, blocking=True)
    stop()
    assert seen == [LockState.LOCKING, LockState.UNLOCKED]


async def test_a_reading_the_car_never_reports_is_not_made_up(
    hass: HomeAssistant, volvo_entry: MockConfigEntry, sim: Simulator
) -> None:
    """The XC40 does not report climatization: its climate stays assumed after a start.

    A made-up reading would stay for ever, since no poll would ever correct it.
    """
    climate = "climate.volvo_xc40_climatization"
    await set_up(hass, volvo_entry)
    await hass.services.async_call("climate", "turn_on", {ATTR_ENTITY_ID: climate}, blocking=True)
    coordinator = volvo_entry.runtime_data.coordinators[XC40]
    await coordinator.async_refresh_groups(DataGroup)
    await hass.async_block_till_done()
    shown = hass.states.get(climate)
    assert shown is not None
    assert shown.state == HVACMode.HEAT_COOL
    assert shown.attributes["assumed_state"] is True
    assert "climate_on" not in coordinator.data.readings
