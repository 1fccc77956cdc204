"""Connected Vehicle: Volvo, Stellantis and OVMS cars under one entity model."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType

from .api.backend import CountsCalls, SharesABudget, StreamsUpdates
from .api.errors import VehicleApiError
from .api.models import VehicleState
from .calls import async_keep_calls
from .const import DOMAIN
from .coordinator import (
    ISSUES,
    ConnectedVehicleConfigEntry,
    RuntimeData,
    VehicleCoordinator,
    issue_id,
)
from .entity import vehicle_unique_id
from .errors import Phase, home_assistant_error
from .providers import provider_for
from .providers.base import parked_interval
from .registry import async_note_listing
from .services import async_setup_services
from .voice import async_follow_assist, async_update_sentences
from .webhooks import listen_for_results, results_url

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.DEVICE_TRACKER,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions, and follow Assist for the car sentences."""
    async_setup_services(hass)
    async_follow_assist(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> bool:
    """Sign in, list the account's cars, and poll each one."""
    provider = provider_for(entry.data)
    url = results_url(hass, entry)
    backend = await provider.async_client(hass, entry, results_url=url)
    if url is not None:
        listen_for_results(hass, entry, backend)
    if isinstance(backend, CountsCalls):
        await async_keep_calls(hass, entry, backend)
    try:
        vehicles = await backend.vehicles()
    except VehicleApiError as err:
        raise home_assistant_error(err, Phase.SETUP) from err
    async_note_listing(hass, entry, vehicles)

    runtime = RuntimeData(provider, backend)
    for index, vehicle in enumerate(vehicles):
        plan = provider.plan(entry.options, vehicle)
        if isinstance(backend, SharesABudget):
            plan.stagger(parked_interval(entry.options) * index / len(vehicles))
        runtime.coordinators[vehicle.id] = VehicleCoordinator(
            hass,
            entry,
            backend,
            vehicle,
            plan,
            limits_wake_ups=provider.limits_wake_ups,
            stamps_tell_visits=provider.stamps_tell_visits,
        )
    # Every first refresh ends before set-up does, even when one failed: none may
    # outlive a failed set-up, whose HTTP session is closed on the way out.
    first = await asyncio.gather(
        *(c.async_config_entry_first_refresh() for c in runtime.coordinators.values()),
        return_exceptions=True,
    )
    if failed := next((result for result in first if isinstance(result, BaseException)), None):
        raise failed
    entry.runtime_data = runtime
    if isinstance(backend, StreamsUpdates):
        streams = backend

        @callback
        def news(vehicle_id: str, state: VehicleState) -> None:
            if (coordinator := runtime.coordinators.get(vehicle_id)) is not None:
                coordinator.async_news(state, streams.is_streaming(vehicle_id))

        backend.stream(vehicles, news)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_update_sentences(hass)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> bool:
    """Unload the platforms and end the server session (before the HTTP session closes)."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.backend.logout()
        async_update_sentences(hass, leaving=entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> None:
    """Withdraw the repair issues the entry raised."""
    for key in ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry, key))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a car that is no longer on the account."""
    current = {
        vehicle_unique_id(entry, c.vehicle) for c in entry.runtime_data.coordinators.values()
    }
    current.add(str(entry.unique_id))
    return not any(identifier in current for _domain, identifier in device.identifiers)
