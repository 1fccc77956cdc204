"""The contract every back-end client fulfils."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
import logging
from typing import Any, Protocol, runtime_checkable

from .errors import AuthenticationError
from .models import Command, CommandArguments, CommandResult, DataGroup, Vehicle, VehicleState

_LOGGER = logging.getLogger(__name__)


class Backend(Protocol):
    """An account at one back end: its cars, their state, their commands."""

    async def vehicles(self) -> list[Vehicle]:
        """The account's cars, with what each can report and do."""

    async def fetch(self, vehicle: Vehicle, groups: set[DataGroup]) -> VehicleState:
        """A partial snapshot holding the requested groups."""

    async def invoke(
        self, vehicle: Vehicle, command: Command, arguments: CommandArguments | None = None
    ) -> CommandResult:
        """Run a command; raises CommandFailedError when it does not succeed."""

    async def logout(self) -> None:
        """Release what the account holds on the server (sessions)."""


@runtime_checkable
class ReportsDeniedAccess(Protocol):
    """A back end that tells what the account may not read for a car (HTTP 403).

    Such a refusal is a missing permission (a scope the sign-in lacks), not a
    missing feature of the car: the glue raises a repair issue while a car's
    set is not empty, and the other readings keep coming.
    """

    def denied(self, vehicle: Vehicle) -> frozenset[str]:
        """Names of what the account may not read for ``vehicle`` (e.g. ``windows``)."""


class TokenProvider(Protocol):
    """Hands out a valid OAuth2 access token, refreshing it when needed.

    In Home Assistant this wraps the config entry's OAuth2Session; tests may
    pass any object with this method. Raises AuthenticationError when the
    grant is gone (the user must sign in again).
    """

    async def access_token(self) -> str:
        """A currently valid access token."""

    async def refreshed_token(self, refused: str) -> str:
        """A new access token, the API having refused ``refused`` though it had not expired.

        Refreshes only if ``refused`` is still the current token (so callers
        refused at once share one refresh); AuthenticationError when the grant
        is gone.
        """


async def with_access_token[T](tokens: TokenProvider, send: Callable[[str], Awaitable[T]]) -> T:
    """``send`` with the current access token, and once more with a fresh one if refused.

    An OAuth2 API may drop an access token before the expiry it announced: a
    refused token (AuthenticationError from ``send``) is refreshed once; only a
    second refusal, or a refused refresh, is the user's to fix (reauth).
    """
    token = await tokens.access_token()
    try:
        return await send(token)
    except AuthenticationError as err:
        refused = err
    _LOGGER.debug("The access token was refused; refreshing it once")
    try:
        token = await tokens.refreshed_token(token)
    except AuthenticationError as err:
        raise refused from err  # the API's refusal, with its request id
    return await send(token)


@runtime_checkable
class PushesCommandResults(Protocol):
    """A back end whose cloud posts command results to a webhook the client named."""

    def deliver(self, payload: Any) -> None:
        """Take one posted body; raises ProtocolError when it is not a result."""


@runtime_checkable
class CountsCalls(Protocol):
    """A back end whose calls count against a daily quota."""

    @property
    def calls_today(self) -> int:
        """Calls made today against the quota."""

    @property
    def counter_id(self) -> str:
        """Names the counter (shared by every client of one key); no secret in it."""

    def counted(self) -> tuple[int, int]:
        """The day (days since 1970, UTC) and the calls counted on it, to be kept."""

    def restore(self, day: int, calls: int) -> None:
        """Count on from a kept count (ignored when it is of another day)."""


@runtime_checkable
class StreamsUpdates(Protocol):
    """A back end whose cars push their news over a live link, besides being polled."""

    def stream(
        self, vehicles: Iterable[Vehicle], on_news: Callable[[str, VehicleState], None]
    ) -> None:
        """Keep links up for these cars; ``on_news(vehicle_id, state)`` hears each news.

        The ``live_link`` reading tells when a car's link goes up or down.
        """

    def is_streaming(self, vehicle_id: str) -> bool:
        """Whether the car's link is up now."""

    def link_details(self, vehicle_id: str) -> dict[str, Any]:
        """The car's link as diagnostics show it (state, since, last message, count)."""


@runtime_checkable
class SharesABudget(Protocol):
    """A back end whose cars share a request budget: a fetch may leave groups for later."""

    def postponed(self, vehicle: Vehicle) -> frozenset[DataGroup]:
        """The groups the car's last fetch left out; they stay due."""

    def prefer(self, vehicle: Vehicle, frequent: bool) -> None:
        """Whether the car's next fetch is a frequent one (every group at its active interval).

        Frequent fetches come after those that keep every car within its parked interval.
        """
