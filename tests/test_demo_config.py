"""The demo's Home Assistant folder: HTTP settings Home Assistant takes as confirmed, on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.http.config import (
    STORAGE_KEY,
    ActiveConfigType,
    async_get_and_load_store,
    async_load_config,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .script_modules import load

demo_config = load("demo_config")


def test_a_fresh_folder(tmp_path: Path) -> None:
    notes = demo_config.prepare(tmp_path, "127.0.0.1", 8123)
    yaml = (tmp_path / "configuration.yaml").read_text()
    assert "http:" not in yaml
    assert all(f"\n{key}:\n" in yaml for key in demo_config.REQUIRED)
    assert (tmp_path / ".storage" / "onboarding").exists()
    assert (tmp_path / ".storage" / "http").stat().st_mode & 0o077 == 0
    assert notes == [f"wrote {tmp_path / 'configuration.yaml'}"]
    assert demo_config.prepare(tmp_path, "127.0.0.1", 8123) == []  # nothing more to do


def test_an_older_demo_folder_loses_its_http_block_and_keeps_the_rest(tmp_path: Path) -> None:
    yaml = tmp_path / "configuration.yaml"
    yaml.write_text(
        "homeassistant:\n  name: Mine\n\nhttp:\n  server_host: 127.0.0.1\n  server_port: 8123\n"
        "\nfrontend:\nconfig:\nautomation: !include automations.yaml\n"
    )
    notes = demo_config.prepare(tmp_path, "127.0.0.1", 8123)
    text = yaml.read_text()
    assert "http:" not in text
    assert "server_host" not in text
    assert "name: Mine" in text
    assert "automation: !include automations.yaml" in text
    assert "\nrecorder:\n" in text  # the frontend calls it on every page
    assert len(notes) == 1


async def test_home_assistant_takes_the_written_settings_as_confirmed(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant's own loader: stable, on 127.0.0.1, nothing on trial, no repair issue."""
    hass_storage[STORAGE_KEY] = demo_config.http_store("127.0.0.1", 8123)
    conf = await async_load_config(hass, {})  # no http: in the YAML
    assert conf["server_host"] == ["127.0.0.1"]
    assert conf["server_port"] == 8123
    store = await async_get_and_load_store(hass)
    assert store.active_config_type is ActiveConfigType.STABLE
    assert store.pending is None
    assert store.revert_deadline is None  # no restart in five minutes
    assert not ir.async_get(hass).issues


async def test_a_yaml_http_block_would_have_been_on_trial(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Why the demo does not write http: into the YAML: this is what the issue saw."""
    conf = await async_load_config(hass, {"http": {"server_host": ["127.0.0.1"]}})
    assert conf["server_host"] == ["127.0.0.1"]
    store = await async_get_and_load_store(hass)
    assert store.active_config_type is ActiveConfigType.PENDING
    assert store.revert_deadline is not None  # a restart on the stable slot, which binds all
    assert "server_host" not in store.stable
    store.async_cancel_revert()
