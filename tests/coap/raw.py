"""CoAP datagrams by hand (RFC 7252 clause 3), for tests that need exact control of the wire:
message types and IDs, duplicates, malformed and oversize datagrams."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

CON, NON, ACK, RST = 0, 1, 2, 3
EMPTY, GET, POST, PUT, DELETE = 0, 1, 2, 3, 4


def code(dotted: str) -> int:
    klass, _, detail = dotted.partition(".")
    return int(klass) << 5 | int(detail)


def _extended(value: int) -> tuple[int, bytes]:
    if value < 13:
        return value, b""
    if value < 269:
        return 13, bytes([value - 13])
    return 14, (value - 269).to_bytes(2, "big")


def uint(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def encode(mtype: int, code: int, mid: int, token: bytes = b"", options: list[tuple[int, bytes | str | int]] = (),
           payload: bytes = b"") -> bytes:
    data = bytearray([0x40 | mtype << 4 | len(token), code]) + mid.to_bytes(2, "big") + token
    previous = 0
    for number, value in sorted(options, key=lambda item: item[0]):
        raw = value.encode() if isinstance(value, str) else uint(value) if isinstance(value, int) else value
        delta, delta_ext = _extended(number - previous)
        length, length_ext = _extended(len(raw))
        data += bytes([delta << 4 | length]) + delta_ext + length_ext + raw
        previous = number
    if payload:
        data += b"\xff" + payload
    return bytes(data)


@dataclass
class Datagram:
    mtype: int
    code: int
    mid: int
    token: bytes
    options: list[tuple[int, bytes]] = field(default_factory=list)
    payload: bytes = b""

    @property
    def dotted(self) -> str:
        return f"{self.code >> 5}.{self.code & 0x1F:02d}"

    def option(self, number: int) -> bytes | None:
        return next((value for n, value in self.options if n == number), None)

    def uint(self, number: int) -> int | None:
        value = self.option(number)
        return None if value is None else int.from_bytes(value, "big")


def decode(data: bytes) -> Datagram:
    tkl = data[0] & 0x0F
    message = Datagram((data[0] >> 4) & 3, data[1], int.from_bytes(data[2:4], "big"), data[4:4 + tkl])
    position, number = 4 + tkl, 0
    while position < len(data):
        if data[position] == 0xFF:
            message.payload = data[position + 1:]
            break
        delta, length = data[position] >> 4, data[position] & 0x0F
        position += 1
        values = []
        for nibble in (delta, length):
            if nibble == 13:
                values.append(data[position] + 13)
                position += 1
            elif nibble == 14:
                values.append(int.from_bytes(data[position:position + 2], "big") + 269)
                position += 2
            else:
                values.append(nibble)
        number += values[0]
        message.options.append((number, data[position:position + values[1]]))
        position += values[1]
    return message


class RawPeer(asyncio.DatagramProtocol):
    """A UDP socket that talks to the CSE's CoAP port and queues whatever comes back."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls, port: int) -> "RawPeer":
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(cls, remote_addr=("127.0.0.1", port))
        return peer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.received.put_nowait(data)

    def send(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.sendto(data)

    async def receive(self, timeout: float = 10) -> Datagram:
        return decode(await asyncio.wait_for(self.received.get(), timeout))

    async def exchange(self, data: bytes) -> Datagram:
        self.send(data)
        return await self.receive()

    async def answer(self) -> Datagram:
        """The next response, piggy-backed or separate: an empty ACK is skipped, a Confirmable
        response acknowledged (a busy machine may delay a response past the empty-ACK delay)."""
        while True:
            datagram = await self.receive()
            if datagram.mtype == ACK and datagram.code == EMPTY:
                continue
            if datagram.mtype == CON:
                self.send(encode(ACK, EMPTY, datagram.mid))
            return datagram

    async def next_is_answer_to_ping(self, mid: int = 0xBEEF) -> bool:
        """Ping (an Empty CON, answered with RST) and tell whether the ping's answer is the next
        datagram: what was sent before it went unanswered, as loopback keeps the order."""
        self.send(encode(CON, EMPTY, mid))
        answer = await self.receive()
        return answer.mtype == RST and answer.mid == mid

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
