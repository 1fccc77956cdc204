"""OVMS over TLS with a self-signed certificate, as many home servers run it.

The simulator is served over real TLS on 127.0.0.1 with a certificate made
here; the client says "not trusted" (a distinct error) unless told not to
check, and then works.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import ssl
import tempfile
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.connected_vehicle.api.errors import (
    AuthenticationError,
    BackendUnavailableError,
    UntrustedCertificateError,
)
from custom_components.connected_vehicle.api.models import DataGroup
from custom_components.connected_vehicle.api.ovms import OvmsClient
from simulator import Simulator


def self_signed(folder: Path, names: x509.GeneralNames) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for ``names``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ovms.home")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture
async def refused_handshakes_expected() -> AsyncIterator[None]:
    """The server side of a handshake our client refuses ends in a reset: not an error here."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(the_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), ConnectionResetError):
            return
        if previous is not None:
            previous(the_loop, context)
        else:
            the_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    yield
    loop.set_exception_handler(previous)


async def serve(sim: Simulator, context: ssl.SSLContext) -> TestServer:
    server = TestServer(sim.app, host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    return server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client_session:
        yield client_session


LOOPBACK = x509.GeneralNames([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
ELSEWHERE = x509.GeneralNames([x509.DNSName("ovms.example.net")])


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
