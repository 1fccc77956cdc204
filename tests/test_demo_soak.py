"""The demo's long check: read the kernel's socket table, tell what is wrong."""

from __future__ import annotations

from pathlib import Path
import socket

import pytest

from .script_modules import load

demo_soak = load("demo_soak")

# /proc/net/tcp and tcp6 lines: 127.0.0.1:8123 and 0.0.0.0:8123 listening, one connection,
# and [::]:8123 and [::1]:8765 listening.
TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1FBB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 00000000:1FBB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
   2: 0100007F:1FBB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 3 1
"""
TCP6 = """  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:1FBB 00000000000000000000000000000000:0000 0A 0
   1: 00000000000000000000000001000000:223D 00000000000000000000000000000000:0000 0A 0
"""
STABLE = {
    "stable": {"server_host": ["127.0.0.1"], "server_port": 8123},
    "pending": None,
    "active_config_type": "stable",
    "revert_at": None,
}


def tables(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "tcp").write_text(TCP)
    (tmp_path / "tcp6").write_text(TCP6)
    return tmp_path / "tcp", tmp_path / "tcp6"


def test_listening_addresses_from_the_socket_tables(tmp_path: Path) -> None:
    files = tables(tmp_path)
    assert demo_soak.listening(8123, files) == {"127.0.0.1", "0.0.0.0", "::"}  # noqa: S104
    assert demo_soak.listening(8765, files) == {"::1"}
    assert demo_soak.listening(1, (tmp_path / "missing",)) == set()


@pytest.mark.usefixtures("socket_enabled")
def test_a_real_listener_is_seen() -> None:
    """The kernel's own table, with a socket of ours on loopback."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert demo_soak.listening(port) == {"127.0.0.1"}


def test_all_well() -> None:
    assert demo_soak.problems(STABLE, [], {"127.0.0.1"}, "127.0.0.1") == []


@pytest.mark.parametrize(
    ("http_config", "issues", "addresses", "expected"),
    [
        (STABLE, [], {"127.0.0.1", "::"}, "listening on ['127.0.0.1', '::']"),
        (STABLE, [], set(), "listening on nothing"),
        ({**STABLE, "stable": {"server_port": 8123}}, [], {"127.0.0.1"}, "bind None"),
        (
            {**STABLE, "active_config_type": "pending", "pending": {"server_host": ["x"]}},
            [],
            {"127.0.0.1"},
            "on trial (pending",
        ),
        (
            STABLE,
            [{"domain": "http", "issue_id": "yaml_still_present_after_migration"}],
            {"127.0.0.1"},
            "repair issue http.yaml_still_present_after_migration",
        ),
    ],
)
def test_each_problem_is_named(
    http_config: dict[str, object],
    issues: list[dict[str, object]],
    addresses: set[str],
    expected: str,
) -> None:
    (problem,) = demo_soak.problems(http_config, issues, addresses, "127.0.0.1")
    assert expected in problem
