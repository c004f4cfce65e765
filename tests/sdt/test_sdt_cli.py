"""``cse sdt``: the template authors' commands on good and bad files, their messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from cse.cli import main
from ipe_sdt.sdt.loader import shipped_directory

SHIPPED = shipped_directory()
LIGHT = SHIPPED / "deviceLight.xml"
WriteFile = Callable[[str, str], Path]

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="com.acme.broken">
    <ModuleClasses>
        <ModuleClass name="meter">
            <Data>
                <DataPoint name="reading" writable="maybe"><DataType><Simple type="float"/></DataType></DataPoint>
                <DataPoint name="unit"><DataType><Simple type="text"/></DataType></DataPoint>
            </Data>
        </ModuleClass>
    </ModuleClasses>
</Domain>
"""

CLASHING = """<?xml version="1.0" encoding="UTF-8"?>
<Domain xmlns="http://www.onem2m.org/xml/sdt/4.0" id="com.acme.meters">
    <ModuleClasses>
        <ModuleClass name="meter">
            <Data>
                <DataPoint name="lightLevel"><DataType><Simple type="float"/></DataType></DataPoint>
                <DataPoint name="lightLabel"><DataType><Simple type="string"/></DataType></DataPoint>
            </Data>
        </ModuleClass>
    </ModuleClasses>
</Domain>
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["sdt", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["", "validate", "show", "shortnames", "docs", "example"])
def test_help_of_each_command(capsys, command):
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == 0 and "usage: cse sdt" in out and "exit status" in out


def test_wrong_command_lines(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "required" in err
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "shortnames", str(LIGHT), "--release", "3")
    assert code == 2 and "invalid choice: '3'" in err


def test_validate_good_files(capsys):
    code, out, _ = run(capsys, "validate", *(str(p) for p in sorted(SHIPPED.glob("*.xml"))))
    assert code == 0
    assert out.strip().splitlines()[-1] == "4 files checked: 0 errors, 0 warnings"


def test_validate_reports_every_error_with_file_and_line(capsys, write: WriteFile, line_of):
    broken = write("broken.xml", BROKEN)
    clashing = write("clashing.xml", CLASHING)
    code, out, _ = run(capsys, "validate", str(LIGHT), str(broken), str(clashing), str(broken.parent / "none.xml"))
    assert code == 1
    lines = out.strip().splitlines()
    assert f"{broken}:{line_of(BROKEN, 'writable=')}: error:" in out and "'true' or 'false'" in out
    assert f"{broken}:{line_of(BROKEN, 'text')}: error:" in out and "'text' is unknown" in out
    assert f"{clashing}:{line_of(CLASHING, 'lightLabel')}: error:" in out and "'ligLl'" in out
    assert f"{broken.parent / 'none.xml'}:1: error: the file does not exist" in out
    assert lines[-1] == "4 files checked: 4 errors, 0 warnings"
    assert "Traceback" not in out


def test_show_prints_the_model_as_a_tree(capsys, write: WriteFile):
    code, out, _ = run(capsys, "show", str(LIGHT))
    assert code == 0
    assert out.startswith("Domain org.onem2m.common.deviceLight (SDT 4.0")
    assert "├── imports org.onem2m.common.binarySwitch" in out
    assert "│   ├── DataPoint status: boolean, read-only" in out
    assert "└── DeviceClass deviceLight" in out
    assert "ModuleClass binarySwitch [1] extends org.onem2m.common.binarySwitch:binarySwitch" in out
    code, out, err = run(capsys, "show", str(write("broken.xml", BROKEN)))
    assert code == 1 and "ModuleClass meter" in out and "error:" in err


def test_shortnames_official_generated_and_clashes(capsys, write: WriteFile):
    code, out, _ = run(capsys, "shortnames", str(LIGHT))
    assert code == 0
    assert "cod:devLt" in out and "org.onem2m.common.device.deviceLight" in out
    switch = out[out.index("cod:binSh"):]
    assert "state" in switch.splitlines()[2] and "official" in switch.splitlines()[2]
    code, out, _ = run(capsys, "shortnames", str(SHIPPED / "binarySwitch.xml"), "--release", "4")
    assert code == 0 and "powSe" in out and "powerState" in out
    label = '<DataPoint name="lightLabel"><DataType><Simple type="string"/></DataType></DataPoint>'
    custom = write("meters.xml", CLASHING.replace(label, ""))
    code, out, _ = run(capsys, "shortnames", str(custom))
    assert code == 0 and "meters:meter" in out and "generated" in out and "ligLl" in out
    code, out, _ = run(capsys, "shortnames", str(write("clashing.xml", CLASHING)))
    assert code == 1 and "clashes" in out and "'ligLl'" in out
    code, _, err = run(capsys, "shortnames", str(write("broken.xml", BROKEN)))
    assert code == 1 and "broken.xml:" in err and "error:" in err


def test_docs_are_markdown(capsys, tmp_path):
    code, out, _ = run(capsys, "docs", str(SHIPPED / "management.xml"))
    assert code == 0
    assert out.startswith("# org.onem2m.management\n")
    assert "### Device flexNode" in out and "### Module class dmAgent" in out
    assert "| reboot | `mad:rebot` | rebootType (`rebTe`) |" in out
    assert "| serialNumber | `serNr` | string | 0..1 | read-only |" in out
    target = tmp_path / "light.md"
    code, out, _ = run(capsys, "docs", str(LIGHT), "-o", str(target))
    assert code == 0 and out == ""
    text = target.read_text()
    assert "| state | `state` | boolean | 1 | read-write |" in text and "Switches a device on and off" in text


def test_example_gives_ready_to_send_payloads(capsys, write: WriteFile):
    code, out, _ = run(capsys, "example", "deviceLight", "--parent", "/cse-in/home", "--name", "lamp")
    assert code == 0
    requests = json.loads(out)
    assert requests[0] == {"to": "/cse-in/home", "ty": 28, "pc": {"cod:devLt": {
        "rn": "lamp", "cnd": "org.onem2m.common.device.deviceLight"}}}
    by_type = {next(iter(r["pc"])): r for r in requests}
    assert by_type["cod:binSh"]["to"] == "/cse-in/home/lamp"
    assert by_type["cod:binSh"]["pc"]["cod:binSh"]["state"] is False
    assert by_type["cod:togge"]["to"] == "/cse-in/home/lamp/binarySwitch"
    code, out, _ = run(capsys, "example", "cod:devLt", "--release", "4")
    assert code == 0 and '"powSe": false' in out
    # Any TS-0023 device, from the table, and one of the author's own.
    code, out, _ = run(capsys, "example", "org.onem2m.home.device.deviceAirConditioner")
    assert code == 0 and "hod:deACr" in out
    custom = write("meters.xml", CLASHING.replace("lightLabel", "label").replace(
        "</ModuleClasses>", '</ModuleClasses><DeviceClasses><DeviceClass id="meterBox"><ModuleClasses>'
        '<ModuleClass name="m"><Extend domain="com.acme.meters" entity="meter"/></ModuleClass>'
        "</ModuleClasses></DeviceClass></DeviceClasses>"))
    code, out, _ = run(capsys, "example", "meterBox", "-t", str(custom.parent))
    assert code == 0 and '"meters:metBx"' in out and '"ligLl": 0.0' in out


def test_example_of_unknown_or_ambiguous_device(capsys, write: WriteFile):
    code, _, err = run(capsys, "example", "deviceUnicorn")
    assert code == 1 and "no specialization is named 'deviceUnicorn'" in err and "deviceLight" in err
    code, _, err = run(capsys, "example", "toggle")
    assert code == 1 and "several specializations" in err and "cod:togge" in err and "mad:togge" in err
    broken = write("broken.xml", BROKEN)
    code, _, err = run(capsys, "example", "deviceLight", "-t", str(broken))
    assert code == 1 and f"{broken}:" in err
