"""UDP for the CoAP binding: aiocoap's udp6 transport and message layer, bound as a server must
be, strict at the door, and bounded in memory.

aiocoap's own server endpoint shares its port (SO_REUSEPORT), so a second CSE on the same
port would silently get half of the traffic; it ignores malformed datagrams without the Reset
that RFC 7252 asks for; it processes a datagram cut short by the receive buffer as if it were
whole; a string option that is not UTF-8 escapes its decoder; and its duplicate detection keeps
every response message object, with a timer each, for EXCHANGE_LIFETIME (247 s), which is
about 5 kB per request: 2.5 GB at 2000 requests a second. ``StrictUDP6`` fixes the first four at
the datagram level, ``BoundedMessageManager`` the last; everything else is aiocoap's.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import OrderedDict
from typing import Any, Callable

import aiocoap
from aiocoap import Message
from aiocoap.messagemanager import MessageManager
from aiocoap.numbers.codes import Code
from aiocoap.numbers.types import Type
from aiocoap.tokenmanager import TokenManager
from aiocoap.transports.udp6 import MessageInterfaceUDP6, UDP6EndpointAddress

# Set on a request whose datagram did not fit the receive buffer: its payload is incomplete.
TRUNCATED = "cse_truncated"

_RESERVED_CODE_CLASSES = (1, 6, 7)


def format_error(data: bytes) -> str | None:
    """Why ``data`` is not a well-formed CoAP message (RFC 7252 clause 3), or None."""
    if len(data) < 4:
        return "shorter than the 4-byte CoAP header"
    token_length = data[0] & 0x0F
    if token_length > 8:
        return f"token length {token_length} is reserved"
    if len(data) < 4 + token_length:
        return "the token is cut short"
    code = data[1]
    if code == 0:
        # An Empty message has nothing after the Message ID (clause 4.1).
        return "an Empty message carries a token, options or payload" if len(data) > 4 else None
    if code >> 5 in _RESERVED_CODE_CLASSES:
        return f"code class {code >> 5} is reserved"
    position = 4 + token_length
    while position < len(data):
        head = data[position]
        if head == 0xFF:
            return "a payload marker without payload" if position + 1 == len(data) else None
        delta, length = head >> 4, head & 0x0F
        if delta == 15 or length == 15:
            return "an option header uses the reserved value 15"
        position += 1
        for nibble in (delta, length):
            if nibble == 13:
                position += 1
            elif nibble == 14:
                position += 2
        if position > len(data):
            return "an option header is cut short"
        if length >= 13:
            extended = data[position - (2 if length == 14 else 1):position]
            length = int.from_bytes(extended, "big") + (13 if length == 13 else 269)
        position += length
        if position > len(data):
            return "an option value is cut short"
    return None


def _pktinfo(ancdata: list[tuple[int, int, bytes]]) -> bytes | None:
    for level, kind, data in ancdata:
        if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
            return data
    return None


class StrictUDP6(MessageInterfaceUDP6):
    """The udp6 message interface with an exclusive bind and RFC 7252 rejection rules.

    ``rejects_non`` says whether a decoded Non-confirmable request must be rejected (it has an
    option the binding cannot act on); a Confirmable one gets a 4.02 answer from the binding.
    """

    rejects_non: Callable[[Message], bool] = staticmethod(lambda message: False)

    @classmethod
    async def create_bound(
        cls, ctx: Any, log: logging.Logger, loop: asyncio.AbstractEventLoop, host: str, port: int,
        rejects_non: Callable[[Message], bool],
    ) -> "StrictUDP6":
        # AF_INET6 with v4-mapped addresses, as aiocoap's own sockets: one socket for both families.
        infos = socket.getaddrinfo(host, port, family=socket.AF_INET6, type=socket.SOCK_DGRAM,
                                   flags=socket.AI_V4MAPPED)
        if not infos:
            raise OSError(f"no address to bind for {host!r}")
        sock = socket.socket(family=socket.AF_INET6, type=socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sock.bind(infos[0][4])  # no SO_REUSEPORT: a taken port is an error, as for HTTP
            endpoint = await cls._create_transport_endpoint(sock, ctx, log, loop)
        except BaseException:
            sock.close()
            raise
        endpoint.rejects_non = rejects_non
        return endpoint

    @property
    def port(self) -> int:
        return self._local_port()

    def send_datagram(self, data: bytes, remote: UDP6EndpointAddress) -> None:
        """Send bytes already encoded (a stored response, sent again for a duplicate)."""
        ancdata = [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, remote.pktinfo)] if remote.pktinfo is not None else []
        self.transport.sendmsg(data, ancdata, 0, remote.sockaddr)

    def datagram_msg_received(self, data: bytes, ancdata: Any, flags: int, address: Any) -> None:
        try:
            self._receive(data, ancdata, flags, address)
        except Exception:
            # One datagram must never take the endpoint down with it.
            self.log.exception("datagram from %s could not be handled", address)

    def _receive(self, data: bytes, ancdata: Any, flags: int, address: Any) -> None:
        pktinfo = _pktinfo(ancdata)
        problem = format_error(data)
        message = None
        if problem is None:
            try:
                message = Message.decode(data, UDP6EndpointAddress(address, self, pktinfo=pktinfo))
            except Exception as exc:  # an option value its decoder refuses (non-UTF-8 Uri-Path, ...)
                problem = f"undecodable: {exc}"
        if message is None:
            self._reject(data, address, pktinfo, problem or "malformed")
            return
        if flags & socket.MSG_TRUNC:
            setattr(message, TRUNCATED, True)
        if message.code.is_request() and message.mtype == Type.NON and self.rejects_non(message):
            # RFC 7252 clause 5.4.1: such a Non-confirmable message is rejected (clause 4.3).
            self._send_reset(message.mid, address, pktinfo)
            return
        self._ctx.dispatch_message(message)

    def _reject(self, data: bytes, address: Any, pktinfo: bytes | None, problem: str) -> None:
        """RFC 7252 clauses 3 and 4.2: a malformed Confirmable message gets a Reset, the rest is
        silently dropped (a wrong version, a Non-confirmable, an ACK or RST cannot be answered)."""
        if len(data) < 4 or data[0] >> 6 != 1:
            self.log.debug("ignoring a datagram from %s that is no CoAP: %s", address[0], problem)
            return
        mtype = (data[0] >> 4) & 0x03
        mid = int.from_bytes(data[2:4], "big")
        if mtype == Type.CON:
            self.log.debug("rejecting a malformed message from %s with Reset: %s", address[0], problem)
            self._send_reset(mid, address, pktinfo)
        else:
            self.log.debug("ignoring a malformed %s from %s: %s", Type(mtype).name, address[0], problem)

    def _send_reset(self, mid: int, address: Any, pktinfo: bytes | None) -> None:
        reset = Message(_mtype=Type.RST, _mid=mid, code=Code.EMPTY)
        reset.remote = UDP6EndpointAddress(address, self, pktinfo=pktinfo)
        self.send(reset)


class BoundedMessageManager(MessageManager):
    """aiocoap's message layer with duplicate detection in bounded memory.

    RFC 7252 clause 4.5: a request that arrives again with the same Message ID from the same
    endpoint within EXCHANGE_LIFETIME is not processed again; a Confirmable one gets the response
    it got the first time. Here each remembered exchange costs its key and the response's bytes
    (a few hundred bytes instead of ~5 kB), ages out in arrival order without a timer of its own,
    and at most ``capacity`` are kept: beyond that the oldest go first, which under a load of more
    than capacity/EXCHANGE_LIFETIME requests a second shortens the window for late retransmissions
    (RFC 7252 retransmits within MAX_TRANSMIT_SPAN, 45 s).
    """

    def __init__(self, token_manager: TokenManager, capacity: int) -> None:
        super().__init__(token_manager)
        self.capacity = capacity
        self.lifetime = aiocoap.numbers.constants.TransportTuning().EXCHANGE_LIFETIME
        # (address, mid) -> (arrival, encoded response or None while it is being prepared)
        self._exchanges: OrderedDict[tuple[Any, int], tuple[float, bytes | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._exchanges)

    def _deduplicate_message(self, message: Message) -> bool:
        now = time.monotonic()
        self._forget(now)
        key = _exchange(message)
        known = self._exchanges.get(key)
        if known is None:
            self._exchanges[key] = (now, None)
            while len(self._exchanges) > self.capacity:
                self._exchanges.popitem(last=False)
            return False
        if message.mtype is Type.CON and known[1] is not None:
            self.message_interface.send_datagram(known[1], message.remote.as_response_address())
        return True

    def _store_response_for_duplicates(self, message: Message) -> None:
        key = _exchange(message)
        known = self._exchanges.get(key)
        if known is not None:
            self._exchanges[key] = (known[0], message.encode())

    def _forget(self, now: float) -> None:
        exchanges = self._exchanges
        while exchanges:
            arrival = next(iter(exchanges.values()))[0]
            if now - arrival < self.lifetime:
                return
            exchanges.popitem(last=False)


def _exchange(message: Message) -> tuple[Any, int]:
    # The address, as UDP6EndpointAddress compares them, rather than the address object itself,
    # which is many times larger.
    return message.remote.sockaddr[:-1], message.mid


async def add_server_endpoint(
    context: aiocoap.Context, host: str, port: int, rejects_non: Callable[[Message], bool], capacity: int,
) -> tuple[StrictUDP6, BoundedMessageManager]:
    """Wire token manager, message manager and UDP endpoint into ``context`` as aiocoap's own
    create_server_context does, but with these classes and only this one transport (no TCP,
    WebSocket or OSCORE listeners)."""
    tokens = TokenManager(context)
    messages = BoundedMessageManager(tokens, capacity)
    endpoint = await StrictUDP6.create_bound(messages, context.log, context.loop, host, port, rejects_non)
    messages.message_interface = endpoint
    tokens.token_interface = messages
    context.request_interfaces.append(tokens)
    return endpoint, messages
