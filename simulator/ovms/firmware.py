"""Which protocol v2 commands a simulated module takes, by the car's vehicle type code.

Numbers as the OVMS protocol v2 documents them. The module itself answers
1-7 for any car; the rest depends on what the vehicle type implements (here
after the OVMS user guide's support tables for these cars).
"""

from __future__ import annotations

from typing import Final

FEATURE_LIST, SET_FEATURE, PARAMETER_LIST, SET_PARAMETER, REBOOT, CHARGE_ALERT, SHELL = range(1, 8)
CHARGE_MODE, CHARGE_START, CHARGE_STOP = 10, 11, 12
CHARGE_CURRENT, CHARGE_MODE_AND_CURRENT = 15, 16
WAKE_UP, WAKE_UP_TEMPERATURE = 18, 19
LOCK, VALET_ON, UNLOCK, VALET_OFF, HOMELINK, COOLDOWN, CLIMATE = range(20, 27)

MODULE: Final = frozenset(range(1, 8))
# Commands a module knows at all; any other code is answered "unsupported".
KNOWN: Final = MODULE | frozenset({10, 11, 12, 15, 16, 17, 18, 19, *range(20, 27)})
BY_TYPE: Final[dict[str, frozenset[int]]] = {
    "NL": frozenset({LOCK, UNLOCK, CHARGE_START, CHARGE_STOP, WAKE_UP, HOMELINK, CLIMATE}),
    "RT": frozenset(
        {LOCK, UNLOCK, VALET_ON, VALET_OFF, CHARGE_STOP, CHARGE_MODE, CHARGE_CURRENT}
        | {CHARGE_MODE_AND_CURRENT, HOMELINK}
    ),
    "RZ": frozenset({WAKE_UP, HOMELINK, CLIMATE}),
    "HIONVFL": frozenset(),
}


def commands_for(vehicle_type: str) -> frozenset[int]:
    """Return every command code a module in a car of ``vehicle_type`` carries out."""
    return MODULE | BY_TYPE.get(vehicle_type, frozenset())
