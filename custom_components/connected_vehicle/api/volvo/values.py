"""Volvo's value objects ``{value, unit, timestamp}`` and their enums, read tolerantly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
import logging
from types import MappingProxyType
from typing import Any, Final

from ..coerce import as_float, as_object, as_text, as_utc
from ..models import Reading, Value

_LOGGER = logging.getLogger(__name__)

# Volvo's unit spellings -> Home Assistant's.
UNITS: Final = MappingProxyType(
    {
        "km": "km", "kilometers": "km", "kilometres": "km",
        "mi": "mi", "miles": "mi",
        "l": "L", "liters": "L", "litres": "L", "liter": "L", "litre": "L",
        "%": "%", "percentage": "%", "percent": "%",
        "kwh": "kWh", "kw": "kW", "w": "W", "watts": "W", "watt": "W",
        "a": "A", "ampere": "A", "amperes": "A", "amps": "A", "v": "V", "volts": "V",
        "min": "min", "minutes": "min", "minute": "min",
        "h": "h", "hours": "h", "hour": "h", "d": "d", "days": "d", "day": "d",
        "km/h": "km/h", "kmh": "km/h", "mph": "mph",
        "l/100km": "L/100km", "kwh/100km": "kWh/100km",
        "mpg": "mpg", "kwh/100mi": "kWh/100mi", "mi/kwh": "mi/kWh",
    }
)  # fmt: skip
# Values that say "the car did not tell" rather than anything about the car.
UNKNOWN: Final = frozenset({"", "UNSPECIFIED", "UNKNOWN", "NULL"})


@dataclass(frozen=True, slots=True)
class Field:
    """One reported value with its unit and time, as found in a payload."""

    value: Any
    unit: str | None
    observed_at: datetime | None


def unwrap(raw: Any, what: str) -> dict[str, Any]:
    """The JSON object of an answer, inside ``data`` when the answer has that envelope."""
    payload = as_object(raw, what)
    inner = payload.get("data")
    return inner if isinstance(inner, dict) else payload


def find(payload: dict[str, Any], names: Iterable[str]) -> Field | None:
    """The first present, non-error field of ``names`` (v2 spelling first, then v1)."""
    for name in names:
        item = payload.get(name)
        if isinstance(item, dict):
            if as_text(item.get("status")) == "ERROR" or "value" not in item:
                continue
            observed = as_utc(item.get("timestamp")) or as_utc(item.get("updatedAt"))
            return Field(item["value"], as_text(item.get("unit")), observed)
        if item is not None and not isinstance(item, list):
            return Field(item, None, None)
    return None


def enum(raw: Any) -> str | None:
    """An enum value upper-cased, None for the "not specified" values."""
    text = as_text(raw)
    if text is None or isinstance(raw, (int, float)):
        return None
    text = text.upper()
    return None if text in UNKNOWN else text


def unit_of(field: Field, default: str) -> str | None:
    """The field's unit in Home Assistant's spelling; None when it is not one we know."""
    if field.unit is None:
        return default
    unit = UNITS.get(field.unit.strip().lower())
    if unit is None:
        _LOGGER.debug("Ignoring a value in unknown unit %r", field.unit)
    return unit


def reading(field: Field, value: Value | None, unit: str | None = None) -> Reading | None:
    """A reading of ``value`` observed when the field was, or None without a value."""
    return None if value is None else Reading(value, unit, field.observed_at)


def number(field: Field, default_unit: str, *, name: str = "") -> Reading | None:
    """A numeric reading in its (normalized) unit."""
    value = as_float(field.value, field=name)
    unit = unit_of(field, default_unit)
    return None if value is None or unit is None else Reading(value, unit, field.observed_at)


def is_open(raw: Any) -> bool | None:
    """OPEN and AJAR are open, CLOSED is closed."""
    if isinstance(raw, bool):
        return raw
    value = enum(raw)
    return {"OPEN": True, "AJAR": True, "CLOSED": False}.get(value or "")


def is_locked(raw: Any) -> bool | None:
    """LOCKED is True, UNLOCKED False."""
    if isinstance(raw, bool):
        return raw
    return {"LOCKED": True, "UNLOCKED": False}.get(enum(raw) or "")


def is_running(raw: Any) -> bool | None:
    """RUNNING (or true) is True, STOPPED (or false) False."""
    if isinstance(raw, bool):
        return raw
    return {"RUNNING": True, "TRUE": True, "STOPPED": False, "FALSE": False}.get(enum(raw) or "")


def needs_attention(raw: Any) -> bool | None:
    """A warning enum: NO_WARNING is False, any named warning True, unspecified None."""
    if isinstance(raw, bool):
        return raw
    value = enum(raw)
    if value is None:
        return None
    return value not in ("NO_WARNING", "OK", "NORMAL", "FALSE")
