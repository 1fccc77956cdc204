"""Property tests: no input makes any parser raise anything but ProtocolError.

Every parser entry point of the three back ends is listed in ``ENTRY_POINTS``
(JSON already decoded) or ``TEXT_ENTRY_POINTS`` (a raw answer: JSON decoding,
error bodies, Retry-After). Each gets random JSON with hostile leaves (numbers
of 400 digits, NaN and infinity, times at the calendar's ends, ISO durations
of 400 digits, wrong types) and subtrees nested 100,000 deep, and mutations of
the real captured payloads. Whatever comes back must be representable: no
non-finite number, no naive time, anywhere in the result.

Example counts come from a Hypothesis profile: ``parsers`` (the suite's, fast)
or, with ``PARSER_PROFILE=parsers-thorough``, 10,000 examples per entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import dataclasses
from datetime import datetime
from functools import partial
import inspect
import json
import math
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.connected_vehicle.api.errors import ProtocolError, VehicleApiError
from custom_components.connected_vehicle.api.http import Response, error_for_status
from custom_components.connected_vehicle.api.ovms import (
    client as ovms_client,
    parse as ovms_parse,
)
from custom_components.connected_vehicle.api.ovms.parse import (
    parse_connect,
    parse_location,
    parse_record,
    parse_tpms,
    parse_vehicle as parse_ovms_vehicle,
    parse_vehicle_list as parse_ovms_vehicle_list,
)
from custom_components.connected_vehicle.api.stellantis import (
    client as stellantis_client,
    parse as stellantis_parse,
)
from custom_components.connected_vehicle.api.stellantis.parse import (
    callback_id,
    find_callback,
    links_of,
    page_items,
    parse_alerts,
    parse_last_trip,
    parse_maintenance,
    parse_remote_action,
    parse_status,
    parse_vehicle as parse_stellantis_vehicle,
    parse_webhook,
    remote_action_id,
)
from custom_components.connected_vehicle.api.volvo import (
    parse as volvo_parse,
    results as volvo_results,
    vehicle as volvo_vehicle,
)
from custom_components.connected_vehicle.api.volvo.errors import error_for as volvo_error_for
from custom_components.connected_vehicle.api.volvo.parse import ENDPOINTS, parse_endpoint
from custom_components.connected_vehicle.api.volvo.results import parse_invoke
from custom_components.connected_vehicle.api.volvo.vehicle import (
    parse_commands,
    parse_details,
    parse_energy_capabilities,
    parse_vehicle_list as parse_volvo_vehicle_list,
    unsupported_energy_fields,
)

from .real_fixtures import REAL

settings.register_profile(
    "parsers",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("parsers-thorough", settings.get_profile("parsers"), max_examples=10_000)
PROFILE = settings.get_profile(os.environ.get("PARSER_PROFILE", "parsers"))


def _page(key: str) -> Callable[[Any], Any]:
    """The items of a collection page, as the client hands them to the item parsers."""
    return lambda body: page_items(body, key, f"/{key}")[0]


# Parsers of decoded JSON: name -> call.
ENTRY_POINTS: dict[str, Callable[[Any], object]] = {
    **{
        f"volvo.parse_endpoint[{endpoint}]": partial(parse_endpoint, endpoint)
        for endpoint in ENDPOINTS
    },
    "volvo.parse_vehicle_list": parse_volvo_vehicle_list,
    "volvo.parse_details": partial(parse_details, "YV1XZEDV0P2123456"),
    "volvo.parse_commands": parse_commands,
    "volvo.parse_energy_capabilities": parse_energy_capabilities,
    "volvo.unsupported_energy_fields": unsupported_energy_fields,
    "volvo.parse_invoke": parse_invoke,
    # The items stay raw JSON for the item parsers: only how many and the next link count.
    "stellantis.page_items": lambda body: (
        (len(page[0]), page[1]) if (page := page_items(body, "vehicles", "/v")) else None
    ),
    "stellantis.parse_vehicle": parse_stellantis_vehicle,
    "stellantis.links_of": lambda body: links_of(body) if isinstance(body, dict) else None,
    "stellantis.parse_status": parse_status,
    "stellantis.parse_alerts": lambda body: parse_alerts(_page("alerts")(body)),
    "stellantis.parse_last_trip": lambda body: parse_last_trip(_page("trips")(body)),
    "stellantis.parse_maintenance": parse_maintenance,
    "stellantis.callback_id": callback_id,
    "stellantis.find_callback": lambda body: find_callback(
        _page("callbacks")(body), "connected-vehicle", "https://example.invalid/hook"
    ),
    "stellantis.remote_action_id": remote_action_id,
    "stellantis.parse_remote_action": parse_remote_action,
    "stellantis.parse_webhook": parse_webhook,
    "ovms.parse_vehicle_list": parse_ovms_vehicle_list,
    "ovms.parse_vehicle": partial(parse_ovms_vehicle, "LEAF"),
    "ovms.parse_connect": parse_connect,
    "ovms.parse_record": parse_record,
    "ovms.parse_location": parse_location,
    "ovms.parse_tpms": parse_tpms,
}

# Parsers only ever called through another entry point.
REACHED_THROUGH = {
    "volvo.parse_energy_state": "volvo.parse_endpoint[energy-state]",
    "volvo.parse_location": "volvo.parse_endpoint[location]",
}


def _answer(status: int, text: str) -> Response:
    return Response(status, {}, text, "request-id", "/some/path")


# Parsers of a raw answer (status, body text): name -> call.
TEXT_ENTRY_POINTS: dict[str, Callable[[int, str], object]] = {
    "http.Response.json": lambda status, text: _answer(status, text).json(),
    "http.error_for_status[Retry-After]": lambda _status, text: error_for_status(
        Response(429, {"Retry-After": text}, "", "request-id", "/some/path")
    ),
    "volvo.error_for": lambda status, text: volvo_error_for(_answer(status, text)),
    "stellantis.error_for": lambda status, text: stellantis_client._error_for(
        _answer(status, text)
    ),
    "ovms.error_for": lambda status, text: ovms_client._error_for(_answer(status, text)),
}

# --- Inputs --------------------------------------------------------------------------


def _nested(depth: int, wrap: Callable[[Any], Any]) -> Any:
    node: Any = None
    for _ in range(depth):
        node = wrap(node)
    return node


DEEP_LIST = _nested(100_000, lambda inner: [inner])
DEEP_OBJECT = _nested(100_000, lambda inner: {"value": inner})
HUGE = 10**400
HOSTILE_TEXT = (
    "1" * 400,
    "-" + "9" * 400,
    "1e400",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e308",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01t00:00:00z",
    "Mon Jun 03 08:35:36 GMT 2019",
    "PT" + "9" * 400 + "M",
    "P" + "9" * 400 + "DT1H",
    "PT",
    "replenished in 99999999999.00:00:00",
    "Out of call volume quota. Quota will be replenished in " + "9" * 400 + ":00:00",
    "",
    " ",
    "<html>",
)
hostile_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from((HUGE, -HUGE, 2**1024, 1e308, -1e308))
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(HOSTILE_TEXT)
)
hostile_json = st.recursive(
    hostile_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=16,
)
hostile_values = hostile_json | st.sampled_from((DEEP_LIST, DEEP_OBJECT))

# Field names the parsers look for, so random objects reach the deep code paths.
FIELD_NAMES = (
    "data", "value", "unit", "timestamp", "updatedAt", "createdAt", "status", "centralLock",
    "carLocked", "timeToService", "batteryChargeLevel", "chargingStatus", "geometry",
    "coordinates", "properties", "heading", "pagination", "next", "vin", "modelYear", "fuelType",
    "batteryCapacityKWH", "command", "getEnergyState", "isSupported", "invokeStatus", "async",
    "href", "message", "error", "description", "code", "id", "_links", "_embedded", "vehicles",
    "alerts", "callbacks", "energies", "energy", "level", "autonomy", "extension", "electric",
    "charging", "remainingTime", "nextDelayedTime", "doorsState", "lockedStates", "lastPosition",
    "kinetic", "odometer", "mileage", "daysBeforeMaintenance", "remoteEvent", "remoteActionId",
    "eventStatus", "type", "failureCause", "label", "subscribe", "callback", "webhook", "target",
    "soc", "units", "carlocked", "staletemps", "latitude", "longitude", "stalegps", "fl_pressure",
    "fl_pressure_kpa", "fl_alert", "staletpms", "m_msgtime_s", "m_msgtime_d", "m_code", "m_msg",
    "v_net_connected", "m_msgage_s", "chargestate",
)  # fmt: skip
objects = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=8), hostile_values, max_size=10
)
bodies = objects | hostile_values


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _ovms(relative: str) -> Any:
    text = (REAL / "ovms" / "live-server" / relative).read_text()
    return json.loads(text.split("--- body ---\n", 1)[1])


def _real_seeds() -> dict[str, list[Any]]:
    """Real captured payloads, by the entry point that parses them (empty without them)."""
    if not REAL.exists():
        return {}
    volvo = REAL / "volvo"
    seeds: dict[str, list[Any]] = {name: [] for name in ENTRY_POINTS}
    by_stem = {
        "availability": "command-accessibility",
        "brakes": "brakes",
        "diagnostics": "diagnostics",
        "doors": "doors",
        "energy_state": "energy-state",
        "recharge_status": "energy-state",
        "engine_status": "engine-status",
        "engine_status_no_timestamp": "engine-status",
        "engine_warnings": "engine",
        "fuel_status": "fuel",
        "location": "location",
        "location_no_timestamp": "location",
        "odometer": "odometer",
        "statistics": "statistics",
        "tyres": "tyres",
        "warnings": "warnings",
        "windows": "windows",
    }
    for path in sorted(volvo.rglob("*.json")):
        if path.stem in by_stem:
            seeds[f"volvo.parse_endpoint[{by_stem[path.stem]}]"].append(_load(path))
        else:
            name = {
                "vehicle": "volvo.parse_details",
                "commands": "volvo.parse_commands",
                "energy_capabilities": "volvo.parse_energy_capabilities",
            }[path.stem]
            seeds[name].append(_load(path))
            if name == "volvo.parse_energy_capabilities":
                seeds["volvo.unsupported_energy_fields"].append(_load(path))
    seeds["stellantis.parse_status"] = [
        _load(path) for path in sorted((REAL / "stellantis" / "status").glob("*.json"))
    ]
    for folder in ("", "later/", "https/", "offline/"):
        seeds["ovms.parse_record"].append(_ovms(folder + "status.txt"))
        seeds["ovms.parse_location"].append(_ovms(folder + "location.txt"))
        seeds["ovms.parse_connect"].append(_ovms(folder + "vehicle.txt"))
        seeds["ovms.parse_vehicle_list"].append(_ovms(folder + "vehicles.txt"))
    for relative in ("charge.txt", "later/charge.txt", "https/charge.txt"):
        seeds["ovms.parse_record"].append(_ovms(relative))
    seeds["ovms.parse_tpms"].append(_ovms("offline/tpms_w.txt"))  # the others crash (404)
    seeds["ovms.parse_vehicle"].append(_ovms("extra/protocol.txt"))
    for name, shapes in SPEC_SHAPED.items():
        seeds[name] += shapes
    return seeds


# Entry points no real capture covers: shaped after the specs and seeds.
_VEHICLE = {
    "id": "dXNlci12ZWhpY2xlLTEyMzQ1Ng",
    "vin": "VR3UHZKXZLT123456",
    "brandCode": "AP",
    "motorization": "Electric",
    "_links": {"status": {"href": "/user/vehicles/x/status"}, "remotes": {"href": "/r/{cbid}"}},
}
SPEC_SHAPED: dict[str, list[Any]] = {
    "volvo.parse_vehicle_list": [
        {"data": [{"vin": "YV1XZEDV0P2123456"}], "pagination": {"next": "?offset=3"}}
    ],
    "volvo.parse_invoke": [
        {"data": {"vin": "V", "invokeStatus": "COMPLETED", "message": ""}},
        {"async": {"status": "WAITING", "href": "/connected-vehicle/v1/vehicles/V/requests/1"}},
    ],
    "stellantis.page_items": [{"_embedded": {"vehicles": [_VEHICLE]}, "_links": {"next": {}}}],
    "stellantis.parse_vehicle": [_VEHICLE],
    "stellantis.links_of": [_VEHICLE],
    "stellantis.parse_alerts": [
        {"_embedded": {"alerts": [{"active": True, "updatedAt": "2024-01-01T00:00:00Z"}]}}
    ],
    "stellantis.parse_last_trip": [
        {
            "_embedded": {
                "trips": [
                    {
                        "id": "t",
                        "stoppedAt": "2024-01-01T00:00:00Z",
                        "distance": "12,5",
                        "duration": 900,
                        "done": True,
                        "energyConsumptions": [
                            {"type": "Electric", "consumption": 2, "avgConsumption": 16000},
                            {"type": "Fuel", "consumption": 1, "avgConsumption": 550},
                        ],
                    }
                ]
            }
        }
    ],
    "stellantis.parse_maintenance": [
        {"daysBeforeMaintenance": 120, "mileageBeforeMaintenance": "12978,9"}
    ],
    "stellantis.callback_id": [{"callbackId": "cb"}, {"id": "cb"}],
    "stellantis.find_callback": [
        {
            "_embedded": {
                "callbacks": [
                    {
                        "id": "cb",
                        "label": "connected-vehicle",
                        "subscribe": {"callback": {"webhook": {"target": "t"}}},
                    }
                ]
            }
        }
    ],
    "stellantis.remote_action_id": [{"remoteActionId": "ra"}],
    "stellantis.parse_remote_action": [
        {"remoteActionId": "ra", "status": "Failed", "failureCause": "DoorsOpen"}
    ],
    "ovms.parse_tpms": [
        {
            "fl_pressure_kpa": "250.2",
            "fl_pressure": "36.3",
            "fl_alert": "1",
            "fl_temperature": "21",
            "m_msgtime_y": "2026-11-21 23:21:53",
            "staletpms": "1",
        }
    ],
    "stellantis.parse_webhook": [
        {
            "callbackId": "cb",
            "type": "Remote",
            "remoteEvent": {
                "remoteActionId": "ra",
                "eventStatus": {"type": "Done", "status": "Success"},
            },
        }
    ],
}
SEEDS = _real_seeds()


@st.composite
def mutated(draw: st.DrawFn, name: str) -> Any:
    """One of ``name``'s seed payloads with some of its nodes replaced by hostile values."""
    seed = draw(st.sampled_from(SEEDS[name]))
    rng = draw(st.randoms(use_true_random=False))
    pool = draw(st.lists(hostile_values, min_size=1, max_size=3))
    share = draw(st.sampled_from((0.02, 0.1, 0.3)))

    def walk(node: Any) -> Any:
        if rng.random() < share:
            return rng.choice(pool)
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(seed)


# --- The contract --------------------------------------------------------------------


def assert_representable(found: object) -> None:
    """No non-finite number and no naive time anywhere in a parser's result.

    Walks without recursion: decoded JSON may legitimately be nested deeper
    than Python's recursion limit.
    """
    pending = [found]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            assert math.isfinite(item), item
        elif isinstance(item, datetime):
            assert item.tzinfo is not None, item
        elif isinstance(item, (list, tuple, set, frozenset)):
            pending.extend(item)
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(getattr(item, field.name) for field in dataclasses.fields(item))
        elif isinstance(item, VehicleApiError):
            assert isinstance(str(item), str)
            pending.append(getattr(item, "retry_after", None))


# Entry points that must answer for any JSON object (a ProtocolError only for other types),
# and those that must answer for anything at all.
TOLERATE_ANY_OBJECT = frozenset(
    {f"volvo.parse_endpoint[{endpoint}]" for endpoint in ENDPOINTS}
    | {"volvo.parse_details", "stellantis.parse_status", "stellantis.parse_maintenance"}
    | {"stellantis.parse_remote_action", "stellantis.parse_webhook"}
    | {"ovms.parse_record", "ovms.parse_location", "ovms.parse_tpms", "ovms.parse_connect"}
)
TOLERATE_ANYTHING = frozenset({"stellantis.parse_vehicle", "ovms.parse_vehicle"})


def check(name: str, body: Any) -> None:
    try:
        result = ENTRY_POINTS[name](body)
    except ProtocolError:
        assert name not in TOLERATE_ANYTHING
        assert name not in TOLERATE_ANY_OBJECT or not isinstance(body, dict)
        return
    assert_representable(result)


def test_every_entry_point_is_listed_and_seeded() -> None:
    """A parser added later must be listed here, and every listed one has a seed."""
    modules = (volvo_parse, volvo_vehicle, volvo_results, stellantis_parse, ovms_parse)
    parsers = {
        f"{module.__name__.split('.')[-2]}.{name}"
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("parse_") and function.__module__ == module.__name__
    }
    listed = {name.split("[")[0] for name in ENTRY_POINTS} | set(REACHED_THROUGH)
    assert set(REACHED_THROUGH.values()) <= set(ENTRY_POINTS)
    assert parsers <= listed, parsers - listed
    if not SEEDS:
        pytest.skip(f"real fixtures not present at {REAL}")
    assert [name for name, seeds in SEEDS.items() if not seeds] == []


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@PROFILE
@given(body=bodies)
def test_random_json_raises_only_protocol_error(name: str, body: Any) -> None:
    check(name, body)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@PROFILE
@given(data=st.data())
def test_mutated_real_payloads_raise_only_protocol_error(name: str, data: st.DataObject) -> None:
    if not SEEDS:
        pytest.skip(f"real fixtures not present at {REAL}")
    check(name, data.draw(mutated(name)))


answer_texts = (
    hostile_json.map(json.dumps)
    | st.sampled_from(
        (
            "[" * 100_000 + "]" * 100_000,
            "[" * 100_000,
            '{"soc": ' + "1" * 5000 + "}",
            '{"code": []}',
            '{"code": {"a": 1}}',
            '{"error": []}',
            '{"error": {"message": ' + "[" * 50_000 + "]" * 50_000 + "}}",
            '{"message": "Out of call volume quota. replenished in 99999999999.00:00:00"}',
            "Authentication failed",
            "<html><body>502</body></html>",
        )
    )
    | st.sampled_from(HOSTILE_TEXT)
    | st.text(max_size=40)
)
statuses = st.sampled_from((200, 400, 401, 403, 404, 422, 429, 500, 502, 503))


@pytest.mark.parametrize("name", sorted(TEXT_ENTRY_POINTS))
@PROFILE
@given(status=statuses, text=answer_texts)
def test_raw_answers_raise_only_protocol_error(name: str, status: int, text: str) -> None:
    try:
        result = TEXT_ENTRY_POINTS[name](status, text)
    except ProtocolError:
        return
    assert_representable(result)
