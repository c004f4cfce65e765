"""OMA TLV: the spec's byte-exact examples, header layouts, every value type, malformed input."""

from __future__ import annotations

import struct

import pytest

from ipe_sdt.lwm2m import CodecError, ObjectLink, ResourceType, decode, encode
from ipe_sdt.lwm2m.tlv import Tlv, TlvKind, decode_value, encode_value, parse_tlvs, serialize_tlvs
from tests.lwm2m.lwm2m_fixtures import (
    ACL_TLV,
    ACL_VALUES,
    DEVICE_TLV,
    DEVICE_VALUES,
    LINK_65_TLV,
    LINK_65_VALUES,
    LINK_66_TLV,
    LINK_66_VALUES,
    SERVER_TLV,
    SERVER_VALUES,
    TEST_REGISTRY,
    TYPED_SAMPLES,
    hexbytes,
)

TLV = 11542


@pytest.mark.parametrize(
    ("payload", "base", "values"),
    [
        pytest.param(DEVICE_TLV, "/3/0", DEVICE_VALUES, id="device-instance"),
        pytest.param(SERVER_TLV, "/1", SERVER_VALUES, id="server-object"),
        pytest.param(ACL_TLV, "/2", ACL_VALUES, id="acl-two-instances"),
        pytest.param(LINK_65_TLV, "/65/0", LINK_65_VALUES, id="objlnk-instance"),
        pytest.param(LINK_66_TLV, "/66", LINK_66_VALUES, id="objlnk-object"),
    ],
)
def test_spec_examples_decode_and_encode_byte_exact(payload, base, values):
    decoded = decode(payload, TLV, base, registry=TEST_REGISTRY)
    assert decoded == values
    assert list(decoded) == list(values)  # payload order is path order in these examples
    assert encode(values, TLV, base, registry=TEST_REGISTRY) == payload


def test_device_example_values_are_typed():
    decoded = decode(DEVICE_TLV, TLV, "/3/0")
    assert type(decoded[(3, 0, 9)]) is int
    assert decoded[(3, 0, 13)].timestamp() == 1367491215


def test_encode_sorts_paths_so_dict_order_does_not_matter():
    shuffled = dict(reversed(list(DEVICE_VALUES.items())))
    assert encode(shuffled, TLV, "/3/0") == DEVICE_TLV


def test_unknown_objects_decode_to_raw_bytes():
    assert decode(ACL_TLV, TLV, "/2") == {
        (2, 0, 0): b"\x01", (2, 0, 1): b"\x00", (2, 0, 2, 127): b"\x07", (2, 0, 3): b"\x7f",
        (2, 2, 0): b"\x03", (2, 2, 1): b"\x00", (2, 2, 2, 127): b"\x07", (2, 2, 2, 310): b"\x01",
        (2, 2, 3): b"\x7f",
    }


def test_single_resource_read():
    payload = hexbytes("C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65")
    assert decode(payload, TLV, "/3/0/0") == {(3, 0, 0): "Open Mobile Alliance"}
    assert encode({(3, 0, 0): "Open Mobile Alliance"}, TLV, "/3/0/0") == payload


def test_multiple_resource_read_and_write():
    payload = hexbytes("86 06 41 00 01 41 01 05")
    values = {(3, 0, 6, 0): 1, (3, 0, 6, 1): 5}
    assert decode(payload, TLV, "/3/0/6") == values
    assert encode(values, TLV, "/3/0/6") == payload
    # Bare resource instances (no multiple-resource wrapper) are accepted for a resource path.
    assert decode(hexbytes("41 00 01 41 01 05"), TLV, "/3/0/6") == values


def test_empty_multiple_resource_round_trip():
    # 0x80: multiple resource, 8-bit id, no length field, inline length 0.
    assert encode({}, TLV, "/3/0/6") == b"\x80\x06"
    assert decode(b"\x80\x06", TLV, "/3/0/6") == {}


def test_resource_instance_read():
    assert decode(hexbytes("41 01 05"), TLV, "/3/0/6/1") == {(3, 0, 6, 1): 5}
    assert encode({(3, 0, 6, 1): 5}, TLV, "/3/0/6/1") == hexbytes("41 01 05")


def test_instance_payload_wrapped_in_its_object_instance_is_accepted():
    inner = hexbytes("C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55")
    assert decode(SERVER_TLV, TLV, "/1/0") == SERVER_VALUES
    assert decode(inner, TLV, "/1/0") == SERVER_VALUES
    with pytest.raises(CodecError, match="answers"):
        decode(SERVER_TLV, TLV, "/1/1")


def test_single_instance_object_without_instance_wrapper_is_instance_zero():
    payload = hexbytes("C1 09 64 C1 0A 0F")
    assert decode(payload, TLV, "/3") == {(3, 0, 9): 100, (3, 0, 10): 15}
    with pytest.raises(CodecError, match="object instances"):
        decode(hexbytes("C1 00 01"), TLV, "/1")  # /1 has multiple instances


def test_object_level_encode_wraps_each_instance():
    values = {(3311, 0, 5850): True, (3311, 1, 5850): False, (3311, 1, 5851): 20}
    payload = encode(values, TLV, "/3311")
    assert payload == hexbytes("04 00 E1 16 DA 01  08 01 08 E1 16 DA 00 E1 16 DB 14")
    assert decode(payload, TLV, "/3311") == values


@pytest.mark.parametrize(
    ("length", "header"),
    [
        (0, "C0 00"),
        (7, "C7 00"),
        (8, "C8 00 08"),
        (255, "C8 00 FF"),
        (256, "D0 00 01 00"),
        (65535, "D0 00 FF FF"),
        (65536, "D8 00 01 00 00"),
    ],
)
def test_length_field_sizes(length, header):
    value = bytes(length)
    payload = encode({(5, 0, 0): value}, TLV, "/5/0/0")
    assert payload == hexbytes(header) + value
    assert decode(payload, TLV, "/5/0/0") == {(5, 0, 0): value}


def test_sixteen_bit_identifiers():
    payload = encode({(3311, 0, 5850): True}, TLV, "/3311/0/5850")
    assert payload == hexbytes("E1 16 DA 01")
    assert decode(payload, TLV, "/3311/0/5850") == {(3311, 0, 5850): True}
    instance = Tlv(TlvKind.OBJECT_INSTANCE, 300, children=(Tlv(TlvKind.RESOURCE, 0, b"\x01"),))
    assert serialize_tlvs([instance]) == hexbytes("23 01 2C C1 00 01")
    assert parse_tlvs(hexbytes("23 01 2C C1 00 01")) == [instance]


def test_non_minimal_headers_are_accepted():
    # 16-bit id for a small id and a 16-bit length where 3 inline bits would do.
    assert decode(hexbytes("F0 00 09 00 01 64"), TLV, "/3/0/9") == {(3, 0, 9): 100}


def test_too_long_value_cannot_be_encoded():
    with pytest.raises(CodecError, match="24-bit"):
        serialize_tlvs([Tlv(TlvKind.RESOURCE, 0, bytes(0x1000000))])


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        (0, "00"), (127, "7F"), (-128, "80"), (128, "00 80"), (-129, "FF 7F"), (32767, "7F FF"),
        (32768, "00 00 80 00"), (-(2**31), "80 00 00 00"), (2**31, "00 00 00 00 80 00 00 00"),
        (-(2**63), "80 00 00 00 00 00 00 00"), (2**63 - 1, "7F FF FF FF FF FF FF FF"),
    ],
)
def test_integer_sizes(value, raw):
    assert encode_value(ResourceType.INTEGER, value) == hexbytes(raw)
    assert decode_value(hexbytes(raw), ResourceType.INTEGER) == value


@pytest.mark.parametrize(
    ("value", "raw"),
    [(0, "00"), (255, "FF"), (256, "01 00"), (65535, "FF FF"), (2**32 - 1, "FF FF FF FF"), (2**64 - 1, "FF" * 8)],
)
def test_unsigned_integer_sizes(value, raw):
    assert encode_value(ResourceType.UNSIGNED_INTEGER, value) == hexbytes(raw)
    assert decode_value(hexbytes(raw), ResourceType.UNSIGNED_INTEGER) == value


def test_float_uses_four_bytes_only_when_lossless():
    assert encode_value(ResourceType.FLOAT, 0.5) == struct.pack(">f", 0.5)
    assert encode_value(ResourceType.FLOAT, 0.1) == struct.pack(">d", 0.1)
    assert encode_value(ResourceType.FLOAT, 1e300) == struct.pack(">d", 1e300)
    assert decode_value(struct.pack(">f", 0.5), ResourceType.FLOAT) == 0.5
    assert decode_value(struct.pack(">d", 0.1), ResourceType.FLOAT) == 0.1


def test_objlnk_and_boolean_and_time_raw_forms():
    assert encode_value(ResourceType.OBJLNK, ObjectLink(66, 1)) == hexbytes("00 42 00 01")
    assert encode_value(ResourceType.BOOLEAN, True) == b"\x01"
    assert encode_value(ResourceType.TIME, 1367491215) == hexbytes("51 82 42 8F")


@pytest.mark.parametrize("name", sorted(TYPED_SAMPLES))
def test_every_type_round_trips(name):
    path, value = TYPED_SAMPLES[name]
    for base in (path, path[:3], path[:2], path[:1]):
        payload = encode({path: value}, TLV, base, registry=TEST_REGISTRY)
        assert decode(payload, TLV, base, registry=TEST_REGISTRY) == {path: value}


@pytest.mark.parametrize(
    ("payload", "base", "message"),
    [
        ("C8", "/3/0", "truncated"),
        ("C8 00", "/3/0", "truncated"),
        ("E8 00", "/3/0", "truncated"),
        ("D0 00 01", "/3/0", "truncated"),
        ("C8 00 14 4F 70", "/3/0", "declares 20 bytes"),
        ("C3 00 31", "/3/0", "declares 3 bytes"),
        ("86 06 41 00", "/3/0", "declares"),
        ("83 06 C1 00 01", "/3/0", "cannot sit inside"),
        ("08 00 03 08 00 00", "/3", "cannot sit inside"),
        ("08 00 03 41 00 01", "/3", "cannot sit inside"),
        ("41 00 01", "/3/0", "cannot sit in object instance"),
        ("C1 09 64 C1 09 64", "/3/0", "twice"),
        ("08 00 00 08 00 00", "/3", "twice"),
        ("86 06 41 00 01 41 00 01", "/3/0", "twice"),
        ("C1 09 64", "/3/0/10", "answers"),
        ("C1 09 64 C1 0A 0F", "/3/0/9", "holds 2 entries"),
        ("41 00 01", "/3/0/6/1", "answers"),
        ("C1 06 01", "/3/0/6/1", "exactly one resource instance"),
        ("", "/3/0/6/1", "exactly one resource instance"),
        ("C1 06 01", "/3/0", "multiple-instance resource"),
        ("80 09", "/3/0", "single-instance resource"),
        ("83 09 41 00 64", "/3/0", "single-instance resource"),
        ("C3 09 00 00 01", "/3/0", "integer of 3 bytes"),
        ("C0 09", "/3/0", "integer of 0 bytes"),
        ("C2 00 C3 28", "/3/0", "not UTF-8"),
        ("E1 16 DA 02", "/3311/0", "boolean"),
        ("E3 16 DA 00 00 00", "/3311/0", "boolean"),
        ("E3 16 AD 00 00 00", "/3311/0", "float of 3 bytes"),
        ("C3 05 00 00 00", "/9/0", "object link of 3 bytes"),
        ("C1 04 00", "/3/0", "executable"),
        ("C3 0D 00 00 00", "/3/0", "integer of 3 bytes"),
        ("C8 0D 08 7F FF FF FF FF FF FF FF", "/3/0", "outside the representable range"),
        ("C1 00 01", "/", "root"),
    ],
)
def test_malformed_payloads_raise_codec_error(payload, base, message):
    with pytest.raises(CodecError, match=message):
        decode(hexbytes(payload), TLV, base)


def test_encode_rejects_bad_requests():
    with pytest.raises(CodecError, match="root"):
        encode({(3, 0, 0): "x"}, TLV, "/")
    with pytest.raises(CodecError, match="exactly one value"):
        encode({}, TLV, "/3/0/6/0")
    with pytest.raises(CodecError, match="no value"):
        encode({}, TLV, "/3/0/0")
    with pytest.raises(CodecError, match="not under"):
        encode({(3, 0, 0): "x"}, TLV, "/3/1")
