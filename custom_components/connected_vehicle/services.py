"""Actions on a car: start the engine for a number of minutes, refresh its data."""

from __future__ import annotations

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from .api.models import Command, CommandArguments
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry, VehicleCoordinator
from .entity import vehicle_unique_id

ATTR_RUNTIME_MINUTES = "runtime_minutes"
SERVICE_ENGINE_START = "engine_start"
SERVICE_REFRESH = "refresh"

ENGINE_START_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_RUNTIME_MINUTES, default=15): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=15)
        ),
    }
)
REFRESH_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, at integration setup)."""

    async def engine_start(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        arguments = CommandArguments(runtime_minutes=call.data[ATTR_RUNTIME_MINUTES])
        await coordinator.async_invoke(Command.ENGINE_START, arguments)

    async def refresh(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        await coordinator.async_refresh_groups(coordinator.vehicle.capabilities)

    hass.services.async_register(
        DOMAIN, SERVICE_ENGINE_START, engine_start, schema=ENGINE_START_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_REFRESH, refresh, schema=REFRESH_SCHEMA)


def _coordinator(hass: HomeAssistant, device_id: str) -> VehicleCoordinator:
    """The coordinator of the car behind a device, or a translated validation error."""
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        # A device belongs to one config entry (``config_entries`` is deprecated).
        entry: ConnectedVehicleConfigEntry | None = hass.config_entries.async_get_entry(
            device.config_entry_id
        )
        if entry is not None and entry.domain == DOMAIN and hasattr(entry, "runtime_data"):
            for coordinator in entry.runtime_data.coordinators.values():
                if (DOMAIN, vehicle_unique_id(entry, coordinator.vehicle)) in device.identifiers:
                    return coordinator
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_vehicle",
        translation_placeholders={"device_id": device_id},
    )
