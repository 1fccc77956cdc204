"""HAL+JSON answers: links, error bodies, and collections paged by indexRange/pageSize.

Page links carry an opaque ``pageToken`` (the real server's way), which holds
the range and page size; a client follows ``_links.next`` and never builds one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
import json
import math
import re
from typing import Any, Final
import uuid

from aiohttp import web

from ..responses import text

API_PREFIX: Final = "/connectedcar/v4"
MAX_PAGE_SIZE: Final = 60
_RANGE: Final = re.compile(r"^(\d+)-(\d*)$")


def hal(
    data: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/hal+json",
) -> web.Response:
    """A HAL+JSON answer (or GeoJSON, which the spec gives /lastPosition)."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"
    return text(status, body, content_type=content_type, headers=headers)


def api_error(status: int, message: str, now: datetime, code: int | None = None) -> web.Response:
    """The API's error body: HTTP status plus two digits, a uuid, a message, a time."""
    return text(
        status,
        json.dumps(
            {
                "code": code if code is not None else status * 100,
                "uuid": str(uuid.uuid4()),
                "message": message,
                "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
        ),
        content_type="application/json",
    )


def gateway_refusal(reason: str) -> web.Response:
    """The API gateway's 401 (bad client id, no realm): a different body shape."""
    body = {"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": reason}
    return text(401, json.dumps(body), content_type="application/json")


@dataclass(frozen=True)
class Linker:
    """Builds hrefs under the API prefix, absolute (the real server's way) or relative."""

    origin: str
    relative: bool = False

    def href(self, path: str) -> str:
        """The href of ``path`` (relative to the API prefix)."""
        full = API_PREFIX + path
        return full if self.relative else self.origin + full

    def link(self, path: str, **extra: Any) -> dict[str, Any]:
        """A HAL link object."""
        return {"href": self.href(path), **extra}


def linker(request: web.Request, relative: bool = False) -> Linker:
    """A linker for the host the request came to."""
    return Linker(str(request.url.origin()), relative)


class PagingError(ValueError):
    """A bad indexRange, pageSize or pageToken (400)."""


@dataclass(frozen=True)
class Paging:
    """Which part of a collection to answer."""

    first: int
    last: int | None
    size: int
    page: int  # 1-based

    @classmethod
    def from_request(cls, request: web.Request) -> Paging:
        """Read indexRange, pageSize and pageToken (the token wins)."""
        query = request.query
        if "pageToken" in query:
            try:
                raw = base64.urlsafe_b64decode(query["pageToken"] + "==")
                token = json.loads(raw)
                index_range, size, page = str(token["r"]), int(token["s"]), int(token["p"])
            except (ValueError, KeyError, TypeError) as err:
                raise PagingError("invalid pageToken") from err
        else:
            index_range = query.get("indexRange", "0-")
            try:
                size = int(query.get("pageSize", str(MAX_PAGE_SIZE)))
            except ValueError as err:
                raise PagingError("pageSize must be an integer") from err
            page = 1
        match = _RANGE.match(index_range)
        if match is None:
            raise PagingError("indexRange must look like 0-9 or 10-")
        if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
            raise PagingError(f"pageSize must be within 1..{MAX_PAGE_SIZE}")
        last = int(match[2]) if match[2] else None
        return cls(int(match[1]), last, size, page)

    @property
    def range_text(self) -> str:
        """The range as the API spells it."""
        return f"{self.first}-{'' if self.last is None else self.last}"

    def token(self, page: int) -> str:
        """The opaque token of another page of this listing."""
        raw = json.dumps({"r": self.range_text, "s": self.size, "p": page}).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def collection(
    paging: Paging, items: list[dict[str, Any]], key: str, path: str, links: Linker
) -> dict[str, Any]:
    """One page of ``items`` as a HAL collection with self/first/prev/next/last links."""
    end = len(items) if paging.last is None else min(len(items), paging.last + 1)
    chosen = items[paging.first : end]
    pages = max(1, math.ceil(len(chosen) / paging.size))
    page = min(paging.page, pages)
    start = (page - 1) * paging.size

    def at(number: int) -> dict[str, Any]:
        return links.link(f"{path}?pageToken={paging.token(number)}")

    tab: dict[str, Any] = {"self": at(page), "first": at(1), "last": at(pages)}
    if page > 1:
        tab["prev"] = at(page - 1)
    if page < pages:
        tab["next"] = at(page + 1)
    return {
        "_links": tab,
        "total": len(chosen),
        "totalPage": pages,
        "currentPage": page,
        "_embedded": {key: chosen[start : start + paging.size]},
    }
