"""Every name, state, error and issue the code can show has an English text and an icon file entry.

Every shipped language translates each English text, with the same placeholders.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.data_entry_flow import section
import pytest

from custom_components.connected_vehicle.api.models import CommandStatus
from custom_components.connected_vehicle.binary_sensor import BINARY_SENSORS
from custom_components.connected_vehicle.button import BUTTONS
from custom_components.connected_vehicle.climate import CLIMATE
from custom_components.connected_vehicle.device_tracker import LOCATION
from custom_components.connected_vehicle.event import EVENTS
from custom_components.connected_vehicle.image import PICTURE
from custom_components.connected_vehicle.lock import LOCK
from custom_components.connected_vehicle.number import NUMBERS
from custom_components.connected_vehicle.providers import PROVIDERS, FormStep, form_steps
from custom_components.connected_vehicle.select import SELECTS
from custom_components.connected_vehicle.sensor import SENSORS
from custom_components.connected_vehicle.switch import SWITCHES
from custom_components.connected_vehicle.time import TIMES

from .script_modules import load

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "connected_vehicle"
STRINGS: dict[str, Any] = json.loads((PACKAGE / "translations" / "en.json").read_text())
TRANSLATIONS = load("translations")
# The languages of the three back ends' markets, each of which must ship.
LANGUAGES = {"da", "de", "es", "fi", "fr", "it", "nb", "nl", "pl", "pt", "sv"}
ICONS: dict[str, Any] = json.loads((PACKAGE / "icons.json").read_text())
PLATFORM_DESCRIPTIONS = {
    "sensor": SENSORS,
    "binary_sensor": BINARY_SENSORS,
    "button": BUTTONS,
    "lock": (LOCK,),
    "climate": (CLIMATE,),
    "image": (PICTURE,),
    "device_tracker": (LOCATION,),
    "event": EVENTS,
    "switch": SWITCHES,
    "select": SELECTS,
    "number": NUMBERS,
    "time": TIMES,
}


@pytest.mark.parametrize("platform", sorted(PLATFORM_DESCRIPTIONS))
def test_every_entity_has_a_name(platform: str) -> None:
    """Each description's translation key names an entity in en.json."""
    names = STRINGS["entity"].get(platform, {})
    for description in PLATFORM_DESCRIPTIONS[platform]:
        key = description.translation_key or description.key
        assert "name" in names.get(key, {}), f"{platform}.{key} has no name"


def test_every_enum_option_has_a_text() -> None:
    """Each option of an enum sensor is translated."""
    for description in SENSORS:
        states = STRINGS["entity"]["sensor"][description.key].get("state", {})
        for option in description.options or ():
            assert option in states, f"sensor.{description.key}: option {option} untranslated"


def test_icons_only_name_known_entities() -> None:
    """icons.json has no leftovers for entities that no longer exist."""
    for platform, icons in ICONS["entity"].items():
        keys = {d.translation_key or d.key for d in PLATFORM_DESCRIPTIONS[platform]}
        keys |= {"api_calls_today"} if platform == "sensor" else set()
        assert set(icons) <= keys, f"{platform}: icons for unknown {set(icons) - keys}"


def _keys_in_code(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        found.update(re.findall(pattern, path.read_text()))
    return found


def test_every_raised_exception_is_translated() -> None:
    """Translation keys passed with translation_domain exist under "exceptions" (or issues)."""
    keys = _keys_in_code(r'translation_key="([a-z_]+)"')
    keys |= {f"command_{status}" for status in CommandStatus if status is not CommandStatus.SUCCESS}
    keys -= {d.translation_key for ds in PLATFORM_DESCRIPTIONS.values() for d in ds}
    known = set(STRINGS["exceptions"]) | set(STRINGS["issues"])
    assert keys <= known, f"untranslated: {sorted(keys - known)}"


def test_every_repair_issue_is_translated() -> None:
    """Issues raised by the coordinator have a title and a description."""
    for key in ("quota_exhausted", "permission_denied"):
        assert {"title", "description"} <= set(STRINGS["issues"][key])


def test_every_action_is_described() -> None:
    """services.yaml and the action texts agree, field by field."""
    services = (PACKAGE / "services.yaml").read_text()
    for action, text in STRINGS["services"].items():
        assert re.search(rf"^{action}:", services, re.M), action
        for field in text["fields"]:
            assert re.search(rf"^    {field}:", services, re.M), f"{action}.{field}"


def _form_fields(schema: Any) -> dict[str, Any]:
    """Field names of a form schema, each mapped to its section's schema (or None)."""
    fields: dict[str, Any] = {}
    for marker, value in schema.schema.items():
        fields[str(marker)] = value.schema if isinstance(value, section) else None
    return fields


def test_every_flow_form_is_translated() -> None:
    """Every form any provider adds, and the flow's own steps, have texts for every field."""
    steps = STRINGS["config"]["step"]
    own = {"user", "sign_in_method", "paste_redirect", "pick_implementation"}
    for step_id in form_steps() | own:
        assert "title" in steps.get(step_id, {}), f"config step {step_id} has no title"
    for provider in PROVIDERS.values():
        for path in (provider.setup_path, provider.reauth_path, provider.reconfigure_path):
            for step in path:
                if not isinstance(step, FormStep):
                    continue
                text = steps[step.step_id]
                for name, inner in _form_fields(step.schema).items():
                    if inner is None:
                        assert name in text.get("data", {}), f"{step.step_id}.{name}: no label"
                        assert name in text.get("data_description", {}), (
                            f"{step.step_id}.{name}: no description"
                        )
                    else:
                        assert name in text.get("sections", {}), f"{step.step_id}.{name}"
    assert set(steps["sign_in_method"]["menu_options"]) == {"redirect_sign_in", "paste_redirect"}
    assert set(steps["user"]["menu_options"]) == set(PROVIDERS)


def test_the_back_ends_markets_languages_ship() -> None:
    """A translation ships for every language of the back ends' markets."""
    assert set(TRANSLATIONS.languages()) >= LANGUAGES


@pytest.mark.parametrize("language", sorted(LANGUAGES | set(TRANSLATIONS.languages())))
def test_every_language_translates_every_text(language: str) -> None:
    """Exactly en.json's keys, each a non-empty text with en.json's placeholders."""
    english = TRANSLATIONS.load("en")
    assert TRANSLATIONS.problems(english, TRANSLATIONS.load(language)) == []


def test_a_language_behind_english_is_reported(tmp_path: Path) -> None:
    """A missing, left-over, empty or re-placeholdered text each shows up, and fails the script."""
    english: dict[str, Any] = json.loads(json.dumps(STRINGS))
    behind: dict[str, Any] = json.loads(json.dumps(STRINGS))
    del behind["config"]["abort"]["already_configured"]
    behind["config"]["abort"]["gone"] = "Left over"
    behind["config"]["step"]["user"]["title"] = " "
    behind["config"]["create_entry"]["default"] = "Found {number} vehicle(s)."
    (tmp_path / "en.json").write_text(json.dumps(english))
    (tmp_path / "xx.json").write_text(json.dumps(behind))
    assert TRANSLATIONS.problems(
        TRANSLATIONS.load("en", tmp_path), TRANSLATIONS.load("xx", tmp_path)
    ) == [
        "missing: config.abort.already_configured",
        "not in en.json: config.abort.gone",
        "empty or not a text: config.step.user.title",
        "placeholders differ from en.json: config.create_entry.default",
    ]
    assert TRANSLATIONS.main(tmp_path) == 1
    (tmp_path / "xx.json").write_text(json.dumps(english))
    assert TRANSLATIONS.main(tmp_path) == 0
