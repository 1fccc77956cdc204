"""Connected Vehicle: Volvo, Stellantis and OVMS cars under one entity model."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr

from .api.errors import AuthenticationError, VehicleApiError
from .backends import create_backend, create_plan, create_session
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry, RuntimeData, VehicleCoordinator
from .entity import vehicle_unique_id

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.DEVICE_TRACKER,
    Platform.SENSOR,
]


async def async_setup_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> bool:
    """Sign in, list the account's cars, and poll each one."""
    backend = create_backend(hass, create_session(hass), entry.data)
    try:
        vehicles = await backend.vehicles()
    except AuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except VehicleApiError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="setup_failed",
            translation_placeholders={"error": str(err)},
        ) from err

    runtime = RuntimeData(backend)
    for vehicle in vehicles:
        plan = create_plan(entry.options, vehicle)
        runtime.coordinators[vehicle.id] = VehicleCoordinator(hass, entry, backend, vehicle, plan)
    await asyncio.gather(
        *(c.async_config_entry_first_refresh() for c in runtime.coordinators.values())
    )
    entry.runtime_data = runtime
    _remove_stale_devices(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> bool:
    """Unload the platforms and end the server session (before the HTTP session closes)."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.backend.logout()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a car that is no longer on the account."""
    current = {
        vehicle_unique_id(entry, c.vehicle) for c in entry.runtime_data.coordinators.values()
    }
    return not any(identifier in current for _domain, identifier in device.identifiers)


def _remove_stale_devices(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> None:
    """Drop devices of cars that left the account since the last start."""
    registry = dr.async_get(hass)
    current = {
        vehicle_unique_id(entry, c.vehicle) for c in entry.runtime_data.coordinators.values()
    }
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not any(identifier in current for _domain, identifier in device.identifiers):
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
