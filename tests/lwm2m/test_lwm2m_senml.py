"""SenML JSON (110), SenML CBOR (112) and LwM2M JSON (11543)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import cbor2
import pytest

from ipe_sdt.lwm2m import (
    CodecError,
    ObjectLink,
    TimedValue,
    decode,
    decode_paths,
    decode_timed,
    encode,
    encode_paths,
    encode_timed,
)
from tests.lwm2m.lwm2m_fixtures import (
    DEVICE_LWM2M_JSON,
    DEVICE_SENML_CBOR,
    DEVICE_SENML_JSON,
    DEVICE_VALUES,
    LINK_65_VALUES,
    LINK_66_VALUES,
    TEST_REGISTRY,
    TYPED_SAMPLES,
)

SENML_JSON = 110
SENML_CBOR = 112
LWM2M_JSON = 11543
TIMED_FORMATS = [SENML_JSON, SENML_CBOR, LWM2M_JSON]


def test_device_example_senml_cbor_is_byte_exact():
    assert decode(DEVICE_SENML_CBOR, SENML_CBOR, "/3/0") == DEVICE_VALUES
    assert encode(DEVICE_VALUES, SENML_CBOR, "/3/0") == DEVICE_SENML_CBOR


def test_device_example_senml_json():
    assert decode(DEVICE_SENML_JSON, SENML_JSON, "/3/0") == DEVICE_VALUES
    assert json.loads(encode(DEVICE_VALUES, SENML_JSON, "/3/0")) == json.loads(DEVICE_SENML_JSON)


def test_device_example_lwm2m_json():
    assert decode(DEVICE_LWM2M_JSON, LWM2M_JSON, "/3/0") == DEVICE_VALUES
    assert json.loads(encode(DEVICE_VALUES, LWM2M_JSON, "/3/0")) == json.loads(DEVICE_LWM2M_JSON)


def test_single_resource_uses_the_whole_path_as_base_name():
    # TS Core 1.1 Table 7.4.4-5.
    payload = b"\x81\xa2\x21\x66/3/0/0\x03\x74Open Mobile Alliance"
    assert encode({(3, 0, 0): "Open Mobile Alliance"}, SENML_CBOR, "/3/0/0") == payload
    assert decode(payload, SENML_CBOR, "/3/0/0") == {(3, 0, 0): "Open Mobile Alliance"}
    assert json.loads(encode({(3, 0, 0): "x"}, SENML_JSON, "/3/0/0")) == [{"bn": "/3/0/0", "vs": "x"}]
    assert json.loads(encode({(3, 0, 0): "x"}, LWM2M_JSON, "/3/0/0")) == {"bn": "/3/0/0", "e": [{"sv": "x"}]}


def test_composite_read_answer_uses_full_names():
    # TS Core 1.1 Table 7.4.4-7: Read-Composite answer, names relative to the root.
    payload = (
        b"\x83\xa2\x00\x66/3/0/0\x03\x74Open Mobile Alliance"
        b"\xa2\x00\x66/3/0/9\x02\x18\x5f"
        b"\xa2\x00\x66/1/0/1\x02\x1a\x00\x01\x51\x80"
    )
    values = {(3, 0, 0): "Open Mobile Alliance", (3, 0, 9): 95, (1, 0, 1): 86400}
    assert decode(payload, SENML_CBOR, "/") == values
    assert decode(encode(values, SENML_CBOR, "/"), SENML_CBOR, "/") == values
    assert json.loads(encode(values, SENML_JSON, "/"))[0] == {"n": "/1/0/1", "v": 86400}


def test_write_composite_of_light_controls():
    # TS Core 1.1 Table 7.4.4-8 (without the 3308 record, which the product does not model).
    payload = (
        b"\x83\xa2\x00\x6c/3311/0/5850\x04\xf4"
        b"\xa2\x00\x6c/3311/1/5850\x04\xf4"
        b"\xa2\x00\x6c/3311/2/5851\x02\x14"
    )
    assert decode(payload, SENML_CBOR, "/") == {(3311, 0, 5850): False, (3311, 1, 5850): False, (3311, 2, 5851): 20}


def test_object_links_in_senml_cbor_use_the_text_key_vlo():
    # TS Core 1.1 Table 7.4.4-4 (the 67 records left out: no model for them here).
    values = {**LINK_65_VALUES, **LINK_66_VALUES}
    payload = encode(values, SENML_CBOR, "/", registry=TEST_REGISTRY)
    records = cbor2.loads(payload)
    assert {0: "/65/0/0/0", "vlo": "66:0"} in records
    assert {0: "/66/1/2", "vlo": "65535:65535"} in records
    assert decode(payload, SENML_CBOR, "/", registry=TEST_REGISTRY) == values
    # Without a model for the object, vlo still says what the value is.
    assert decode(payload, SENML_CBOR, "/")[(66, 0, 2)] == ObjectLink(67, 0)


def test_timestamped_notification_keeps_history_and_decode_keeps_the_newest():
    # TS Core 1.1 Table 7.4.4-3: three readings with base time and negative offsets.
    payload = cbor2.dumps(
        [
            {-2: "/3311/0/", -3: 25462634, 0: "5805", 2: 22.4, 6: -5},
            {0: "5805", 2: 22.9, 6: -30},
            {0: "5805", 2: 24.1, 6: -50},
        ]
    )
    timed = decode_timed(payload, SENML_CBOR, "/3311/0")
    assert timed == [
        TimedValue((3311, 0, 5805), 22.4, 25462629),
        TimedValue((3311, 0, 5805), 22.9, 25462604),
        TimedValue((3311, 0, 5805), 24.1, 25462584),
    ]
    assert decode(payload, SENML_CBOR, "/3311/0") == {(3311, 0, 5805): 22.4}


def test_record_without_time_counts_as_now():
    payload = json.dumps([{"n": "/3/0/9", "v": 10, "t": 1}, {"n": "/3/0/9", "v": 20}, {"n": "/3/0/9", "v": 30, "t": 2}])
    assert decode(payload.encode(), SENML_JSON, "/") == {(3, 0, 9): 20}


@pytest.mark.parametrize("cf", TIMED_FORMATS)
def test_encode_timed_round_trip(cf):
    values = [
        TimedValue((3311, 0, 5805), 22.4, 1700000000),
        TimedValue((3311, 0, 5805), 22.9, 1700000030.5),
        TimedValue((3311, 0, 5850), True, None),
    ]
    payload = encode_timed(values, cf, "/3311/0")
    assert sorted(decode_timed(payload, cf, "/3311/0"), key=repr) == sorted(values, key=repr)


def test_encode_timed_refuses_formats_without_time():
    with pytest.raises(CodecError, match="no timestamps"):
        encode_timed([TimedValue((3, 0, 9), 1, 5)], 11542, "/3/0")
    with pytest.raises(CodecError, match="must be a finite number"):
        encode_timed([TimedValue((3, 0, 9), 1, "now")], SENML_JSON, "/3/0")
    with pytest.raises(CodecError, match="must be a finite number"):
        encode_timed([TimedValue((3, 0, 9), 1, float("nan"))], LWM2M_JSON, "/3/0")
    with pytest.raises(CodecError, match="finite"):
        encode_timed([TimedValue((3, 0, 9), 1, float("nan"))], LWM2M_JSON, "/3/0")


def test_base_name_and_base_time_carry_over_until_redefined():
    payload = json.dumps(
        [
            {"bn": "/3/0/", "bt": 100, "n": "9", "v": 1},
            {"n": "10", "v": 2, "t": 5},
            {"bn": "/3311/0/", "n": "5850", "vb": True},
            {"bn": "", "bt": 0, "n": "/1/0/1", "v": 60},
        ]
    ).encode()
    assert decode_timed(payload, SENML_JSON, "/") == [
        TimedValue((3, 0, 9), 1, 100),
        TimedValue((3, 0, 10), 2, 105),
        TimedValue((3311, 0, 5850), True, 100),
        TimedValue((1, 0, 1), 60, 0),
    ]


def test_base_value_is_added():
    payload = json.dumps([{"bn": "/3/0/", "bv": 100, "n": "9", "v": -1}, {"n": "10", "v": 5}]).encode()
    assert decode(payload, SENML_JSON, "/3/0") == {(3, 0, 9): 99, (3, 0, 10): 105}


def test_multi_instance_resources_in_senml():
    values = {(3, 0, 7, 0): 3800, (3, 0, 7, 1): 5000}
    for cf in TIMED_FORMATS:
        payload = encode(values, cf, "/3/0/7")
        assert decode(payload, cf, "/3/0/7") == values
    assert json.loads(encode(values, SENML_JSON, "/3/0/7")) == [
        {"bn": "/3/0/7/", "n": "0", "v": 3800},
        {"n": "1", "v": 5000},
    ]


def test_opaque_in_senml_json_is_base64url_without_padding():
    data = b"\xfb\xff\xfe"
    payload = encode({(5, 0, 0): data}, SENML_JSON, "/5/0/0")
    assert json.loads(payload) == [{"bn": "/5/0/0", "vd": "-__-"}]
    assert decode(payload, SENML_JSON, "/5/0/0") == {(5, 0, 0): data}
    assert json.loads(encode({(5, 0, 0): b"\x01"}, SENML_JSON, "/5/0/0")) == [{"bn": "/5/0/0", "vd": "AQ"}]
    # Padding and the standard alphabet, which some clients send, are read too.
    assert decode(b'[{"n":"/5/0/0","vd":"+//+"}]', SENML_JSON, "/") == {(5, 0, 0): data}
    assert decode(b'[{"n":"/5/0/0","vd":"AQ=="}]', SENML_JSON, "/") == {(5, 0, 0): b"\x01"}


def test_opaque_in_senml_cbor_is_a_byte_string():
    payload = encode({(5, 0, 0): b"\x00\x01"}, SENML_CBOR, "/5/0/0")
    assert cbor2.loads(payload) == [{-2: "/5/0/0", 8: b"\x00\x01"}]


def test_opaque_in_lwm2m_json_is_standard_base64_in_sv():
    payload = encode({(5, 0, 0): b"\xfb\xff\xfe"}, LWM2M_JSON, "/5/0/0")
    assert json.loads(payload) == {"bn": "/5/0/0", "e": [{"sv": base64.b64encode(b"\xfb\xff\xfe").decode()}]}
    assert decode(payload, LWM2M_JSON, "/5/0/0") == {(5, 0, 0): b"\xfb\xff\xfe"}


def test_lwm2m_json_labels():
    payload = json.dumps(
        {
            "bn": "/",
            "bt": 1000,
            "e": [
                {"n": "1/0/6", "bv": True},
                {"n": "1/0/10", "ov": "11:0"},
                {"n": "3/0/13", "v": 1367491215},
                {"n": "3311/0/5805", "v": 1.5, "t": -10},
            ],
        }
    ).encode()
    assert decode_timed(payload, LWM2M_JSON, "/") == [
        TimedValue((1, 0, 6), True, 1000),
        TimedValue((1, 0, 10), ObjectLink(11, 0), 1000),
        TimedValue((3, 0, 13), datetime(2013, 5, 2, 10, 40, 15, tzinfo=timezone.utc), 1000),
        TimedValue((3311, 0, 5805), 1.5, 990),
    ]


@pytest.mark.parametrize("cf", TIMED_FORMATS)
@pytest.mark.parametrize("name", sorted(TYPED_SAMPLES))
def test_every_type_round_trips(cf, name):
    path, value = TYPED_SAMPLES[name]
    for base in (path, path[:2], ()):
        payload = encode({path: value}, cf, base, registry=TEST_REGISTRY)
        decoded = decode(payload, cf, base, registry=TEST_REGISTRY)
        assert decoded == {path: value}
        assert type(decoded[path]) is type(value)


@pytest.mark.parametrize("cf", [SENML_JSON, SENML_CBOR])
def test_unknown_resources_keep_the_type_the_label_gives(cf):
    values = {
        (99, 0, 0): "text",
        (99, 0, 1): 7,
        (99, 0, 2): 7.5,
        (99, 0, 3): True,
        (99, 0, 4): b"\x00",
        (99, 0, 5): ObjectLink(1, 2),
    }
    assert decode(encode(values, cf, "/99/0"), cf, "/99/0") == values


def test_composite_path_lists():
    paths = [(3, 0, 0), (3, 0, 9), (1, 0, 1), (3311,), ()]
    for cf in (SENML_JSON, SENML_CBOR):
        payload = encode_paths(paths, cf)
        assert decode_paths(payload, cf) == paths
    # TS Core 1.1 Table 7.4.4-6.
    payload = b"\x83\xa1\x00\x66/3/0/0\xa1\x00\x66/3/0/9\xa1\x00\x66/1/0/1"
    assert encode_paths(["/3/0/0", "/3/0/9", "/1/0/1"], SENML_CBOR) == payload
    assert json.loads(encode_paths([(3, 0, 0)], SENML_JSON)) == [{"n": "/3/0/0"}]
    with pytest.raises(CodecError, match="has a value"):
        decode_paths(b'[{"n":"/3/0/0","v":1}]', SENML_JSON)
    with pytest.raises(CodecError, match="SenML JSON or CBOR"):
        encode_paths([(3, 0, 0)], 11542)
    with pytest.raises(CodecError, match="SenML JSON or CBOR"):
        decode_paths(b"", 0)


@pytest.mark.parametrize(
    ("payload", "base", "message"),
    [
        (b"", "/3/0", "invalid SenML JSON"),
        (b"[", "/3/0", "invalid SenML JSON"),
        (b"{}", "/3/0", "array of records"),
        (b"[1]", "/3/0", "must be objects"),
        (b'[{"n":"/3/0/9","v":NaN}]', "/", "invalid SenML JSON"),
        (b'[{"n":"/3/0/9","v":1e999}]', "/", "invalid SenML JSON|finite|out of range|integer"),
        (b'[{"n":"/3/0/9","v":99999999999999999999999}]', "/", "out of range"),
        (b'[{"v":1}]', "/", "no name"),
        (b'[{"n":"/3/0/9"}]', "/", "no value"),
        (b'[{"n":"/3/0/9","v":1,"vs":"1"}]', "/", "several values"),
        (b'[{"n":"/3/0/9","vs":"1"}]', "/", "expected 'v'"),
        (b'[{"n":"/3/0/0","v":1}]', "/", "expected 'vs'"),
        (b'[{"n":"/3/0/9","v":1.5}]', "/", "not an integer"),
        (b'[{"n":"/3/0/9","v":"1"}]', "/", "must be a number"),
        (b'[{"n":"/3/0/9","v":true}]', "/", "must be a number"),
        (b'[{"n":"/3/0/9","v":9223372036854775808}]', "/", "out of range"),
        (b'[{"n":"/1/0/11","v":-1}]', "/", "out of range"),
        (b'[{"n":"/1/0/6","vb":1}]', "/", "must be a boolean"),
        (b'[{"n":"/5/0/0","vd":"!!"}]', "/", "base64url"),
        (b'[{"n":"/5/0/0","vd":"A"}]', "/", "truncated"),
        (b'[{"n":"/5/0/0","vd":5}]', "/", "base64url"),
        (b'[{"n":"/1/0/10","vlo":"1"}]', "/", "oid:iid"),
        (b'[{"n":"/1/0/10","vlo":5}]', "/", "must be a string"),
        (b'[{"n":5,"v":1}]', "/", "must be a string"),
        (b'[{"bn":"3/0/","n":"9","v":1}]', "/", "must start with"),
        (b'[{"n":"/3/0/x","v":1}]', "/", "bad LwM2M path segment"),
        (b'[{"n":"/3/0/9/0/1","v":1}]', "/", "more than 4 levels"),
        (b'[{"n":"/3/0","v":1}]', "/", "resource or resource instance path"),
        (b'[{"n":"/3/0/6","v":1}]', "/", "multiple-instance resource"),
        (b'[{"n":"/3/0/9/1","v":1}]', "/", "single-instance resource"),
        (b'[{"n":"/3/0/9","v":1}]', "/3/1", "outside the request path"),
        (b'[{"n":"/3/0/4","v":1}]', "/", "executable"),
        (b'[{"n":"/3/0/9","v":1,"t":"now"}]', "/", "must be a number"),
        (b'[{"bn":"/3/0/","bt":"x","n":"9","v":1}]', "/", "must be a number"),
        (b'[{"n":"/3/0/9","v":1,"bver":11}]', "/", "newer"),
        (b'[{"n":"/3/0/9","v":1,"bver":"x"}]', "/", "bver"),
        (b'[{"n":"/3/0/9","v":1,"foo_":1}]', "/", "must be understood"),
        (b'[{"n":"/3/0/13","v":1e300}]', "/", "out of range"),
        (b'[{"n":"/3/0/13","v":99999999999999}]', "/", "representable"),
    ],
)
def test_senml_json_malformed(payload, base, message):
    with pytest.raises(CodecError, match=message):
        decode(payload, SENML_JSON, base)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "invalid CBOR"),
        (b"\x81", "invalid CBOR"),
        (b"\xa0", "array of records"),
        (b"\x81\x01", "must be maps"),
        (b"\x80\x00", "after the CBOR data item"),
        (cbor2.dumps([{0: "/3/0/9", 2: "1"}]), "must be a number"),
        (cbor2.dumps([{0: "/5/0/0", 8: "AQ"}]), "must be data"),
        (cbor2.dumps([{0: "/3/0/9", 2: 1, 3: "1"}]), "several values"),
        (cbor2.dumps([{0: "/3/0/9", 2: 2**64}]), "out of range"),
        (cbor2.dumps([{0: "/3/0/9", 2: 2**20000}]), "out of range"),
        (cbor2.dumps([{0: "/3311/0/5805", 2: 2**20000}]), "does not fit a double"),
        (cbor2.dumps([{-3: 1.5, 0: "/3/0/9", 2: 1, 6: 2**20000}]), "number out of range"),
        (cbor2.dumps([{-3: float("inf"), 0: "/3/0/9", 2: 1}]), "finite"),
        (cbor2.dumps([{0: "/3/0/9", 2: float("nan")}]), "not an integer"),
        (cbor2.dumps([{0: "/3/0/9", 2: 1, -1: 2**20000}]), "newer"),
        (cbor2.dumps([{0: "/3/0/13", 2: datetime(2020, 1, 1, tzinfo=timezone.utc)}]), "must be a number"),
        (cbor2.dumps([{0: "/1/0/10", "vlo": b"1:1"}]), "must be a string"),
        (b"\x81\xa2\x00\x66/3/0/9\x02\xc1\xfb\x7f\xf0\x00\x00\x00\x00\x00\x00", "invalid CBOR"),
        (b"\x81" * 1000, "invalid CBOR"),
        (b"\x9b" + b"\xff" * 8, "invalid CBOR"),
    ],
)
def test_senml_cbor_malformed(payload, message):
    with pytest.raises(CodecError, match=message):
        decode(payload, SENML_CBOR, "/")


def test_senml_cbor_ignores_labels_it_does_not_use():
    payload = cbor2.dumps([{0: "/3311/0/5805", 2: 1.5, 1: "Wh", 99: "x", "n": "/9/9/9", b"k": 1, 1.5: 2, None: 3}])
    assert decode(payload, SENML_CBOR, "/") == {(3311, 0, 5805): 1.5}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"[]", "'e' array"),
        (b'{"e":{}}', "'e' array"),
        (b'{"bn":1,"e":[]}', "'bn' must be a string"),
        (b'{"bt":"x","e":[]}', "'bt' must be a number"),
        (b'{"e":[1]}', "must be objects"),
        (b'{"e":[{"n":1,"v":1}]}', "'n' must be a string"),
        (b'{"e":[{"n":"/3/0/9"}]}', "exactly one value"),
        (b'{"e":[{"n":"/3/0/9","v":1,"sv":"1"}]}', "exactly one value"),
        (b'{"e":[{"n":"/3/0/9","v":"1"}]}', "wrong type"),
        (b'{"e":[{"n":"/1/0/6","bv":1}]}', "wrong type"),
        (b'{"e":[{"n":"/3/0/0","v":1}]}', "expected 'vs'"),
        (b'{"e":[{"n":"/5/0/0","sv":"%%"}]}', "not base64"),
        (b'{"e":[{"n":"/5/0/0","sv":1}]}', "base64 string"),
        (b'{"e":[{"n":"/3/0/9","v":1,"t":"x"}]}', "'t' must be a number"),
        (b'{"e":[{"n":"/3/1/9","v":1}]}', "outside"),
        (b'{"e":[{"n":"/1/0/10","ov":"x"}]}', "oid:iid"),
    ],
)
def test_lwm2m_json_malformed(payload, message):
    with pytest.raises(CodecError, match=message):
        decode(payload, LWM2M_JSON, "/3/0" if b"/3/1/" in payload else "/")


@pytest.mark.parametrize("cf", TIMED_FORMATS)
def test_non_finite_floats(cf):
    values = {(3311, 0, 5805): float("inf")}
    if cf == SENML_CBOR:
        assert decode(encode(values, cf, "/3311/0"), cf, "/3311/0") == values
    else:
        with pytest.raises(CodecError, match="cannot carry"):
            encode(values, cf, "/3311/0")
