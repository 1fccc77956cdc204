"""The Stellantis config flow through Home Assistant: brand, sign-in way, reauth, reconfigure.

Every step runs Home Assistant's real flow manager and OAuth2 helper against the
simulator's brand IdP over loopback HTTP; the browser is played by aiohttp.
"""

from __future__ import annotations

import html
import re

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.connected_vehicle.const import CONF_SERVER_URL, DOMAIN

pytestmark = pytest.mark.usefixtures("credentials", "current_request_with_host")

BATTERY = "sensor.peugeot_e_208_battery_level"


async def start_flow(hass: HomeAssistant, sim_url: str) -> ConfigFlowResult:
    """Menu -> Stellantis -> Peugeot on the simulator -> the sign-in way menu."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert "stellantis" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "stellantis"}
    )
    assert result["step_id"] == "stellantis"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"brand": "peugeot", "advanced": {"server_url": sim_url}}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "sign_in_method"
    assert result["menu_options"] == ["redirect_sign_in", "paste_redirect"]
    return result


async def fetch(url: str) -> aiohttp.ClientResponse:
    """GET as a browser would, without following redirects."""
    async with aiohttp.ClientSession() as session:
        response = await session.get(url, allow_redirects=False)
        await response.read()
        return response


async def by_redirect(
    hass: HomeAssistant,
    client_factory: ClientSessionGenerator,
    menu: ConfigFlowResult,
    login_hint: str | None = None,
) -> ConfigFlowResult:
    """Choose Home Assistant's redirect, sign in at the IdP, come back through the callback."""
    result = await hass.config_entries.flow.async_configure(
        menu["flow_id"], {"next_step_id": "redirect_sign_in"}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    url = URL(result["url"])
    assert "code_challenge" in url.query
    if login_hint is not None:
        url = url.update_query(login_hint=login_hint)
    answer = await fetch(str(url))
    assert answer.status == 302
    callback = URL(answer.headers["Location"])
    client = await client_factory()
    response = await client.get(f"/auth/external/callback?{callback.query_string}")
    assert response.status == 200
    return await hass.config_entries.flow.async_configure(result["flow_id"])


async def paste_form(hass: HomeAssistant, menu: ConfigFlowResult) -> ConfigFlowResult:
    """Choose pasting: the form showing the sign-in link."""
    result = await hass.config_entries.flow.async_configure(
        menu["flow_id"], {"next_step_id": "paste_redirect"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "paste_redirect"
    return result


async def app_redirect(url: str, login_hint: str | None = None) -> str:
    """Sign in at the link; the address the browser then fails to open (the app's)."""
    if login_hint is not None:
        url = str(URL(url).update_query(login_hint=login_hint))
    page = await fetch(url)
    shown = re.search(r'<pre id="redirect">(.*?)</pre>', await page.text())
    assert shown is not None
    return html.unescape(shown.group(1))


async def by_paste(
    hass: HomeAssistant, menu: ConfigFlowResult, login_hint: str | None = None
) -> ConfigFlowResult:
    """Choose pasting, sign in at the link, paste where the browser ended."""
    form = await paste_form(hass, menu)
    pasted = await app_redirect(form["description_placeholders"]["url"], login_hint)
    return await hass.config_entries.flow.async_configure(form["flow_id"], {"redirect_url": pasted})


async def test_flow_through_home_assistant_redirect(
    hass: HomeAssistant, sim_url: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Sign in at the brand's IdP, come back through Home Assistant's callback."""
    menu = await start_flow(hass, sim_url)
    result = await by_redirect(hass, hass_client_no_auth, menu)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Peugeot (3 cars)"
    entry = result["result"]
    assert entry.unique_id == f"peugeot:peugeot-demo@{sim_url}"
    assert entry.data["webhook_id"]
    assert entry.data["token"]["refresh_token"]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_flow_by_pasting_the_app_redirect(hass: HomeAssistant, sim_url: str) -> None:
    """The app's client id: the browser shows mymap://...?code=..., the user pastes it."""
    form = await paste_form(hass, await start_flow(hass, sim_url))
    url = form["description_placeholders"]["url"]
    assert "redirect_uri=mymap" in url
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {"redirect_url": "mymap://oauth2redirect/fr?state=x"}
    )
    assert result["errors"] == {"base": "no_code"}
    pasted = await app_redirect(url)
    assert pasted.startswith("mymap://oauth2redirect/fr?code=")
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {"redirect_url": pasted}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"peugeot:peugeot-demo@{sim_url}"
    await hass.async_block_till_done()


async def test_a_pasted_address_of_another_sign_in_is_refused(
    hass: HomeAssistant, sim_url: str
) -> None:
    """A pasted address whose state is not this flow's is refused; the bare code is taken."""
    form = await paste_form(hass, await start_flow(hass, sim_url))
    pasted = URL(await app_redirect(form["description_placeholders"]["url"]))
    forged = str(pasted.update_query(state="forged"))
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {"redirect_url": forged}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "wrong_state"}
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], {"redirect_url": pasted.query["code"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_same_account_twice_is_refused(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry, sim_url: str
) -> None:
    """Signing in with the account of an existing entry aborts."""
    result = await by_paste(hass, await start_flow(hass, sim_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def reauth_menu(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Start a reauth: confirm, then the sign-in way menu."""
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_sign_in"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "sign_in_method"
    return result


async def test_reauth_same_account_replaces_the_token(
    hass: HomeAssistant,
    peugeot_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Signing in again as the same account stores the new token and reloads."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    old = dict(peugeot_entry.data["token"])
    result = await by_redirect(hass, hass_client_no_auth, await reauth_menu(hass, peugeot_entry))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert peugeot_entry.data["token"]["refresh_token"] != old["refresh_token"]
    assert peugeot_entry.data["webhook_id"] == "0123456789abcdef"
    assert peugeot_entry.state is ConfigEntryState.LOADED


async def test_reauth_with_another_account_is_refused(
    hass: HomeAssistant, peugeot_entry: MockConfigEntry
) -> None:
    """Signing in as another account aborts wrong_account; the token stays."""
    old = dict(peugeot_entry.data["token"])
    result = await by_paste(hass, await reauth_menu(hass, peugeot_entry), login_hint="fleet")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert peugeot_entry.data["token"] == old


async def reconfigure_to(
    hass: HomeAssistant, entry: MockConfigEntry, server: str
) -> ConfigFlowResult:
    """Reconfigure: the server form (prefilled), then the sign-in way menu."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_sign_in"
    assert result["description_placeholders"] == {"brand": "Peugeot"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SERVER_URL: server}
    )
    assert result["type"] is FlowResultType.MENU
    return result


async def test_reconfigure_changes_the_server_and_the_sign_in_way(
    hass: HomeAssistant,
    peugeot_entry: MockConfigEntry,
    sim_url: str,
    sim_other_url: str,
    entity_registry: er.EntityRegistry,
) -> None:
    """Same account on another address, signed in by pasting: the entry follows, entities stay."""
    assert await hass.config_entries.async_setup(peugeot_entry.entry_id)
    await hass.async_block_till_done()
    before = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(entity_registry, peugeot_entry.entry_id)
    }
    moved = sim_other_url
    result = await by_paste(hass, await reconfigure_to(hass, peugeot_entry, moved + "/"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert peugeot_entry.data[CONF_SERVER_URL] == moved
    assert peugeot_entry.unique_id == f"peugeot:peugeot-demo@{moved}"
    assert peugeot_entry.state is ConfigEntryState.LOADED
    after = {
        e.entity_id: e.unique_id
        for e in er.async_entries_for_config_entry(entity_registry, peugeot_entry.entry_id)
    }
    assert after == {
        entity_id: unique_id.replace(sim_url, moved) for entity_id, unique_id in before.items()
    }
    assert float(hass.states.get(BATTERY).state) > 0


async def test_reconfigure_with_another_account_is_refused(
    hass: HomeAssistant,
    peugeot_entry: MockConfigEntry,
    sim_url: str,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Signing in as another account on reconfigure aborts; the entry keeps its server."""
    menu = await reconfigure_to(hass, peugeot_entry, sim_url)
    result = await by_redirect(hass, hass_client_no_auth, menu, login_hint="fleet")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert peugeot_entry.unique_id == f"peugeot:peugeot-demo@{sim_url}"
