"""OVMS over TLS with a self-signed certificate, as many home servers run it.

The simulator is served over real TLS on 127.0.0.1 with a certificate made
here; the client says "not trusted" (a distinct error) unless told not to
check, and then works.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from cryptography import x509
import pytest

from custom_components.connected_vehicle.api.errors import (
    AuthenticationError,
    BackendUnavailableError,
    UntrustedCertificateError,
)
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.api.ovms import OvmsClient
from simulator import Simulator

from .tls import ELSEWHERE, LOOPBACK, self_signed, serve


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


@pytest.mark.parametrize("names", [LOOPBACK, ELSEWHERE], ids=["for-this-host", "for-another"])
async def test_an_untrusted_certificate_is_said_so_and_can_be_accepted(
    session: aiohttp.ClientSession,
    sim: Simulator,
    folder: Path,
    socket_enabled: None,
    refused_handshakes_expected: None,
    names: x509.GeneralNames,
) -> None:
    server = await serve(sim, self_signed(folder, names))
    url = str(server.make_url("")).rstrip("/")
    assert url.startswith("https://127.0.0.1:")
    try:
        checking = OvmsClient(session, url, "demo", "demo", timeout=5)
        with pytest.raises(UntrustedCertificateError, match="not trusted") as caught:
            await checking.vehicles()
        assert "self-signed certificate" in str(caught.value)
        assert isinstance(caught.value, BackendUnavailableError)
        assert not isinstance(caught.value, AuthenticationError)
        assert "demo" not in str(caught.value)  # neither user nor password
        trusting = OvmsClient(session, url, "demo", "demo", timeout=5, verify_ssl=False)
        leaf = next(v for v in await trusting.vehicles() if v.id == "LEAF")
        assert "battery_level" in (await trusting.fetch(leaf, {DataGroup.ENERGY})).readings
    finally:
        await server.close()
