"""TLS on loopback for tests: a server with a fresh self-signed certificate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import ssl

from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


async def serve(sim: Simulator, context: ssl.SSLContext) -> TestServer:
    server = TestServer(sim.app, host="127.0.0.1", scheme="https")
    await server.start_server(ssl=context)
    return server


LOOPBACK = x509.GeneralNames([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
ELSEWHERE = x509.GeneralNames([x509.DNSName("ovms.example.net")])
