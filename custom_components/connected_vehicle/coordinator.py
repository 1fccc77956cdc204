"""One coordinator per vehicle: polls its due data groups and runs its commands."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api.backend import Backend
from .api.errors import (
    AuthenticationError,
    CommandFailedError,
    RateLimitedError,
    VehicleApiError,
)
from .api.models import Command, DataGroup, Vehicle, VehicleState
from .const import ACTIVE_AFTER_CHANGE_SECONDS, DOMAIN
from .polling import COMMAND_GROUPS, PollPlan, is_in_use, openings_changed

_LOGGER = logging.getLogger(__name__)


@dataclass
class RuntimeData:
    """What a loaded entry holds: the account's client and one coordinator per car."""

    backend: Backend
    coordinators: dict[str, VehicleCoordinator] = field(default_factory=dict)


type ConnectedVehicleConfigEntry = ConfigEntry[RuntimeData]


class VehicleCoordinator(DataUpdateCoordinator[VehicleState]):
    """Keeps one car's state: fetches only the groups that are due."""

    config_entry: ConnectedVehicleConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConnectedVehicleConfigEntry,
        backend: Backend,
        vehicle: Vehicle,
        plan: PollPlan,
    ) -> None:
        """Start with every group due."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {vehicle.name}",
            update_interval=timedelta(minutes=1),
            always_update=False,
        )
        self.vehicle = vehicle
        self._backend = backend
        self._plan = plan
        self._active_until: datetime | None = None

    def is_active(self, now: datetime, state: VehicleState | None) -> bool:
        """Active while in use, or for a while after a command or a change at the car."""
        recently = self._active_until is not None and now < self._active_until
        return recently or (state is not None and is_in_use(state))

    async def _async_update_data(self) -> VehicleState:
        now = dt_util.utcnow()
        previous = self.data
        groups = (
            set(DataGroup)
            if previous is None
            else self._plan.due(now, self.is_active(now, previous))
        )
        groups &= set(self.vehicle.capabilities)
        fresh = await self._fetch(groups) if groups else VehicleState()
        self._plan.mark_fetched(groups, now)
        state = fresh if previous is None else previous.merged(fresh)
        if previous is not None and openings_changed(previous, state):
            self._mark_active(now)
        self.update_interval = self._plan.next_delay(now, self.is_active(now, state))
        return state

    async def _fetch(self, groups: set[DataGroup]) -> VehicleState:
        try:
            return await self._backend.fetch(self.vehicle, groups)
        except AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except RateLimitedError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=err.retry_after,
            ) from err
        except VehicleApiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err

    async def async_invoke(self, command: Command) -> None:
        """Run a command, raise a translated error unless it succeeded, then refresh what it touched."""
        try:
            await self._backend.invoke(self.vehicle, command)
        except CommandFailedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=f"command_{err.command_status}",
                translation_placeholders={"command": command.value},
            ) from err
        except AuthenticationError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except VehicleApiError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_error",
                translation_placeholders={"command": command.value, "error": str(err)},
            ) from err
        self._mark_active(dt_util.utcnow())
        await self.async_refresh_groups(COMMAND_GROUPS.get(command, frozenset()))

    async def async_refresh_groups(self, groups: Iterable[DataGroup]) -> None:
        """Fetch these groups now, whatever their schedule says."""
        self._plan.expire(groups)
        await self.async_refresh()

    def _mark_active(self, now: datetime) -> None:
        self._active_until = now + timedelta(seconds=ACTIVE_AFTER_CHANGE_SECONDS)
