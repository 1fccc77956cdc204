"""HAL link handling: turn an href (absolute or relative) into a request on the API.

Hrefs are resolved against the page they came from. Only links inside the
API's base URL are followed; one on another host but under the same API path
is taken as a path on our base (a server that names its public host while we
talk to another), and anything else is refused, so the bearer token never
goes anywhere but the API.
"""

from __future__ import annotations

import logging

from yarl import URL

from ..errors import ProtocolError

_LOGGER = logging.getLogger(__name__)


class Router:
    """Maps hrefs to (path below the base URL, query parameters)."""

    def __init__(self, base_url: str) -> None:
        """Route below ``base_url`` (e.g. https://api.groupe-psa.com/connectedcar/v4)."""
        self.base = URL(base_url.rstrip("/"))
        self._prefix = self.base.path.rstrip("/")

    def url(self, path: str) -> URL:
        """The absolute URL of a path below the base."""
        return URL(str(self.base) + path)

    def route(self, href: str, page: URL | None = None) -> tuple[str, dict[str, str]]:
        """The path (below the base) and query of ``href``, resolved against ``page``."""
        try:
            target = (page or self.base).join(URL(href))
        except ValueError as err:
            raise ProtocolError("unreadable link") from err
        path = target.path
        if not (path == self._prefix or path.startswith(self._prefix + "/")):
            raise ProtocolError("a link points outside the API")  # its path may name the car
        if target.origin() != self.base.origin():
            _LOGGER.debug("Following a link to another host on our own API host")
        return path[len(self._prefix) :], dict(target.query)


def expand(template: str, **values: str) -> str:
    """Fill a templated href's ``{name}`` placeholders (HAL ``templated: true``)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template
