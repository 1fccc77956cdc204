"""Parsing Stellantis answers: real payloads, spec examples, hostile and random input."""

from __future__ import annotations

from datetime import UTC, datetime, time
import json
from typing import Any

import pytest

from custom_components.connected_vehicle.api.errors import CommandFailedError, ProtocolError
from custom_components.connected_vehicle.api.models import (
    ClimateProgramChange,
    Command,
    CommandArguments,
    CommandStatus,
    DataGroup,
    Powertrain,
)
from custom_components.connected_vehicle.api.stellantis.parse import (
    climate_programs,
    find_callback,
    page_items,
    parse_alerts,
    parse_last_trip,
    parse_maintenance,
    parse_remote_action,
    parse_status,
    parse_vehicle,
    parse_webhook,
    remote_action_id,
)
from custom_components.connected_vehicle.api.stellantis.remotes import (
    climate_program_body,
    outcome,
    remote_body,
)
from custom_components.connected_vehicle.api.stellantis.values import minutes, number, when

from .real_fixtures import real_path

STATUS_FILES = (
    "openhab_dummy_vehiclestatus1.json",
    "openhab_dummy_vehiclestatus2.json",
    "openhab_dummy_vehiclestatus3.json",
    "psacc_electric_car_status.json",
    "psacc_electric_car_status_v2.json",
    "psacc_fuel_car_status.json",
)


def real_status(name: str) -> Any:
    return json.loads(real_path(f"stellantis/status/{name}").read_text())


@pytest.mark.parametrize("name", STATUS_FILES)
def test_every_real_status_parses(name: str) -> None:
    """Each captured payload yields readings and never raises."""
    state = parse_status(real_status(name))
    assert state.readings
    for reading in state.readings.values():
        assert reading.observed_at is None or reading.observed_at.tzinfo is not None


def test_real_electric_status() -> None:
    """psa_car_controller's e-208: level, range, plug, 12 V health, legacy names."""
    state = parse_status(real_status("psacc_electric_car_status.json"))
    assert state.value("battery_level") == 59
    assert state.readings["electric_range"].unit == "km"
    assert state.value("plugged_in") is False
    assert state.value("charging_state") == "stopped"
    assert state.value("charge_time_remaining") == 0
    assert state.value("odometer") == 3196.5
    assert state.value("twelve_volt_battery_health") == 83.5
    assert state.readings["twelve_volt_battery_health"].unit == "%"
    assert state.value("climate_on") is False  # from "preconditionning"
    assert "fuel_level" not in state.readings  # the phantom Fuel item at level 0
    assert state.location is not None
    assert (state.location.latitude, state.location.longitude) == (47.274, -1.59008)
    assert state.location.altitude == 30
    assert state.location.observed_at == datetime(2021, 3, 29, 6, 22, 51, tzinfo=UTC)


def test_real_hybrid_status_is_charging() -> None:
    """The plug-in hybrid: fuel and electric, charging in progress, slow."""
    state = parse_status(real_status("psacc_fuel_car_status.json"))
    assert state.value("fuel_level") == 42
    assert state.value("battery_level") == 70
    assert state.value("charging") is True
    assert state.value("charging_state") == "charging"
    assert state.value("charging_rate") == 20
    assert state.readings["charging_rate"].unit == "km/h"
    assert state.location is not None
    assert state.location.heading == 126


def test_real_openhab_variants() -> None:
    """lockedState (old key), the open driver door, odemeter/kinetic under _embedded."""
    second = parse_status(real_status("openhab_dummy_vehiclestatus2.json"))
    assert second.value("central_lock") is False
    assert second.value("door_front_left") is True
    assert second.value("moving") is True
    assert second.value("odometer") == 0
    third = parse_status(real_status("openhab_dummy_vehiclestatus3.json"))
    assert third.value("odometer") == 1539  # "timed.odometer"
    assert third.value("charge_time_remaining") == 0
    first = parse_status(real_status("openhab_dummy_vehiclestatus1.json"))
    assert first.value("speed") == 0.55


def test_real_charging_mode_and_delayed_start() -> None:
    """chargingMode No/Slow; nextDelayedTime as the start's clock time (PT22H31M is 22:31)."""
    electric = parse_status(real_status("psacc_electric_car_status.json"))
    assert electric.value("charging_mode") == "not_charging"
    assert electric.value("delayed_charge_start") == 22 * 60 + 31
    assert electric.readings["delayed_charge_start"].unit == "min"
    hybrid = parse_status(real_status("psacc_fuel_car_status.json"))
    assert hybrid.value("charging_mode") == "slow"
    assert hybrid.value("delayed_charge_start") == 21 * 60 + 30
    assert (
        parse_status(real_status("openhab_dummy_vehiclestatus3.json")).value("delayed_charge_start")
        == 5 * 60
    )
    # No real car reports the preferences: their selects stay away.
    for name in STATUS_FILES:
        state = parse_status(real_status(name))
        assert "charge_limit" not in state.readings
        assert "charging_power_level" not in state.readings


@pytest.mark.parametrize(
    ("charging", "expected"),
    [
        (
            {"chargingMode": "Quick", "type": "Partial", "chargingPowerLevel": "Level5"},
            {
                "charging_mode": "quick",
                "charge_limit": "partial",
                "charging_power_level": "level_5",
            },
        ),
        (
            {"chargingMode": "no", "type": "FULL", "chargingPowerLevel": "level2"},
            {
                "charging_mode": "not_charging",
                "charge_limit": "full",
                "charging_power_level": "level_2",
            },
        ),
        (  # unknown values, a YAML-parsed false, a delay past a day: unknown, not guessed
            {
                "chargingMode": False,
                "type": "Half",
                "chargingPowerLevel": "Level9",
                "nextDelayedTime": "P1DT2H",
            },
            {},
        ),
    ],
)
def test_spec_charging_preferences(charging: dict[str, Any], expected: dict[str, str]) -> None:
    """The spec's EnergyCharging enums, case-insensitively; anything else is left out."""
    body = {"energies": [{"type": "Electric", "extension": {"electric": {"charging": charging}}}]}
    state = parse_status(body)
    found = {
        key: state.value(key)
        for key in ("charging_mode", "charge_limit", "charging_power_level", "delayed_charge_start")
        if key in state.readings
    }
    assert found == expected


def test_charging_remotes_keep_preferences_apart_from_the_schedule() -> None:
    """One field of ``preferences`` per remote, the schedule in its own, as the spec demands."""
    limit = remote_body(Command.SET_CHARGE_LIMIT, CommandArguments(charge_limit="partial"))
    assert limit["charging"] == {"preferences": {"type": "Partial"}}
    level = remote_body(
        Command.SET_CHARGING_POWER_LEVEL, CommandArguments(charging_power_level="level_3")
    )
    assert level["charging"] == {"preferences": {"level": "Level3"}}
    start = remote_body(
        Command.SET_DELAYED_CHARGE_START, CommandArguments(delayed_charge_start=time(6, 5))
    )
    assert start["charging"] == {"schedule": {"nextDelayedTime": "PT6H5M"}}
    for command in (Command.SET_CHARGE_LIMIT, Command.SET_DELAYED_CHARGE_START):
        with pytest.raises(CommandFailedError):
            remote_body(command, CommandArguments(charge_limit="half"))


def test_spec_shapes_new_layout() -> None:
    """The spec's energies/extension layout, lockedStates, ISO durations, comma decimals."""
    body = {
        "createdAt": "2023-04-29T22:17:20Z",
        "_links": {"self": {"href": "x"}},
        "energies": [
            {
                "createdAt": "2023-04-29T22:00:00Z",
                "type": "Electric",
                "level": "43,5",
                "autonomy": 128,
                "extension": {
                    "electric": {
                        "charging": {
                            "plugged": "true",
                            "status": "Stopped",
                            "remainingTime": "PT1H20M",
                            "nextDelayedTime": "PT22H30M",
                            "chargingRate": 0,
                        },
                        "battery": {"health": {"capacity": 96}},
                    }
                },
            }
        ],
        "energy": [{"type": "Electric", "level": 10}],
        "doorsState": {
            "createdAt": "2023-04-29t22:10:00.5z",
            "lockedStates": ["Locked", "SuperLocked"],
            "opening": [
                {"identifier": "Trunk", "state": "Open"},
                {"identifier": "RoofWindow", "state": "Closed"},
                {"identifier": "Spaceport", "state": "Open"},
                {"identifier": 3, "state": None},
            ],
        },
        "odometer": {"createdAt": "2023-04-29T22:17:20+0000", "mileage": "12978,9"},
        "environment": {"air": {"temp": "15"}},
        "preconditioning": {"airConditioning": {"status": "Enabled"}},
        "ignition": {"type": "StartUp"},
    }
    state = parse_status(body)
    assert state.value("battery_level") == 43.5  # energies wins over the legacy energy
    assert state.value("plugged_in") is True
    assert state.value("charging_state") == "timerwait"
    assert state.value("charge_time_remaining") == 80
    assert state.value("state_of_health") == 96
    assert state.value("central_lock") is True
    assert state.value("tailgate") is True
    assert state.value("sunroof") is False
    assert state.readings["central_lock"].observed_at == datetime(
        2023, 4, 29, 22, 10, 0, 500000, UTC
    )
    assert state.value("odometer") == 12978.9
    assert state.value("temperature_ambient") == 15
    assert state.value("climate_on") is True
    assert state.value("car_on") is True
    assert state.value("ignition") == "startup"
    assert state.readings["temperature_ambient"].observed_at == datetime(
        2023, 4, 29, 22, 17, 20, tzinfo=UTC
    )


def test_vehicle_variants() -> None:
    """Seed fields, deprecated fields, the branding extension, codes and commands."""
    seed = parse_vehicle(
        {
            "id": "abc",
            "vin": "VF3ABCDE0FG123456",
            "brandCode": "AP",
            "familyCode": 208,
            "motorization": "Electric",
            "fuelType": "Gas",
            "_links": {
                "self": {"href": "x"},
                "alerts": {"href": "a"},
                "remotes": {"href": "r/{cbid}/remotes", "templated": True},
            },
        }
    )
    assert seed is not None
    vehicle = seed.vehicle
    assert (vehicle.name, vehicle.brand, vehicle.model) == ("Peugeot 208", "Peugeot", "208")
    assert vehicle.powertrain is Powertrain.ELECTRIC
    assert DataGroup.HEALTH in vehicle.capabilities
    assert Command.CHARGE_START in vehicle.commands
    assert seed.links["remotes"] == "r/{cbid}/remotes"
    legacy = parse_vehicle(
        {
            "id": "d",
            "vehicleExtension": {"vehicleBranding": {"brand": "C", "label": "C5 Aircross"}},
            "fuelType": "Diesel",
            "pictures": ["https://pic/1.png"],
        }
    )
    assert legacy is not None
    assert legacy.vehicle.name == "Citroën C5 Aircross"
    assert legacy.vehicle.powertrain is Powertrain.COMBUSTION
    assert legacy.vehicle.commands == frozenset()  # no remotes link
    assert legacy.vehicle.image_url == "https://pic/1.png"
    modern = parse_vehicle(
        {"id": "e", "extension": {"branding": {"brand": "Opel", "label": "Mokka"}}}
    )
    assert modern is not None
    assert modern.vehicle.name == "Opel Mokka"
    assert parse_vehicle({"vin": "no id"}) is None
    assert parse_vehicle("nope") is None


def test_collections_and_health() -> None:
    """Pages, next links, active alerts across pages, maintenance with comma decimals."""
    items, next_href = page_items(
        {
            "_embedded": {"alerts": [{"active": True}, {"active": "false"}, 3]},
            "_links": {"next": {"href": "n"}},
        },
        "alerts",
        "alerts",
    )
    assert len(items) == 2
    assert next_href == "n"
    assert page_items({"_embedded": {"alerts": "x"}}, "alerts", "a") == ([], None)
    with pytest.raises(ProtocolError):
        page_items([], "alerts", "alerts")
    assert parse_alerts(items).value("alerts_active") == 1
    maintenance = parse_maintenance(
        {
            "createdAt": "2024-01-01T00:00:00Z",
            "daysBeforeMaintenance": -3,
            "mileageBeforeMaintenance": "1239,6",
        }
    )
    assert maintenance.value("time_to_service") == -3
    assert maintenance.value("distance_to_service") == 1239.6
    assert maintenance.readings["time_to_service"].unit == "d"


def test_remote_events_and_outcomes() -> None:
    """Webhook messages (single and batch), read-back and the failure mapping."""
    message = {
        "callbackId": "cb",
        "type": "Remote",
        "remoteEvent": {
            "remoteActionId": "r1",
            "remoteType": "Doors",
            "eventStatus": {"type": "Done", "status": "Failed", "failureCause": "DoorsOpen"},
        },
    }
    pending = {
        "remoteEvent": {
            "remoteActionId": "r2",
            "eventStatus": {"type": "Pending", "status": "Accepted"},
        }
    }
    events = parse_webhook([message, pending, {"type": "Monitor"}, 7])
    assert [(e.action_id, e.done) for e in events] == [("r1", True), ("r2", False)]
    assert outcome(events[0]) is CommandStatus.DOOR_OPEN
    with pytest.raises(ProtocolError):
        parse_webhook("text")
    for cause, expected in (
        ("TooManyWakeUpsOverMonth", CommandStatus.ASLEEP),
        ("VehicleConnectionTimeout", CommandStatus.UNREACHABLE),
        ("VehicleError", CommandStatus.REJECTED),
        ("SomethingNew", CommandStatus.REJECTED),
    ):
        progress = parse_remote_action(
            {"remoteActionId": "x", "status": "Failed", "failureCause": cause}
        )
        assert progress is not None
        assert progress.done
        assert outcome(progress) is expected
    done = parse_remote_action({"remoteActionId": "x", "status": "AlreadyDone"})
    assert done is not None
    assert outcome(done) is CommandStatus.SUCCESS
    assert parse_remote_action({"status": "Success"}) is None
    listed = [
        {"id": "1", "label": "other"},
        {"id": "2", "label": "cv", "subscribe": {"callback": {"webhook": {"target": "t"}}}},
    ]
    assert find_callback(listed, "cv", "t") == "2"
    assert find_callback(listed, "cv", "u") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21T08:00:00Z", datetime(2026, 11, 21, 8, tzinfo=UTC)),
        ("2026-11-21T09:00:00+01:00", datetime(2026, 11, 21, 8, tzinfo=UTC)),
        ("2026-11-21t08:00:00.000000z", datetime(2026, 11, 21, 8, tzinfo=UTC)),
        ("2017-08-10T13:46:39.652+0000", datetime(2017, 8, 10, 13, 46, 39, 652000, UTC)),
        ("2026-11-21 08:00:00Z", datetime(2026, 11, 21, 8, tzinfo=UTC)),
        ("Mon Jun 03 08:35:36 GMT 2019", datetime(2019, 6, 3, 8, 35, 36, tzinfo=UTC)),
        ("yesterday", None),
        (12345, None),
    ],
)
def test_times(text: Any, expected: datetime | None) -> None:
    """Every spelling the API and its docs use."""
    assert when(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PT0S", 0),
        ("PT1H20M", 80),
        ("PT15M", 15),
        ("P1DT2H", 1560),
        ("PT30S", 0.5),
        ("PT", None),
        ("1h", None),
        (90, None),
    ],
)
def test_durations(raw: Any, expected: float | None) -> None:
    """ISO 8601 durations to minutes; anything else dropped."""
    assert minutes(raw, "test") == expected


def test_numbers() -> None:
    """Comma decimals and numeric text; a thousands-style mix is refused."""
    assert number("12978,9", "x") == 12978.9
    assert number("1,234.5", "x") is None
    assert number(True, "x") is None


@pytest.mark.parametrize("body", [[], "status", 3, None])
def test_wrong_json_type_is_a_protocol_error(body: Any) -> None:
    """Only a body that is no object at all raises."""
    with pytest.raises(ProtocolError):
        parse_status(body)
    with pytest.raises(ProtocolError):
        parse_maintenance(body)


def test_hostile_blocks_never_raise() -> None:
    """Every block mistyped at once."""
    hostile = dict(
        zip(
            (
                "lastPosition",
                "energies",
                "energy",
                "doorsState",
                "kinetic",
                "odometer",
                "environment",
                "battery",
                "preconditioning",
                "ignition",
                "_embedded",
                "createdAt",
            ),
            (
                [1],
                {"a": 1},
                "x",
                {"lockedStates": 5, "opening": {"a": 1}},
                [],
                {"mileage": {}},
                {"air": []},
                "v",
                {"airConditioning": 1},
                {"type": 3},
                {"extension": []},
                17,
            ),
            strict=True,
        )
    )
    state = parse_status(hostile)
    assert state.location is None
    assert set(state.readings) <= {"ignition", "car_on"}
    bad_position = {"lastPosition": {"geometry": {"coordinates": ["a", 100]}}}
    assert parse_status(bad_position).location is None
    far = {"lastPosition": {"geometry": {"coordinates": [3.7, 95.0]}}}
    assert parse_status(far).location is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("psacc_electric_car_status_v2.json", 90), ("openhab_dummy_vehiclestatus2.json", None)],
)
def test_real_battery_health(name: str, expected: float | None) -> None:
    """Resistance is the SoH when capacity is absent; 0 in both means not measured."""
    assert parse_status(real_status(name)).value("state_of_health") == expected


@pytest.mark.parametrize(
    ("health", "expected"),
    [
        ({"capacity": 96, "resistance": 90}, 96),
        ({"capacity": 0, "resistance": 88}, 88),
        ({"resistance": "91"}, 91),
        ({"resistance": 0}, None),
    ],
)
def test_battery_health_by_capacity_then_resistance(
    health: dict[str, Any], expected: float | None
) -> None:
    battery = {"health": {"createdAt": "2026-01-01T00:00:00Z", **health}}
    item = {"type": "Electric", "level": 50, "extension": {"electric": {"battery": battery}}}
    state = parse_status({"_links": {}, "energies": [item]})
    assert state.value("state_of_health") == expected


@pytest.mark.parametrize("kind", ["Doors", ["Doors"]])
def test_remote_answer_type_as_string_or_list(kind: Any) -> None:
    """The spec's type is one RemoteType; older answers had a list: the id reads either way."""
    assert remote_action_id({"remoteActionId": "abc", "type": kind}) == "abc"


SPEC_TRIP: dict[str, Any] = {
    "id": "t1",
    "createdAt": "2026-12-01T08:40:00Z",
    "startedAt": "2026-12-01T08:00:00Z",
    "stoppedAt": "2026-12-01T08:40:00Z",
    "duration": 2400,
    "distance": "31,5",
    "done": True,
    "energyConsumptions": [
        {"type": "Electric", "consumption": 5.0, "avgConsumption": 15800},
        {"type": "Fuel", "consumption": 1.2, "avgConsumption": 540},
    ],
    "_links": {"self": {"href": "/user/vehicles/v/trips/t1"}},
}


def test_last_trip_in_spec_units() -> None:
    """Distance km, duration s; avgConsumption from Wh and cL per 100 km; the trip under way skipped."""
    under_way = {"id": "t2", "createdAt": "2026-12-01T09:00:00Z", "done": "false", "distance": 2}
    state = parse_last_trip([under_way, SPEC_TRIP])
    assert state.value("last_trip_distance") == 31.5
    assert state.value("last_trip_duration") == 2400
    assert state.readings["last_trip_duration"].unit == "s"
    assert state.value("last_trip_energy_consumption") == pytest.approx(15.8)
    assert state.value("last_trip_fuel_consumption") == pytest.approx(5.4)
    assert state.readings["last_trip_distance"].observed_at == datetime(
        2026, 12, 1, 8, 40, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"distance": "far"},
        {"distance": -3},
        {"duration": None},
        {"duration": [1]},
        {"energyConsumptions": "lots"},
        {"energyConsumptions": [{"type": 3, "avgConsumption": 1}, {"type": "Electric"}, 7]},
        {"energyConsumptions": [{"type": "Hydrogen", "avgConsumption": 1}]},
        {"stoppedAt": 12, "createdAt": None},
    ],
)
def test_hostile_trips_drop_fields(changes: dict[str, Any]) -> None:
    """A field that cannot be read is dropped; the others stay."""
    state = parse_last_trip([{**SPEC_TRIP, **changes}])
    assert state.readings  # something else of the trip is still read
    for key, value in changes.items():
        if key == "distance":
            assert "last_trip_distance" not in state.readings
        if key == "duration":
            assert "last_trip_duration" not in state.readings
        if key == "energyConsumptions" and not isinstance(value, list):
            assert "last_trip_energy_consumption" not in state.readings


def test_no_finished_trip_says_nothing() -> None:
    """An empty page, or only the trip under way: no readings."""
    assert not parse_last_trip([]).readings
    assert not parse_last_trip([{"id": "t", "done": False, "distance": 3}]).readings


def test_a_trips_page_of_the_wrong_type_is_a_protocol_error() -> None:
    """The page itself must be an object; a list of non-objects is no trips."""
    with pytest.raises(ProtocolError):
        page_items(["trip"], "trips", "trips")
    items, _next = page_items({"_embedded": {"trips": [1, "x", None]}}, "trips", "trips")
    assert not parse_last_trip(items).readings


def test_the_newest_active_alert() -> None:
    """The active alert that began last; its spec type in snake case, unknown ones as other."""
    items: list[dict[str, Any]] = [
        {"active": True, "type": "AddWasherFluid", "startedAt": "2026-12-01T08:00:00Z"},
        {"active": False, "type": "OilLevelLow", "startedAt": "2026-12-02T08:00:00Z"},
        {
            "active": True,
            "type": "LeftFrontTirePressurSensorFault",
            "startedAt": "2026-12-01T09:00Z",
        },
        {"active": True, "type": "AddWasherFluid", "startedAt": None},
    ]
    state = parse_alerts(items)
    assert state.value("alerts_active") == 3
    assert state.value("latest_alert") == "left_front_tire_pressur_sensor_fault"
    assert state.value("latest_alert_code") == "LeftFrontTirePressurSensorFault"
    assert state.value("latest_alert_started") == datetime(2026, 12, 1, 9, tzinfo=UTC)
    unknown = parse_alerts(
        [{"active": "true", "type": "NewThing", "startedAt": "2026-12-01T08:00Z"}]
    )
    assert (unknown.value("latest_alert"), unknown.value("latest_alert_code")) == (
        "other",
        "NewThing",
    )


@pytest.mark.parametrize(
    "item",
    [{"active": True, "type": 7, "startedAt": 3}, {"active": True, "type": ["x"]}, {"active": 5}],
)
def test_an_alert_without_type_or_start_is_only_counted(item: dict[str, Any]) -> None:
    """No readable type or start time: no newest alert."""
    state = parse_alerts([item])
    assert "latest_alert" not in state.readings


@pytest.mark.parametrize("name", STATUS_FILES)
def test_real_climate_programs(name: str) -> None:
    """Real statuses list programs without slot numbers: their place is the slot."""
    status = json.loads(real_path(f"stellantis/status/{name}").read_text())
    state = parse_status(status)
    programs = climate_programs(status)
    assert set(programs) <= {1, 2, 3, 4}
    for slot, program in programs.items():
        assert state.value(f"climate_program_{slot}") == program.get("enabled")
        assert isinstance(state.value(f"climate_program_{slot}_start"), int)


def test_hostile_climate_programs() -> None:
    """Slots outside 1-4, repeated slots, unreadable starts and flags are dropped."""
    status = {
        "preconditioning": {
            "airConditioning": {
                "programs": [
                    {"slot": 9, "enabled": True, "start": "PT1H"},
                    {"slot": "2", "enabled": "yes", "start": "PT8H5M"},
                    {"slot": 2, "enabled": True, "start": "PT9H"},
                    {"slot": 3, "enabled": True, "start": "P2D"},
                    "program",
                ]
            }
        }
    }
    state = parse_status(status)
    assert "climate_program_2" not in state.readings
    assert state.value("climate_program_2_start") == 8 * 60 + 5
    assert state.value("climate_program_3") is True
    assert "climate_program_3_start" not in state.readings
    assert not any(key.startswith("climate_program_9") for key in state.readings)


def test_a_program_change_keeps_the_rest() -> None:
    """Set carries slot, enabled, start and days; the untouched parts come from the car."""
    current = {
        "enabled": True,
        "recurrence": "Daily",
        "start": "PT17H30M",
        "occurence": {"day": ["Sat", 3]},
    }
    body = climate_program_body(ClimateProgramChange(2, enabled=False), current)
    (program,) = body["preconditioning"]["airConditioning"]["programs"]
    assert program == {
        "slot": 2,
        "actionsType": "Set",
        "enabled": False,
        "recurrence": "Daily",
        "start": "PT17H30M",
        "occurence": {"day": ["Sat"]},
    }
    fresh = climate_program_body(ClimateProgramChange(4, start=time(6, 5)), None)
    (program,) = fresh["preconditioning"]["airConditioning"]["programs"]
    assert (program["enabled"], program["start"], len(program["occurence"]["day"])) == (
        False,
        "PT6H5M",
        7,
    )
    with pytest.raises(CommandFailedError):
        climate_program_body(None, current)
