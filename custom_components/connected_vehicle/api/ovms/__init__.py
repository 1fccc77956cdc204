"""OVMS v3 server back end: the REST API client and the protocol v2 live link."""

from .account import OvmsAccount
from .app_commands import CarCommandError, ChargeMode, CommandCode, CommandReply, vehicle_commands
from .app_messages import ModuleInfo
from .app_session import AppEndpoint, sign_in
from .car_stream import LiveUpdate
from .client import DEFAULT_SERVER_URL, OvmsClient, new_request_budget
from .connection import LinkSettings, LinkState, LinkStatus
from .live import OvmsLiveLink

__all__ = [
    "DEFAULT_SERVER_URL",
    "AppEndpoint",
    "CarCommandError",
    "ChargeMode",
    "CommandCode",
    "CommandReply",
    "LinkSettings",
    "LinkState",
    "LinkStatus",
    "LiveUpdate",
    "ModuleInfo",
    "OvmsAccount",
    "OvmsClient",
    "OvmsLiveLink",
    "new_request_budget",
    "sign_in",
    "vehicle_commands",
]
