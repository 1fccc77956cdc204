"""OVMS protocol v2 for apps, encryption scheme 0x31: lines, messages and sign-in.

An app opens TCP (port 6867) or TLS (port 6870) and sends
``MP-A 1 <username> <password or API token> <vehicle id or *>``; the server
answers ``MP-S 1 <username> <vehicle id> <the account's cars>`` or, when it
refuses, closes the connection without a word. From then on every line is one
plain-text message, ``<code><payload>``, ended by CR LF.

The documents write messages as ``MP-0 <code><payload>``. The real server
(ApiV2.pm) sends scheme 0x31 lines without that prefix and adds it itself to
what an app sends, so an app must send bare lines (a prefixed one would reach
the car as garbage, an empty one ends the connection). Incoming lines are
read either way. Text inside a line may hold bare CRs: the module turns
newlines in command output into CR.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging

from ..errors import ProtocolError

_LOGGER = logging.getLogger(__name__)

TCP_PORT = 6867
TLS_PORT = 6870
MAX_LINE = 16384  # bytes; the longest real lines (command output) stay far below
_PREFIX = "MP-0 "
_READ_CHUNK = 65536


@dataclass(frozen=True, slots=True)
class Message:
    """One protocol message: its one-letter code and the rest of the line."""

    code: str
    payload: str


@dataclass(frozen=True, slots=True)
class SignInAnswer:
    """The server's welcome: who we are, which car this connection watches, all the cars."""

    username: str
    vehicle_id: str
    vehicles: tuple[str, ...]


def parse_message(line: bytes) -> Message:
    """A message from one received line (without its line end), or ProtocolError."""
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    text = text.removeprefix(_PREFIX)
    if not text or not text[0].isprintable() or text[0].isspace():
        raise ProtocolError("protocol v2: a line without a message code")
    return Message(text[0], text[1:])


def encode_message(code: str, payload: str = "") -> bytes:
    """The line an app sends for a message (bare, as scheme 0x31 wants it)."""
    line = code + payload
    if len(code) != 1 or not code.isprintable() or "\r" in line or "\n" in line:
        raise ValueError("a protocol v2 message is one code letter and one line of text")
    return f"{line}\r\n".encode()


def sign_in_line(username: str, secret: str, vehicle_id: str = "*") -> bytes:
    """The app's welcome for scheme 0x31; ValueError when a part cannot be carried.

    The server splits the welcome at whitespace, so a username, password or
    token holding a space (or nothing at all) cannot sign in over protocol v2.
    """
    for name, part in (("username", username), ("password", secret), ("vehicle id", vehicle_id)):
        if not part or not part.isprintable() or any(char.isspace() for char in part):
            raise ValueError(f"protocol v2 cannot carry this {name} (empty or with spaces)")
    return f"MP-A 1 {username} {secret} {vehicle_id}\r\n".encode()


def parse_sign_in_answer(line: bytes) -> SignInAnswer:
    """The ``MP-S 1`` answer to a scheme 0x31 welcome, or ProtocolError."""
    parts = line.decode("utf-8", errors="replace").split()
    if len(parts) < 4 or parts[0] != "MP-S" or parts[1] != "1":
        raise ProtocolError("protocol v2: the server did not answer the sign-in")
    return SignInAnswer(username=parts[2], vehicle_id=parts[3], vehicles=tuple(parts[4:]))


class LineReader:
    """Whole lines from a stream, each at most ``limit`` bytes.

    A longer line is skipped to its end (logged at debug level): one hostile
    line costs that line, never the connection.
    """

    def __init__(self, reader: asyncio.StreamReader, limit: int = MAX_LINE) -> None:
        """Read from ``reader``."""
        self._reader = reader
        self._limit = limit
        self._buffer = bytearray()
        self._skipping = False
        self.skipped = 0

    async def readline(self) -> bytes | None:
        """The next line without its LF (a CR before it stays); None at the end of the stream.

        Safe to cancel: nothing read is lost.
        """
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                if self._skipping or len(line) > self._limit:
                    self._skip_done()
                    continue
                return line
            if len(self._buffer) > self._limit:
                self._buffer.clear()
                self._skipping = True
            chunk = await self._reader.read(_READ_CHUNK)
            if not chunk:
                return None
            self._buffer += chunk

    def _skip_done(self) -> None:
        self._skipping = False
        self.skipped += 1
        _LOGGER.debug("Skipped a protocol v2 line longer than %d bytes", self._limit)
