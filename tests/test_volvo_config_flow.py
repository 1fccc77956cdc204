"""The Volvo config flow through Home Assistant: OAuth2 (PKCE) at the simulator, then the API key.

Every step runs Home Assistant's real flow manager, OAuth2 helper and HTTP
callback view against the simulator's Volvo ID over loopback HTTP.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.connected_vehicle.const import (
    CONF_ACCOUNT,
    CONF_BACKEND,
    CONF_SERVER_URL,
    CONF_UNLOCK_PIN,
    DOMAIN,
)
from simulator import Simulator

from .conftest import CREDENTIAL_ID, V90, VOLVO_API_KEY, XC40, XC60, XC90

pytestmark = pytest.mark.usefixtures("credentials", "current_request_with_host")

AUTHORIZE_PATH = "/as/authorization.oauth2"
TOKEN_PATH = "/as/token.oauth2"
CALLBACK = "https://example.com/auth/external/callback"


async def start_volvo_flow(hass: HomeAssistant, server_url: str) -> ConfigFlowResult:
    """Menu -> Volvo -> the server in the collapsed section -> Volvo ID's sign-in (external)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "volvo" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "volvo"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "volvo"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {CONF_SERVER_URL: server_url + "/"}}
    )
    # One credential only: pick_implementation picks it without asking.
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["step_id"] == "auth"
    return result


async def sign_in(
    hass: HomeAssistant,
    client_factory: ClientSessionGenerator,
    result: ConfigFlowResult,
    *,
    login_hint: str | None = None,
    tamper_challenge: bool = False,
) -> ConfigFlowResult:
    """Follow the external step as a browser would: the IdP's 302, then HA's callback."""
    url = URL(result["url"])
    if login_hint is not None:
        url = url.update_query(login_hint=login_hint)
    if tamper_challenge:
        url = url.update_query(code_challenge="A" * 43)
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(url, allow_redirects=False) as answer,
    ):
        assert answer.status == 302
        location = URL(answer.headers["Location"])
    assert str(location.with_query(None)) == CALLBACK
    assert location.query["code"]
    assert location.query["state"] == url.query["state"]
    client = await client_factory()
    callback = await client.get(f"/auth/external/callback?{location.query_string}")
    assert callback.status == 200
    return await hass.config_entries.flow.async_configure(result["flow_id"])


async def signed_in_flow(
    hass: HomeAssistant, client_factory: ClientSessionGenerator, sim_url: str
) -> ConfigFlowResult:
    """A new flow signed in at Volvo ID, showing the API key form."""
    result = await sign_in(hass, client_factory, await start_volvo_flow(hass, sim_url))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "api_key"
    assert result["errors"] == {}
    return result


async def test_full_flow_creates_the_entry(
    hass: HomeAssistant,
    sim: Simulator,
    sim_url: str,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Sign in with PKCE, a wrong then the right API key: one entry, four cars, loaded."""
    result = await start_volvo_flow(hass, sim_url)
    authorize = URL(result["url"])
    assert str(authorize.with_query(None)) == sim_url + AUTHORIZE_PATH
    assert authorize.query["client_id"] == "test-client"
    assert authorize.query["redirect_uri"] == CALLBACK
    assert authorize.query["code_challenge_method"] == "S256"
    assert len(authorize.query["code_challenge"]) == 43
    assert "openid" in authorize.query["scope"].split()
    sim.requests.reset()

    result = await sign_in(hass, hass_client_no_auth, result)
    # The code was exchanged at the simulator, which checks the PKCE verifier.
    assert sim.requests.count(method="POST", route=TOKEN_PATH) == 1
    assert result["step_id"] == "api_key"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "not-a-key"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_api_key"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: f" {VOLVO_API_KEY} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Volvo (4 cars)"
    assert result["description_placeholders"] == {"count": "4"}
    entry = result["result"]
    assert entry.unique_id == f"volvo:volvo-demo@{sim_url}"
    assert entry.data[CONF_BACKEND] == "volvo"
    assert entry.data[CONF_SERVER_URL] == sim_url
    assert entry.data[CONF_API_KEY] == VOLVO_API_KEY
    assert entry.data[CONF_ACCOUNT] == "volvo-demo"
    assert entry.data["auth_implementation"] == CREDENTIAL_ID
    token = entry.data["token"]
    assert {"access_token", "refresh_token", "expires_at", "id_token"} <= set(token)
    # The stored access token is one the simulator issued and still accepts.
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{sim_url}/connected-vehicle/v2/vehicles",
            headers={
                "Authorization": f"Bearer {token['access_token']}",
                "vcc-api-key": VOLVO_API_KEY,
            },
        ) as answer,
    ):
        assert answer.status == 200

    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert set(entry.runtime_data.coordinators) == {XC40, XC60, V90, XC90}


async def test_tampered_pkce_challenge_fails_the_exchange(
    hass: HomeAssistant, sim_url: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """A code bound to another challenge: Home Assistant's verifier is refused, no entry."""
    result = await sign_in(
        hass, hass_client_no_auth, await start_volvo_flow(hass, sim_url), tamper_challenge=True
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "oauth_unauthorized"
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_pkce_is_enforced_by_the_simulator(sim_url: str) -> None:
    """The simulator refuses a code exchanged without its verifier (so the flow test proves PKCE)."""
    query = {
        "response_type": "code",
        "client_id": "test-client",
        "redirect_uri": CALLBACK,
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    async with aiohttp.ClientSession() as session:
        async with session.get(
            URL(sim_url + AUTHORIZE_PATH).with_query(query), allow_redirects=False
        ) as answer:
            code = URL(answer.headers["Location"]).query["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
        async with session.post(sim_url + TOKEN_PATH, data=form) as answer:
            assert answer.status == 400
            assert (await answer.json())["error"] == "invalid_grant"


async def test_same_account_twice_is_refused(
    hass: HomeAssistant,
    volvo_entry: MockConfigEntry,
    sim_url: str,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Signing in with the account of an existing entry aborts after the API key."""
    result = await signed_in_flow(hass, hass_client_no_auth, sim_url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_spent_quota_shows_rate_limited_then_recovers(
    hass: HomeAssistant,
    sim: Simulator,
    sim_url: str,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A key whose daily quota is spent: rate_limited on the form, not invalid_api_key."""
    sim.volvo.keys.add("spent-key", quota=0)
    result = await signed_in_flow(hass, hass_client_no_auth, sim_url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "spent-key"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "rate_limited"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 503}, "cannot_connect"),
        ({"kind": "drop"}, "cannot_connect"),
        ({"kind": "html"}, "cannot_connect"),
        ({"kind": "malformed"}, "unknown"),
    ],
)
async def test_api_key_step_errors(
    hass: HomeAssistant,
    sim: Simulator,
    sim_url: str,
    hass_client_no_auth: ClientSessionGenerator,
    fault: dict[str, Any],
    error: str,
) -> None:
    """A failing car list shows its error; the same key then succeeds."""
    result = await signed_in_flow(hass, hass_client_no_auth, sim_url)
    sim.faults.add(method="GET", path="/connected-vehicle/v2/vehicles", **fault)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["errors"] == {"base": error}
    sim.faults.clear()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_account_without_cars(
    hass: HomeAssistant, sim_url: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """The "empty" Volvo ID account: no_vehicles."""
    result = await sign_in(
        hass, hass_client_no_auth, await start_volvo_flow(hass, sim_url), login_hint="empty"
    )
    assert result["step_id"] == "api_key"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["errors"] == {"base": "no_vehicles"}


async def test_unreachable_server(
    hass: HomeAssistant,
    sim: Simulator,
    socket_enabled: None,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The server goes away after the sign-in: cannot_connect, and the flow stays open."""
    server = TestServer(sim.app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    try:
        result = await signed_in_flow(hass, hass_client_no_auth, url)
    finally:
        await server.close()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: VOLVO_API_KEY}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reauth_same_account_updates_token_and_reloads(
    hass: HomeAssistant,
    loaded_volvo: MockConfigEntry,
    sim: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Confirm, sign in again as the same account: new token stored, entry reloaded."""
    old_token = dict(loaded_volvo.data["token"])
    result = await loaded_volvo.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_sign_in"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["url"].startswith(loaded_volvo.data[CONF_SERVER_URL] + AUTHORIZE_PATH)
    sim.requests.reset()
    result = await sign_in(hass, hass_client_no_auth, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    token = loaded_volvo.data["token"]
    assert token["access_token"] != old_token["access_token"]
    assert token["refresh_token"] != old_token["refresh_token"]
    assert loaded_volvo.data[CONF_API_KEY] == VOLVO_API_KEY
    assert loaded_volvo.state is ConfigEntryState.LOADED
    # Reloaded: the cars were listed again with the new token.
    assert sim.requests.count(method="GET", route="/connected-vehicle/v2/vehicles") >= 1


async def test_reauth_with_another_account_is_refused(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Signing in as another Volvo ID account aborts wrong_account; the token stays."""
    old_token = dict(loaded_volvo.data["token"])
    result = await loaded_volvo.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await sign_in(hass, hass_client_no_auth, result, login_hint="empty")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert loaded_volvo.data["token"] == old_token
    assert loaded_volvo.data[CONF_ACCOUNT] == "volvo-demo"


async def test_reconfigure_replaces_the_api_key(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """A refused key shows invalid_api_key; a valid one is stored and the entry reloads."""
    sim.volvo.keys.add("second-key")
    result = await loaded_volvo.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_api_key"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "nope"}
    )
    assert result["errors"] == {"base": "invalid_api_key"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "second-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_volvo.data[CONF_API_KEY] == "second-key"
    assert loaded_volvo.state is ConfigEntryState.LOADED
    assert sim.volvo.calls_today("second-key") > 0


async def test_reconfigure_mends_a_key_refused_at_run_time(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry, sim: Simulator
) -> None:
    """The repair issue of a revoked key goes once Reconfigure stores a valid one."""
    sim.volvo.keys.remove(VOLVO_API_KEY)
    sim.volvo.keys.add("new-key")
    coordinator = next(iter(loaded_volvo.runtime_data.coordinators.values()))
    await coordinator.async_refresh_groups(coordinator.vehicle.capabilities)
    issues = ir.async_get(hass)
    issue_id = f"api_key_refused_{loaded_volvo.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await loaded_volvo.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "new-key"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_volvo.state is ConfigEntryState.LOADED
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_options_set_the_unlock_pin(
    hass: HomeAssistant, loaded_volvo: MockConfigEntry
) -> None:
    """Volvo's options offer an unlock PIN; an empty one means none."""
    result = await hass.config_entries.options.async_init(loaded_volvo.entry_id)
    assert result["step_id"] == "init"
    schema = result["data_schema"]
    assert schema is not None
    fields = {str(key) for key in schema.schema}
    assert CONF_UNLOCK_PIN in fields
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"active_interval": 60, "parked_interval": 600, CONF_UNLOCK_PIN: " 1234 "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_volvo.options[CONF_UNLOCK_PIN] == "1234"
    assert loaded_volvo.state is ConfigEntryState.LOADED
