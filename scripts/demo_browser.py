"""Headless Chromium against the running demo: the pages a new user sees, checked and pictured.

Opens the Garage dashboard and one car's device page per back end, signed in as the demo
user, and fails on any browser console error, uncaught script error or broken image; saves
a screenshot of each page (the README shows them). Drives Debian's chromium through
Playwright (never a downloaded browser), with a fresh profile and no background traffic.

Base map tiles are the one thing stubbed: Home Assistant fetches them from OpenStreetMap,
which this closed network cannot reach (its proxy answers 502). The map's requests get an
empty tile set instead, so the map shows its cars on a plain background, the same on every
machine, and the check stays about this integration and the demo.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import io
import json
from pathlib import Path
import tempfile
import time
from typing import Any

from PIL import Image
from playwright.async_api import Page, Route, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
SETTLE_MS = 4000  # after the network is idle: cards render, pictures decode
MAP_TILES = "**/api/map_tiles/**"
# Every <img> in the document, through the shadow roots the frontend is made of, that has
# finished loading without a picture, or has not finished at all.
BROKEN_IMAGES_JS = """() => {
  const broken = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "IMG" && (!el.complete || el.naturalWidth === 0)) {
        broken.push(el.currentSrc || el.src || "(no src)");
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return broken;
}"""


@dataclass(frozen=True)
class Shot:
    """A page to open and where its screenshot goes."""

    path: str  # under Home Assistant's URL
    file: str  # the screenshot's file name
    width: int
    height: int  # 0: as tall as the page


def _empty_png() -> bytes:
    """A 1x1 transparent PNG, for the map's sprite sheet."""
    out = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(out, "PNG")
    return out.getvalue()


async def _stub_map_tiles(route: Route) -> None:
    """An empty, valid tile set for Home Assistant's map (see the module docstring)."""
    url = route.request.url
    if url.split("?")[0].endswith("/tilejson.json"):
        tilejson = {
            "tilejson": "3.0.0",
            "tiles": ["/api/map_tiles/vector/{z}/{x}/{y}.mvt"],
            "minzoom": 0,
            "maxzoom": 14,
            "vector_layers": [],
        }
        await route.fulfill(content_type="application/json", body=json.dumps(tilejson))
    elif ".png" in url:
        await route.fulfill(content_type="image/png", body=_empty_png())
    elif "/sprites/" in url:
        await route.fulfill(content_type="application/json", body="{}")
    else:  # vector tiles and glyphs: an empty protobuf is a valid empty one
        await route.fulfill(content_type="application/x-protobuf", body=b"")


def save_small(png: bytes, file: Path) -> None:
    """Save a screenshot as a 256-colour PNG: a fraction of the size, no visible loss here."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(
            file, optimize=True
        )


class Browser:
    """One headless Chromium session signed in to Home Assistant."""

    def __init__(self, ha_url: str, tokens: dict[str, Any], out_dir: Path) -> None:
        """Sign in with ``tokens`` (Home Assistant's token answer for the frontend's client id)."""
        self.ha_url = ha_url.rstrip("/")
        self.out_dir = out_dir
        self.tokens = {
            **tokens,
            "hassUrl": self.ha_url,
            "clientId": self.ha_url + "/",
            "expires": int(time.time() * 1000) + int(tokens["expires_in"]) * 1000,
        }
        self.problems: list[str] = []

    async def run(self, shots: list[Shot], page_timeout: float) -> list[str]:
        """Open each page; the problems found (empty: all good)."""
        async with async_playwright() as playwright:
            with tempfile.TemporaryDirectory(prefix="demo-chromium-") as profile:
                context = await playwright.chromium.launch_persistent_context(
                    profile,
                    executable_path=CHROMIUM,
                    headless=True,
                    args=list(CHROMIUM_ARGS),
                    viewport={"width": 1440, "height": 900},
                    locale="en-GB",
                    timezone_id="Europe/Brussels",
                    color_scheme="light",
                )
                # The frontend keeps its sign-in in localStorage: put ours there first.
                await context.add_init_script(
                    f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(self.tokens))});"
                )
                await context.route(MAP_TILES, _stub_map_tiles)
                try:
                    for shot in shots:
                        page = await context.new_page()
                        await self._visit(page, shot, page_timeout)
                        await page.close()
                finally:
                    await context.close()
        return self.problems

    async def _visit(self, page: Page, shot: Shot, page_timeout: float) -> None:
        where = shot.path
        page.on("console", lambda m: m.type == "error" and self._problem(where, m.text))
        page.on("pageerror", lambda error: self._problem(where, f"uncaught script error: {error}"))
        await page.set_viewport_size({"width": shot.width, "height": shot.height or 900})
        await page.goto(
            self.ha_url + shot.path, wait_until="networkidle", timeout=page_timeout * 1000
        )
        if page.url.split("?")[0].rstrip("/").endswith("/auth/authorize"):
            self._problem(where, "the browser was sent to the login page")
        await page.wait_for_timeout(SETTLE_MS)
        if not shot.height:  # a window as tall as the page: the map redraws at its size
            height = await page.evaluate("document.documentElement.scrollHeight")
            await page.set_viewport_size({"width": shot.width, "height": int(height)})
            await page.wait_for_timeout(SETTLE_MS)
        for src in await page.evaluate(BROKEN_IMAGES_JS):
            self._problem(where, f"broken image: {src}")
        save_small(await page.screenshot(), self.out_dir / shot.file)
        print(f"demo: browser: {where} -> {self.out_dir / shot.file}", flush=True)

    def _problem(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def check_pages(
    ha_url: str, tokens: dict[str, Any], shots: list[Shot], out_dir: Path, timeout: float
) -> list[str]:
    """Open the pages in headless Chromium; the problems found, screenshots in ``out_dir``."""
    return asyncio.run(Browser(ha_url, tokens, out_dir).run(shots, timeout))
