"""Diagnostics: the entry, its cars and their last state, with secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .api.backend import StreamsUpdates
from .api.models import Reading
from .api.readings import CATALOGUE
from .coordinator import ConnectedVehicleConfigEntry
from .providers.base import COMMON_REDACTED


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry
) -> dict[str, Any]:
    """Everything a bug report needs, nothing that identifies the user or the car."""
    backend = entry.runtime_data.backend
    vehicles = []
    for coordinator in entry.runtime_data.coordinators.values():
        state = coordinator.data
        vehicle: dict[str, Any] = {}
        if isinstance(backend, StreamsUpdates):
            vehicle["live_link"] = backend.link_details(coordinator.vehicle.id)
        vehicles.append(
            {
                **vehicle,
                "vehicle": asdict(coordinator.vehicle),
                "last_update_success": coordinator.last_update_success,
                "update_interval": str(coordinator.update_interval),
                "readings": {
                    key: _described(key, reading) for key, reading in state.readings.items()
                },
                "location": asdict(state.location) if state.location else None,
            }
        )
    redacted = COMMON_REDACTED | entry.runtime_data.provider.redacted
    return async_redact_data({"entry": entry.as_dict(), "vehicles": vehicles}, redacted)


def _described(key: str, reading: Reading) -> dict[str, Any]:
    """A reading with what the catalogue says it is (a key it lacks stands out)."""
    spec = CATALOGUE.get(key)
    return {**asdict(reading), "kind": spec.kind if spec is not None else "not in the catalogue"}
