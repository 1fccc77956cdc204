"""Opening a protocol v2 app connection: TCP or TLS, then the scheme 0x31 sign-in.

A sign-in is refused when the server closes the connection after our welcome
without answering: wrong username, password or token, a token without the
``v2`` right, or a car not on the account (the real server does not say
which). That raises AuthenticationError; every other failure (no connection,
TLS, timeouts, a reset, an answer that is not ``MP-S 1``) is transient.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import ssl
from urllib.parse import urlsplit

from ..errors import AuthenticationError, BackendUnavailableError, ProtocolError
from .app_protocol import (
    TLS_PORT,
    LineReader,
    SignInAnswer,
    encode_message,
    parse_sign_in_answer,
    sign_in_line,
)

CONNECT_TIMEOUT = 15.0
SIGN_IN_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class AppEndpoint:
    """Where the server's app port is; ``tls`` None means plain TCP."""

    host: str
    port: int = TLS_PORT
    tls: ssl.SSLContext | None = field(default=None, compare=False)

    @classmethod
    def for_server(
        cls,
        server_url: str,
        *,
        port: int = TLS_PORT,
        tls: bool = True,
        verify_ssl: bool = True,
        ssl_context: ssl.SSLContext | None = None,
    ) -> AppEndpoint:
        """The app port on the host of the REST ``server_url``, TLS verified by default.

        Pass ``ssl_context`` from the caller's loop-friendly factory (creating a
        default context reads the system's certificates from disk).
        """
        host = urlsplit(server_url).hostname or server_url
        if not tls:
            return cls(host, port)
        context = ssl_context or ssl.create_default_context()
        if not verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return cls(host, port, context)


@dataclass(slots=True)
class AppSession:
    """A signed-in connection: its lines, its writer and the server's welcome."""

    lines: LineReader
    writer: asyncio.StreamWriter
    answer: SignInAnswer

    def send(self, code: str, payload: str = "") -> None:
        """Send one message."""
        self.writer.write(encode_message(code, payload))

    async def close(self) -> None:
        """Hang up (waiting briefly for the close to finish)."""
        self.writer.close()
        with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
            async with asyncio.timeout(2):
                await self.writer.wait_closed()


async def sign_in(
    endpoint: AppEndpoint,
    username: str,
    secret: str,
    vehicle_id: str = "*",
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    sign_in_timeout: float = SIGN_IN_TIMEOUT,
) -> SignInAnswer:
    """Sign in once and hang up: which car ``*`` is and the account's cars.

    AuthenticationError when refused, BackendUnavailableError when the server
    cannot be reached or does not answer.
    """
    session = await open_session(
        endpoint,
        username,
        secret,
        vehicle_id,
        connect_timeout=connect_timeout,
        sign_in_timeout=sign_in_timeout,
    )
    await session.close()
    return session.answer


async def open_session(
    endpoint: AppEndpoint,
    username: str,
    secret: str,
    vehicle_id: str,
    *,
    connect_timeout: float,
    sign_in_timeout: float,
) -> AppSession:
    """Connect and sign in; AuthenticationError when refused, else transient errors."""
    welcome = sign_in_line(username, secret, vehicle_id)
    where = f"{endpoint.host}:{endpoint.port}"
    try:
        async with asyncio.timeout(connect_timeout):
            reader, writer = await asyncio.open_connection(
                endpoint.host, endpoint.port, ssl=endpoint.tls, limit=2**16
            )
    except (OSError, TimeoutError) as err:
        raise BackendUnavailableError(f"protocol v2 at {where}: {describe_error(err)}") from err
    lines = LineReader(reader)
    try:
        writer.write(welcome)
        async with asyncio.timeout(sign_in_timeout):
            line = await lines.readline()
    except (OSError, TimeoutError) as err:
        writer.close()
        raise BackendUnavailableError(f"protocol v2 at {where}: {describe_error(err)}") from err
    if line is None:
        writer.close()
        raise AuthenticationError(f"protocol v2 at {where}: the server refused the sign-in")
    try:
        return AppSession(lines, writer, parse_sign_in_answer(line))
    except ProtocolError:
        writer.close()
        raise


def describe_error(err: BaseException) -> str:
    """A short reason for logs and link status (no addresses beyond the server's)."""
    if isinstance(err, TimeoutError):
        return "no answer in time"
    return type(err).__name__ if not str(err) else f"{type(err).__name__}: {err}"
