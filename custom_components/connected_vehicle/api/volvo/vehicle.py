"""Parse the vehicle list, details, command list and energy capabilities into a Vehicle."""

from __future__ import annotations

from dataclasses import dataclass
import logging
from types import MappingProxyType
from typing import Any, Final

from ..coerce import as_float, as_list, as_object, as_text
from ..models import Command, DataGroup, Powertrain, Vehicle
from .values import unwrap

_LOGGER = logging.getLogger(__name__)

BRAND: Final = "Volvo"
# Volvo command name -> ours; unknown ones are left out.
COMMANDS: Final = MappingProxyType(
    {
        "LOCK": Command.LOCK,
        "LOCK_REDUCED_GUARD": Command.LOCK_REDUCED_GUARD,
        "UNLOCK": Command.UNLOCK,
        "HONK": Command.HONK,
        "FLASH": Command.FLASH,
        "HONK_AND_FLASH": Command.HONK_FLASH,
        "ENGINE_START": Command.ENGINE_START,
        "ENGINE_STOP": Command.ENGINE_STOP,
        "CLIMATIZATION_START": Command.CLIMATE_START,
        "CLIMATIZATION_STOP": Command.CLIMATE_STOP,
        "SEND_NAVI_POI": Command.SEND_DESTINATION,
    }
)
_POWERTRAINS: Final = MappingProxyType(
    {
        "ELECTRIC": Powertrain.ELECTRIC,
        "NONE": Powertrain.ELECTRIC,  # the EX30 says NONE
        "PETROL": Powertrain.COMBUSTION,
        "DIESEL": Powertrain.COMBUSTION,
        "GASOLINE": Powertrain.COMBUSTION,
    }
)
_ALWAYS: Final = frozenset(
    {
        DataGroup.LOCK_AND_DOORS,
        DataGroup.LOCKS_OPENINGS,
        DataGroup.LOCATION,
        DataGroup.ODOMETER_TRIPS,
        DataGroup.TYRES,
        DataGroup.HEALTH,
    }
)


@dataclass(frozen=True, slots=True)
class Details:
    """``GET /vehicles/{vin}``: what the car is."""

    vin: str
    model: str | None
    year: int | None
    powertrain: Powertrain
    battery_capacity: float | None
    image_url: str | None
    colour: str | None = None
    gearbox: str | None = None
    upholstery: str | None = None
    steering_side: str | None = None

    @property
    def has_battery(self) -> bool:
        """Tell whether the car has a traction battery."""
        return self.powertrain in (Powertrain.ELECTRIC, Powertrain.HYBRID)

    @property
    def has_tank(self) -> bool:
        """Tell whether the car has a fuel tank."""
        return self.powertrain in (Powertrain.COMBUSTION, Powertrain.HYBRID)


def parse_vehicle_list(raw: Any) -> tuple[list[str], str | None]:
    """A page of ``GET /vehicles``: its VINs and the query of the next page, if any."""
    payload = as_object(raw, "/vehicles")
    vins = [
        vin
        for item in as_list(payload.get("data"), "/vehicles data")
        if isinstance(item, dict) and (vin := as_text(item.get("vin")))
    ]
    pagination = payload.get("pagination")
    following = as_text(pagination.get("next")) if isinstance(pagination, dict) else None
    return vins, following


def powertrain_of(fuel_type: str | None) -> Powertrain:
    """ELECTRIC/NONE electric, PETROL/ELECTRIC hybrid, PETROL/DIESEL combustion."""
    if fuel_type is None:
        return Powertrain.UNKNOWN
    fuel_type = fuel_type.upper()
    if "/" in fuel_type and "ELECTRIC" in fuel_type:
        return Powertrain.HYBRID
    return _POWERTRAINS.get(fuel_type, Powertrain.UNKNOWN)


def parse_details(vin: str, raw: Any) -> Details:
    """``GET /vehicles/{vin}``; missing fields stay None."""
    data = unwrap(raw, "/vehicles/{vin}")
    descriptions = data.get("descriptions")
    images = data.get("images")
    year = as_float(data.get("modelYear"), field="modelYear")
    capacity = as_float(data.get("batteryCapacityKWH"), field="batteryCapacityKWH")
    descriptions = descriptions if isinstance(descriptions, dict) else {}
    return Details(
        vin=as_text(data.get("vin")) or vin,
        model=as_text(descriptions.get("model")),
        year=int(year) if year is not None and 1900 < year < 3000 else None,
        powertrain=powertrain_of(as_text(data.get("fuelType"))),
        battery_capacity=capacity if capacity and capacity > 0 else None,
        image_url=as_text(images.get("exteriorImageUrl")) if isinstance(images, dict) else None,
        colour=_described(data.get("externalColour")),
        gearbox=_lower(_described(data.get("gearbox"))),
        upholstery=_described(descriptions.get("upholstery")),
        steering_side=_lower(_described(descriptions.get("steering"))),
    )


def _described(raw: Any) -> str | None:
    """A text of the details; the API writes "null" for one it lacks."""
    text = as_text(raw)
    return None if text is None or text.lower() == "null" else text


def _lower(text: str | None) -> str | None:
    return text.lower() if text is not None else None


def parse_commands(raw: Any) -> dict[Command, str | None]:
    """``GET /vehicles/{vin}/commands``: the commands we know of, by name, with their href."""
    data = raw.get("data") if isinstance(raw, dict) else raw
    found: dict[Command, str | None] = {}
    for item in as_list(data, "/commands"):
        name = as_text(item.get("command")) if isinstance(item, dict) else None
        if name and (command := COMMANDS.get(name.upper())):
            found[command] = as_text(item.get("href"))
        elif name:
            _LOGGER.debug("Ignoring the command %s", name)
    return found


def parse_energy_capabilities(raw: Any) -> bool:
    """``GET /energy/v2/.../capabilities``: whether the energy state is supported at all."""
    payload = as_object(raw, "energy capabilities")
    inner = payload.get("getEnergyState", payload)
    return isinstance(inner, dict) and inner.get("isSupported") is True


def unsupported_energy_fields(raw: Any) -> frozenset[str]:
    """The energy fields whose own capability says ``isSupported: false``."""
    payload = as_object(raw, "energy capabilities")
    inner = payload.get("getEnergyState", payload)
    if not isinstance(inner, dict):
        return frozenset()
    return frozenset(
        name
        for name, capability in inner.items()
        if isinstance(capability, dict) and capability.get("isSupported") is False
    )


def build_vehicle(details: Details, commands: frozenset[Command], energy: bool) -> Vehicle:
    """The Vehicle: what it can report and do."""
    capabilities = set(_ALWAYS)
    if details.has_tank or (details.has_battery and energy):
        capabilities.add(DataGroup.ENERGY)
    return Vehicle(
        id=details.vin,
        name=f"{BRAND} {details.model}" if details.model else details.vin,
        brand=BRAND,
        model=details.model,
        vin=details.vin,
        year=details.year,
        powertrain=details.powertrain,
        battery_capacity=details.battery_capacity,
        image_url=details.image_url,
        colour=details.colour,
        gearbox=details.gearbox,
        upholstery=details.upholstery,
        steering_side=details.steering_side,
        capabilities=frozenset(capabilities),
        commands=commands,
    )
