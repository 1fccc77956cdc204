"""OVMS server accounts: password or API-token logins, cookie sessions, tokens."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
import hashlib
import secrets
from typing import Final
import uuid

from ..world import World

SESSION_LIFETIME: Final = timedelta(seconds=300)
FULL_RIGHTS: Final = "*"


@dataclass(frozen=True)
class Token:
    """An API token, usable in place of the account password."""

    owner: str
    token: str
    application: str
    purpose: str
    permit: str

    def as_json(self) -> dict[str, str]:
        """Return the token as the server lists it."""
        return asdict(self)


@dataclass(frozen=True)
class Session:
    """A cookie session: it ends 300 s after login, however often it is used."""

    id: str
    username: str
    permissions: str
    expires: datetime


def permits(permissions: str, *rights: str) -> bool:
    """Tell whether ``permissions`` (``*`` or a comma list) grant one of ``rights``."""
    if permissions == FULL_RIGHTS:
        return True
    granted = {p.strip().lower() for p in permissions.split(",")}
    return any(right.lower() in granted for right in rights)


def demo_token(username: str) -> str:
    """Return the fixed API token pre-made for a demo account."""
    return hashlib.sha256(f"connected-vehicle demo token for {username}".encode()).hexdigest()


class Accounts:
    """The OVMS server's view of the world's ``ovms`` accounts."""

    def __init__(self, world: World, backend: str) -> None:
        """Give every account of ``backend`` one pre-made API token."""
        self._world = world
        self._backend = backend
        self._sessions: dict[str, Session] = {}
        self._tokens: dict[str, list[Token]] = {
            a.username: [Token(a.username, demo_token(a.username), "demo", "demo", "auth")]
            for a in world.accounts
            if a.backend == backend
        }

    def vehicle_ids(self, username: str) -> tuple[str, ...]:
        """Return the ids of the user's cars."""
        account = self._world.account(self._backend, username)
        return account.vehicle_ids if account else ()

    def authenticate(self, username: str, password: str) -> str | None:
        """Return the permissions a password or API token grants, None if neither fits."""
        account = self._world.account(self._backend, username)
        if account is None:
            return None
        if account.password == password:
            return FULL_RIGHTS
        token = self._find(username, password)
        return token.permit if token else None

    def login(self, username: str, permissions: str, now: datetime) -> Session:
        """Open a session; its id is an upper-case UUID."""
        session = Session(str(uuid.uuid4()).upper(), username, permissions, now + SESSION_LIFETIME)
        self._sessions[session.id] = session
        return session

    def session(self, session_id: str, now: datetime) -> Session | None:
        """Return the live session ``session_id``, if any."""
        session = self._sessions.get(session_id)
        return session if session and session.expires > now else None

    def logout(self, session_id: str) -> Session | None:
        """End a session and return it."""
        return self._sessions.pop(session_id, None)

    def expired(self, now: datetime) -> list[Session]:
        """Remove and return the sessions that have run out."""
        gone = [s for s in self._sessions.values() if s.expires <= now]
        for session in gone:
            del self._sessions[session.id]
        return gone

    def end_all(self) -> list[Session]:
        """End every session and return them."""
        gone = list(self._sessions.values())
        self._sessions.clear()
        return gone

    def tokens(self, username: str) -> list[Token]:
        """Return the user's API tokens."""
        return list(self._tokens.get(username, []))

    def new_token(self, username: str, application: str, purpose: str, permit: str) -> Token:
        """Create an API token (64 hex digits)."""
        token = Token(username, secrets.token_hex(32), application, purpose, permit)
        self._tokens.setdefault(username, []).append(token)
        return token

    def delete_token(self, username: str, token: str) -> None:
        """Delete one of the user's tokens (silently, like the real server)."""
        self._tokens[username] = [t for t in self.tokens(username) if t.token != token]

    def _find(self, username: str, token: str) -> Token | None:
        return next((t for t in self.tokens(username) if t.token == token), None)
