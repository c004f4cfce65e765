"""LwM2M server: registration interface and device management over CoAP/UDP (aiocoap).

What an IPE driver uses:

    Lwm2mServer(host, port, config=ServerConfig(...))   start() / stop() / async with
    devices(), device(endpoint) -> Device                   the registry (snapshots)
    subscribe(callback), stream()                           DeviceRegistered, DeviceUpdated,
                                                            DeviceDeregistered, DeviceExpired,
                                                            NotificationReceived, ObservationEnded
    read, write, execute, create, delete, discover, write_attributes, observe, cancel_observe

Failures: UnknownDevice, DeviceError(code, message), BadResponse, DeviceUnreachable,
DeviceTimeout, QueueFull (all Lwm2mServerError), and CodecError for unencodable arguments.
"""

from .config import DEFAULT_PORT, ServerConfig
from .device import Device, DeviceState
from .errors import (
    BadResponse,
    DeviceError,
    DeviceTimeout,
    DeviceUnreachable,
    Lwm2mServerError,
    QueueFull,
    UnknownDevice,
)
from .events import (
    DeviceDeregistered,
    DeviceExpired,
    DeviceRegistered,
    DeviceUpdated,
    Event,
    EventStream,
    NotificationReceived,
    ObservationEnded,
)
from .execute_args import format_execute_args, parse_execute_args
from .registration_query import RegisterParams
from .results import Observation, ReadResult
from .server import Lwm2mServer

__all__ = [
    "DEFAULT_PORT",
    "BadResponse",
    "Device",
    "DeviceDeregistered",
    "DeviceError",
    "DeviceExpired",
    "DeviceRegistered",
    "DeviceState",
    "DeviceTimeout",
    "DeviceUnreachable",
    "DeviceUpdated",
    "Event",
    "EventStream",
    "Lwm2mServer",
    "Lwm2mServerError",
    "NotificationReceived",
    "Observation",
    "ObservationEnded",
    "QueueFull",
    "ReadResult",
    "RegisterParams",
    "ServerConfig",
    "UnknownDevice",
    "format_execute_args",
    "parse_execute_args",
]
