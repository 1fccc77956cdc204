"""Per-car hostility: what the real API does to clients, made deterministic per car.

The API's contract says clients must cope with unknown fields, missing fields
and schema drift. Each car has a ``Quirks`` value saying which of those it
shows; ``Dresser`` applies them to the plain JSON the views build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
import hashlib
from typing import Any, Final, Literal

Layout = Literal["both", "legacy", "modern"]

# Blocks a car may leave out of its status (and resources it may lack).
MISSABLE: Final = frozenset(
    {
        "lastPosition",  # no GPS (privacy, or never fixed)
        "Fuel",  # no fuel energy item
        "Electric",  # no electric energy item
        "opening",  # doorsState without the per-door list
        "odometer",
        "kinetic",
        "environment",
        "battery",
        "capacity",  # battery health without capacity: the SoH only as resistance
        "preconditioning",
        "doorsState",
        "status",  # /status answers 404 code 40400
        "remotes",  # no remotes link: no remote control
        "health",  # no alerts / maintenance links
    }
)
_UNKNOWN_KEYS: Final = ("xDiag", "sourceSystem", "_trace", "qualityIndex", "ecuRevision")
# Times: Z, an offset, fractions, lowercase t/z, +0000 (the docs' own example).
TIME_STYLES: Final = 5
PLUS_0000: Final = 3  # the style that breaks RFC 3339


@dataclass(frozen=True)
class Quirks:
    """How one car's answers deviate from the tidy schema."""

    unknown_fields: bool = True
    time_style: int = 0
    numbers_as_text: bool = False  # "43.5", "12978,9" (comma decimals, as in the spec)
    text_as_numbers: bool = False  # familyCode 208, heading "278" reversed, ...
    layout: Layout = "modern"  # or the legacy spellings too (both), or only them (legacy)
    old_locked_key: bool = False  # doorsState.lockedState (older swagger) not lockedStates
    relative_links: bool = False
    missing: frozenset[str] = field(default_factory=frozenset)

    @property
    def plain(self) -> bool:
        """Whether the car's answers keep to the spec (its other quirks are within it).

        Numbers as text, ``+0000`` offsets and the legacy ``energy`` list (the
        spec has one object) are the real API's deviations; the spec does not
        type the fields ``text_as_numbers`` touches.
        """
        return (
            not self.numbers_as_text
            and self.time_style % TIME_STYLES != PLUS_0000
            and self.layout == "modern"
        )

    def __post_init__(self) -> None:
        """Refuse misspelled block names."""
        if unknown := self.missing - MISSABLE:
            raise ValueError(f"unknown missing blocks {sorted(unknown)}")


def _seed(car: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{car}/{salt}".encode()).digest()[:4], "big")


def rfc3339(when: datetime, style: int) -> str:
    """``when`` in one of several valid RFC 3339 spellings."""
    when = when.astimezone(UTC)
    match style % TIME_STYLES:
        case 1:
            return when.astimezone(timezone(timedelta(hours=1))).isoformat()
        case 2:
            return when.strftime("%Y-%m-%dt%H:%M:%S.") + f"{when.microsecond:06d}z"
        case 3:  # PLUS_0000
            return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"
        case 4:
            return when.strftime("%Y-%m-%dT%H:%M:%S.5Z")
        case _:
            return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Dresser:
    """Applies one car's quirks to JSON built by the views."""

    def __init__(self, car: str, quirks: Quirks) -> None:
        """Dress the answers about ``car``."""
        self.car = car
        self.quirks = quirks

    def time(self, when: datetime) -> str:
        """A timestamp in the car's style."""
        return rfc3339(when, self.quirks.time_style)

    def number(self, value: float, digits: int = 1) -> float | int | str:
        """A number, or its text (comma decimal every other car) for a text-number car."""
        rounded: float | int = round(value, digits) if digits else round(value)
        if not self.quirks.numbers_as_text:
            return rounded
        text = str(rounded)
        return text.replace(".", ",") if _seed(self.car, "comma") % 2 else text

    def text(self, value: str) -> str | int:
        """A string, or a number when the string is numeric and the car sends numbers."""
        if self.quirks.text_as_numbers and value.isdigit():
            return int(value)
        return value

    def has(self, block: str) -> bool:
        """Tell whether the car sends ``block``."""
        return block not in self.quirks.missing

    def sprinkle(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        """Add a deterministic unknown field or two to ``obj`` (in place) and return it."""
        if self.quirks.unknown_fields:
            seed = _seed(self.car, where)
            key = _UNKNOWN_KEYS[seed % len(_UNKNOWN_KEYS)]
            obj[key] = {"rev": seed % 97, "flags": [seed % 3, "x"]} if seed % 2 else seed % 1000
            if seed % 5 == 0:
                obj["futureFeature"] = None
        return obj
