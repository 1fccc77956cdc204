"""The Stellantis connected-car API v4 (Peugeot, Citroën, DS, Opel, Vauxhall), simulated."""

from .backend import StellantisBackend

__all__ = ["StellantisBackend"]
