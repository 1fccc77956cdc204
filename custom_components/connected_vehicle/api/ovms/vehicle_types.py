"""OVMS vehicle type codes (the F record's fifth field) -> brand and model."""

from __future__ import annotations

_TYPES: dict[str, tuple[str, str]] = {
    "HIONVFL": ("Hyundai", "Ioniq"),
    "KN": ("Kia / Hyundai", "e-Niro / Kona Electric"),  # one type for both twins
    "KS": ("Kia", "Soul EV"),
    "MI": ("Mitsubishi", "i-MiEV"),
    "NL": ("Nissan", "Leaf"),
    "RT": ("Renault", "Twizy"),
    "RZ": ("Renault", "Zoe"),
    "SE": ("Smart", "ED"),
    "TR": ("Tesla", "Roadster"),
    "TRDM": ("Tesla", "Roadster (demo)"),
    "VWUP": ("Volkswagen", "e-Up"),
}


def describe_vehicle_type(code: str | None) -> tuple[str | None, str | None]:
    """Brand and model for an OVMS vehicle type code; the raw code when unknown."""
    if not code:
        return None, None
    return _TYPES.get(code.upper(), (None, code))
