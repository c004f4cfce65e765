"""What a server operation raises when it cannot give the caller a result.

Every operation on a device raises one of these, or CodecError (a ValueError) when the caller's
own arguments cannot be encoded. A driver can catch Lwm2mServerError for "the device did not do
it" and tell the cases apart by type.
"""

from __future__ import annotations


class Lwm2mServerError(Exception):
    """Base of every failure the server reports about a device or a request to it."""


class UnknownDevice(Lwm2mServerError):
    """No registration for this endpoint name (never registered, de-registered or expired)."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(f"no LwM2M device registered as {endpoint!r}")
        self.endpoint = endpoint


class DeviceError(Lwm2mServerError):
    """The device answered, with an error code ("4.04") or with something we cannot use.

    code is the CoAP response code in dotted form; message is the device's diagnostic payload
    when it sent one, or our own description.
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"device answered {code}" + (f": {message}" if message else ""))
        self.code = code
        self.message = message


class BadResponse(DeviceError):
    """A success code with a payload that does not decode (wrong or unknown content format,
    malformed bytes, values outside the requested path)."""


class DeviceUnreachable(Lwm2mServerError):
    """The request could not be delivered, or the registration ended while it was pending
    (ICMP error such as port unreachable, de-registered, expired, registered again)."""


class DeviceTimeout(Lwm2mServerError):
    """No answer within the request timeout (retransmissions included), the device stayed busy
    with earlier requests, or a held request waited longer than allowed for a sleeping device."""


class QueueFull(Lwm2mServerError):
    """A queue-mode device already has the maximum number of requests waiting for it to wake."""
