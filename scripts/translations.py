"""Which English texts each translation lacks, has left over, or renders with other placeholders.

en.json is the source: whoever adds or changes an English string runs ``scripts/translations``
to see what every other language still needs. It exits non-zero while any language is behind.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "custom_components" / "connected_vehicle" / "translations"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a translation file under its dotted key (``config.step.user.title``)."""
    leaves: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            leaves |= flatten(value, f"{path}.")
        else:
            leaves[path] = value
    return leaves


def load(language: str, folder: Path = TRANSLATIONS) -> dict[str, Any]:
    """A language's texts, flattened."""
    tree: dict[str, Any] = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
    return flatten(tree)


def languages(folder: Path = TRANSLATIONS) -> list[str]:
    """The languages shipped besides English."""
    return sorted(p.stem for p in folder.glob("*.json") if p.stem != "en")


def problems(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """What keeps ``other`` from being a full translation of ``english``, one line each."""
    found = [f"missing: {key}" for key in english if key not in other]
    found += [f"not in en.json: {key}" for key in other if key not in english]
    for key, text in other.items():
        if key not in english:
            continue
        if not isinstance(text, str) or not text.strip():
            found.append(f"empty or not a text: {key}")
        elif set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(english[key])):
            found.append(f"placeholders differ from en.json: {key}")
    return found


def main(folder: Path = TRANSLATIONS) -> int:
    """Print each language's problems; 1 when any language has one."""
    english = load("en", folder)
    behind = 0
    for language in languages(folder):
        lines = problems(english, load(language, folder))
        behind += bool(lines)
        print(f"{language}: {len(lines) or 'complete'}")
        for line in lines:
            print(f"  {line}")
    return 1 if behind else 0


if __name__ == "__main__":
    sys.exit(main())
