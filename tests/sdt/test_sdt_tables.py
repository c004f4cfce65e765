"""The shipped TS-0023 table: what the generator makes of the shared facts, and the short-name rules."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from ipe_sdt.sdt import build_tables
from ipe_sdt.sdt.names import domain_naming, generated_short_name, name_table, releases
from tests.sdt.conftest import SHARED_DIR

FACTS = SHARED_DIR / "sdt"


@pytest.fixture
def facts() -> Path:
    if not (FACTS / build_tables.SPECIALIZATIONS_CSV).exists():
        pytest.skip("the shared TS-0023 facts are not beside this checkout")
    return FACTS


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ts0023_rows(facts: Path) -> list[dict[str, str]]:
    return [
        row for row in rows(facts / build_tables.SPECIALIZATIONS_CSV)
        if row["ns"] != "m2m" and not row["shortname"].endswith(("Annc", "Inst"))
    ]


def test_shipped_table_is_what_the_generator_makes_of_the_facts(facts):
    assert build_tables.TABLE.read_text(encoding="utf-8") == build_tables.render(build_tables.build(facts))
    assert build_tables.main([str(facts), "--check"]) == 0


def test_table_has_every_ts0023_specialization_and_no_variant(facts):
    table = name_table("5")
    expected = {row["cnd"] for row in ts0023_rows(facts)}
    assert len(expected) == 260
    assert set(table.entries) == expected
    assert not any(e.tpe.endswith(("Annc", "Inst")) or e.tpe.startswith("m2m:") for e in table.entries.values())
    assert not any(c.endswith(("Annc", "Inst")) for e in table.entries.values() for c in e.children)


def test_corrections_are_applied(facts):
    table = name_table("5")
    printer = table.entries["org.onem2m.common.device.device3DPrinter"]
    assert printer.tpe == "cod:dTDPr"  # TS-0023 table 6.3.2-1, not the CSV's deDPr
    cuff = table.entries["org.onem2m.health.subdevice.subDeviceCuff"]
    assert cuff.children == ("cod:binSh", "cod:sphyr", "cod:pulsr")
    light = table.entries["org.onem2m.common.device.deviceLight"]
    assert (light.tpe, light.children) == (
        "cod:devLt", ("cod:fauDn", "cod:binSh", "cod:runSe", "cod:color", "cod:colSn", "cod:brigs", "cod:timer"))


def test_every_fact_is_kept(facts):
    """Every attribute of the facts is in the table or is one of the kind attributes of rules.py."""
    table = name_table("5")
    by_type = {row["ns"] + ":" + row["shortname"]: row["cnd"] for row in ts0023_rows(facts)}
    for row in rows(facts / build_tables.ATTRIBUTES_CSV):
        cnd = by_type.get(row["type"])
        if cnd is None:
            continue
        assert table.attribute(cnd, row["lname"]) == (row["lname"], row["sname"])
        if row["lname"] not in ("dataGenerationTime", "nodeLink", "flexNodeLink"):
            entry = table.entries[cnd]
            assert (row["lname"], row["atype"], row["car"] == "1") in entry.attributes


def test_release_4_forms():
    assert releases() == ("5", "4")
    binary_switch = "org.onem2m.common.moduleclass.binarySwitch"
    assert name_table("5").attribute(binary_switch, "state") == ("state", "state")
    assert name_table("4").attribute(binary_switch, "state") == ("powerState", "powSe")
    # Elsewhere R4 and R5 agree.
    assert name_table("4").attribute("org.onem2m.management.moduleclass.dmAgent", "state") == ("state", "state")
    with pytest.raises(ValueError, match="release '3'"):
        name_table("3")


def test_build_refuses_facts_that_break_its_rules(facts, tmp_path):
    def broken(edit) -> str:
        folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name in (build_tables.SPECIALIZATIONS_CSV, build_tables.ATTRIBUTES_CSV):
            shutil.copy(facts / name, folder / name)
        path = folder / build_tables.ATTRIBUTES_CSV
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        with pytest.raises(build_tables.BuildError) as error:
            build_tables.build(folder)
        return str(error.value)

    # Two short names for one long name.
    message = broken(lambda text: text.replace("binarySwitch,state,state,", "binarySwitch,stat0,state,"))
    assert "'state'" in message and "stat0" in message
    # A module class without dataGenerationTime.
    message = broken(lambda text: text.replace("cod:binSh,binarySwitch,dgt,dataGenerationTime,timestamp,01,,\n", ""))
    assert "cod:binSh" in message and "dataGenerationTime" in message
    assert build_tables.main([str(tmp_path / "nowhere")]) == 1


def test_generated_short_names_follow_ts0023_style(facts):
    assert [generated_short_name(n) for n in ("state", "binarySwitch", "deviceLight", "deviceAirConditioner",
                                              "dmAgent", "cellID", "deviceHomeCCTV", "brightness", "result")] == [
        "state", "binSh", "devLt", "deACr", "dmAgt", "celID", "dHCCT", "brigs", "resut"]
    pairs = {(row["longname"], row["shortname"]) for row in ts0023_rows(facts)}
    pairs |= {(row["lname"], row["sname"]) for row in rows(facts / build_tables.ATTRIBUTES_CSV)
              if not row["type"].endswith(("Annc", "Inst")) and not row["type"].startswith("m2m:")}
    reproduced = sum(generated_short_name(long) == short for long, short in pairs)
    assert reproduced / len(pairs) >= 0.95


def test_domain_naming():
    common = domain_naming("org.onem2m.common.deviceLight")
    assert (common.base, common.prefix, common.official) == ("org.onem2m.common", "cod", True)
    assert common.namespace == "http://www.onem2m.org/xml/protocols/commondomain"
    assert domain_naming("org.onem2m.management").prefix == "mad"
    custom = domain_naming("com.acme.lights.device")
    assert (custom.base, custom.prefix, custom.namespace, custom.official) == (
        "com.acme.lights", "lights", "urn:sdt:com.acme.lights", False)
    assert domain_naming("org.example.2way").prefix == "d2way"
    assert domain_naming("org.example.xmlThings").prefix == "dxmlThings"
