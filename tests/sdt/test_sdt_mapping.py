"""SDT templates as flexContainer specializations: the shipped templates against the TS-0023 table,
generated names for non-standard models, clashes reported at file:line, R4/R5 names."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from cse.model import datatypes as dt
from cse.model.specializations import Kind
from ipe_sdt.sdt import has_errors, parse_file, validate
from ipe_sdt.sdt.loader import shipped_directory
from ipe_sdt.sdt.mapping import Mapping, map_document
from ipe_sdt.sdt.standard import standard_specializations

WriteFile = Callable[[str, str], Path]
SHIPPED = shipped_directory()


def mapped(path: Path, release: str = "5") -> Mapping:
    document = parse_file(path, allowed_dirs=[path.parent, SHIPPED])
    problems = validate(document)
    assert not problems, problems
    return map_document(document, release)


def template(body: str, domain: str = "com.acme.lights", imports: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" xmlns:xi="http://www.w3.org/2001/XInclude" id="{domain}">
{imports}
{body}
</Domain>
"""


@pytest.mark.parametrize("name", ["binarySwitch.xml", "battery.xml", "deviceLight.xml", "management.xml"])
def test_shipped_templates_describe_ts0023_exactly(name):
    """Same names, kinds, children, attribute long names, base types and cardinalities as the table;
    the templates may only add what the table cannot say (read-only flags, bounds, list items)."""
    table = {m.spec.cnd: m.spec for m in standard_specializations("5")}
    mapping = mapped(SHIPPED / name)
    assert mapping.diagnostics == []
    assert mapping.specializations
    for item in mapping.specializations:
        spec, reference = item.spec, table[item.spec.cnd]
        assert item.official and all(a.official for a in item.attributes)
        assert (spec.tpe, spec.name, spec.kind, spec.children, spec.namespace) == (
            reference.tpe, reference.name, reference.kind, reference.children, reference.namespace)
        assert {a.sn: (a.ln, a.dtype.name, a.mandatory) for a in spec.attributes} == {
            a.sn: (a.ln, a.dtype.name, a.mandatory) for a in reference.attributes}
        assert item.doc, f"{spec.tpe} has no Doc"


def test_shipped_templates_cover_the_management_domain_and_device_light():
    covered = {m.spec.tpe for name in ("deviceLight.xml", "management.xml")
               for m in mapped(SHIPPED / name).specializations}
    assert {"cod:devLt", "cod:binSh", "cod:togge", "cod:brigs", "cod:color", "cod:colSn", "cod:fauDn", "cod:runSe",
            "cod:timer"} <= covered
    assert {"mad:fleNe", "mad:dmAgt", "mad:rebot", "mad:depPe", "mad:dmDIo", "mad:dmFie", "mad:dmSoe", "mad:dmPae",
            "mad:dmELg", "mad:dmCay", "mad:dmSte"} <= covered
    standard_management = {m.spec.tpe for m in standard_specializations("5") if m.spec.tpe.startswith("mad:")}
    assert standard_management <= covered  # the whole management domain, not a part of it


def test_device_light_details():
    mapping = mapped(SHIPPED / "deviceLight.xml")
    light = mapping.by_tpe("cod:devLt")
    assert light.spec.cnd == "org.onem2m.common.device.deviceLight" and light.spec.kind is Kind.DEVICE
    assert dict(light.child_names)["binarySwitch"] == "cod:binSh"
    switch = mapping.by_tpe("cod:binSh").spec
    state = switch.attribute("state")
    assert (state.ln, state.dtype, state.mandatory, state.writable, state.device_backed) == (
        "state", dt.BOOLEAN, True, True, True)
    dgt = switch.attribute("dgt")
    assert (dgt.ln, dgt.dtype, dgt.mandatory, dgt.writable) == ("dataGenerationTime", dt.TIMESTAMP, False, False)
    assert switch.children == {"cod:togge"}
    fault = mapping.by_tpe("cod:fauDn").spec.attribute("sus")
    assert fault.ln == "status" and not fault.writable
    brightness = mapping.by_tpe("cod:brigs").spec.attribute("brigs").dtype
    assert (brightness.minimum, brightness.maximum) == (0, 100)
    timer = mapping.by_tpe("cod:timer").spec
    assert timer.attribute("abSTe").dtype == dt.TIMESTAMP and timer.children == {"cod:acCTr", "cod:deCTr"}


def test_release_4_names_binary_switch_power_state():
    switch = mapped(SHIPPED / "binarySwitch.xml", release="4").by_tpe("cod:binSh").spec
    assert switch.attribute("state") is None
    power = switch.attribute("powSe")
    assert (power.ln, power.dtype, power.mandatory) == ("powerState", dt.BOOLEAN, True)
    standard = {m.spec.tpe: m.spec for m in standard_specializations("4")}
    assert standard["cod:binSh"].attribute("powSe").ln == "powerState"


def test_non_standard_model_gets_generated_names(write: WriteFile):
    path = write("lamp.xml", template("""
    <ModuleClasses>
        <ModuleClass name="colourTemperature">
            <Doc>White point.</Doc>
            <Actions>
                <Action name="calibrate">
                    <DataType><Simple type="integer"/></DataType>
                    <Args><Arg name="reference" optional="true"><DataType><Simple type="float"/></DataType></Arg></Args>
                </Action>
                <Action name="blink"><DataType><Simple type="void"/></DataType></Action>
            </Actions>
            <Data>
                <DataPoint name="kelvin"><DataType><Simple type="integer"/>
                    <Constraints><Constraint name="minValue" value="1000"/>
                        <Constraint name="maxValue" value="10000"/></Constraints>
                </DataType></DataPoint>
                <DataPoint name="brightness" optional="true" writable="false">
                    <DataType><Simple type="byte"/></DataType></DataPoint>
                <DataPoint name="lastChange" optional="true"><DataType><Simple type="datetime"/></DataType></DataPoint>
                <DataPoint name="presets" optional="true">
                    <DataType><Array><DataType><Simple type="string"/></DataType></Array></DataType></DataPoint>
                <DataPoint name="mode" optional="true"><DataType><Enum>
                    <EnumValue name="warm" value="1"/><EnumValue name="cold" value="2"/></Enum></DataType></DataPoint>
                <DataPoint name="position" optional="true"><DataType><Struct>
                    <DataType name="x"><Simple type="float"/></DataType>
                    <DataType name="y"><Simple type="float"/></DataType>
                </Struct></DataType></DataPoint>
            </Data>
        </ModuleClass>
    </ModuleClasses>
    <DeviceClasses>
        <DeviceClass id="smartLamp">
            <Properties><Property name="vendor" value="ACME"><Simple type="string"/></Property></Properties>
            <ModuleClasses>
                <ModuleClass name="white"><Extend domain="com.acme.lights" entity="colourTemperature"/></ModuleClass>
                <ModuleClass name="switch">
                    <Extend domain="org.onem2m.common.binarySwitch" entity="binarySwitch"/></ModuleClass>
                <ModuleClass name="nightMode" minOccurs="0">
                    <Data><DataPoint name="enabled"><DataType><Simple type="boolean"/></DataType></DataPoint></Data>
                </ModuleClass>
            </ModuleClasses>
        </DeviceClass>
    </DeviceClasses>""", imports='<Imports><xi:include href="binarySwitch.xml" parse="xml"/></Imports>'))
    (path.parent / "binarySwitch.xml").write_text((SHIPPED / "binarySwitch.xml").read_text())
    mapping = mapped(path)
    assert mapping.diagnostics == []
    module = mapping.by_tpe("lights:colTe")
    spec = module.spec
    assert (spec.cnd, spec.namespace, module.official) == (
        "com.acme.lights.moduleclass.colourTemperature", "urn:sdt:com.acme.lights", False)
    # Official short names for the long names TS-0023 knows, generated ones for the rest.
    assert {a.attribute.sn: (a.attribute.ln, a.official) for a in module.attributes} == {
        "dgt": ("dataGenerationTime", True), "kelvn": ("kelvin", False), "brigs": ("brightness", True),
        "lasCe": ("lastChange", False), "press": ("presets", False), "mode": ("mode", False),
        "posin": ("position", False)}
    assert spec.attribute("kelvn").dtype == dt.Int(minimum=1000, maximum=10000)
    assert spec.attribute("brigs").dtype == dt.Int(minimum=0, maximum=255) and not spec.attribute("brigs").writable
    assert spec.attribute("lasCe").dtype == dt.TIMESTAMP
    assert spec.attribute("press").dtype == dt.ListOf(item=dt.STRING)
    assert spec.attribute("mode").dtype == dt.Enum(values=frozenset({1, 2}))
    assert spec.attribute("posin").dtype == dt.Struct(members={"x": dt.Float(), "y": dt.Float()})
    calibrate = mapping.by_tpe("lights:calie").spec
    assert calibrate.kind is Kind.ACTION and calibrate.cnd == "com.acme.lights.action.calibrate"
    assert not calibrate.attribute("refee").mandatory
    result = calibrate.attribute("resut")
    assert (result.ln, result.dtype, result.writable, result.mandatory) == ("result", dt.INTEGER, False, False)
    assert mapping.by_tpe("lights:blink").spec.attribute("resut") is None  # void returns nothing
    assert spec.children == {"lights:calie", "lights:blink"}

    lamp = mapping.by_tpe("lights:smaLp")
    assert lamp.spec.cnd == "com.acme.lights.device.smartLamp"
    assert [a.attribute.sn for a in lamp.attributes] == ["nodLk", "flNLk", "vendr"]
    assert not lamp.spec.attribute("vendr").writable and lamp.spec.attribute("vendr").mandatory
    # A module that only names a class is that class; one with members of its own is a class of its own.
    assert lamp.child_names == (("white", "lights:colTe"), ("switch", "cod:binSh"), ("nightMode", "lights:nigMe"))
    night = mapping.by_tpe("lights:nigMe").spec
    assert night.cnd == "com.acme.lights.moduleclass.nightMode" and night.attribute("enabd").ln == "enabled"


def test_clashes_are_reported_not_renamed(write: WriteFile, line_of):
    text = template("""
    <ModuleClasses>
        <ModuleClass name="sensor">
            <Data>
                <DataPoint name="powerStats"><DataType><Simple type="integer"/></DataType></DataPoint>
                <DataPoint name="lightLevel"><DataType><Simple type="float"/></DataType></DataPoint>
                <DataPoint name="lightLabel"><DataType><Simple type="string"/></DataType></DataPoint>
                <DataPoint name="cnd"><DataType><Simple type="string"/></DataType></DataPoint>
            </Data>
        </ModuleClass>
        <ModuleClass name="powerMeter"/>
        <ModuleClass name="powerMonitor">
            <Data><DataPoint name="count"><DataType><Simple type="integer"/></DataType></DataPoint></Data>
        </ModuleClass>
        <ModuleClass name="gauge"/>
    </ModuleClasses>
    <DeviceClasses>
        <DeviceClass id="meterBox">
            <ModuleClasses>
                <ModuleClass name="gauge">
                    <Data><DataPoint name="other"><DataType><Simple type="integer"/></DataType></DataPoint></Data>
                </ModuleClass>
            </ModuleClasses>
        </DeviceClass>
    </DeviceClasses>""")
    path = write("meter.xml", text)
    mapping = mapped(path)
    messages = [str(d) for d in mapping.diagnostics]
    assert all(m.startswith(f"{path}:") and ": error: " in m for m in messages)

    def reported(line: int, *mentions: str) -> None:
        hits = [m for m in messages if m.startswith(f"{path}:{line}:")]
        assert any(all(x in h for x in mentions) for h in hits), (line, mentions, messages)

    # A generated short name may not be another long name's official one (powerStatus -> powSs).
    reported(line_of(text, 'name="powerStats"'), "'powSs'", "'powerStatus'")
    # Two long names, one short name: reported, neither renamed.
    reported(line_of(text, 'name="lightLabel"'), "'ligLl'", "'lightLevel'")
    reported(line_of(text, 'name="cnd"'), "common flexContainer attribute")
    # Two specializations, one type name: powerMeter and powerMonitor both abbreviate to powMr.
    reported(line_of(text, 'name="powerMonitor"'), "lights:powMr", "com.acme.lights.moduleclass.powerMeter")
    # Two module classes of one name in one domain with different content: one cnd, two meanings.
    inline = [n for n, line in enumerate(text.splitlines(), 1) if '<ModuleClass name="gauge">' in line][0]
    reported(inline, "com.acme.lights.moduleclass.gauge")
    # Nothing clashing was registered under another name.
    assert {m.spec.tpe for m in mapping.specializations} == {"lights:powMr", "lights:gauge", "lights:metBx"}
    assert mapping.by_tpe("lights:powMr").spec.name == "powerMeter"


def test_prefix_of_another_namespace_is_a_clash(write: WriteFile):
    path = write("cod.xml", template("""
    <ModuleClasses><ModuleClass name="thing"/></ModuleClasses>""", domain="com.acme.cod"))
    mapping = mapped(path)
    (problem,) = mapping.diagnostics
    assert "'cod'" in str(problem) and "commondomain" in str(problem) and str(problem).startswith(f"{path}:")
    assert mapping.specializations == []


def test_published_sdt3_examples_map(sdt3_examples_dir: Path):
    """Real SDT 3.0 files map; where their names abbreviate alike, the clash is reported."""
    total = 0
    for path in sorted(sdt3_examples_dir.glob("*.xml")):
        document = parse_file(path)
        if has_errors(validate(document)):
            continue
        mapping = map_document(document)
        total += len(mapping.specializations)
        for diagnostic in mapping.diagnostics:
            assert diagnostic.file.endswith(path.name) and diagnostic.line > 0
    assert total > 100
