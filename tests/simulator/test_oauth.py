"""Volvo ID on the simulator: authorization code with PKCE, refresh, revocation, expiry."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import aiohttp

from simulator import Simulator

from .test_volvo_api import CV, KEY, call

AUTHORIZE = "/as/authorization.oauth2"
TOKEN = "/as/token.oauth2"
REDIRECT = "http://127.0.0.1:9/auth/external/callback"
VERIFIER = "a-long-enough-pkce-verifier-0123456789-abcdefghijkl"


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def authorize(client: aiohttp.ClientSession, **extra: str) -> dict[str, list[str]]:
    params = {
        "response_type": "code",
        "client_id": "my-app",
        "redirect_uri": REDIRECT,
        "state": "xyz",
        "scope": "openid conve:vehicle_relation",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    async with client.get(AUTHORIZE, params=params, allow_redirects=False) as response:
        assert response.status == 302
        location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


async def token(client: aiohttp.ClientSession, **form: str) -> tuple[int, dict[str, str]]:
    async with client.post(TOKEN, data={"client_id": "my-app", **form}) as response:
        return response.status, await response.json()


async def exchange(client: aiohttp.ClientSession, verifier: str = VERIFIER) -> tuple[int, dict]:
    query = await authorize(client)
    return await token(
        client,
        grant_type="authorization_code",
        code=query["code"][0],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )


async def list_status(client: aiohttp.ClientSession, access_token: str) -> int:
    auth = {"Authorization": f"Bearer {access_token}", "vcc-api-key": KEY}
    status, _body, _headers = await call(client, "GET", CV, auth)
    return status


async def test_authorize_redirects_with_code_and_state(client: aiohttp.ClientSession) -> None:
    query = await authorize(client)
    assert query["state"] == ["xyz"]
    assert query["code"][0]


async def test_pkce_verifier_gets_tokens_for_the_granted_scopes(
    client: aiohttp.ClientSession,
) -> None:
    status, tokens = await exchange(client)
    assert status == 200
    assert tokens["token_type"] == "Bearer"
    assert set(tokens["scope"].split()) == {"openid", "conve:vehicle_relation"}
    assert await list_status(client, tokens["access_token"]) == 200


async def test_wrong_pkce_verifier_is_invalid_grant(client: aiohttp.ClientSession) -> None:
    status, body = await exchange(client, verifier="not-the-verifier-" * 3)
    assert status == 400
    assert body["error"] == "invalid_grant"


async def test_code_is_single_use(client: aiohttp.ClientSession) -> None:
    query = await authorize(client)
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    assert (await token(client, **form))[0] == 200
    status, body = await token(client, **form)
    assert (status, body["error"]) == (400, "invalid_grant")


async def test_refresh_then_revoke(client: aiohttp.ClientSession, sim: Simulator) -> None:
    _status, tokens = await exchange(client)
    status, fresh = await token(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert status == 200
    assert fresh["access_token"] != tokens["access_token"]
    assert await list_status(client, fresh["access_token"]) == 200
    sim.volvo.oauth.revoke("demo")
    status, body = await token(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert (status, body["error"]) == (400, "invalid_grant")
    assert await list_status(client, fresh["access_token"]) == 401


async def test_access_token_expires_with_time_and_on_demand(
    client: aiohttp.ClientSession, sim: Simulator
) -> None:
    _status, tokens = await exchange(client)
    sim.clock.advance(3601)
    assert await list_status(client, tokens["access_token"]) == 401
    status, fresh = await token(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert status == 200
    assert await list_status(client, fresh["access_token"]) == 200
    async with client.post("/admin/volvo/expire-tokens") as response:
        assert response.status == 200
    assert await list_status(client, fresh["access_token"]) == 401


async def test_login_hint_picks_the_account(client: aiohttp.ClientSession) -> None:
    query = await authorize(client, login_hint="empty")
    status, tokens = await token(
        client,
        grant_type="authorization_code",
        code=query["code"][0],
        redirect_uri=REDIRECT,
        code_verifier=VERIFIER,
    )
    assert status == 200
    auth = {"Authorization": f"Bearer {tokens['access_token']}", "vcc-api-key": KEY}
    _status, body, _headers = await call(client, "GET", CV, auth)
    assert body["data"] == []
    async with client.get(
        AUTHORIZE,
        params={"response_type": "code", "client_id": "x", "redirect_uri": REDIRECT,
                "login_hint": "nobody"},
        allow_redirects=False,
    ) as response:  # fmt: skip
        assert response.status == 403


async def test_openid_scope_brings_an_id_token(client: aiohttp.ClientSession) -> None:
    _status, tokens = await exchange(client)
    assert tokens["id_token"].count(".") == 2
