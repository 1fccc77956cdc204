"""OVMS protocol v2: line codec, car message parsers and command replies, hostile input included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.connected_vehicle.api.errors import CommandFailedError, ProtocolError
from custom_components.connected_vehicle.api.models import CommandStatus, VehicleState
from custom_components.connected_vehicle.api.ovms.app_commands import (
    CarCommandError,
    CommandReply,
    PendingCommands,
    ReplyResult,
    command_payload,
    parse_reply,
    raise_for_result,
    vehicle_commands,
)
from custom_components.connected_vehicle.api.ovms.app_messages import (
    environment_fields,
    parse_capabilities,
    parse_firmware,
    tpms_v3_fields,
)
from custom_components.connected_vehicle.api.ovms.app_protocol import (
    LineReader,
    Message,
    encode_message,
    parse_message,
    parse_sign_in_answer,
    sign_in_line,
)
from custom_components.connected_vehicle.api.ovms.car_stream import CarStream
from custom_components.connected_vehicle.api.ovms.parse import (
    parse_location,
    parse_record,
    parse_tpms,
)
from simulator import Simulator
from simulator.ovms import views
from simulator.ovms.records import Record

from .real_fixtures import real_path

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def feed(stream: CarStream, *lines: str, now: datetime = NOW) -> VehicleState:
    """The merged state of the updates these lines give."""
    state = VehicleState()
    for line in lines:
        update = stream.feed(parse_message(line.encode()), now)
        if update is not None:
            state = state.merged(update.state)
    return state


# Lines and sign-in


def test_messages_with_and_without_the_documents_prefix() -> None:
    """The real server sends bare lines; the documents write ``MP-0 ``: both read the same."""
    assert parse_message(b"S84.5,K\r") == Message("S", "84.5,K")
    assert parse_message(b"MP-0 S84.5,K") == Message("S", "84.5,K")
    assert parse_message(b"c7,0,line one\rline two") == Message("c", "7,0,line one\rline two")
    for bad in (b"", b"\r", b"MP-0 ", b" S1", b"\x00S"):
        with pytest.raises(ProtocolError):
            parse_message(bad)
    assert parse_message(b"\xff\xfe").code == "\ufffd"


def test_outgoing_lines_are_bare_and_single() -> None:
    assert encode_message("C", "20,1234") == b"C20,1234\r\n"
    assert encode_message("A") == b"A\r\n"
    for code, payload in (("", ""), ("CC", ""), ("C", "1\r\n2"), ("C", "x\n")):
        with pytest.raises(ValueError, match="one line"):
            encode_message(code, payload)


def test_sign_in_line_and_answer() -> None:
    assert sign_in_line("demo", "s3cret") == b"MP-A 1 demo s3cret *\r\n"
    assert sign_in_line("demo", "s3cret", "LEAF") == b"MP-A 1 demo s3cret LEAF\r\n"
    for username, secret in (("demo", "two words"), ("", "x"), ("demo", ""), ("a\tb", "x")):
        with pytest.raises(ValueError, match="cannot carry") as caught:
            sign_in_line(username, secret)
        assert secret not in str(caught.value) or not secret
    answer = parse_sign_in_answer(b"MP-S 1 demo LEAF LEAF TWIZY KONA\r")
    assert (answer.username, answer.vehicle_id, answer.vehicles) == (
        "demo",
        "LEAF",
        ("LEAF", "TWIZY", "KONA"),
    )
    assert parse_sign_in_answer(b"MP-S 1 demo LEAF").vehicles == ()
    for bad in (b"", b"MP-S 0 token digest", b"Z1", b"MP-S 1 demo"):
        with pytest.raises(ProtocolError):
            parse_sign_in_answer(bad)


async def test_line_reader_skips_overlong_lines() -> None:
    """CR LF and bare LF end lines; an overlong line is skipped to its end; EOF is None."""
    reader = asyncio.StreamReader()
    lines = LineReader(reader, limit=16)
    reader.feed_data(b"A\r\nS1,K\n" + b"x" * 40 + b"\r\nZ1\r\n" + b"y" * 10)
    reader.feed_data(b"y" * 10 + b"\nT0")
    reader.feed_eof()
    assert [await lines.readline() for _ in range(4)] == [b"A\r", b"S1,K", b"Z1\r", None]
    assert lines.skipped == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=20))
async def test_line_reader_keeps_every_short_line(chunks: list[bytes]) -> None:
    """However the bytes are chunked, the short lines come out whole and in order."""
    data = b"".join(chunks)
    reader = asyncio.StreamReader()
    lines = LineReader(reader, limit=64)
    for chunk in chunks:
        reader.feed_data(chunk)
    reader.feed_eof()
    got = []
    while (line := await lines.readline()) is not None:
        got.append(line)
    expected = [line for line in data.split(b"\n")[:-1] if len(line) <= 64]
    if all(len(line) <= 64 for line in data.split(b"\n")):
        assert got == expected


# Car messages read like the REST API's view of them


def _views(records: dict[str, Record], now: datetime) -> VehicleState:
    """What the REST client reads from the server's JSON of these records (simulator's views)."""
    get = records.get
    state = parse_record(views.charge(get("S"), get("D"), now)).merged(
        parse_record(views.status(get("S"), get("D"), now))
    )
    state = state.merged(parse_location(views.location(get("L"), now)))
    return state.merged(parse_tpms(views.tpms(get("W"), get("Y"), now)))


@pytest.mark.parametrize("vehicle_id", ["LEAF", "TWIZY", "KONA", "ZOE"])
def test_stream_reads_what_rest_reads(vehicle_id: str) -> None:
    """Each simulated module's records, sent live, give the REST client's readings exactly."""
    sim = Simulator(start=NOW, rate_limit=False)
    module = sim.ovms.modules[vehicle_id]
    records = module.records
    sent = max(record.time for record in records.values())
    age = int((NOW - sent).total_seconds())
    stream = CarStream(vehicle_id)
    lines = [f"{r.code}{r.msg}" for r in records.values()]
    live = feed(stream, *reversed(lines), f"T{age}")
    rest = _views(records, NOW)
    assert len(rest.readings) > 20
    assert live == rest


def test_real_server_demo_car_records() -> None:
    """The real server's stored demo-car records (its /api/protocol) read like its REST views."""
    text = real_path("ovms/live-server/extra/protocol.txt").read_text()
    rows = json.loads(text.split("--- body ---\n", 1)[1])
    when = datetime.strptime(rows[0]["m_msgtime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    records = {row["m_code"]: Record(row["m_code"], when, row["m_msg"]) for row in rows}
    records.pop("Y")  # the demo car's Y lacks a validity flag; the real server misreads it too
    lines = (f"{code}{record.msg}" for code, record in records.items())
    live = feed(CarStream("DEMO"), *lines, "T0", now=when)
    rest = _views(records, when)
    assert live.readings["battery_level"].value == 26
    assert live.readings["battery_level"].observed_at == when
    # Door state #3 is 1: awake by the documents' bit 0, not by the server's bit 1.
    assert live.value("awake") is True
    assert rest.value("awake") is False
    without_awake = {k: v for k, v in live.readings.items() if k != "awake"}
    assert VehicleState(without_awake, live.location) == VehicleState(
        {k: v for k, v in rest.readings.items() if k != "awake"}, rest.location
    )
    module = parse_firmware(records["F"].msg)
    assert (module.firmware, module.vehicle_type, module.write_enabled) == ("1.5.0", "TRDM", True)
    assert module.vin == "VIN123456789012345"
    assert module.vin not in repr(module)


def test_records_wait_for_their_age() -> None:
    """Records are read when T says how old they are; S first, so D knows its unit."""
    stream = CarStream("TWIZY")
    assert feed(stream, "D0,8,4,10,20,5,120,12345,30", "S80,M") == VehicleState()
    state = feed(stream, "T90")
    assert state.readings["odometer"].unit == "mi"
    assert state.readings["odometer"].value == 1234.5
    assert state.readings["battery_level"].observed_at == NOW - timedelta(seconds=90)
    assert feed(stream, "D0,0,5,10,20,5,120,12346", "T0").readings["odometer"].unit == "mi"


def test_records_without_a_following_t_are_read_on_flush() -> None:
    stream = CarStream("LEAF")
    feed(stream, "S50,K", now=NOW)
    assert stream.pending
    update = stream.flush()
    assert update is not None
    assert update.state.readings["battery_level"].observed_at == NOW
    assert not stream.pending
    assert stream.flush() is None


def test_peer_count_and_paranoid_messages() -> None:
    stream = CarStream("LEAF")
    assert feed(stream, "Z1").value("server_connected") is True
    assert feed(stream, "Z0").value("server_connected") is False
    assert feed(stream, "EMS" + "x" * 20, "Zx", "f3.0.0", "a", "P?alert") == VehicleState()


def test_awake_from_either_bit_of_door_state_3() -> None:
    """The documents and module use bit 0, the real server reads bit 1: either is awake."""
    for doors3, awake in (("0", False), ("1", True), ("2", True), ("3", True), ("x", None)):
        fields = environment_fields(f"0,0,4,1,1,1,0,0,0,0,1,{doors3}")
        assert fields.get("carawake", None) == (None if awake is None else int(doors3) & 3)


def test_y_is_read_and_w_ignored_once_y_came() -> None:
    stream = CarStream("LEAF")
    state = feed(stream, "W30,5,30,5,30,5,30,5,1", "T0")
    assert state.readings["tyre_pressure_front_left"].unit == "psi"
    y = "Y4,FL,FR,RL,RR,4,240,241,242,243,1,4,5,5,5,5,1,0,-1,4,0,1,2,0,1"
    state = feed(stream, y, "T0")
    assert state.readings["tyre_pressure_front_right"].value == 241
    assert state.readings["tyre_pressure_front_right"].unit == "kPa"
    assert state.readings["tyre_warning_rear_left"].value == "alert"
    assert "tyre_pressure_front_left" not in feed(stream, "W30,5,30,5,30,5,30,5,1", "T0").readings
    assert feed(stream, "Y4,fl,fr,rl,rr,0,-1,0,-1,0,-1,0,-1", "T0") == VehicleState()


@pytest.mark.parametrize(
    "payload", ["", "x", "4,fl,fr", "2,fl,fr,3,1,2", "-1", "99999,a", "1,fl,1,200"]
)
def test_broken_y_messages_are_protocol_errors(payload: str) -> None:
    with pytest.raises(ProtocolError):
        tpms_v3_fields(payload)


def test_capabilities_of_v2_firmware() -> None:
    assert parse_capabilities("C1-6,C40-41,C49") == frozenset({1, 2, 3, 4, 5, 6, 40, 41, 49})
    assert parse_capabilities("C10-12,X3,C,C-4,C20-,Cx") == frozenset({10, 11, 12, 20})
    assert max(parse_capabilities("C65530-9999999999")) == 65535
    assert parse_capabilities("C99999999") == frozenset()


def test_supported_commands_by_type_or_advertised() -> None:
    leaf = vehicle_commands("nl")
    assert leaf is not None
    assert {20, 22, 11, 12, 18, 24} <= leaf
    assert 21 not in leaf  # valet: "not supported" in the Leaf's guide
    assert vehicle_commands("XYZ") is None
    assert vehicle_commands("XYZ", frozenset({20})) == frozenset({20})
    kona = vehicle_commands("HIONVFL")
    assert kona is not None
    assert 20 not in kona
    assert 1 in kona


# Command replies


def test_reply_results_map_to_statuses() -> None:
    assert raise_for_result(CommandReply(20, 0)).code == 20
    for result, status in (
        (1, CommandStatus.REJECTED),
        (2, CommandStatus.NOT_SUPPORTED),
        (3, CommandStatus.NOT_IMPLEMENTED),
        (7, CommandStatus.REJECTED),
    ):
        with pytest.raises(CarCommandError) as caught:
            raise_for_result(CommandReply(20, result, "No\x00 write\raccess"))
        assert caught.value.command_status == status
        assert isinstance(caught.value, CommandFailedError)
    with pytest.raises(CarCommandError, match="No  write access"):
        raise_for_result(CommandReply(20, 1, "No\x00 write\raccess"))
    assert ReplyResult.UNIMPLEMENTED == 3


def test_command_payload_and_reply_parsing() -> None:
    assert command_payload(20, ("1234",)) == "20,1234"
    assert command_payload(7, ("server v2 update all",)) == "7,server v2 update all"
    with pytest.raises(ValueError, match="line break"):
        command_payload(20, ("12\n34",))
    with pytest.raises(ValueError, match="65535"):
        command_payload(70000, ())
    assert parse_reply("20,0") == (20, 0, "")
    assert parse_reply("7,0,a,b,c") == (7, 0, "a,b,c")
    for bad in ("", "20", "x,0", "20,x", "123456,0", "٣,0"):
        with pytest.raises(ProtocolError):
            parse_reply(bad)


async def test_pending_commands_match_oldest_first_and_gather_lists() -> None:
    pending = PendingCommands()
    first, second = pending.expect(20), pending.expect(20)
    listing = pending.expect(1)
    pending.resolve("22,0")  # nobody waits for 22: dropped
    pending.resolve("20,1,Invalid PIN")
    assert (await first).text == "Invalid PIN"
    assert not second.done()
    for index in range(3):
        pending.resolve(f"1,0,{index},3,value {index}")
    assert (await listing).entries == {0: "value 0", 1: "value 1", 2: "value 2"}
    pending.forget(20, second)
    pending.resolve("20,0")
    assert not second.done()
    failing = pending.expect(3)
    pending.resolve("3,2")
    assert (await failing).result == 2
    lost = pending.expect(20)
    pending.fail_all(RuntimeError("dropped"))
    with pytest.raises(RuntimeError):
        await lost
    for bad in ("1,0", "1,0,x,3,v", "1,0,5,3,v", "1,0,1,999999,v"):
        waiting = pending.expect(1)
        with pytest.raises(ProtocolError):
            pending.resolve(bad)
        pending.forget(1, waiting)


# Hostile input: parsers raise ProtocolError or nothing


_LINE = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda code, fields: f"{code}{','.join(fields)}".encode(),
        st.sampled_from("SDLWYFVZTcEaAfQ"),
        st.lists(
            st.one_of(
                st.text(max_size=6),
                st.sampled_from(["nan", "inf", "-1", "1e999", "9" * 400, "", "K", "M"]),
                st.integers(-(2**70), 2**70).map(str),
                st.floats().map(str),
            ),
            max_size=45,
        ),
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINE, max_size=12))
async def test_no_line_crashes_the_stream(lines: list[bytes]) -> None:
    """Whatever the server sends, reading it raises ProtocolError or nothing."""
    stream = CarStream("LEAF")
    pending = PendingCommands()
    waiter = pending.expect(1)
    for line in lines:
        try:
            message = parse_message(line)
            if message.code == "c":
                pending.resolve(message.payload)
            else:
                stream.feed(message, NOW)
        except ProtocolError:
            pass
    stream.flush(NOW)
    pending.fail_all(RuntimeError("done"))
    assert waiter.done()
    assert waiter.exception() is not None or waiter.result().code == 1
