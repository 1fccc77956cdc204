"""Back-end clients for connected cars: asyncio + aiohttp, no Home Assistant import.

Every client turns its back end's JSON into the brand-neutral model in
:mod:`.models` and raises only the errors in :mod:`.errors`.
"""
