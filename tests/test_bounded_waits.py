"""Every wait a back end asks for is finite and bounded: Retry-After, quota texts, command limits.

The clients run against the simulator over real HTTP; the simulator sends the
hostile Retry-After headers and quota texts a careless or hostile server might.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import json
import math

import aiohttp
import pytest

from custom_components.connected_vehicle.api.errors import (
    LONGEST_QUOTA_WAIT,
    LONGEST_WAIT,
    SHORTEST_WAIT,
    QuotaExhaustedError,
    RateLimitedError,
    bounded_wait,
)
from custom_components.connected_vehicle.api.http import retry_after
from custom_components.connected_vehicle.api.ovms import OvmsClient
from custom_components.connected_vehicle.api.volvo import ApiKeyQuota
from custom_components.connected_vehicle.api.volvo.errors import quota_wait
from simulator import Simulator

from .api_clients import peugeot_client, volvo_client

HOUR, DAY = 3600.0, 86400.0


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, None),
        (math.nan, None),
        (math.inf, LONGEST_WAIT),
        (-math.inf, SHORTEST_WAIT),
        (-30, SHORTEST_WAIT),
        (0, SHORTEST_WAIT),
        (30, 30.0),
        (1e12, LONGEST_WAIT),
        (10**400, LONGEST_WAIT),
    ],
)
def test_bounded_wait(seconds: float | None, expected: float | None) -> None:
    assert bounded_wait(seconds) == expected
    error = RateLimitedError("x", retry_after=seconds)
    assert error.retry_after == expected


def test_quota_waits_may_last_a_day_not_longer() -> None:
    assert QuotaExhaustedError("x", retry_after=16 * HOUR).retry_after == 16 * HOUR
    assert QuotaExhaustedError("x", retry_after=10**400).retry_after == LONGEST_QUOTA_WAIT == DAY
    assert QuotaExhaustedError("x", retry_after=math.nan).retry_after is None
    soon = QuotaExhaustedError("x", retry_after=0.5)
    assert (soon.retry_after, soon.replenished_in) == (SHORTEST_WAIT, 0.5)
    assert QuotaExhaustedError("x", retry_after=10**400).replenished_in == DAY
    assert QuotaExhaustedError("x", retry_after=-math.inf).replenished_in == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("nan", None),
        ("NaN", None),
        ("inf", LONGEST_WAIT),
        ("-inf", SHORTEST_WAIT),
        ("-30", SHORTEST_WAIT),
        ("0", SHORTEST_WAIT),
        ("1e12", LONGEST_WAIT),
        ("9" * 400, LONGEST_WAIT),
        ("soon", None),
        ("", None),
        ("Sun, 06 Nov 1994 08:49:37 GMT", SHORTEST_WAIT),  # in the past
        ("Fri, 31 Dec 9999 23:59:59 GMT", LONGEST_WAIT),
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
    ],
)
def test_retry_after_header(header: str, expected: float | None) -> None:
    headers = {"Retry-After": header} if header else {}
    assert bounded_wait(retry_after(headers)) == expected


def test_retry_after_http_date_counts_from_now() -> None:
    soon = datetime.now(UTC) + timedelta(minutes=10)
    seconds = retry_after({"Retry-After": format_datetime(soon, usegmt=True)})
    assert seconds is not None
    assert 590 <= seconds <= 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Out of call volume quota. Quota will be replenished in 16:00:00.", 16 * HOUR),
        ("... replenished in 1.02:03:04", DAY),
        ("... replenished in 00:00:00", SHORTEST_WAIT),
        ("... replenished in 99999999999.00:00:00", DAY),
        ("... replenished in " + "9" * 400 + ":00:00", DAY),
        ("... replenished in " + "0" * 400 + "1:00:00", HOUR),
        ("... replenished in 7:5:3", None),
        ("Out of call volume quota.", None),
    ],
)
def test_quota_text(text: str, expected: float | None) -> None:
    assert QuotaExhaustedError("x", retry_after=quota_wait(text)).retry_after == expected


def test_quota_block_is_bounded() -> None:
    now = [1_000_000.0]
    quota = ApiKeyQuota(clock=lambda: now[0])
    quota.block(10**400)
    assert quota.blocked_for == DAY
    quota.block(math.inf)
    assert quota.blocked_for == DAY
    quota.block(math.nan)
    assert quota.blocked_for == 0
    quota.block(-30)
    assert quota.blocked_for == 0  # no request goes out while blocked: no storm to fear
    quota.block(600)
    now[0] -= 10 * DAY  # the clock went back: the block still ends within a day
    assert quota.blocked_for == DAY


def test_command_limit_wait_is_bounded() -> None:
    now = [0.0]
    quota = ApiKeyQuota(commands_per_minute=1, clock=lambda: now[0])
    quota.acquire_command()
    now[0] = 59.9  # 0.1 s to the end of the window: still no storm
    with pytest.raises(RateLimitedError) as caught:
        quota.acquire_command()
    assert caught.value.retry_after == SHORTEST_WAIT


# --- Over HTTP, from every client --------------------------------------------------------


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


HOSTILE = [("nan", None), ("inf", LONGEST_WAIT), ("-30", SHORTEST_WAIT), ("1e12", LONGEST_WAIT)]


@pytest.mark.parametrize(("header", "expected"), HOSTILE)
async def test_every_client_bounds_retry_after(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str, header: str, expected: float
) -> None:
    sim.faults.add(kind="rate_limit", retry_after=header)
    clients = (
        volvo_client(session, sim, sim_url),
        peugeot_client(session, sim, sim_url),
        OvmsClient(session, sim_url, "demo", "demo", timeout=2),
    )
    for client in clients:
        with pytest.raises(RateLimitedError) as caught:
            await client.vehicles()
        assert caught.value.retry_after == expected, type(client).__name__


async def test_volvo_quota_text_over_http_blocks_for_a_day_at_most(
    session: aiohttp.ClientSession, sim: Simulator, sim_url: str
) -> None:
    """A gateway saying the quota returns in 8.6e15 s holds the key back for a day."""
    body = json.dumps({"message": "Out of call volume quota. Replenished in 99999999999.00:00:00"})
    sim.faults.add(status=403, body=body.replace("Replenished", "replenished"), times=1)
    quota = ApiKeyQuota()
    client = volvo_client(session, sim, sim_url, quota=quota)
    with pytest.raises(QuotaExhaustedError) as caught:
        await client.vehicles()
    assert caught.value.retry_after == DAY
    assert quota.blocked_for == pytest.approx(DAY, abs=5)
