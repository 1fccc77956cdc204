"""The OVMS v3 server back end."""

from .backend import OvmsBackend

__all__ = ["OvmsBackend"]
