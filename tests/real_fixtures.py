"""Access to the real captured payloads in ../shared/fixtures/real (read in place)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


def real_path(relative: str) -> Path:
    """The path of a real fixture; skips the test when the shared folder is absent."""
    path = REAL / relative
    if not path.exists():
        pytest.skip(f"real fixtures not present at {REAL}")
    return path


def ovms_capture(relative: str) -> tuple[int, Any]:
    """Status and JSON body of one captured OVMS server answer."""
    text = real_path(f"ovms/live-server/{relative}").read_text()
    status = int(text.split("STATUS: ", 1)[1].split()[0])
    body = text.split("--- body ---\n", 1)[1]
    return status, json.loads(body) if body.lstrip().startswith(("{", "[")) else body
