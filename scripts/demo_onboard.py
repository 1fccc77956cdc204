"""HTTP side of scripts/demo: wait for servers, onboard Home Assistant, add the demo account.

Standard library only (it runs on the venv's interpreter but imports nothing from it).
Everything goes through Home Assistant's public REST API, the same calls the frontend makes:

  wait-http URL            wait until URL answers 2xx, or anything with --any-status
  port-free HOST PORT      exit 0 when nothing listens on HOST:PORT
  setup                    onboarding (when not done), sign in, add the OVMS entry (when missing)
  check                    wait for sensor.leaf_battery_level, count the cars' entities

Sign-in state (a refresh token) is kept in --state, a file under the git-ignored .demo/.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import json
import os
from pathlib import Path
import socket
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

DOMAIN = "connected_vehicle"
LEAF_BATTERY = "sensor.leaf_battery_level"
CARS = ("leaf", "twizy", "kona")
# Onboarding steps that follow the user step, in the frontend's order.
LATER_STEPS = ("core_config", "analytics", "integration")


class DemoError(Exception):
    """A step failed: the message says which and why."""


def say(*parts: object) -> None:
    """Print a progress line."""
    print("demo:", *parts, flush=True)


def dot() -> None:
    """Show that we are still waiting."""
    print(".", end="", file=sys.stderr, flush=True)


def end_dots(shown: bool) -> None:
    """End the line of dots, if any."""
    if shown:
        print(file=sys.stderr, flush=True)


# --- HTTP -----------------------------------------------------------------------------


class Http:
    """Tiny JSON client for one base URL, with an optional bearer token."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        """Talk to `base` (no trailing slash needed)."""
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.token: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Status and decoded body (JSON when it parses, text otherwise); raises OSError."""
        headers = {"Accept": "application/json"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def expect(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """Like call, but anything other than 200 is a DemoError naming `what`."""
        status, body = self.call(method, path, **kwargs)
        if status != 200:
            raise DemoError(f"{what}: {method} {path} answered HTTP {status}: {body}")
        return body


def wait_until(
    check: Callable[[], Any], timeout: float, what: str, interval: float = 2, pid: int = 0
) -> Any:
    """Call check() until it returns something truthy; dots while waiting; DemoError on timeout."""
    deadline = time.monotonic() + timeout
    shown = False
    try:
        while True:
            try:
                if result := check():
                    return result
            except OSError:
                pass  # not listening yet, connection reset while starting...
            if pid and not alive(pid):
                raise DemoError(f"{what}: the process (pid {pid}) exited")
            if time.monotonic() >= deadline:
                raise DemoError(f"{what}: no answer after {timeout:.0f} s")
            dot()
            shown = True
            time.sleep(interval)
    finally:
        end_dots(shown)


def alive(pid: int) -> bool:
    """True while pid runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError, IndexError:
        return True


# --- Home Assistant sign-in and onboarding ----------------------------------------------


class HomeAssistant:
    """The calls scripts/demo needs, signed in as the demo user."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Use the URLs, user and state file of the command line."""
        self.args = args
        self.http = Http(args.ha)
        self.client_id = self.http.base + "/"
        self.redirect_uri = self.http.base + "/?auth_callback=1"
        self.state_file = Path(args.state)

    # Tokens ------------------------------------------------------------------------------

    def _exchange(self, form: dict[str, str], what: str) -> dict[str, Any]:
        saved, self.http.token = self.http.token, None  # /auth/token takes no bearer
        try:
            status, body = self.http.call(
                "POST", "/auth/token", form={**form, "client_id": self.client_id}
            )
        finally:
            self.http.token = saved
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise DemoError(f"{what}: /auth/token answered HTTP {status}: {body}")
        return body

    def _use_tokens(self, tokens: dict[str, Any]) -> None:
        self.http.token = tokens["access_token"]
        if refresh := tokens.get("refresh_token"):
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            self.state_file.write_text(
                json.dumps({"client_id": self.client_id, "refresh_token": refresh})
            )
            self.state_file.chmod(0o600)

    def _from_saved_refresh_token(self) -> bool:
        try:
            saved = json.loads(self.state_file.read_text())
        except OSError, ValueError:
            return False
        if saved.get("client_id") != self.client_id:
            return False
        try:
            tokens = self._exchange(
                {"grant_type": "refresh_token", "refresh_token": saved["refresh_token"]}, "refresh"
            )
        except DemoError, KeyError:
            return False
        self.http.token = tokens["access_token"]
        return True

    def _log_in(self) -> None:
        """The login flow the frontend's login page runs: username, password, auth code."""
        body = self.http.expect(
            "POST",
            "/auth/login_flow",
            "start login",
            body={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        )
        result = self.http.expect(
            "POST",
            f"/auth/login_flow/{body['flow_id']}",
            "log in",
            body={
                "client_id": self.client_id,
                "username": self.args.user,
                "password": self.args.password,
            },
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"log in as {self.args.user!r} failed: {result.get('errors') or result}. "
                "Delete .demo/ to start over with a fresh Home Assistant."
            )
        self._use_tokens(
            self._exchange({"grant_type": "authorization_code", "code": result["result"]}, "log in")
        )

    def sign_in(self) -> None:
        """Get an access token: from the saved refresh token, else by logging in."""
        if not self._from_saved_refresh_token():
            self._log_in()

    # Onboarding ----------------------------------------------------------------------------

    def onboarding_status(self) -> dict[str, bool] | None:
        """Step -> done, or None once onboarded (the view is gone then)."""
        status, body = self.http.call("GET", "/api/onboarding")
        if status != 200 or not isinstance(body, list):
            return None
        return {step["step"]: step["done"] for step in body}

    def onboard(self) -> None:
        """Run the onboarding steps not done yet; leaves us signed in."""
        # Once onboarded, Home Assistant no longer serves /api/onboarding (404).
        steps = self.onboarding_status() or {}
        if all(steps.values()):
            say("onboarding: already done")
            self.sign_in()
            return
        if not steps.get("user"):
            say(f"onboarding: creating the user {self.args.user!r}")
            body = self.http.expect(
                "POST",
                "/api/onboarding/users",
                "onboarding user step",
                body={
                    "client_id": self.client_id,
                    "name": self.args.name,
                    "username": self.args.user,
                    "password": self.args.password,
                    "language": "en",
                },
            )
            self._use_tokens(
                self._exchange(
                    {"grant_type": "authorization_code", "code": body["auth_code"]}, "onboarding"
                )
            )
        else:
            self.sign_in()
        for step in LATER_STEPS:
            if steps.get(step):
                continue
            say(f"onboarding: {step}")
            body = (
                {"client_id": self.client_id, "redirect_uri": self.redirect_uri}
                if step == "integration"
                else {}
            )
            self.http.expect(
                "POST", f"/api/onboarding/{step}", f"onboarding {step} step", body=body
            )
        left = [step for step, done in (self.onboarding_status() or {}).items() if not done]
        if left:
            raise DemoError(f"onboarding: steps still open: {left}")
        say("onboarding: done")

    def wait_running(self, timeout: float, pid: int) -> None:
        """Wait for the end of Home Assistant's start-up (config entries set up)."""

        def running() -> bool:
            status, body = self.http.call("GET", "/api/config")
            return status == 200 and isinstance(body, dict) and body.get("state") == "RUNNING"

        wait_until(running, timeout, "Home Assistant start-up", pid=pid)

    # The integration's config entry ---------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """This integration's config entries."""
        body = self.http.expect("GET", "/api/config/config_entries/entry", "list config entries")
        return [entry for entry in body if entry.get("domain") == DOMAIN]

    def add_entry(self) -> None:
        """Drive the config flow the way the UI does: menu -> OVMS form -> create_entry."""
        base = "/api/config/config_entries/flow"
        result = self.http.expect(
            "POST",
            base,
            "start the config flow",
            body={"handler": DOMAIN, "show_advanced_options": False},
        )
        for _ in range(5):
            kind, step = result.get("type"), result.get("step_id")
            if kind == "create_entry":
                say(
                    f"added config entry {result.get('title')!r} ({result.get('result', {}).get('entry_id', '?')})"
                )
                return
            if kind == "menu" and "ovms" in (result.get("menu_options") or []):
                answer: dict[str, Any] = {"next_step_id": "ovms"}
            elif kind == "form" and step == "ovms" and not result.get("errors"):
                answer = {"server_url": self.args.sim, "username": "demo", "password": "demo"}
            else:
                raise DemoError(f"config flow stopped at an unexpected step: {json.dumps(result)}")
            result = self.http.expect(
                "POST", f"{base}/{result['flow_id']}", f"config flow step {step}", body=answer
            )
        raise DemoError(f"config flow did not finish: {json.dumps(result)}")

    def ensure_entry(self) -> None:
        """Add the demo account unless an entry exists; wait for its set-up."""
        if existing := self.entries():
            say(
                f"config entry already there: {existing[0].get('title')!r} ({existing[0].get('state')})"
            )
        else:
            self.add_entry()

        def settled() -> dict[str, Any] | None:
            found = self.entries()
            return (
                found[0]
                if found and found[0].get("state") not in ("not_loaded", "setup_in_progress")
                else None
            )

        entry = wait_until(settled, 60, "config entry set-up")
        if entry.get("state") != "loaded":
            reason = entry.get("reason") or "see .demo/hass.log"
            say(f"WARNING: the config entry is {entry.get('state')!r}: {reason}")

    # --check ----------------------------------------------------------------------------------

    def check(self, timeout: float) -> None:
        """Wait for a numeric LEAF battery level; count each car's entities."""

        def numeric_battery() -> float | None:
            status, body = self.http.call("GET", f"/api/states/{LEAF_BATTERY}")
            if status != 200:
                return None
            try:
                return float(body["state"])
            except TypeError, ValueError, KeyError:
                return None

        try:
            level = wait_until(numeric_battery, timeout, f"{LEAF_BATTERY} with a numeric state")
        except DemoError:
            status, body = self.http.call("GET", f"/api/states/{LEAF_BATTERY}")
            raise DemoError(f"{LEAF_BATTERY}: HTTP {status}: {body}") from None
        states = self.http.expect("GET", "/api/states", "list states")
        ids = [state["entity_id"] for state in states]
        say(f"check: {LEAF_BATTERY} = {level:g}")
        for car in CARS:
            say(
                f"check: entities with {car!r} in their id: {sum(car in entity_id for entity_id in ids)}"
            )


# --- Command line ---------------------------------------------------------------------------


def main() -> int:
    """Run one sub-command; 0 on success, 1 on failure."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    wait = sub.add_parser("wait-http")
    wait.add_argument("url")
    wait.add_argument("--timeout", type=float, default=60)
    wait.add_argument("--pid", type=int, default=0, help="give up early when this process exits")
    wait.add_argument("--any-status", action="store_true", help="any HTTP answer will do (404 too)")

    port = sub.add_parser("port-free")
    port.add_argument("host")
    port.add_argument("port", type=int)

    for name in ("setup", "check"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--ha", required=True, help="Home Assistant base URL")
        cmd.add_argument("--sim", required=True, help="simulator base URL (the entry's server_url)")
        cmd.add_argument("--state", required=True, help="file keeping the refresh token")
        cmd.add_argument("--name", default="Demo")
        cmd.add_argument("--user", required=True)
        cmd.add_argument("--password", required=True)
        cmd.add_argument("--pid", type=int, default=0, help="Home Assistant's pid")
        cmd.add_argument("--timeout", type=float, default=60)

    args = parser.parse_args()
    try:
        if args.command == "wait-http":
            http = Http(args.url, timeout=5)
            top = 600 if args.any_status else 300
            wait_until(
                lambda: 200 <= http.call("GET", "")[0] < top, args.timeout, args.url, pid=args.pid
            )
        elif args.command == "port-free":
            with socket.socket() as sock:
                sock.settimeout(2)
                return 1 if sock.connect_ex((args.host, args.port)) == 0 else 0
        else:
            ha = HomeAssistant(args)
            if args.command == "setup":
                ha.onboard()
                ha.wait_running(args.timeout, args.pid)
                ha.ensure_entry()
            else:
                ha.sign_in()
                ha.check(args.timeout)
    except DemoError as err:
        say(f"FAILED: {err}")
        return 1
    except OSError as err:  # connection refused or reset in the middle of a step
        say(f"FAILED: {type(err).__name__}: {err}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
