"""LwM2M bootstrap server: provisions management server accounts (URI, security mode, PSK) and
APN profiles into devices that know only the bootstrap server."""

from .config import ApnAuthentication, ApnProfile, BootstrapConfig, SecurityMode, ServerAccount
from .server import DEFAULT_BOOTSTRAP_PORT, BootstrapCompleted, BootstrapEvent, BootstrapFailed, Lwm2mBootstrapServer

__all__ = [
    "DEFAULT_BOOTSTRAP_PORT",
    "ApnAuthentication",
    "ApnProfile",
    "BootstrapCompleted",
    "BootstrapConfig",
    "BootstrapEvent",
    "BootstrapFailed",
    "Lwm2mBootstrapServer",
    "SecurityMode",
    "ServerAccount",
]
