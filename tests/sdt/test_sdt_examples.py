"""The published SDT 3.0 examples parse and validate without errors after XInclude."""

from __future__ import annotations

from pathlib import Path

import pytest

import ipe_sdt.sdt as sdt
from ipe_sdt.sdt import (
    ArrayType,
    SDTResolver,
    SDTVersion,
    Severity,
    StructType,
    has_errors,
    parse_file,
    validate,
)

EXAMPLES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "sdt" / "examples-sdt3"
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("*.xml"))


def test_the_shared_examples_are_present() -> None:
    names = {path.name for path in EXAMPLE_FILES}
    assert {"dal-core.xml", "dal-eg.xml", "mseeb.xml", "energyAtHome-SDT3.xml"} <= names
    assert len(EXAMPLE_FILES) == 8


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_parses_and_validates_without_errors(path: Path) -> None:
    document = parse_file(path)
    diagnostics = validate(document)
    errors = [str(d) for d in diagnostics if d.severity is Severity.ERROR]
    assert errors == []
    assert not has_errors(diagnostics)
    assert document.version is SDTVersion.V3
    assert document.domain.id
    assert document.files[0] == str(path)


def test_xinclude_import_is_resolved_from_the_local_file(sdt3_examples_dir: Path) -> None:
    document = parse_file(sdt3_examples_dir / "dal-eg.xml")
    (imported,) = document.domain.imports
    assert imported.href == "./dal-core.xml"
    assert imported.file == str(sdt3_examples_dir / "dal-core.xml")
    assert imported.domain.id == "hgi.dal.core"
    # Content of the included file keeps its own file name and line numbers.
    boolean_state = imported.domain.module_classes[0]
    assert boolean_state.name == "BooleanState"
    assert boolean_state.source.file == str(sdt3_examples_dir / "dal-core.xml")
    assert boolean_state.source.line == 7
    assert boolean_state.source.path == (
        "Domain[@id=com.telekom]/Imports/Domain[@id=hgi.dal.core]/Modules/ModuleClass[@name=BooleanState]"
    )
    assert document.files == (str(sdt3_examples_dir / "dal-eg.xml"), str(sdt3_examples_dir / "dal-core.xml"))


def test_sdt3_module_inherits_from_imported_module_class(sdt3_examples_dir: Path) -> None:
    document = parse_file(sdt3_examples_dir / "dal-eg.xml")
    device = document.domain.device_classes[0]
    assert device.id == "switch.power"
    power = next(m for m in device.module_classes if m.name == "power")
    assert power.element == "Module"
    assert (power.extend.domain, power.extend.entity) == ("hgi.dal.core", "BooleanState")
    effective = SDTResolver(document.domain).effective_module_class(power)
    assert [a.name for a in effective.actions] == ["get", "setTarget"]
    (value_arg,) = effective.actions[1].args
    assert value_arg.name == "value" and value_arg.type.simple_type == "boolean"
    assert effective.actions[0].return_type.simple_type == "boolean"


def test_sdt3_properties_events_and_defaults(sdt3_examples_dir: Path) -> None:
    document = parse_file(sdt3_examples_dir / "dal-eg.xml")
    device = document.domain.device_classes[0]
    assert [p.name for p in device.properties] == ["Name", "Vendor"]
    assert device.properties[0].type.type == "string"
    assert device.properties[0].doc.text == "Original value: PowerSwitch"
    proprietary = device.module_classes[0]
    (event,) = proprietary.events
    (state,) = event.data_points
    assert (state.name, state.writable, state.readable, state.eventable, state.optional) == (
        "state",
        False,
        True,
        False,
        False,
    )


def test_doc_text_keeps_inline_markup_text(sdt3_examples_dir: Path) -> None:
    document = parse_file(sdt3_examples_dir / "dal-core.xml")
    doc = document.domain.module_classes[0].doc
    assert doc.text.startswith("BooleanState is the preferred module for modelling a functionality")
    assert "\n" not in doc.text and "  " not in doc.text


def test_mseeb_structs_arrays_and_constraints(sdt3_examples_dir: Path) -> None:
    path = sdt3_examples_dir / "mseeb.xml"
    document = parse_file(path)
    root = document.domain.device_classes[0]
    assert root.id == "MSEEB.root"
    assert [s.id for s in root.sub_devices] == ["switch.power.1", "switch.power.2"]
    power = next(m for m in root.module_classes if m.name == "power")
    (action,) = power.actions
    consumption = action.return_type
    assert consumption.name == "consumption" and isinstance(consumption.type, StructType)
    values, time_frame = consumption.type.fields
    assert values.name == "values" and isinstance(values.type, ArrayType)
    element = values.type.element
    assert element.simple_type == "float"
    assert [(c.name, c.type, c.value) for c in element.constraints] == [
        ("minValue", "float", "0.0"),
        ("step", "float", "0.1"),
    ]
    text = path.read_text(encoding="iso-8859-1")
    expected_line = next(n for n, line in enumerate(text.splitlines(), 1) if 'name="minValue"' in line)
    assert element.constraints[0].source.line == expected_line
    assert time_frame.type.element.simple_type == "datetime"
    rooted = next(m for m in root.module_classes if m.name == "rootPowerOnOff")
    assert rooted.optional is True and rooted.is_optional
    assert rooted.properties[0].value == "1.0.0"


def test_repeated_identical_module_is_only_a_warning(sdt3_examples_dir: Path) -> None:
    path = sdt3_examples_dir / "example2.SDT.xml"
    diagnostics = validate(parse_file(path))
    assert [str(d) for d in diagnostics] == [
        f"{path}:23: warning: Domain[@id=example2.SDT]/Devices/Device[@id=airConditioner]"
        "/Modules/Module[@name=measuredCumulativePowerConsumption]: module "
        "'measuredCumulativePowerConsumption' is defined a second time in device 'airConditioner' "
        "with the same content (first at line 20); the repetition has no effect."
    ]


def test_energy_at_home_is_read_completely(sdt3_examples_dir: Path) -> None:
    document = parse_file(sdt3_examples_dir / "energyAtHome-SDT3.xml")
    (device,) = document.domain.device_classes
    assert len(device.module_classes) == 83
    appliance = next(m for m in device.module_classes if m.name == "Appliance")
    category = appliance.data_points[0]
    assert (category.name, category.optional, category.eventable) == ("loadShedDeviceCategory", True, True)
    assert category.type.simple_type == "array"
    total_points = sum(len(m.data_points) for m in device.module_classes)
    assert total_points == sum(
        1 for line in (sdt3_examples_dir / "energyAtHome-SDT3.xml").read_text().splitlines() if "<DataPoint " in line
    )


def test_library_never_reads_the_shared_directory() -> None:
    package_dir = Path(sdt.__file__).parent
    for source in package_dir.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for reference in ("shared/", "shared\\", '"shared"', "'shared'", "examples-sdt3", "schema-sdt3"):
            assert reference not in text, f"{source.name} refers to the shared directory ({reference})"
