"""Broken templates give every problem as ``file:line: error: <path>: <message>``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ipe_sdt.sdt import Diagnostic, Severity, has_errors, parse_file, validate, validate_file, validate_string

WriteFile = Callable[[str, str], Path]
LineOf = Callable[[str, str], int]

BROKEN_SDT4 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="org.example.broken">
    <ModuleClasses>
        <ModuleClass name="binarySwitch" minOccurs="2" maxOccurs="1">
            <Colour>red</Colour>
            <Actions>
                <Action name="toggle"/>
                <Action name="toggle" optional="false"/>
                <Action>
                    <Args>
                        <Arg name="value"><DataType><Simple type="boolean"/></DataType></Arg>
                        <Arg name="value"><DataType><Simple type="integer"/></DataType></Arg>
                    </Args>
                </Action>
            </Actions>
            <Data>
                <DataPoint name="state" readable="yes" colour="red">
                    <DataType><Simple type="boolean"/></DataType>
                </DataPoint>
                <DataPoint name="state" eventable="true">
                    <DataType><SimpleType type="boolean"/></DataType>
                </DataPoint>
                <DataPoint name="label">
                    <DataType>
                        <Simple type="strng"/>
                    </DataType>
                </DataPoint>
                <DataPoint name="title">
                    <DataType>
                        <Simple type="string"/>
                        <Constraints>
                            <Constraint name="minValue" value="1"/>
                            <Constraint name="minLength" value="10"/>
                            <Constraint name="maxLength" value="5"/>
                        </Constraints>
                    </DataType>
                </DataPoint>
                <DataPoint name="level">
                    <DataType>
                        <Simple type="integer"/>
                        <Constraints>
                            <Constraint name="minValue" value="100"/>
                            <Constraint name="maxValue" value="0"/>
                            <Constraint name="step" value="0"/>
                        </Constraints>
                    </DataType>
                </DataPoint>
                <DataPoint name="noType"/>
            </Data>
        </ModuleClass>
        <ModuleClass name="binarySwitch"/>
        <ModuleClass name="dimmer">
            <Extend domain="org.example.broken" entity="lightDimmer"/>
        </ModuleClass>
        <ModuleClass name="remote">
            <Extend domain="org.example.elsewhere" entity="binarySwitch"/>
        </ModuleClass>
        <ModuleClass name="picky">
            <Extend domain="org.example.broken" entity="binarySwitch">
                <Include name="powerState"/>
                <Exclude name="flip" type="action"/>
            </Extend>
        </ModuleClass>
    </ModuleClasses>
</Domain>
"""

MC = "Domain[@id=org.example.broken]/ModuleClasses/ModuleClass"


def _errors(diagnostics: list[Diagnostic]) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in diagnostics if d.severity is Severity.ERROR]


def test_every_error_in_one_file_is_reported(write: WriteFile, line_of: LineOf) -> None:
    path = write("broken.xml", BROKEN_SDT4)
    diagnostics = validate_file(path)
    assert all(d.file == str(path) for d in diagnostics)
    at = lambda marker: line_of(BROKEN_SDT4, marker)  # noqa: E731
    expected = [
        (at('minOccurs="2"'), "minOccurs (2) is greater than maxOccurs (1)"),
        (at("<Colour>"), "<Colour> is not allowed inside <ModuleClass>"),
        (at('<Action name="toggle" optional'), "action 'toggle' is already defined in module class 'binarySwitch' at line 7"),
        (at("<Action>"), "<Action> is missing the required attribute 'name'."),
        (at('<Arg name="value"><DataType><Simple type="integer"'), "argument 'value' is already defined in this action at line 11"),
        (at('readable="yes"'), "<DataPoint> has no attribute 'colour'"),
        (at('readable="yes"'), "the attribute 'readable' must be 'true' or 'false', not 'yes'."),
        (at('<DataPoint name="state" eventable'), "data point 'state' is already defined in module class 'binarySwitch' at line 17"),
        (at("<SimpleType"), "<SimpleType> is not allowed inside <DataType> (SDT 4.0 writes simple types as <Simple"),
        (at('type="strng"'), "the simple type 'strng' is unknown; SDT 4.0 simple types are: blob, boolean,"),
        (at('name="minValue" value="1"'), "the constraint 'minValue' limits numeric values, but the data type is of simple type 'string'."),
        (at('name="maxLength" value="5"'), "minLength (10) is greater than maxLength (5), so no length can satisfy both"),
        (at('name="maxValue" value="0"'), "minValue (100) is greater than maxValue (0), so no value can satisfy both"),
        (at('name="step" value="0"'), "the constraint 'step' must be greater than 0, but it is 0."),
        (at('<DataPoint name="noType"/>'), "<DataPoint> must contain a <DataType> element."),
        (at('<ModuleClass name="binarySwitch"/>'), "module class 'binarySwitch' is already defined in domain 'org.example.broken' at line 4"),
        (at('entity="lightDimmer"'), "refers to module class 'lightDimmer' in domain 'org.example.broken', but that domain defines no module class"),
        (at('domain="org.example.elsewhere"'), "extends domain 'org.example.elsewhere', which is neither this domain nor one it imports"),
        (at('<Include name="powerState"/>'), "Include refers to the data point 'powerState', but module class 'binarySwitch' in domain 'org.example.broken' has no data point"),
        (at('<Exclude name="flip"'), "Exclude refers to the action 'flip', but module class 'binarySwitch' in domain 'org.example.broken' has no action"),
    ]
    errors = _errors(diagnostics)
    for line, fragment in expected:
        assert any(l == line and fragment in m for l, m in errors), f"missing line {line}: {fragment}"
    # Nothing beyond the deliberate mistakes, and nothing reported twice.
    assert len(errors) == len(expected)
    assert diagnostics == sorted(diagnostics, key=lambda d: (d.file, d.line, d.path, d.message))


def test_diagnostic_format_is_file_line_error_path_message(write: WriteFile) -> None:
    path = write("broken.xml", BROKEN_SDT4)
    lines = [str(d) for d in validate_file(path)]
    assert (
        f"{path}:20: error: {MC}[@name=binarySwitch]/Data/DataPoint[@name=state]: data point 'state' is "
        "already defined in module class 'binarySwitch' at line 17; names must be unique there."
    ) in lines
    assert (
        f"{path}:44: error: {MC}[@name=binarySwitch]/Data/DataPoint[@name=level]/DataType/Constraints"
        "/Constraint[@name=step]: the constraint 'step' must be greater than 0, but it is 0."
    ) in lines
    assert (
        f"{path}:9: error: {MC}[@name=binarySwitch]/Actions/Action[3]: <Action> is missing the required "
        "attribute 'name'."
    ) in lines


def test_parse_keeps_going_and_applies_defaults_for_bad_values(write: WriteFile) -> None:
    document = parse_file(write("broken.xml", BROKEN_SDT4))
    switch = document.domain.module_classes[0]
    state = switch.data_points[0]
    assert state.readable is True  # "yes" is reported and the documented default is used
    assert [p.name for p in switch.data_points] == ["state", "state", "label", "title", "level", "noType"]
    assert switch.data_points[-1].type is None
    assert switch.actions[2].name == ""


BROKEN_SDT3 = """\
<?xml version="1.0" encoding="iso-8859-1"?>
<Domain xmlns="http://homegatewayinitiative.org/xml/dal/3.0" id="org.example.three">
  <Modules>
    <ModuleClass name="onOff" optional="maybe">
      <Data>
        <DataPoint name="on"><DataType><SimpleType type="boolean"/></DataType></DataPoint>
        <DataPoint name="on"><DataType><SimpleType type="integer"/></DataType></DataPoint>
      </Data>
    </ModuleClass>
  </Modules>
  <Devices>
    <Device id="lamp">
      <Modules>
        <Module name="power">
          <extends domain="org.example.three" class="onOf"/>
        </Module>
        <Module name="dim">
          <Extend domain="org.example.three" entity="onOff"/>
        </Module>
      </Modules>
    </Device>
    <Device>
      <Properties>
        <Property name="weight" value="heavy"><SimpleType type="integer"/></Property>
      </Properties>
    </Device>
  </Devices>
</Domain>
"""


def test_sdt3_errors_are_reported_with_lines(write: WriteFile, line_of: LineOf) -> None:
    path = write("three.xml", BROKEN_SDT3)
    at = lambda marker: line_of(BROKEN_SDT3, marker)  # noqa: E731
    errors = _errors(validate_file(path))
    assert errors == [
        (at('optional="maybe"'), "the attribute 'optional' must be 'true' or 'false', not 'maybe'."),
        (
            at('type="integer"/></DataType></DataPoint>'),
            "data point 'on' is already defined in module class 'onOff' at line 6; names must be unique there.",
        ),
        (
            at('class="onOf"'),
            "refers to module class 'onOf' in domain 'org.example.three', but that domain defines no module "
            "class with that name.",
        ),
        (
            at("<Extend "),
            "<Extend> is not allowed inside <Module> (SDT 3.0 uses <extends domain=\"...\" class=\"...\"/>); "
            "allowed here: <Actions>, <Data>, <Doc>, <Events>, <Properties>, <extends>.",
        ),
        (at("<Device>"), "<Device> is missing the required attribute 'id'."),
        (at('value="heavy"'), "the value 'heavy' of property 'weight' is not a whole number, as type 'integer' requires."),
    ]


SEMANTIC_SDT4 = """\
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="org.example.sem">
  <DataTypes>
    <DataType name="mode">
      <Enum>
        <EnumValue name="auto" value="1" type="integer"/>
        <EnumValue name="auto" value="2" type="integer"/>
        <EnumValue name="eco" value="2" type="integer"/>
        <EnumValue name="boost" value="fast" type="integer"/>
      </Enum>
    </DataType>
    <DataType name="loopA"><Extend domain="org.example.sem" entity="loopB"/></DataType>
    <DataType name="loopB"><Extend domain="org.example.sem" entity="loopA"/></DataType>
    <DataType><Simple type="string"/></DataType>
  </DataTypes>
  <ModuleClasses>
    <ModuleClass name="a"><Extend domain="org.example.sem" entity="b"/></ModuleClass>
    <ModuleClass name="b"><Extend domain="org.example.sem" entity="a"/></ModuleClass>
    <ModuleClass name="values">
      <Actions>
        <Action name="set">
          <Args>
            <Arg name="on" default="yes"><DataType><Simple type="boolean"/></DataType></Arg>
          </Args>
        </Action>
      </Actions>
      <Data>
        <DataPoint name="small" default="300">
          <DataType>
            <Simple type="byte"/>
            <Constraints>
              <Constraint name="maxValue" value="256"/>
              <Constraint name="minLength" value="1"/>
            </Constraints>
          </DataType>
        </DataPoint>
        <DataPoint name="code">
          <DataType>
            <Simple type="string"/>
            <Constraints>
              <Constraint name="length" value="12"/>
              <Constraint name="maxLength" value="8"/>
              <Constraint name="pattern"/>
              <Constraint name="vendorHint" value="anything goes"/>
            </Constraints>
          </DataType>
        </DataPoint>
        <DataPoint name="pair">
          <DataType>
            <Struct>
              <DataType name="x"><Simple type="float"/></DataType>
              <DataType unitOfMeasure="m"><Simple type="float"/></DataType>
            </Struct>
          </DataType>
        </DataPoint>
        <DataPoint name="list">
          <DataType>
            <Array><DataType><Simple type="integer"/></DataType></Array>
            <Constraints><Constraint name="maxLength" value="-1"/></Constraints>
          </DataType>
        </DataPoint>
      </Data>
    </ModuleClass>
  </ModuleClasses>
  <SubDevices>
    <SubDevice id="part" minOccurs="3" maxOccurs="2"/>
  </SubDevices>
  <DeviceClasses>
    <DeviceClass id="dev">
      <SubDevices>
        <SubDevice id="p1" maxOccurs="unbounded">
          <Extend domain="org.example.sem" entity="missingPart"><Include name="x"/></Extend>
        </SubDevice>
      </SubDevices>
    </DeviceClass>
  </DeviceClasses>
  <ProductClasses>
    <ProductClass name="prod"><Extend domain="org.example.sem" entity="noSuchDevice"/></ProductClass>
  </ProductClasses>
</Domain>
"""


def test_semantic_rules(line_of: LineOf) -> None:
    at = lambda marker: line_of(SEMANTIC_SDT4, marker)  # noqa: E731
    errors = _errors(validate_string(SEMANTIC_SDT4, source_name="sem.xml"))
    expected = [
        (at('name="auto" value="2"'), "enum value 'auto' is already defined in this enum at line 5"),
        (at('name="eco" value="2"'), "enum value '2' is already defined in this enum at line 6"),
        (at('value="fast"'), "the value 'fast' of enum value 'boost' is not a whole number"),
        (at('<DataType name="loopA">'), "the data type refers to itself in a loop: loopA -> loopB -> loopA."),
        (at('<DataType name="loopB">'), "the data type refers to itself in a loop: loopB -> loopA -> loopB."),
        (at('<DataType><Simple type="string"/></DataType>'), "a <DataType> in <DataTypes> needs a 'name' attribute"),
        (at('entity="b"'), "module class inheritance forms a loop: a -> b -> a."),
        (at('entity="a"'), "module class inheritance forms a loop: b -> a -> b."),
        (at('default="yes"'), "the default value 'yes' of argument 'on' is not 'true' or 'false'."),
        (at('default="300"'), "the default value '300' of data point 'small' is outside the range 0 to 255 of type 'byte'."),
        (at('value="256"'), "the value '256' of constraint 'maxValue' is outside the range 0 to 255"),
        (at('name="minLength" value="1"'), "the constraint 'minLength' limits the length of strings, URIs, blobs or arrays, but the data type is of simple type 'byte'."),
        (at('name="length" value="12"'), "the constraint 'length' (12) lies outside the range allowed by minLength/maxLength."),
        (at('name="pattern"'), "the constraint 'pattern' needs a 'value'."),
        (at('unitOfMeasure="m"'), "every <DataType> inside a <Struct> needs a 'name' attribute"),
        (at('value="-1"'), "the constraint 'maxLength' must be a whole number of 0 or more, not '-1'."),
        (at('minOccurs="3"'), "minOccurs (3) is greater than maxOccurs (2), so no number of sub-device instances"),
        (at('entity="missingPart"'), "refers to sub-device 'missingPart' in domain 'org.example.sem', but that domain defines no sub-device"),
        (at('<Include name="x"/>'), "Include/Exclude is only supported when extending a module class, not a sub-device."),
        (at('entity="noSuchDevice"'), "refers to device class 'noSuchDevice' in domain 'org.example.sem'"),
    ]
    for line, fragment in expected:
        assert any(l == line and fragment in m for l, m in errors), f"missing line {line}: {fragment}\n{errors}"
    assert len(errors) == len(expected), errors


def test_duplicate_domain_ids_and_mixed_versions_across_imports(write: WriteFile) -> None:
    write(
        "common.xml",
        '<Domain xmlns="http://homegatewayinitiative.org/xml/dal/3.0" id="org.example.main">'
        '<Modules><ModuleClass name="m"/></Modules></Domain>',
    )
    main = write(
        "main.xml",
        '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" xmlns:xi="http://www.w3.org/2001/XInclude"\n'
        '        id="org.example.main">\n'
        "  <Imports>\n"
        '    <xi:include href="common.xml" parse="xml"/>\n'
        "  </Imports>\n"
        "</Domain>\n",
    )
    diagnostics = validate_file(main)
    assert [str(d) for d in diagnostics if d.file == str(main)] == [
        f"{main}:4: error: Domain[@id=org.example.main]/Imports: this SDT 4.0 domain imports the SDT 3.0 domain "
        f"'org.example.main' from {main.parent / 'common.xml'}; imported domains must use the same SDT version."
    ]
    (duplicate,) = [d for d in diagnostics if d.file == str(main.parent / "common.xml")]
    assert duplicate.line == 1
    assert duplicate.message == (
        f"domain id 'org.example.main' is already defined in this document and its imports at {main}:1; "
        "names must be unique there."
    )


def test_valid_documents_have_no_diagnostics(light_sdt4: str) -> None:
    diagnostics = validate_string(light_sdt4)
    assert diagnostics == [] and not has_errors(diagnostics)


def test_structure_problems_in_doc_markup_and_containers() -> None:
    text = (
        '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="d">\n'
        "  <Doc>Uses <blink>markup</blink> and <img src='x.png'/></Doc>\n"
        "  <ModuleClasses/>\n"
        "  <DeviceClasses><DeviceClass id='x'>stray text</DeviceClass></DeviceClasses>\n"
        "</Domain>\n"
    )
    errors = _errors(validate_string(text))
    assert errors == [
        (2, "<blink> is not allowed inside <Doc>; allowed here: <b>, <em>, <img>, <p>, <tt>."),
        (2, "<img> must contain a <caption> element."),
        (3, "<ModuleClasses> must contain at least one <ModuleClass>; add one or remove the empty <ModuleClasses>."),
        (4, "<DeviceClass> contains the text 'stray text', but only elements are allowed here."),
    ]


def test_foreign_and_namespaced_attributes() -> None:
    text = (
        '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" xmlns:x="urn:vendor"\n'
        '        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="a b" id="d">\n'
        '  <ModuleClasses><ModuleClass name="m" x:colour="red"/></ModuleClasses>\n'
        '  <x:Extra/>\n'
        "</Domain>\n"
    )
    errors = _errors(validate_string(text))
    assert errors == [
        (3, "<ModuleClass> does not take the attribute '{urn:vendor}colour'."),
        (4, "<{urn:vendor}Extra> is not an SDT 4.0 element and is not allowed inside <Domain>."),
    ]


def test_validate_reuses_parse_diagnostics_without_duplicates(write: WriteFile) -> None:
    document = parse_file(write("broken.xml", BROKEN_SDT4))
    first, second = validate(document), validate(document)
    assert first == second
    assert len(set(first)) == len(first)
    assert all(d in first for d in document.diagnostics)
