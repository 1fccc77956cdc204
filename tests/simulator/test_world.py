"""The world moves: scenarios, forced phases, online and offline, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time

import aiohttp
import pytest

from simulator import Simulator
from simulator.clock import Clock

from .conftest import DEMO, START, get_dict


async def test_the_leaf_drives_to_work(sim: Simulator, client: aiohttp.ClientSession) -> None:
    before = await get_dict(client, "/api/status/LEAF", **DEMO)
    sim.clock.advance(3600)  # the LEAF leaves home at 08:15 for a 25 minute drive
    await get_dict(client, "/api/vehicle/LEAF", **DEMO)  # fresh records
    after = await get_dict(client, "/api/status/LEAF", **DEMO)
    km = (int(after["odometer"]) - int(before["odometer"])) / 10
    assert 12 < km < 25
    assert float(after["soc"]) < float(before["soc"]) - 3
    assert after["carlocked"] == 8
    assert int(after["tripmeter"]) > 100  # 1/10 km, since the drive began
    location = await get_dict(client, "/api/location/LEAF", **DEMO)
    assert float(location["longitude"]) < 3.6  # Deinze, west of Ghent


async def test_the_leaf_reports_while_driving(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    await get_dict(client, "/api/vehicle/LEAF", **DEMO)  # connected: a report every 60 s
    sim.clock.advance(25 * 60)  # 08:25, half way
    status = await get_dict(client, "/api/status/LEAF", **DEMO)
    assert status["caron"] == 128
    assert status["carlocked"] == 0
    assert int(status["speed"]) > 20
    location = await get_dict(client, "/api/location/LEAF", **DEMO)
    assert int(location["speed"]) > 20
    assert float(location["power"]) > 0
    assert location["m_msgage_l"] <= 60


async def test_the_twizy_charges_in_the_morning(
    sim: Simulator, client: aiohttp.ClientSession
) -> None:
    charge = await get_dict(client, "/api/charge/TWIZY", **DEMO)
    assert charge["chargestate"] == "charging"
    assert float(charge["chargepower"]) > 1.5
    assert charge["linevoltage"] == "230"
    assert int(charge["chargecurrent"]) > 5
    sim.clock.advance(3600)
    await get_dict(client, "/api/vehicle/TWIZY", **DEMO)
    later = await get_dict(client, "/api/charge/TWIZY", **DEMO)
    assert float(later["soc"]) > float(charge["soc"]) + 20


async def test_forced_charge_until_done(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.clock.advance(3600)  # 09:00: parked at work until lunch
    leaf = sim.world.vehicle("LEAF")
    leaf.soc = 70.0
    leaf.set_phase("charge")
    assert leaf.phase == "charge"
    sim.clock.advance(1800)
    await get_dict(client, "/api/vehicle/LEAF", **DEMO)
    charge = await get_dict(client, "/api/charge/LEAF", **DEMO)
    assert charge["chargestate"] == "charging"
    assert (charge["charging"], charge["pilotpresent"], charge["cp_dooropen"]) == (16, 8, 4)
    assert float(charge["soc"]) > 72
    assert float(charge["chargepower"]) > 5
    assert int(charge["charge_etr_limit"]) > 0
    assert int(charge["chargekwh"]) > 20  # 1/10 kWh
    sim.clock.advance(5400)  # 11:00
    await get_dict(client, "/api/vehicle/LEAF", **DEMO)
    done = await get_dict(client, "/api/charge/LEAF", **DEMO)
    assert done["chargestate"] == "done"
    assert done["charging"] == 0
    assert done["pilotpresent"] == 8
    assert done["soc"] == "85.0"


def test_forced_drive_and_park(sim: Simulator) -> None:
    leaf = sim.world.vehicle("LEAF")
    odometer = leaf.odometer_km
    leaf.set_phase("drive")
    sim.clock.advance(600)
    leaf = sim.world.vehicle("LEAF")
    assert leaf.phase == "drive"
    assert leaf.speed_kmh > 0
    assert leaf.odometer_km > odometer + 1
    leaf.set_phase("park")
    assert (leaf.phase, leaf.speed_kmh, leaf.locked) == ("park", 0.0, True)
    with pytest.raises(ValueError, match="unknown phase"):
        leaf.set_phase("fly")


async def test_offline_and_back_online(sim: Simulator, client: aiohttp.ClientSession) -> None:
    sim.world.vehicle("LEAF").online = False
    cars = await get_dict(client, "/api/vehicle/LEAF", **DEMO)
    assert cars["v_net_connected"] == 0
    sim.clock.advance(1800)
    status = await get_dict(client, "/api/status/LEAF", **DEMO)
    assert status["m_msgage_s"] == 1800 + 240  # nothing sent while offline
    sim.world.vehicle("LEAF").online = True
    status = await get_dict(client, "/api/status/LEAF", **DEMO)
    assert status["m_msgage_s"] == 0  # a full update on reconnecting


def test_a_start_in_the_night() -> None:
    """Whatever the start, a car is never mid-drive: drives that began earlier are over."""
    sim = Simulator(start=datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    twizy = sim.world.vehicle("TWIZY")  # its last leg began at 16:30: a drive home
    assert (twizy.phase, twizy.speed_kmh, twizy.position) == ("park", 0.0, twizy.spec.home)
    leaf = sim.world.vehicle("LEAF")  # plugged in since 17:45, 84.5 % of 85
    assert (leaf.phase, leaf.plugged, leaf.charge_state) == ("charge", True, "charging")
    sim.clock.advance(600)
    assert sim.world.vehicle("LEAF").charge_state == "done"
    zoe = sim.world.vehicle("ZOE")
    assert (zoe.phase, zoe.charge_state) == ("charge", "charging")
    assert zoe.charge_current == pytest.approx(11000 / 3 / 230)


def test_a_simulated_day_follows_the_plan(sim: Simulator) -> None:
    """A day of commutes and an evening charge (how fast it runs is for scripts/bench)."""
    sim.clock.advance(24 * 3600)
    leaf = sim.world.vehicle("LEAF")
    assert leaf.odometer_km > 23456.7 + 30  # two commutes and lunch
    assert leaf.soc == pytest.approx(85.0)  # charged again in the evening


def test_clocks() -> None:
    manual = Clock(START)
    assert manual.now() == START
    manual.advance(90)
    assert manual.now() == START + timedelta(seconds=90)
    with pytest.raises(ValueError, match="forward"):
        manual.advance(-1)
    fast = Clock(START, realtime=True, speed=1000)
    time.sleep(0.01)
    assert fast.now() >= START + timedelta(seconds=10)
    with pytest.raises(ValueError, match="aware"):
        Clock(datetime(2026, 1, 1))  # noqa: DTZ001
    assert Simulator(realtime=True).clock.now() <= datetime.now(UTC) + timedelta(seconds=1)
