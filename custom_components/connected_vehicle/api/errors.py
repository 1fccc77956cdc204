"""The one error hierarchy every back-end client raises."""

from __future__ import annotations

import math
from typing import ClassVar, Final

# Every wait a back end asks for is kept inside these bounds (seconds): a
# shorter one would make a request storm, a longer one stop polling for good.
SHORTEST_WAIT: Final = 5.0
LONGEST_WAIT: Final = 3600.0
LONGEST_QUOTA_WAIT: Final = 86400.0  # a daily quota replenishes within a day


def bounded_wait(
    seconds: float | None, longest: float = LONGEST_WAIT, shortest: float = SHORTEST_WAIT
) -> float | None:
    """``seconds`` clamped to [shortest, longest]; None when unknown or not a number.

    Takes ints of any size (they compare exactly, without overflow), so a
    wait read from hostile text never becomes infinite or NaN.
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return None
    return float(min(max(seconds, shortest), longest))


class VehicleApiError(Exception):
    """Base of every error a client raises.

    Messages never contain secrets: no password, token, cookie or query string.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        """Keep the HTTP status and the request id for logs and diagnostics."""
        super().__init__(message)
        self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        """Append the request id so a log line can be traced on the server."""
        text = super().__str__()
        return f"{text} (request {self.request_id})" if self.request_id else text


class AuthenticationError(VehicleApiError):
    """Credentials were refused: the user must sign in again."""


class ApiKeyRefusedError(VehicleApiError):
    """The back end refused the application's API key (Volvo's VCC API key).

    Not an AuthenticationError: signing in again cannot fix it, only another
    key can (the glue points the user to Reconfigure).
    """


class PermissionDeniedError(VehicleApiError):
    """Signed in, but not allowed to read this resource (missing scope, foreign car)."""


class NotFoundError(VehicleApiError):
    """The resource does not exist or has no data."""


class RateLimitedError(VehicleApiError):
    """Too many calls; ``retry_after`` says how many seconds to wait, when known.

    Whatever a producer passes, ``retry_after`` is finite and bounded (see
    ``bounded_wait``), so no caller has to check it again.
    """

    longest_wait: ClassVar[float] = LONGEST_WAIT

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        """Keep the back end's advice on when to try again."""
        super().__init__(message, status=status, request_id=request_id)
        self.retry_after = bounded_wait(retry_after, self.longest_wait)
        self._asked = retry_after


class QuotaExhaustedError(RateLimitedError):
    """The account's (or API key's) daily call quota is spent.

    ``replenished_in`` is how long the quota stays spent (what to hold calls
    back for, at most a day, possibly 0); ``retry_after`` when to poll again
    (never sooner than SHORTEST_WAIT, so a quota that says "now" again and
    again cannot make a request storm).
    """

    longest_wait: ClassVar[float] = LONGEST_QUOTA_WAIT

    @property
    def replenished_in(self) -> float | None:
        """Seconds the quota stays spent, as the back end said (0 s to a day)."""
        return bounded_wait(self._asked, LONGEST_QUOTA_WAIT, shortest=0.0)


class VehicleAsleepError(VehicleApiError):
    """The car is asleep and did not answer."""


class CommandFailedError(VehicleApiError):
    """A command reached the back end but did not succeed."""

    def __init__(
        self,
        command_status: str,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        """Keep the back end's command status (e.g. ``not_supported``)."""
        super().__init__(message, status=status, request_id=request_id)
        self.command_status = command_status


class BackendUnavailableError(VehicleApiError):
    """The back end could not be reached or failed (5xx, timeout, connection)."""


class UntrustedCertificateError(BackendUnavailableError):
    """The server's TLS certificate is not trusted (self-signed, expired, another host's).

    Common for a home OVMS server; the user may turn certificate checks off
    for that server.
    """


class ProtocolError(VehicleApiError):
    """The back end answered something that cannot be understood."""
