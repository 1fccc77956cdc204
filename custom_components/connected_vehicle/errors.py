"""One translation of the api's errors into what Home Assistant shows.

Every place that calls a back end (set-up, polling, commands, the config
flow) asks ``classify`` what an error means and ``home_assistant_error`` for
the exception to raise, so a kind of failure reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api.errors import (
    ApiKeyRefusedError,
    AuthenticationError,
    BackendUnavailableError,
    CommandFailedError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitedError,
    UntrustedCertificateError,
    VehicleApiError,
)
from .api.models import Command
from .const import DOMAIN


class Phase(StrEnum):
    """Where an error met Home Assistant."""

    SETUP = "setup"
    POLL = "poll"
    COMMAND = "command"


# The translation key of a failure no specific key describes, per phase.
_GENERIC = {
    Phase.SETUP: "setup_failed",
    Phase.POLL: "update_failed",
    Phase.COMMAND: "command_error",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """What an api error means to Home Assistant."""

    # The exception's translation key, where the failure has one of its own.
    key: str | None
    # The config flow's form error.
    form_error: str
    # The back end refused the credentials: the user must sign in again.
    refused: bool = False
    # The repair issue the failure raises while it lasts.
    issue: str | None = None


def classify(err: VehicleApiError) -> Failure:
    """What ``err`` means: its translation key, form error, reauth and repair issue."""
    if isinstance(err, AuthenticationError):
        return Failure("auth_failed", "invalid_auth", refused=True)
    if isinstance(err, ApiKeyRefusedError):
        return Failure("api_key_refused", "invalid_api_key", issue="api_key_refused")
    if isinstance(err, QuotaExhaustedError):
        return Failure("quota_exhausted", "rate_limited", issue="quota_exhausted")
    if isinstance(err, RateLimitedError):
        return Failure("rate_limited", "rate_limited")
    if isinstance(err, PermissionDeniedError):
        return Failure(None, "unknown", issue="permission_denied")
    if isinstance(err, CommandFailedError):
        return Failure(f"command_{err.command_status}", "unknown")
    if isinstance(err, UntrustedCertificateError):
        return Failure(None, "certificate_not_trusted")
    if isinstance(err, BackendUnavailableError):
        return Failure(None, "cannot_connect")
    return Failure(None, "unknown")


def retry_after(err: VehicleApiError) -> float | None:
    """How long the back end asked to wait, when it did."""
    return err.retry_after if isinstance(err, RateLimitedError) else None


def home_assistant_error(
    err: VehicleApiError, phase: Phase, *, command: Command | None = None
) -> HomeAssistantError:
    """The exception Home Assistant expects for ``err`` at set-up, in a poll or a command."""
    failure = classify(err)
    if failure.refused and phase is not Phase.COMMAND:
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")
    placeholders = {"error": str(err)}
    if phase is Phase.COMMAND:
        placeholders["command"] = command.value if command is not None else ""
    key = failure.key or _GENERIC[phase]
    if phase is Phase.COMMAND and not (failure.refused or key.startswith("command_")):
        key = _GENERIC[phase]  # a quota or rate limit reads as the command's failure
    if phase is Phase.SETUP:
        return ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
    if phase is Phase.POLL:
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
            retry_after=retry_after(err),
        )
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
