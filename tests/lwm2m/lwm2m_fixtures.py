"""Shared test data: payloads from the OMA LwM2M Core TS examples and a test registry."""

from __future__ import annotations

from datetime import datetime, timezone

from ipe_sdt.lwm2m import DEFAULT_REGISTRY, ObjectDef, ObjectLink, Operations, ResourceDef, ResourceType


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


# TS Core (1.0 section 6.4.3.1, 1.1 section 7.4.3): Read /3/0 answered in TLV.
DEVICE_TLV = hexbytes(
    """
    C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
    C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
    C8 02 09 33 34 35 30 30 30 31 32 33
    C3 03 31 2E 30
    86 06
        41 00 01
        41 01 05
    88 07 08
        42 00 0E D8
        42 01 13 88
    87 08
        41 00 7D
        42 01 03 84
    C1 09 64
    C1 0A 0F
    83 0B
        41 00 00
    C4 0D 51 82 42 8F
    C6 0E 2B 30 32 3A 30 30
    C1 10 55
    """
)

DEVICE_VALUES = {
    (3, 0, 0): "Open Mobile Alliance",
    (3, 0, 1): "Lightweight M2M Client",
    (3, 0, 2): "345000123",
    (3, 0, 3): "1.0",
    (3, 0, 6, 0): 1,
    (3, 0, 6, 1): 5,
    (3, 0, 7, 0): 3800,
    (3, 0, 7, 1): 5000,
    (3, 0, 8, 0): 125,
    (3, 0, 8, 1): 900,
    (3, 0, 9): 100,
    (3, 0, 10): 15,
    (3, 0, 11, 0): 0,
    (3, 0, 13): datetime(2013, 5, 2, 10, 40, 15, tzinfo=timezone.utc),  # 1367491215
    (3, 0, 14): "+02:00",
    (3, 0, 16): "U",
}

# TS Core 1.1 Table 7.4.4-2: the same instance in SenML CBOR, byte for byte.
DEVICE_SENML_CBOR = (
    b"\x90\xa3\x21\x65/3/0/\x00\x610\x03\x74Open Mobile Alliance"
    b"\xa2\x00\x611\x03\x76Lightweight M2M Client"
    b"\xa2\x00\x612\x03\x69345000123"
    b"\xa2\x00\x613\x03\x631.0"
    b"\xa2\x00\x636/0\x02\x01"
    b"\xa2\x00\x636/1\x02\x05"
    b"\xa2\x00\x637/0\x02\x19\x0e\xd8"
    b"\xa2\x00\x637/1\x02\x19\x13\x88"
    b"\xa2\x00\x638/0\x02\x18\x7d"
    b"\xa2\x00\x638/1\x02\x19\x03\x84"
    b"\xa2\x00\x619\x02\x18\x64"
    b"\xa2\x00\x6210\x02\x0f"
    b"\xa2\x00\x6411/0\x02\x00"
    b"\xa2\x00\x6213\x02\x1a\x51\x82\x42\x8f"
    b"\xa2\x00\x6214\x03\x66+02:00"
    b"\xa2\x00\x6216\x03\x61U"
)

# TS Core 1.1 section 7.4.4: the same instance in SenML JSON.
DEVICE_SENML_JSON = b"""[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},
{"n":"1","vs":"Lightweight M2M Client"},
{"n":"2","vs":"345000123"},
{"n":"3","vs":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","vs":"+02:00"},
{"n":"16","vs":"U"}]"""

# TS Core 1.0 section 6.4.4: the same instance in LwM2M JSON (11543).
DEVICE_LWM2M_JSON = b"""{"bn":"/3/0/",
"e":[
{"n":"0","sv":"Open Mobile Alliance"},
{"n":"1","sv":"Lightweight M2M Client"},
{"n":"2","sv":"345000123"},
{"n":"3","sv":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","sv":"+02:00"},
{"n":"16","sv":"U"}]
}"""

# TS Core 1.0 section 6.4.3.2: Read /1 with one Server instance.
SERVER_TLV = hexbytes("08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55")
SERVER_VALUES = {(1, 0, 0): 1, (1, 0, 1): 86400, (1, 0, 6): True, (1, 0, 7): "U"}

# TS Core 1.0 section 6.4.3.2: Read /2 (Access Control) with two instances; 16-bit ids inside.
ACL_TLV = hexbytes(
    """
    08 00 0E  C1 00 01  C1 01 00  83 02 41 7F 07  C1 03 7F
    08 02 12  C1 00 03  C1 01 00  87 02 41 7F 07 61 01 36 01  C1 03 7F
    """
)
ACL_VALUES = {
    (2, 0, 0): 1, (2, 0, 1): 0, (2, 0, 2, 127): 7, (2, 0, 3): 127,
    (2, 2, 0): 3, (2, 2, 1): 0, (2, 2, 2, 127): 7, (2, 2, 2, 310): 1, (2, 2, 3): 127,
}

# TS Core 1.0 section 6.4.3.3: object links, in the spec's hypothetical objects 65 and 66.
# (The published example says 0x23 for the instance lengths; the contents are 0x26 bytes.)
LINK_65_TLV = hexbytes(
    """
    88 00 0C  44 00 00 42 00 00  44 01 00 42 00 01
    C8 01 0D 38 36 31 33 38 30 30 37 35 35 35 30 30
    C4 02 12 34 56 78
    """
)
LINK_65_VALUES = {
    (65, 0, 0, 0): ObjectLink(66, 0),
    (65, 0, 0, 1): ObjectLink(66, 1),
    (65, 0, 1): "8613800755500",
    (65, 0, 2): ObjectLink(0x1234, 0x5678),
}
LINK_66_TLV = hexbytes(
    """
    08 00 26
        C8 00 0B 6D 79 53 65 72 76 69 63 65 20 31
        C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 34
        C4 02 00 43 00 00
    08 01 26
        C8 00 0B 6D 79 53 65 72 76 69 63 65 20 32
        C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 35
        C4 02 FF FF FF FF
    """
)
LINK_66_VALUES = {
    (66, 0, 0): "myService 1",
    (66, 0, 1): "Internet.15.234",
    (66, 0, 2): ObjectLink(67, 0),
    (66, 1, 0): "myService 2",
    (66, 1, 1): "Internet.15.235",
    (66, 1, 2): ObjectLink(65535, 65535),
}


def _res(rid: int, rtype: ResourceType, multiple: bool = False, ops: Operations = Operations.RW) -> ResourceDef:
    return ResourceDef(rid, f"r{rid}", ops, multiple, False, rtype)


# Objects the spec examples use but the product does not ship, plus one object with a
# resource of every type for round trips.
ACL = ObjectDef(2, "Access Control", "1.0", "1.0", "urn:oma:lwm2m:oma:2", True, False, (
    _res(0, ResourceType.INTEGER), _res(1, ResourceType.INTEGER),
    _res(2, ResourceType.INTEGER, multiple=True), _res(3, ResourceType.INTEGER),
))
OBJ_65 = ObjectDef(65, "Example 65", "1.0", "1.0", "", True, False, (
    _res(0, ResourceType.OBJLNK, multiple=True), _res(1, ResourceType.STRING), _res(2, ResourceType.OBJLNK),
))
OBJ_66 = ObjectDef(66, "Example 66", "1.0", "1.0", "", True, False, (
    _res(0, ResourceType.STRING), _res(1, ResourceType.STRING), _res(2, ResourceType.OBJLNK),
))
ALL_TYPES = ObjectDef(30000, "All types", "1.0", "1.1", "", True, False, (
    _res(0, ResourceType.STRING),
    _res(1, ResourceType.INTEGER),
    _res(2, ResourceType.UNSIGNED_INTEGER),
    _res(3, ResourceType.FLOAT),
    _res(4, ResourceType.BOOLEAN),
    _res(5, ResourceType.OPAQUE),
    _res(6, ResourceType.TIME),
    _res(7, ResourceType.OBJLNK),
    _res(8, ResourceType.CORELNK),
    _res(9, ResourceType.NONE, ops=Operations.E),
    _res(10, ResourceType.INTEGER, multiple=True),
    _res(11, ResourceType.STRING, multiple=True),
))
TEST_REGISTRY = DEFAULT_REGISTRY.extended([ACL, OBJ_65, OBJ_66, ALL_TYPES])

T0 = datetime(2024, 2, 29, 12, 0, 1, tzinfo=timezone.utc)

# One value per type, as decoders hand them out (path in ALL_TYPES instance 0).
TYPED_SAMPLES = {
    "string": ((30000, 0, 0), "héllo, wörld ✓"),
    "empty-string": ((30000, 0, 0), ""),
    "integer": ((30000, 0, 1), -1234567890123),
    "integer-min": ((30000, 0, 1), -(2**63)),
    "integer-max": ((30000, 0, 1), 2**63 - 1),
    "unsigned": ((30000, 0, 2), 2**64 - 1),
    "unsigned-zero": ((30000, 0, 2), 0),
    "float": ((30000, 0, 3), 3.141592653589793),
    "float-single": ((30000, 0, 3), -0.5),
    "float-negative-exp": ((30000, 0, 3), 1.5e-300),
    "boolean-true": ((30000, 0, 4), True),
    "boolean-false": ((30000, 0, 4), False),
    "opaque": ((30000, 0, 5), bytes(range(256))),
    "opaque-empty": ((30000, 0, 5), b""),
    "time": ((30000, 0, 6), T0),
    "time-before-epoch": ((30000, 0, 6), datetime(1960, 1, 1, tzinfo=timezone.utc)),
    "objlnk": ((30000, 0, 7), ObjectLink(3, 0)),
    "objlnk-null": ((30000, 0, 7), ObjectLink(65535, 65535)),
    "corelnk": ((30000, 0, 8), "</3/0>;ver=1.1,</5>"),
    "multi-integer": ((30000, 0, 10, 3), 42),
    "multi-string": ((30000, 0, 11, 65535), "last id"),
}
