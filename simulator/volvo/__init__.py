"""The Volvo Cars cloud: Volvo ID, Connected Vehicle v2 (and one v1-shaped car), Energy, Location."""

from .backend import VolvoBackend

__all__ = ["VolvoBackend"]
