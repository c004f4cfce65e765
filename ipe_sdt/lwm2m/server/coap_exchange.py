"""One request to a device over aiocoap, bounded in time and with failures mapped to ours.

aiocoap gives up on a Confirmable request only after MAX_TRANSMIT_WAIT (93 s with RFC 7252
defaults) and reports the reasons as its own exception types. Every request here has a deadline
of its own, ends early when the registration it was sent for ends, and raises DeviceTimeout,
DeviceUnreachable or (for the device's own error answers) nothing: the caller reads the code.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiocoap import Message
from aiocoap import error as coap_error
from aiocoap.numbers.constants import TransportTuning

from .errors import DeviceTimeout, DeviceUnreachable
from .udp_bind import display_host


class Tuning(TransportTuning):
    """Retransmission parameters for requests to devices (RFC 7252 defaults unless set)."""

    def __init__(self, ack_timeout: float = 2.0, max_retransmit: int = 4) -> None:
        super().__init__()
        self.ACK_TIMEOUT = ack_timeout
        self.MAX_RETRANSMIT = max_retransmit


def code_text(code: Any) -> str:
    """"4.04" for a CoAP code."""
    number = int(code)
    return f"{number >> 5}.{number & 0x1F:02d}"


def remote_address(remote: Any) -> tuple[str, int]:
    """(host, port) of an aiocoap UDP remote, v4-mapped hosts shown as IPv4."""
    sockaddr = getattr(remote, "sockaddr", None)
    if isinstance(sockaddr, tuple) and len(sockaddr) >= 2:
        return display_host(str(sockaddr[0])), int(sockaddr[1])
    hostinfo = str(getattr(remote, "hostinfo", ""))
    host, _, port = hostinfo.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else 0


def diagnostic(response: Message) -> str:
    """The diagnostic payload of an error response, as printable text (bounded)."""
    text = bytes(response.payload[:200]).decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)


def tuning_for(timeout: float, ack_timeout: float, max_retransmit: int) -> Tuning:
    """Retransmission parameters under which a Confirmable exchange ends within timeout.

    aiocoap cannot withdraw a Confirmable message once sent: it retransmits until acknowledged
    or until MAX_TRANSMIT_WAIT, keeps later messages to the same peer waiting (NSTART 1), and
    then fails every request to that peer. So the retransmissions must give up by themselves
    within the time the caller is willing to wait: as many as fit (up to max_retransmit), and a
    shorter ACK_TIMEOUT when not even the first wait fits.
    """
    factor = TransportTuning.ACK_RANDOM_FACTOR
    if ack_timeout * factor > timeout:
        return Tuning(timeout / factor, 0)
    retransmit = 0
    while retransmit < max_retransmit and ack_timeout * (2 ** (retransmit + 2) - 1) * factor <= timeout:
        retransmit += 1
    return Tuning(ack_timeout, retransmit)


async def exchange(response: asyncio.Future[Message], timeout: float, ended: asyncio.Future[str]) -> Message:
    """The response (an aiocoap request's response future), or DeviceTimeout after timeout, or
    DeviceUnreachable when ended (the registration's end) completes first. The response future
    is left running in those cases: see tuning_for() for why it cannot be cut short."""
    done, _ = await asyncio.wait({response, ended}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if response in done:
        try:
            return response.result()
        except coap_error.ConRetransmitsExceeded:
            # The retransmissions are sized to end within timeout: this is "no answer in time".
            raise DeviceTimeout(f"no answer within {timeout:g} s (retransmissions exhausted)") from None
        except coap_error.TimeoutError as exc:
            raise DeviceTimeout(f"request timed out in the CoAP layer ({exc})") from None
        except (coap_error.Error, OSError) as exc:
            raise DeviceUnreachable(f"request failed: {type(exc).__name__}: {exc}") from None
    if ended.done():
        raise DeviceUnreachable(f"registration ended while the request was pending: {ended.result()}")
    raise DeviceTimeout(f"no answer within {timeout:g} s")


def settle_quietly(response: asyncio.Future[Message], then: Any = None) -> None:
    """Let an abandoned response future finish on its own; then() runs when it has."""

    def done(future: asyncio.Future[Message]) -> None:
        if not future.cancelled():
            future.exception()
        if then is not None:
            then()

    response.add_done_callback(done)
