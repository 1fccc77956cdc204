"""Connected Vehicle: Volvo, Stellantis and OVMS cars under one entity model."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api.errors import AuthenticationError, VehicleApiError
from .api.stellantis import StellantisClient
from .api.volvo import VolvoClient
from .backends import async_entry_access, create_backend, create_plan, create_session
from .const import CONF_BACKEND, DOMAIN, BackendKind
from .coordinator import ConnectedVehicleConfigEntry, RuntimeData, VehicleCoordinator
from .entity import vehicle_unique_id
from .services import async_setup_services
from .webhooks import callback_url, register_results_webhook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.DEVICE_TRACKER,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> bool:
    """Sign in, list the account's cars, and poll each one."""
    kind = entry.data[CONF_BACKEND]
    access = await async_entry_access(hass, entry) if kind != BackendKind.OVMS else None
    results_url = callback_url(hass, entry) if kind == BackendKind.STELLANTIS else None
    backend = create_backend(
        hass, create_session(hass), entry.data, access, callback_url=results_url
    )
    if isinstance(backend, StellantisClient) and results_url is not None:
        register_results_webhook(hass, entry, backend)
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
    if isinstance(backend, VolvoClient):
        quota = backend.quota
        runtime.calls_today = lambda: quota.calls_today
    for vehicle in vehicles:
        plan = create_plan(kind, entry.options, vehicle)
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
    current = _current_devices(entry)
    return not any(identifier in current for _domain, identifier in device.identifiers)


def _current_devices(entry: ConnectedVehicleConfigEntry) -> set[str]:
    """Identifiers of the entry's devices: its cars, and the account itself."""
    cars = {vehicle_unique_id(entry, c.vehicle) for c in entry.runtime_data.coordinators.values()}
    return cars | {str(entry.unique_id)}


def _remove_stale_devices(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> None:
    """Drop devices of cars that left the account since the last start."""
    registry = dr.async_get(hass)
    current = _current_devices(entry)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not any(identifier in current for _domain, identifier in device.identifiers):
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
