"""The Stellantis connected-car API v4 (Peugeot, Citroën, DS, Opel, Vauxhall)."""

from .brands import BRANDS, DEFAULT_API_URL, Brand, brand
from .client import NO_WEBHOOK_TARGET, StellantisClient

__all__ = ["BRANDS", "DEFAULT_API_URL", "NO_WEBHOOK_TARGET", "Brand", "StellantisClient", "brand"]
