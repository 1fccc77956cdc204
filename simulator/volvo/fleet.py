"""The Volvo demo cars around Ghent, their cloud profiles and the accounts that own them."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import MappingProxyType
from typing import Final

from ..geo import Point
from ..scenario import Leg, Plan
from ..vehicle import Vehicle, VehicleSpec
from ..world import Account, World
from .profiles import ENERGY_FIELDS, VolvoProfile

BACKEND: Final = "volvo"

_LATEM = Point(51.0160, 3.6360)  # Sint-Martens-Latem
_PLANT = (Point(51.0420, 3.7000), Point(51.0780, 3.7450), Point(51.0935, 3.7890))  # Volvo Gent
_MERELBEKE = Point(50.9950, 3.7450)
_CENTRE = (Point(51.0250, 3.7300), Point(51.0530, 3.7230))  # Gent-Zuid, Kouter
_DESTELBERGEN = Point(51.0570, 3.7990)
_ZELZATE = (Point(51.1000, 3.8050), Point(51.1500, 3.8100), Point(51.2000, 3.8100))
_DRONGEN = Point(51.0500, 3.6600)

XC40_VIN: Final = "YV1XZEDV0P2123456"
XC60_VIN: Final = "YV1UZBHV1M1234567"
V90_VIN: Final = "YV1PWA8BDL1234567"
XC90_VIN: Final = "YV1LFA2BCJ1234567"

XC40 = VehicleSpec(
    id=XC40_VIN,
    make="Volvo",
    model="XC40 Recharge",
    vin=XC40_VIN,
    capacity_kwh=78.0,
    consumption_wh_km=200.0,
    ideal_wh_km=180.0,
    charge_kw=11.0,
    charge_limit=90.0,
    pack_voltage=400.0,
    soh=97.0,
    home=_LATEM,
    charge_phases=3,
    tyre_kpa=260.0,
    plan=Plan(
        (
            Leg(time(6, 0), "park"),
            Leg(time(7, 30), "drive", _PLANT, 25),
            Leg(time(16, 30), "drive", (*reversed(_PLANT[:-1]), _LATEM), 25),
            Leg(time(17, 15), "charge"),
        )
    ),
)
XC60 = VehicleSpec(
    id=XC60_VIN,
    make="Volvo",
    model="XC60 Recharge",
    vin=XC60_VIN,
    capacity_kwh=11.8,
    consumption_wh_km=210.0,
    ideal_wh_km=190.0,
    charge_kw=3.7,
    charge_limit=100.0,
    pack_voltage=340.0,
    soh=95.0,
    home=_MERELBEKE,
    tyre_kpa=250.0,
    fuel_tank_l=70.0,
    fuel_l_100km=7.5,
    plan=Plan(
        (
            Leg(time(7, 0), "park"),
            Leg(time(9, 0), "drive", _CENTRE, 20),
            Leg(time(12, 0), "drive", (_CENTRE[0], _MERELBEKE), 20),
            Leg(time(21, 0), "charge"),
        )
    ),
)
V90 = VehicleSpec(
    id=V90_VIN,
    make="Volvo",
    model="V90",
    vin=V90_VIN,
    capacity_kwh=0.0,
    consumption_wh_km=550.0,
    ideal_wh_km=550.0,
    charge_kw=0.0,
    charge_limit=0.0,
    pack_voltage=12.0,
    soh=100.0,
    home=_DESTELBERGEN,
    tyre_kpa=240.0,
    fuel_tank_l=60.0,
    fuel_l_100km=5.8,
    plan=Plan(
        (
            Leg(time(8, 0), "drive", _ZELZATE, 30),
            Leg(time(17, 30), "drive", (*reversed(_ZELZATE[:-1]), _DESTELBERGEN), 30),
        )
    ),
)
XC90 = VehicleSpec(
    id=XC90_VIN,
    make="Volvo",
    model="XC90",
    vin=XC90_VIN,
    capacity_kwh=0.0,
    consumption_wh_km=700.0,
    ideal_wh_km=700.0,
    charge_kw=0.0,
    charge_limit=0.0,
    pack_voltage=12.0,
    soh=100.0,
    home=_DRONGEN,
    tyre_kpa=250.0,
    fuel_tank_l=71.0,
    fuel_l_100km=9.4,
)


PROFILES: Final = MappingProxyType(
    {
        # Electric: no engine, fuel or tank lid; every energy field; no horn alone.
        XC40_VIN: VolvoProfile(
            vin=XC40_VIN,
            model="XC40",
            model_year=2023,
            fuel_type="ELECTRIC",
            colour="Sage Green",
            endpoints=frozenset(
                {"doors", "windows", "engine-status", "odometer", "diagnostics", "brakes"}
                | {"tyres", "warnings", "statistics", "commands", "command-accessibility"}
            ),
            commands=(
                "LOCK",
                "LOCK_REDUCED_GUARD",
                "UNLOCK",
                "HONK",
                "FLASH",
                "HONK_AND_FLASH",
                "CLIMATIZATION_START",
                "CLIMATIZATION_STOP",
            ),
            energy=frozenset(ENERGY_FIELDS),
            legacy_capability_names=True,
            classic=False,
            time_to_service_unit="days",
            service_due=date(2027, 2, 14),
            service_at_km=30000.0,
            average_speed_kmh=41,
            trip_manual_base_km=12104.0,
        ),
        # Plug-in hybrid with a sunroof; the energy API knows little about it and still
        # reports a charging current limit its capabilities deny.
        XC60_VIN: VolvoProfile(
            vin=XC60_VIN,
            model="XC60",
            model_year=2021,
            fuel_type="PETROL/ELECTRIC",
            colour="Denim Blue",
            upholstery="CHARCOAL/LEABR3/CHARC/SPO",
            energy=frozenset(
                {"chargerConnectionStatus", "chargingStatus", "targetBatteryChargeLevel"}
            ),
            reported_unsupported=frozenset({"chargingCurrentLimit"}),
            sunroof=True,
            average_speed_kmh=47,
            trip_manual_base_km=30120.0,
            service_at_km=45000.0,
        ),
        # Diesel: no tyre endpoint, no horn or flash alone; an old sleep spelling.
        V90_VIN: VolvoProfile(
            vin=V90_VIN,
            model="V90",
            model_year=2020,
            fuel_type="DIESEL",
            colour="Pebble Grey",
            endpoints=frozenset(
                {"doors", "windows", "engine-status", "engine", "fuel", "odometer"}
                | {"diagnostics", "brakes", "warnings", "statistics", "commands"}
                | {"command-accessibility"}
            ),
            commands=(
                "LOCK",
                "UNLOCK",
                "HONK_AND_FLASH",
                "ENGINE_START",
                "ENGINE_STOP",
                "CLIMATIZATION_START",
                "CLIMATIZATION_STOP",
            ),
            sleep_status="VEHICLE_IN_SLEEP_MODE",
            average_speed_kmh=66,
            trip_manual_base_km=88000.0,
            service_at_km=105000.0,
            fields={"washerFluidLevelWarning": "TOO_LOW", "brakeLightLeftWarning": "FAILURE"},
        ),
        # A 2018 car still answering in the v1 spellings, with asynchronous commands.
        XC90_VIN: VolvoProfile(
            vin=XC90_VIN,
            model="XC90",
            model_year=2018,
            fuel_type="PETROL",
            colour="Passion Red Solid",
            upholstery="CHARCOAL/LEABR/CHARC/S",
            shape="v1",
            pictured=False,
            commands=("LOCK", "UNLOCK", "HONK_AND_FLASH", "ENGINE_START", "ENGINE_STOP"),
            average_speed_kmh=58,
            trip_manual_base_km=101000.0,
            service_at_km=120000.0,
        ),
    }
)


def add_volvo_demo(world: World) -> None:
    """Put the Volvo demo cars in the world, owned by "demo"; "empty" owns none."""
    now = world.time
    world.add_vehicle(
        Vehicle(
            XC40, when=now, soc=64.0, odometer_km=14321.0, parked_since=now - timedelta(hours=13)
        )
    )
    world.add_vehicle(Vehicle(XC60, when=now, soc=100.0, odometer_km=31234.0, fuel_l=41.0))
    world.add_vehicle(Vehicle(V90, when=now, soc=0.0, odometer_km=91876.0, fuel_l=38.5))
    world.add_vehicle(
        Vehicle(
            XC90,
            when=now,
            soc=0.0,
            odometer_km=102345.0,
            fuel_l=55.0,
            parked_since=now - timedelta(days=2, hours=5),
        )
    )
    world.add_account(Account(BACKEND, "demo", "demo", tuple(PROFILES)))
    world.add_account(Account(BACKEND, "empty", "empty", ()))
