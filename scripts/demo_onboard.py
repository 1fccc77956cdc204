"""HTTP side of scripts/demo: wait for servers, onboard Home Assistant, add the demo accounts.

Runs on the venv's interpreter: the standard library, plus aiohttp (which Home Assistant
brings) for the websocket API. Everything goes through Home Assistant's public REST and
websocket APIs, the same calls the frontend makes, and the config flows are the real ones:

  wait-http URL            wait until URL answers 2xx, or anything with --any-status
  port-free HOST PORT      exit 0 when nothing listens on HOST:PORT
  setup                    onboarding (when not done), sign in, then each account missing:
                           OVMS (password), and through an application credential (added
                           when there is none) Volvo (Volvo ID + API key) and Peugeot;
                           a sign-in the restarted simulator forgot is renewed by reauth
  check                    wait until the cars' key entities are live, count each car's entities
  garage                   create or update the Garage dashboard (from the registries) and
                           make it the default one
  browse                   open the Garage and a device page per back end in headless
                           Chromium; fail on console errors or broken images; save screenshots
  soak                     wait until some time after Home Assistant's start, then check that
                           it never restarted, listens on 127.0.0.1 only and raised no repair

The Volvo ID and Peugeot sign-ins happen at the simulator, which approves at once: the
helper plays the browser (authorize URL, redirect to Home Assistant's OAuth callback).
Sign-in state (a refresh token) is kept in --state, a file under the git-ignored .demo/.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
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

import aiohttp
import demo_dashboard
import demo_soak

DOMAIN = "connected_vehicle"
LEAF_BATTERY = "sensor.leaf_battery_level"
# The config flow's step ids and menu options the demo answers, in one place.
STEP_BACKEND = "user"  # the first step: a menu of back ends, its options the Account kinds
STEP_OVMS = "ovms"
STEP_VOLVO = "volvo"
STEP_STELLANTIS = "stellantis"  # the brand (and the server, in a section)
STEP_SIGN_IN_METHOD = "sign_in_method"  # a menu: Home Assistant's redirect or pasting
SIGN_IN_REDIRECT = "redirect_sign_in"  # its option for Home Assistant's redirect
STEP_API_KEY = "api_key"
STEP_REAUTH = "reauth_sign_in"  # "sign in again?", before the OAuth2 sign-in
STEP_PICK_CREDENTIAL = "pick_implementation"  # Home Assistant's, with several credentials
# Onboarding steps that follow the user step, in the frontend's order.
LATER_STEPS = ("core_config", "analytics", "integration")
FLOWS = "/api/config/config_entries/flow"
# The application credential the OAuth2 accounts sign in with (the simulator takes any).
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
CREDENTIAL_NAME = "Demo app"
VOLVO_API_KEY = "demo-vcc-api-key"
PEUGEOT = "peugeot"
UNAVAILABLE = ("unavailable", "unknown")


@dataclass(frozen=True)
class Account:
    """A demo account: the config flow's menu option, and how to tell its entry and cars."""

    kind: str  # the menu option of the config flow's first step
    title: str  # the entry's title starts with this
    cars: tuple[str, ...]  # the device names, as the simulator's cars are called
    required: bool = True  # False: skipped (with a warning) when the flow does not offer it


OVMS = Account(STEP_OVMS, "OVMS", ("LEAF", "TWIZY", "KONA"))
VOLVO = Account(STEP_VOLVO, "Volvo", ("XC40", "XC60", "V90", "XC90"))
STELLANTIS = Account(STEP_STELLANTIS, "Peugeot", ("e-208", "3008 Hybrid", "308"), required=False)
ACCOUNTS = (OVMS, VOLVO, STELLANTIS)


@dataclass(frozen=True)
class LiveCheck:
    """An entity that must be live: the car's device, the entity's domain and key."""

    account: Account
    car: str  # a device name (case-insensitive substring)
    domain: str
    key: str | None  # the entity's translation key (None: any entity of the domain)
    numeric: bool = False


LIVE_CHECKS = (
    LiveCheck(VOLVO, "XC40", "sensor", "battery_level", numeric=True),
    LiveCheck(VOLVO, "XC40", "lock", None),
    LiveCheck(STELLANTIS, "e-208", "sensor", "battery_level", numeric=True),
)


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
        self.headers: dict[str, str] = {}  # sent with every request

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Status and decoded body (JSON when it parses, text otherwise); raises OSError."""
        headers = {"Accept": "application/json", **self.headers}
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Leave redirects to the caller (they surface as HTTPError 3xx)."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        """Follow nothing."""
        return


def redirect_target(url: str, timeout: float = 30) -> str:
    """Where ``url`` redirects to (its Location), without following it; DemoError otherwise."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as resp:
            status, body = resp.status, resp.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400 and (location := err.headers.get("Location")):
            return urllib.parse.urljoin(url, str(location))
        status, body = err.code, err.read(500).decode("utf-8", "replace")
    raise DemoError(f"{url} answered HTTP {status} instead of a redirect: {body}")


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
        # As the frontend does: Home Assistant builds its OAuth2 redirect URI from this header.
        self.http.headers["HA-Frontend-Base"] = self.http.base
        self.client_id = self.http.base + "/"
        self.redirect_uri = self.http.base + "/?auth_callback=1"
        self.state_file = Path(args.state)
        self.credential: str | None = None  # the application credential's implementation id

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
        """Log in and keep the refresh token for the next run."""
        self._use_tokens(self._login_tokens())

    def frontend_tokens(self) -> dict[str, Any]:
        """A sign-in of its own for a browser: what the frontend keeps after its login page."""
        return self._login_tokens()

    def _login_tokens(self) -> dict[str, Any]:
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
        return self._exchange(
            {"grant_type": "authorization_code", "code": result["result"]}, "log in"
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

    # The websocket API (application credentials, registries, flows in progress) --------------

    def ws(self, *messages: dict[str, Any]) -> list[Any]:
        """Send commands over the websocket API, one after another; their results, in order."""
        return asyncio.run(self._ws(messages))

    async def _ws(self, messages: tuple[dict[str, Any], ...]) -> list[Any]:
        url = "ws" + self.http.base.removeprefix("http") + "/api/websocket"
        timeout = aiohttp.ClientTimeout(total=self.http.timeout)
        results: list[Any] = []
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.ws_connect(url) as conn,
        ):
            await conn.receive_json()  # auth_required
            await conn.send_json({"type": "auth", "access_token": self.http.token})
            answer = await conn.receive_json()
            if answer.get("type") != "auth_ok":
                raise DemoError(f"websocket sign-in: {answer}")
            for number, message in enumerate(messages, start=1):
                await conn.send_json({"id": number, **message})
                while (answer := await conn.receive_json()).get("id") != number:
                    pass  # events of earlier subscriptions, if any
                if not answer.get("success"):
                    raise DemoError(f"websocket {message['type']}: {answer.get('error')}")
                results.append(answer.get("result"))
        return results

    def ensure_credential(self) -> None:
        """The application credential the OAuth2 accounts use: the existing one, or a new one."""
        (items,) = self.ws({"type": "application_credentials/list"})
        ours = [item for item in items if item.get("domain") == DOMAIN]
        if ours:
            credential = next((c for c in ours if c.get("client_id") == CLIENT_ID), ours[0])
            say(f"application credential already there: {credential.get('name')!r}")
        else:
            (credential,) = self.ws(
                {
                    "type": "application_credentials/create",
                    "domain": DOMAIN,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "name": CREDENTIAL_NAME,
                }
            )
            say(f"added the application credential {CREDENTIAL_NAME!r} (client id {CLIENT_ID})")
        self.credential = credential.get("auth_domain") or credential["id"]

    # The integration's config entries ---------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """This integration's config entries."""
        body = self.http.expect("GET", "/api/config/config_entries/entry", "list config entries")
        return [entry for entry in body if entry.get("domain") == DOMAIN]

    @staticmethod
    def entry_of(account: Account, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The account's entry, told by its title ("OVMS demo", "Volvo (4 cars)", ...)."""
        return next((e for e in entries if str(e.get("title")).startswith(account.title)), None)

    def _answer(self, account: Account, result: dict[str, Any]) -> dict[str, Any]:
        """What the user would answer at this step of the account's flow."""
        kind, step = result.get("type"), result.get("step_id")
        options = result.get("menu_options") or []
        if kind == "menu" and step == STEP_BACKEND and account.kind in options:
            return {"next_step_id": account.kind}
        if kind == "menu" and step == STEP_SIGN_IN_METHOD and SIGN_IN_REDIRECT in options:
            return {"next_step_id": SIGN_IN_REDIRECT}
        sim = self.args.sim
        forms: dict[str, dict[str, Any]] = {
            STEP_OVMS: {"server_url": sim, "username": "demo", "password": "demo"},
            STEP_VOLVO: {"advanced": {"server_url": sim}},
            STEP_STELLANTIS: {"brand": PEUGEOT, "advanced": {"server_url": sim}},
            STEP_API_KEY: {"api_key": VOLVO_API_KEY},
            STEP_REAUTH: {},
            STEP_PICK_CREDENTIAL: {"implementation": self.credential},
        }
        if kind == "form" and step in forms and not result.get("errors"):
            return forms[step]
        raise DemoError(f"config flow stopped at an unexpected step: {json.dumps(result)}")

    def _sign_in_at_provider(self, url: str) -> None:
        """Play the browser: the simulator's sign-in page approves at once and redirects back."""
        sim = self.args.sim.rstrip("/")
        if not url.startswith(sim + "/"):
            raise DemoError(f"the sign-in page is not the simulator's: {url}")
        callback = redirect_target(url)
        if not callback.startswith(self.http.base + "/auth/external/callback"):
            raise DemoError(f"the sign-in did not lead back to Home Assistant: {callback}")
        path = callback.removeprefix(self.http.base)
        status, body = self.http.call("GET", path)  # resumes the flow
        if status != 200:
            raise DemoError(f"Home Assistant's OAuth2 callback answered HTTP {status}: {body}")

    def run_flow(self, account: Account, result: dict[str, Any]) -> dict[str, Any]:
        """Drive a config flow from ``result`` to its end; the final result."""
        for _ in range(12):
            kind, step, flow = result.get("type"), result.get("step_id"), result.get("flow_id")
            if kind in ("create_entry", "abort"):
                return result
            if kind == "external":
                self._sign_in_at_provider(str(result.get("url")))
                result = self.http.expect("GET", f"{FLOWS}/{flow}", "resume after sign-in")
                if result.get("type") == "external":
                    raise DemoError(f"the flow did not take the sign-in: {json.dumps(result)}")
                continue
            if kind == "external_done":
                result = self.http.expect("GET", f"{FLOWS}/{flow}", "resume after sign-in")
                continue
            answer = self._answer(account, result)
            result = self.http.expect(
                "POST", f"{FLOWS}/{flow}", f"config flow step {step}", body=answer
            )
        raise DemoError(f"config flow did not finish: {json.dumps(result)}")

    def add_entry(self, account: Account) -> bool:
        """Add the account through the config flow, as the UI does; False if not offered."""
        result = self.http.expect(
            "POST",
            FLOWS,
            "start the config flow",
            body={"handler": DOMAIN, "show_advanced_options": False},
        )
        if result.get("type") == "menu" and account.kind not in (result.get("menu_options") or []):
            self.http.call("DELETE", f"{FLOWS}/{result['flow_id']}")
            if account.required:
                raise DemoError(f"the config flow offers no {account.kind!r}: {json.dumps(result)}")
            say(f"WARNING: the config flow offers no {account.kind!r}: skipping {account.title}")
            return False
        result = self.run_flow(account, result)
        if result.get("type") == "abort":
            raise DemoError(f"adding {account.title}: the flow aborted: {result.get('reason')}")
        entry = result.get("result") or {}
        say(f"added config entry {result.get('title')!r} ({entry.get('entry_id', '?')})")
        return True

    def ensure_entry(self, account: Account) -> None:
        """Add the account unless its entry exists."""
        if existing := self.entry_of(account, self.entries()):
            say(f"config entry already there: {existing.get('title')!r} ({existing.get('state')})")
            return
        self.add_entry(account)

    def renew_sign_ins(self) -> None:
        """Finish the reauth flows of this integration (the restarted simulator forgot its tokens)."""
        (flows,) = self.ws({"type": "config_entries/flow/progress"})
        for flow in flows:
            if flow.get("handler") != DOMAIN or flow.get("context", {}).get("source") != "reauth":
                continue
            entry_id = flow["context"].get("entry_id")
            found = next((e for e in self.entries() if e.get("entry_id") == entry_id), {})
            account = next((a for a in ACCOUNTS if self.entry_of(a, [found])), VOLVO)
            say(f"signing {found.get('title', entry_id)!r} in again (reauth)")
            result = self.http.expect("GET", f"{FLOWS}/{flow['flow_id']}", "open the reauth flow")
            result = self.run_flow(account, result)
            if result.get("type") != "abort" or result.get("reason") != "reauth_successful":
                raise DemoError(f"reauth of {found.get('title')!r}: {json.dumps(result)}")

    def reauth_pending(self) -> bool:
        """Whether an entry of ours waits for a reauth flow."""
        (flows,) = self.ws({"type": "config_entries/flow/progress"})
        return any(
            f.get("handler") == DOMAIN and f.get("context", {}).get("source") == "reauth"
            for f in flows
        )

    def settle(self, timeout: float, *, warn: bool = True) -> None:
        """Wait until no entry of ours is still being set up; warn about any not loaded."""

        def settled() -> list[dict[str, Any]] | None:
            found = self.entries()
            busy = {"not_loaded", "setup_in_progress", "unload_in_progress"}
            return found if found and not any(e.get("state") in busy for e in found) else None

        for entry in wait_until(settled, timeout, "config entry set-up"):
            if warn and entry.get("state") != "loaded":
                reason = entry.get("reason") or "see .demo/hass.log"
                say(f"WARNING: {entry.get('title')!r} is {entry.get('state')!r}: {reason}")

    def setup_accounts(self, timeout: float) -> None:
        """Every demo account: OVMS first, then the credential and the OAuth2 accounts."""
        self.ensure_entry(OVMS)
        # The OVMS entry's set-up loads the integration, and with it application_credentials.
        self.settle(timeout, warn=False)
        self.ensure_credential()
        for account in (VOLVO, STELLANTIS):
            self.ensure_entry(account)
        self.settle(timeout, warn=False)
        # A second run: the restarted simulator forgot the sign-ins, so the entries' set-up
        # failed and Home Assistant started reauth flows; finish them as the user would.
        if any(e.get("state") == "setup_error" for e in self.entries()):
            with contextlib.suppress(DemoError):  # another error: settle() warns about it
                wait_until(self.reauth_pending, 10, "a reauth flow", interval=1)
        if self.reauth_pending():
            say("the restarted simulator forgot the sign-ins: renewing them (reauth flows)")
            self.renew_sign_ins()
        self.settle(timeout)

    # --check ----------------------------------------------------------------------------------

    def _registry(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        devices, entities = self.ws(
            {"type": "config/device_registry/list"}, {"type": "config/entity_registry/list"}
        )
        return devices, entities

    def check(self, timeout: float) -> None:
        """Wait for live key entities of every account; count each car's entities."""
        entries = self.entries()
        present = {a.kind: e for a in ACCOUNTS if (e := self.entry_of(a, entries))}
        for account in ACCOUNTS:
            if account.kind not in present and account.required:
                raise DemoError(f"no {account.title} config entry")
        devices, entities = self._registry()
        cars = _devices_by_account(present, devices)
        wanted = {LEAF_BATTERY: True}  # entity id -> must be numeric
        for live in LIVE_CHECKS:
            if live.account.kind not in present:
                continue
            wanted[self._find(live, cars, entities)] = live.numeric

        def states() -> dict[str, str]:
            body = self.http.expect("GET", "/api/states", "list states")
            return {s["entity_id"]: s["state"] for s in body}

        def all_live() -> dict[str, str] | None:
            now = states()
            return now if all(_live(now.get(e), numeric) for e, numeric in wanted.items()) else None

        try:
            now = wait_until(all_live, timeout, "live entities")
        except DemoError:
            now = states()
            dead = {e: now.get(e, "missing") for e, n in wanted.items() if not _live(now.get(e), n)}
            raise DemoError(f"entities not live after {timeout:.0f} s: {dead}") from None
        for entity_id in wanted:
            say(f"check: {entity_id} = {now[entity_id]}")
        by_device: dict[str, list[str]] = {}
        for entity in entities:
            if entity.get("device_id") in cars and not entity.get("disabled_by"):
                by_device.setdefault(entity["device_id"], []).append(entity["entity_id"])
        for device_id, (account, device) in cars.items():
            ids = by_device.get(device_id, [])
            live = sum(now.get(e, "unavailable") != "unavailable" for e in ids)
            name = str(device.get("name_by_user") or device.get("name"))
            label = name if name.startswith(account.title) else f"{account.title} {name}"
            say(f"check: {label}: {len(ids)} entities, {live} available")
        for account in ACCOUNTS:
            if account.kind not in present:
                say(f"check: no {account.title} entry (its flow was not offered): not checked")

    # The Garage dashboard, the browser check and the long check ------------------------------

    def garage(self) -> None:
        """Create the Garage dashboard if missing, (re)build its cards, make it the default."""
        devices, entities = self._registry()
        (dashboards,) = self.ws({"type": "lovelace/dashboards/list"})
        if not any(d.get("url_path") == demo_dashboard.URL_PATH for d in dashboards):
            self.ws(
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": demo_dashboard.URL_PATH,
                    "title": demo_dashboard.TITLE,
                    "icon": demo_dashboard.ICON,
                    "mode": "storage",
                    "require_admin": False,
                    "show_in_sidebar": True,
                }
            )
            say(f"created the {demo_dashboard.TITLE!r} dashboard")
        pictures = self.args.sim.rstrip("/") + "/pictures"
        config = demo_dashboard.dashboard(devices, entities, pictures)
        (core,) = self.ws({"type": "frontend/get_system_data", "key": "core"})
        self.ws(
            {"type": "lovelace/config/save", "url_path": demo_dashboard.URL_PATH, "config": config},
            {
                "type": "frontend/set_system_data",
                "key": "core",
                "value": {**(core.get("value") or {}), "default_panel": demo_dashboard.URL_PATH},
            },
        )
        cars = len(config["views"][0]["sections"]) - 1
        say(f"{demo_dashboard.TITLE}: {cars} cars and their map, at /{demo_dashboard.URL_PATH}")

    def pages(self) -> list[tuple[str, str]]:
        """(path, screenshot name): the Garage, then one car's device page per back end."""
        present = {a.kind: e for a in ACCOUNTS if (e := self.entry_of(a, self.entries()))}
        devices, _entities = self._registry()
        cars = _devices_by_account(present, devices)
        pages = [(f"/{demo_dashboard.URL_PATH}", "garage.png")]
        for account in ACCOUNTS:
            wanted = account.cars[0].lower()
            device_id = next(
                (
                    device_id
                    for device_id, (owner, device) in cars.items()
                    if owner == account and wanted in str(device.get("name")).lower()
                ),
                None,
            )
            if device_id is None:
                if account.required:
                    raise DemoError(f"{account.title}: no device {account.cars[0]!r}")
                continue
            pages.append((f"/config/devices/device/{device_id}", f"device-{account.kind}.png"))
        return pages

    def browse(self, out_dir: Path, timeout: float) -> None:
        """Open the pages in headless Chromium; DemoError listing every problem found."""
        import demo_browser  # noqa: PLC0415 (Playwright: only this sub-command needs it)

        shots = [
            demo_browser.Shot(path, name, *((1920, 0) if name == "garage.png" else (1440, 1000)))
            for path, name in self.pages()
        ]
        problems = demo_browser.check_pages(
            self.http.base, self.frontend_tokens(), shots, out_dir, timeout
        )
        if problems:
            raise DemoError("the browser found:\n  " + "\n  ".join(problems))
        say(f"browser: {len(shots)} pages without console errors or broken images")

    def soak(self, started: float, seconds: float, pid: int, host: str) -> None:
        """At ``started + seconds``: the same process, on ``host`` only, no repair issue."""
        wait = started + seconds - time.time()
        if wait > 0:
            say(f"waiting {wait:.0f} s, until {seconds:.0f} s after Home Assistant's start")
            time.sleep(wait)
        if pid and not alive(pid):
            raise DemoError("Home Assistant is no longer running (did it restart?)")
        http_config, issues = self.ws({"type": "http/config"}, {"type": "repairs/list_issues"})
        port = int(http_config["stable"]["server_port"])
        problems = demo_soak.problems(
            http_config, issues["issues"], demo_soak.listening(port), host
        )
        if problems:
            raise DemoError(f"after {seconds:.0f} s: " + "; ".join(problems))
        say(f"after {seconds:.0f} s: still the same process, on {host}:{port} only, no repairs")

    @staticmethod
    def _find(
        live: LiveCheck,
        cars: dict[str, tuple[Account, dict[str, Any]]],
        entities: list[dict[str, Any]],
    ) -> str:
        """The entity id a live check means, from the registries."""
        for device_id, (account, device) in cars.items():
            name = str(device.get("name_by_user") or device.get("name") or "")
            if account != live.account or live.car.lower() not in name.lower():
                continue
            for entity in entities:
                entity_id = str(entity.get("entity_id"))
                if (
                    entity.get("device_id") == device_id
                    and entity_id.startswith(live.domain + ".")
                    and live.key in (None, entity.get("translation_key"))
                ):
                    return entity_id
        what = f"{live.domain} {live.key or ''}".strip()
        raise DemoError(f"{live.account.title} {live.car}: no {what} entity in the registry")


def _devices_by_account(
    present: dict[str, dict[str, Any]], devices: list[dict[str, Any]]
) -> dict[str, tuple[Account, dict[str, Any]]]:
    """Device id -> the account (of those with an entry) and the device, cars and accounts alike."""
    found: dict[str, tuple[Account, dict[str, Any]]] = {}
    for account in ACCOUNTS:
        if entry := present.get(account.kind):
            for device in devices:
                if entry["entry_id"] in device.get("config_entries", []):
                    found[device["id"]] = (account, device)
    return found


def _live(state: str | None, numeric: bool) -> bool:
    """Whether an entity's state is a real reading (a number, where one is expected)."""
    if state is None or state in UNAVAILABLE:
        return False
    if not numeric:
        return True
    try:
        float(state)
    except ValueError:
        return False
    return True


# --- Command line ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
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

    for name in SIGNED_IN:
        cmd = sub.add_parser(name)
        cmd.add_argument("--ha", required=True, help="Home Assistant base URL")
        cmd.add_argument("--sim", required=True, help="simulator base URL (the entry's server_url)")
        cmd.add_argument("--state", required=True, help="file keeping the refresh token")
        cmd.add_argument("--name", default="Demo")
        cmd.add_argument("--user", required=True)
        cmd.add_argument("--password", required=True)
        cmd.add_argument("--pid", type=int, default=0, help="Home Assistant's pid")
        cmd.add_argument("--timeout", type=float, default=60)
    sub.choices["browse"].add_argument(
        "--out", type=Path, required=True, help="screenshots' folder"
    )
    soak = sub.choices["soak"]
    soak.add_argument("--started", type=float, required=True, help="Home Assistant's start (epoch)")
    soak.add_argument("--seconds", type=float, default=360)
    soak.add_argument("--host", required=True, help="the one address it may listen on")
    return parser


def _setup(ha: HomeAssistant, args: argparse.Namespace) -> None:
    ha.onboard()
    ha.wait_running(args.timeout, args.pid)
    ha.setup_accounts(args.timeout)


# The sub-commands that talk to Home Assistant; all but setup sign in first.
SIGNED_IN: dict[str, Callable[[HomeAssistant, argparse.Namespace], None]] = {
    "setup": _setup,
    "check": lambda ha, args: ha.check(args.timeout),
    "garage": lambda ha, _args: ha.garage(),
    "browse": lambda ha, args: ha.browse(args.out, args.timeout),
    "soak": lambda ha, args: ha.soak(args.started, args.seconds, args.pid, args.host),
}


def main() -> int:
    """Run one sub-command; 0 on success, 1 on failure."""
    args = _parser().parse_args()
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
            if args.command != "setup":
                ha.sign_in()
            SIGNED_IN[args.command](ha, args)
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
