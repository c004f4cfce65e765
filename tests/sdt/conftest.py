from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

# The shared SDT material lives next to the repository, never inside the package.
SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"
SDT3_EXAMPLES_DIR = SHARED_DIR / "sdt" / "examples-sdt3"

LIGHT_SDT4 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0"
        xmlns:xi="http://www.w3.org/2001/XInclude"
        id="org.example.deviceLight" semanticURI="http://example.org/sdt/deviceLight">
    <Doc>Devices and functions of a <em>connected light</em>.</Doc>
    <ModuleClasses>
        <ModuleClass name="binarySwitch" semanticURI="http://example.org/sdt/binarySwitch">
            <Doc>Switches the power of a device on or off.</Doc>
            <Actions>
                <Action name="toggle">
                    <Doc>Toggle the switch.</Doc>
                </Action>
            </Actions>
            <Data>
                <DataPoint name="state" eventable="true">
                    <Doc>The current state; <tt>true</tt> means on.</Doc>
                    <DataType>
                        <Simple type="boolean"/>
                    </DataType>
                </DataPoint>
            </Data>
        </ModuleClass>
    </ModuleClasses>
    <DeviceClasses>
        <DeviceClass id="deviceLight">
            <Doc>A light that can be switched on and off.</Doc>
            <Properties>
                <Property name="vendor" value="ACME">
                    <Simple type="string"/>
                </Property>
            </Properties>
            <ModuleClasses>
                <ModuleClass name="binarySwitch" minOccurs="1" maxOccurs="1">
                    <Extend domain="org.example.deviceLight" entity="binarySwitch"/>
                </ModuleClass>
            </ModuleClasses>
        </DeviceClass>
    </DeviceClasses>
</Domain>
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the single line containing ``needle``; fails if it is missing or ambiguous."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


@pytest.fixture
def light_sdt4() -> str:
    return LIGHT_SDT4


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture(name="line_of")
def line_of_fixture() -> Callable[[str, str], int]:
    return line_of


@pytest.fixture
def sdt3_examples_dir() -> Path:
    assert SDT3_EXAMPLES_DIR.is_dir(), f"shared SDT examples missing at {SDT3_EXAMPLES_DIR}"
    return SDT3_EXAMPLES_DIR
