"""Robustness: whatever bytes arrive, decoders return values or raise CodecError, nothing else."""

from __future__ import annotations

import json
import random
from contextlib import suppress

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipe_sdt.lwm2m import (
    Attributes,
    CodecError,
    decode,
    decode_paths,
    decode_timed,
    encode,
    parse_discover,
    parse_links,
    parse_registration,
)
from tests.lwm2m.lwm2m_fixtures import (
    ACL_TLV,
    DEVICE_LWM2M_JSON,
    DEVICE_SENML_CBOR,
    DEVICE_SENML_JSON,
    DEVICE_TLV,
    LINK_66_TLV,
)

FORMATS = [0, 42, 110, 112, 11542, 11543]
BASES = [
    "/", "/3", "/3/0", "/3/0/0", "/3/0/6", "/3/0/6/1", "/3/0/13", "/3/0/22/0", "/1", "/1/0/1",
    "/3311/0", "/3311/0/5850", "/3311/0/5805", "/5/0/0", "/9/0/5", "/99/0/0",
]
# Valid payloads with the format and request path they answer, so mutations reach deep code.
SEEDS = [
    (DEVICE_TLV, 11542, "/3/0"),
    (ACL_TLV, 11542, "/2"),
    (LINK_66_TLV, 11542, "/66"),
    (DEVICE_SENML_CBOR, 112, "/3/0"),
    (DEVICE_SENML_JSON, 110, "/3/0"),
    (DEVICE_LWM2M_JSON, 11543, "/3/0"),
    (encode({(3311, 0, 5805): 1.5, (1, 0, 10): (11, 0), (5, 0, 0): b"\x00\xff"}, 110, "/"), 110, "/"),
    (encode({(3311, 0, 5805): 1.5, (1, 0, 10): (11, 0), (5, 0, 0): b"\x00\xff"}, 112, "/"), 112, "/"),
    (encode({(3311, 0, 5805): 1.5, (1, 0, 10): (11, 0), (5, 0, 0): b"\x00\xff"}, 11543, "/"), 11543, "/"),
    (b"1367491215", 0, "/3/0/13"),
    (b"12.5e-3", 0, "/3311/0/5805"),
    (b"AQIDBA==", 0, "/5/0/0"),
    (b"11:0", 0, "/1/0/10"),
    (b'</>;rt="oma.lwm2m";ct="110 112",</1>;ver=1.1,</1/0>,</3/0>,</5>,</3311/0>', 40, "/"),
    (b"</3/0>;pmin=10;pmax=60,</3/0/7>;dim=2;gt=50", 40, "/"),
]


def _decode_everything(data: bytes, cf: int, base: str) -> int:
    """How many of the decoders accepted the data."""
    accepted = 0
    for call in (
        lambda: decode(data, cf, base),
        lambda: decode_timed(data, cf, base),
        lambda: decode_paths(data, cf),
        lambda: parse_links(data),
        lambda: parse_registration(data),
        lambda: parse_discover(data),
    ):
        try:
            call()
            accepted += 1
        except CodecError:
            pass
    return accepted


def _mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randrange(1, 5)):
        choice = rng.randrange(4)
        if choice == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice == 1 and data:
            start = rng.randrange(len(data))
            del data[start : start + rng.randrange(1, 8)]
        elif choice == 2:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        else:
            data = data[: rng.randrange(len(data) + 1)]
    return bytes(data)


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_only_raise_codec_error(seed):
    rng = random.Random(seed)
    for _ in range(2000):
        data = rng.randbytes(rng.randrange(24))
        _decode_everything(data, rng.choice(FORMATS), rng.choice(BASES))


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_mutated_valid_payloads_only_raise_codec_error(index):
    payload, cf, base = SEEDS[index]
    rng = random.Random(index)
    assert _decode_everything(payload, cf if cf != 40 else 0, base) >= 1
    accepted = 0
    for _ in range(1000):
        # Mostly the seed's own format and path; sometimes another, to cross the wires.
        other = rng.random() < 0.2
        accepted += _decode_everything(
            _mutate(rng, payload),
            rng.choice(FORMATS) if other or cf == 40 else cf,
            rng.choice(BASES) if other else base,
        )
    # The loop must get past early rejections, or it tests little.
    assert accepted > 20


# Derandomized: the same examples on every run, so CI results repeat; no example database.
FUZZ = settings(deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    json_leaves | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)
senml_keys = st.sampled_from(
    ["bn", "bt", "bv", "bver", "n", "t", "v", "vs", "vb", "vd", "vlo", "u", "x_", "e", "sv", "ov"]
)
name_values = st.sampled_from(["/3/0/", "/3/0/0", "0", "6/0", "/3311/0/5850", "9", "", "/", "x", "/3/0/13", "/1/0/10"])
record_values = st.one_of(name_values, json_values)
records = st.lists(st.dictionaries(senml_keys, record_values, max_size=5), max_size=5)
lwm2m_documents = st.fixed_dictionaries(
    {"e": records}, optional={"bn": st.one_of(name_values, json_values), "bt": json_values}
)
cbor_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(),
    st.text(max_size=8), st.binary(max_size=8),
)
cbor_keys = st.sampled_from([-3, -2, -1, 0, 1, 2, 3, 4, 6, 8, "vlo", "n", 99])
cbor_records = st.lists(st.dictionaries(cbor_keys, st.one_of(name_values, cbor_leaves), max_size=5), max_size=5)


@settings(FUZZ, max_examples=400)
@given(records, st.sampled_from(BASES))
def test_structured_senml_json_only_raises_codec_error(pack, base):
    data = json.dumps(pack).encode()
    for cf in (110, 11543):
        with suppress(CodecError):
            decode(data, cf, base)


@settings(FUZZ, max_examples=300)
@given(lwm2m_documents, st.sampled_from(BASES))
def test_structured_lwm2m_json_only_raises_codec_error(document, base):
    with suppress(CodecError):
        decode(json.dumps(document).encode(), 11543, base)


@settings(FUZZ, max_examples=400)
@given(cbor_records, st.sampled_from(BASES))
def test_structured_senml_cbor_only_raises_codec_error(pack, base):
    with suppress(CodecError):
        decode(cbor2.dumps(pack), 112, base)


@settings(FUZZ, max_examples=400)
@given(st.text(alphabet='<>/;,="\\ 0123456789abcdefptmlrv.\n', max_size=60))
def test_link_format_text_only_raises_codec_error(text):
    for call in (parse_links, parse_registration, parse_discover):
        with suppress(CodecError):
            call(text)


@settings(FUZZ, max_examples=200)
@given(st.lists(st.text(alphabet="pmaxinltgsdv=0123456789.-e", max_size=10), max_size=5))
def test_write_attribute_queries_only_raise_codec_error(queries):
    try:
        attributes, unset = Attributes.from_query(queries)
    except CodecError:
        return
    assert attributes.to_query(unset=sorted(unset)) is not None
