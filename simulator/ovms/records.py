"""The protocol v2 records an OVMS module sends: comma-separated S, D, L, W, Y and F."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math
from typing import Final, Literal

from ..vehicle import CHARGE_EFFICIENCY, WHEELS, Vehicle

Units = Literal["K", "M"]
KM_PER_MILE: Final = 1.609344
KPA_PER_PSI: Final = 6.894757

_STATE_NUMBER: Final = {"charging": "1", "topoff": "2", "done": "4", "stopped": "21"}
_SUBSTATE: Final = {"charging": "5", "topoff": "5", "done": "7", "stopped": "0"}
CHARGE_MODES: Final = {"standard": 0, "storage": 1, "range": 3, "performance": 4}
_LEGACY_S_FIELDS: Final = 34  # firmware before the charge-input and battery fields
_LEGACY_D_FIELDS: Final = 20  # firmware before the cabin temperature


@dataclass(frozen=True)
class Record:
    """One stored message: its code, arrival time (whole seconds) and payload."""

    code: str
    time: datetime
    msg: str


def _n(value: float, digits: int = 0) -> str:
    text = f"{value:.{digits}f}"
    return "0" if text.strip("-0.") == "" else text


def _bits(*flags: tuple[bool, int]) -> int:
    return sum(bit for on, bit in flags if on)


def _dist(km: float, units: Units) -> float:
    return km if units == "K" else km / KM_PER_MILE


def status(v: Vehicle, units: Units, *, legacy: bool = False) -> str:
    """Return the S (state of charge and charging) record."""
    limit = v.spec.charge_limit
    to_limit = v.minutes_to(limit)
    grid_total = v.odometer_km * v.spec.consumption_wh_km / 1000 / CHARGE_EFFICIENCY
    charge_minutes = (
        (v.time - v.charge_began).total_seconds() / 60 if v.plugged and v.charge_began else 0.0
    )
    volts = v.spec.line_voltage * v.spec.charge_phases
    fields = [
        _n(v.soc, 1),
        units,
        _n(v.spec.line_voltage if v.plugged else 0),
        _n(v.charge_current),
        v.charge_state,
        v.charge_mode,
        _n(_dist(v.ideal_range_km(), units)),
        _n(_dist(v.estimated_range_km(), units)),
        _n(v.charge_current_limit or math.ceil(v.spec.charge_kw * 1000 / volts)),
        _n(charge_minutes),
        "0",
        _n(v.charge_kwh * 10),
        _SUBSTATE[v.charge_state],
        _STATE_NUMBER[v.charge_state],
        str(CHARGE_MODES.get(v.charge_mode, 0)),
        "0",
        "0",
        "-1",
        "" if legacy else _n(v.capacity_ah, 1),
        _n(v.minutes_to(100)),
        _n(to_limit),
        _n(_dist(v.ideal_range_km(limit), units)),
        _n(limit),
        "0",
        "0",
        "0",
        _n(to_limit),
        _n(to_limit),
        _n(to_limit),
        _n(_dist(v.ideal_range_km(100), units)),
        "",
        _n(v.charge_power_kw * CHARGE_EFFICIENCY if v.charging else 0, 1),
        _n(v.pack_voltage, 1),
        _n(v.spec.soh),
        _n(v.charge_power_kw if v.charging else 0, 1),
        _n(CHARGE_EFFICIENCY * 100 if v.charging else 0, 1),
        _n(v.battery_current, 1),
        _n(_dist(-v.power_kw * 1000 / v.spec.ideal_wh_km, units) if v.charging else 0, 1),
        _n(v.charge_kwh, 2),
        _n(grid_total, 1),
        _n(v.spec.capacity_kwh * v.spec.soh / 100, 1),
    ]
    return ",".join(fields[:_LEGACY_S_FIELDS] if legacy else fields)


def environment(v: Vehicle, units: Units, *, legacy: bool = False) -> str:
    """Return the D (doors, temperatures, odometer, 12 V) record."""
    d = v.doors
    doors1 = _bits(
        (d["fl"], 1),
        (d["fr"], 2),
        (d["chargeport"], 4),
        (v.plugged, 8),
        (v.charging, 16),
        (True, 32),
        (not v.car_on, 64),
        (v.car_on, 128),
    )
    doors2 = _bits((v.locked, 8), (v.valet, 16), (d["hood"], 64), (d["trunk"], 128))
    doors5 = _bits((d["rl"], 1), (d["rr"], 2), (v.awake, 16))
    fields = [
        str(doors1),
        str(doors2),
        "4" if v.locked else "5",
        _n(v.pem_temp, 1),
        _n(v.motor_temp, 1),
        _n(v.battery_temp, 1),
        _n(_dist(v.trip_km, units) * 10),
        _n(math.floor(_dist(v.odometer_km, units) * 10)),
        _n(_dist(v.speed_kmh, units)),
        str(v.parked_seconds()),
        _n(v.ambient_temp, 1),
        "3" if v.awake else "0",
        "1",
        "1",
        _n(v.twelve_volt, 2),
        "4" if v.alarm else "0",
        "12.60",
        str(doors5),
        _n(v.charger_temp, 1),
        _n(v.twelve_volt_current, 1),
        _n(v.cabin_temp, 1),
    ]
    return ",".join(fields[:_LEGACY_D_FIELDS] if legacy else fields)


def location(v: Vehicle, units: Units) -> str:
    """Return the L (GPS, trip and energy) record."""
    altitude = 9 + 4 * math.sin(v.position.lat * 700) + 3 * math.cos(v.position.lon * 900)
    return ",".join(
        [
            _n(v.position.lat, 6),
            _n(v.position.lon, 6),
            _n(v.direction),
            _n(altitude),
            "1",
            "1",
            _n(_dist(v.speed_kmh, units)),
            _n(_dist(v.trip_km, units) * 10),
            "0",
            _n(v.power_kw, 3),
            _n(v.energy_used_wh),
            _n(v.energy_recd_wh),
            _n(v.power_kw if v.car_on else 0, 1),
            _n(94.0 if v.car_on else 0, 1),
        ]
    )


def tpms_v2(v: Vehicle) -> str:
    """Return the W record: pressure (psi) and temperature per wheel, front right first."""
    fields = []
    for wheel in ("fr", "rr", "fl", "rl"):
        tyre = v.tyres[wheel]
        fields += [_n(tyre.kpa / KPA_PER_PSI, 1), _n(tyre.temperature, 1)]
    return ",".join([*fields, "1"])


def tpms_v3(v: Vehicle) -> str:
    """Return the Y record: wheel names, then pressures (kPa), temperatures, health, alerts.

    Each group is its count, its values and its stale flag.
    """
    tyres = [v.tyres[w] for w in WHEELS]
    groups = (
        [_n(t.kpa, 1) for t in tyres],
        [_n(t.temperature, 1) for t in tyres],
        [_n(t.health) for t in tyres],
        [str(t.alert) for t in tyres],
    )
    fields = [str(len(WHEELS)), *WHEELS]
    for values in groups:
        fields += [str(len(values)), *values, "1"]
    return ",".join(fields)


def firmware(v: Vehicle, vehicle_type: str) -> str:
    """Return the F record: firmware, VIN, signal, write access, vehicle type, provider."""
    return f"3.3.004-OTA/main,{v.spec.vin},21,1,{vehicle_type},Proximus"


def capabilities(codes: frozenset[int]) -> str:
    """Return the V record (v2 firmware): the commands the car takes, runs as ``C<a>-<b>``."""
    runs: list[tuple[int, int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return ",".join(f"C{a}" if a == b else f"C{a}-{b}" for a, b in runs)
