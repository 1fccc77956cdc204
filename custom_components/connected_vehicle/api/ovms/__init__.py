"""OVMS v3 server REST API back end."""

from .client import DEFAULT_SERVER_URL, OvmsClient, new_request_budget

__all__ = ["DEFAULT_SERVER_URL", "OvmsClient", "new_request_budget"]
