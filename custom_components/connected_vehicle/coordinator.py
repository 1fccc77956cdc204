"""One coordinator per vehicle: polls its due data groups and runs its commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import logging
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import readings
from .api.backend import Backend, ReportsDeniedAccess, SharesABudget
from .api.errors import CommandFailedError, VehicleApiError
from .api.models import (
    Command,
    CommandArguments,
    CommandStatus,
    DataGroup,
    Reading,
    Value,
    Vehicle,
    VehicleState,
)
from .const import CONF_ALLOW_WAKE_UP, CONF_WAKE_UP_LIMIT, DEFAULT_WAKE_UP_LIMIT, DOMAIN
from .errors import Phase, classify, home_assistant_error, retry_after
from .polling import COMMAND_GROUPS, FAILURE_GROUPS, MIN_DELAY, PollPlan, VehiclePoller
from .providers import Provider

_LOGGER = logging.getLogger(__name__)


# What Home Assistant's coordinator logs, once, when a poll fails with UpdateFailed or a
# timeout: for a cloud that comes and goes a warning, not an error. An unexpected
# exception ("Unexpected error fetching ...", with its traceback) stays an error.
OUTAGE_MESSAGES: Final = frozenset(
    {"Error fetching %s data: %s", "Error requesting %s data: %s", "Timeout fetching %s data"}
)


def _outage_is_a_warning(record: logging.LogRecord) -> bool:
    """Log a passing outage as a warning (Home Assistant logs it as an error)."""
    if record.levelno == logging.ERROR and record.msg in OUTAGE_MESSAGES:
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
    return True


_LOGGER.addFilter(_outage_is_a_warning)
# Home Assistant counts a refresh's interval from its end and starts the next one up to
# half a second late (its stagger), and an answer takes a moment: the next refresh is
# asked for this much sooner, so that the car's data is never older than its interval.
LATE_START = timedelta(seconds=1)


def next_interval(started: datetime, delay: timedelta, now: datetime) -> timedelta:
    """Home Assistant's interval (from ``now``) to start the next refresh ``delay`` after ``started``."""
    return max(delay - (now - started) - LATE_START, min(delay, MIN_DELAY))


# Repair issues a poll raises and a successful poll clears.
ISSUES = ("quota_exhausted", "permission_denied", "api_key_refused")

# What a command's success says the car now reports: shown at once, before the refresh
# that confirms it (and wins where it disagrees).
COMMAND_READINGS: Final[Mapping[Command, Mapping[str, Value]]] = {
    Command.LOCK: {readings.CENTRAL_LOCK: True},
    Command.LOCK_REDUCED_GUARD: {readings.CENTRAL_LOCK: True},
    Command.UNLOCK: {readings.CENTRAL_LOCK: False},
    Command.CLIMATE_START: {readings.CLIMATE_ON: True},
    Command.CLIMATE_STOP: {readings.CLIMATE_ON: False},
    Command.CHARGE_START: {readings.CHARGING: True},
    Command.CHARGE_STOP: {readings.CHARGING: False},
}


@dataclass
class RuntimeData:
    """What a loaded entry holds: its provider, the account's client, a coordinator per car."""

    provider: Provider
    backend: Backend
    coordinators: dict[str, VehicleCoordinator] = field(default_factory=dict)


type ConnectedVehicleConfigEntry = ConfigEntry[RuntimeData]


def issue_id(entry: ConfigEntry, key: str) -> str:
    """The id of the entry's repair issue of this kind."""
    return f"{key}_{entry.entry_id}"


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
        *,
        limits_wake_ups: bool = False,
        stamps_tell_visits: bool = True,
    ) -> None:
        """Start with every group due; ``limits_wake_ups``: wake-ups follow the options.

        ``stamps_tell_visits``: see ``VehiclePoller``.
        """
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
        self.poller = VehiclePoller(
            plan, vehicle.capabilities, stamps_tell_visits=stamps_tell_visits
        )
        self._limits_wake_ups = limits_wake_ups
        self._wake_ups: list[date] = []
        self._refresh_callbacks: list[CALLBACK_TYPE] = []

    @callback
    def async_add_refresh_listener(self, refresh_callback: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``refresh_callback`` after every refresh, even one that changed nothing.

        Listeners added with ``async_add_listener`` only hear of changed states
        (``always_update=False``); the calls counter must count every poll.
        """
        self._refresh_callbacks.append(refresh_callback)

        @callback
        def remove() -> None:
            self._refresh_callbacks.remove(refresh_callback)

        return remove

    @callback
    def _async_refresh_finished(self) -> None:
        super()._async_refresh_finished()
        for refresh_callback in list(self._refresh_callbacks):
            refresh_callback()

    async def _async_update_data(self) -> VehicleState:
        now = dt_util.utcnow()
        previous = self.data
        groups = self.poller.due(now, previous)
        postponed: frozenset[DataGroup] = frozenset()
        if groups and isinstance(self._backend, SharesABudget):
            self._backend.prefer(self.vehicle, self.poller.frequent(now, previous, groups))
        fresh = await self._fetch(groups) if groups else VehicleState()
        if groups and isinstance(self._backend, SharesABudget):
            postponed = self._backend.postponed(self.vehicle)
        state = self._facts().merged(fresh) if previous is None else previous.merged(fresh)
        delay = self.poller.fetched(groups - postponed, now, previous, state)
        self.update_interval = next_interval(now, delay, dt_util.utcnow())
        return state

    @callback
    def async_news(self, news: VehicleState, streaming: bool) -> None:
        """What the car pushed: shown at once; polling is a safety net while it streams."""
        now = dt_util.utcnow()
        state = self.data.merged(news)
        self.poller.streaming = streaming
        self.update_interval = next_interval(now, self.poller.observe(now, self.data, state), now)
        if not self.last_update_success:
            # The news ends an outage as a successful poll would: say so once, as the
            # poll would have (async_set_updated_data does not).
            self.logger.info("Fetching %s data recovered", self.name)
        self.async_set_updated_data(state)

    def _facts(self) -> VehicleState:
        """What the car's details say, shown like readings (battery capacity)."""
        capacity = self.vehicle.battery_capacity
        if capacity is None:
            return VehicleState()
        return VehicleState({readings.BATTERY_CAPACITY: Reading(capacity, "kWh")})

    async def _fetch(self, groups: set[DataGroup]) -> VehicleState:
        try:
            state = await self._backend.fetch(self.vehicle, groups)
        except VehicleApiError as err:
            if (issue := classify(err).issue) is not None:
                self._raise_issue(issue, retry_after(err))
            raise home_assistant_error(err, Phase.POLL) from err
        denied = (
            self._backend.denied(self.vehicle)
            if isinstance(self._backend, ReportsDeniedAccess)
            else frozenset()
        )
        for key in ISSUES:
            if key == "permission_denied" and denied:
                self._raise_issue(key, None)
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id(self.config_entry, key))
        return state

    def _raise_issue(self, key: str, retry_after: float | None) -> None:
        """Tell the user, once per entry, that polling waits for the back end."""
        until = dt_util.now() + timedelta(seconds=retry_after or 0)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(self.config_entry, key),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=key,
            translation_placeholders={
                "account": self.config_entry.title,
                "until": until.strftime("%H:%M"),
            },
        )

    async def async_invoke(
        self, command: Command, arguments: CommandArguments | None = None
    ) -> None:
        """Run a command, raise a translated error unless it succeeded, then refresh what it touched.

        A success shows what it implies at once; the refresh then confirms it.
        """
        if command not in self.vehicle.commands:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="command_unavailable",
                translation_placeholders={"command": command.value},
            )
        if command is Command.WAKE_UP and self._limits_wake_ups:
            self._spend_wake_up()
        try:
            await self._backend.invoke(self.vehicle, command, arguments)
        except VehicleApiError as err:
            if classify(err).refused:
                self.config_entry.async_start_reauth(self.hass)
            if isinstance(err, CommandFailedError) and err.command_status in FAILURE_GROUPS:
                await self.async_refresh_groups(FAILURE_GROUPS[CommandStatus(err.command_status)])
            raise home_assistant_error(err, Phase.COMMAND, command=command) from err
        self.poller.mark_active(dt_util.utcnow())
        self._show_success(command)
        await self.async_refresh_groups(COMMAND_GROUPS.get(command, frozenset()))

    @callback
    def _show_success(self, command: Command) -> None:
        """Show the readings a command's success implies, of those the car reports.

        A reading the car never reported is left out: nothing would ever correct it.
        """
        known = self.data.readings
        implied = {
            # Stamped as the car last reported it: the confirming poll brings its own stamp.
            key: Reading(value, known[key].unit, known[key].observed_at)
            for key, value in COMMAND_READINGS.get(command, {}).items()
            if key in known
        }
        state = self.data.merged(VehicleState(implied))
        if state != self.data:
            self.async_set_updated_data(state)

    def _spend_wake_up(self) -> None:
        """Allow a wake-up only when the options do, and at most the set number a day.

        Waking a parked car drains its 12 V battery, so it is off by default.
        """
        options = self.config_entry.options
        if not options.get(CONF_ALLOW_WAKE_UP, False):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="wake_up_off")
        today = dt_util.now().date()
        self._wake_ups = [day for day in self._wake_ups if day == today]
        limit = int(options.get(CONF_WAKE_UP_LIMIT, DEFAULT_WAKE_UP_LIMIT))
        if len(self._wake_ups) >= limit:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="wake_up_limit",
                translation_placeholders={"limit": str(limit)},
            )
        self._wake_ups.append(today)

    async def async_refresh_groups(self, groups: Iterable[DataGroup]) -> None:
        """Fetch these groups now, whatever their schedule says."""
        self.poller.expire(groups)
        await self.async_refresh()
