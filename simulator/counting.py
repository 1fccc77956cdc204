"""Request counting per method and route, for tests and benchmarks."""

from __future__ import annotations

from collections import Counter


class RequestCounter:
    """Counts requests by ``"METHOD /route/{pattern}"`` and by concrete path."""

    def __init__(self) -> None:
        """Start with no requests counted."""
        self._routes: Counter[str] = Counter()
        self._paths: Counter[str] = Counter()
        # The latest request's route: what a test saw last at a given moment.
        self.last: str | None = None

    def record(self, method: str, route: str, path: str) -> None:
        """Count one request to ``path``, served by the resource ``route``."""
        self._routes[f"{method} {route}"] += 1
        self._paths[f"{method} {path}"] += 1
        self.last = f"{method} {route}"

    def count(self, method: str, route: str) -> int:
        """Return how many ``method`` requests the route pattern ``route`` got."""
        return self._routes[f"{method} {route}"]

    def total(self) -> int:
        """Return the number of counted requests."""
        return self._routes.total()

    def reset(self) -> None:
        """Forget every counted request."""
        self._routes.clear()
        self._paths.clear()
        self.last = None

    def snapshot(self) -> dict[str, int]:
        """Return the counts keyed ``"GET /api/status/{vehicle_id}"``."""
        return dict(self._routes)

    def by_path(self) -> dict[str, int]:
        """Return the counts keyed by concrete path, e.g. ``"GET /api/status/KONA"``."""
        return dict(self._paths)
