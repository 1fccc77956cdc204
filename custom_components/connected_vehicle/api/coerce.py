"""Tolerant value coercion shared by every parser.

Back ends send numbers as strings, flags as bit values, empty strings for
"unknown". These helpers answer None for anything they cannot read or
represent (with a debug log): a number of 400 digits, NaN or infinity, a time
beyond the calendar's ends. So one odd field never fails a whole snapshot,
and no non-finite number ever reaches an entity.
"""

from __future__ import annotations

from datetime import UTC, datetime
import logging
import math
from typing import Any

from .errors import ProtocolError

_LOGGER = logging.getLogger(__name__)


def as_float(raw: Any, *, field: str = "") -> float | None:
    """A finite number from a number or numeric string; None otherwise."""
    if raw is None or isinstance(raw, bool) or raw == "":
        return None
    try:
        number = float(raw)
    except TypeError, ValueError:
        _LOGGER.debug("Ignoring %s: not a number", field or "value")
        return None
    except OverflowError:
        number = math.inf  # an integer too large for a float
    if not math.isfinite(number):
        _LOGGER.debug("Ignoring %s: not a finite number", field or "value")
        return None
    return number


def as_flag(raw: Any, *, field: str = "") -> bool | None:
    """True for any non-zero number (bit-valued flags), None when unreadable."""
    if isinstance(raw, bool):
        return raw
    number = as_float(raw, field=field)
    return None if number is None else number != 0


def as_text(raw: Any) -> str | None:
    """A non-empty string from a string or number; None otherwise."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        return str(raw) if math.isfinite(raw) else None
    if isinstance(raw, int):
        try:
            return str(raw)
        except ValueError:  # more digits than Python converts to text
            return None
    if isinstance(raw, str):
        return raw.strip() or None
    return None


def as_utc(raw: Any, fmt: str | None = None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (or ``fmt``); None when unreadable."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        parsed = datetime.strptime(raw, fmt) if fmt else datetime.fromisoformat(raw)  # noqa: DTZ007
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        _LOGGER.debug("Ignoring unreadable time %r", raw[:40])
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        _LOGGER.debug("Ignoring a time beyond the calendar %r", raw[:40])
    return None


def as_position(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    """Latitude and longitude when both are read and on Earth; None otherwise."""
    if latitude is None or longitude is None:
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        _LOGGER.debug("Ignoring a position off the globe")
        return None
    return latitude, longitude


def as_object(raw: Any, what: str) -> dict[str, Any]:
    """The JSON object a response must be, or ProtocolError."""
    if not isinstance(raw, dict):
        raise ProtocolError(f"{what}: expected a JSON object, got {type(raw).__name__}")
    return raw


def as_list(raw: Any, what: str) -> list[Any]:
    """The JSON array a response must be, or ProtocolError."""
    if not isinstance(raw, list):
        raise ProtocolError(f"{what}: expected a JSON array, got {type(raw).__name__}")
    return raw
