"""OVMS parsers: real server captures, seed-shaped payloads and hostile variants."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from typing import Any

import pytest

from custom_components.connected_vehicle.api.errors import ProtocolError
from custom_components.connected_vehicle.api.models import Reading
from custom_components.connected_vehicle.api.ovms.parse import (
    parse_connect,
    parse_location,
    parse_record,
    parse_tpms,
    parse_vehicle,
    parse_vehicle_list,
)

from .real_fixtures import ovms_capture, real_path

CAPTURE_FOLDERS = ["", "later/", "https/", "offline/"]


@pytest.mark.parametrize("folder", CAPTURE_FOLDERS)
def test_real_status_captures(folder: str) -> None:
    """Every real status capture parses, with strings as numbers and bit flags as booleans."""
    name = "status.txt"
    status, body = ovms_capture(folder + name)
    assert status == 200
    state = parse_record(body)
    assert state.readings["battery_level"].value == float(body["soc"])
    assert state.readings["battery_level"].unit == "%"
    assert state.readings["electric_range"].unit == "km"
    assert state.readings["central_lock"].value is (body["carlocked"] != 0)
    assert state.readings["car_on"].value is (body["caron"] != 0)
    assert state.readings["odometer"].value == pytest.approx(float(body["odometer"]) / 10)
    # temperature_cabin is null in the capture: no reading, not a crash.
    assert "temperature_cabin" not in state.readings
    assert state.readings["last_update"].value.tzinfo is UTC


def test_real_later_capture_shows_charging() -> None:
    """The capture after the demo car plugged in: flags 16, 8, 4 are True."""
    _, body = ovms_capture("later/status.txt")
    state = parse_record(body)
    assert state.value("charging") is True
    assert state.value("plugged_in") is True
    assert state.value("charge_port") is True
    assert state.value("charging_state") == "charging"
    assert state.value("odometer") == 12.0


def test_real_charge_capture() -> None:
    """The charge endpoint's extra fields, scaled and typed."""
    _, body = ovms_capture("charge.txt")
    state = parse_record(body)
    assert state.readings["charging_power"] == Reading(
        7.2, "kW", datetime(2026, 11, 21, 23, 21, 50, tzinfo=UTC)
    )
    assert state.value("charge_target") == 80.0
    assert state.value("charge_current_limit") == 13.0
    assert state.value("charge_substate") == "7"
    assert "odometer" not in state.readings


@pytest.mark.parametrize("folder", ["", "offline/"])
def test_real_location_captures(folder: str) -> None:
    """Positions and heading from strings."""
    _, body = ovms_capture(folder + "location.txt")
    location = parse_location(body).location
    assert location is not None
    assert location.latitude == pytest.approx(22.270553)
    assert location.longitude == pytest.approx(114.186994)
    assert location.heading == 90.0


def test_real_tpms_w_record() -> None:
    """The older TPMS record gives PSI per wheel."""
    _, body = ovms_capture("offline/tpms_w.txt")
    state = parse_tpms(body)
    assert state.readings["tyre_pressure_front_left"].value == 29.0
    assert state.readings["tyre_pressure_front_left"].unit == "psi"
    assert state.readings["tyre_pressure_rear_right"].value == 40.0
    assert state.value("tyre_temperature_rear_left") == 6.0
    assert "tyre_warning_front_left" not in state.readings


def test_real_vehicle_lists_and_connect() -> None:
    """Vehicle lists from the docs, the TeslaLogger log and the live server."""
    docs = json.loads(real_path("ovms/vehicles-1.json").read_text())
    assert parse_vehicle_list(docs) == {
        "DEMO": True,
        "MARKSCAR": True,
        "QCCAR": False,
        "RALLYCAR": False,
        "TESTCAR": False,
    }
    assert parse_vehicle_list(json.loads(real_path("ovms/vehicles-2.json").read_text())) == {
        "ERNAIONIQ": True
    }
    _, body = ovms_capture("offline/vehicle.txt")
    info = parse_connect(body)
    assert info.online is False
    assert info.status_age == 13


def test_real_protocol_names_vin_and_type() -> None:
    """The F record carries the VIN and the vehicle type code."""
    _, body = ovms_capture("extra/protocol.txt")
    vehicle = parse_vehicle("DEMO", body)
    assert vehicle.vin == "VIN123456789012345"
    assert (vehicle.brand, vehicle.model) == ("Tesla", "Roadster (demo)")


def test_miles_car() -> None:
    """units M: ranges in miles, speed in mph, odometer in tenths of a mile."""
    state = parse_record(
        {"units": "M", "estimatedrange": "40", "speed": "25", "odometer": "123456"}
    )
    assert state.readings["electric_range"].unit == "mi"
    assert state.readings["speed"].unit == "mph"
    assert state.readings["odometer"].value == pytest.approx(12345.6)
    assert state.readings["odometer"].unit == "mi"


def test_v3_tpms_record_prefers_kpa_and_reads_alerts() -> None:
    """The extended TPMS record: kPa string, PSI number, health and alert per wheel."""
    body = {
        "fl_pressure_kpa": "250.5",
        "fl_pressure": 36.3,
        "fl_alert": 2,
        "rr_pressure": 35,
        "rr_alert": "1",
        "rl_alert": 7,
        "m_msgtime_y": "2026-11-21 10:00:00",
        "staletpms": "1",
    }
    state = parse_tpms(body)
    assert state.readings["tyre_pressure_front_left"].value == 250.5
    assert state.readings["tyre_pressure_front_left"].unit == "kPa"
    assert state.readings["tyre_pressure_rear_right"].unit == "psi"
    assert state.value("tyre_warning_front_left") == "alert"
    assert state.value("tyre_warning_rear_right") == "warning"
    assert "tyre_warning_rear_left" not in state.readings  # 7 is no known alert level
    assert state.readings["tyre_pressure_front_left"].observed_at == datetime(
        2026, 11, 21, 10, tzinfo=UTC
    )


def test_stale_flags_minus_one_mean_no_data() -> None:
    """-1 says the car has no such sensor: no reading, no position, no tyres."""
    state = parse_record({"staletemps": "-1", "staleambient": "1", "temperature_motor": "20"})
    assert "temperature_motor" not in state.readings
    assert parse_location({"latitude": "1", "longitude": "2", "stalegps": "-1"}).location is None
    assert parse_tpms({"fl_pressure": "30", "staletpms": "-1"}).readings == {}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"soc": "", "units": "", "carlocked": None, "odometer": "n/a"},
        {"soc": "NaN", "estimatedrange": "inf", "caron": "yes"},
        {"soc": [], "caron": {}, "chargestate": 5, "m_msgtime_s": "yesterday"},
        {"unknown_field": 1, "soc": 80, "carlocked": True},
    ],
)
def test_hostile_records_never_raise(body: dict[str, Any]) -> None:
    """Missing, empty, mistyped and unknown fields give fewer readings, never an error."""
    state = parse_record(body)
    for reading in state.readings.values():
        assert reading.value is not None
    assert "battery_level" not in state.readings or state.value("battery_level") == 80


@pytest.mark.parametrize("parser", [parse_record, parse_location, parse_tpms, parse_connect])
@pytest.mark.parametrize("body", [None, [], "Login ok", 3])
def test_wrong_json_type_is_a_protocol_error(parser: Any, body: Any) -> None:
    """A body that is not an object raises ProtocolError, nothing else."""
    with pytest.raises(ProtocolError):
        parser(body)


def test_vehicle_list_must_be_a_list() -> None:
    """Items without an id are skipped; a non-list is a ProtocolError."""
    assert parse_vehicle_list([{"id": "A"}, {"v_net_connected": 1}, "junk", {"id": ""}]) == {
        "A": False
    }
    with pytest.raises(ProtocolError):
        parse_vehicle_list({"id": "A"})
