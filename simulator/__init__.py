"""Fake connected-car clouds over one simulated world, for tests and the demo.

Imports only the standard library and aiohttp: it shares no code with the
integration, so it cannot agree with the client's mistakes.
"""

from .app import Simulator

__all__ = ["Simulator"]
