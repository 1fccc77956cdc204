"""The car's protocol v2 messages, split into the fields the server's REST API names.

The OVMS server builds ``/api/status``, ``/api/charge``, ``/api/location`` and
``/api/tpms`` by splitting the stored S, D, L, W and Y messages at commas and
naming each field (ApiHttpCore.pm). These functions do the same split, so
the REST parser's own readers turn a live message into the same readings,
units and times a REST poll of that record gives.

Where the documents and the real server differ: the server reads "car awake"
from bit 1 of door state #3 (the cooling pump, per the documents); the
documents and the module put it in bit 0. Either bit counts as awake here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from ..coerce import as_flag, as_float, as_text
from ..errors import ProtocolError

Fields = dict[str, Any]

# Field names in message order, as ApiHttpCore.pm names them.
S_FIELDS: Final = (
    "soc", "units", "linevoltage", "chargecurrent", "chargestate", "mode", "idealrange",
    "estimatedrange", "chargelimit", "chargeduration", "chargeb4", "chargekwh", "chargesubstate",
    "chargestate_n", "mode_n", "chargetimermode", "chargestarttime", "chargetimerstale", "cac100",
    "charge_etr_full", "charge_etr_limit", "charge_limit_range", "charge_limit_soc",
    "cooldown_active", "cooldown_tbattery", "cooldown_timelimit", "charge_estimate",
    "charge_etr_range", "charge_etr_soc", "idealrange_max", "chargetype", "chargepower",
    "battvoltage", "soh", "chargepowerinput", "chargerefficiency", "batt_current",
    "batt_range_speed", "charge_kwh_grid", "charge_kwh_grid_total", "batt_capacity",
)  # fmt: skip
D_FIELDS: Final = (
    "doors1", "doors2", "lockunlock", "temperature_pem", "temperature_motor",
    "temperature_battery", "tripmeter", "odometer", "speed", "parkingtimer",
    "temperature_ambient", "doors3", "staletemps", "staleambient", "vehicle12v", "doors4",
    "vehicle12v_ref", "doors5", "temperature_charger", "vehicle12v_current", "temperature_cabin",
)  # fmt: skip
L_FIELDS: Final = (
    "latitude", "longitude", "direction", "altitude", "gpslock", "stalegps", "speed",
    "tripmeter", "drivemode", "power", "energyused", "energyrecd", "invpower", "invefficiency",
)  # fmt: skip
W_FIELDS: Final = (
    "fr_pressure", "fr_temperature", "rr_pressure", "rr_temperature",
    "fl_pressure", "fl_temperature", "rl_pressure", "rl_temperature", "staletpms",
)  # fmt: skip
# REST flag -> the D field it is masked from, and the mask.
D_FLAGS: Final = {
    "fl_dooropen": ("doors1", 0b1), "fr_dooropen": ("doors1", 0b10),
    "cp_dooropen": ("doors1", 0b100), "pilotpresent": ("doors1", 0b1000),
    "charging": ("doors1", 0b10000), "handbrake": ("doors1", 0b1000000),
    "caron": ("doors1", 0b10000000), "carlocked": ("doors2", 0b1000),
    "valetmode": ("doors2", 0b10000), "bt_open": ("doors2", 0b1000000),
    "tr_open": ("doors2", 0b10000000), "carawake": ("doors3", 0b11),
    "alarmsounding": ("doors4", 0b100), "charging_12v": ("doors5", 0b10000),
}  # fmt: skip
_Y_GROUPS: Final = ("pressure", "temperature", "health", "alert")
_MAX_COUNT_DIGITS: Final = 4
_MAX_COMMAND: Final = 65535


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """What the F message says about the car's module (the VIN stays out of reprs)."""

    firmware: str | None = None
    vin: str | None = field(default=None, repr=False)
    vehicle_type: str | None = None
    write_enabled: bool | None = None
    network: str | None = None
    hardware: str | None = None


def split_fields(payload: str, names: tuple[str, ...]) -> Fields:
    """Name a message's comma-separated fields; missing ones are left out."""
    return dict(zip(names, payload.split(","), strict=False))


def status_fields(payload: str) -> Fields:
    """S (state of charge, charging, ranges) as ``/api/charge`` names it."""
    return split_fields(payload, S_FIELDS)


def environment_fields(payload: str) -> Fields:
    """D (doors, temperatures, odometer, 12 V) as ``/api/status`` names it, flags masked."""
    fields = split_fields(payload, D_FIELDS)
    for name, (source, mask) in D_FLAGS.items():
        number = as_float(fields.get(source), field=source)
        if number is not None and abs(number) < 2**31:
            fields[name] = int(number) & mask
    return fields


def location_fields(payload: str) -> Fields:
    """L (position, trip, power) as ``/api/location`` names it."""
    return split_fields(payload, L_FIELDS)


def tpms_v2_fields(payload: str) -> Fields:
    """W (old TPMS: psi and °C per wheel, front right first) as ``/api/tpms`` names it."""
    return split_fields(payload, W_FIELDS)


def tpms_v3_fields(payload: str) -> Fields:
    """Y (TPMS: wheel names, then counted groups of kPa, °C, health, alert) as ``/api/tpms``.

    Each group is a count, that many values and a validity flag; ``staletpms``
    is the best of the flags, as the server computes it. A Y message that does
    not add up raises ProtocolError.
    """
    tokens = payload.split(",")
    wheels = [name.lower() for name in _counted(tokens, 0)]
    at = 1 + len(wheels)
    fields: Fields = {}
    flags: list[float] = []
    for group in _Y_GROUPS:
        values = _counted(tokens, at)
        at += 1 + len(values)
        flag = as_float(_token(tokens, at), field=f"stale_{group}")
        at += 1
        if flag is not None:
            flags.append(flag)
        suffix = "pressure_kpa" if group == "pressure" else group
        for wheel, value in zip(wheels, values, strict=False):
            fields[f"{wheel}_{suffix}"] = value
    if flags:
        fields["staletpms"] = max(flags)
    return fields


def parse_firmware(payload: str) -> ModuleInfo:
    """F: firmware, VIN, signal, write access, vehicle type, network, service, hardware."""
    fields = payload.split(",")

    def text(index: int) -> str | None:
        return as_text(fields[index]) if index < len(fields) else None

    write = as_flag(text(3), field="write_enabled")
    return ModuleInfo(
        firmware=text(0),
        vin=text(1),
        vehicle_type=(code.upper() if (code := text(4)) else None),
        write_enabled=write,
        network=text(5),
        hardware=text(8),
    )


def parse_capabilities(payload: str) -> frozenset[int]:
    """V (sent by v2 firmware): the command codes the car supports, from ``C<n>`` and ``C<a>-<b>``."""
    codes: set[int] = set()
    for raw in payload.split(","):
        item = raw.strip()
        first, _, last = item.removeprefix("C").partition("-")
        if not item.startswith("C") or not _is_number(first):
            continue
        low = int(first[:6])
        high = int(last[:6]) if _is_number(last) else low
        codes.update(range(low, min(high, _MAX_COMMAND) + 1))
    return frozenset(code for code in codes if code <= _MAX_COMMAND)


def parse_peers(payload: str) -> int | None:
    """Z: how many peers are connected (for an app: 1 when the car is)."""
    number = as_float(payload, field="peers")
    return int(number) if number is not None and 0 <= number < 2**31 else None


def parse_age(payload: str) -> float | None:
    """T: seconds since the car last sent a message (None when unreadable)."""
    number = as_float(payload, field="age")
    return number if number is not None and 0 <= number < 10**9 else None


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _token(tokens: list[str], index: int) -> str:
    if index >= len(tokens):
        raise ProtocolError("protocol v2: Y message ends too early")
    return tokens[index]


def _counted(tokens: list[str], at: int) -> list[str]:
    """The values after a count at ``at``."""
    count = _token(tokens, at).strip()
    if not _is_number(count) or len(count) > _MAX_COUNT_DIGITS:
        raise ProtocolError("protocol v2: Y message with an unreadable count")
    values = tokens[at + 1 : at + 1 + int(count)]
    if len(values) < int(count):
        raise ProtocolError("protocol v2: Y message ends too early")
    return values
