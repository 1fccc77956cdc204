"""Tolerant value coercion shared by every parser.

Back ends send numbers as strings, flags as bit values, empty strings for
"unknown". These helpers answer None for anything they cannot read (with a
debug log), so one odd field never fails a whole snapshot.
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
    return number if math.isfinite(number) else None


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
    if isinstance(raw, int | float):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip() or None
    return None


def as_utc(raw: Any, fmt: str | None = None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (or ``fmt``); None when unreadable."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        parsed = datetime.strptime(raw, fmt) if fmt else datetime.fromisoformat(raw)  # noqa: DTZ007
    except ValueError:
        _LOGGER.debug("Ignoring unreadable time %r", raw)
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


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
