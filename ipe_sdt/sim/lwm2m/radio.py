"""The radio of a simulated device: while it is off, datagrams that reach the socket are lost.

A queue-mode device sleeps with its radio off, and a device that "does not answer" is one whose
radio never hears the request. aiocoap has no notion of either, so the gate sits where the
socket hands datagrams to aiocoap's udp6 transport (its datagram_msg_received callback, looked
up per call by the recvmsg transport). Sending is unaffected: the device decides when to talk.
"""

from __future__ import annotations

from typing import Any

from ipe_sdt.lwm2m.server.udp_bind import display_host, udp6_interface


class Radio:
    def __init__(self, context: Any) -> None:
        self.on = True
        self.dropped = 0
        self._interface = udp6_interface(context)
        original = self._interface.datagram_msg_received

        def gated(data: bytes, ancdata: Any, flags: int, address: Any) -> None:
            if self.on:
                original(data, ancdata, flags, address)
            else:
                self.dropped += 1

        self._interface.datagram_msg_received = gated

    def bind(self, host: str) -> None:
        """Bind the (not yet used) socket to host and a fresh ephemeral port, without
        SO_REUSEPORT, so that no other socket can share the port."""
        self._interface.transport.get_extra_info("socket").bind((host, 0))

    @property
    def local_port(self) -> int:
        """The device's UDP port (0 until its first message bound the socket)."""
        sock = self._interface.transport.get_extra_info("socket")
        return int(sock.getsockname()[1])

    @property
    def local_host(self) -> str:
        sock = self._interface.transport.get_extra_info("socket")
        return display_host(str(sock.getsockname()[0]))
