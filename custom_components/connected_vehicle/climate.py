"""Climatization (pre-conditioning) of cars that can start and stop it remotely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import ClimateEntityFeature, HVACMode
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import readings
from .api.models import Command
from .coordinator import ConnectedVehicleConfigEntry, VehicleCoordinator
from .entity import VehicleEntity, VehicleEntityDescription, add_entities_when_reported

PARALLEL_UPDATES = 1
# A car that does not report climatization runs it for about this long after a start.
ASSUMED_RUNTIME = timedelta(minutes=30)


@dataclass(frozen=True, kw_only=True)
class VehicleClimateDescription(VehicleEntityDescription, ClimateEntityDescription):
    """Climatization, fed by the ``climate_on`` reading when the car reports one."""


CLIMATE = VehicleClimateDescription(
    key=readings.CLIMATE_ON,
    translation_key="climatization",
    commands=frozenset({Command.CLIMATE_START, Command.CLIMATE_STOP}),
    reads=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectedVehicleConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add climatization to each car that accepts its start and stop."""
    add_entities_when_reported(entry, async_add_entities, (CLIMATE,), VehicleClimate)


class VehicleClimate(VehicleEntity, ClimateEntity):
    """On or off. The car's report wins; without one, the last command is assumed.

    No target temperature: no back end takes one (Volvo's climatization-start has
    no body, Stellantis's airConditioning only ``immediate`` and ``programs``, OVMS's
    climate command only on or off).
    """

    entity_description: VehicleClimateDescription
    _attr_supported_features = ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _started_until: datetime | None = None

    def __init__(
        self, coordinator: VehicleCoordinator, description: VehicleClimateDescription
    ) -> None:
        """Off and on (heating or cooling as the car decides)."""
        super().__init__(coordinator, description)
        self._attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT_COOL]

    @property
    def assumed_state(self) -> bool:
        """True when the car does not report whether it is climatizing."""
        return not isinstance(self._reported, bool)

    @property
    def hvac_mode(self) -> HVACMode:
        """Heating/cooling while climatizing, else off."""
        reported = self._reported
        if isinstance(reported, bool):
            on = reported
        else:
            on = self._started_until is not None and dt_util.utcnow() < self._started_until
        return HVACMode.HEAT_COOL if on else HVACMode.OFF

    @property
    def current_temperature(self) -> float | None:
        """The cabin temperature, when the car reports it."""
        value = self.coordinator.data.value(readings.TEMPERATURE_CABIN)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Start or stop climatization."""
        if hvac_mode == HVACMode.OFF:
            await self.async_turn_off()
        else:
            await self.async_turn_on()

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start climatization."""
        await self.async_run(Command.CLIMATE_START)
        self._started_until = dt_util.utcnow() + ASSUMED_RUNTIME
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop climatization."""
        await self.async_run(Command.CLIMATE_STOP)
        self._started_until = None
        self.async_write_ha_state()

    @property
    def _reported(self) -> object:
        return self.coordinator.data.value(readings.CLIMATE_ON)
