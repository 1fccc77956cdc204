"""Volvo's error answers mapped onto the shared error hierarchy."""

from __future__ import annotations

import re
from typing import Final

from ..errors import (
    ApiKeyRefusedError,
    CommandFailedError,
    PermissionDeniedError,
    QuotaExhaustedError,
    VehicleApiError,
)
from ..http import Response, error_for_status
from ..models import CommandStatus

_QUOTA: Final = re.compile(r"out of call volume quota", re.IGNORECASE)
# The gateway's 401 for a key ("invalid VCC-API-KEY"); a refused token's 401 says nothing of it.
_BAD_KEY: Final = re.compile(r"VCC-API-KEY", re.IGNORECASE)
_REPLENISHED: Final = re.compile(r"replenished in (?:(\d+)\.)?(\d+):(\d{2}):(\d{2})")
_MAX_DIGITS: Final = 9  # more is longer than any wait QuotaExhaustedError keeps
_MAX_MESSAGE: Final = 200


def server_message(response: Response) -> str | None:
    """The message of an error body (Volvo's ``error.message`` or the gateway's ``message``)."""
    body = response.json_object()
    error = body.get("error")
    parts = (
        [error.get("message"), error.get("description")]
        if isinstance(error, dict)
        else [body.get("message")]
    )
    message = " - ".join(str(part) for part in parts if isinstance(part, str) and part)
    return message[:_MAX_MESSAGE] or None


def _count(digits: str | None) -> int:
    """A count of days, hours, ...: exact up to nine digits, a billion beyond."""
    digits = (digits or "").lstrip("0")
    return int(digits or "0") if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def quota_wait(text: str) -> float | None:
    """Seconds until the quota replenishes, from "... replenished in [D.]HH:MM:SS".

    Computed on integers, so any number of digits is read without overflow;
    QuotaExhaustedError bounds the result to a day.
    """
    match = _REPLENISHED.search(text)
    if match is None:
        return None
    days, hours, minutes, seconds = (_count(group) for group in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def error_for(response: Response) -> VehicleApiError:
    """Volvo specifics on top of the generic mapping.

    A used-up API key quota is a 403 from the gateway: it is a rate limit with
    a known end, never an authentication or permission problem. A refused API
    key is a 401 naming the key, told apart from a refused token. 422 on a
    command means the car does not support it.
    """
    status, rid = response.status, response.request_id
    message = server_message(response)
    text = f"{response.path}: HTTP {status}" + (f" ({message})" if message else "")
    if status == 403 and _QUOTA.search(response.text):
        return QuotaExhaustedError(
            f"{response.path}: Volvo API key quota used up",
            retry_after=quota_wait(response.text),
            status=status,
            request_id=rid,
        )
    if status == 403:
        return PermissionDeniedError(text, status=status, request_id=rid)
    if status == 401 and _BAD_KEY.search(message or ""):
        return ApiKeyRefusedError(text, status=status, request_id=rid)
    if status == 422 and "/commands/" in response.path:
        return CommandFailedError(CommandStatus.NOT_SUPPORTED, text, status=status, request_id=rid)
    error = error_for_status(response)
    if message:
        error.args = (text,)
    return error
