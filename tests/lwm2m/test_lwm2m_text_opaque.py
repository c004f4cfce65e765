"""text/plain (0) and opaque (42): one value, typed by the object model."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ipe_sdt.lwm2m import CodecError, ObjectLink, decode, encode
from tests.lwm2m.lwm2m_fixtures import TEST_REGISTRY, TYPED_SAMPLES

TEXT = 0
OPAQUE = 42


@pytest.mark.parametrize(
    ("path", "payload", "value"),
    [
        ("/3/0/0", b"Open Mobile Alliance", "Open Mobile Alliance"),
        ("/3/0/9", b"100", 100),
        ("/3/0/9", b"-5", -5),
        ("/3/0/9", b"+7", 7),
        ("/3/0/13", b"1367491215", datetime(2013, 5, 2, 10, 40, 15, tzinfo=timezone.utc)),
        ("/1/0/6", b"1", True),
        ("/1/0/6", b"0", False),
        ("/1/0/10", b"11:0", ObjectLink(11, 0)),
        ("/1/0/11", b"255", 255),
        ("/3311/0/5805", b"12.5", 12.5),
        ("/3311/0/5805", b"1e3", 1000.0),
        ("/3311/0/5805", b"-.5", -0.5),
        ("/3311/0/5805", b"42", 42.0),
        ("/5/0/0", b"AQID", b"\x01\x02\x03"),
        ("/3/0/11/0", b"0", 0),
        ("/3/0/22/1", b"3:1", ObjectLink(3, 1)),
        ("/99/0/0", "ünknown".encode(), "ünknown"),
    ],
)
def test_text_decodes_by_resource_type(path, payload, value):
    decoded = decode(payload, TEXT, path)
    assert list(decoded.values()) == [value]
    assert type(decoded[tuple(int(p) for p in path.strip("/").split("/"))]) is type(value)


@pytest.mark.parametrize(
    ("path", "value", "payload"),
    [
        ("/3/0/0", "Open Mobile Alliance", b"Open Mobile Alliance"),
        ("/3/0/9", 100, b"100"),
        ("/3/0/13", datetime(2013, 5, 2, 10, 40, 15, tzinfo=timezone.utc), b"1367491215"),
        ("/3/0/13", 1367491215, b"1367491215"),
        ("/1/0/6", True, b"1"),
        ("/1/0/10", ObjectLink(11, 0), b"11:0"),
        ("/1/0/10", (11, 0), b"11:0"),
        ("/3311/0/5805", 12.5, b"12.5"),
        ("/3311/0/5805", 3, b"3.0"),
        ("/5/0/0", b"\x01\x02\x03", b"AQID"),
    ],
)
def test_text_encodes_by_resource_type(path, value, payload):
    assert encode({path: value}, TEXT, path) == payload


@pytest.mark.parametrize("name", sorted(TYPED_SAMPLES))
def test_text_round_trips_every_type(name):
    path, value = TYPED_SAMPLES[name]
    payload = encode({path: value}, TEXT, path, registry=TEST_REGISTRY)
    assert decode(payload, TEXT, path, registry=TEST_REGISTRY) == {path: value}


@pytest.mark.parametrize(
    ("path", "payload", "message"),
    [
        ("/3/0/9", b"", "not a decimal integer"),
        ("/3/0/9", b"12a", "not a decimal integer"),
        ("/3/0/9", b" 12", "not a decimal integer"),
        ("/3/0/9", b"1_000", "not a decimal integer"),
        ("/3/0/9", "٣".encode(), "not a decimal integer"),
        ("/3/0/9", b"9223372036854775808", "signed 64-bit"),
        ("/3/0/9", b"1" * 41, "not a decimal integer"),
        ("/1/0/11", b"-1", "unsigned"),
        ("/1/0/11", b"18446744073709551616", "unsigned"),
        ("/3311/0/5805", b"nan", "not a decimal number"),
        ("/3311/0/5805", b"inf", "not a decimal number"),
        ("/3311/0/5805", b"1e999", "overflows"),
        ("/3311/0/5805", b"1.2.3", "not a decimal number"),
        ("/1/0/6", b"true", "boolean"),
        ("/1/0/6", b"2", "boolean"),
        ("/1/0/10", b"11", "oid:iid"),
        ("/1/0/10", b"11:65536", "bad object link"),
        ("/1/0/10", b"a:b", "bad object link"),
        ("/5/0/0", b"AQI", "base64"),
        ("/5/0/0", b"AQ$D", "base64"),
        ("/3/0/0", b"\xff\xfe", "not UTF-8"),
        ("/3/0/13", b"99999999999999999", "representable"),
        ("/3/0/4", b"", "executable"),
        ("/3/0", b"x", "resource or resource instance path"),
        ("/3/0/6", b"1", "multiple-instance resource"),
        ("/3/0/9/0", b"1", "single-instance resource"),
    ],
)
def test_text_rejects_malformed_values(path, payload, message):
    with pytest.raises(CodecError, match=message):
        decode(payload, TEXT, path)


def test_text_encode_needs_exactly_the_request_path():
    with pytest.raises(CodecError, match="exactly one value"):
        encode({"/3/0/0": "a", "/3/0/1": "b"}, TEXT, "/3/0")
    with pytest.raises(CodecError, match="exactly one value"):
        encode({}, TEXT, "/3/0/0")
    with pytest.raises(CodecError, match="no text/plain form"):
        encode({"/3311/0/5805": float("nan")}, TEXT, "/3311/0/5805")


def test_opaque_round_trip():
    firmware = bytes(range(256)) * 40
    assert encode({(5, 0, 0): firmware}, OPAQUE, "/5/0/0") == firmware
    assert decode(firmware, OPAQUE, "/5/0/0") == {(5, 0, 0): firmware}
    assert decode(b"", OPAQUE, "/5/0/0") == {(5, 0, 0): b""}
    assert decode(b"\x00", OPAQUE, "/99/0/0") == {(99, 0, 0): b"\x00"}


def test_opaque_only_for_opaque_resources():
    with pytest.raises(CodecError, match="not Opaque"):
        decode(b"x", OPAQUE, "/3/0/0")
    with pytest.raises(CodecError, match="only Opaque"):
        encode({(3, 0, 0): "x"}, OPAQUE, "/3/0/0")
    with pytest.raises(CodecError, match="exactly one value"):
        encode({(5, 0, 0): b"x"}, OPAQUE, "/5/0")
    with pytest.raises(CodecError, match="resource or resource instance"):
        decode(b"x", OPAQUE, "/5/0")
