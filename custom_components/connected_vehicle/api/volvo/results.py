"""Command answers: v2 ``invokeStatus`` at once, v1 ``async`` requests followed to the end."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from ..coerce import as_object, as_text
from ..models import CommandStatus

# Statuses a v1 request passes through before its final one.
PENDING: Final = frozenset({"WAITING", "RUNNING", "SENT", "QUEUED", "ACCEPTED"})
STATUSES: Final = MappingProxyType(
    {
        "COMPLETED": CommandStatus.SUCCESS,
        "SUCCESS": CommandStatus.SUCCESS,
        "DELIVERED": CommandStatus.SUCCESS,
        "VEHICLE_IN_SLEEP": CommandStatus.ASLEEP,
        "VEHICLE_IN_SLEEP_MODE": CommandStatus.ASLEEP,
        "CAR_IN_SLEEP_MODE": CommandStatus.ASLEEP,
        "UNABLE_TO_LOCK_DOOR_OPEN": CommandStatus.DOOR_OPEN,
        "UNLOCK_TIME_FRAME_PASSED": CommandStatus.UNLOCK_WINDOW_PASSED,
        "TIMEOUT": CommandStatus.TIMEOUT,
        "VEHICLE_REQUEST_TIMEOUT": CommandStatus.TIMEOUT,
        "VEHICLE_RESPONSE_TIMEOUT": CommandStatus.TIMEOUT,
        "DELIVERY_TIMEOUT": CommandStatus.TIMEOUT,
        "CAR_TIMEOUT": CommandStatus.TIMEOUT,
        "EXPIRED": CommandStatus.TIMEOUT,
        "CONNECTION_FAILURE": CommandStatus.UNREACHABLE,
        "NOT_SUPPORTED": CommandStatus.NOT_SUPPORTED,
    }
)


@dataclass(frozen=True, slots=True)
class InvokeAnswer:
    """What a command answer says: its status, a message, and where to follow it (v1)."""

    status: str | None
    message: str | None = None
    href: str | None = None

    @property
    def pending(self) -> bool:
        """Tell whether the final status is still to come."""
        return self.status is None or self.status in PENDING


def command_status(status: str | None) -> CommandStatus:
    """Our status for Volvo's; anything unknown is a rejection."""
    return STATUSES.get((status or "").upper(), CommandStatus.REJECTED)


def parse_invoke(raw: Any) -> InvokeAnswer:
    """A v2 ``{data: {invokeStatus, message}}``, v1 ``{async: {status, href}}`` or request details."""
    payload = as_object(raw, "command answer")
    data = payload.get("data")
    data = data if isinstance(data, dict) else {}
    pending = payload.get("async", data.get("async"))
    if isinstance(pending, dict):
        return InvokeAnswer(
            _upper(pending.get("status")),
            as_text(pending.get("message")),
            as_text(pending.get("href")),
        )
    status = _upper(data.get("invokeStatus")) or _upper(data.get("status"))
    return InvokeAnswer(status, as_text(data.get("message")))


def _upper(raw: Any) -> str | None:
    text = as_text(raw)
    return text.upper() if text else None
