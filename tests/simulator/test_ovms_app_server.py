"""The simulated OVMS server's protocol v2 app port, spoken to over raw TCP and TLS."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import aiohttp
import pytest

from simulator import Simulator
from simulator.ovms.app_server import AppServer
from simulator.ovms.auth import demo_token

from .conftest import get_dict

QUIET = 0.3  # how long a test listens to conclude that nothing comes


class App:
    """A raw app connection: send lines, read lines."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(
        cls,
        server: AppServer,
        welcome: str = "MP-A 1 demo demo LEAF",
        *,
        context: ssl.SSLContext | None = None,
    ) -> App:
        port = server.tls_port if context else server.port
        assert port is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
        app = cls(reader, writer)
        app.send(welcome)
        return app

    def send(self, line: str) -> None:
        self.writer.write(f"{line}\r\n".encode())

    async def line(self, seconds: float = 3.0) -> str | None:
        """The next line without CR LF; None at EOF."""
        async with asyncio.timeout(seconds):
            raw = await self.reader.readline()
        return raw.decode().rstrip("\r\n") if raw else None

    async def until(self, prefix: str) -> list[str]:
        """Lines up to and including the first starting with ``prefix``."""
        seen: list[str] = []
        while (line := await self.line()) is not None:
            seen.append(line)
            if line.startswith(prefix):
                return seen
        raise AssertionError(f"connection closed before {prefix!r}; got {seen}")

    async def quiet(self, prefix: str) -> bool:
        """Tell whether no line starting with ``prefix`` comes for a while."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(QUIET):
                while (line := await self.reader.readline()) and not line.startswith(
                    prefix.encode()
                ):
                    pass
                return False
        return True

    async def closed(self) -> bool:
        """Tell whether the server hangs up without another word."""
        return await self.line() is None

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


@pytest.fixture
async def leaf(ovms_app_server: AppServer) -> App:
    """The demo account watching the Leaf, past its sign-in and replay."""
    app = await App.open(ovms_app_server)
    await app.until("T")
    return app


async def test_sign_in_replay_then_full_update(ovms_app_server: AppServer) -> None:
    """MP-S, the car's presence, its stored records with their age, then what it sends now."""
    app = await App.open(ovms_app_server)
    assert await app.line() == "MP-S 1 demo LEAF LEAF TWIZY KONA"
    replay = await app.until("T")
    assert [line[0] for line in replay] == ["Z", "F", "S", "D", "L", "W", "Y", "T"]
    assert replay[0] == "Z1"
    assert replay[-1] == "T240"  # the Leaf last reported 240 s before the start
    live = await app.until("Y")
    assert [line[0] for line in live[:3]] == ["F", "f", "T"]
    assert "T0" in live
    await app.close()


async def test_sign_in_over_tls_with_a_v2_token(sim: Simulator, ovms_app_server: AppServer) -> None:
    """TLS with the simulator's CA; ``*`` is the first car; a token needs the v2 right."""
    token = sim.ovms.accounts.new_token("demo", "ha", "live", "v2").token
    context = ovms_app_server.certificates.client_context()
    app = await App.open(ovms_app_server, f"MP-A 1 demo {token} *", context=context)
    assert await app.line() == "MP-S 1 demo LEAF LEAF TWIZY KONA"
    await app.close()


@pytest.mark.parametrize(
    "welcome",
    [
        "MP-A 1 demo wrong LEAF",
        f"MP-A 1 demo {demo_token('demo')} LEAF",  # a token with the default "auth" right
        "MP-A 1 demo demo ZOE",  # another account's car
        "MP-A 1 nobody demo *",
        "MP-A 1 empty empty *",  # an account without cars
        "MP-A 0 token digest LEAF",  # scheme 0x30 is not simulated
        "MP-C 1 demo demo LEAF",  # not an app
        "GET / HTTP/1.1",
    ],
)
async def test_refused_sign_ins_are_closed_without_a_word(
    ovms_app_server: AppServer, welcome: str
) -> None:
    app = await App.open(ovms_app_server, welcome)
    assert await app.closed()


async def test_ca_and_index_name_the_ports(
    client: aiohttp.ClientSession, ovms_app_server: AppServer
) -> None:
    async with client.get("/admin/ovms/v2/ca.pem") as response:
        assert response.status == 200
        assert await response.text() == ovms_app_server.certificates.ca_pem
    async with client.get("/") as response:
        page = await response.text()
    assert f"TCP 127.0.0.1:{ovms_app_server.port}" in page
    assert f"TLS 127.0.0.1:{ovms_app_server.tls_port}" in page


def test_index_line_before_the_port_opens(sim: Simulator) -> None:
    assert "not listening" in sim.ovms.app_server.describe()[0]


async def test_world_changes_are_sent_at_once(sim: Simulator, leaf: App) -> None:
    """A door opening is a D message with the door bit, followed by T0."""
    await leaf.until("Y")
    sim.world.vehicle("LEAF").doors["fl"] = True
    lines = await leaf.until("D")
    assert int(lines[-1][1:].split(",")[0]) & 1
    assert await leaf.line() == "T0"


async def test_pings_are_answered(leaf: App) -> None:
    leaf.send("A")
    assert "a" in await leaf.until("a")


async def test_lock_unlock_and_pin(sim: Simulator, leaf: App) -> None:
    """Replies come first, then the D message showing the new lock state."""
    await leaf.until("Y")
    leaf.send("C22,0000")
    assert (await leaf.until("c"))[-1] == "c22,1,Invalid PIN"
    leaf.send("C22,1234")
    assert (await leaf.until("c"))[-1] == "c22,0"
    assert sim.world.vehicle("LEAF").locked is False
    d = (await leaf.until("D"))[-1]
    assert not int(d[1:].split(",")[1]) & 8
    leaf.send("C20,1234")
    assert (await leaf.until("c"))[-1] == "c20,0"
    assert sim.world.vehicle("LEAF").locked is True


async def test_refusal_codes(ovms_app_server: AppServer, leaf: App) -> None:
    """2 for a code no module knows, 3 for what this car type lacks, 1 for bad parameters."""
    for command, reply in (
        ("C99", "c99,2"),
        ("C21,1234", "c21,3"),  # valet: not on a Leaf
        ("C25", "c25,3"),
        ("C24,7", "c24,1,Homelink button out of range"),
        ("C2,x", "c2,1,Invalid syntax"),
    ):
        leaf.send(command)
        assert (await leaf.until("c"))[-1] == reply


async def test_twizy_charging_valet_and_settings(
    sim: Simulator, ovms_app_server: AppServer, client: aiohttp.ClientSession
) -> None:
    """The Twizy (charging at 08:00) stops charging, keeps valet, takes current and mode."""
    app = await App.open(ovms_app_server, "MP-A 1 demo demo TWIZY")
    await app.until("T")
    twizy = sim.world.vehicle("TWIZY")
    assert twizy.charging
    for command, reply in (
        ("C12", "c12,0"),
        ("C12", "c12,1,Cannot stop charge (charge not in progress)"),
        ("C11", "c11,3"),
        ("C21,1234", "c21,0"),
        ("C15,10", "c15,0"),
        ("C15,0", "c15,1,Parameter out of range"),
        ("C10,4", "c10,0"),  # performance: a Twizy falls back to storage
    ):
        app.send(command)
        assert (await app.until("c"))[-1] == reply, command
    assert not twizy.charging
    assert twizy.valet
    assert twizy.charge_mode == "storage"
    status = (await app.until("S"))[-1][1:].split(",")
    assert (status[5], status[8], status[14]) == ("storage", "10", "1")
    charge = await get_dict(client, "/api/charge/TWIZY", username="demo", password="demo")
    assert (charge["mode"], charge["chargelimit"]) == ("storage", "10")
    await app.close()


async def test_leaf_charge_climate_and_wake_up(sim: Simulator, leaf: App) -> None:
    """Homelink 0/1 is the Leaf's climate on/off; charging needs a plug; wake-up wakes."""
    leaf.send("C24,0")
    assert (await leaf.until("c"))[-1] == "c24,0"
    assert sim.world.vehicle("LEAF").climate_on
    leaf.send("C26,0")
    assert (await leaf.until("c"))[-1] == "c26,0"
    assert not sim.world.vehicle("LEAF").climate_on
    leaf.send("C11")
    assert (await leaf.until("c"))[-1] == "c11,1,Cannot charge (charge port closed)"
    leaf.send("C18")
    assert (await leaf.until("c"))[-1] == "c18,0"
    assert sim.world.vehicle("LEAF").awake


async def test_lists_update_request_and_reboot(leaf: App) -> None:
    leaf.send("C1")
    features = [line for line in await leaf.until("c1,0,31,") if line.startswith("c1,")]
    assert len(features) == 32
    assert "c1,0,15,32,1" in features
    leaf.send("C3")
    assert "c3,0,8,32,LEAF" in await leaf.until("c3,0,31,")
    leaf.send("C4,8,OTHER")
    assert (await leaf.until("c"))[-1] == "c4,0"
    leaf.send("C7,server v2 update all")
    assert (await leaf.until("c"))[-1].startswith("c7,0,Server V2 data update")
    assert (await leaf.until("S"))[-1].startswith("S")
    leaf.send("C7,rm -rf")
    assert (await leaf.until("c"))[-1] == "c7,0,Unrecognised command"
    leaf.send("C5")
    lines = await leaf.until("S")
    assert lines[lines.index("c5,0,Module Rebooted") :][1:3] == ["Z0", "Z1"]


async def test_offline_car_never_answers(sim: Simulator, ovms_app_server: AppServer) -> None:
    """The Kona is not connected: Z0, its old records, no reply; online again: Z1 and news."""
    app = await App.open(ovms_app_server, "MP-A 1 demo demo KONA")
    replay = await app.until("T")
    assert replay[1] == "Z0"
    assert int(replay[-1][1:]) > 2 * 86400
    app.send("C20,1234")
    assert await app.quiet("c")
    sim.world.vehicle("KONA").online = True
    assert "Z1" in await app.until("S")
    await app.close()


async def test_batch_clients_do_not_count_as_peers(
    sim: Simulator, ovms_app_server: AppServer
) -> None:
    app = await App.open(ovms_app_server, "MP-B 1 demo demo LEAF")
    await app.until("T")
    assert sim.ovms.modules["LEAF"].peer_count(sim.clock.now()) == 0
    interactive = await App.open(ovms_app_server)
    await interactive.until("T")
    assert sim.ovms.modules["LEAF"].peer_count(sim.clock.now()) == 1
    await interactive.close()
    await app.close()


async def test_an_undecodable_line_ends_the_connection(leaf: App) -> None:
    leaf.send("")
    assert None in [await leaf.line() for _ in range(40)]


# Faults


async def test_refuse_and_slow_faults(ovms_app_server: AppServer) -> None:
    ovms_app_server.add_fault("refuse", "LEAF", times=1)
    assert await (await App.open(ovms_app_server)).closed()
    ovms_app_server.add_fault("slow", "LEAF", seconds=0.1, times=2)
    app = await App.open(ovms_app_server)
    assert (await app.line() or "").startswith("MP-S 1")
    await app.until("T")
    app.send("C20,1234")
    assert (await app.until("c"))[-1] == "c20,0"
    assert ovms_app_server.faults.active() == []
    await app.close()


async def test_silent_car_and_stalled_server(ovms_app_server: AppServer, leaf: App) -> None:
    ovms_app_server.add_fault("silent", "LEAF", times=1)
    leaf.send("C20,1234")
    assert await leaf.quiet("c")
    leaf.send("C20,1234")
    assert (await leaf.until("c"))[-1] == "c20,0"
    ovms_app_server.add_fault("stall", "LEAF")
    leaf.send("A")
    assert await leaf.quiet("a")
    stalled = await App.open(ovms_app_server)
    assert await stalled.quiet("MP-S")
    await stalled.close()


async def test_admin_api_drops_links_and_manages_faults(
    client: aiohttp.ClientSession, ovms_app_server: AppServer, leaf: App
) -> None:
    async with client.get("/admin/ovms/v2") as response:
        overview = await response.json()
    assert overview["port"] == ovms_app_server.port
    assert overview["sessions"] == [
        {"username": "demo", "vehicle": "LEAF", "client": "A", "tls": False, "stalled": False}
    ]
    assert overview["lines_sent"]["LEAF"] > 5
    fault = {"kind": "silent", "vehicle": "LEAF", "times": 2}
    async with client.post("/admin/ovms/v2/faults", json=fault) as response:
        assert response.status == 200
        assert (await response.json())["faults"][0]["kind"] == "silent"
    for bad in ({"kind": "boom"}, {"kind": "slow", "seconds": "x"}, {"kind": "slow", "x": 1}, []):
        async with client.post("/admin/ovms/v2/faults", json=bad) as response:
            assert response.status == 400, bad
    async with client.delete("/admin/ovms/v2/faults") as response:
        assert (await response.json()) == {"faults": []}
    async with client.post("/admin/ovms/v2/drop", json={"vehicle": "LEAF"}) as response:
        assert (await response.json()) == {"dropped": 1}
    assert None in [await leaf.line() for _ in range(40)]
