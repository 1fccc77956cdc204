"""The server's JSON views of stored records, field for field as ApiHttpCore.pm builds them.

Values split from a record stay strings (``None`` when the record is too short);
flags are the record's bits masked in place; ages are whole seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .records import KPA_PER_PSI, Record

JsonDict = dict[str, Any]

TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"

_S_FIELDS: Final = (
    "soc", "units", "linevoltage", "chargecurrent", "chargestate", "mode", "idealrange",
    "estimatedrange", "chargelimit", "chargeduration", "chargeb4", "chargekwh", "chargesubstate",
    "chargestate_n", "mode_n", "chargetimermode", "chargestarttime", "chargetimerstale", "cac100",
    "charge_etr_full", "charge_etr_limit", "charge_limit_range", "charge_limit_soc",
    "cooldown_active", "cooldown_tbattery", "cooldown_timelimit", "charge_estimate",
    "charge_etr_range", "charge_etr_soc", "idealrange_max", "chargetype", "chargepower",
    "battvoltage", "soh", "chargepowerinput", "chargerefficiency", "batt_current",
    "batt_range_speed", "charge_kwh_grid", "charge_kwh_grid_total", "batt_capacity",
)  # fmt: skip
_D_FIELDS: Final = (
    "doors1", "doors2", "lockunlock", "temperature_pem", "temperature_motor",
    "temperature_battery", "tripmeter", "odometer", "speed", "parkingtimer",
    "temperature_ambient", "doors3", "staletemps", "staleambient", "vehicle12v", "doors4",
    "vehicle12v_ref", "doors5", "temperature_charger", "vehicle12v_current", "temperature_cabin",
)  # fmt: skip
_L_FIELDS: Final = (
    "latitude", "longitude", "direction", "altitude", "gpslock", "stalegps", "speed",
    "tripmeter", "drivemode", "power", "energyused", "energyrecd", "invpower", "invefficiency",
)  # fmt: skip
_W_FIELDS: Final = (
    "fr_pressure", "fr_temperature", "rr_pressure", "rr_temperature",
    "fl_pressure", "fl_temperature", "rl_pressure", "rl_temperature", "staletpms",
)  # fmt: skip
_Y_GROUPS: Final = ("pressure", "temperature", "health", "alert")

_STATUS_S: Final = (
    "soc", "units", "idealrange", "idealrange_max", "estimatedrange", "mode", "chargestate",
    "cac100", "soh", "cooldown_active",
)  # fmt: skip
_CHARGE_S: Final = tuple(f for f in _S_FIELDS if f not in ("chargestate_n", "mode_n"))
_TEMPERATURES: Final = tuple(f for f in _D_FIELDS if f.startswith("temperature_"))
_D_VALUES: Final = (
    "staletemps", "staleambient", "vehicle12v", "vehicle12v_ref", "vehicle12v_current",
)  # fmt: skip
_STATUS_D: Final = (*_TEMPERATURES, "tripmeter", "odometer", "speed", "parkingtimer", *_D_VALUES)
_CHARGE_D: Final = (*_TEMPERATURES, *_D_VALUES)
_STATUS_BITS: Final = {
    "fl_dooropen": ("doors1", 1), "fr_dooropen": ("doors1", 2), "cp_dooropen": ("doors1", 4),
    "pilotpresent": ("doors1", 8), "charging": ("doors1", 16), "handbrake": ("doors1", 64),
    "caron": ("doors1", 128), "carlocked": ("doors2", 8), "valetmode": ("doors2", 16),
    "bt_open": ("doors2", 64), "tr_open": ("doors2", 128), "carawake": ("doors3", 2),
    "charging_12v": ("doors5", 16), "alarmsounding": ("doors4", 4),
}  # fmt: skip
_CHARGE_BITS: Final = (
    "cp_dooropen", "pilotpresent", "charging", "caron", "carawake", "charging_12v",
)  # fmt: skip


def _split(record: Record, names: tuple[str, ...]) -> dict[str, str | None]:
    values = record.msg.split(",")
    return {name: values[i] if i < len(values) else None for i, name in enumerate(names)}


def _bit(value: str | None, mask: int) -> int:
    try:
        return int(value or 0) & mask
    except ValueError:
        return 0


def _stamp(result: JsonDict, record: Record, suffix: str, now: datetime) -> None:
    result[f"m_msgtime_{suffix}"] = record.time.strftime(TIME_FORMAT)
    result[f"m_msgage_{suffix}"] = int(now.timestamp()) - int(record.time.timestamp())


def _environment(
    result: JsonDict, d: Record, now: datetime, values: tuple[str, ...], bits: tuple[str, ...]
) -> None:
    fields = _split(d, _D_FIELDS)
    _stamp(result, d, "d", now)
    result.update({name: fields[name] for name in values})
    for name in bits:
        field, mask = _STATUS_BITS[name]
        result[name] = _bit(fields[field], mask)


def status(s: Record | None, d: Record | None, now: datetime) -> JsonDict:
    """Return ``/api/status``: S values and D values and flags."""
    result: JsonDict = {}
    if s is not None:
        fields = _split(s, _S_FIELDS)
        _stamp(result, s, "s", now)
        result.update({name: fields[name] for name in _STATUS_S})
    if d is not None:
        _environment(result, d, now, _STATUS_D, tuple(_STATUS_BITS))
    return result


def charge(s: Record | None, d: Record | None, now: datetime) -> JsonDict:
    """Return ``/api/charge``: every S value, and the D values about charging."""
    result: JsonDict = {}
    if s is not None:
        fields = _split(s, _S_FIELDS)
        _stamp(result, s, "s", now)
        result.update({name: fields[name] for name in _CHARGE_S})
    if d is not None:
        _environment(result, d, now, _CHARGE_D, _CHARGE_BITS)
    return result


def location(l_record: Record | None, now: datetime) -> JsonDict:
    """Return ``/api/location`` from the L record."""
    if l_record is None:
        return {}
    result: JsonDict = dict(_split(l_record, _L_FIELDS))
    _stamp(result, l_record, "l", now)
    return result


def tpms(w: Record | None, y: Record | None, now: datetime) -> JsonDict:
    """Return ``/api/tpms``: from the Y record when the car sends one, else from W."""
    if y is not None:
        return _tpms_v3(y, now)
    if w is None:
        return {}
    result: JsonDict = dict(_split(w, _W_FIELDS))
    _stamp(result, w, "w", now)
    return result


def _tpms_v3(y: Record, now: datetime) -> JsonDict:
    tokens = y.msg.split(",")
    count = int(tokens[0])
    wheels = [name.lower() for name in tokens[1 : 1 + count]]
    result: JsonDict = {}
    stale: list[int] = []
    at = 1 + count
    for group in _Y_GROUPS:
        n = int(tokens[at])
        values, flag = tokens[at + 1 : at + 1 + n], tokens[at + 1 + n]
        at += n + 2
        result[f"stale_{group}"] = flag
        stale.append(int(flag))
        for wheel, value in zip(wheels, values, strict=False):
            if group == "pressure":
                result[f"{wheel}_pressure_kpa"] = value
                result[f"{wheel}_pressure"] = round(float(value) / KPA_PER_PSI, 2)
            else:
                result[f"{wheel}_{group}"] = value
    result["staletpms"] = max(stale)
    _stamp(result, y, "y", now)
    _stamp(result, y, "w", now)
    return result


def protocol(stored: list[Record]) -> list[JsonDict]:
    """Return ``/api/protocol``: the raw stored records."""
    return [
        {
            "m_code": r.code,
            "m_msg": r.msg,
            "m_msgtime": r.time.strftime(TIME_FORMAT),
            "m_paranoid": 0,
            "m_ptoken": "",
        }
        for r in stored
    ]


def history_summary(history: dict[str, list[Record]]) -> list[JsonDict]:
    """Return the ``/api/historical`` summary, one row per record type."""
    return [
        {
            "h_recordtype": code,
            "distinctrecs": 1,
            "totalrecs": len(rows),
            "totalsize": str(sum(len(r.msg) for r in rows)),
            "first": rows[0].time.strftime(TIME_FORMAT),
            "last": rows[-1].time.strftime(TIME_FORMAT),
        }
        for code, rows in sorted(history.items())
        if rows
    ]


def history_records(rows: list[Record]) -> list[JsonDict]:
    """Return ``/api/historical/<id>/<type>`` rows."""
    return [
        {"h_timestamp": r.time.strftime(TIME_FORMAT), "h_recordnumber": 0, "h_data": r.msg}
        for r in rows
    ]
