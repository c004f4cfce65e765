"""SDT 4.0 parsing into the typed model, and SDT 3.0/4.0 mapping onto the same classes."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from ipe_sdt.sdt import (
    UNBOUNDED,
    ArrayType,
    DataTypeRef,
    DeviceClass,
    EnumType,
    MemberKind,
    SDTParseError,
    SDTResolver,
    SDTVersion,
    SimpleType,
    StructType,
    parse_file,
    parse_string,
    validate,
)

WriteFile = Callable[[str, str], Path]
LineOf = Callable[[str, str], int]


def test_light_domain_model(light_sdt4: str, write: WriteFile, line_of: LineOf) -> None:
    path = write("light.xml", light_sdt4)
    document = parse_file(path)
    assert validate(document) == []
    domain = document.domain
    assert document.version is SDTVersion.V4
    assert (domain.id, domain.semantic_uri) == ("org.example.deviceLight", "http://example.org/sdt/deviceLight")
    assert domain.doc.text == "Devices and functions of a connected light."

    (switch,) = domain.module_classes
    assert switch.name == "binarySwitch" and switch.element == "ModuleClass"
    assert switch.semantic_uri == "http://example.org/sdt/binarySwitch"
    assert (switch.min_occurs, switch.max_occurs, switch.optional) == (1, 1, False)
    (toggle,) = switch.actions
    assert toggle.name == "toggle" and toggle.return_type is None and toggle.args == []
    assert toggle.doc.text == "Toggle the switch."
    (state,) = switch.data_points
    assert state.name == "state"
    assert state.type.simple_type == "boolean"
    assert isinstance(state.type.type, SimpleType)
    # Documented defaults, with eventable set explicitly in the sample.
    assert (state.optional, state.readable, state.writable, state.eventable) == (False, True, True, True)
    assert state.source.file == str(path)
    assert state.source.line == line_of(light_sdt4, '<DataPoint name="state"')
    assert state.source.path == (
        "Domain[@id=org.example.deviceLight]/ModuleClasses/ModuleClass[@name=binarySwitch]"
        "/Data/DataPoint[@name=state]"
    )

    (device,) = domain.device_classes
    assert isinstance(device, DeviceClass) and device.id == "deviceLight"
    assert [(p.name, p.value, p.type.type) for p in device.properties] == [("vendor", "ACME", "string")]
    (used,) = device.module_classes
    assert (used.extend.domain, used.extend.entity) == ("org.example.deviceLight", "binarySwitch")
    assert used.data_points == [] and used.actions == []
    effective = SDTResolver(domain).effective_module_class(used)
    assert [d.name for d in effective.data_points] == ["state"]
    assert [a.name for a in effective.actions] == ["toggle"]
    assert effective.bases == (switch,)


FULL_SDT4 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="org.example.full">
    <DataTypes>
        <DataType name="colourMode">
            <Enum>
                <EnumValue name="rgb" value="1" type="integer"><Doc>Red, green, blue.</Doc></EnumValue>
                <EnumValue name="xy" value="2" type="integer"/>
            </Enum>
        </DataType>
        <DataType name="percent" unitOfMeasure="%">
            <Simple type="integer"/>
            <Constraints>
                <Constraint name="minValue" value="0"/>
                <Constraint name="maxValue" value="100"/>
            </Constraints>
        </DataType>
    </DataTypes>
    <ModuleClasses>
        <ModuleClass name="colour" optional="true">
            <Properties>
                <Property name="maxBrightness" value="255" optional="true"><Simple type="byte"/></Property>
            </Properties>
            <Actions>
                <Action name="fade" semanticURI="http://example.org/fade">
                    <DataType><Simple type="boolean"/></DataType>
                    <Args>
                        <Arg name="target" default="50">
                            <DataType><Extend domain="org.example.full" entity="percent"/></DataType>
                        </Arg>
                        <Arg name="steps" optional="true">
                            <DataType>
                                <Array><DataType><Simple type="float"/></DataType></Array>
                                <Constraints><Constraint name="maxLength" value="16"/></Constraints>
                            </DataType>
                        </Arg>
                    </Args>
                </Action>
            </Actions>
            <Data>
                <DataPoint name="mode" readable="true" writable="false" default="1">
                    <DataType><Extend domain="org.example.full" entity="colourMode"/></DataType>
                </DataPoint>
                <DataPoint name="xy" optional="1">
                    <DataType>
                        <Struct>
                            <DataType name="x"><Simple type="float"/></DataType>
                            <DataType name="y"><Simple type="float"/></DataType>
                        </Struct>
                    </DataType>
                </DataPoint>
            </Data>
            <Events>
                <Event name="modeChanged">
                    <Data>
                        <DataPoint name="mode"><DataType><Simple type="integer"/></DataType></DataPoint>
                    </Data>
                </Event>
            </Events>
        </ModuleClass>
    </ModuleClasses>
    <SubDevices>
        <SubDevice id="lamp" minOccurs="0" maxOccurs="unbounded">
            <ModuleClasses>
                <ModuleClass name="colour"><Extend domain="org.example.full" entity="colour"/></ModuleClass>
            </ModuleClasses>
        </SubDevice>
    </SubDevices>
    <DeviceClasses>
        <DeviceClass id="lightStrip" semanticURI="http://example.org/lightStrip">
            <SubDevices>
                <SubDevice id="segment" minOccurs="1" maxOccurs="8">
                    <Extend domain="org.example.full" entity="lamp"/>
                </SubDevice>
            </SubDevices>
        </DeviceClass>
    </DeviceClasses>
    <ProductClasses>
        <ProductClass name="acmeStrip">
            <Extend domain="org.example.full" entity="lightStrip"/>
            <Properties>
                <Property name="model" value="AS-1"><Simple type="string"/></Property>
            </Properties>
        </ProductClass>
    </ProductClasses>
</Domain>
"""


def test_full_sdt4_feature_set(write: WriteFile) -> None:
    document = parse_file(write("full.xml", FULL_SDT4))
    assert validate(document) == []
    domain = document.domain
    resolver = SDTResolver(domain)

    colour_mode, percent = domain.data_types
    assert isinstance(colour_mode.type, EnumType)
    assert [(v.name, v.value, v.type) for v in colour_mode.type.values] == [
        ("rgb", "1", "integer"),
        ("xy", "2", "integer"),
    ]
    assert colour_mode.type.values[0].doc.text == "Red, green, blue."
    assert percent.unit_of_measure == "%"
    assert [(c.name, c.value) for c in percent.constraints] == [("minValue", "0"), ("maxValue", "100")]

    (colour,) = domain.module_classes
    assert colour.optional is True and colour.is_optional
    (max_brightness,) = colour.properties
    assert (max_brightness.optional, max_brightness.value, max_brightness.type.type) == (True, "255", "byte")

    (fade,) = colour.actions
    assert fade.semantic_uri == "http://example.org/fade"
    assert fade.return_type.simple_type == "boolean"
    target, steps = fade.args
    assert (target.default, target.optional) == ("50", False)
    assert isinstance(target.type.type, DataTypeRef)
    assert resolver.concrete_data_type(target.type) is percent
    assert steps.optional is True
    assert isinstance(steps.type.type, ArrayType) and steps.type.type.element.simple_type == "float"

    mode, xy = colour.data_points
    assert (mode.readable, mode.writable, mode.default) == (True, False, "1")
    assert resolver.concrete_data_type(mode.type) is colour_mode
    assert xy.optional is True  # xs:boolean also accepts "1"
    assert isinstance(xy.type.type, StructType)
    assert [f.name for f in xy.type.type.fields] == ["x", "y"]
    (mode_changed,) = colour.events
    assert [d.name for d in mode_changed.data_points] == ["mode"]

    (lamp,) = domain.sub_devices
    assert (lamp.min_occurs, lamp.max_occurs) == (0, UNBOUNDED)
    (strip,) = domain.device_classes
    (segment,) = strip.sub_devices
    assert (segment.min_occurs, segment.max_occurs) == (1, 8)
    assert resolver.sub_device(segment.extend) is lamp
    (product,) = domain.product_classes
    assert product.name == "acmeStrip"
    assert resolver.device_class(product.extend) is strip
    assert product.properties[0].value == "AS-1"


def test_sdt3_and_sdt4_map_onto_the_same_classes() -> None:
    sdt3 = """<Domain xmlns="http://homegatewayinitiative.org/xml/dal/3.0" id="d3">
      <Modules><ModuleClass name="m"><Data><DataPoint name="p">
        <DataType><SimpleType type="integer"/></DataType></DataPoint></Data></ModuleClass></Modules>
      <Devices><Device id="dev"><Modules><Module name="m"><extends domain="d3" class="m"/></Module></Modules>
      </Device></Devices></Domain>"""
    sdt4 = """<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="d4">
      <ModuleClasses><ModuleClass name="m"><Data><DataPoint name="p">
        <DataType><Simple type="integer"/></DataType></DataPoint></Data></ModuleClass></ModuleClasses>
      <DeviceClasses><DeviceClass id="dev"><ModuleClasses><ModuleClass name="m">
        <Extend domain="d4" entity="m"/></ModuleClass></ModuleClasses></DeviceClass></DeviceClasses></Domain>"""
    three, four = parse_string(sdt3).domain, parse_string(sdt4).domain
    assert (three.version, four.version) == (SDTVersion.V3, SDTVersion.V4)
    # Equality ignores source locations, so identical content compares equal across versions.
    assert three.module_classes == four.module_classes
    assert three.device_classes[0].module_classes[0].element == "Module"
    assert four.device_classes[0].module_classes[0].element == "ModuleClass"
    assert three.device_classes[0].module_classes[0].extend.entity == "m"


def test_defaults_when_attributes_are_absent() -> None:
    domain = parse_string(
        """<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="d"><ModuleClasses><ModuleClass name="m">
        <Actions><Action name="a"><Args><Arg name="x"><DataType><Simple type="string"/></DataType></Arg></Args>
        </Action></Actions>
        <Data><DataPoint name="p"><DataType><Simple type="string"/></DataType></DataPoint></Data>
        <Events><Event name="e"/></Events>
        </ModuleClass></ModuleClasses></Domain>"""
    ).domain
    (module,) = domain.module_classes
    assert (module.min_occurs, module.max_occurs, module.optional, module.extend) == (1, 1, False, None)
    (point,) = module.data_points
    assert (point.optional, point.readable, point.writable, point.eventable, point.default) == (
        False,
        True,
        True,
        False,
        None,
    )
    assert (module.actions[0].optional, module.actions[0].args[0].optional) == (False, False)
    assert module.events[0].optional is False and module.events[0].data_points == []


def test_include_and_exclude_default_to_datapoint() -> None:
    domain = parse_string(
        """<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="d"><ModuleClasses>
        <ModuleClass name="base"><Data><DataPoint name="p"><DataType><Simple type="string"/></DataType>
        </DataPoint></Data><Actions><Action name="go"/></Actions></ModuleClass>
        <ModuleClass name="derived"><Extend domain="d" entity="base">
          <Include name="p"/><Include name="go" type="action"/><Exclude name="q" type="event"/>
        </Extend></ModuleClass></ModuleClasses></Domain>"""
    ).domain
    extend = domain.module_classes[1].extend
    assert [(f.name, f.type) for f in extend.includes] == [("p", MemberKind.DATAPOINT), ("go", MemberKind.ACTION)]
    assert [(f.name, f.type) for f in extend.excludes] == [("q", MemberKind.EVENT)]


def test_string_input_with_latin1_declaration() -> None:
    text = (
        '<?xml version="1.0" encoding="iso-8859-1"?>\n'
        '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="d"><Doc>Gr\u00fc\u00dfe <b>aus</b> K\u00f6ln</Doc></Domain>'
    )
    assert parse_string(text.encode("iso-8859-1")).domain.doc.text == "Grüße aus Köln"
    assert parse_string(text).domain.doc.text == "Grüße aus Köln"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('<Domain xmlns="urn:other" id="x"/>', "namespace 'urn:other'"),
        ('<Domain id="x"/>', "without a namespace"),
        ('<ModuleClass xmlns="http://www.onem2m.org/xml/sdt/4.0" name="x"/>', "root element is <ModuleClass>"),
    ],
)
def test_non_sdt_root_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(SDTParseError) as caught:
        parse_string(text, source_name="t.xml")
    assert str(caught.value).startswith("t.xml:1: error: ")
    assert fragment in str(caught.value)


def test_malformed_xml_reports_file_and_line(write: WriteFile) -> None:
    path = write("broken.xml", '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="x">\n  <Doc>\n</Domain>\n')
    with pytest.raises(SDTParseError) as caught:
        parse_file(path)
    assert caught.value.diagnostic.file == str(path)
    assert caught.value.diagnostic.line == 3
    assert "not well-formed XML: mismatched tag" in str(caught.value)


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(SDTParseError, match="does not exist"):
        parse_file(tmp_path / "nope.xml")
