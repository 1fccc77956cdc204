"""The reading catalogue: every key a parser emits is in it, with a value of its kind.

The parsers run over every real capture and over the simulator's demo cars
(through Home Assistant, as they run in use); a key missing from the
catalogue, a value of the wrong type, an enum value outside its options or a
unit outside its quantity fails here.
"""

from __future__ import annotations

from datetime import datetime
import math
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connected_vehicle.api.models import Reading, VehicleState
from custom_components.connected_vehicle.api.ovms.parse import (
    parse_location as ovms_location,
    parse_record,
    parse_tpms,
)
from custom_components.connected_vehicle.api.readings import (
    CATALOGUE,
    UNITS,
    ReadingKind,
)
from custom_components.connected_vehicle.api.stellantis.parse import parse_status
from custom_components.connected_vehicle.api.volvo import parse_endpoint
from custom_components.connected_vehicle.binary_sensor import BINARY_SENSORS
from custom_components.connected_vehicle.climate import CLIMATE
from custom_components.connected_vehicle.event import EVENTS
from custom_components.connected_vehicle.lock import LOCK
from custom_components.connected_vehicle.number import NUMBERS
from custom_components.connected_vehicle.select import SELECTS
from custom_components.connected_vehicle.sensor import SENSORS
from custom_components.connected_vehicle.switch import SWITCHES
from custom_components.connected_vehicle.time import TIMES

from .platforms import BACKENDS
from .real_fixtures import ovms_capture, real_path
from .test_stellantis_parse import STATUS_FILES, real_status
from .test_volvo_parse import MODELS, TOP_LEVEL, real


def misfits(state: VehicleState) -> list[str]:
    """What in ``state`` the catalogue does not allow."""
    found = []
    for key, reading in state.readings.items():
        spec = CATALOGUE.get(key)
        if spec is None:
            found.append(f"{key}: not in the catalogue")
        elif (problem := _misfit(spec.kind, spec, reading)) is not None:
            found.append(f"{key}: {problem} ({reading.value!r} {reading.unit!r})")
    return found


def _misfit(kind: ReadingKind, spec: Any, reading: Reading) -> str | None:
    value = reading.value
    if kind is ReadingKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "not a number"
        if not math.isfinite(value):
            return "not finite"
        if reading.unit not in UNITS[spec.quantity]:
            return f"not a unit of {spec.quantity}"
    elif kind is ReadingKind.FLAG and not isinstance(value, bool):
        return "not a flag"
    elif kind is ReadingKind.ENUM and value not in spec.options:
        return "not one of its options"
    elif kind is ReadingKind.TIME and not (isinstance(value, datetime) and value.tzinfo):
        return "not an aware time"
    elif kind is ReadingKind.TEXT and not isinstance(value, str):
        return "not a text"
    return None


def test_real_volvo_captures_fit_the_catalogue() -> None:
    """Every real Volvo answer, and each model's energy state."""
    for name, endpoint in TOP_LEVEL.items():
        assert not misfits(parse_endpoint(endpoint, real(name))), name
    for model in MODELS:
        path = real_path(f"volvo/{model}/energy_state.json")
        if path.exists():
            assert not misfits(parse_endpoint("energy-state", real(f"{model}/energy_state.json")))


@pytest.mark.parametrize("name", STATUS_FILES)
def test_real_stellantis_statuses_fit_the_catalogue(name: str) -> None:
    """Every real Stellantis status."""
    assert not misfits(parse_status(real_status(name)))


@pytest.mark.parametrize("folder", ["", "later/", "https/", "offline/"])
def test_real_ovms_records_fit_the_catalogue(folder: str) -> None:
    """Every real OVMS status, charge, location and tyre record."""
    for name, parser in (
        ("status.txt", parse_record),
        ("charge.txt", parse_record),
        ("location.txt", ovms_location),
        ("tpms.txt", parse_tpms),
    ):
        if real_path("ovms/live-server").joinpath(folder, name).exists():
            status, body = ovms_capture(folder + name)
            if status == 200:
                assert not misfits(parser(body)), folder + name


@pytest.mark.parametrize("backend", BACKENDS)
async def test_simulated_cars_fit_the_catalogue(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """Every demo car's state, as the integration keeps it after its first poll."""
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    for coordinator in demo_entry.runtime_data.coordinators.values():
        assert coordinator.data.readings
        assert not misfits(coordinator.data), coordinator.vehicle.name


def test_every_reading_is_shown_by_an_entity() -> None:
    """A key nobody shows would be fetched for nothing."""
    shown = {
        d.key
        for d in (*SENSORS, *BINARY_SENSORS, *SWITCHES, *SELECTS, *NUMBERS, *TIMES, LOCK, CLIMATE)
    } | {key for event in EVENTS for key in (event.key, *event.also_reads)}
    assert set(CATALOGUE) <= shown, sorted(set(CATALOGUE) - shown)


def test_every_number_sensor_says_its_precision() -> None:
    """No raw 41.842944 km: each numeric sensor shows a set number of decimals."""
    for description in SENSORS:
        if CATALOGUE[description.key].kind is ReadingKind.NUMBER:
            assert description.suggested_display_precision is not None, description.key


def test_enum_sensors_offer_the_catalogue_options() -> None:
    """An enum sensor's options are its reading's, written once in the catalogue."""
    for description in SENSORS:
        spec = CATALOGUE[description.key]
        if spec.kind is ReadingKind.ENUM:
            assert tuple(description.options or ()) == spec.options, description.key
