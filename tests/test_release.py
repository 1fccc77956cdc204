"""The zip HACS installs: unpacked into a fresh configuration, Home Assistant loads it and works."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import sys
import zipfile

from homeassistant import loader
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest

from .script_modules import load

release = load("release")
DOMAIN = "connected_vehicle"


def test_the_zip_holds_the_integration_at_its_root(tmp_path: Path) -> None:
    """What HACS unpacks into custom_components/connected_vehicle/, and nothing else."""
    target = release.build(tmp_path)
    hacs = json.loads((release.ROOT / "hacs.json").read_text())
    assert target.name == hacs["filename"]
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"manifest.json", "__init__.py", "config_flow.py", "translations/en.json"} <= names
    assert "brand/icon.png" in names
    assert any(name.startswith("api/") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert not any(name.startswith("custom_components/") for name in names)
    assert manifest["domain"] == DOMAIN
    assert manifest["version"] == release.version()
    assert release.build(tmp_path / "again").read_bytes() == target.read_bytes()  # reproducible


def test_mismatched_versions_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    folder = root / "custom_components" / DOMAIN
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"domain": DOMAIN, "version": "1.0.0"}))
    (root / "pyproject.toml").write_text('[project]\nversion = "1.0.1"\n')
    (root / "hacs.json").write_text(json.dumps({"zip_release": True, "filename": "x.zip"}))
    with pytest.raises(release.ReleaseError, match=r"1\.0\.0.*1\.0\.1"):
        release.build(tmp_path / "dist", root)


@pytest.fixture
def unpacked(tmp_path: Path) -> Iterator[Path]:
    """A fresh configuration folder with the zip unpacked where HACS puts it.

    Its custom_components/ is what Python imports while the test runs, as in a real
    installation; the repository's own copy is out of reach until the test ends.
    """
    config = tmp_path.resolve() / "config"
    target = config / "custom_components" / DOMAIN
    with zipfile.ZipFile(release.build(tmp_path / "dist")) as archive:
        archive.extractall(target)
    ours = [
        n for n in sys.modules if n == "custom_components" or n.startswith("custom_components.")
    ]
    saved_modules = {name: sys.modules.pop(name) for name in ours}
    saved_path = sys.path[:]
    sys.path[:] = [str(config)] + [
        p for p in saved_path if not (Path(p or ".").resolve() / "custom_components").is_dir()
    ]
    try:
        yield config
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "custom_components"]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path


async def test_home_assistant_loads_the_unpacked_zip_and_adds_an_account(
    hass: HomeAssistant, unpacked: Path, sim_url: str
) -> None:
    """From the unpacked files alone: the integration loads, its flow adds an OVMS account."""
    hass.config.config_dir = str(unpacked)
    integration = await loader.async_get_integration(hass, DOMAIN)
    assert Path(integration.file_path) == unpacked / "custom_components" / DOMAIN
    assert not integration.is_built_in
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ovms"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"server_url": sim_url, "username": "demo", "password": "demo"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    module = sys.modules[f"custom_components.{DOMAIN}"]
    assert Path(str(module.__file__)).is_relative_to(unpacked)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert any(e.entity_id == "sensor.leaf_battery_level" for e in entities)
    assert await hass.config_entries.async_unload(entry.entry_id)
