"""An OAuth2 authorization server: authorization code with PKCE, refresh tokens.

One instance per provider (Volvo ID, each Stellantis brand), each at its own
paths on the shared app. The authorize page approves at once: it signs in the
account named by ``login_hint`` (or the provider's first account) and sends
the browser back with ``code`` and ``state``. A redirect URI that a browser
cannot follow (a mobile app scheme) gets a page showing the URL instead, for
the user to copy, as the real consumer apps' servers leave it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import html
import json
import secrets
from typing import Final
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from multidict import MultiDictProxy

from .responses import canonical_json, text
from .world import World

type _Form = MultiDictProxy[str | bytes | bytearray | web.FileField]

ACCESS_LIFETIME: Final = timedelta(hours=1)
CODE_LIFETIME: Final = timedelta(minutes=5)


@dataclass(frozen=True)
class Grant:
    """What a token stands for: an account, the client it was issued to, its scopes."""

    username: str
    client_id: str
    scopes: frozenset[str]


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    challenge: str | None
    expires: datetime


@dataclass
class _Access:
    grant: Grant
    expires: datetime


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _token_error(error: str, description: str, status: int = 400) -> web.Response:
    return canonical_json({"error": error, "error_description": description}, status)


class OAuthServer:
    """Issues and checks tokens for the accounts of one back end in the world.

    ``clients`` maps client ids to secrets; None accepts any client (the demo's
    application credentials are whatever the user typed). ``scopes`` are
    granted when the authorize request names none.
    """

    def __init__(
        self,
        world: World,
        *,
        backend: str,
        authorize_path: str,
        token_path: str,
        scopes: tuple[str, ...],
        clients: dict[str, str] | None = None,
        access_lifetime: timedelta = ACCESS_LIFETIME,
    ) -> None:
        """Serve ``backend``'s accounts at the two paths."""
        self.world = world
        self.backend = backend
        self.authorize_path = authorize_path
        self.token_path = token_path
        self.scopes = scopes
        self.clients = clients
        self.access_lifetime = access_lifetime
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, Grant] = {}

    def register(self, app: web.Application) -> None:
        """Add the authorize and token endpoints."""
        app.router.add_get(self.authorize_path, self._authorize)
        app.router.add_post(self.token_path, self._token)

    # For the back ends' handlers

    def grant_for(self, request: web.Request) -> Grant | None:
        """Return the grant behind the request's bearer token, None if absent or expired."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        access = self._access.get(token.strip())
        if access is None or access.expires <= self.world.clock.now():
            return None
        return access.grant

    # For tests and the admin API

    def issue(
        self, username: str, scopes: tuple[str, ...] | None = None, client_id: str = "test"
    ) -> dict[str, str | int]:
        """Issue tokens without the browser dance; answer the token endpoint's JSON."""
        return self._tokens(Grant(username, client_id, frozenset(scopes or self.scopes)))

    def expire_access_tokens(self) -> None:
        """Make every access token expire now (refresh tokens stay valid)."""
        self._access.clear()

    def revoke(self, username: str | None = None) -> None:
        """Revoke the refresh and access tokens of ``username`` (default: everyone)."""
        self._refresh = {
            t: g
            for t, g in self._refresh.items()
            if username is not None and g.username != username
        }
        self._access = {
            t: a
            for t, a in self._access.items()
            if username is not None and a.grant.username != username
        }

    # Handlers

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("response_type") != "code":
            return text(400, "unsupported_response_type")
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri or (self.clients is not None and client_id not in self.clients):
            return text(400, "invalid client or redirect_uri")
        username = self._username(query.get("login_hint"))
        if username is None:
            return text(403, "no such account")
        requested = query.get("scope", "").split()
        scopes = frozenset(requested or self.scopes)
        challenge = query.get("code_challenge")
        if challenge is not None and query.get("code_challenge_method", "plain") != "S256":
            return text(400, "only S256 code challenges are supported")
        code = secrets.token_urlsafe(16)
        self._codes[code] = _Code(
            Grant(username, client_id, scopes),
            redirect_uri,
            challenge,
            self.world.clock.now() + CODE_LIFETIME,
        )
        answer = {"code": code}
        if "state" in query:
            answer["state"] = query["state"]
        separator = "&" if "?" in redirect_uri else "?"
        location = f"{redirect_uri}{separator}{urlencode(answer)}"
        if urlsplit(redirect_uri).scheme in ("http", "https"):
            raise web.HTTPFound(location)
        shown = html.escape(location)
        return text(
            200,
            "<html><body><h1>Signed in</h1><p>Your browser cannot open the app link. "
            f'Copy this address:</p><pre id="redirect">{shown}</pre></body></html>\n',
            content_type="text/html",
        )

    async def _token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        client_id, secret = self._client(request, form)
        if self.clients is not None and self.clients.get(client_id) != secret:
            return _token_error("invalid_client", "unknown client or wrong secret", 401)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            grant = self._refresh.get(str(form.get("refresh_token", "")))
            if grant is None:
                return _token_error("invalid_grant", "refresh token unknown or revoked")
            return canonical_json(self._tokens(grant, str(form["refresh_token"])))
        return _token_error("unsupported_grant_type", f"grant_type {grant_type!r}")

    def _exchange_code(self, form: _Form) -> web.Response:
        code = self._codes.pop(str(form.get("code", "")), None)
        if code is None or code.expires <= self.world.clock.now():
            return _token_error("invalid_grant", "authorization code unknown or expired")
        if form.get("redirect_uri") not in (None, code.redirect_uri):
            return _token_error("invalid_grant", "redirect_uri does not match")
        if code.challenge is not None:
            verifier = str(form.get("code_verifier", ""))
            if not verifier or _s256(verifier) != code.challenge:
                return _token_error("invalid_grant", "PKCE verification failed")
        return canonical_json(self._tokens(code.grant))

    def _tokens(self, grant: Grant, refresh_token: str | None = None) -> dict[str, str | int]:
        access_token = secrets.token_urlsafe(24)
        expires = self.world.clock.now() + self.access_lifetime
        self._access[access_token] = _Access(grant, expires)
        if refresh_token is None:
            refresh_token = secrets.token_urlsafe(24)
            self._refresh[refresh_token] = grant
        answer: dict[str, str | int] = {
            "access_token": access_token,
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": int(self.access_lifetime.total_seconds()),
            "scope": " ".join(sorted(grant.scopes)),
        }
        if "openid" in grant.scopes:
            answer["id_token"] = self._id_token(grant)
        return answer

    def _id_token(self, grant: Grant) -> str:
        """An OpenID Connect ID token naming the account (signed by nobody: a simulator)."""
        claims = {
            "sub": f"{self.backend}-{grant.username}",
            "aud": grant.client_id,
            "iat": int(self.world.clock.now().timestamp()),
        }
        parts = ({"alg": "none", "typ": "JWT"}, claims)
        encoded = (
            base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
            for part in parts
        )
        return ".".join(encoded) + "."

    def _username(self, hint: str | None) -> str | None:
        accounts = [a.username for a in self.world.accounts if a.backend == self.backend]
        if hint:
            return hint if hint in accounts else None
        return accounts[0] if accounts else None

    @staticmethod
    def _client(request: web.Request, form: _Form) -> tuple[str, str]:
        """Return client id and secret from HTTP Basic auth or the form."""
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            decoded = base64.b64decode(header[6:]).decode(errors="replace")
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        return str(form.get("client_id", "")), str(form.get("client_secret", ""))
