"""Calls a back end counts against its daily quota survive a restart of Home Assistant.

Without this, *API calls today* would start from zero after a restart while
the quota kept counting on the back end's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .api.backend import CountsCalls
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry

SAVE_EVERY: Final = timedelta(minutes=5)
_COUNTS: HassKey[CallCounts] = HassKey(f"{DOMAIN}_call_counts")

type Saved = dict[str, list[int]]  # counter id -> [day, calls]


class CallCounts:
    """The kept counts of every counter, in one store."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing loaded yet."""
        self._store: Store[Saved] = Store(hass, 1, f"{DOMAIN}.call_counts")
        self._saved: Saved = {}
        self._counters: dict[str, CountsCalls] = {}

    async def async_load(self) -> None:
        """Read what was kept."""
        self._saved = await self._store.async_load() or {}

    def follow(self, counter: CountsCalls) -> None:
        """Count on from the kept count, and keep this counter's from now on."""
        if (kept := self._saved.get(counter.counter_id)) is not None and len(kept) == 2:
            counter.restore(int(kept[0]), int(kept[1]))
        self._counters[counter.counter_id] = counter

    @callback
    def async_save(self, _now: datetime | None = None) -> None:
        """Write every counter's count (soon, in the background)."""
        self._store.async_delay_save(self._data, 1)

    def _data(self) -> Saved:
        for counter_id, counter in self._counters.items():
            self._saved[counter_id] = list(counter.counted())
        return self._saved


async def async_keep_calls(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, counter: CountsCalls
) -> None:
    """Restore the counter's calls of today, and keep them while the entry is loaded."""
    if (counts := hass.data.get(_COUNTS)) is None:
        counts = hass.data[_COUNTS] = CallCounts(hass)
        await counts.async_load()
    counts.follow(counter)
    entry.async_on_unload(async_track_time_interval(hass, counts.async_save, SAVE_EVERY))
    entry.async_on_unload(counts.async_save)
