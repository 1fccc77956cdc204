"""Alerts as an event: one event each time the car raises a new alert.

An event, not an enum sensor of the newest alert type: a second alert of the
same type, or two alerts between polls, would leave an enum's state unchanged
and trigger nothing, while an event fires for each new alert with its time,
and automations trigger on the event type. How many alerts are active stays
the *Active alerts* sensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import readings
from .coordinator import ConnectedVehicleConfigEntry
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 0
ATTR_ALERT_TYPE = "alert_type"  # the back end's own name of the alert type
ATTR_STARTED_AT = "started_at"


@dataclass(frozen=True, kw_only=True)
class VehicleEventDescription(VehicleEntityDescription, EventEntityDescription):
    """An event fed by a reading; ``also_reads`` are the readings its attributes come from."""

    also_reads: tuple[str, ...] = ()


ALERT = VehicleEventDescription(
    key=readings.LATEST_ALERT,
    translation_key="alert",
    event_types=list(readings.LATEST_ALERT.options),
    also_reads=(readings.LATEST_ALERT_CODE, readings.LATEST_ALERT_STARTED),
    exists_fn=lambda _vehicle, state: readings.ALERTS_ACTIVE in state.readings,
)
EVENTS: tuple[VehicleEventDescription, ...] = (ALERT,)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the alert event of each car that reports alerts."""
    add_entities_when_reported(entry, async_add_entities, EVENTS, VehicleAlertEvent)


class VehicleAlertEvent(VehicleEntity, EventEntity):
    """Fires when the newest active alert began after the last one seen.

    The first time, the alerts already active count as seen (they are not new);
    after a restart the last event's time is the mark, so an alert raised while
    Home Assistant was down still fires.
    """

    entity_description: VehicleEventDescription
    _seen: datetime | None = None

    async def async_added_to_hass(self) -> None:
        """Take the mark from the restored event, else from the alerts active now."""
        await super().async_added_to_hass()
        restored = dt_util.parse_datetime(self.state) if self.state else None
        self._seen = restored or self._started()

    def _started(self) -> datetime | None:
        started = self.coordinator.data.value(readings.LATEST_ALERT_STARTED)
        return started if isinstance(started, datetime) else None

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire for an alert newer than the mark."""
        started, state = self._started(), self.coordinator.data
        kind, code = state.value(readings.LATEST_ALERT), state.value(readings.LATEST_ALERT_CODE)
        if started is not None and (self._seen is None or started > self._seen):
            self._seen = started
            if isinstance(kind, str) and kind in self.event_types:
                attributes = {ATTR_ALERT_TYPE: code, ATTR_STARTED_AT: started.isoformat()}
                self._trigger_event(kind, attributes)
        super()._handle_coordinator_update()
