"""The server's pure parts: query parsing, Execute arguments, format choice, retransmission
sizing, event streams and bind addresses."""

from __future__ import annotations

import asyncio

import pytest

from ipe_sdt.lwm2m import CodecError, ContentFormat
from ipe_sdt.lwm2m.server import format_execute_args, parse_execute_args
from ipe_sdt.lwm2m.server.coap_exchange import code_text, tuning_for
from ipe_sdt.lwm2m.server.content import decode_answer, multi_value_formats, single_value_format
from ipe_sdt.lwm2m.server.events import EventHub
from ipe_sdt.lwm2m.server.registration_query import (
    RegistrationRejected,
    parse_register_query,
    parse_update_query,
)
from ipe_sdt.lwm2m.server.udp_bind import aiocoap_host, display_host, reserve_port
from ipe_sdt.lwm2m import DEFAULT_REGISTRY, ResourceType


def test_register_query_defaults_and_values():
    params = parse_register_query(["ep=urn:imei:123"])
    assert (params.endpoint, params.lifetime, params.lwm2m_version, params.binding, params.queue_mode) == (
        "urn:imei:123", 86400, "1.0", "U", False)
    params = parse_register_query(["ep=a&b=c", "lt=30", "lwm2m=1.1.1", "b=UQS", "sms=+4912345", "unknown=1"])
    assert params.endpoint == "a&b=c" and params.lwm2m_version == "1.1"
    assert params.binding == "US" and params.queue_mode and params.sms == "+4912345"
    assert parse_register_query(["ep=q", "lwm2m=1.2", "b=U", "Q"]).queue_mode


@pytest.mark.parametrize(
    ("queries", "code"),
    [
        ([], "4.00"), (["ep"], "4.00"), (["ep= padded"], "4.00"), (["ep=" + "x" * 256], "4.00"),
        (["ep=x", "lt="], "4.00"), (["ep=x", "lt=1e3"], "4.00"), (["ep=x", "lt=０"], "4.00"),
        (["ep=x", "lwm2m=1"], "4.00"), (["ep=x", "lwm2m=0.9"], "4.12"), (["ep=x", "b="], "4.00"),
        (["ep=x", "b=UZ"], "4.00"), (["ep=x", "sms="], "4.00"), (["ep=x", "lt=1", "lt=2"], "4.00"),
    ],
)
def test_register_query_rejections(queries, code):
    with pytest.raises(RegistrationRejected) as rejected:
        parse_register_query(queries)
    assert rejected.value.code == code


def test_update_query_and_queue_mode_by_version():
    update = parse_update_query(["lt=60", "b=UQ"])
    assert update.lifetime == 60 and update.binding == "U" and update.binding_queue
    assert update.queue_mode("1.1", False) is True
    plain = parse_update_query(["b=U"])
    assert plain.queue_mode("1.0", True) is False   # 1.0 states queue mode in every b=
    assert plain.queue_mode("1.1", True) is True    # 1.1 moved it to Register's Q
    assert parse_update_query([]).queue_mode("1.1", False) is False


def test_execute_arguments_round_trip():
    payload = format_execute_args({1: None, 0: "http://x.example/fw?v=2"})
    assert payload == b"0='http://x.example/fw?v=2',1"
    assert parse_execute_args(payload) == {0: "http://x.example/fw?v=2", 1: None}
    assert parse_execute_args(b"") == {}
    assert format_execute_args(None) == b""
    assert parse_execute_args(b"5='with space'") == {5: "with space"}


@pytest.mark.parametrize("payload", [b"x", b"0,", b"0=1", b"0='open", b"0,0", b"10", b"0='a'b", "é".encode()])
def test_execute_argument_syntax_errors(payload):
    with pytest.raises(CodecError):
        parse_execute_args(payload)


@pytest.mark.parametrize("args", [{10: None}, {0: "it's"}, {0: "two words"}, {-1: None}, {"0": None}, "0=", ["0"]])
def test_execute_argument_values_refused(args):
    with pytest.raises(CodecError):
        format_execute_args(args)


def test_write_format_choice():
    assert multi_value_formats("1.0", ()) == [ContentFormat.TLV, ContentFormat.LWM2M_JSON]
    assert multi_value_formats("1.1", (11542, 110, 112))[0] == ContentFormat.SENML_CBOR
    assert multi_value_formats("1.1", (1542, 99999)) == [ContentFormat.TLV]
    assert multi_value_formats("1.2", (), learned=ContentFormat.TLV)[0] == ContentFormat.TLV
    assert single_value_format(ResourceType.OPAQUE, b"") == ContentFormat.OPAQUE
    assert single_value_format(None, b"x") == ContentFormat.OPAQUE
    assert single_value_format(ResourceType.INTEGER, 5) == ContentFormat.TEXT


def test_decoding_answers_without_content_format():
    assert decode_answer(b"42", None, (3, 0, 9), DEFAULT_REGISTRY) == ({(3, 0, 9): 42}, 0)
    with pytest.raises(CodecError):
        decode_answer(b"1", 0, (3, 0, 6), DEFAULT_REGISTRY)  # text for a multiple resource
    with pytest.raises(CodecError):
        # An answer about another path than the one asked.
        decode_answer(b'[{"n":"/3/0/9","v":1}]', 110, (3311, 0), DEFAULT_REGISTRY)


def test_retransmissions_fit_the_timeout():
    for timeout in (0.1, 0.5, 1, 3, 10, 93, 1000):
        tuning = tuning_for(timeout, 2.0, 4)
        assert tuning.MAX_TRANSMIT_WAIT <= timeout + 1e-9
        assert 0 <= tuning.MAX_RETRANSMIT <= 4
    assert tuning_for(1000, 2.0, 4).MAX_RETRANSMIT == 4


def test_code_text():
    assert code_text(0x84) == "4.04" and code_text(0x45) == "2.05" and code_text(0xA0) == "5.00"


async def test_event_stream_is_bounded():
    hub: EventHub[int] = EventHub()
    stream = hub.stream(maxsize=3)
    for n in range(5):
        hub.publish(n)
    assert stream.dropped == 2
    assert [await stream.get(1) for _ in range(3)] == [2, 3, 4]
    with pytest.raises(asyncio.TimeoutError):
        await stream.get(0.01)
    stream.close()
    assert [e async for e in stream] == []
    with pytest.raises(ValueError):
        hub.stream(maxsize=0)


def test_bind_addresses():
    assert aiocoap_host("127.0.0.1") == "::ffff:127.0.0.1"
    assert aiocoap_host("0.0.0.0") == "::" and aiocoap_host("::1") == "::1"
    assert display_host("::ffff:10.1.2.3") == "10.1.2.3" and display_host("fe80::1%lo") == "fe80::1%lo"
    with pytest.raises(OSError):
        aiocoap_host("not-an-address")
    port = reserve_port("127.0.0.1", 0)
    assert 0 < port < 65536
    with pytest.raises(OSError):
        reserve_port("127.0.0.1", 70000)
