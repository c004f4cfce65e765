"""The shipped object table against the OMA DDF files in shared/, and the registry API."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ipe_sdt.lwm2m import (
    DEFAULT_REGISTRY,
    CodecError,
    ObjectDef,
    ObjectRegistry,
    Operations,
    ResourceDef,
    ResourceType,
    ddf,
    get_object,
    get_resource,
    object_table,
    parse_ddf,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "lwm2m" / "objects"
XML_FILES = sorted(SHARED.glob("*.xml"), key=lambda p: int(p.stem))
EXPECTED_IDS = [0, 1, 3, 4, 5, 9, 11, 20, 3311, 3342]


def _xml_objects() -> dict[int, ET.Element]:
    # Read with the standard library on purpose: this check must not share code with ddf.py.
    out = {}
    for path in XML_FILES:
        element = ET.parse(path).getroot().find("Object")
        assert element is not None
        out[int(element.findtext("ObjectID").strip())] = element
    return out


def test_shared_xml_files_are_there():
    assert [int(p.stem) for p in XML_FILES] == EXPECTED_IDS


def test_table_has_exactly_the_shared_objects():
    assert [obj.id for obj in DEFAULT_REGISTRY] == EXPECTED_IDS
    assert sorted(_xml_objects()) == EXPECTED_IDS


@pytest.mark.parametrize("oid", EXPECTED_IDS)
def test_object_entry_matches_xml(oid):
    element = _xml_objects()[oid]
    obj = get_object(oid)
    assert obj is not None
    assert obj.name == element.findtext("Name").strip()
    assert obj.urn == element.findtext("ObjectURN").strip()
    assert obj.version == element.findtext("ObjectVersion").strip()
    assert obj.lwm2m_version == element.findtext("LWM2MVersion").strip()
    assert obj.multiple_instances is (element.findtext("MultipleInstances").strip() == "Multiple")
    assert obj.mandatory is (element.findtext("Mandatory").strip() == "Mandatory")
    items = element.find("Resources").findall("Item")
    assert [r.id for r in obj.resources] == [int(item.get("ID")) for item in items]


def _resource_cases():
    for oid, element in _xml_objects().items():
        for item in element.find("Resources").findall("Item"):
            yield pytest.param(oid, item, id=f"/{oid}/x/{item.get('ID')}")


@pytest.mark.parametrize(("oid", "item"), list(_resource_cases()))
def test_resource_entry_matches_xml(oid, item):
    rid = int(item.get("ID"))
    res = get_resource(oid, rid)
    assert res is not None
    assert res.id == rid
    assert res.name == item.findtext("Name").strip()
    assert res.operations.value == ((item.findtext("Operations") or "").strip() or "none")
    assert res.multiple_instances is (item.findtext("MultipleInstances").strip() == "Multiple")
    assert res.mandatory is (item.findtext("Mandatory").strip() == "Mandatory")
    assert res.type.value == ((item.findtext("Type") or "").strip() or "none")
    assert res.range == (item.findtext("RangeEnumeration") or "").strip()
    assert res.units == (item.findtext("Units") or "").strip()


def test_generator_reproduces_the_committed_table():
    generated = ddf.render_table(obj for path in XML_FILES for obj in parse_ddf(path.read_bytes()))
    committed = Path(object_table.__file__).read_text(encoding="utf-8")
    assert generated == committed


def test_product_opens_no_file_under_shared(tmp_path):
    # An audit hook sees every open(); the product must run from its own table.
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        "from ipe_sdt.lwm2m import decode, encode, get_object, parse_registration\n"
        "assert get_object(3311).name == 'Light Control'\n"
        "decode(encode({(3, 0, 0): 'x'}, 11542, '/3/0'), 11542, '/3/0')\n"
        "parse_registration(b'</1/0>,</3/0>')\n"
        "print('\\n'.join(opened))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(script)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True, text=True, check=True,
    )
    opened = result.stdout.splitlines()
    assert any("object_table" in path for path in opened)
    assert not [path for path in opened if str(SHARED.parent.parent) in path]


def test_lookups():
    device = get_object(3)
    assert device.name == "Device"
    assert not device.multiple_instances
    reboot = get_resource(3, 4)
    assert reboot.executable and reboot.type is ResourceType.NONE and not reboot.readable
    power = get_resource(3, 6)
    assert power.multiple_instances and power.type is ResourceType.INTEGER and power.range == "0..7"
    assert get_resource(3, 13).type is ResourceType.TIME
    assert get_resource(3311, 5850).type is ResourceType.BOOLEAN
    assert get_resource(3311, 5805).units == "Wh"
    assert get_resource(1, 1).operations is Operations.RW and get_resource(1, 1).writable
    assert get_resource(0, 0).operations is Operations.NONE
    assert get_object(2) is None
    assert get_resource(3, 99) is None
    assert get_resource(2, 0) is None
    assert 3 in DEFAULT_REGISTRY and 2 not in DEFAULT_REGISTRY
    assert len(DEFAULT_REGISTRY) == len(EXPECTED_IDS)


def test_extended_registry_adds_and_replaces_without_touching_the_default():
    temperature = ObjectDef(
        3303, "Temperature", "1.1", "1.0", "urn:oma:lwm2m:ext:3303:1.1", True, False,
        (ResourceDef(5700, "Sensor Value", Operations.R, False, True, ResourceType.FLOAT),),
    )
    device = ObjectDef(3, "Device", "9.9", "1.1", "urn:x", False, True, ())
    extended = DEFAULT_REGISTRY.extended([temperature, device])
    assert extended.get_resource(3303, 5700).type is ResourceType.FLOAT
    assert extended.get_object(3).version == "9.9"
    assert DEFAULT_REGISTRY.get_object(3).version == "1.2"
    assert DEFAULT_REGISTRY.get_object(3303) is None


def test_registry_rejects_duplicates():
    obj = get_object(3)
    with pytest.raises(ValueError):
        ObjectRegistry([obj, obj])
    res = obj.resources[0]
    with pytest.raises(ValueError):
        ObjectDef(1000, "x", "1.0", "1.0", "", False, False, (res, res))


def test_parse_ddf_reads_a_vendor_object():
    xml = b"""<?xml version="1.0"?><LWM2M><Object ObjectType="MODefinition">
      <Name>Temperature</Name><ObjectID>3303</ObjectID><ObjectURN>urn:oma:lwm2m:ext:3303</ObjectURN>
      <MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>
      <Resources><Item ID="5700"><Name>Sensor Value</Name><Operations>R</Operations>
        <MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory>
        <Type>Float</Type><RangeEnumeration/><Units>Cel</Units></Item></Resources>
    </Object></LWM2M>"""
    (obj,) = parse_ddf(xml)
    assert (obj.id, obj.version, obj.lwm2m_version, obj.multiple_instances) == (3303, "1.0", "1.0", True)
    expected = ResourceDef(5700, "Sensor Value", Operations.R, False, True, ResourceType.FLOAT, "", "Cel")
    assert obj.resource(5700) == expected


@pytest.mark.parametrize(
    "xml",
    [
        b"not xml",
        b"<LWM2M/>",
        b"<LWM2M><Object><Name>x</Name></Object></LWM2M>",
        b"<LWM2M><Object><Name>x</Name><ObjectID>a</ObjectID><MultipleInstances>Single</MultipleInstances>"
        b"<Mandatory>Optional</Mandatory></Object></LWM2M>",
        b"<LWM2M><Object><Name>x</Name><ObjectID>1</ObjectID><MultipleInstances>Many</MultipleInstances>"
        b"<Mandatory>Optional</Mandatory></Object></LWM2M>",
        b"<LWM2M><Object><Name>x</Name><ObjectID>1</ObjectID><MultipleInstances>Single</MultipleInstances>"
        b"<Mandatory>Optional</Mandatory><Resources><Item ID='0'><Name>r</Name><Operations>RWX</Operations>"
        b"<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Type>String</Type>"
        b"</Item></Resources></Object></LWM2M>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><LWM2M>&a;</LWM2M>',
    ],
)
def test_parse_ddf_rejects_bad_documents(xml):
    with pytest.raises(CodecError):
        parse_ddf(xml)


def test_ddf_main_writes_the_table(capsys):
    assert ddf.main([str(XML_FILES[2])]) == 0
    out = capsys.readouterr().out
    assert "id=3," in out and '"Manufacturer"' in out
    assert ddf.main([]) == 2
