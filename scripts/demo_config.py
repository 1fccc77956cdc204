"""The demo's Home Assistant configuration folder, written before each start of scripts/demo.

  configuration.yaml     minimal on purpose (no default_config), so it starts fast; written
                         once, then the user's to edit; an integration the frontend cannot do
                         without is added back, an http: block an older demo wrote is taken
                         out (see below)
  .storage/onboarding    onboarding's "core_config" step marked done on a fresh folder: posting
                         it would set up met, radio_browser, google_translate and shopping_list,
                         which need the internet and add nothing; the YAML is the core config
  .storage/http          the HTTP server's settings, bound to 127.0.0.1 only, written before
                         every start

Home Assistant 2026.10 keeps its HTTP settings in storage, as a confirmed "stable" slot and
an unconfirmed "pending" one. A YAML http: block is migrated once into "pending", which is
then on trial: unless someone confirms it in the UI within five minutes, Home Assistant
restarts on "stable", and a stable slot that was never written listens on every interface.
So the demo writes the stable slot itself (nothing pending, the YAML migration done) and
keeps http: out of the YAML, which would otherwise raise a repair issue.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
import re
import sys

CONFIGURATION = """\
# Written by scripts/demo. Minimal on purpose (no default_config), so it starts fast.
# The HTTP server's settings live in .storage/http (bound to 127.0.0.1 only), not here.
homeassistant:
  name: Connected Vehicle demo
  unit_system: metric
  time_zone: Europe/Brussels
  country: BE
  currency: EUR
  latitude: 51.05
  longitude: 3.72
  elevation: 10

frontend:
config:
recorder:
history:

logger:
  default: warning
  logs:
    custom_components.connected_vehicle: info
"""
ONBOARDING = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config"]},
}
# Home Assistant's storage schema for the http settings (homeassistant/components/http/
# config.py, store version 2.2): its defaults, but for the address and port.
HTTP_STORE_VERSION = (2, 2)
HTTP_DEFAULTS = {
    "cors_allowed_origins": ["https://cast.home-assistant.io"],
    "login_attempts_threshold": -1,
    "ip_ban_enabled": True,
    "ssl_profile": "modern",
    "use_x_frame_options": True,
}
# What the frontend calls on every page (recorder/info, history/stream for more-info).
REQUIRED = ("frontend", "config", "recorder", "history")
# A top-level "http:" key and the indented (or blank) lines under it.
YAML_HTTP_BLOCK = re.compile(r"^http:[^\n]*\n(?:(?:[ \t]+[^\n]*)?\n)*", re.MULTILINE)


def http_store(host: str, port: int) -> dict[str, object]:
    """The http store: a confirmed stable slot on host:port, nothing pending, YAML migrated."""
    major, minor = HTTP_STORE_VERSION
    stable = {
        "server_host": [host],
        "server_port": port,
        **HTTP_DEFAULTS,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    return {
        "version": major,
        "minor_version": minor,
        "key": "http",
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }


def updated(yaml: str) -> str:
    """The configuration without a top-level http: block, with every required integration."""
    kept = YAML_HTTP_BLOCK.sub("", yaml)
    missing = [key for key in REQUIRED if not re.search(rf"^{key}:", kept, re.MULTILINE)]
    return kept + "".join(f"{key}:\n" for key in missing)


def write_json(path: Path, data: object) -> None:
    """Write a storage file as Home Assistant does (readable by its owner only)."""
    path.write_text(json.dumps(data, indent=2) + "\n")
    path.chmod(0o600)


def prepare(config: Path, host: str, port: int) -> list[str]:
    """Write what the folder needs before Home Assistant starts; what changed, for the log."""
    notes = []
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    yaml = config / "configuration.yaml"
    if not yaml.exists():
        yaml.write_text(CONFIGURATION)
        notes.append(f"wrote {yaml}")
    elif (text := yaml.read_text()) != (new := updated(text)):
        yaml.write_text(new)
        notes.append(f"updated {yaml}: no http: block (see .storage/http), {', '.join(REQUIRED)}")
    if not (storage / "onboarding").exists():
        write_json(storage / "onboarding", ONBOARDING)
    write_json(storage / "http", http_store(host, port))
    return notes


def main() -> int:
    """Prepare the folder named on the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config", type=Path, help="the configuration folder")
    parser.add_argument("--host", required=True, help="the one address to listen on")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    for note in prepare(args.config, args.host, args.port):
        print("demo:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
