"""Bad CoAP input: the answer TS-0008 and RFC 7252 give, never a crash or a stuck exchange, and
both bindings keep serving afterwards."""

from __future__ import annotations

import json
import random

import pytest

from tests.coap.coap_client import EC, FR, RQET, RQI, RSC, RVI, TY
from tests.coap.raw import ACK, CON, EMPTY, GET, NON, POST, RST, RawPeer, encode
from tests.onem2m_client import OneM2MClient

URI_PATH, CONTENT_FORMAT, ACCEPT, IF_NONE_MATCH, PROXY_URI, SIZE1, BLOCK1 = 11, 12, 17, 5, 35, 60, 27
FETCH = 5


@pytest.fixture
async def peer(cse_app):
    peer = await RawPeer.open(cse_app.coap.port)
    yield peer
    peer.close()


def request(mtype: int = CON, method: int = GET, mid: int = 0x0100, *extra, path: str = "cse-in",
            payload: bytes = b"", standard: bool = True) -> bytes:
    options = [(URI_PATH, part) for part in path.split("/")]
    if standard:
        options += [(FR, "CAdmin"), (RQI, f"bad-{mid}"), (RVI, "3")]
    return encode(mtype, method, mid, b"\x42", options + list(extra), payload)


async def still_serving(cse_app, peer: RawPeer) -> None:
    """Both bindings still answer after whatever came before."""
    answer = await peer.exchange(request(CON, GET, 0x7FFF))
    assert answer.dotted == "2.05" and answer.uint(RSC) == 2000
    async with OneM2MClient(cse_app.http.url, originator="CAdmin") as http:
        assert (await http.retrieve("/cse-in")).rsc == 2000


def dbg(answer) -> str:
    return json.loads(answer.payload)["m2m:dbg"]


# -- options -----------------------------------------------------------------------------------


async def test_unknown_critical_option_in_a_con_request_is_a_bad_option(peer, cse_app):
    answer = await peer.exchange(request(CON, GET, 0x0101, (2049, b"x")))
    assert answer.mtype == ACK and answer.dotted == "4.02" and answer.uint(RSC) == 4000
    assert "2049" in dbg(answer)
    await still_serving(cse_app, peer)


async def test_unknown_critical_option_in_a_non_request_is_rejected_with_reset(peer):
    answer = await peer.exchange(request(NON, GET, 0x0102, (2049, b"x")))
    assert answer.mtype == RST and answer.mid == 0x0102


async def test_unknown_elective_option_is_ignored(peer):
    answer = await peer.exchange(request(CON, GET, 0x0103, (2050, b"x")))
    assert answer.dotted == "2.05"


async def test_conditional_request_options_are_not_recognised(peer):
    answer = await peer.exchange(request(CON, GET, 0x0104, (IF_NONE_MATCH, b"")))
    assert answer.dotted == "4.02"


async def test_proxy_uri_is_proxying_not_supported(peer):
    answer = await peer.exchange(request(CON, GET, 0x0105, (PROXY_URI, "coap://elsewhere/x")))
    assert answer.dotted == "5.05" and answer.uint(RSC) == 4000


@pytest.mark.parametrize(
    "option, value, says",
    [
        (TY, b"\x00\x00\x03", "oneM2M-TY"),  # a uint of at most 2 bytes
        (EC, b"\x01\x02", "oneM2M-EC"),  # 1 byte
        (RVI, "3333", "oneM2M-RVI"),  # 1 to 2 bytes
        (FR, b"\xff\xfe", "UTF-8"),
        (RQET, "2" * 40, "oneM2M-RQET"),
    ],
)
async def test_malformed_onem2m_option_is_a_bad_option(peer, cse_app, option, value, says):
    answer = await peer.exchange(encode(CON, GET, 0x0110, b"\x01", [(URI_PATH, "cse-in"), (RQI, "m"), (option, value)]))
    assert answer.dotted == "4.02" and answer.uint(RSC) == 4000 and says in dbg(answer)
    await still_serving(cse_app, peer)


async def test_repeated_onem2m_option_is_a_bad_option(peer):
    answer = await peer.exchange(request(CON, GET, 0x0111, (FR, "Cother")))
    assert answer.dotted == "4.02" and "not repeatable" in dbg(answer)


async def test_bad_timestamp_in_an_option_is_a_bad_request(peer):
    answer = await peer.exchange(request(CON, GET, 0x0112, (RQET, "yesterday")))
    assert answer.dotted == "4.00" and answer.uint(RSC) == 4000 and "oneM2M-RQET" in dbg(answer)


async def test_request_without_originator_or_request_identifier(peer):
    no_origin = await peer.exchange(encode(CON, GET, 0x0113, b"\x01", [(URI_PATH, "cse-in"), (RQI, "r")]))
    assert no_origin.dotted == "4.00" and no_origin.uint(RSC) == 4000 and "originator" in dbg(no_origin)
    no_rqi = await peer.exchange(encode(CON, GET, 0x0114, b"\x01", [(URI_PATH, "cse-in"), (FR, "CAdmin")]))
    assert no_rqi.dotted == "4.00" and "oneM2M-RQI" in dbg(no_rqi)


# -- payload and Content-Format ----------------------------------------------------------------


def create_container(mid: int, *extra, payload: bytes = b'{"m2m:cnt": {"rn": "x"}}') -> bytes:
    return encode(CON, POST, mid, b"\x01", [(URI_PATH, "cse-in"), (FR, "CAdmin"), (RQI, f"c{mid}"), (RVI, "3"),
                                            (TY, 3), *extra], payload)


@pytest.mark.parametrize("content_format", [0, 42, 10003, 10009, 65000])
async def test_unsupported_content_format(peer, content_format):
    answer = await peer.exchange(create_container(0x0200 + content_format % 100, (CONTENT_FORMAT, content_format)))
    assert answer.dotted == "4.15" and answer.uint(RSC) == 4015


async def test_payload_without_content_format(peer):
    answer = await peer.exchange(create_container(0x0201))
    assert answer.dotted == "4.15" and "(none)" in dbg(answer)


@pytest.mark.parametrize("accept", [0, 42, 10007, 10003])
async def test_unsupported_accept_is_not_acceptable(peer, accept):
    answer = await peer.exchange(request(CON, GET, 0x0210, (ACCEPT, accept)))
    assert answer.dotted == "4.06" and answer.uint(RSC) == 5207
    assert answer.option(CONTENT_FORMAT) == b"\x32"  # explained in JSON (50)


async def test_content_that_does_not_parse(peer):
    answer = await peer.exchange(create_container(0x0220, (CONTENT_FORMAT, 50), payload=b'{"m2m:cnt": {'))
    assert answer.dotted == "4.00" and "JSON" in dbg(answer)
    cbor = await peer.exchange(create_container(0x0221, (CONTENT_FORMAT, 60), payload=b"\xbf\xff\xff\xff"))
    assert cbor.dotted == "4.00"


async def test_post_without_resource_type_is_a_notify_the_cse_refuses(peer):
    answer = await peer.exchange(encode(CON, POST, 0x0230, b"\x01", [(URI_PATH, "cse-in"), (FR, "CAdmin"), (RQI, "n"),
                                                                      (CONTENT_FORMAT, 50)], b'{"m2m:sgn": {}}'))
    assert answer.dotted == "4.00" and "oneM2M-TY" in dbg(answer)


async def test_retrieve_with_content_and_fetch_without_a_request_primitive(peer):
    get = await peer.exchange(request(CON, GET, 0x0240, (CONTENT_FORMAT, 50), payload=b"{}"))
    assert get.dotted == "4.00" and "no content" in dbg(get)
    fetch = await peer.exchange(request(CON, FETCH, 0x0241, (CONTENT_FORMAT, 50), payload=b"{}"))
    assert fetch.dotted == "4.15" and "request primitive" in dbg(fetch)


async def test_oversize_datagram_without_block1_is_too_large(peer, cse_app):
    # More than the CSE reads from one datagram: the payload would arrive cut short.
    answer = await peer.exchange(create_container(0x0250, (CONTENT_FORMAT, 50), payload=b"x" * 6000))
    assert answer.mtype == ACK and answer.dotted == "4.13" and answer.uint(RSC) == 4000
    assert answer.uint(SIZE1) == cse_app.settings.max_body_size
    assert answer.uint(BLOCK1) & 0x7 == 6  # the block size to use instead: 1024 bytes
    await still_serving(cse_app, peer)


# -- malformed datagrams -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "datagram",
    [
        bytes([0x48, 0x01, 0x03, 0x01, 0xAA, 0xBB]),  # token length 8, two token bytes
        bytes([0x49, 0x01, 0x03, 0x02]) + b"123456789",  # token length 9 is reserved
        bytes([0x40, 0x01, 0x03, 0x03, 0xB6]) + b"cse",  # Uri-Path announced with 6 bytes, 3 sent
        bytes([0x40, 0x01, 0x03, 0x04, 0xB3]) + b"cse" + b"\xff",  # payload marker, no payload
        bytes([0x40, 0x01, 0x03, 0x05, 0xF1, 0x00]),  # option delta 15 without payload marker
        bytes([0x40, 0x01, 0x03, 0x06, 0xD1]),  # extended delta announced, missing
        bytes([0x40, 0x21, 0x03, 0x07]),  # code class 1 is reserved
        bytes([0x41, 0x00, 0x03, 0x08, 0x01]),  # an Empty message with a token
        bytes([0x40, 0x01, 0x03, 0x09, 0xB2, 0xC3, 0x28]),  # Uri-Path that is no UTF-8
    ],
)
async def test_malformed_confirmable_message_is_reset(peer, cse_app, datagram):
    answer = await peer.exchange(datagram)
    assert answer.mtype == RST and answer.mid == int.from_bytes(datagram[2:4], "big") and answer.code == EMPTY
    await still_serving(cse_app, peer)


@pytest.mark.parametrize(
    "datagram",
    [
        b"",
        b"\x40\x01",  # shorter than the header
        bytes([0x58, 0x01, 0x03, 0x01, 0xAA]),  # NON with a cut token
        bytes([0x80, 0x01, 0x03, 0x02]),  # version 2
        bytes([0x60, 0x45, 0x03, 0x03]),  # an ACK nobody waits for
        bytes([0x70, 0x00, 0x03, 0x04]),  # a RST nobody waits for
    ],
)
async def test_malformed_or_unexpected_messages_that_cannot_be_answered_are_dropped(peer, cse_app, datagram):
    peer.send(datagram)
    assert await peer.next_is_answer_to_ping()
    await still_serving(cse_app, peer)


async def test_random_datagrams_leave_the_server_serving(peer, cse_app):
    generator = random.Random(8)
    for batch in range(20):
        for _ in range(20):
            size = generator.choice([1, 3, 4, 5, 8, 16, 40, 200])
            datagram = bytearray(generator.randbytes(size))
            if datagram and generator.random() < 0.7:
                datagram[0] = 0x40 | (datagram[0] & 0x3F)  # mostly version 1, to get past the first check
            peer.send(bytes(datagram))
        # Skip whatever answers came (resets, 4.xx) up to the answer to a ping of ours; in
        # batches, so that the burst does not overflow the socket buffers and lose the ping.
        mid = 0xF000 + batch
        peer.send(encode(CON, EMPTY, mid))
        while not ((answer := await peer.receive()).mtype == RST and answer.mid == mid):
            pass
    await still_serving(cse_app, peer)
