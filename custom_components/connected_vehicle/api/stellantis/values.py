"""Tolerant readers for the Stellantis API's values, on top of ``api.coerce``.

The API documents comma decimals (``"12978,9"``), RFC 3339 times in several
spellings (and one legacy ``Mon Jun 03 08:35:36 GMT 2019``), ISO 8601
durations, and booleans that some payloads send as text. Each reader answers
None for what it cannot read (debug log), never raises.
"""

from __future__ import annotations

from datetime import UTC, datetime
import logging
import math
import re
from typing import Any, Final

from ..coerce import as_float, as_text, as_utc

_LOGGER = logging.getLogger(__name__)

_DURATION: Final = re.compile(
    r"^P(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)
_LEGACY_TIME: Final = "%a %b %d %H:%M:%S %Z %Y"


def obj(raw: Any) -> dict[str, Any]:
    """``raw`` if it is a JSON object, else an empty one (a missing or mistyped block)."""
    return raw if isinstance(raw, dict) else {}


def objects(raw: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``raw`` if it is a list; anything else is dropped."""
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def number(raw: Any, field: str) -> float | None:
    """A number from a number or numeric text, comma decimals included."""
    if isinstance(raw, str) and "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    return as_float(raw, field=field)


def flag(raw: Any, field: str) -> bool | None:
    """A boolean from true/false, "true"/"false" text or 0/1."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if raw is not None:
        _LOGGER.debug("Ignoring %s: not a boolean", field)
    return None


def text(raw: Any) -> str | None:
    """Text from text or a number (a familyCode sent as 208)."""
    return as_text(raw)


def when(raw: Any) -> datetime | None:
    """An aware UTC time from RFC 3339 in any spelling (t/z, offsets, fractions, +0000)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    spelled = raw.strip()
    if len(spelled) > 10 and spelled[10] in "tT ":
        spelled = spelled[:10] + "T" + spelled[11:]
    if spelled.endswith(("z", "Z")):
        spelled = spelled[:-1] + "+00:00"
    parsed = as_utc(spelled)
    if parsed is None:
        try:
            parsed = datetime.strptime(raw.strip(), _LEGACY_TIME).replace(tzinfo=UTC)
        except ValueError:
            return None
    return parsed


def minutes(raw: Any, field: str) -> float | None:
    """Minutes from an ISO 8601 duration (PT1H20M, PT0S, P1DT2H); None for anything else."""
    match = _DURATION.match(raw.strip().upper()) if isinstance(raw, str) else None
    if match is None or raw.strip().upper() in ("P", "PT"):
        if raw is not None:
            _LOGGER.debug("Ignoring %s: not an ISO 8601 duration", field)
        return None
    parts = {k: float(v.replace(",", ".")) if v else 0.0 for k, v in match.groupdict().items()}
    total = parts["d"] * 1440 + parts["h"] * 60 + parts["m"] + parts["s"] / 60
    if not math.isfinite(total):
        _LOGGER.debug("Ignoring %s: too long a duration", field)
        return None
    return total
