"""Upgrades keep a user's data: entries stored by version 1 load with the same registry.

Each entry below is stored exactly the way version 1 of the integration
stored it, and the registries hold what version 1 made of it (recorded in
``fixtures/registry_v1.json``), as after years of use. After loading, every
entity keeps its entity id and unique id and every device its identifiers.
"""

from __future__ import annotations

import json
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator

from .conftest import CLIENT_ID, CREDENTIAL_ID, VOLVO_API_KEY

RECORDED = Path(__file__).parent / "fixtures" / "registry_v1.json"
# Entities of version 1 whose fact another entity of a later version shows (one
# entity per fact): the lock, charging and valet controls, and "car on" for ignition.
REPLACED = {
    "ovms": {
        "binary_sensor.leaf_lock": "lock.leaf_lock",
        "binary_sensor.leaf_charging": "switch.leaf_charging",
        "binary_sensor.twizy_lock": "lock.twizy_lock",
        "binary_sensor.twizy_valet_mode": "switch.twizy_valet_mode",
        "binary_sensor.kona_lock": "lock.kona_lock",
    },
    "stellantis": {
        "binary_sensor.peugeot_e_208_charging": "switch.peugeot_e_208_charging",
        "binary_sensor.peugeot_3008_hybrid_charging": "switch.peugeot_3008_hybrid_charging",
        "sensor.peugeot_e_208_ignition": "binary_sensor.peugeot_e_208_car_on",
        "sensor.peugeot_3008_hybrid_ignition": "binary_sensor.peugeot_3008_hybrid_car_on",
        "sensor.peugeot_308_ignition": "binary_sensor.peugeot_308_car_on",
    },
}
DOMAIN = "connected_vehicle"


def _token(issued: dict[str, Any]) -> dict[str, Any]:
    return {**issued, "expires_at": time.time() + float(issued["expires_in"])}


def stored_v1(kind: str, sim: Simulator, url: str) -> tuple[dict[str, Any], str]:
    """Entry data and unique id as version 1 stored them."""
    if kind == "ovms":
        data = {"backend": "ovms", "server_url": url, "username": "demo", "password": "demo"}
        return data, f"ovms:demo@{url}"
    if kind == "volvo":
        data = {
            "backend": "volvo",
            "server_url": url,
            "api_key": VOLVO_API_KEY,
            "account": "volvo-demo",
            "auth_implementation": CREDENTIAL_ID,
            "token": _token(sim.volvo.oauth.issue("demo")),
        }
        return data, f"volvo:volvo-demo@{url}"
    data = {
        "backend": "stellantis",
        "brand": "peugeot",
        "server_url": url,
        "account": "peugeot-demo",
        "webhook_id": "0123456789abcdef",
        "auth_implementation": CREDENTIAL_ID,
        "token": _token(sim.stellantis.oauth["peugeot"].issue("demo", client_id=CLIENT_ID)),
    }
    return data, f"peugeot:peugeot-demo@{url}"


def registry_identities(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Entity id -> unique id, and every device's identifiers, with the server URL masked."""
    server = entry.data["server_url"]
    entities = {
        e.entity_id: e.unique_id.replace(server, "<server>")
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    devices = sorted(
        sorted(identifier.replace(server, "<server>") for _domain, identifier in d.identifiers)
        for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    )
    return {"entities": dict(sorted(entities.items())), "devices": devices}


def seed_registries(hass: HomeAssistant, entry: MockConfigEntry, recorded: dict[str, Any]) -> None:
    """Put version 1's devices and entities of the entry into the registries."""
    server = entry.data["server_url"]
    devices = dr.async_get(hass)
    for identifiers in recorded["devices"]:
        devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, i.replace("<server>", server)) for i in identifiers},
        )
    entities = er.async_get(hass)
    for entity_id, unique_id in recorded["entities"].items():
        domain, object_id = entity_id.split(".", 1)
        entities.async_get_or_create(
            domain,
            DOMAIN,
            unique_id.replace("<server>", server),
            suggested_object_id=object_id,
            config_entry=entry,
        )


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("kind", ["ovms", "volvo", "stellantis"])
async def test_version_1_entry_keeps_its_registry(
    hass: HomeAssistant, sim: Simulator, sim_url: str, kind: str
) -> None:
    """An entry stored by version 1 keeps every entity (id and unique id) and device.

    Entities added since are allowed; an entity of version 1 may only be gone
    where a control now shows the same fact (``REPLACED``).
    """
    await hass.config.async_update(internal_url="http://127.0.0.1:9")
    sim.volvo.command_delay = 0
    data, unique_id = stored_v1(kind, sim, sim_url)
    entry = MockConfigEntry(domain=DOMAIN, version=1, data=data, unique_id=unique_id)
    entry.add_to_hass(hass)
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))[kind]
    seed_registries(hass, entry, recorded)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    now = registry_identities(hass, entry)
    assert now["devices"] == recorded["devices"]
    replaced = REPLACED.get(kind, {})
    kept = {k: v for k, v in recorded["entities"].items() if k not in replaced}
    assert {k: now["entities"].get(k) for k in kept} == kept
    # ...and the integration provides each of them again (an orphan would have no state).
    orphans = [
        k for k in kept if (state := hass.states.get(k)) is None or state.attributes.get("restored")
    ]
    assert not orphans
    assert not set(replaced) & set(now["entities"])
    assert set(replaced.values()) <= set(now["entities"])
