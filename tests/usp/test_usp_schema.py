"""The generated modules and our own .proto schemas stay wire- and
name-compatible with the published TR-369 1.4 schemas (tests may read the
reference folder; the product never does).

Our .proto files are written by us (own layout and comments), so they are
compared with the reference by the facts they declare, never by text."""

from __future__ import annotations

import re
from enum import IntEnum
from importlib import resources
from pathlib import Path

import google.protobuf
import pytest
from usp_proto_text import parse_proto, parse_proto_text, schema_of_descriptor

from ipe_sdt import usp
from ipe_sdt.usp import generate, usp_msg_1_4_pb2, usp_record_1_4_pb2

REPO = Path(__file__).resolve().parents[2]
# The reference schemas live in shared/ beside the checkout (as in CI).
REFERENCE = REPO.parent / "shared" / "usp"
OURS = REPO / "ipe_sdt" / "usp" / "proto"
PAIRS = [
    ("usp-msg-1-4.proto", usp_msg_1_4_pb2),
    ("usp-record-1-4.proto", usp_record_1_4_pb2),
]


@pytest.mark.parametrize(("name", "module"), PAIRS)
def test_generated_descriptor_matches_reference_schema(name, module):
    reference = parse_proto(REFERENCE / name)
    generated = schema_of_descriptor(module.DESCRIPTOR)
    assert generated.package == reference.package
    assert generated.enums == reference.enums
    assert generated.messages.keys() == reference.messages.keys()
    for message, fields in reference.messages.items():
        assert generated.messages[message] == fields, message


@pytest.mark.parametrize("name", [name for name, _ in PAIRS])
def test_our_proto_declares_the_reference_schema(name):
    # Same facts, whatever the layout: package, messages, enums, oneofs, and
    # per field its name, number, type and label.  Field order inside each
    # message is compared too, so the descriptors list fields as upstream does.
    ours = parse_proto(OURS / name)
    reference = parse_proto(REFERENCE / name)
    assert ours.package == reference.package
    assert ours.enums.keys() == reference.enums.keys()
    for enum, values in reference.enums.items():
        assert list(ours.enums[enum].items()) == list(values.items()), enum
    assert ours.messages.keys() == reference.messages.keys()
    for message, fields in reference.messages.items():
        assert list(ours.messages[message].items()) == list(fields.items()), message


@pytest.mark.parametrize("name", [name for name, _ in PAIRS])
def test_our_proto_header_names_the_specification(name):
    head = (OURS / name).read_text().split("syntax", 1)[0]
    assert "TR-369" in head and "1.4" in head
    assert "Broadband Forum" in head and "BSD-3-Clause" in head
    assert "field numbers" in head


def _comment_lines(text: str) -> set[str]:
    lines = (line.strip() for line in re.findall(r"//(.*)", text))
    # Only sentences count; short tags like "V5" could coincide by chance.
    return {" ".join(line.lower().split()) for line in lines if len(line.split()) >= 3}


@pytest.mark.parametrize("name", [name for name, _ in PAIRS])
def test_our_proto_comments_are_our_own(name):
    ours = _comment_lines((OURS / name).read_text())
    upstream = _comment_lines((REFERENCE / name).read_text())
    assert ours, "our schema should say what each message is for"
    assert not ours & upstream


def test_proto_sources_ship_as_package_data():
    # ipe_sdt/usp/proto is a regular package, so pyproject's "*.proto"
    # package-data pattern picks the schemas up in wheels and sdists.
    assert (generate.PROTO_DIR / "__init__.py").is_file()
    shipped = {p.name for p in resources.files("ipe_sdt.usp.proto").iterdir()}
    assert set(generate.PROTO_FILES) <= shipped


def test_schema_reader_notices_a_changed_field_number():
    # Guards the comparison itself: a one-number edit must be visible.
    text = (REFERENCE / "usp-msg-1-4.proto").read_text()
    edited = text.replace("string msg_id = 1;", "string msg_id = 3;", 1)
    assert edited != text
    schema = parse_proto_text(edited)
    assert schema.messages["usp.Header"]["msg_id"].number == 3
    assert schema != schema_of_descriptor(usp_msg_1_4_pb2.DESCRIPTOR)


def test_reference_schema_sizes_are_plausible():
    # If the reader silently skipped content both sides would still agree.
    msg = parse_proto(REFERENCE / "usp-msg-1-4.proto")
    rec = parse_proto(REFERENCE / "usp-record-1-4.proto")
    assert len(msg.messages) == 80 and len(msg.enums) == 6
    assert sum(len(f) for f in msg.messages.values()) == 205
    assert len(rec.messages) == 8 and len(rec.enums) == 4
    assert msg.messages["usp.Notify"]["on_board_req"].oneof == "notification"
    assert msg.messages["usp.GetResp.ResolvedPathResult"]["result_params"].type == (
        "map<string,string>"
    )


def _enum_values(enum_desc) -> dict[str, int]:
    return {v.name: v.number for v in enum_desc.values}


@pytest.mark.parametrize(
    ("ours", "descriptor", "prefix"),
    [
        (usp.MsgType, usp_msg_1_4_pb2.Header.MsgType.DESCRIPTOR, ""),
        (usp.ParamAccess, usp_msg_1_4_pb2.GetSupportedDMResp.ParamAccessType.DESCRIPTOR, "PARAM_"),
        (usp.ObjAccess, usp_msg_1_4_pb2.GetSupportedDMResp.ObjAccessType.DESCRIPTOR, "OBJ_"),
        (
            usp.ParamValueType,
            usp_msg_1_4_pb2.GetSupportedDMResp.ParamValueType.DESCRIPTOR,
            "PARAM_",
        ),
        (
            usp.ValueChangeType,
            usp_msg_1_4_pb2.GetSupportedDMResp.ValueChangeType.DESCRIPTOR,
            "VALUE_CHANGE_",
        ),
        (usp.CmdType, usp_msg_1_4_pb2.GetSupportedDMResp.CmdType.DESCRIPTOR, "CMD_"),
        (usp.MqttVersion, usp_record_1_4_pb2.MQTTConnectRecord.MQTTVersion.DESCRIPTOR, ""),
    ],
)
def test_python_enums_mirror_protobuf_enums(ours: type[IntEnum], descriptor, prefix):
    expected = {
        name.removeprefix(prefix): number for name, number in _enum_values(descriptor).items()
    }
    assert {m.name: m.value for m in ours} == expected


@pytest.mark.parametrize(
    ("section", "table"),
    [("Request", usp.messages.REQUEST_TYPES), ("Response", usp.messages.RESPONSE_TYPES)],
)
def test_body_classes_sit_in_the_right_oneof_field(section, table):
    oneof_fields = getattr(usp_msg_1_4_pb2, section).DESCRIPTOR.fields_by_name
    for field, cls in table.items():
        assert oneof_fields[field].message_type.name == cls.__name__, field
        # Header.MsgType names abbreviate "protocol" to "proto".
        assert cls.MSG_TYPE.name == field.upper().replace("PROTOCOL", "PROTO"), field


def test_msg_types_are_unique_per_body_class():
    classes = [
        *usp.messages.REQUEST_TYPES.values(),
        *usp.messages.RESPONSE_TYPES.values(),
        usp.Error,
    ]
    assert len({cls.MSG_TYPE for cls in classes}) == len(classes)


def test_gencode_version_is_compatible_with_installed_runtime():
    runtime = tuple(int(x) for x in google.protobuf.__version__.split(".")[:3])
    for _, module in PAIRS:
        header = Path(module.__file__).read_text()
        found = re.search(r"# Protobuf Python Version: (\d+)\.(\d+)\.(\d+)", header)
        assert found, module.__name__
        gencode = tuple(int(x) for x in found.groups())
        # The runtime refuses gencode newer than itself or of another major.
        assert gencode[0] == runtime[0]
        assert gencode <= runtime


def test_generate_script_knows_every_checked_in_module():
    package = Path(usp.__file__).parent
    on_disk = {p.name for p in package.glob("*_pb2.py*")}
    assert on_disk == set(generate.generated_names())
    for proto in generate.PROTO_FILES:
        assert (generate.PROTO_DIR / proto).is_file()


def test_product_code_never_refers_to_the_reference_folder():
    package = Path(usp.__file__).parent
    for source in package.glob("*.py"):
        assert "shared/" not in source.read_text(), source.name
