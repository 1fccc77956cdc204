"""The entry's devices and entities in Home Assistant's registries.

Two things change them besides the entities themselves: cars that left the
account, and an account whose unique id changed (reconfigured to another
server address). Both keep what the user made of the entities (names, areas,
disabled states) as long as the car is there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util.hass_dict import HassKey

from .api.models import Vehicle
from .const import DOMAIN
from .coordinator import ConnectedVehicleConfigEntry
from .entity import vehicle_unique_id

# A car's device goes only after the account listed its cars this often without it.
LISTINGS_BEFORE_REMOVAL: Final = 3
# Per entry: how many listings in a row each of its car devices was missing from.
_MISSING: HassKey[dict[str, dict[str, int]]] = HassKey(f"{DOMAIN}_missing_cars")


def car_devices(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> list[dr.DeviceEntry]:
    """The entry's devices of cars (not the account's own device)."""
    return [
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if (DOMAIN, str(entry.unique_id)) not in device.identifiers
    ]


def known_cars(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry) -> frozenset[str]:
    """The back end's ids of the cars the entry has devices for."""
    prefix = f"{entry.unique_id}:"
    return frozenset(
        identifier.removeprefix(prefix)
        for device in car_devices(hass, entry)
        for domain, identifier in device.identifiers
        if domain == DOMAIN and identifier.startswith(prefix)
    )


def async_note_listing(
    hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, vehicles: Iterable[Vehicle]
) -> None:
    """Count the listing, and remove the devices of cars it has long been missing.

    An account that had cars and lists none is taken as a passing fault
    (``ConfigEntryNotReady``) until it has said so several times in a row.
    """
    listed = {vehicle_unique_id(entry, vehicle) for vehicle in vehicles}
    devices = car_devices(hass, entry)
    missing = hass.data.setdefault(_MISSING, {}).setdefault(entry.entry_id, {})
    gone: list[dr.DeviceEntry] = []
    for device in devices:
        identifiers = {identifier for _domain, identifier in device.identifiers}
        if identifiers & listed:
            missing.pop(device.id, None)
            continue
        missing[device.id] = missing.get(device.id, 0) + 1
        if missing[device.id] >= LISTINGS_BEFORE_REMOVAL:
            gone.append(device)
    if devices and not listed and len(gone) < len(devices):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="no_vehicles_listed")
    registry = dr.async_get(hass)
    for device in gone:
        registry.async_remove_device(device.id)
        missing.pop(device.id, None)


def async_rekey(hass: HomeAssistant, entry: ConnectedVehicleConfigEntry, unique_id: str) -> None:
    """Move the entry's device identifiers and entity unique ids to its new unique id.

    The entity ids stay, and with them the history and what the user set.
    """
    old = str(entry.unique_id)
    if unique_id == old:
        return

    def moved(identifier: str) -> str:
        return unique_id + identifier[len(old) :] if identifier.startswith(old) else identifier

    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        devices.async_update_device(
            device.id,
            new_identifiers={
                (domain, moved(identifier)) for domain, identifier in device.identifiers
            },
        )
    entities = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(entities, entry.entry_id):
        if entity.unique_id.startswith(old):
            entities.async_update_entity(entity.entity_id, new_unique_id=moved(entity.unique_id))
