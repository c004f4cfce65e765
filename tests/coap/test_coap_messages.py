"""CoAP messaging (RFC 7252 clause 4, TS-0008 clause 6.3): CON and NON requests, piggy-backed and
separate responses, duplicates, ping."""

from __future__ import annotations

import json

import pytest

from tests.coap.coap_client import FR, OET, RQI, RSC, RVI, TY
from tests.coap.raw import ACK, CON, EMPTY, GET, NON, POST, RST, RawPeer, code, encode

JSON = 50
CONTENT_FORMAT = 12


@pytest.fixture
async def peer(cse_app):
    peer = await RawPeer.open(cse_app.coap.port)
    yield peer
    peer.close()


def ae_registration(mtype: int, mid: int, name: str, token: bytes = b"\x01\x02") -> bytes:
    body = json.dumps({"m2m:ae": {"rn": name, "api": f"N{name}", "rr": False, "srv": ["3"]}}).encode()
    return encode(mtype, POST, mid, token, [(11, "cse-in"), (CONTENT_FORMAT, JSON), (FR, f"C{name}"),
                                            (RQI, f"reg-{name}"), (RVI, "3"), (TY, 2)], body)


def retrieve(mtype: int, mid: int, token: bytes, *extra: tuple[int, object]) -> bytes:
    return encode(mtype, GET, mid, token, [(11, "cse-in"), (FR, "CAdmin"), (RQI, f"get-{mid}"), (RVI, "3"), *extra])


async def test_confirmable_request_gets_a_piggybacked_response(peer):
    answer = await peer.exchange(retrieve(CON, 0x1001, b"\xaa"))
    assert answer.mtype == ACK and answer.mid == 0x1001 and answer.token == b"\xaa"
    assert answer.dotted == "2.05" and answer.uint(RSC) == 2000
    assert answer.option(RQI) == b"get-4097"
    assert json.loads(answer.payload)["m2m:cb"]["csi"] == "/id-in"


async def test_non_confirmable_request_gets_a_non_confirmable_response(peer):
    answer = await peer.exchange(retrieve(NON, 0x1002, b"\xbb"))
    assert answer.mtype == NON and answer.token == b"\xbb"
    assert answer.dotted == "2.05" and answer.uint(RSC) == 2000


async def test_slow_operation_gets_an_empty_ack_then_a_separate_response(peer):
    # oneM2M-OET defers the operation by 600 ms: longer than aiocoap waits before it acknowledges.
    peer.send(retrieve(CON, 0x1003, b"\xcc", (OET, "600")))
    ack = await peer.receive()
    assert ack.mtype == ACK and ack.mid == 0x1003 and ack.code == EMPTY and not ack.token
    separate = await peer.receive()
    assert separate.mtype == CON and separate.token == b"\xcc" and separate.mid != 0x1003
    assert separate.dotted == "2.05" and separate.uint(RSC) == 2000
    peer.send(encode(ACK, EMPTY, separate.mid))  # acknowledged: the CSE stops retransmitting
    assert await peer.next_is_answer_to_ping()


async def test_slow_operation_over_non_gets_one_non_response(peer):
    peer.send(retrieve(NON, 0x1004, b"\xdd", (OET, "300")))
    answer = await peer.receive()
    assert answer.mtype == NON and answer.token == b"\xdd" and answer.uint(RSC) == 2000


async def test_duplicate_confirmable_create_is_executed_once_and_answered_twice(peer, coap_admin):
    request = ae_registration(CON, 0x2001, "dedup")
    peer.send(request)
    acknowledgement = await peer.receive()  # the piggy-backed response, or an empty ACK before a separate one
    if acknowledgement.code == EMPTY:
        await peer.answer()
    again = await peer.exchange(request)  # the same Message ID: a retransmission gets the same ACK again
    assert (again.mtype, again.mid, again.code, again.payload) == (
        acknowledgement.mtype, acknowledgement.mid, acknowledgement.code, acknowledgement.payload)
    assert again.mtype == ACK and again.mid == 0x2001
    # A new Message ID is a new request: now the AE exists, created once.
    peer.send(ae_registration(CON, 0x2002, "dedup"))
    assert (await peer.answer()).uint(RSC) == 4117
    assert (await coap_admin.retrieve("/cse-in/dedup")).rsc == 2000


async def test_duplicate_non_confirmable_request_is_dropped(peer):
    request = ae_registration(NON, 0x2003, "nondup")
    first = await peer.exchange(request)
    assert first.mtype in (NON, CON) and first.uint(RSC) == 2001
    if first.mtype == CON:  # RFC 7252 allows a Confirmable response to a NON request
        peer.send(encode(ACK, EMPTY, first.mid))
    peer.send(request)
    assert await peer.next_is_answer_to_ping()


async def test_ping_is_answered_with_reset(peer):
    answer = await peer.exchange(encode(CON, EMPTY, 0x3001))
    assert answer.mtype == RST and answer.mid == 0x3001 and answer.code == EMPTY


async def test_many_outstanding_requests_from_one_endpoint(peer):
    for mid in range(0x4000, 0x4020):
        peer.send(retrieve(CON, mid, mid.to_bytes(2, "big")))
    answers = [await peer.answer() for _ in range(32)]
    assert sorted(answer.token for answer in answers) == [mid.to_bytes(2, "big") for mid in range(0x4000, 0x4020)]
    assert {answer.dotted for answer in answers} == {"2.05"}


async def test_unassigned_method_is_not_allowed(peer):
    answer = await peer.exchange(encode(CON, 9, 0x5001, b"\x01", [(11, "cse-in"), (FR, "CAdmin"), (RQI, "m")]))
    assert answer.dotted == "4.05" and answer.uint(RSC) == 4005
    assert code("4.05") == answer.code
