"""Block-wise transfers (RFC 7959, TS-0008 clause 6.5): Block1 for large requests, Block2 for large
responses, within the CSE's max_body_size."""

from __future__ import annotations

import json

import pytest

from cse.config import Settings
from tests.coap.coap_client import FR, RQI, RSC, RVI, TY, free_udp_port
from tests.coap.raw import ACK, CON, GET, POST, RawPeer, encode
from tests.onem2m_client import free_port

URI_PATH, CONTENT_FORMAT, BLOCK2, BLOCK1, SIZE2, SIZE1 = 11, 12, 23, 27, 28, 60
LIMIT = 3000


@pytest.fixture
def settings() -> Settings:
    return Settings(db=":memory:", http_port=free_port(), coap_port=free_udp_port(), max_body_size=LIMIT)


@pytest.fixture
async def ae(coap):
    assert (await coap.register_ae("blk", originator="Cblk")).rsc == 2001
    coap.originator = "Cblk"
    assert (await coap.create("/cse-in/blk", 3, {"m2m:cnt": {"rn": "box"}})).rsc == 2001
    return coap


@pytest.fixture
async def peer(cse_app):
    peer = await RawPeer.open(cse_app.coap.port)
    yield peer
    peer.close()


def block(number: int, more: bool, size_exponent: int) -> int:
    return number << 4 | more << 3 | size_exponent


def unblock(value: int) -> tuple[int, bool, int]:
    return value >> 4, bool(value >> 3 & 1), value & 7


def path(*parts: str) -> list[tuple[int, str]]:
    return [(URI_PATH, part) for part in parts]


def onem2m(rqi: str, *extra) -> list:
    return [(FR, "Cblk"), (RQI, rqi), (RVI, "3"), *extra]


async def test_large_instance_goes_up_and_comes_back_in_blocks(ae):
    con = "".join(chr(ord("a") + i % 26) for i in range(2500))
    created = await ae.create("/cse-in/blk/box", 4, {"m2m:cin": {"rn": "big", "con": con}})
    assert created.rsc == 2001 and created.pc["con"] == con  # the 2.6 kB answer came in blocks too
    fetched = await ae.retrieve("/cse-in/blk/box/big")
    assert fetched.rsc == 2000 and fetched.pc["con"] == con
    # The response blocks of the POST were served from the stored response, not by creating again.
    assert (await ae.retrieve("/cse-in/blk/box")).pc["cni"] == 1


async def test_block2_on_the_wire(ae, peer):
    await ae.create("/cse-in/blk/box", 4, {"m2m:cin": {"rn": "big", "con": "x" * 2500}})
    request = lambda mid, number, szx: encode(  # noqa: E731
        CON, GET, mid, b"\x07", path("cse-in", "blk", "box", "big") + onem2m("b2") + [(BLOCK2, block(number, False, szx))])
    first = await peer.exchange(encode(CON, GET, 0x100, b"\x07", path("cse-in", "blk", "box", "big") + onem2m("b2")))
    assert first.dotted == "2.05" and unblock(first.uint(BLOCK2)) == (0, True, 6)
    total = first.uint(SIZE2)
    body, number = first.payload, 1
    while True:
        answer = await peer.exchange(request(0x100 + number, number, 6))
        assert answer.dotted == "2.05" and answer.uint(RSC) == 2000  # every block carries the oneM2M options
        body += answer.payload
        number, more, _ = unblock(answer.uint(BLOCK2))
        if not more:
            break
        number += 1
    assert len(body) == total and json.loads(body)["m2m:cin"]["con"] == "x" * 2500
    # A client may ask for smaller blocks, and may start at any block of a retrieval.
    small = await peer.exchange(request(0x200, 3, 2))
    assert len(small.payload) == 64 and unblock(small.uint(BLOCK2)) == (3, True, 2)
    beyond = await peer.exchange(request(0x201, 50, 6))
    assert beyond.dotted == "4.00"


async def test_block1_on_the_wire(ae, peer):
    body = json.dumps({"m2m:cin": {"rn": "up", "con": "y" * 150}}).encode()
    chunks = [body[i:i + 64] for i in range(0, len(body), 64)]
    options = path("cse-in", "blk", "box") + onem2m("b1", (TY, 4), (CONTENT_FORMAT, 50))
    for number, chunk in enumerate(chunks):
        more = number < len(chunks) - 1
        peer.send(encode(CON, POST, 0x300 + number, b"\x09", options + [(BLOCK1, block(number, more, 2))], chunk))
        answer = await peer.answer()
        assert unblock(answer.uint(BLOCK1)) == (number, more, 2)
        if more:
            assert answer.mtype == ACK and answer.dotted == "2.31"  # Continue
    assert answer.dotted == "2.01" and answer.uint(RSC) == 2001
    assert (await ae.retrieve("/cse-in/blk/box/up")).pc["con"] == "y" * 150


async def test_block1_out_of_order_is_incomplete(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b3", (TY, 4), (CONTENT_FORMAT, 50))
    answer = await peer.exchange(encode(CON, POST, 0x400, b"\x0a", options + [(BLOCK1, block(2, True, 2))], b"z" * 64))
    assert answer.dotted == "4.08" and answer.uint(RSC) == 4000


async def test_block_size_that_does_not_match_its_option(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b4", (TY, 4), (CONTENT_FORMAT, 50))
    answer = await peer.exchange(encode(CON, POST, 0x410, b"\x0b", options + [(BLOCK1, block(0, True, 2))], b"z" * 10))
    assert answer.dotted == "4.00"


async def test_body_over_the_limit_is_refused_while_it_arrives(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b5", (TY, 4), (CONTENT_FORMAT, 50))
    for number in range(100):
        answer = await peer.exchange(encode(CON, POST, 0x500 + number, b"\x0c",
                                            options + [(BLOCK1, block(number, True, 6))], b"w" * 1024))
        if answer.dotted != "2.31":
            break
    assert answer.dotted == "4.13" and answer.uint(SIZE1) == LIMIT and number == 2  # the 3rd kB is too much


async def test_announced_size_over_the_limit_is_refused_at_once(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b6", (TY, 4), (CONTENT_FORMAT, 50))
    answer = await peer.exchange(encode(CON, POST, 0x600, b"\x0d",
                                        options + [(BLOCK1, block(0, True, 6)), (SIZE1, 10**6)], b"w" * 1024))
    assert answer.dotted == "4.13" and answer.uint(SIZE1) == LIMIT


async def test_unblocked_body_over_the_limit(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b7", (TY, 4), (CONTENT_FORMAT, 50))
    answer = await peer.exchange(encode(CON, POST, 0x700, b"\x0e", options, b"{" + b" " * 3500 + b"}"))
    assert answer.dotted == "4.13" and answer.uint(SIZE1) == LIMIT
    assert (await ae.retrieve("/cse-in/blk/box")).pc["cni"] == 0


async def test_later_response_block_of_a_forgotten_create(ae, peer):
    options = path("cse-in", "blk", "box") + onem2m("b8", (TY, 4), (CONTENT_FORMAT, 50))
    answer = await peer.exchange(encode(CON, POST, 0x800, b"\x0f", options + [(BLOCK2, block(1, False, 6))],
                                        b'{"m2m:cin": {"con": "a"}}'))
    assert answer.dotted == "4.08"
    assert (await ae.retrieve("/cse-in/blk/box")).pc["cni"] == 0  # nothing was created
