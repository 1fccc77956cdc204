"""The demo world: four cars around Ghent and the accounts that own them."""

from __future__ import annotations

from datetime import time, timedelta

from .clock import Clock
from .geo import Point
from .scenario import Leg, Plan
from .stellantis.fleet import add_stellantis_demo
from .vehicle import Vehicle, VehicleSpec
from .volvo.fleet import add_volvo_demo
from .world import Account, World

_LEAF_HOME = Point(51.0383, 3.7580)  # Gentbrugge
_LEAF_TO_WORK = (
    Point(51.0345, 3.7330),
    Point(51.0190, 3.6900),
    Point(51.0020, 3.6200),
    Point(50.9890, 3.5450),  # work, Deinze
)
_LUNCH = Point(50.9930, 3.5280)

_TWIZY_HOME = Point(51.0625, 3.7480)  # Sint-Amandsberg
_TOWN = (Point(51.0585, 3.7370), Point(51.0547, 3.7214))  # Korenmarkt
_SHOP = (Point(51.0760, 3.7350), Point(51.0890, 3.7140))  # Wondelgem

_ZOE_HOME = Point(51.0357, 3.7105)  # Sint-Pieters
_OFFICE = (Point(51.0450, 3.7250), Point(51.0560, 3.7400))  # Dampoort

LEAF = VehicleSpec(
    id="LEAF",
    make="Nissan",
    model="Leaf",
    vin="SJNFAAZE1U0123456",
    capacity_kwh=39.0,
    consumption_wh_km=165.0,
    ideal_wh_km=145.0,
    charge_kw=6.6,
    charge_limit=85.0,
    pack_voltage=350.0,
    soh=91.0,
    home=_LEAF_HOME,
    tyre_kpa=250.0,
    plan=Plan(
        (
            Leg(time(7, 0), "park"),
            Leg(time(8, 15), "drive", _LEAF_TO_WORK, 25),
            Leg(time(12, 15), "drive", (_LUNCH,), 6),
            Leg(time(13, 0), "drive", (_LEAF_TO_WORK[-1],), 6),
            Leg(time(17, 0), "drive", (*reversed(_LEAF_TO_WORK[:-1]), _LEAF_HOME), 30),
            Leg(time(17, 45), "charge"),
        )
    ),
)

TWIZY = VehicleSpec(
    id="TWIZY",
    make="Renault",
    model="Twizy",
    vin="VF1MAF4SE51234567",
    capacity_kwh=6.1,
    consumption_wh_km=70.0,
    ideal_wh_km=62.0,
    charge_kw=2.2,
    charge_limit=100.0,
    pack_voltage=58.0,
    soh=84.0,
    home=_TWIZY_HOME,
    tyre_kpa=200.0,
    plan=Plan(
        (
            Leg(time(6, 30), "charge"),
            Leg(time(10, 30), "drive", _TOWN, 15),
            Leg(time(12, 0), "drive", (_TOWN[0], _TWIZY_HOME), 15),
            Leg(time(15, 30), "drive", _SHOP, 12),
            Leg(time(16, 30), "drive", (_SHOP[0], _TWIZY_HOME), 12),
        )
    ),
)

KONA = VehicleSpec(
    id="KONA",
    make="Hyundai",
    model="Kona Electric",
    vin="KMHK381GFLU012345",
    capacity_kwh=64.0,
    consumption_wh_km=155.0,
    ideal_wh_km=140.0,
    charge_kw=7.2,
    charge_limit=80.0,
    pack_voltage=356.0,
    soh=97.0,
    home=Point(51.2290, 2.9190),  # Ostend, parked since the weekend
)

ZOE = VehicleSpec(
    id="ZOE",
    make="Renault",
    model="Zoe",
    vin="VF1AG000664123456",
    capacity_kwh=52.0,
    consumption_wh_km=170.0,
    ideal_wh_km=150.0,
    charge_kw=11.0,
    charge_limit=90.0,
    pack_voltage=400.0,
    soh=96.0,
    home=_ZOE_HOME,
    charge_phases=3,
    plan=Plan(
        (
            Leg(time(6, 0), "park"),
            Leg(time(7, 30), "drive", _OFFICE, 20),
            Leg(time(17, 30), "drive", (_OFFICE[0], _ZOE_HOME), 20),
            Leg(time(18, 0), "charge"),
        )
    ),
)


def build_world(clock: Clock) -> World:
    """Create the demo world at the clock's current time."""
    world = World(clock)
    now = world.time
    world.add_vehicle(
        Vehicle(
            LEAF, when=now, soc=84.5, odometer_km=23456.7, parked_since=now - timedelta(hours=14)
        )
    )
    world.add_vehicle(Vehicle(TWIZY, when=now, soc=52.0, odometer_km=8765.4))
    world.add_vehicle(
        Vehicle(
            KONA,
            when=now,
            soc=57.5,
            odometer_km=41234.5,
            online=False,
            parked_since=now - timedelta(days=2, hours=3),
        )
    )
    world.add_vehicle(Vehicle(ZOE, when=now, soc=71.0, odometer_km=15321.0))
    world.add_account(Account("ovms", "demo", "demo", ("LEAF", "TWIZY", "KONA")))
    world.add_account(Account("ovms", "demo2", "demo2", ("ZOE",)))
    world.add_account(Account("ovms", "empty", "empty", ()))
    add_volvo_demo(world)
    add_stellantis_demo(world)
    return world
