"""The Stellantis cars of the demo world: who they are to the API, and their accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
import hashlib
from typing import Final

from ..geo import Point
from ..scenario import Leg, Plan
from ..vehicle import Vehicle, VehicleSpec
from ..world import Account, World
from .quirks import Quirks


@dataclass(frozen=True)
class Profile:
    """What the API says about a world car besides its live state."""

    brand: str  # SimBrand code
    family: str  # familyCode
    label: str  # the model as the apps show it
    motorization: str  # Electric | Hybrid | Thermic
    fuel_type: str
    quirks: Quirks = field(default_factory=Quirks)
    colour: str = "okenite-white"  # the paint its picture shows


def api_id(vehicle_id: str) -> str:
    """The API's opaque, very long hex id of a world car (not its VIN)."""
    digest = hashlib.sha256(f"stellantis/{vehicle_id}".encode()).hexdigest()
    return digest + hashlib.sha256(digest.encode()).hexdigest()[:32]


_E208_HOME = Point(51.0737, 3.6752)  # Mariakerke
_SCIENCE_PARK = (Point(51.0540, 3.6930), Point(51.0250, 3.7090), Point(51.0120, 3.7110))
_P3008_HOME = Point(51.0362, 3.7470)  # Ledeberg
_SCHOOL = (Point(51.0445, 3.7350), Point(51.0490, 3.7290))
_MALL = (Point(51.0300, 3.7600), Point(51.0180, 3.7700))  # Gent Zuid -> Merelbeke
_P308_HOME = Point(51.0180, 3.7350)  # Merelbeke
_CORSA_HOME = Point(51.0660, 3.7690)  # Sint-Amandsberg
_DEPOT = Point(51.0890, 3.7410)  # Wondelgem harbour depot

E208 = VehicleSpec(
    id="E208",
    make="Peugeot",
    model="e-208",
    vin="VR3UHZKXZLT123456",
    capacity_kwh=46.0,
    consumption_wh_km=155.0,
    ideal_wh_km=140.0,
    charge_kw=7.4,
    charge_limit=100.0,
    pack_voltage=400.0,
    soh=97.0,
    home=_E208_HOME,
    plan=Plan(
        (
            Leg(time(6, 30), "park"),
            Leg(time(7, 45), "drive", _SCIENCE_PARK, 22),
            Leg(time(16, 45), "drive", (*reversed(_SCIENCE_PARK[:-1]), _E208_HOME), 25),
            Leg(time(17, 30), "charge"),
        )
    ),
)
P3008 = VehicleSpec(
    id="P3008",
    make="Peugeot",
    model="3008 Hybrid",
    vin="VR3MRHNSSLJ654321",
    capacity_kwh=13.2,
    consumption_wh_km=190.0,
    ideal_wh_km=170.0,
    charge_kw=3.7,
    charge_limit=100.0,
    pack_voltage=300.0,
    soh=99.0,
    home=_P3008_HOME,
    fuel_tank_l=43.0,
    fuel_l_100km=6.4,
    plan=Plan(
        (
            Leg(time(7, 0), "charge"),
            Leg(time(7, 40), "drive", _SCHOOL, 10),
            Leg(time(8, 20), "drive", (_SCHOOL[0], _P3008_HOME), 10),
            Leg(time(13, 30), "drive", _MALL, 15),
            Leg(time(15, 0), "drive", (_MALL[0], _P3008_HOME), 15),
            Leg(time(21, 0), "charge"),
        )
    ),
)
P308 = VehicleSpec(
    id="P308",
    make="Peugeot",
    model="308",
    vin="VF3LBHNSJKS112233",
    capacity_kwh=0.0,
    consumption_wh_km=0.0,
    ideal_wh_km=0.0,
    charge_kw=0.0,
    charge_limit=0.0,
    pack_voltage=12.0,
    soh=100.0,
    home=_P308_HOME,
    fuel_tank_l=52.0,
    fuel_l_100km=6.1,
    plan=Plan(
        (
            Leg(time(10, 0), "drive", (Point(51.0540, 3.7250), Point(51.0550, 3.7210)), 18),
            Leg(time(12, 30), "drive", (Point(51.0400, 3.7300), _P308_HOME), 18),
        )
    ),
)
CORSA = VehicleSpec(
    id="CORSA_E",
    make="Opel",
    model="Corsa Electric",
    vin="VXKUKZKXZMW998877",
    capacity_kwh=46.0,
    consumption_wh_km=150.0,
    ideal_wh_km=138.0,
    charge_kw=11.0,
    charge_limit=90.0,
    pack_voltage=400.0,
    soh=95.0,
    home=_CORSA_HOME,
    charge_phases=3,
    plan=Plan((Leg(time(9, 0), "drive", _SCHOOL, 12), Leg(time(9, 30), "charge"))),
)

PROFILES: Final[dict[str, Profile]] = {
    "E208": Profile(
        "peugeot", "208", "e-208", "Electric", "Electric", Quirks(time_style=0), "vertigo-blue"
    ),
    "P3008": Profile(
        "peugeot",
        "3008",
        "3008 Hybrid",
        "Hybrid",
        "Gas",
        Quirks(
            time_style=1, numbers_as_text=True, layout="legacy", missing=frozenset({"capacity"})
        ),
        "selenium-grey",
    ),
    "P308": Profile(
        "peugeot",
        "308",
        "308",
        "Thermic",
        "Gas",
        Quirks(time_style=2, text_as_numbers=True, layout="modern", relative_links=True),
        "elixir-red",
    ),
    "CORSA_E": Profile(
        "opel",
        "CORSA",
        "Corsa Electric",
        "Electric",
        "Electric",
        Quirks(time_style=3, old_locked_key=True, missing=frozenset({"opening"})),
        "voltage-yellow",
    ),
}

# The fleet: 23 cars on one account, to page through; every kind of gap among them.
_FLEET_MODELS: Final = (
    ("208", "208", "Thermic", "Gas"),
    ("208", "e-208", "Electric", "Electric"),
    ("2008", "e-2008", "Electric", "Electric"),
    ("308", "308 Hybrid", "Hybrid", "Gas"),
    ("5008", "5008", "Thermic", "Diesel"),
    ("PARTNER", "e-Partner", "Electric", "Electric"),
    ("EXPERT", "Expert", "Thermic", "Diesel"),
)
_FLEET_GAPS: Final[tuple[frozenset[str], ...]] = (
    frozenset(),
    frozenset({"lastPosition"}),
    frozenset({"opening"}),
    frozenset({"Fuel"}),
    frozenset({"environment", "kinetic"}),
    frozenset({"status"}),
    frozenset({"remotes", "health"}),
    frozenset({"doorsState", "battery"}),
    frozenset({"preconditioning", "odometer"}),
    frozenset({"Electric"}),
)
_FLEET_COLOURS: Final = ("okenite-white", "pearl-black", "selenium-grey", "vertigo-blue")
FLEET_SIZE: Final = 23


def fleet_id(index: int) -> str:
    """The world id of fleet car ``index`` (1-based)."""
    return f"FLEET{index:02d}"


def _fleet_car(index: int) -> tuple[VehicleSpec, Profile, float, float]:
    family, label, motorization, fuel_type = _FLEET_MODELS[index % len(_FLEET_MODELS)]
    electric = motorization in ("Electric", "Hybrid")
    spec = VehicleSpec(
        id=fleet_id(index),
        make="Peugeot",
        model=label,
        vin=f"VR3FLEET{index:02d}00{index * 7919 % 100000:05d}",
        capacity_kwh=(50.0 if motorization == "Electric" else 12.4) if electric else 0.0,
        consumption_wh_km=170.0 if electric else 0.0,
        ideal_wh_km=150.0 if electric else 0.0,
        charge_kw=7.4 if electric else 0.0,
        charge_limit=100.0 if electric else 0.0,
        pack_voltage=400.0 if electric else 12.0,
        soh=92.0 + index % 8,
        home=Point(_DEPOT.lat + 0.0004 * (index % 6), _DEPOT.lon + 0.0006 * (index // 6)),
        fuel_tank_l=0.0 if motorization == "Electric" else 50.0,
        fuel_l_100km=0.0 if motorization == "Electric" else 6.5,
    )
    quirks = Quirks(
        unknown_fields=index % 4 != 0,
        time_style=index,
        numbers_as_text=index % 3 == 0,
        text_as_numbers=index % 5 == 0,
        layout=("both", "legacy", "modern")[index % 3],
        old_locked_key=index % 7 == 0,
        relative_links=index % 2 == 0,
        missing=_FLEET_GAPS[index % len(_FLEET_GAPS)],
    )
    colour = _FLEET_COLOURS[index % len(_FLEET_COLOURS)]
    profile = Profile("peugeot", family, label, motorization, fuel_type, quirks, colour)
    soc = 20.0 + (index * 37) % 75
    fuel = 10.0 + (index * 13) % 40
    return spec, profile, soc, fuel


_FLEET: Final = tuple(_fleet_car(index) for index in range(1, FLEET_SIZE + 1))
PROFILES.update((spec.id, profile) for spec, profile, _soc, _fuel in _FLEET)


def add_stellantis_demo(world: World) -> None:
    """Add the Stellantis cars and accounts to the demo world.

    peugeot/demo: an e-208, a 3008 Hybrid (plug-in hybrid) and a 308 (petrol)
    around Ghent; peugeot/fleet: 23 cars at a depot (several pages); opel/demo:
    one Corsa Electric.
    """
    now = world.time
    world.add_vehicle(
        Vehicle(
            E208, when=now, soc=64.0, odometer_km=18234.6, parked_since=now - timedelta(hours=13)
        )
    )
    world.add_vehicle(Vehicle(P3008, when=now, soc=80.0, fuel_l=31.0, odometer_km=42011.2))
    world.add_vehicle(Vehicle(P308, when=now, soc=0.0, fuel_l=23.5, odometer_km=67120.9))
    world.add_vehicle(Vehicle(CORSA, when=now, soc=48.0, odometer_km=9120.4))
    for index, (spec, _profile, soc, fuel) in enumerate(_FLEET, start=1):
        world.add_vehicle(
            Vehicle(spec, when=now, soc=soc, fuel_l=fuel, odometer_km=1000.0 + 4321.5 * index)
        )
    fleet = tuple(spec.id for spec, *_ in _FLEET)
    world.add_account(Account("peugeot", "demo", "demo", ("E208", "P3008", "P308")))
    world.add_account(Account("peugeot", "fleet", "fleet", fleet))
    world.add_account(Account("opel", "demo", "demo", ("CORSA_E",)))


def profile_for(vehicle: Vehicle, brand: str) -> Profile:
    """The car's API profile; a car added by a test gets a plain one on its account's brand."""
    known = PROFILES.get(vehicle.id)
    if known is not None:
        return known
    spec = vehicle.spec
    motorization = (
        "Hybrid"
        if spec.electric and spec.combustion
        else "Electric"
        if spec.electric
        else "Thermic"
    )
    fuel_type = "Electric" if motorization == "Electric" else "Gas"
    return Profile(brand, spec.model.upper(), spec.model, motorization, fuel_type)
