"""Just enough geodesy to move cars along routes."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
import math

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    """A WGS84 position in degrees."""

    lat: float
    lon: float


def distance_km(a: Point, b: Point) -> float:
    """Return the great-circle distance between two points."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bearing_deg(a: Point, b: Point) -> float:
    """Return the initial compass bearing from ``a`` to ``b`` (0 = north)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlon = math.radians(b.lon - a.lon)
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360


def destination(start: Point, bearing: float, km: float) -> Point:
    """Return the point ``km`` away from ``start`` on a (short-distance) straight line."""
    north = km * math.cos(math.radians(bearing))
    east = km * math.sin(math.radians(bearing))
    lat = start.lat + math.degrees(north / EARTH_RADIUS_KM)
    lon = start.lon + math.degrees(east / (EARTH_RADIUS_KM * math.cos(math.radians(start.lat))))
    return Point(lat, lon)


@dataclass(frozen=True)
class Route:
    """A polyline driven from its first point to its last."""

    points: tuple[Point, ...]
    _marks: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Precompute the distance from the start to every point."""
        if len(self.points) < 2:
            raise ValueError("a route needs at least two points")
        legs = (distance_km(a, b) for a, b in pairwise(self.points))
        object.__setattr__(self, "_marks", tuple(accumulate(legs, initial=0.0)))

    @property
    def length_km(self) -> float:
        """Return the route's length."""
        return self._marks[-1]

    def at(self, km: float) -> tuple[Point, float]:
        """Return the position and heading ``km`` along the route (clamped to its ends)."""
        km = min(max(km, 0.0), self.length_km)
        i = min(bisect_right(self._marks, km), len(self.points) - 1) - 1
        a, b = self.points[i], self.points[i + 1]
        span = self._marks[i + 1] - self._marks[i]
        f = (km - self._marks[i]) / span if span else 1.0
        here = Point(a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f)
        return here, bearing_deg(a, b)
