"""Block-wise transfers (RFC 7959) for the CoAP binding, with the bounds a server needs.

aiocoap's Block1Spool assembles request bodies without any size limit and fails on a gap with
an exception; its Block2Cache keeps every large response for a fixed time however many there
are. Here a request body is refused (4.13) as soon as it would exceed the CSE's
``max_body_size``, half-received bodies and cached responses are bounded in number, bytes and
age, and every refusal is a CoAP answer, never an exception.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable

from aiocoap import Message
from aiocoap.numbers.constants import TransportTuning
from aiocoap.optiontypes import BlockOption

from cse.bindings.coap_options import BLOCK1, BLOCK2, SIZE1, SIZE2, coap_code

REQUEST_ENTITY_INCOMPLETE = coap_code("4.08")
REQUEST_ENTITY_TOO_LARGE = coap_code("4.13")
BAD_REQUEST = coap_code("4.00")

# How long a client may pause between blocks: RFC 7252's MAX_TRANSMIT_WAIT, as aiocoap uses.
LIFETIME = TransportTuning().MAX_TRANSMIT_WAIT
# Bodies being uploaded at once; beyond this the stalest is dropped (its client gets 4.08).
MAX_ASSEMBLIES = 64
# Responses kept for their later blocks.
MAX_CACHED_BYTES = 16 * 1024 * 1024

_OPTIONS_OUTSIDE_KEY = (BLOCK1, BLOCK2, SIZE1, SIZE2, 6)  # 6: Observe


class BlockError(Exception):
    """A block-wise exchange that cannot go on; ``code`` is the CoAP answer."""

    def __init__(self, code: int, reason: str, size1: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.size1 = size1


def exchange_key(message: Message) -> Hashable:
    """The same for every block of one block-wise exchange (RFC 7959 clause 2.4)."""
    return (message.remote.blockwise_key, message.code, message.get_cache_key(_OPTIONS_OUTSIDE_KEY))


@dataclass
class _Assembly:
    first: Message
    body: bytearray
    touched: float


class Block1Assembler:
    """Collects the blocks of a request body (Block1) into one request."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._assemblies: OrderedDict[Hashable, _Assembly] = OrderedDict()

    def __len__(self) -> int:
        return len(self._assemblies)

    def feed(self, request: Message) -> Message | None:
        """The whole request once its last block is in, None while blocks are missing.

        Raises BlockError for a block that does not fit the exchange or a body over the limit.
        """
        block1 = request.opt.block1
        if block1 is None:
            if len(request.payload) > self.limit:
                raise self._too_large()
            return request
        if block1.size_exponent == 7:
            raise BlockError(BAD_REQUEST, "Block1 size exponent 7 (BERT) is not defined for UDP")
        now = time.monotonic()
        self._expire(now)
        key = exchange_key(request)
        announced = request.opt.size1
        if announced is not None and announced > self.limit:
            self._assemblies.pop(key, None)
            raise self._too_large()
        if block1.more and len(request.payload) != block1.size:
            self._assemblies.pop(key, None)
            raise BlockError(BAD_REQUEST, f"block {block1.block_number} has {len(request.payload)} bytes, "
                                          f"not the {block1.size} its Block1 option announces")
        if block1.block_number == 0:
            assembly = _Assembly(request, bytearray(), now)
            self._assemblies.pop(key, None)
            self._assemblies[key] = assembly
            while len(self._assemblies) > MAX_ASSEMBLIES:
                self._assemblies.popitem(last=False)
        else:
            assembly = self._assemblies.get(key)
            if assembly is None or block1.start != len(assembly.body):
                self._assemblies.pop(key, None)
                raise BlockError(REQUEST_ENTITY_INCOMPLETE,
                                 f"block {block1.block_number} does not continue a body this CSE is receiving")
            self._assemblies.move_to_end(key)
        if len(assembly.body) + len(request.payload) > self.limit:
            self._assemblies.pop(key, None)
            raise self._too_large()
        assembly.body += request.payload
        assembly.touched = now
        if block1.more:
            return None
        del self._assemblies[key]
        whole = assembly.first.copy(payload=bytes(assembly.body))
        # The whole request answers as the last block does (RFC 7959 clause 2.3).
        whole.token, whole.mid, whole.mtype = request.token, request.mid, request.mtype
        whole.opt.block1 = block1
        whole.opt.block2 = request.opt.block2
        return whole

    def _too_large(self) -> BlockError:
        return BlockError(REQUEST_ENTITY_TOO_LARGE,
                          f"the request body exceeds the limit of {self.limit} bytes", size1=self.limit)

    def _expire(self, now: float) -> None:
        while self._assemblies:
            key, oldest = next(iter(self._assemblies.items()))
            if now - oldest.touched < LIFETIME:
                break
            del self._assemblies[key]


class Block2Cache:
    """Whole responses kept for the requests of their later blocks (Block2)."""

    def __init__(self, max_bytes: int = MAX_CACHED_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Message, float]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: Hashable, response: Message) -> None:
        self._drop(key)
        if len(response.payload) > self.max_bytes:
            return
        self._entries[key] = (response, time.monotonic())
        self._bytes += len(response.payload)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def get(self, key: Hashable) -> Message | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        response, stored = entry
        if time.monotonic() - stored >= LIFETIME:
            self._drop(key)
            return None
        return response

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[0].payload)


def block_of(whole: Message, number: int, size_exponent: int) -> Message:
    """Block ``number`` of a response (RFC 7959 clause 2.2), Size2 on the first block."""
    size = 2 ** (size_exponent + 4)
    start = number * size
    if start >= len(whole.payload) and number:
        raise BlockError(BAD_REQUEST, f"block {number} lies beyond the end of the {len(whole.payload)}-byte response")
    end = min(start + size, len(whole.payload))
    block = whole.copy(payload=whole.payload[start:end])
    block.opt.block2 = BlockOption.BlockwiseTuple(number, end < len(whole.payload), size_exponent)
    if number == 0:
        block.opt.size2 = len(whole.payload)
    return block


def wanted_size_exponent(request: Message, default: int) -> int:
    """The block size a client asked for (capped at ours), else ours."""
    block2 = request.opt.block2
    if block2 is None:
        return default
    return min(block2.size_exponent, default)


def needs_blocks(response: Message, request: Message, default_exponent: int) -> bool:
    return len(response.payload) > 2 ** (wanted_size_exponent(request, default_exponent) + 4)
