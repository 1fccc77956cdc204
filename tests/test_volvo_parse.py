"""Volvo parsers against every real captured payload, v1 spellings and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from typing import Any

import pytest

from custom_components.connected_vehicle.api import readings
from custom_components.connected_vehicle.api.errors import ProtocolError
from custom_components.connected_vehicle.api.models import Command, CommandStatus, Powertrain
from custom_components.connected_vehicle.api.volvo import (
    BULB_KEYS,
    CHARGER_CONNECTIONS,
    CHARGING_TYPES,
    TYRE_WARNINGS,
    parse_endpoint,
)
from custom_components.connected_vehicle.api.volvo.parse import ENDPOINTS, parse_energy_state
from custom_components.connected_vehicle.api.volvo.results import command_status, parse_invoke
from custom_components.connected_vehicle.api.volvo.vehicle import (
    parse_commands,
    parse_details,
    parse_energy_capabilities,
    parse_vehicle_list,
    powertrain_of,
    unsupported_energy_fields,
)
from tests.real_fixtures import REAL, real_path

MODELS = (
    "ex30_2024",
    "ex30_2024_no_colour",
    "s90_diesel_2018",
    "xc40_electric_2024",
    "xc60_phev_2020",
    "xc90_petrol_2019",
    "xc90_phev_2024",
)
# Top-level captures: the endpoint that answers them.
TOP_LEVEL = {
    "availability.json": "command-accessibility",
    "brakes.json": "brakes",
    "diagnostics.json": "diagnostics",
    "doors.json": "doors",
    "energy_state.json": "energy-state",
    "engine_status.json": "engine-status",
    "engine_status_no_timestamp.json": "engine-status",
    "engine_warnings.json": "engine",
    "fuel_status.json": "fuel",
    "location.json": "location",
    "location_no_timestamp.json": "location",
    "odometer.json": "odometer",
    "recharge_status.json": "energy-state",
    "statistics.json": "statistics",
    "tyres.json": "tyres",
    "warnings.json": "warnings",
    "windows.json": "windows",
}
STAMP = datetime(2024, 12, 30, 14, 18, 56, 849000, tzinfo=UTC)


def real(relative: str) -> Any:
    return json.loads(real_path(f"volvo/{relative}").read_text())


def test_every_real_capture_is_covered() -> None:
    """A capture added later fails here until a test reads it."""
    folder = real_path("volvo")
    top = {p.name for p in folder.glob("*.json")}
    assert top == set(TOP_LEVEL) | {"commands.json", "energy_capabilities.json"}
    assert {p.name for p in folder.iterdir() if p.is_dir()} == set(MODELS)


@pytest.mark.parametrize(("name", "endpoint"), sorted(TOP_LEVEL.items()))
def test_real_top_level_captures_parse(name: str, endpoint: str) -> None:
    """Every capture gives readings (or a location), wrapped in ``data`` or not."""
    raw = real(name)
    state = parse_endpoint(endpoint, raw)
    assert state == parse_endpoint(endpoint, {"status": 200, "operationId": "x", "data": raw})
    if endpoint == "location":
        assert state.location is not None
    elif name not in ("energy_state.json", "tyres.json"):
        assert state.readings


def test_real_doors_windows_engine() -> None:
    doors = parse_endpoint("doors", real("doors.json"))
    assert doors.value("central_lock") is True
    assert doors.readings["central_lock"].observed_at == datetime(
        2024, 12, 30, 14, 20, 20, 570000, tzinfo=UTC
    )
    keys = ("door_front_left", "door_front_right", "door_rear_left", "door_rear_right")
    assert [doors.value(k) for k in (*keys, "hood", "tailgate", "tank_lid")] == [False] * 7
    windows = parse_endpoint("windows", real("windows.json"))
    assert windows.value("window_rear_right") is False
    assert "sunroof" not in windows.readings  # UNSPECIFIED: the car has none
    engine = parse_endpoint("engine-status", real("engine_status_no_timestamp.json"))
    assert engine.readings["engine_running"].value is False
    assert engine.readings["engine_running"].observed_at is None


def test_real_health_captures() -> None:
    diagnostics = parse_endpoint("diagnostics", real("diagnostics.json"))
    assert diagnostics.readings["time_to_service"].value == 23 * 30
    assert diagnostics.readings["time_to_service"].unit == "d"
    assert diagnostics.readings["distance_to_service"].value == 29000
    assert diagnostics.readings["engine_hours_to_service"].unit == "h"
    assert diagnostics.value("service_warning") is False
    assert diagnostics.value("washer_fluid_warning") is False
    s90 = parse_endpoint("diagnostics", real("s90_diesel_2018/diagnostics.json"))
    assert s90.value("time_to_service") == 17
    engine = parse_endpoint("engine", real("engine_warnings.json"))
    assert engine.value("oil_level_warning") is False
    assert engine.value("coolant_level_warning") is False
    assert parse_endpoint("brakes", real("brakes.json")).value("brake_fluid_warning") is False
    assert parse_endpoint("command-accessibility", real("availability.json")).value(
        "commands_available"
    )


def test_real_warnings_give_every_bulb_key() -> None:
    state = parse_endpoint("warnings", real("warnings.json"))
    unspecified = {"bulb_hazard_lights", "bulb_reverse_lights"}
    assert set(state.readings) == set(BULB_KEYS) - unspecified
    assert "bulb_brake_light_left" in BULB_KEYS
    assert len(BULB_KEYS) == 23
    assert not any(reading.value for reading in state.readings.values())


def test_real_numbers_with_units() -> None:
    fuel = parse_endpoint("fuel", real("fuel_status.json"))
    assert (fuel.value("fuel_amount"), fuel.readings["fuel_amount"].unit) == (47.3, "L")
    assert (fuel.value("battery_level"), fuel.readings["battery_level"].unit) == (87.3, "%")
    odometer = parse_endpoint("odometer", real("odometer.json")).readings["odometer"]
    assert (odometer.value, odometer.unit, odometer.observed_at) == (30000, "km", STAMP)
    stats = parse_endpoint("statistics", real("statistics.json"))
    assert stats.readings["average_energy_consumption"].unit == "kWh/100km"
    assert stats.readings["average_fuel_consumption"].unit == "L/100km"
    assert stats.value("trip_meter_manual") == 3822.9
    assert stats.value("trip_meter_automatic") == 18.2
    assert stats.value("average_speed_automatic") == 26
    assert stats.value("electric_range") == 250
    xc90 = parse_endpoint("statistics", real("xc90_phev_2024/statistics.json"))
    assert xc90.value("fuel_range") == 804
    assert xc90.value("average_fuel_consumption_automatic") == 0


def test_real_tyres_unspecified_give_nothing() -> None:
    assert not parse_endpoint("tyres", real("tyres.json")).readings


def test_real_location() -> None:
    location = parse_endpoint("location", real("location.json")).location
    assert location is not None
    assert (location.latitude, location.longitude, location.heading) == (
        pytest.approx(57.72537482589284),
        pytest.approx(11.849843629550225),
        90,
    )
    assert location.observed_at == datetime(2024, 12, 30, 15, 0, tzinfo=UTC)
    bare = parse_endpoint("location", real("location_no_timestamp.json")).location
    assert bare is not None
    assert bare.observed_at is None


@pytest.mark.parametrize("model", MODELS)
def test_real_model_folders(model: str) -> None:
    """Every model folder: details, and whatever energy/statistics/diagnostics it holds."""
    folder = REAL / "volvo" / model
    if not folder.exists():
        pytest.skip("real fixtures absent")
    details = parse_details("VIN", real(f"{model}/vehicle.json"))
    assert details.vin == "YV1ABCDEFG1234567"
    assert details.year in (2018, 2019, 2020, 2024)
    expected = {
        "ex30": Powertrain.ELECTRIC,
        "xc40": Powertrain.ELECTRIC,
        "s90": Powertrain.COMBUSTION,
        "xc90_petrol": Powertrain.COMBUSTION,
        "xc60": Powertrain.HYBRID,
        "xc90_phev": Powertrain.HYBRID,
    }
    assert details.powertrain is next(v for k, v in expected.items() if model.startswith(k))
    assert (details.battery_capacity is not None) is details.has_battery
    assert (details.image_url is None) is model.startswith("s90")  # "" is no image
    for name in ("energy_state", "statistics", "diagnostics"):
        if (folder / f"{name}.json").exists():
            endpoint = {"energy_state": "energy-state"}.get(name, name)
            assert parse_endpoint(endpoint, real(f"{model}/{name}.json")).readings
    if (folder / "energy_capabilities.json").exists():
        assert parse_energy_capabilities(real(f"{model}/energy_capabilities.json")) is True
    if (folder / "commands.json").exists():
        assert Command.ENGINE_START in parse_commands(real(f"{model}/commands.json"))


def test_real_energy_states() -> None:
    xc40 = parse_endpoint("energy-state", real("xc40_electric_2024/energy_state.json"))
    assert xc40.value("battery_level") == 53
    assert xc40.readings["battery_level"].unit == "%"
    assert xc40.value("charging_state") == "charging"
    assert xc40.value("charging") is True
    assert xc40.value("charger_connection") == "connected"
    assert xc40.value("plugged_in") is True
    assert xc40.value("charging_type") == "ac"
    assert (xc40.value("charging_power"), xc40.readings["charging_power"].unit) == (1386, "W")
    assert xc40.readings["charge_current_limit"].unit == "A"
    assert xc40.value("charge_target") == 90
    assert xc40.readings["charge_time_to_limit"].unit == "min"
    assert xc40.readings["charge_target"].observed_at == datetime(
        2024, 9, 22, 9, 40, 12, tzinfo=UTC
    )
    assert "electric_range" not in xc40.readings  # taken from the statistics, like HA core
    xc60 = parse_endpoint("energy-state", real("xc60_phev_2020/energy_state.json"))
    assert set(xc60.readings) == {
        "charger_connection", "plugged_in", "charging_state", "charging", "charge_target"
    }  # fmt: skip
    assert xc60.value("charging_state") == "stopped"
    xc90 = parse_endpoint("energy-state", real("xc90_phev_2024/energy_state.json"))
    assert "charge_target" not in xc90.readings  # ERROR_READING_PROPERTY
    assert xc90.value("charging_type") == "none"
    assert not parse_endpoint("energy-state", real("energy_state.json")).readings
    assert parse_energy_capabilities(real("energy_capabilities.json")) is False
    assert parse_energy_capabilities({"getEnergyState": {"isSupported": True}}) is True


def test_real_v1_recharge_status() -> None:
    state = parse_endpoint("energy-state", real("recharge_status.json"))
    assert state.value("battery_level") == 58
    assert state.value("charging_state") == "stopped"
    assert state.value("charger_connection") == "connected"
    assert state.value("plugged_in") is True
    assert (state.value("charge_time_to_limit"), state.readings["charge_time_to_limit"].unit) == (
        780,
        "min",
    )


def test_real_commands() -> None:
    commands = parse_commands(real("commands.json"))
    assert set(commands) == {
        Command.LOCK_REDUCED_GUARD, Command.LOCK, Command.UNLOCK, Command.HONK,
        Command.HONK_FLASH, Command.FLASH, Command.CLIMATE_START, Command.CLIMATE_STOP,
    }  # fmt: skip
    assert commands[Command.HONK_FLASH] == "/v2/vehicles/YV1ABCDEFG1234567/commands/honk-flash"
    listed = {"data": [{"command": "SEND_NAVI_POI"}, "junk", {}, {"command": "FLY"}]}
    assert parse_commands(listed) == {Command.SEND_DESTINATION: None}


# v1 spellings and enum variants


def test_v1_doors_windows_statistics() -> None:
    ts = "2020-01-01T00:00:00Z"
    doors = parse_endpoint(
        "doors",
        {
            "carLocked": {"value": "UNLOCKED", "timestamp": ts},
            "frontLeft": {"value": "OPEN", "timestamp": ts},
            "tailGate": {"value": "AJAR"},
            "hood": {"value": "CLOSED"},
        },
    )
    assert doors.value("central_lock") is False
    assert doors.value("door_front_left") is True
    assert doors.value("tailgate") is True
    assert doors.value("hood") is False
    windows = parse_endpoint("windows", {"data": {"frontLeft": {"value": "OPEN"}}})
    assert windows.value("window_front_left") is True
    assert "door_front_left" not in windows.readings
    stats = parse_endpoint(
        "statistics",
        {
            "tripMeter1": {"value": "1234.5", "unit": "kilometers"},
            "tripMeter2": {"value": "12", "unit": "miles"},
            "distanceToEmpty": {"value": 300},
            "averageFuelConsumption": {"value": "7.1", "unit": "liters/100km"},
        },
    )
    assert stats.readings["trip_meter_manual"].value == 1234.5
    assert stats.readings["trip_meter_manual"].unit == "km"
    assert stats.readings["trip_meter_automatic"].unit == "mi"
    assert stats.readings["fuel_range"].unit == "km"  # no unit: the default
    assert "average_fuel_consumption" not in stats.readings  # a unit we do not know


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NO_WARNING", "ok"),
        ("LOW_PRESSURE", "warning"),
        ("HIGH_PRESSURE", "warning"),
        ("VERY_LOW_PRESSURE", "alert"),
        ("UNSPECIFIED", None),
        ("SOMETHING_NEW", None),
    ],
)
def test_tyre_warnings(value: str, expected: str | None) -> None:
    state = parse_endpoint("tyres", {"data": {"rearRight": {"value": value}}})
    assert state.value("tyre_warning_rear_right") == expected
    assert expected is None or expected in TYRE_WARNINGS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CHARGING", "charging"),
        ("IDLE", "stopped"),
        ("DONE", "done"),
        ("ERROR", "error"),
        ("FAULT", "error"),
        ("SCHEDULED", "timerwait"),
        ("SMART_CHARGING", "timerwait"),
        ("DISCHARGING", "discharging"),
        ("CHARGING_SYSTEM_SCHEDULED", "timerwait"),
    ],
)
def test_charging_states(value: str, expected: str) -> None:
    state = parse_endpoint("energy-state", {"chargingStatus": {"status": "OK", "value": value}})
    assert state.value("charging_state") == expected
    assert expected in readings.CHARGING_STATE.options
    assert state.value("charging") is (expected == "charging")


def test_charger_connection_fault_and_types() -> None:
    state = parse_endpoint(
        "energy-state",
        {
            "chargerConnectionStatus": {"status": "OK", "value": "FAULT"},
            "chargingType": {"status": "OK", "value": "DC"},
        },
    )
    assert state.value("charger_connection") == "fault"
    assert "plugged_in" not in state.readings
    assert state.value("charging_type") == "dc"
    assert set(CHARGER_CONNECTIONS) == {"connected", "disconnected", "fault"}
    assert set(CHARGING_TYPES) == {"ac", "dc", "none"}


def test_warnings_and_time_to_service_units() -> None:
    state = parse_endpoint(
        "diagnostics",
        {
            "serviceWarning": {"value": "DISTANCE_DRIVEN_ALMOST_TIME_FOR_SERVICE"},
            "washerFluidLevelWarning": {"value": "TOO_LOW"},
            "timeToService": {"value": 3, "unit": "weeks"},
        },
    )
    assert state.value("service_warning") is True
    assert state.value("washer_fluid_warning") is True
    assert state.value("time_to_service") == 21
    months = parse_endpoint("diagnostics", {"timeToService": {"value": "2", "unit": "month"}})
    assert months.value("time_to_service") == 60
    assert (
        "time_to_service"
        not in parse_endpoint(
            "diagnostics", {"timeToService": {"value": 2, "unit": "fortnights"}}
        ).readings
    )
    bulbs = parse_endpoint("warnings", {"brakeLightLeftWarning": {"value": "FAILURE"}})
    assert bulbs.value("bulb_brake_light_left") is True


def test_vehicle_list_and_details_edge_cases() -> None:
    body = {
        "data": [{"vin": "A"}, {"vin": ""}, "junk", {"x": 1}],
        "pagination": {"limit": 3, "offset": 0, "next": "?limit=3&offset=3"},
    }
    assert parse_vehicle_list(body) == (["A"], "?limit=3&offset=3")
    assert parse_vehicle_list({"data": []}) == ([], None)
    with pytest.raises(ProtocolError):
        parse_vehicle_list({"data": {"vin": "A"}})
    details = parse_details("VIN", {"data": {"modelYear": "twenty", "fuelType": 3}})
    assert (details.vin, details.year, details.powertrain) == ("VIN", None, Powertrain.UNKNOWN)
    assert powertrain_of("DIESEL/ELECTRIC") is Powertrain.HYBRID
    assert powertrain_of("NONE") is Powertrain.ELECTRIC


@pytest.mark.parametrize(
    ("body", "status", "href"),
    [
        ({"data": {"vin": "V", "invokeStatus": "COMPLETED", "message": ""}}, "COMPLETED", None),
        ({"status": 202, "async": {"status": "WAITING", "href": "h"}}, "WAITING", "h"),
        ({"data": {"async": {"status": "RUNNING", "href": "h"}}}, "RUNNING", "h"),
        ({"data": {"id": "1", "status": "rejected"}}, "REJECTED", None),
        ({"data": None}, None, None),
    ],
)
def test_invoke_answers(body: dict[str, Any], status: str | None, href: str | None) -> None:
    answer = parse_invoke(body)
    assert (answer.status, answer.href) == (status, href)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("COMPLETED", CommandStatus.SUCCESS),
        ("DELIVERED", CommandStatus.SUCCESS),
        ("VEHICLE_IN_SLEEP", CommandStatus.ASLEEP),
        ("VEHICLE_IN_SLEEP_MODE", CommandStatus.ASLEEP),
        ("UNABLE_TO_LOCK_DOOR_OPEN", CommandStatus.DOOR_OPEN),
        ("UNLOCK_TIME_FRAME_PASSED", CommandStatus.UNLOCK_WINDOW_PASSED),
        ("TIMEOUT", CommandStatus.TIMEOUT),
        ("REJECTED", CommandStatus.REJECTED),
        ("NOT_ALLOWED_WRONG_USAGE_MODE", CommandStatus.REJECTED),
        ("CONNECTION_FAILURE", CommandStatus.UNREACHABLE),
        (None, CommandStatus.REJECTED),
    ],
)
def test_command_statuses(status: str | None, expected: CommandStatus) -> None:
    assert command_status(status) is expected


# Hostile input


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": {}},
        {"centralLock": None, "frontLeftDoor": {"value": None}, "hood": {"timestamp": "x"}},
        {"odometer": {"value": "NaN", "unit": "km"}, "fuelAmount": {"value": [], "unit": 5}},
        {"averageSpeed": {"value": True}, "tripMeterManual": {"value": "inf"}},
        {"batteryChargeLevel": {"status": "ERROR", "value": 50}},
        {"engineStatus": {"value": 1, "timestamp": 5}},
        {"type": "Feature", "geometry": {"coordinates": ["a", 1]}},
        {"type": "Feature", "geometry": {"coordinates": [200, 100]}},
    ],
)
def test_hostile_bodies_never_raise(body: dict[str, Any]) -> None:
    for endpoint in ENDPOINTS:
        state = parse_endpoint(endpoint, body)
        assert all(reading.value is not None for reading in state.readings.values())
        assert state.location is None


@pytest.mark.parametrize("body", [None, [], "<html>", 3, True])
def test_wrong_json_type_is_a_protocol_error(body: Any) -> None:
    for endpoint in ENDPOINTS:
        with pytest.raises(ProtocolError):
            parse_endpoint(endpoint, body)
    with pytest.raises(ProtocolError):
        parse_details("V", body)
    with pytest.raises(ProtocolError):
        parse_invoke(body)


# Charging power status, per-field energy capabilities, the car's build


def test_real_charging_power_status() -> None:
    xc40 = parse_endpoint("energy-state", real("xc40_electric_2024/energy_state.json"))
    assert xc40.value("charging_power_status") == "providing_power"
    ex30 = parse_endpoint("energy-state", real("ex30_2024/energy_state.json"))
    assert ex30.value("charging_power_status") == "no_power_available"
    xc60 = parse_endpoint("energy-state", real("xc60_phev_2020/energy_state.json"))
    assert "charging_power_status" not in xc60.readings  # NOT_SUPPORTED


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PROVIDING_POWER", "providing_power"),
        ("POWER_AVAILABLE_BUT_NOT_ACTIVATED", "power_available_but_not_activated"),
        ("NO_POWER_AVAILABLE", "no_power_available"),
        ("INITIALIZATION", "initialization"),
        ("FAULT", "fault"),
        ("SOMETHING_NEW", None),
        ("UNSPECIFIED", None),
    ],
)
def test_charging_power_statuses(
    value: str, expected: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    state = parse_endpoint("energy-state", {"chargerPowerStatus": {"status": "OK", "value": value}})
    assert state.value("charging_power_status") == expected
    assert expected is None or expected in readings.CHARGING_POWER_STATUS.options
    if expected is None:
        assert "chargerPowerStatus" in caplog.text


def test_real_capabilities_leave_out_unsupported_fields() -> None:
    """The EX30's state reports a current limit its capabilities deny: it is left out."""
    unsupported = unsupported_energy_fields(real("ex30_2024/energy_capabilities.json"))
    assert unsupported == {"chargingCurrentLimit"}
    raw = real("ex30_2024/energy_state.json")
    assert parse_energy_state(raw).value("charge_current_limit") == 32
    ex30 = parse_energy_state(raw, unsupported)
    assert "charge_current_limit" not in ex30.readings
    assert ex30.value("battery_level") == 38
    assert unsupported_energy_fields(real("xc90_phev_2024/energy_capabilities.json")) == {
        "chargingCurrentLimit",
        "chargingPower",
    }
    assert not unsupported_energy_fields(real("xc40_electric_2024/energy_capabilities.json"))
    # The older capability name denies the charging state too.
    legacy = parse_energy_state(
        real("xc40_electric_2024/energy_state.json"), frozenset({"chargingSystemStatus"})
    )
    assert "charging_state" not in legacy.readings
    assert unsupported_energy_fields({"getEnergyState": "junk"}) == frozenset()


def test_real_details_describe_the_build() -> None:
    ex30 = parse_details("VIN", real("ex30_2024/vehicle.json"))
    assert (ex30.colour, ex30.gearbox, ex30.upholstery, ex30.steering_side) == (
        "Crystal White Pearl",
        "automatic",
        "R310",
        "left",
    )
    s90 = parse_details("VIN", real("s90_diesel_2018/vehicle.json"))
    assert (s90.upholstery, s90.steering_side) == (None, "right")  # "null": none given
    assert parse_details("VIN", real("ex30_2024_no_colour/vehicle.json")).colour is None
