"""The decode()/encode() entry points: dispatch, paths, value checks, cross-format agreement."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ipe_sdt.lwm2m import (
    SUPPORTED_FORMATS,
    CodecError,
    ContentFormat,
    ObjectLink,
    content_format,
    decode,
    decode_timed,
    encode,
    format_path,
    parse_path,
)
from tests.lwm2m.lwm2m_fixtures import DEVICE_SENML_CBOR, DEVICE_TLV, DEVICE_VALUES

MULTI_VALUE_FORMATS = [ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_JSON]


def test_content_format_numbers():
    numbers = {cf.name: int(cf) for cf in ContentFormat}
    assert numbers["TEXT"] == 0 and numbers["LINK_FORMAT"] == 40 and numbers["OPAQUE"] == 42
    assert numbers["SENML_JSON"] == 110 and numbers["SENML_CBOR"] == 112
    assert numbers["TLV"] == 11542 and numbers["LWM2M_JSON"] == 11543 and numbers["LWM2M_CBOR"] == 11544
    assert SUPPORTED_FORMATS == {0, 42, 110, 112, 11542, 11543}


def test_legacy_numbers_map_to_their_successors():
    assert content_format(1542) is ContentFormat.TLV
    assert content_format(1543) is ContentFormat.LWM2M_JSON
    assert content_format(1541) is ContentFormat.TEXT
    assert content_format(1544) is ContentFormat.OPAQUE
    assert decode(DEVICE_TLV, 1542, "/3/0") == DEVICE_VALUES


@pytest.mark.parametrize("number", [40, 11544, 50, 60, -1, 65536, "110", None])
def test_unsupported_content_formats(number):
    with pytest.raises(CodecError):
        decode(b"", number, "/3/0")
    with pytest.raises(CodecError):
        encode({}, number, "/3/0")


@pytest.mark.parametrize("cf", MULTI_VALUE_FORMATS)
def test_device_instance_agrees_across_formats(cf):
    payload = encode(DEVICE_VALUES, cf, "/3/0")
    assert decode(payload, cf, "/3/0") == DEVICE_VALUES
    assert decode(payload, cf, (3, 0)) == DEVICE_VALUES


@pytest.mark.parametrize("cf", MULTI_VALUE_FORMATS)
def test_whole_object_with_several_instances(cf):
    values = {
        (3311, 0, 5850): True, (3311, 0, 5851): 80, (3311, 0, 5706): "#FFAA00",
        (3311, 1, 5850): False, (3311, 1, 5805): 12.25,
        (3311, 7, 5852): 3600,
    }
    payload = encode(values, cf, "/3311")
    assert decode(payload, cf, "/3311") == values


@pytest.mark.parametrize("cf", MULTI_VALUE_FORMATS)
def test_times_with_offsets_come_back_in_utc(cf):
    local = datetime(2024, 6, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    decoded = decode(encode({(3, 0, 13): local}, cf, "/3/0"), cf, "/3/0")[(3, 0, 13)]
    assert decoded == local and decoded.utcoffset() == timedelta(0)


def test_string_paths_and_tuple_paths_are_interchangeable():
    assert encode({"/3/0/9": 5}, 11542, "/3/0") == encode({(3, 0, 9): 5}, 11542, (3, 0))
    assert parse_path("/3/0/7/1") == (3, 0, 7, 1)
    assert parse_path("/3/0/") == (3, 0)
    assert parse_path("/") == ()
    assert format_path((3, 0, 7, 1)) == "/3/0/7/1"
    assert format_path(()) == "/"


@pytest.mark.parametrize(
    "path",
    ["", "3/0", "//3", "/3//0", "/a", "/-1", "/65536", "/1/2/3/4/5", "/٣", "/3 ", "/000001"],
)
def test_bad_paths(path):
    with pytest.raises(CodecError):
        parse_path(path)
    with pytest.raises(CodecError):
        decode(b"", 11542, path)


@pytest.mark.parametrize("path", [(3, -1), (3, 65536), (3, "0"), (3, True), [3, 0], (1, 2, 3, 4, 5)])
def test_bad_tuple_paths(path):
    with pytest.raises(CodecError):
        encode({}, 11542, path)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({(3, 0, 9): "100"}, "Integer value cannot be a str"),
        ({(3, 0, 9): True}, "Integer value cannot be a bool"),
        ({(3, 0, 9): 1.0}, "Integer value cannot be a float"),
        ({(3, 0, 9): 2**63}, "signed 64 bits"),
        ({(1, 0, 11): -1}, "unsigned"),
        ({(1, 0, 6): 1}, "Boolean value cannot be a int"),
        ({(3, 0, 0): b"x"}, "String value cannot be a bytes"),
        ({(3, 0, 13): datetime(2020, 1, 1)}, "timezone-aware"),
        ({(3, 0, 13): "2020-01-01"}, "Time value cannot be a str"),
        ({(3, 0, 13): 2**63}, "64 bits"),
        ({(1, 0, 10): (1, 2, 3)}, "Objlnk value cannot be a tuple"),
        ({(1, 0, 10): (1, 65536)}, "0..65535"),
        ({(1, 0, 10): "1:2"}, "Objlnk value cannot be a str"),
        ({(3311, 0, 5805): "1.5"}, "Float value cannot be a str"),
        ({(3311, 0, 5805): 10**400}, "does not fit a float"),
        ({(5, 0, 0): "firmware"}, "Opaque value cannot be a str"),
        ({(3, 0, 4): b""}, "executable"),
        ({(3, 0, 6): 1}, "multiple-instance resource"),
        ({(3, 0, 9, 0): 1}, "single-instance resource"),
        ({(3, 0): 1}, "resource or resource instance path"),
        ({(99, 0, 1): [1]}, "cannot encode a list"),
        ({(99, 0, 1): None}, "cannot encode a NoneType"),
        ({(99, 0, 1): 2**64}, "unsigned integer"),
        ({(99, 0, 1): 5, (99, 0, 1, 0): 6}, "both as a resource and as resource instances"),
        ({(3, 0, 9): 1, "/3/0/9": 2}, "given twice"),
        ({(4, 0, 0): 1}, "not under"),
    ],
)
def test_encode_checks_values_against_the_model(values, message):
    first = next(iter(values))
    base = "/3/0" if message == "not under" else f"/{first[0] if isinstance(first, tuple) else 3}"
    for cf in (11542, 110, 112, 11543):
        with pytest.raises(CodecError, match=message):
            encode(values, cf, base)


def test_encode_takes_only_mappings():
    with pytest.raises(CodecError, match="mapping"):
        encode([((3, 0, 9), 1)], 11542, "/3/0")


@pytest.mark.parametrize("payload", ["text", 5, None, [1, 2]])
def test_decode_takes_only_bytes(payload):
    with pytest.raises(CodecError, match="must be bytes"):
        decode(payload, 11542, "/3/0")


def test_bytearray_and_memoryview_payloads():
    assert decode(bytearray(DEVICE_TLV), 11542, "/3/0") == DEVICE_VALUES
    assert decode(memoryview(DEVICE_SENML_CBOR), 112, "/3/0") == DEVICE_VALUES


@pytest.mark.parametrize("cf", MULTI_VALUE_FORMATS)
@pytest.mark.parametrize(
    ("path", "given", "decoded"),
    [
        ((3311, 0, 5805), 5, 5.0),
        ((1, 0, 10), (11, 0), ObjectLink(11, 0)),
        ((5, 0, 0), bytearray(b"ab"), b"ab"),
        ((5, 0, 0), memoryview(b"ab"), b"ab"),
        ((3, 0, 13), 0, datetime(1970, 1, 1, tzinfo=timezone.utc)),
    ],
)
def test_encoders_accept_equivalent_python_values(cf, path, given, decoded):
    result = decode(encode({path: given}, cf, path[:2]), cf, path[:2])
    assert result == {path: decoded}
    assert type(result[path]) is type(decoded)


def test_decode_timed_on_plain_formats_has_no_times():
    timed = decode_timed(DEVICE_TLV, 11542, "/3/0")
    assert [item.path for item in timed] == list(DEVICE_VALUES)
    assert {item.time for item in timed} == {None}
