"""Actions on a car: start the engine, send a destination, unlock for a time, refresh."""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
from typing import Any

from homeassistant.components.lock.const import DOMAIN as LOCK_DOMAIN
from homeassistant.const import (
    ATTR_CODE,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
    ATTR_NAME,
)
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    service,
)
import probatio as vol

from .api.models import Command, CommandArguments, Destination
from .const import ATTR_UNLOCK_DURATION, DOMAIN
from .coordinator import ConnectedVehicleConfigEntry, VehicleCoordinator
from .entity import vehicle_unique_id

ATTR_RUNTIME_MINUTES = "runtime_minutes"
SERVICE_ENGINE_START = "engine_start"
SERVICE_REFRESH = "refresh"
SERVICE_SEND_DESTINATION = "send_destination"
SERVICE_UNLOCK = "unlock"
# The v1 portal's unlockDuration: at most 120 seconds.
MAX_UNLOCK_SECONDS = 120
# Entities whose latitude and longitude attributes make a destination.
PLACE_DOMAINS = ["zone", "person", "device_tracker"]

ENGINE_START_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_RUNTIME_MINUTES, default=15): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=15)
        ),
    }
)
# An entity action on the lock, so the lock's PIN check and unlocking state apply.
UNLOCK_SCHEMA: dict[Any, Any] = {
    vol.Optional(ATTR_CODE): cv.string,
    vol.Optional(ATTR_UNLOCK_DURATION): vol.All(
        vol.Coerce(int), vol.Range(min=1, max=MAX_UNLOCK_SECONDS)
    ),
}
REFRESH_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
# Coordinates (both) or a place entity, never both.
SEND_DESTINATION_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Required(ATTR_DEVICE_ID): cv.string,
            vol.Inclusive(ATTR_LATITUDE, "coordinates"): cv.latitude,
            vol.Inclusive(ATTR_LONGITUDE, "coordinates"): cv.longitude,
            vol.Optional(ATTR_NAME): cv.string,
            vol.Optional(ATTR_ENTITY_ID): cv.entity_domain(PLACE_DOMAINS),
        }
    ),
    cv.has_at_least_one_key(ATTR_LATITUDE, ATTR_ENTITY_ID),
    cv.has_at_most_one_key(ATTR_LATITUDE, ATTR_ENTITY_ID),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, at integration setup)."""

    async def engine_start(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        arguments = CommandArguments(runtime_minutes=call.data[ATTR_RUNTIME_MINUTES])
        await coordinator.async_invoke(Command.ENGINE_START, arguments)

    async def send_destination(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        arguments = CommandArguments(destination=_destination(hass, call.data))
        await coordinator.async_invoke(Command.SEND_DESTINATION, arguments)

    async def refresh(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        await coordinator.async_refresh_groups(coordinator.vehicle.capabilities)

    hass.services.async_register(
        DOMAIN, SERVICE_ENGINE_START, engine_start, schema=ENGINE_START_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_DESTINATION, send_destination, schema=SEND_DESTINATION_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_REFRESH, refresh, schema=REFRESH_SCHEMA)
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_UNLOCK,
        entity_domain=LOCK_DOMAIN,
        schema=UNLOCK_SCHEMA,
        func="async_unlock",
    )


def _destination(hass: HomeAssistant, data: Mapping[str, Any]) -> Destination:
    """The coordinates given, or where the entity is (named after it unless a name is given)."""
    if (entity_id := data.get(ATTR_ENTITY_ID)) is None:
        return Destination(data[ATTR_LATITUDE], data[ATTR_LONGITUDE], data.get(ATTR_NAME))
    if (state := hass.states.get(entity_id)) is not None:
        where = state.attributes
        with contextlib.suppress(KeyError, vol.Invalid):
            return Destination(
                cv.latitude(where[ATTR_LATITUDE]),
                cv.longitude(where[ATTR_LONGITUDE]),
                data.get(ATTR_NAME, state.name),
            )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="no_position",
        translation_placeholders={"entity_id": entity_id},
    )


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
