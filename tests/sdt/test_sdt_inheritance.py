"""Effective module classes after Extend with Include/Exclude, overriding and chains."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from ipe_sdt.sdt import (
    EffectiveModuleClass,
    ModuleClass,
    ResolutionError,
    SDTResolver,
    effective_module_class,
    parse_file,
    parse_string,
    validate,
)

WriteFile = Callable[[str, str], Path]
LineOf = Callable[[str, str], int]

HEADER = '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" xmlns:xi="http://www.w3.org/2001/XInclude" id="org.example.inh">'

BASE = """
  <ModuleClass name="base">
    <Properties><Property name="vendor" value="ACME"><Simple type="string"/></Property></Properties>
    <Actions><Action name="toggle"/><Action name="reset"/></Actions>
    <Data>
      <DataPoint name="state"><DataType><Simple type="boolean"/></DataType></DataPoint>
      <DataPoint name="level"><DataType><Simple type="integer"/></DataType></DataPoint>
      <DataPoint name="label"><DataType><Simple type="string"/></DataType></DataPoint>
    </Data>
    <Events><Event name="changed"/></Events>
  </ModuleClass>
"""


def _domain(*module_classes: str) -> str:
    return f"{HEADER}\n<ModuleClasses>{BASE}{''.join(module_classes)}</ModuleClasses>\n</Domain>\n"


def _effective(text: str, name: str) -> EffectiveModuleClass:
    document = parse_string(text)
    assert validate(document) == []
    module = next(m for m in document.domain.module_classes if m.name == name)
    return SDTResolver(document.domain).effective_module_class(module)


def _names(effective: EffectiveModuleClass) -> dict[str, list[str]]:
    return {
        "properties": [p.name for p in effective.properties],
        "data_points": [d.name for d in effective.data_points],
        "actions": [a.name for a in effective.actions],
        "events": [e.name for e in effective.events],
    }


def test_plain_extend_inherits_everything() -> None:
    effective = _effective(
        _domain('<ModuleClass name="copy"><Extend domain="org.example.inh" entity="base"/></ModuleClass>'), "copy"
    )
    assert _names(effective) == {
        "properties": ["vendor"],
        "data_points": ["state", "level", "label"],
        "actions": ["toggle", "reset"],
        "events": ["changed"],
    }
    assert [b.name for b in effective.bases] == ["base"]


def test_exclude_removes_only_the_named_members() -> None:
    effective = _effective(
        _domain(
            """<ModuleClass name="slim"><Extend domain="org.example.inh" entity="base">
                 <Exclude name="level"/><Exclude name="reset" type="action"/><Exclude name="changed" type="event"/>
               </Extend></ModuleClass>"""
        ),
        "slim",
    )
    assert _names(effective) == {
        "properties": ["vendor"],
        "data_points": ["state", "label"],
        "actions": ["toggle"],
        "events": [],
    }


def test_include_keeps_only_the_named_members_of_every_kind() -> None:
    effective = _effective(
        _domain(
            """<ModuleClass name="pick"><Extend domain="org.example.inh" entity="base">
                 <Include name="state" type="datapoint"/><Include name="toggle" type="action"/>
                 <Include name="vendor" type="property"/>
               </Extend></ModuleClass>"""
        ),
        "pick",
    )
    assert _names(effective) == {
        "properties": ["vendor"],
        "data_points": ["state"],
        "actions": ["toggle"],
        "events": [],
    }


def test_include_and_exclude_combine() -> None:
    effective = _effective(
        _domain(
            """<ModuleClass name="mix"><Extend domain="org.example.inh" entity="base">
                 <Include name="state"/><Include name="level"/><Exclude name="toggle" type="action"/>
               </Extend></ModuleClass>"""
        ),
        "mix",
    )
    assert _names(effective)["data_points"] == ["state", "level"]
    assert _names(effective)["actions"] == []


def test_own_members_override_in_place_and_new_ones_are_appended() -> None:
    effective = _effective(
        _domain(
            """<ModuleClass name="dimmer"><Extend domain="org.example.inh" entity="base"/>
                 <Data>
                   <DataPoint name="brightness"><DataType><Simple type="integer"/></DataType></DataPoint>
                   <DataPoint name="level" writable="false"><DataType><Simple type="float"/></DataType></DataPoint>
                 </Data>
               </ModuleClass>"""
        ),
        "dimmer",
    )
    assert [d.name for d in effective.data_points] == ["state", "level", "label", "brightness"]
    level = effective.data_points[1]
    assert level.type.simple_type == "float" and level.writable is False
    assert level.source.path.endswith("ModuleClass[@name=dimmer]/Data/DataPoint[@name=level]")


def test_chains_accumulate_and_filters_apply_per_step() -> None:
    text = _domain(
        """<ModuleClass name="middle"><Extend domain="org.example.inh" entity="base"><Exclude name="label"/></Extend>
             <Actions><Action name="blink"/></Actions></ModuleClass>""",
        """<ModuleClass name="top"><Extend domain="org.example.inh" entity="middle">
             <Exclude name="reset" type="action"/></Extend>
             <Events><Event name="blinked"/></Events></ModuleClass>""",
    )
    effective = _effective(text, "top")
    assert _names(effective) == {
        "properties": ["vendor"],
        "data_points": ["state", "level"],
        "actions": ["toggle", "blink"],
        "events": ["changed", "blinked"],
    }
    assert [b.name for b in effective.bases] == ["middle", "base"]


def test_device_level_module_uses_effective_members(light_sdt4: str) -> None:
    domain = parse_string(light_sdt4).domain
    module = domain.device_classes[0].module_classes[0]
    effective = effective_module_class(domain, module)
    assert effective.module_class is module
    assert [d.name for d in effective.data_points] == ["state"]
    assert effective.data_points[0] is domain.module_classes[0].data_points[0]


def test_extend_across_an_imported_file(write: WriteFile) -> None:
    write(
        "common.xml",
        '<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="org.onem2m.common">\n'
        "  <ModuleClasses>\n"
        '    <ModuleClass name="binarySwitch">\n'
        '      <Actions><Action name="toggle"/></Actions>\n'
        '      <Data><DataPoint name="powerState"><DataType><Simple type="boolean"/></DataType></DataPoint></Data>\n'
        "    </ModuleClass>\n"
        "  </ModuleClasses>\n"
        "</Domain>\n",
    )
    main = write(
        "light.xml",
        f"{HEADER}\n"
        '  <Imports><xi:include href="common.xml" parse="xml"/></Imports>\n'
        "  <DeviceClasses><DeviceClass id=\"deviceLight\"><ModuleClasses>\n"
        '    <ModuleClass name="binarySwitch"><Extend domain="org.onem2m.common" entity="binarySwitch">\n'
        '      <Exclude name="toggle" type="action"/></Extend></ModuleClass>\n'
        "  </ModuleClasses></DeviceClass></DeviceClasses>\n"
        "</Domain>\n",
    )
    document = parse_file(main)
    assert validate(document) == []
    module = document.domain.device_classes[0].module_classes[0]
    effective = SDTResolver(document.domain).effective_module_class(module)
    (power_state,) = effective.data_points
    assert effective.actions == ()
    assert power_state.source.file == str(main.parent / "common.xml")
    assert power_state.source.line == 5


def test_resolver_raises_on_unknown_include(line_of: LineOf) -> None:
    text = _domain(
        """<ModuleClass name="bad"><Extend domain="org.example.inh" entity="base">
             <Include name="colour"/>
             <Include name="blink" type="action"/>
           </Extend></ModuleClass>"""
    )
    document = parse_string(text, source_name="inh.xml")
    bad = document.domain.module_classes[1]
    with pytest.raises(ResolutionError) as caught:
        SDTResolver(document.domain).effective_module_class(bad)
    assert caught.value.source.line == line_of(text, '<Include name="colour"/>')
    assert "Include refers to the data point 'colour'" in caught.value.message
    # The validator reports both unknown names, not just the first.
    errors = [(d.line, d.message) for d in validate(document)]
    assert [line for line, _ in errors] == [line_of(text, 'name="colour"'), line_of(text, 'name="blink"')]
    assert "has no action with that name" in errors[1][1]


def test_resolver_raises_on_loops_and_unknown_targets() -> None:
    text = _domain(
        '<ModuleClass name="a"><Extend domain="org.example.inh" entity="b"/></ModuleClass>',
        '<ModuleClass name="b"><Extend domain="org.example.inh" entity="a"/></ModuleClass>',
        '<ModuleClass name="lost"><Extend domain="org.example.nowhere" entity="base"/></ModuleClass>',
    )
    document = parse_string(text)
    resolver = SDTResolver(document.domain)
    by_name = {m.name: m for m in document.domain.module_classes}
    with pytest.raises(ResolutionError, match="inheritance forms a loop: b -> a -> b"):
        resolver.effective_module_class(by_name["a"])
    with pytest.raises(ResolutionError, match="extends domain 'org.example.nowhere'"):
        resolver.effective_module_class(by_name["lost"])
    # Unrelated classes still resolve.
    assert [d.name for d in resolver.effective_module_class(by_name["base"]).data_points] == [
        "state",
        "level",
        "label",
    ]


def test_include_type_must_name_a_module_class_member_kind(line_of: LineOf) -> None:
    text = _domain(
        """<ModuleClass name="odd"><Extend domain="org.example.inh" entity="base">
             <Include name="state" type="subdevice"/></Extend></ModuleClass>"""
    )
    (error,) = validate(parse_string(text))
    assert error.line == line_of(text, 'type="subdevice"')
    assert error.message == (
        "the attribute 'type' must be one of action, datapoint, event, property, not 'subdevice'."
    )


def test_effective_result_is_cached_and_unchanged_model() -> None:
    document = parse_string(_domain('<ModuleClass name="c"><Extend domain="org.example.inh" entity="base"/></ModuleClass>'))
    resolver = SDTResolver(document.domain)
    module: ModuleClass = document.domain.module_classes[1]
    first = resolver.effective_module_class(module)
    assert resolver.effective_module_class(module) is first
    assert module.data_points == []  # resolution never mutates the parsed model
