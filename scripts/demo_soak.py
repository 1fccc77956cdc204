"""What the long check of scripts/demo looks for once Home Assistant has run for a while.

Home Assistant 2026.10 tries an unconfirmed HTTP configuration for five minutes, then
restarts on its stable one (see scripts/demo_config.py); a demo that got this wrong listens
on every interface after that restart, with the published demo password. Checked here from
the outside (the kernel's socket table) and from the inside (Home Assistant's own view of
its HTTP settings, and its repair issues).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

LISTEN = "0A"  # the socket state in /proc/net/tcp*


def _address(hex_address: str) -> str:
    """An address of /proc/net/tcp* (little-endian words of hex) as text."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def listening(port: int, tables: tuple[Path, ...] = ()) -> set[str]:
    """The addresses with a listening TCP socket on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in tables or (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue  # no IPv6 here
        for line in lines:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def problems(
    http_config: dict[str, Any], issues: list[dict[str, Any]], addresses: set[str], host: str
) -> list[str]:
    """What is wrong: listening elsewhere than ``host``, an HTTP trial, any repair issue."""
    found = []
    if addresses != {host}:
        found.append(f"listening on {sorted(addresses) or 'nothing'}, not on {host} alone")
    stable = http_config.get("stable") or {}
    if stable.get("server_host") != [host]:
        found.append(f"the stable HTTP settings bind {stable.get('server_host')}")
    if http_config.get("active_config_type") != "stable" or http_config.get("pending"):
        found.append(
            f"HTTP settings on trial ({http_config.get('active_config_type')}, "
            f"reverting at {http_config.get('revert_at')})"
        )
    found += [
        f"repair issue {issue.get('domain')}.{issue.get('issue_id')}"
        for issue in issues
        if not issue.get("dismissed_version")
    ]
    return found
