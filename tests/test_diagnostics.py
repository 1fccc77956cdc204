"""Diagnostics, and that no secret reaches a log record."""

from __future__ import annotations

import json
import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.connected_vehicle.api.models import DataGroup
from simulator import Simulator

REDACTED = "**REDACTED**"


async def test_diagnostics_redact_secrets_and_places(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    """Password, username, server, VIN, car ids and coordinates are redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    entry = diagnostics["entry"]
    assert entry["data"]["password"] == REDACTED
    assert entry["data"]["username"] == REDACTED
    assert entry["data"]["server_url"] == REDACTED
    assert len(diagnostics["vehicles"]) == 3
    leaf = next(v for v in diagnostics["vehicles"] if v["vehicle"]["model"] == "Leaf")
    assert leaf["vehicle"]["vin"] == REDACTED
    assert leaf["vehicle"]["id"] == REDACTED
    assert leaf["location"]["latitude"] == REDACTED
    assert leaf["readings"]["battery_level"]["value"] > 0
    text = json.dumps(diagnostics, default=str)
    coordinator = loaded_entry.runtime_data.coordinators["LEAF"]
    assert coordinator.vehicle.vin not in text
    assert str(coordinator.data.location.latitude) not in text


async def test_no_secret_in_any_log_record(
    hass: HomeAssistant,
    ovms_entry: MockConfigEntry,
    sim: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through setup, failures, session expiry and re-login, at debug level."""
    caplog.set_level(logging.DEBUG)
    assert await hass.config_entries.async_setup(ovms_entry.entry_id)
    await hass.async_block_till_done()
    backend = ovms_entry.runtime_data.backend
    cookies = {backend._rest._cookie}
    sim.faults.add(method="GET", path="/api/status/*", kind="status", status=500, times=1)
    sim.ovms.expire_sessions()
    leaf = ovms_entry.runtime_data.coordinators["LEAF"]
    for _ in range(2):
        await leaf.async_refresh_groups(set(DataGroup))
        await hass.async_block_till_done()
    cookies.add(backend._rest._cookie)
    secrets = {"demo", *cookies} - {None}
    assert len(cookies) == 2  # a second login happened
    # The simulated server's own access log shows its query strings; ours must not.
    for record in (r for r in caplog.records if r.name != "aiohttp.access"):
        text = record.getMessage() + (record.exc_text or "")
        for secret in secrets - {"demo"}:
            assert secret not in text
        assert "password=demo" not in text


# Entry fields that say nothing about the user; every other text in an entry is a secret.
PUBLIC_FIELDS = frozenset({"backend", "brand", "auth_implementation", "token_type", "scope"})


def entry_secrets(value: object, key: str = "") -> set[str]:
    """Every text of an entry's data and options outside ``PUBLIC_FIELDS``."""
    if isinstance(value, dict):
        return {s for k, v in value.items() for s in entry_secrets(v, str(k))}
    if isinstance(value, list):
        return {s for item in value for s in entry_secrets(item, key)}
    if isinstance(value, str) and key not in PUBLIC_FIELDS and len(value) >= 4:
        return {value}
    return set()


@pytest.mark.parametrize("backend", ["ovms", "volvo", "stellantis"])
async def test_no_field_of_the_entry_reaches_its_diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, demo_entry: MockConfigEntry
) -> None:
    """Whatever the entry holds (passwords, keys, tokens, the unlock PIN) stays out.

    The secrets come from the entry itself, so a field added later is checked too.
    """
    hass.config_entries.async_update_entry(demo_entry, options={"unlock_pin": "48151623"})
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, demo_entry)
    text = json.dumps(diagnostics, default=str)
    secrets = entry_secrets(dict(demo_entry.data)) | entry_secrets(dict(demo_entry.options))
    assert "48151623" in secrets
    assert not [secret for secret in secrets if secret in text]
