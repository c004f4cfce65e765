"""Where an aiocoap server context binds, and making sure the port is really ours.

aiocoap's udp6 transport binds an AF_INET6 socket with IPV6_V6ONLY off and SO_REUSEPORT on. The
first means an IPv4 address must be written v4-mapped; the second means another socket could
bind the same port without error and silently receive part of the traffic (Linux even hands
the same ephemeral port to two such sockets). reserve_port() binds a plain socket first: it
fails where any socket already holds the port, and for port 0 it finds a free one; seal() then
clears SO_REUSEPORT on aiocoap's bound socket, so that nothing can join it later.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any

log = logging.getLogger(__name__)


def aiocoap_host(host: str) -> str:
    """The host string aiocoap's udp6 transport can bind: IPv4 literals become v4-mapped."""
    if host in ("", "0.0.0.0", "::"):
        return "::"
    if host == "localhost":
        return "::ffff:127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise OSError(f"bind address must be an IP address or 'localhost', not {host!r}") from None
    if isinstance(address, ipaddress.IPv4Address):
        return f"::ffff:{address}"
    return str(address)


def reserve_port(host: str, port: int) -> int:
    """Check that (host, port) is free for UDP and return the port (a free one for port 0).

    Raises OSError (EADDRINUSE) when another socket, with or without SO_REUSEPORT, holds it.
    """
    if not 0 <= port <= 65535:
        raise OSError(f"UDP port {port} is out of range")
    probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        probe.bind((aiocoap_host(host), port))
        return int(probe.getsockname()[1])
    finally:
        probe.close()


def display_host(host: str) -> str:
    """A socket address host without the ::ffff: prefix of v4-mapped addresses."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return host


def udp6_interface(context: Any) -> Any:
    """aiocoap's udp6 message interface inside a context (it owns the socket)."""
    for token_manager in getattr(context, "request_interfaces", []):
        message_manager = getattr(token_manager, "token_interface", None)
        interface = getattr(message_manager, "message_interface", None)
        if interface is not None and hasattr(interface, "datagram_msg_received"):
            return interface
    raise RuntimeError("this aiocoap version has no udp6 transport in the context")


def seal(context: Any, receive_buffer: int | None = None) -> None:
    """Clear SO_REUSEPORT on the context's bound socket, so that no later socket may share its
    port, and enlarge its receive buffer.

    A server socket takes bursts (a thousand Registers at power-up, a thousand answers to a read
    round); the default buffer (about 200 KiB, a few hundred datagrams with kernel overhead)
    drops the tail of such a burst, which then waits for CoAP retransmission. The kernel caps the
    size at net.core.rmem_max. Best effort: a newer aiocoap that arranges its internals
    differently only loses these tunings.
    """
    try:
        sock = udp6_interface(context).transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 0)
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    except (RuntimeError, AttributeError, OSError) as exc:
        log.warning("could not tune the server's UDP socket: %s", exc)
