"""How the OVMS modules in the demo cars are set up."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from .module import ModuleSettings

MODULES: Final = {
    "LEAF": ModuleSettings(
        units="K", tpms="Y", vehicle_type="NL", last_contact=timedelta(seconds=240)
    ),
    # Older firmware: no cabin temperature, no charge-input fields, empty cac100.
    "TWIZY": ModuleSettings(
        units="M", tpms="W", legacy=True, vehicle_type="RT", last_contact=timedelta(seconds=420)
    ),
    "KONA": ModuleSettings(units="K", vehicle_type="KN", last_contact=timedelta(days=2, hours=3)),
    "ZOE": ModuleSettings(units="K", vehicle_type="RZ", last_contact=timedelta(seconds=100)),
}
